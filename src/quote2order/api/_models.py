"""The HTTP API's own request and response bodies (the quote and order forms come from
:mod:`quote2order.schemas`), each with a ``from_domain`` mapping from the core objects.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, Self, TypeVar

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from quote2order.board import BoardCard, Column, SalesBoard
from quote2order.events import DomainEvent, event_to_dict
from quote2order.lifecycle import OrderStatus, PurchaseOrderStatus, QuoteStatus
from quote2order.money import Money
from quote2order.portal import PortalChange, PortalDocument, PortalVersion, PortalView
from quote2order.ports import DocumentRecord
from quote2order.purchasing import (
    AddedToCart,
    Allocation,
    Cart,
    CheckoutResult,
    PurchaseOrder,
)
from quote2order.queries import OrderSummary, PurchaseOrderSummary, QuoteSummary
from quote2order.quotes import PositionChange, Quote
from quote2order.schemas import (
    OrderOut,
    PositionOut,
    QuoteOut,
    ShipmentIn,
    VersionOut,
)
from quote2order.schemas import Quantity as _Quantity
from quote2order.schemas import ShortLine as _ShortLine
from quote2order.schemas import Text as _Text

__all__ = [
    "AddToCartIn",
    "AddedToCartOut",
    "AllocationOut",
    "BoardCardOut",
    "BoardColumnOut",
    "BoardOut",
    "CartLineIn",
    "CartLineOut",
    "CartOut",
    "ChangeOut",
    "CheckoutIn",
    "CheckoutOut",
    "CloseUndeliveredIn",
    "CompleteIn",
    "CreatedQuoteOut",
    "DocumentOut",
    "EventOut",
    "IsoDateTime",
    "LinkOut",
    "MoneyOut",
    "MoveIn",
    "OrderSummaryOut",
    "Page",
    "PortalAnswerIn",
    "PortalChangeOut",
    "PortalDocumentOut",
    "PortalPositionOut",
    "PortalVersionOut",
    "PortalViewOut",
    "ProblemOut",
    "PurchaseOrderLineOut",
    "PurchaseOrderOut",
    "PurchaseOrderSummaryOut",
    "QuoteSummaryOut",
    "ReceiveIn",
    "RejectIn",
    "RotateLinkIn",
    "ShipIn",
    "UncoveredLineOut",
    "VersionWithChangesOut",
]

T = TypeVar("T")


def _iso_8601(value: Any) -> Any:
    # pydantic also reads numbers as Unix times; the document promises ISO 8601 text only.
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", value):
        raise ValueError("give a date and time in ISO 8601 with its UTC offset")
    return value


#: A timezone-aware date and time, written as ISO 8601 text (``2026-03-01T09:00:00+01:00``).
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_8601)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- requests ------------------------------------------------------------------------------


class RejectIn(_In):
    """Why the order is rejected (shown in its history)."""

    reason: _Text = ""


class CompleteIn(_In):
    """The shipments that complete an order (none: completed without tracking)."""

    shipments: Annotated[list[ShipmentIn], Field(max_length=100)] = []


class ShipIn(_In):
    """One parcel of a partial delivery; its items name the goods in it."""

    shipment: ShipmentIn


class CloseUndeliveredIn(_In):
    """Why the goods still outstanding are not delivered (named on the invoice)."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class RotateLinkIn(_In):
    """When the new customer link expires (null: never)."""

    expires_at: IsoDateTime | None = None


class AddToCartIn(_In):
    """Which positions go into the cart: null for all open quantities, a list of position
    ids for their open quantities, or position id -> quantity."""

    positions: (
        Annotated[list[_ShortLine], Field(max_length=500)]
        | Annotated[dict[_ShortLine, _Quantity], Field(max_length=500)]
        | None
    ) = None


class CartLineIn(_In):
    """A cart line's new quantity."""

    quantity: _Quantity


class CheckoutIn(_In):
    """Which cart lines to check out (null: all of them)."""

    line_ids: Annotated[list[_ShortLine], Field(max_length=500)] | None = None


class ReceiveIn(_In):
    """Goods received per purchase-order line id (null: everything outstanding)."""

    quantities: Annotated[dict[_ShortLine, _Quantity], Field(max_length=500)] | None = None


class MoveIn(_In):
    """Drag a board card to a column (``shipments`` when the move completes an order)."""

    to_column: Column
    shipments: Annotated[list[ShipmentIn], Field(max_length=100)] = []


class PortalAnswerIn(_In):
    """The version the customer answers (it must be the latest one shown)."""

    version: Annotated[int, Field(ge=1, le=1_000_000)]


# -- responses -----------------------------------------------------------------------------


class ProblemOut(BaseModel):
    """An RFC 9457 problem detail (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, str]] | None = None


class Page(_Out, Generic[T]):
    """One page of a list; ``next_cursor`` fetches the next one (null: this was the last)."""

    items: list[T]
    next_cursor: str | None


class MoneyOut(_Out):
    """An amount with its currency; the amount is a decimal string."""

    amount: Decimal
    currency: str

    @classmethod
    def from_domain(cls, money: Money) -> Self:
        return cls(amount=money.amount, currency=money.currency)


class QuoteSummaryOut(_Out):
    """A quote as a list shows it: its latest version's title and totals."""

    quote_id: str
    number: str
    customer_id: str
    customer: str
    title: str
    version: int
    status: QuoteStatus
    net: MoneyOut
    gross: MoneyOut
    valid_until: date
    order_id: str | None
    created_at: datetime
    activity_at: datetime

    @classmethod
    def from_domain(cls, summary: QuoteSummary) -> Self:
        return cls(
            quote_id=summary.quote_id,
            number=summary.number,
            customer_id=summary.customer_id,
            customer=summary.customer,
            title=summary.title,
            version=summary.version,
            status=summary.status,
            net=MoneyOut.from_domain(summary.net),
            gross=MoneyOut.from_domain(summary.gross),
            valid_until=summary.valid_until,
            order_id=summary.order_id,
            created_at=summary.created_at,
            activity_at=summary.activity_at,
        )


class OrderSummaryOut(_Out):
    """An order as a list shows it, with its quote's number and title."""

    order_id: str
    order_number: str
    quote_id: str
    quote_number: str
    quote_version: int
    customer_id: str
    customer: str
    title: str
    status: OrderStatus
    net: MoneyOut
    gross: MoneyOut
    created_at: datetime
    activity_at: datetime

    @classmethod
    def from_domain(cls, summary: OrderSummary) -> Self:
        return cls(
            order_id=summary.order_id,
            order_number=summary.order_number,
            quote_id=summary.quote_id,
            quote_number=summary.quote_number,
            quote_version=summary.quote_version,
            customer_id=summary.customer_id,
            customer=summary.customer,
            title=summary.title,
            status=summary.status,
            net=MoneyOut.from_domain(summary.net),
            gross=MoneyOut.from_domain(summary.gross),
            created_at=summary.created_at,
            activity_at=summary.activity_at,
        )


class CreatedQuoteOut(_Out):
    """A new quote with its customer-link token (shown this once, never stored)."""

    quote: QuoteOut
    link_token: str


class LinkOut(_Out):
    """A new customer-link token (shown this once, never stored)."""

    quote_id: str
    link_token: str


class ChangeOut(_Out):
    """A position added, removed or changed against the version before."""

    change: Literal["added", "removed", "changed"]
    position_id: str
    name: str
    fields: list[str]
    before: PositionOut | None
    after: PositionOut | None

    @classmethod
    def from_domain(cls, change: PositionChange) -> Self:
        return cls(
            change=change.change,
            position_id=change.position_id,
            name=change.name,
            fields=list(change.fields),
            before=None if change.before is None else PositionOut.from_domain(change.before),
            after=None if change.after is None else PositionOut.from_domain(change.after),
        )


class VersionWithChangesOut(_Out):
    """A quote version and what changed in it against the version before."""

    version: VersionOut
    changes: list[ChangeOut]

    @classmethod
    def all_of(cls, quote: Quote) -> list[Self]:
        out = QuoteOut.from_domain(quote)
        return [
            cls(
                version=version,
                changes=[ChangeOut.from_domain(c) for c in quote.changes(version.number)],
            )
            for version in out.versions
        ]


class EventOut(_Out):
    """One entry of a history: what happened, when, by whom, and its fields."""

    name: str
    aggregate_kind: str
    aggregate_id: str
    occurred_at: datetime
    actor: str
    data: dict[str, Any]

    @classmethod
    def from_domain(cls, event: DomainEvent) -> Self:
        data = event_to_dict(event)
        for key in ("event", "aggregate_id", "occurred_at", "actor"):
            data.pop(key, None)
        return cls(
            name=event.name,
            aggregate_kind=event.aggregate_kind,
            aggregate_id=event.aggregate_id,
            occurred_at=event.occurred_at,
            actor=event.actor,
            data=data,
        )


class DocumentOut(_Out):
    """A stored document; download it as ``/documents/{document_id}?format=html|pdf``."""

    document_id: str
    kind: str
    number: str
    aggregate_kind: str
    aggregate_id: str
    locale: str
    created_at: datetime

    @classmethod
    def from_domain(cls, record: DocumentRecord) -> Self:
        return cls(
            document_id=record.document_id,
            kind=record.kind,
            number=record.number,
            aggregate_kind=record.aggregate_kind,
            aggregate_id=record.aggregate_id,
            locale=record.locale,
            created_at=record.created_at,
        )


class AllocationOut(_Out):
    """A quantity of a cart or purchase-order line that serves one order position."""

    order_id: str
    position_id: str
    quantity: Decimal

    @classmethod
    def from_domain(cls, allocation: Allocation) -> Self:
        return cls(
            order_id=allocation.order_id,
            position_id=allocation.position_id,
            quantity=allocation.quantity,
        )


class CartLineOut(_Out):
    """One product in the cart, with the order positions it serves."""

    line_id: str
    product_id: str
    manufacturer_part_number: str
    name: str
    quantity: Decimal
    allocations: list[AllocationOut]


class CartOut(_Out):
    """The reseller's purchasing cart."""

    lines: list[CartLineOut]
    revision: int

    @classmethod
    def from_domain(cls, cart: Cart) -> Self:
        return cls(
            lines=[
                CartLineOut(
                    line_id=line.line_id,
                    product_id=line.product.product_id,
                    manufacturer_part_number=line.product.manufacturer_part_number,
                    name=line.product.name,
                    quantity=line.quantity,
                    allocations=[AllocationOut.from_domain(a) for a in line.allocations],
                )
                for line in cart.lines
            ],
            revision=cart.revision,
        )


class AddedToCartOut(_Out):
    """What went into the cart, and which positions were skipped (and why)."""

    cart: CartOut
    order: OrderOut
    added: list[AllocationOut]
    skipped: dict[str, str]  # position id -> reason

    @classmethod
    def from_domain(cls, result: AddedToCart) -> Self:
        return cls(
            cart=CartOut.from_domain(result.cart),
            order=OrderOut.from_domain(result.order),
            added=[AllocationOut.from_domain(a) for a in result.added],
            skipped={s.position_id: s.reason.value for s in result.skipped},
        )


class PurchaseOrderLineOut(_Out):
    """One product on a purchase order."""

    line_id: str
    cart_line_id: str
    product_id: str
    manufacturer_part_number: str
    name: str
    quantity: Decimal
    unit_price: MoneyOut
    delivery_days: int
    received: Decimal
    allocations: list[AllocationOut]


class PurchaseOrderOut(_Out):
    """A purchase order to one supplier."""

    purchase_order_id: str
    number: str
    supplier_id: str
    partner: bool
    currency: str
    status: str
    lines: list[PurchaseOrderLineOut]
    goods: MoneyOut
    shipping: MoneyOut
    total: MoneyOut
    created_at: datetime
    sent_at: datetime | None
    received_at: datetime | None
    cancelled_at: datetime | None
    checkout_id: str
    revision: int

    @classmethod
    def from_domain(cls, po: PurchaseOrder) -> Self:
        return cls(
            purchase_order_id=po.purchase_order_id,
            number=po.number,
            supplier_id=po.supplier_id,
            partner=po.partner,
            currency=po.currency,
            status=po.status.value,
            lines=[
                PurchaseOrderLineOut(
                    line_id=line.line_id,
                    cart_line_id=line.cart_line_id,
                    product_id=line.product.product_id,
                    manufacturer_part_number=line.product.manufacturer_part_number,
                    name=line.product.name,
                    quantity=line.quantity,
                    unit_price=MoneyOut.from_domain(line.unit_price),
                    delivery_days=line.delivery_days,
                    received=line.received,
                    allocations=[AllocationOut.from_domain(a) for a in line.allocations],
                )
                for line in po.lines
            ],
            goods=MoneyOut.from_domain(po.goods),
            shipping=MoneyOut.from_domain(po.shipping),
            total=MoneyOut.from_domain(po.total),
            created_at=po.created_at,
            sent_at=po.sent_at,
            received_at=po.received_at,
            cancelled_at=po.cancelled_at,
            checkout_id=po.checkout_id,
            revision=po.revision,
        )


class PurchaseOrderSummaryOut(_Out):
    """A purchase order as a list shows it (``GET /purchase-orders/{id}`` has its lines)."""

    purchase_order_id: str
    number: str
    supplier_id: str
    partner: bool
    status: PurchaseOrderStatus
    total: MoneyOut
    lines: int
    created_at: datetime
    sent_at: datetime | None
    received_at: datetime | None
    cancelled_at: datetime | None

    @classmethod
    def from_domain(cls, summary: PurchaseOrderSummary) -> Self:
        return cls(
            purchase_order_id=summary.purchase_order_id,
            number=summary.number,
            supplier_id=summary.supplier_id,
            partner=summary.partner,
            status=summary.status,
            total=MoneyOut.from_domain(summary.total),
            lines=summary.lines,
            created_at=summary.created_at,
            sent_at=summary.sent_at,
            received_at=summary.received_at,
            cancelled_at=summary.cancelled_at,
        )


class UncoveredLineOut(_Out):
    """A cart line the checkout could not cover (it stays in the cart)."""

    line_id: str
    product_id: str
    quantity: Decimal
    reason: str


class CheckoutOut(_Out):
    """The purchase orders a checkout created and what it left in the cart."""

    checkout_id: str
    purchase_orders: list[PurchaseOrderOut]
    uncovered: list[UncoveredLineOut]
    cart: CartOut

    @classmethod
    def from_domain(cls, result: CheckoutResult) -> Self:
        return cls(
            checkout_id=result.checkout_id,
            purchase_orders=[PurchaseOrderOut.from_domain(p) for p in result.purchase_orders],
            uncovered=[
                UncoveredLineOut(
                    line_id=u.line_id, product_id=u.product_id, quantity=u.quantity, reason=u.reason
                )
                for u in result.uncovered
            ],
            cart=CartOut.from_domain(result.cart),
        )


class BoardCardOut(_Out):
    """A quote (or, while it is won, its order) on the sales board."""

    card_id: str
    column: Column
    state: str
    quote_id: str
    quote_number: str
    order_id: str | None
    order_number: str | None
    customer_id: str
    customer: str
    title: str
    version: int
    total: MoneyOut
    created_at: datetime
    age_seconds: int
    actions: list[str]

    @classmethod
    def from_domain(cls, card: BoardCard) -> Self:
        return cls(
            card_id=card.card_id,
            column=card.column,
            state=card.state,
            quote_id=card.quote_id,
            quote_number=card.quote_number,
            order_id=card.order_id,
            order_number=card.order_number,
            customer_id=card.customer_id,
            customer=card.customer,
            title=card.title,
            version=card.version,
            total=MoneyOut.from_domain(card.total),
            created_at=card.created_at,
            age_seconds=int(card.age.total_seconds()),
            actions=list(card.actions),
        )


class BoardColumnOut(_Out):
    """A board column: its cards (newest first), count and net sums per currency."""

    column: Column
    count: int
    totals: list[MoneyOut]
    cards: list[BoardCardOut]


class BoardOut(_Out):
    """Every column of the sales board, left to right."""

    columns: list[BoardColumnOut]

    @classmethod
    def from_domain(cls, board: SalesBoard) -> Self:
        return cls(
            columns=[
                BoardColumnOut(
                    column=c.column,
                    count=c.count,
                    totals=[MoneyOut.from_domain(m) for m in c.totals],
                    cards=[BoardCardOut.from_domain(card) for card in c.cards],
                )
                for c in board.columns
            ]
        )


class PortalChangeOut(_Out):
    """A position added, removed or changed, as the customer sees it."""

    change: Literal["added", "removed", "changed"]
    position_id: str
    name: str
    fields: list[str]
    quantity_before: Decimal | None
    quantity_after: Decimal | None
    unit_price_before: MoneyOut | None
    unit_price_after: MoneyOut | None

    @classmethod
    def from_domain(cls, change: PortalChange) -> Self:
        def money(value: Money | None) -> MoneyOut | None:
            return None if value is None else MoneyOut.from_domain(value)

        return cls(
            change=change.change,
            position_id=change.position_id,
            name=change.name,
            fields=list(change.fields),
            quantity_before=change.quantity_before,
            quantity_after=change.quantity_after,
            unit_price_before=money(change.unit_price_before),
            unit_price_after=money(change.unit_price_after),
        )


class PortalPositionOut(_Out):
    """One line of a version as the customer sees it."""

    position_id: str
    name: str
    description: str
    quantity: Decimal
    unit_price: MoneyOut
    vat_percent: Decimal
    discount: Decimal
    net_amount: MoneyOut


class PortalVersionOut(_Out):
    """A sent version with its totals and changes against the version before."""

    number: int
    title: str
    notes: str
    valid_until: date
    sent_at: datetime
    positions: list[PortalPositionOut]
    net_total: MoneyOut
    vat_total: MoneyOut
    gross_total: MoneyOut
    changes: list[PortalChangeOut]

    @classmethod
    def from_domain(cls, version: PortalVersion) -> Self:
        return cls(
            number=version.number,
            title=version.title,
            notes=version.notes,
            valid_until=version.valid_until,
            sent_at=version.sent_at,
            positions=[
                PortalPositionOut(
                    position_id=p.position_id,
                    name=p.name,
                    description=p.description,
                    quantity=p.quantity,
                    unit_price=MoneyOut.from_domain(p.unit_price),
                    vat_percent=p.vat_percent,
                    discount=p.discount,
                    net_amount=MoneyOut.from_domain(p.net_amount),
                )
                for p in version.positions
            ],
            net_total=MoneyOut.from_domain(version.net_total),
            vat_total=MoneyOut.from_domain(version.vat_total),
            gross_total=MoneyOut.from_domain(version.gross_total),
            changes=[PortalChangeOut.from_domain(c) for c in version.changes],
        )


class PortalDocumentOut(_Out):
    """A document the logged-in customer may download."""

    document_id: str
    kind: str
    number: str
    created_at: datetime

    @classmethod
    def from_domain(cls, document: PortalDocument) -> Self:
        return cls(
            document_id=document.document_id,
            kind=document.kind,
            number=document.number,
            created_at=document.created_at,
        )


class PortalViewOut(_Out):
    """What a customer link shows."""

    customer_name: str
    currency: str
    status: str
    version: int
    current: PortalVersionOut
    earlier: list[PortalVersionOut]
    can_accept: bool
    can_decline: bool
    order_number: str | None
    documents: list[PortalDocumentOut]

    @classmethod
    def from_domain(cls, view: PortalView) -> Self:
        return cls(
            customer_name=view.customer_name,
            currency=view.currency,
            status=view.status,
            version=view.version,
            current=PortalVersionOut.from_domain(view.current),
            earlier=[PortalVersionOut.from_domain(v) for v in view.earlier],
            can_accept=view.can_accept,
            can_decline=view.can_decline,
            order_number=view.order_number,
            documents=[PortalDocumentOut.from_domain(d) for d in view.documents],
        )
