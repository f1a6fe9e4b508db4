"""Ports: the Protocols a host application (or a reference adapter) implements.

A command runs in one :class:`UnitOfWork`: it loads aggregates through the repositories,
changes them, appends their events, and commits everything at once or nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self

import attrs

from quote2order.events import DomainEvent
from quote2order.orders import Order
from quote2order.purchasing.cart import Cart
from quote2order.purchasing.purchase_orders import PurchaseOrder
from quote2order.quotes import Quote

__all__ = [
    "CartRepository",
    "Clock",
    "DocumentRecord",
    "DocumentRepository",
    "EventLog",
    "IdGenerator",
    "IdempotencyRecord",
    "IdempotencyStore",
    "NumberSequence",
    "OrderRepository",
    "Outbox",
    "OutboxEntry",
    "OutboxStatus",
    "OutboxStore",
    "PurchaseOrderRepository",
    "QuoteRepository",
    "UnitOfWork",
    "without_link",
]


class Clock(Protocol):
    """Tells the time; timezone-aware UTC datetimes."""

    def now(self) -> datetime:
        """The current time."""
        ...


class IdGenerator(Protocol):
    """Makes new unique ids for aggregates."""

    def new_id(self, kind: str) -> str:
        """A new id for an aggregate of ``kind`` ("quote", "order", ...)."""
        ...


class QuoteRepository(Protocol):
    """Stores quotes. ``add`` a new one; ``save`` a loaded one (optimistic lock on revision)."""

    def get(self, quote_id: str, *, reseller_id: str | None = None) -> Quote:
        """The quote, or raise QuoteNotFound (also: another reseller's, if ``reseller_id``).

        A store split by reseller reads only that reseller's part when it is given.
        """
        ...

    def get_by_token_hash(self, token_hash: str) -> Quote:
        """The quote whose link-token hash is ``token_hash``, or raise QuoteNotFound."""
        ...

    def add(self, quote: Quote) -> None:
        """Store a new quote."""
        ...

    def save(self, quote: Quote) -> None:
        """Store a changed quote; raise ConcurrencyError if its revision is stale."""
        ...

    def list(self, *, reseller_id: str | None = None) -> Sequence[Quote]:
        """All quotes (of one reseller), oldest first."""
        ...


class OrderRepository(Protocol):
    """Stores orders; at most one per (quote, version)."""

    def get(self, order_id: str, *, reseller_id: str | None = None) -> Order:
        """The order, or raise OrderNotFound (also: another reseller's, if ``reseller_id``)."""
        ...

    def get_many(self, reseller_id: str, order_ids: Sequence[str]) -> Mapping[str, Order]:
        """The reseller's orders with these ids, by id (one query); OrderNotFound if one
        is missing."""
        ...

    def add(self, order: Order) -> None:
        """Store a new order; a second order for the same quote version is a Conflict."""
        ...

    def save(self, order: Order) -> None:
        """Store a changed order; raise ConcurrencyError if its revision is stale."""
        ...

    def list(
        self, *, reseller_id: str | None = None, quote_id: str | None = None
    ) -> Sequence[Order]:
        """All orders (of one reseller, made from one quote), oldest first."""
        ...


class CartRepository(Protocol):
    """Stores purchasing carts, one per reseller (optimistic lock on revision)."""

    def get(self, reseller_id: str) -> Cart:
        """The reseller's cart; an empty one (revision 0) if it has none yet."""
        ...

    def save(self, cart: Cart) -> None:
        """Store the cart; raise ConcurrencyError if its revision is stale.

        A cart of revision 0 is new: storing it when one exists already is a conflict.
        """
        ...


class PurchaseOrderRepository(Protocol):
    """Stores purchase orders."""

    def get(self, purchase_order_id: str, *, reseller_id: str | None = None) -> PurchaseOrder:
        """The purchase order, or raise PurchaseOrderNotFound (also: another reseller's, if
        ``reseller_id``)."""
        ...

    def add(self, purchase_order: PurchaseOrder) -> None:
        """Store a new purchase order."""
        ...

    def save(self, purchase_order: PurchaseOrder) -> None:
        """Store a changed purchase order; raise ConcurrencyError if its revision is stale."""
        ...

    def list(self, *, reseller_id: str | None = None) -> Sequence[PurchaseOrder]:
        """All purchase orders (of one reseller), oldest first."""
        ...


class EventLog(Protocol):
    """Appends domain events and reads an aggregate's history."""

    def append(self, events: Sequence[DomainEvent]) -> None:
        """Record ``events`` as part of the unit of work."""
        ...

    def for_aggregate(
        self, kind: str, aggregate_id: str, *, reseller_id: str | None = None
    ) -> Sequence[DomainEvent]:
        """The events of one aggregate (of ``reseller_id``), in the order they happened."""
        ...


class NumberSequence(Protocol):
    """Gap-tolerant, never-repeating number series ("order", "proforma", ...)."""

    def next(self, name: str) -> int:
        """The next number of series ``name`` (1, 2, 3, ...)."""
        ...


@attrs.frozen
class IdempotencyRecord:
    """What a command with an idempotency key did the first time."""

    key: str
    command: str
    fingerprint: str  # a hash of the command's arguments
    result_id: str  # the id of the aggregate the command returned
    reseller_id: str = ""  # whose command it was: keys are unique per reseller


class IdempotencyStore(Protocol):
    """Remembers idempotency keys; ``add`` must be unique per (reseller, key) across
    processes."""

    def get(self, key: str, *, reseller_id: str | None = None) -> IdempotencyRecord | None:
        """The record for ``key`` (of ``reseller_id``), if a command used it already."""
        ...

    def add(self, record: IdempotencyRecord) -> None:
        """Record a key; a duplicate key raises ConcurrencyError (another writer won)."""
        ...


class OutboxStatus(enum.Enum):
    """Where an outbox entry stands."""

    PENDING = "pending"  # waiting to be (re)sent; see next_attempt_at
    SENT = "sent"  # delivered
    FAILED = "failed"  # gave up after max attempts; a host may retry it


@attrs.frozen
class OutboxEntry:
    """A notification recorded with the state change that caused it.

    ``payload["link"]``, when present, is the customer's quote link with its raw token: a
    secret that the stores erase as soon as the entry is sent or given up on
    (:func:`without_link`), so it rests only while the e-mail waits to go out.
    """

    entry_id: str
    reseller_id: str
    notification: str  # e.g. "order_confirmation"
    channel: str  # "email" or "portal"
    aggregate_kind: str
    aggregate_id: str
    recipient: str
    locale: str
    payload: Mapping[str, Any]
    created_at: datetime
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    claimed_by: str | None = None
    claimed_until: datetime | None = None


def without_link(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` without the secret customer link (what a delivered entry keeps)."""
    return {key: value for key, value in payload.items() if key != "link"}


class Outbox(Protocol):
    """The outbox inside a unit of work: entries commit with the state change."""

    def add(self, entry: OutboxEntry) -> None:
        """Record ``entry`` as part of the unit of work."""
        ...


class OutboxStore(Protocol):
    """The outbox as a dispatcher sees it; each method is its own atomic step."""

    def claim(
        self, *, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[OutboxEntry]:
        """Atomically lease up to ``limit`` due pending entries to ``worker``."""
        ...

    def mark_sent(self, entry_id: str, *, worker: str, now: datetime) -> None:
        """Record delivery of a claimed entry."""
        ...

    def mark_retry(
        self, entry_id: str, *, worker: str, error: str, next_attempt_at: datetime
    ) -> None:
        """Count a failed attempt and schedule the next one."""
        ...

    def mark_failed(self, entry_id: str, *, worker: str, error: str) -> None:
        """Count a failed attempt and give up on the entry."""
        ...

    def list(self, status: OutboxStatus | None = None) -> list[OutboxEntry]:
        """Entries (with ``status``), oldest first."""
        ...

    def retry_failed(self, entry_id: str, *, now: datetime) -> None:
        """Put a failed entry back to pending with a fresh attempt budget."""
        ...


@attrs.frozen
class DocumentRecord:
    """A document attached to a quote or order, with the snapshot it was rendered from."""

    document_id: str
    kind: str  # "quote", "order_confirmation", "delivery_note", "proforma_invoice"
    aggregate_kind: str
    aggregate_id: str
    number: str
    locale: str
    snapshot: Mapping[str, Any]
    created_at: datetime


class DocumentRepository(Protocol):
    """Stores document records (the snapshot; rendering happens on demand)."""

    def add(self, document: DocumentRecord) -> None:
        """Store a new document."""
        ...

    def get(self, document_id: str, *, reseller_id: str | None = None) -> DocumentRecord:
        """The document, or raise NotFound (also: another reseller's, if ``reseller_id``)."""
        ...

    def for_aggregate(
        self, kind: str, aggregate_id: str, *, reseller_id: str | None = None
    ) -> Sequence[DocumentRecord]:
        """Documents of one quote or order (of ``reseller_id``), oldest first."""
        ...


class UnitOfWork(Protocol):
    """One atomic step: all changes commit together or not at all.

    Used as a context manager; leaving it without :meth:`commit` rolls back.
    """

    @property
    def quotes(self) -> QuoteRepository: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def events(self) -> EventLog: ...

    @property
    def sequences(self) -> NumberSequence: ...

    @property
    def idempotency(self) -> IdempotencyStore: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def documents(self) -> DocumentRepository: ...

    @property
    def carts(self) -> CartRepository: ...

    @property
    def purchase_orders(self) -> PurchaseOrderRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make every change of this unit of work durable."""
        ...

    def rollback(self) -> None:
        """Discard every change of this unit of work."""
        ...
