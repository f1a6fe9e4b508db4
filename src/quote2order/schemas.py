"""The pydantic boundary: validate untrusted input, and serialize quotes and orders.

This is the only module that imports pydantic. Input models refuse unknown fields,
floats given as money, non-finite or out-of-range numbers, unknown VAT rates, mixed
currencies, and control characters, RFC 2047 encoded words (``=?...?=``) and invisible
bidi/zero-width controls in single-line text; e-mail addresses are plain ``local@host``; ``to_domain()`` maps them to
the core model. Output models (``QuoteOut``, ``OrderOut``) map the core model to JSON
with ``from_domain()`` and back with ``to_domain()``. Every refusal raises
:class:`quote2order.errors.ValidationError` listing each broken rule.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, NotRequired, Self, TypeVar

import pydantic
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from quote2order._text_rules import EMAIL_ADDRESS, single_line_problem
from quote2order.errors import ValidationError
from quote2order.lifecycle import OrderStatus, QuoteStatus
from quote2order.money import CURRENCIES, Money, VatRate
from quote2order.optimize.limits import MAX_UNITS
from quote2order.orders import NotDelivered, Order, PositionProcurement, Shipment, ShipmentItem
from quote2order.positions import CatalogProduct, Position, PositionKind
from quote2order.quotes import Customer, Quote, QuoteVersion

if TYPE_CHECKING:
    from quote2order.notifications.sellers import Seller

__all__ = [
    "DEFAULT_VAT_RATES",
    "BankAccountIn",
    "CustomerIn",
    "CustomerOut",
    "DocumentTextsIn",
    "LogoIn",
    "OptimizerCartIn",
    "OptimizerConstraintsIn",
    "OptimizerLineIn",
    "OptimizerOfferIn",
    "OptimizerSupplierIn",
    "OrderOut",
    "PaymentTermsIn",
    "PositionIn",
    "PositionOut",
    "ProductIn",
    "ProductOut",
    "QuoteCreateIn",
    "QuoteEditIn",
    "QuoteOut",
    "SellerIn",
    "ShipmentIn",
    "ShipmentItemOut",
    "ShipmentOut",
    "parse",
    "parse_optimizer_cart",
]

#: VAT rates accepted unless a host passes its own set as ``context={"vat_rates": ...}``:
#: the standard and reduced rates of the EU member states, Switzerland and the UK.
DEFAULT_VAT_RATES: frozenset[Decimal] = frozenset(
    Decimal(r)
    for r in (
        "0 2.1 2.5 2.6 3 3.8 4 5 5.5 6 7 8 8.1 9 10 12 13 14 15 16 17 18 19 20 "
        "21 22 23 24 25 25.5 26 27"
    ).split()
)
MAX_AMOUNT = Decimal("1e13")  # ten trillion: far above any real quote, far below overflow
MAX_QUANTITY = Decimal("1e6")
# Multi-line text keeps tabs and line breaks, CR LF included (browsers submit textareas so).
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")

M = TypeVar("M", bound=BaseModel)


def _no_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError("give amounts as strings or integers, never as floating-point numbers")
    return value


def _single_line(value: str) -> str:
    problem = single_line_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _email(value: str) -> str:
    if (
        not EMAIL_ADDRESS.fullmatch(value)
        or "." not in value.rpartition("@")[2]
        or single_line_problem(value) is not None
    ):
        raise ValueError("not an e-mail address of the form name@example.com")
    return value


def _multi_line(value: str) -> str:
    if _CONTROL_MULTILINE.search(value):
        raise ValueError("control characters other than line breaks and tabs are not allowed")
    return value


def _decimals(places: int) -> AfterValidator:
    def check(value: Decimal) -> Decimal:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -places:
            raise ValueError(f"at most {places} decimal places")
        return value

    return AfterValidator(check)


Amount = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(allow_inf_nan=False, ge=-MAX_AMOUNT, le=MAX_AMOUNT),
    _decimals(4),
]
Quantity = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(allow_inf_nan=False, gt=0, le=MAX_QUANTITY),
    _decimals(4),
]
Percent = Annotated[
    Decimal, BeforeValidator(_no_float), Field(allow_inf_nan=False, ge=0, le=100), _decimals(4)
]
Line = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_single_line)]
ShortLine = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_single_line)]
OptionalLine = Annotated[str, Field(max_length=200), AfterValidator(_single_line)]
Text = Annotated[str, Field(max_length=4000), AfterValidator(_multi_line)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


def _known_vat_rate(value: Decimal, info: pydantic.ValidationInfo) -> Decimal:
    rates = (info.context or {}).get("vat_rates", DEFAULT_VAT_RATES)
    if value not in rates:
        raise ValueError(f"unknown VAT rate {value} %")
    return value


def _known_currency(value: str) -> str:
    if value not in CURRENCIES:
        raise ValueError(f"unknown ISO 4217 currency {value!r}")
    return value


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


def _position_fields(position: Position) -> dict[str, Any]:
    """A core position as the keyword arguments of ``PositionIn`` / ``PositionOut``."""
    product = position.product
    return {
        "position_id": position.position_id,
        "kind": position.kind.value,
        "name": position.name,
        "description": position.description,
        "quantity": position.quantity,
        "unit_price": position.unit_price.amount,
        "vat_rate": position.vat_rate.percent,
        "discount": position.discount,
        "product": None
        if product is None
        else {
            "product_id": product.product_id,
            "manufacturer_part_number": product.manufacturer_part_number,
            "name": product.name,
            "purchase_price": None
            if product.purchase_price is None
            else product.purchase_price.amount,
        },
    }


def _position(model: PositionIn | PositionOut, position_id: str, currency: str) -> Position:
    """The core position described by ``model`` (input or output form)."""
    product = model.product
    return Position(
        position_id=position_id,
        kind=PositionKind(model.kind),
        name=model.name,
        quantity=model.quantity,
        unit_price=Money(model.unit_price, currency),
        vat_rate=VatRate(model.vat_rate),
        discount=model.discount,
        product=None
        if product is None
        else CatalogProduct(
            product.product_id,
            product.manufacturer_part_number,
            product.name,
            None if product.purchase_price is None else Money(product.purchase_price, currency),
        ),
        description=model.description,
    )


def _customer_fields(customer: Customer) -> dict[str, Any]:
    """A core customer as the keyword arguments of ``CustomerIn`` / ``CustomerOut``."""
    return {
        "customer_id": customer.customer_id,
        "name": customer.name,
        "email": customer.email,
        "locale": customer.locale,
        "company": customer.company,
        "address": list(customer.address),
        "vat_id": customer.vat_id,
    }


def _customer(model: CustomerIn | CustomerOut) -> Customer:
    """The core customer described by ``model`` (input or output form)."""
    return Customer(
        model.customer_id,
        model.name,
        model.email,
        model.locale,
        model.company,
        tuple(model.address),
        model.vat_id,
    )


def _shipment_fields(shipment: Shipment) -> dict[str, Any]:
    """A core shipment as the keyword arguments of ``ShipmentIn`` / ``ShipmentOut``."""
    return {
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "items": [{"position_id": i.position_id, "quantity": i.quantity} for i in shipment.items],
    }


def _shipment_out_fields(shipment: Shipment) -> dict[str, Any]:
    return {**_shipment_fields(shipment), "shipped_at": shipment.shipped_at}


def _shipment(model: ShipmentIn | ShipmentOut) -> Shipment:
    """The core shipment described by ``model`` (input or output form)."""
    return Shipment(
        model.carrier,
        model.tracking_number,
        tuple(ShipmentItem(i.position_id, i.quantity) for i in model.items),
        getattr(model, "shipped_at", None),
    )


class ProductIn(_In):
    """A catalog product as the host's catalog describes it now."""

    product_id: ShortLine
    manufacturer_part_number: ShortLine
    name: Line
    purchase_price: Amount | None = None


class PositionIn(_In):
    """One position of a quote. Omit ``position_id`` for a new position."""

    position_id: ShortLine | None = None
    kind: Literal["catalog", "free_text", "custom"]
    name: Line
    description: Text = ""
    quantity: Quantity
    unit_price: Amount
    vat_rate: Annotated[Percent, pydantic.AfterValidator(_known_vat_rate)]
    discount: Percent = Decimal(0)
    product: ProductIn | None = None

    def to_domain(self, currency: str) -> Position:
        """The core position (a new id if none was given)."""
        return _position(self, self.position_id or uuid.uuid4().hex[:12], currency)

    @classmethod
    def from_domain(cls, position: Position) -> Self:
        """The input form of a core position (for editing it)."""
        return cls(**_position_fields(position))


class CustomerIn(_In):
    """The customer a quote is for."""

    customer_id: ShortLine
    name: Line
    email: Annotated[str, Field(max_length=254), AfterValidator(_email)]
    locale: Annotated[str, Field(pattern=r"^[a-z]{2}(_[A-Z]{2})?$")] = "de_DE"
    company: OptionalLine = ""
    address: Annotated[list[Line], Field(max_length=8)] = []
    vat_id: Annotated[str, Field(max_length=20, pattern=r"^[A-Z0-9]*$")] = ""

    def to_domain(self) -> Customer:
        """The core customer."""
        return _customer(self)

    @classmethod
    def from_domain(cls, customer: Customer) -> Self:
        """The input form of a core customer."""
        return cls(**_customer_fields(customer))


Positions = Annotated[list[PositionIn], Field(max_length=500)]


def _check_catalog(positions: list[PositionIn]) -> None:
    for index, position in enumerate(positions):
        if (position.kind == "catalog") != (position.product is not None):
            raise ValidationError(
                "invalid positions",
                [(f"positions.{index}.product", "a catalog position needs its product, only it")],
            )
        if position.kind == "catalog" and position.quantity != position.quantity.to_integral():
            raise ValidationError(
                "invalid positions",
                [(f"positions.{index}.quantity", "a catalog product's quantity must be whole")],
            )


class QuoteCreateIn(_In):
    """Everything needed to create a quote (version 1, a draft)."""

    customer: CustomerIn
    title: Line
    currency: Annotated[Currency, AfterValidator(_known_currency)] = "EUR"
    valid_until: date
    notes: Text = ""
    positions: Positions = []

    def to_domain(self) -> dict[str, Any]:
        """Keyword arguments for :meth:`Quote2Order.create_quote` (without ``reseller_id``)."""
        _check_catalog(self.positions)
        return {
            "customer": self.customer.to_domain(),
            "title": self.title,
            "currency": self.currency,
            "valid_until": self.valid_until,
            "notes": self.notes,
            "positions": [p.to_domain(self.currency) for p in self.positions],
        }


class QuoteEditIn(_In):
    """Changes to a draft version; omitted fields stay as they are."""

    title: Line | None = None
    valid_until: date | None = None
    notes: Text | None = None
    positions: Positions | None = None

    def to_domain(self, currency: str) -> dict[str, Any]:
        """Keyword arguments for :meth:`Quote2Order.edit_quote`."""
        if self.positions is not None:
            _check_catalog(self.positions)
        return {
            "title": self.title,
            "valid_until": self.valid_until,
            "notes": self.notes,
            "positions": None
            if self.positions is None
            else [p.to_domain(currency) for p in self.positions],
        }


class ShipmentItemIn(_In):
    """A quantity of one position in a shipment."""

    position_id: ShortLine
    quantity: Quantity


class ShipmentIn(_In):
    """A shipment: carrier and tracking number entered by hand; no items = whole order."""

    carrier: Line
    tracking_number: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w\-./ ]+$")]
    items: Annotated[list[ShipmentItemIn], Field(max_length=500)] = []

    def to_domain(self) -> Shipment:
        """The core shipment."""
        return _shipment(self)

    @classmethod
    def from_domain(cls, shipment: Shipment) -> Self:
        """The input form of a core shipment."""
        return cls(**_shipment_fields(shipment))


# -- output ------------------------------------------------------------------------------


class _Out(BaseModel):
    # Output models describe what the core holds, so they carry no input limits: any value
    # the core accepted serializes, and reads back to an equal object.
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProductOut(_Out):
    """A catalog product snapshot as JSON."""

    product_id: str
    manufacturer_part_number: str
    name: str
    purchase_price: Decimal | None


class PositionOut(_Out):
    """A stored position as JSON."""

    position_id: str
    kind: PositionKind
    name: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    discount: Decimal
    product: ProductOut | None

    @classmethod
    def from_domain(cls, position: Position) -> PositionOut:
        """The JSON form of a core position."""
        return cls(**_position_fields(position))

    def to_domain(self, currency: str) -> Position:
        """The core position back from its JSON form."""
        return _position(self, self.position_id, currency)


class CustomerOut(_Out):
    """A quote's or order's customer as JSON."""

    customer_id: str
    name: str
    email: str
    locale: str
    company: str
    address: list[str]
    vat_id: str

    @classmethod
    def from_domain(cls, customer: Customer) -> Self:
        """The JSON form of a core customer."""
        return cls(**_customer_fields(customer))

    def to_domain(self) -> Customer:
        """The core customer."""
        return _customer(self)


class ShipmentItemOut(_Out):
    """A quantity of one position in a shipment, as JSON."""

    position_id: str
    quantity: Decimal


class ShipmentOut(_Out):
    """A recorded shipment as JSON."""

    carrier: str
    tracking_number: str
    items: list[ShipmentItemOut]
    shipped_at: datetime | None = None

    @classmethod
    def from_domain(cls, shipment: Shipment) -> Self:
        """The JSON form of a core shipment."""
        return cls(**_shipment_out_fields(shipment))

    def to_domain(self) -> Shipment:
        """The core shipment."""
        return _shipment(self)


class VersionOut(_Out):
    """One quote version as JSON."""

    number: int
    title: str
    valid_until: date
    created_at: datetime
    notes: str
    sent_at: datetime | None
    content_hash: str | None
    positions: list[PositionOut]


class QuoteOut(_Out):
    """A quote as JSON (the link token itself is never part of it, only its hash)."""

    quote_id: str
    reseller_id: str
    customer: CustomerOut
    currency: str
    link_token_hash: str
    created_at: datetime
    status: QuoteStatus
    order_id: str | None
    number: str = ""
    link_expires_at: datetime | None
    link_revoked_at: datetime | None
    revision: int
    versions: list[VersionOut]

    @classmethod
    def from_domain(cls, quote: Quote) -> QuoteOut:
        """The JSON form of a core quote."""
        return cls(
            quote_id=quote.quote_id,
            reseller_id=quote.reseller_id,
            customer=CustomerOut.from_domain(quote.customer),
            currency=quote.currency,
            link_token_hash=quote.link_token_hash,
            created_at=quote.created_at,
            status=quote.status,
            order_id=quote.order_id,
            number=quote.number,
            link_expires_at=quote.link_expires_at,
            link_revoked_at=quote.link_revoked_at,
            revision=quote.revision,
            versions=[
                VersionOut(
                    number=v.number,
                    title=v.title,
                    valid_until=v.valid_until,
                    created_at=v.created_at,
                    notes=v.notes,
                    sent_at=v.sent_at,
                    content_hash=v.content_hash,
                    positions=[PositionOut.from_domain(p) for p in v.positions],
                )
                for v in quote.versions
            ],
        )

    def to_domain(self) -> Quote:
        """The core quote back from its JSON form."""
        return Quote(
            quote_id=self.quote_id,
            reseller_id=self.reseller_id,
            customer=self.customer.to_domain(),
            currency=self.currency,
            link_token_hash=self.link_token_hash,
            versions=[
                QuoteVersion(
                    number=v.number,
                    title=v.title,
                    positions=tuple(p.to_domain(self.currency) for p in v.positions),
                    valid_until=v.valid_until,
                    created_at=v.created_at,
                    notes=v.notes,
                    sent_at=v.sent_at,
                    content_hash=v.content_hash,
                )
                for v in self.versions
            ],
            created_at=self.created_at,
            status=self.status,
            order_id=self.order_id,
            number=self.number,
            link_expires_at=self.link_expires_at,
            link_revoked_at=self.link_revoked_at,
            revision=self.revision,
        )


class ProcurementOut(_Out):
    """Procurement quantities of one order position."""

    position_id: str
    in_cart: Decimal
    ordered: Decimal
    received: Decimal


class OrderOut(_Out):
    """An order as JSON."""

    order_id: str
    order_number: str
    reseller_id: str
    quote_id: str
    quote_version: int
    customer: CustomerOut
    currency: str
    positions: list[PositionOut]
    created_at: datetime
    status: OrderStatus
    confirmed_at: datetime | None
    completed_at: datetime | None
    invoiced_at: datetime | None
    rejected_at: datetime | None
    rejection_reason: str
    shipments: list[ShipmentOut]
    proforma_number: str | None
    procurement: list[ProcurementOut]
    not_delivered: list[ShipmentItemOut] = []
    not_delivered_reason: str = ""
    revision: int

    @classmethod
    def from_domain(cls, order: Order) -> OrderOut:
        """The JSON form of a core order."""
        return cls(
            order_id=order.order_id,
            order_number=order.order_number,
            reseller_id=order.reseller_id,
            quote_id=order.quote_id,
            quote_version=order.quote_version,
            customer=CustomerOut.from_domain(order.customer),
            currency=order.currency,
            positions=[PositionOut.from_domain(p) for p in order.positions],
            created_at=order.created_at,
            status=order.status,
            confirmed_at=order.confirmed_at,
            completed_at=order.completed_at,
            invoiced_at=order.invoiced_at,
            rejected_at=order.rejected_at,
            rejection_reason=order.rejection_reason,
            shipments=[ShipmentOut.from_domain(s) for s in order.shipments],
            proforma_number=order.proforma_number,
            procurement=[
                ProcurementOut(
                    position_id=p.position_id,
                    in_cart=p.in_cart,
                    ordered=p.ordered,
                    received=p.received,
                )
                for p in order.procurement
            ],
            not_delivered=[
                ShipmentItemOut(position_id=c.position_id, quantity=c.quantity)
                for c in order.not_delivered
            ],
            not_delivered_reason=order.not_delivered_reason,
            revision=order.revision,
        )

    def to_domain(self) -> Order:
        """The core order back from its JSON form."""
        return Order(
            order_id=self.order_id,
            order_number=self.order_number,
            reseller_id=self.reseller_id,
            quote_id=self.quote_id,
            quote_version=self.quote_version,
            customer=self.customer.to_domain(),
            currency=self.currency,
            positions=tuple(p.to_domain(self.currency) for p in self.positions),
            created_at=self.created_at,
            status=self.status,
            confirmed_at=self.confirmed_at,
            completed_at=self.completed_at,
            invoiced_at=self.invoiced_at,
            rejected_at=self.rejected_at,
            rejection_reason=self.rejection_reason,
            shipments=tuple(s.to_domain() for s in self.shipments),
            proforma_number=self.proforma_number,
            procurement=tuple(
                PositionProcurement(p.position_id, p.in_cart, p.ordered, p.received)
                for p in self.procurement
            ),
            not_delivered=tuple(
                NotDelivered(c.position_id, c.quantity) for c in self.not_delivered
            ),
            not_delivered_reason=self.not_delivered_reason,
            revision=self.revision,
        )


# -- the seller's master data ------------------------------------------------------------


def _iban(value: str) -> str:
    from quote2order.notifications.sellers import iban_is_valid

    if not iban_is_valid(value):
        raise ValueError("not a valid IBAN (form, length for its country, or checksum)")
    return "".join(value.split()).upper()


class BankAccountIn(_In):
    """A bank account for payments; the IBAN's checksum is verified (ISO 7064 mod 97-10)."""

    iban: Annotated[str, Field(max_length=42), AfterValidator(_iban)]
    bic: Annotated[str, Field(pattern=r"^([A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?)?$")] = ""
    bank_name: OptionalLine = ""


class PaymentTermsIn(_In):
    """Due ``days`` after the document date; optional Skonto within ``discount_days``."""

    days: Annotated[int, Field(ge=0, le=365)] = 14
    discount_percent: Annotated[
        Decimal, BeforeValidator(_no_float), Field(ge=0, lt=100), _decimals(2)
    ] = Decimal(0)
    discount_days: Annotated[int, Field(ge=0, le=365)] = 0


class DocumentTextsIn(_In):
    """Free text before the positions and after the totals of one document kind."""

    intro: Text = ""
    closing: Text = ""


class LogoIn(_In):
    """The seller's logo, PNG or SVG, base64-encoded (at most 512 KiB decoded)."""

    media_type: Literal["image/png", "image/svg+xml"]
    content_base64: Annotated[str, Field(max_length=700_000)]


DocumentKindName = Literal["quote", "order_confirmation", "delivery_note", "proforma_invoice"]


class SellerIn(_In):
    """A reseller's master data as the host's settings screen submits it.

    ``to_domain()`` also applies the business-letter rule: a GmbH, UG or AG states its
    registered office, register court and number and its managing directors.
    """

    reseller_id: ShortLine
    name: Line
    email: Annotated[str, Field(max_length=254), AfterValidator(_email)]
    address: Annotated[list[Line], Field(max_length=8)] = []
    vat_id: Annotated[str, Field(max_length=20, pattern=r"^[A-Z0-9]*$")] = ""
    phone: OptionalLine = ""
    website: OptionalLine = ""
    legal_form: OptionalLine = ""
    registered_office: OptionalLine = ""
    register_court: OptionalLine = ""
    register_number: OptionalLine = ""
    managing_directors: Annotated[list[Line], Field(max_length=20)] = []
    tax_number: OptionalLine = ""
    bank_accounts: Annotated[list[BankAccountIn], Field(max_length=5)] = []
    payment_terms: PaymentTermsIn = PaymentTermsIn()
    delivery_terms: OptionalLine = ""
    texts: dict[DocumentKindName, DocumentTextsIn] = {}
    logo: LogoIn | None = None

    def to_domain(self) -> Seller:
        """The core seller (raises ValidationError for a rule the fields alone cannot show)."""
        import base64
        import binascii

        from quote2order.notifications.sellers import (
            BankAccount,
            DocumentTexts,
            Logo,
            PaymentTerms,
            Seller,
        )

        logo = None
        if self.logo is not None:
            try:
                content = base64.b64decode(self.logo.content_base64, validate=True)
            except binascii.Error:
                raise ValidationError(
                    "invalid SellerIn", [("logo.content_base64", "not base64")]
                ) from None
            logo = Logo(self.logo.media_type, content)
        terms = self.payment_terms
        return Seller(
            reseller_id=self.reseller_id,
            name=self.name,
            email=self.email,
            address=tuple(self.address),
            vat_id=self.vat_id,
            phone=self.phone,
            website=self.website,
            legal_form=self.legal_form,
            registered_office=self.registered_office,
            register_court=self.register_court,
            register_number=self.register_number,
            managing_directors=tuple(self.managing_directors),
            tax_number=self.tax_number,
            bank_accounts=tuple(
                BankAccount(a.iban, a.bic, a.bank_name) for a in self.bank_accounts
            ),
            payment_terms=PaymentTerms(terms.days, terms.discount_percent, terms.discount_days),
            delivery_terms=self.delivery_terms,
            texts={k: DocumentTexts(v.intro, v.closing) for k, v in self.texts.items()},
            logo=logo,
        )


def parse(
    model: type[M],
    data: str | bytes | dict[str, Any],
    *,
    vat_rates: frozenset[Decimal] | None = None,
) -> M:
    """Validate ``data`` (JSON text or a dict) as ``model``; refusals are ValidationError.

    ``vat_rates`` replaces :data:`DEFAULT_VAT_RATES` for this call.
    """
    context = {"vat_rates": vat_rates if vat_rates is not None else DEFAULT_VAT_RATES}
    try:
        if isinstance(data, str | bytes):
            return model.model_validate_json(data, context=context)
        return model.model_validate(data, context=context)
    except pydantic.ValidationError as error:
        problems = [(".".join(str(part) for part in e["loc"]), e["msg"]) for e in error.errors()]
        summary = "; ".join(f"{loc}: {msg}" for loc, msg in problems)
        raise ValidationError(f"invalid {model.__name__}: {summary}", problems) from None


# --- The optimizer's cart file (docs/optimizer.md) --------------------------------------
# TypedDicts, not models: pydantic-core checks every offer of a large cart (a few hundred
# thousand) in Rust and returns plain dicts; quote2order.optimize.jsonio maps them to the core
# model in whole columns. Amounts stay str or int here: the optimizer's money rules (range,
# places per currency) are checked on the distinct values there.
_CartName = Annotated[str, pydantic.Strict(), Field(min_length=1)]
_CartAmount = pydantic.StrictInt | pydantic.StrictStr
_CART_AMOUNTS = frozenset(
    {
        "unit_price",
        "shipping_cost",
        "free_shipping_threshold",
        "minimum_order_value",
    }
)
_CartUnits = Annotated[int, pydantic.Strict(), Field(ge=0, le=MAX_UNITS)]
_CartQuantity = Annotated[int, pydantic.Strict(), Field(ge=1, le=MAX_UNITS)]


class OptimizerLineIn(TypedDict):
    """A cart line of the optimizer's cart file."""

    id: _CartName
    product: _CartName
    quantity: _CartQuantity


class OptimizerSupplierIn(TypedDict):
    """A supplier's terms in the optimizer's cart file; amounts are strings or integers."""

    id: _CartName
    shipping_cost: NotRequired[_CartAmount]
    free_shipping_threshold: NotRequired[_CartAmount | None]
    minimum_order_value: NotRequired[_CartAmount]


class OptimizerOfferIn(TypedDict):
    """An offer in the optimizer's cart file."""

    supplier: _CartName
    product: _CartName
    unit_price: _CartAmount
    stock: _CartUnits
    delivery_days: NotRequired[_CartUnits]
    partner: NotRequired[pydantic.StrictBool]


class OptimizerConstraintsIn(TypedDict, total=False):
    """The constraints object; the two limits are checked by ``optimize.Constraints``."""

    max_suppliers: Any
    max_delivery_days: Any
    no_split: pydantic.StrictBool


class OptimizerCartIn(TypedDict):
    """The optimizer's cart file; currency, strategy and time limit are checked by the core."""

    currency: Any
    lines: list[OptimizerLineIn]
    suppliers: NotRequired[list[OptimizerSupplierIn]]
    offers: list[OptimizerOfferIn]
    strategy: NotRequired[Any]
    constraints: NotRequired[OptimizerConstraintsIn]
    time_limit: NotRequired[Any]


_cart_adapter: pydantic.TypeAdapter[OptimizerCartIn] | None = None


def parse_optimizer_cart(data: str | bytes | Any) -> OptimizerCartIn:
    """Validate the optimizer's cart file: JSON text (UTF-8 bytes or str) or decoded JSON.

    Refusals raise :class:`~quote2order.errors.ValidationError` naming the first broken rule
    with its place in the file (``offers[3].partner must be true or false, got 'no'``).
    """
    global _cart_adapter
    if _cart_adapter is None:  # built on first use: importing the boundary stays cheap
        _cart_adapter = pydantic.TypeAdapter(OptimizerCartIn)
    try:
        if isinstance(data, str | bytes):
            return _cart_adapter.validate_json(data)
        return _cart_adapter.validate_python(data, strict=True)
    except pydantic.ValidationError as error:
        raise _cart_error(error.errors(), data) from None


def _cart_error(errors: list[Any], data: Any) -> ValidationError:
    """The first pydantic error, said the way the optimizer's documentation says it."""
    first = errors[0]
    kind, loc, value = first["type"], first["loc"], first.get("input")
    if kind == "json_invalid":
        return _json_error(first["msg"], data)
    where, field = "cart", ""
    for part in loc:
        if isinstance(part, int):
            where += f"[{part}]"
            continue
        field = part
        where = part if where == "cart" else f"{where}.{part}"
        if part in _CART_AMOUNTS:
            break  # what follows names a branch of the str | int union
    if field in _CART_AMOUNTS:
        from quote2order.money import as_decimal

        as_decimal(value, where)  # raises the money rule's own message (floats, booleans)
        return ValidationError(f"{where} must be a decimal string or an integer, got {value!r}")
    if kind == "missing":
        if len(loc) == 1 and loc[0] in ("lines", "offers"):
            return ValidationError(f"{where} must be a JSON list, but it is missing")
        if len(loc) == 1:
            return ValidationError(f"cart.{where} is missing")
        return ValidationError(f"{where} is missing")
    if kind in ("dict_type", "model_type", "typed_dict_type"):
        return ValidationError(f"{where} must be a JSON object")
    if kind == "list_type":
        return ValidationError(f"{where} must be a JSON list, not {_json_kind(value)}")
    if kind == "bool_type":
        return ValidationError(f"{where} must be true or false, got {value!r}")
    if kind in ("string_type", "string_too_short"):
        return ValidationError(f"{where} must be a non-empty string, got {value!r}")
    if kind in ("int_type", "int_from_float"):
        return ValidationError(f"{where} must be an integer, got {value!r}")
    if kind == "greater_than_equal":
        return ValidationError(f"{where} must be at least {first['ctx']['ge']}, got {value}")
    if kind == "less_than_equal":
        limit = first["ctx"]["le"]
        return ValidationError(f"{where} {value} is above the optimizer's limit of {limit:,}")
    return ValidationError(f"{where}: {first['msg']}")


def _json_error(message: str, data: Any) -> ValidationError:
    """Name what is wrong with text that is not JSON (the standard parser's words)."""
    import json

    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return ValidationError(f"the cart file is not UTF-8 (byte {exc.start}: {exc.reason})")
    if "recursion limit" in message:
        return ValidationError("not a cart: the JSON is nested too deeply")
    try:
        json.loads(data)
    except json.JSONDecodeError as exc:
        return ValidationError(f"not valid JSON: {exc}")
    except RecursionError:
        return ValidationError("not a cart: the JSON is nested too deeply")
    return ValidationError(f"not valid JSON: {message}")


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    names = {dict: "an object", str: "a string", bool: "a boolean"}
    return names.get(type(value), "a number")
