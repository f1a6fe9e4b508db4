"""Domain events: the past-tense record of every successful action.

Events carry only plain values (str, int, datetime, tuples of str), so every store can
keep them as JSON; :func:`event_to_dict` and :func:`event_from_dict` do that mapping.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import attrs

__all__ = [
    "EVENT_TYPES",
    "CartCheckedOut",
    "CartLineChanged",
    "CartLineRemoved",
    "DomainEvent",
    "OrderCompleted",
    "OrderConfirmed",
    "OrderCreated",
    "OrderDeliveryClosed",
    "OrderInvoiced",
    "OrderProcurementEnded",
    "OrderProcurementStarted",
    "OrderRejected",
    "OrderShipped",
    "PositionsAddedToCart",
    "PositionsReleasedFromCart",
    "PurchaseOrderCancelled",
    "PurchaseOrderCreated",
    "PurchaseOrderReceived",
    "PurchaseOrderSent",
    "QuoteAccepted",
    "QuoteCreated",
    "QuoteDeclined",
    "QuoteEdited",
    "QuoteExpired",
    "QuoteLinkExpirySet",
    "QuoteLinkRevoked",
    "QuoteLinkRotated",
    "QuoteMarkedLost",
    "QuoteMarkedWon",
    "QuoteRejected",
    "QuoteSent",
    "QuoteVersionCreated",
    "event_from_dict",
    "event_to_dict",
    "register_event",
]


@attrs.frozen(kw_only=True)
class DomainEvent:
    """Something that happened to one aggregate: what, when and by whom (``actor``)."""

    aggregate_kind: ClassVar[str] = ""
    aggregate_id: str
    occurred_at: datetime
    actor: str

    @property
    def name(self) -> str:
        """The event's name, e.g. ``"OrderConfirmed"``."""
        return type(self).__name__

    def without_secrets(self) -> DomainEvent:
        """This event as it is stored: fields marked secret (a raw link token) emptied."""
        secret: dict[str, Any] = {
            f.name: "" for f in attrs.fields(type(self)) if f.metadata.get("secret")
        }
        return attrs.evolve(self, **secret) if secret else self


@attrs.frozen(kw_only=True)
class _QuoteEvent(DomainEvent):
    aggregate_kind: ClassVar[str] = "quote"
    version: int


@attrs.frozen(kw_only=True)
class QuoteCreated(_QuoteEvent):
    """A quote was created with version 1 as a draft."""

    customer_id: str


@attrs.frozen(kw_only=True)
class QuoteEdited(_QuoteEvent):
    """The draft version's content was changed."""


@attrs.frozen(kw_only=True)
class QuoteSent(_QuoteEvent):
    """A version was sent to the customer and frozen.

    ``link_token`` is set only while the command runs, when the host passed the raw link
    token to ``send_quote``; it is never stored (see :meth:`DomainEvent.without_secrets`).
    """

    content_hash: str
    link_token: str = attrs.field(default="", repr=False, metadata={"secret": True})


@attrs.frozen(kw_only=True)
class QuoteAccepted(_QuoteEvent):
    """The customer accepted the latest sent version through the link."""


@attrs.frozen(kw_only=True)
class QuoteMarkedWon(_QuoteEvent):
    """The reseller recorded the latest sent version as won."""


@attrs.frozen(kw_only=True)
class QuoteDeclined(_QuoteEvent):
    """The customer declined the latest sent version."""


@attrs.frozen(kw_only=True)
class QuoteMarkedLost(_QuoteEvent):
    """The reseller recorded the quote as lost."""


@attrs.frozen(kw_only=True)
class QuoteExpired(_QuoteEvent):
    """The sent version passed its validity date without acceptance."""


@attrs.frozen(kw_only=True)
class QuoteRejected(_QuoteEvent):
    """The quote became lost because the reseller rejected its order."""

    order_id: str


@attrs.frozen(kw_only=True)
class QuoteVersionCreated(_QuoteEvent):
    """A lost or expired quote was reopened as a new draft version."""


@attrs.frozen(kw_only=True)
class QuoteLinkRotated(_QuoteEvent):
    """The customer link got a new token; the old one no longer resolves."""

    expires_at: str  # ISO 8601, or "" when the new link does not expire


@attrs.frozen(kw_only=True)
class QuoteLinkRevoked(_QuoteEvent):
    """The customer link was revoked; it no longer resolves until rotated."""


@attrs.frozen(kw_only=True)
class QuoteLinkExpirySet(_QuoteEvent):
    """The customer link's expiry was set or cleared."""

    expires_at: str  # ISO 8601, or "" when the link does not expire


@attrs.frozen(kw_only=True)
class _OrderEvent(DomainEvent):
    aggregate_kind: ClassVar[str] = "order"


@attrs.frozen(kw_only=True)
class OrderCreated(_OrderEvent):
    """A won quote version became an order."""

    order_number: str
    quote_id: str
    quote_version: int


@attrs.frozen(kw_only=True)
class OrderConfirmed(_OrderEvent):
    """The reseller confirmed the order; it goes into fulfilment."""


@attrs.frozen(kw_only=True)
class OrderRejected(_OrderEvent):
    """The reseller rejected the order to renegotiate; its quote became lost."""

    quote_id: str
    reason: str


@attrs.frozen(kw_only=True)
class OrderCompleted(_OrderEvent):
    """The order was shipped; the tracking numbers were entered by hand.

    ``by_parcels``: the delivery was recorded parcel by parcel (each parcel has its own
    :class:`OrderShipped` and delivery note), not all at once.
    """

    tracking_numbers: tuple[str, ...]
    by_parcels: bool = False


@attrs.frozen(kw_only=True)
class OrderShipped(_OrderEvent):
    """One parcel of the order was shipped, with the goods listed in it."""

    carrier: str
    tracking_number: str
    position_ids: tuple[str, ...]
    quantities: tuple[str, ...]  # decimal strings, one per position id


@attrs.frozen(kw_only=True)
class OrderDeliveryClosed(_OrderEvent):
    """The rest of a partly shipped order was closed as not delivered; it is complete."""

    reason: str
    position_ids: tuple[str, ...]
    quantities: tuple[str, ...]
    tracking_numbers: tuple[str, ...]


@attrs.frozen(kw_only=True)
class OrderInvoiced(_OrderEvent):
    """The order was marked invoiced (final) and its pro-forma invoice numbered."""

    proforma_number: str


@attrs.frozen(kw_only=True)
class OrderProcurementStarted(_OrderEvent):
    """Positions of the order went into purchasing (the order is in procurement)."""


@attrs.frozen(kw_only=True)
class OrderProcurementEnded(_OrderEvent):
    """Nothing of the order is in the cart or ordered any more (back to confirmed)."""


@attrs.frozen(kw_only=True)
class _CartEvent(DomainEvent):
    aggregate_kind: ClassVar[str] = "cart"  # the aggregate id is the reseller id


@attrs.frozen(kw_only=True)
class PositionsAddedToCart(_CartEvent):
    """Quantities of an order's positions were added to the purchasing cart."""

    order_id: str
    position_ids: tuple[str, ...]
    quantities: tuple[str, ...]  # decimal strings, one per position id


@attrs.frozen(kw_only=True)
class PositionsReleasedFromCart(_CartEvent):
    """An order's quantities left the cart without being ordered (e.g. it was completed)."""

    order_id: str
    position_ids: tuple[str, ...]
    quantities: tuple[str, ...]


@attrs.frozen(kw_only=True)
class CartLineChanged(_CartEvent):
    """A cart line's quantity was changed."""

    line_id: str
    product_id: str
    quantity: str


@attrs.frozen(kw_only=True)
class CartLineRemoved(_CartEvent):
    """A cart line was removed; its quantities are not procured again."""

    line_id: str
    product_id: str


@attrs.frozen(kw_only=True)
class CartCheckedOut(_CartEvent):
    """Cart lines became purchase orders; uncovered lines stayed in the cart."""

    checkout_id: str
    purchase_order_ids: tuple[str, ...]
    line_ids: tuple[str, ...]  # the lines ordered
    uncovered_line_ids: tuple[str, ...]
    uncovered_product_ids: tuple[str, ...]  # one per uncovered line id, as the next two
    uncovered_quantities: tuple[str, ...]
    uncovered_reasons: tuple[str, ...]


@attrs.frozen(kw_only=True)
class _PurchaseOrderEvent(DomainEvent):
    aggregate_kind: ClassVar[str] = "purchase_order"


@attrs.frozen(kw_only=True)
class PurchaseOrderCreated(_PurchaseOrderEvent):
    """Checkout made a draft purchase order to one supplier."""

    number: str
    supplier_id: str
    order_ids: tuple[str, ...]  # the customer orders its lines serve


@attrs.frozen(kw_only=True)
class PurchaseOrderSent(_PurchaseOrderEvent):
    """The purchase order was sent to the supplier."""


@attrs.frozen(kw_only=True)
class PurchaseOrderReceived(_PurchaseOrderEvent):
    """Goods of the purchase order arrived (all or part)."""

    line_ids: tuple[str, ...]
    quantities: tuple[str, ...]
    status: str  # "partly_received" or "received"


@attrs.frozen(kw_only=True)
class PurchaseOrderCancelled(_PurchaseOrderEvent):
    """The purchase order was cancelled; its quantities are not procured again."""


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.__name__: cls
    for cls in (
        QuoteCreated,
        QuoteEdited,
        QuoteSent,
        QuoteAccepted,
        QuoteMarkedWon,
        QuoteDeclined,
        QuoteMarkedLost,
        QuoteExpired,
        QuoteRejected,
        QuoteVersionCreated,
        QuoteLinkRotated,
        QuoteLinkRevoked,
        QuoteLinkExpirySet,
        OrderCreated,
        OrderConfirmed,
        OrderRejected,
        OrderCompleted,
        OrderShipped,
        OrderDeliveryClosed,
        OrderInvoiced,
        OrderProcurementStarted,
        OrderProcurementEnded,
        PositionsAddedToCart,
        PositionsReleasedFromCart,
        CartLineChanged,
        CartLineRemoved,
        CartCheckedOut,
        PurchaseOrderCreated,
        PurchaseOrderSent,
        PurchaseOrderReceived,
        PurchaseOrderCancelled,
    )
}


def register_event(cls: type[DomainEvent]) -> type[DomainEvent]:
    """Make an event type known to :func:`event_from_dict` (used by other modules' events)."""
    EVENT_TYPES[cls.__name__] = cls
    return cls


def event_to_dict(event: DomainEvent) -> dict[str, Any]:
    """A JSON-ready dict of ``event``, with its name under ``"event"``."""
    data: dict[str, Any] = {"event": event.name}
    for field in attrs.fields(type(event)):
        if field.metadata.get("secret"):
            continue  # never stored
        value = getattr(event, field.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        data[field.name] = value
    return data


def event_from_dict(data: dict[str, Any]) -> DomainEvent:
    """Rebuild an event from :func:`event_to_dict`'s output."""
    values = dict(data)
    cls = EVENT_TYPES[values.pop("event")]
    values["occurred_at"] = datetime.fromisoformat(values["occurred_at"])
    for field in attrs.fields(cls):
        if isinstance(values.get(field.name), list):
            values[field.name] = tuple(values[field.name])
    return cls(**values)
