"""The reseller as it appears on documents and as the sender of e-mails: its master data.

A :class:`Seller` holds what German law asks of every business letter and e-mail of a
company (section 35a GmbHG, section 37a HGB, section 80 AktG: legal form, registered
office, register court and number, managing directors), the tax ids, bank accounts,
default payment and delivery terms, the free texts per document kind and an optional
logo. :class:`quote2order.schemas.SellerIn` validates the same data at the boundary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

import attrs

from quote2order.errors import NotFound, ValidationError
from quote2order.money import Money, as_decimal

__all__ = [
    "BankAccount",
    "DocumentTexts",
    "EarlyPaymentDiscount",
    "Logo",
    "PaymentTerms",
    "Seller",
    "SellerDirectory",
    "StaticSellerDirectory",
    "iban_is_valid",
]

# IBAN lengths of the SEPA countries a European reseller meets most (ECBS register);
# other countries are checked for 15-34 characters and the checksum only.
_IBAN_LENGTHS = {
    "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24,
    "TR": 26,
}  # fmt: skip
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
#: Legal forms whose letters must name register court, number and managing directors.
REGISTERED_FORMS = frozenset({"GmbH", "gGmbH", "UG (haftungsbeschränkt)", "AG", "KG", "OHG"})
_DIRECTED_FORMS = frozenset({"GmbH", "gGmbH", "UG (haftungsbeschränkt)", "AG"})


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


def iban_is_valid(iban: str) -> bool:
    """True if ``iban`` (spaces allowed) has a valid form, length and ISO 7064 checksum."""
    value = _compact(iban)
    if not _IBAN.match(value) or _IBAN_LENGTHS.get(value[:2], len(value)) != len(value):
        return False
    if not 2 <= int(value[2:4]) <= 98:  # ISO 13616: 00, 01 and 99 are never check digits
        return False
    digits = "".join(str(int(c, 36)) for c in value[4:] + value[:4])
    return int(digits) % 97 == 1


@attrs.frozen
class BankAccount:
    """A bank account payments go to; the IBAN is checked, stored without spaces."""

    iban: str = attrs.field(converter=_compact)
    bic: str = attrs.field(default="", converter=_compact)
    bank_name: str = ""

    def __attrs_post_init__(self) -> None:
        if not iban_is_valid(self.iban):
            raise ValidationError(f"not a valid IBAN: {self.iban!r} (form, length or checksum)")
        if self.bic and not _BIC.match(self.bic):
            raise ValidationError(f"not a valid BIC: {self.bic!r}")

    @property
    def iban_grouped(self) -> str:
        """The IBAN in groups of four, as printed on paper (DIN 5008)."""
        return " ".join(self.iban[i : i + 4] for i in range(0, len(self.iban), 4))


def _percent(value: Any) -> Decimal:
    return as_decimal(value, "discount percent")


def _days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 365:
        raise ValidationError(f"payment days must be a whole number 0-365, not {value!r}")
    return value


@attrs.frozen
class EarlyPaymentDiscount:
    """An early-payment discount (Skonto) as granted on one document: until when, how much."""

    percent: Decimal
    until: date
    amount: Money  # the discount, rounded half-up to the minor unit
    pay: Money  # what is left to pay by ``until``


@attrs.frozen
class PaymentTerms:
    """When payment is due: ``days`` after the document date, with an optional Skonto.

    ``discount_percent`` off the gross amount when paid within ``discount_days``
    (e.g. 2 % within 10 days, 30 days net). Dates and amounts are computed exactly:
    the amount with the library's one rounding rule (half-up to the minor unit).
    """

    days: int = attrs.field(default=14, converter=_days)
    discount_percent: Decimal = attrs.field(default=Decimal(0), converter=_percent)
    discount_days: int = attrs.field(default=0, converter=_days)

    def __attrs_post_init__(self) -> None:
        if not Decimal(0) <= self.discount_percent < Decimal(100):
            raise ValidationError("an early-payment discount must be 0 to under 100 %")
        if self.discount_percent and not 0 < self.discount_days <= self.days:
            raise ValidationError(
                "an early-payment discount needs 1 to the payment days' number of days"
            )

    def due_date(self, issued: date) -> date:
        """The date payment is due for a document of ``issued``."""
        return issued + timedelta(days=self.days)

    def discount(self, gross: Money, issued: date) -> EarlyPaymentDiscount | None:
        """The Skonto on ``gross`` for a document of ``issued``, or None if there is none."""
        if not self.discount_percent:
            return None
        amount = (gross * (self.discount_percent / Decimal(100))).rounded()
        return EarlyPaymentDiscount(
            self.discount_percent,
            issued + timedelta(days=self.discount_days),
            amount,
            gross - amount,
        )


@attrs.frozen
class DocumentTexts:
    """Free text before the positions (``intro``) and after the totals (``closing``)."""

    intro: str = ""
    closing: str = ""


_PNG = b"\x89PNG\r\n\x1a\n"


@attrs.frozen
class Logo:
    """The seller's logo, PNG or SVG, shown in the letterhead of every document."""

    media_type: str  # "image/png" or "image/svg+xml"
    content: bytes = attrs.field(repr=lambda c: f"<{len(c)} bytes>")

    def __attrs_post_init__(self) -> None:
        if self.media_type == "image/png":
            ok = self.content.startswith(_PNG)
        elif self.media_type == "image/svg+xml":
            ok = b"<svg" in self.content[:2048]
        else:
            raise ValidationError(f"a logo is PNG or SVG, not {self.media_type!r}")
        if not ok:
            raise ValidationError(f"the logo's content is not {self.media_type}")
        if len(self.content) > 512 * 1024:
            raise ValidationError("a logo may have at most 512 KiB")


def _texts(value: Mapping[str, DocumentTexts]) -> Mapping[str, DocumentTexts]:
    kinds = {"quote", "order_confirmation", "delivery_note", "proforma_invoice"}
    for kind, texts in value.items():
        if kind not in kinds or not isinstance(texts, DocumentTexts):
            raise ValidationError(f"document texts are given per kind {sorted(kinds)}: {kind!r}")
    return dict(value)


@attrs.frozen
class Seller:
    """A reseller's master data: letterhead, legal particulars, bank, terms and texts.

    ``name`` is the full legal name ("Systemhaus Nord GmbH"). A company of a registered
    ``legal_form`` (GmbH, UG, AG, KG, OHG) needs its registered office, register court
    and number; GmbH, UG and AG also their managing directors (or board).
    """

    reseller_id: str
    name: str
    email: str
    address: tuple[str, ...] = ()
    vat_id: str = ""
    phone: str = ""
    website: str = ""
    legal_form: str = ""
    registered_office: str = ""
    register_court: str = ""  # "Amtsgericht Hamburg"
    register_number: str = ""  # "HRB 123456"
    managing_directors: tuple[str, ...] = ()
    tax_number: str = ""  # Steuernummer
    bank_accounts: tuple[BankAccount, ...] = ()
    payment_terms: PaymentTerms = PaymentTerms()
    delivery_terms: str = ""  # e.g. "Lieferung frei Haus, DAP Incoterms 2020"
    texts: Mapping[str, DocumentTexts] = attrs.field(factory=dict, converter=_texts, hash=False)
    logo: Logo | None = None

    def __attrs_post_init__(self) -> None:
        if not self.name.strip() or "@" not in self.email:
            raise ValidationError(
                f"seller {self.reseller_id}: a name and an e-mail address are needed"
            )
        missing = []
        if self.legal_form in REGISTERED_FORMS:
            for field in ("registered_office", "register_court", "register_number"):
                if not getattr(self, field).strip():
                    missing.append(field)
        if self.legal_form in _DIRECTED_FORMS and not self.managing_directors:
            missing.append("managing_directors")
        if missing:
            raise ValidationError(
                f"seller {self.reseller_id}: a {self.legal_form} must state {', '.join(missing)}"
            )

    def texts_for(self, kind: str) -> DocumentTexts:
        """The intro and closing texts of document kind ``kind`` (empty if none)."""
        return self.texts.get(kind, DocumentTexts())


class SellerDirectory(Protocol):
    """The host's source of resellers' letterheads."""

    def seller(self, reseller_id: str) -> Seller:
        """The letterhead of ``reseller_id``, or raise NotFound."""
        ...


class StaticSellerDirectory:
    """Sellers from a dict (tests, demos, single-reseller shops)."""

    def __init__(self, *sellers: Seller) -> None:
        self._sellers = {s.reseller_id: s for s in sellers}

    def seller(self, reseller_id: str) -> Seller:
        try:
            return self._sellers[reseller_id]
        except KeyError:
            raise NotFound("seller", reseller_id) from None
