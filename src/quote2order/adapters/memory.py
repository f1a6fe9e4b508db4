"""The in-memory store: every port, kept in dicts, for tests, demos and prototypes.

Loaded aggregates are copies, writes are staged in the unit of work and applied at
commit under one lock, after the same optimistic-locking and uniqueness checks that the
SQL adapters make; so code that works here behaves the same on a real store.
"""

from __future__ import annotations

import threading
from collections.abc import Container, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar

import attrs

from quote2order._read_scan import ReadRows, ScanQueries
from quote2order.errors import (
    AlreadyAccepted,
    ConcurrencyError,
    NotFound,
    OrderNotFound,
    PurchaseOrderNotFound,
    QuoteNotFound,
)
from quote2order.events import DomainEvent
from quote2order.orders import Order
from quote2order.ports import (
    DocumentRecord,
    IdempotencyRecord,
    OutboxEntry,
    OutboxStatus,
    without_link,
)
from quote2order.purchasing.cart import Cart
from quote2order.purchasing.purchase_orders import PurchaseOrder
from quote2order.queries import (
    CardSummary,
    OrderSummary,
    PurchaseOrderSummary,
    QuoteSummary,
    card_summary,
    order_activity,
    order_summary,
    purchase_order_summary,
    quote_activity,
    quote_summary,
)
from quote2order.quotes import Quote

__all__ = ["MemoryOutboxStore", "MemoryStore", "MemoryUnitOfWork"]


class MemoryStore:
    """Committed state shared by every unit of work made from it (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.quotes: dict[str, Quote] = {}
        self.quote_by_token: dict[str, str] = {}
        self.orders: dict[str, Order] = {}
        self.order_by_quote_version: dict[tuple[str, int], str] = {}
        self.events: dict[tuple[str, str], list[DomainEvent]] = {}
        self.sequences: dict[str, int] = {}
        self.idempotency: dict[tuple[str, str], IdempotencyRecord] = {}  # (reseller, key)
        self.outbox: dict[str, OutboxEntry] = {}
        self.documents: dict[str, DocumentRecord] = {}
        self.carts: dict[str, Cart] = {}
        self.purchase_orders: dict[str, PurchaseOrder] = {}
        # read rows, kept with the aggregates at each commit (see quote2order.queries),
        # per reseller, so that a read touches only its reseller's rows
        self.quote_rows: dict[str, dict[str, QuoteSummary]] = {}
        self.order_rows: dict[str, dict[str, OrderSummary]] = {}
        self.cards: dict[str, dict[str, CardSummary]] = {}
        self.purchase_order_rows: dict[str, dict[str, PurchaseOrderSummary]] = {}
        #: the read side: board, lists, expiry, by-number lookups
        self.queries = ScanQueries(self._read_rows)

    def _read_rows(self, reseller_id: str | None) -> ReadRows:
        """A snapshot of the read rows of ``reseller_id`` (None: of every reseller)."""
        with self.lock:  # the rows themselves are immutable
            return ReadRows(
                _rows_of(self.cards, reseller_id),
                _rows_of(self.quote_rows, reseller_id),
                _rows_of(self.order_rows, reseller_id),
                _rows_of(self.purchase_order_rows, reseller_id),
            )

    def refresh_read_rows(
        self,
        quotes: Sequence[Quote],
        orders: Sequence[Order],
        event_times: dict[tuple[str, str], datetime],
        purchase_orders: Sequence[PurchaseOrder] = (),
    ) -> None:
        """Rewrite the read rows of committed ``quotes`` and ``orders`` (under the lock).

        A row's activity time never goes back: the latest of its previous value, the
        times on the aggregate and the times of the events committed with it.
        """
        for quote in quotes:
            rows = self.quote_rows.setdefault(quote.reseller_id, {})
            row = rows.get(quote.quote_id)
            activity = max(
                quote_activity(quote),
                event_times.get(("quote", quote.quote_id), quote.created_at),
                *(() if row is None else (row.activity_at,)),
            )
            rows[quote.quote_id] = quote_summary(quote, activity)
        for order in orders:
            order_rows = self.order_rows.setdefault(order.reseller_id, {})
            previous = order_rows.get(order.order_id)
            activity = max(
                order_activity(order),
                event_times.get(("order", order.order_id), order.created_at),
                *(() if previous is None else (previous.activity_at,)),
            )
            order_rows[order.order_id] = order_summary(
                order, self.quotes.get(order.quote_id), activity
            )
            rows = self.quote_rows.get(order.reseller_id, {})
            current = rows.get(order.quote_id)
            if current is not None and current.order_id == order.order_id:
                rows[order.quote_id] = attrs.evolve(
                    current, activity_at=max(current.activity_at, activity)
                )
        for quote_id in {q.quote_id for q in quotes} | {o.quote_id for o in orders}:
            stored = self.quotes.get(quote_id)
            if stored is None:  # an order stored without its quote (tests, imports)
                continue
            current_order = self.orders.get(stored.order_id) if stored.order_id else None
            activity_at = self.quote_rows[stored.reseller_id][quote_id].activity_at
            self.cards.setdefault(stored.reseller_id, {})[quote_id] = card_summary(
                stored, current_order, activity_at
            )
        for purchase_order in purchase_orders:
            self.purchase_order_rows.setdefault(purchase_order.reseller_id, {})[
                purchase_order.purchase_order_id
            ] = purchase_order_summary(purchase_order)

    def unit_of_work(self) -> MemoryUnitOfWork:
        """A new unit of work over this store."""
        return MemoryUnitOfWork(self)

    __call__ = unit_of_work

    @property
    def outbox_store(self) -> MemoryOutboxStore:
        """The outbox as a dispatcher sees it."""
        return MemoryOutboxStore(self)


class _Quotes:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def get(self, quote_id: str, *, reseller_id: str | None = None) -> Quote:
        staged = self._uow.staged_quotes.get(quote_id)
        with self._store.lock:
            quote = staged[0] if staged is not None else self._store.quotes.get(quote_id)
            if quote is None or reseller_id not in (None, quote.reseller_id):
                raise QuoteNotFound(quote_id)
            return quote if staged is not None else quote.copy()

    def get_by_token_hash(self, token_hash: str) -> Quote:
        for quote, _ in self._uow.staged_quotes.values():
            if quote.link_token_hash == token_hash:
                return quote
        with self._store.lock:
            quote_id = self._store.quote_by_token.get(token_hash)
            if quote_id is None:
                raise QuoteNotFound("(link token)")
            return self._store.quotes[quote_id].copy()

    def add(self, quote: Quote) -> None:
        self._uow.staged_quotes[quote.quote_id] = (quote, True)

    def save(self, quote: Quote) -> None:
        is_new = self._uow.staged_quotes.get(quote.quote_id, (quote, False))[1]
        self._uow.staged_quotes[quote.quote_id] = (quote, is_new)

    def list(self, *, reseller_id: str | None = None) -> Sequence[Quote]:
        with self._store.lock:
            return [
                q.copy()
                for q in self._store.quotes.values()
                if reseller_id is None or q.reseller_id == reseller_id
            ]


class _Orders:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def get(self, order_id: str, *, reseller_id: str | None = None) -> Order:
        staged = self._uow.staged_orders.get(order_id)
        with self._store.lock:
            order = staged[0] if staged is not None else self._store.orders.get(order_id)
            if order is None or reseller_id not in (None, order.reseller_id):
                raise OrderNotFound(order_id)
            return order if staged is not None else order.copy()

    def get_many(self, reseller_id: str, order_ids: Sequence[str]) -> dict[str, Order]:
        found = {}
        for order_id in order_ids:
            order = self.get(order_id)
            if order.reseller_id != reseller_id:
                raise OrderNotFound(order_id)
            found[order_id] = order
        return found

    def add(self, order: Order) -> None:
        self._uow.staged_orders[order.order_id] = (order, True)

    def save(self, order: Order) -> None:
        is_new = self._uow.staged_orders.get(order.order_id, (order, False))[1]
        self._uow.staged_orders[order.order_id] = (order, is_new)

    def list(
        self, *, reseller_id: str | None = None, quote_id: str | None = None
    ) -> Sequence[Order]:
        with self._store.lock:
            return [
                o.copy()
                for o in self._store.orders.values()
                if (reseller_id is None or o.reseller_id == reseller_id)
                and (quote_id is None or o.quote_id == quote_id)
            ]


class _Events:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def append(self, events: Sequence[DomainEvent]) -> None:
        self._uow.staged_events.extend(events)

    def for_aggregate(
        self, kind: str, aggregate_id: str, *, reseller_id: str | None = None
    ) -> Sequence[DomainEvent]:
        # Aggregate ids are unique across resellers here; the service checks the owner.
        with self._uow.store.lock:
            return list(self._uow.store.events.get((kind, aggregate_id), ()))


class _Sequences:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def next(self, name: str) -> int:
        # Numbers are taken at once, not at commit: a rollback leaves a gap, never a repeat.
        with self._store.lock:
            value = self._store.sequences.get(name, 0) + 1
            self._store.sequences[name] = value
            return value


class _Idempotency:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def get(self, key: str, *, reseller_id: str | None = None) -> IdempotencyRecord | None:
        if reseller_id is not None:
            staged = self._uow.staged_keys.get((reseller_id, key))
            with self._uow.store.lock:
                return staged or self._uow.store.idempotency.get((reseller_id, key))
        with self._uow.store.lock:
            stored = list(self._uow.store.idempotency.items())
        for (owner, found), record in [*self._uow.staged_keys.items(), *stored]:
            if found == key and reseller_id in (None, owner):
                return record
        return None

    def add(self, record: IdempotencyRecord) -> None:
        self._uow.staged_keys[record.reseller_id, record.key] = record


class _Outbox:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, entry: OutboxEntry) -> None:
        self._uow.staged_outbox.append(entry)


class _Documents:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def add(self, document: DocumentRecord) -> None:
        self._uow.staged_documents.append(document)

    def get(self, document_id: str, *, reseller_id: str | None = None) -> DocumentRecord:
        # Documents are found by their unique id here; the service checks the owner.
        for document in self._uow.staged_documents:
            if document.document_id == document_id:
                return document
        with self._uow.store.lock:
            found = self._uow.store.documents.get(document_id)
        if found is None:
            raise NotFound("document", document_id)
        return found

    def for_aggregate(
        self, kind: str, aggregate_id: str, *, reseller_id: str | None = None
    ) -> Sequence[DocumentRecord]:
        with self._uow.store.lock:
            stored = list(self._uow.store.documents.values())
        return [
            d
            for d in [*stored, *self._uow.staged_documents]
            if d.aggregate_kind == kind and d.aggregate_id == aggregate_id
        ]


class _Carts:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def get(self, reseller_id: str) -> Cart:
        staged = self._uow.staged_carts.get(reseller_id)
        if staged is not None:
            return staged
        with self._uow.store.lock:
            cart = self._uow.store.carts.get(reseller_id)
            return Cart(reseller_id) if cart is None else cart.copy()

    def save(self, cart: Cart) -> None:
        self._uow.staged_carts[cart.reseller_id] = cart


class _PurchaseOrders:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def get(self, purchase_order_id: str, *, reseller_id: str | None = None) -> PurchaseOrder:
        staged = self._uow.staged_purchase_orders.get(purchase_order_id)
        with self._uow.store.lock:
            found = (
                staged[0]
                if staged is not None
                else self._uow.store.purchase_orders.get(purchase_order_id)
            )
            if found is None or reseller_id not in (None, found.reseller_id):
                raise PurchaseOrderNotFound(purchase_order_id)
            return found if staged is not None else found.copy()

    def add(self, purchase_order: PurchaseOrder) -> None:
        self._uow.staged_purchase_orders[purchase_order.purchase_order_id] = (purchase_order, True)

    def save(self, purchase_order: PurchaseOrder) -> None:
        key = purchase_order.purchase_order_id
        is_new = self._uow.staged_purchase_orders.get(key, (purchase_order, False))[1]
        self._uow.staged_purchase_orders[key] = (purchase_order, is_new)

    def list(self, *, reseller_id: str | None = None) -> Sequence[PurchaseOrder]:
        with self._uow.store.lock:
            return [
                p.copy()
                for p in self._uow.store.purchase_orders.values()
                if reseller_id is None or p.reseller_id == reseller_id
            ]


class MemoryUnitOfWork:
    """A unit of work over a :class:`MemoryStore`; changes apply at :meth:`commit`."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.staged_quotes: dict[str, tuple[Quote, bool]] = {}
        self.staged_orders: dict[str, tuple[Order, bool]] = {}
        self.staged_events: list[DomainEvent] = []
        self.staged_keys: dict[tuple[str, str], IdempotencyRecord] = {}
        self.staged_outbox: list[OutboxEntry] = []
        self.staged_documents: list[DocumentRecord] = []
        self.staged_carts: dict[str, Cart] = {}
        self.staged_purchase_orders: dict[str, tuple[PurchaseOrder, bool]] = {}
        self.quotes = _Quotes(self)
        self.orders = _Orders(self)
        self.events = _Events(self)
        self.sequences = _Sequences(store)
        self.idempotency = _Idempotency(self)
        self.outbox = _Outbox(self)
        self.documents = _Documents(self)
        self.carts = _Carts(self)
        self.purchase_orders = _PurchaseOrders(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def _check(self) -> None:
        store = self.store
        for quote, is_new in self.staged_quotes.values():
            stored = store.quotes.get(quote.quote_id)
            if is_new and stored is not None:
                raise ConcurrencyError("quote", quote.quote_id, quote.revision)
            if not is_new and (stored is None or stored.revision != quote.revision):
                raise ConcurrencyError("quote", quote.quote_id, quote.revision)
        for order, is_new in self.staged_orders.values():
            stored_order = store.orders.get(order.order_id)
            if is_new:
                existing = store.order_by_quote_version.get((order.quote_id, order.quote_version))
                if existing is not None:
                    raise AlreadyAccepted(order.quote_id, order.quote_version, existing)
                if stored_order is not None:
                    raise ConcurrencyError("order", order.order_id, order.revision)
            elif stored_order is None or stored_order.revision != order.revision:
                raise ConcurrencyError("order", order.order_id, order.revision)
        for cart in self.staged_carts.values():
            stored_cart = store.carts.get(cart.reseller_id)
            # A cart is created by its first save: revision 0 means "none stored yet".
            stored_revision = 0 if stored_cart is None else stored_cart.revision
            if stored_revision != cart.revision:
                raise ConcurrencyError("cart", cart.reseller_id, cart.revision)
        for purchase_order, is_new in self.staged_purchase_orders.values():
            stored_po = store.purchase_orders.get(purchase_order.purchase_order_id)
            stale = stored_po is None or stored_po.revision != purchase_order.revision
            if (stored_po is not None) if is_new else stale:
                raise ConcurrencyError(
                    "purchase order", purchase_order.purchase_order_id, purchase_order.revision
                )
        for owner_key in self.staged_keys:
            if owner_key in store.idempotency:
                raise ConcurrencyError("idempotency key", owner_key[1], 0)
        # Ids are unique, as the SQL stores' constraints make them: never overwrite.
        _unique("outbox entry", [e.entry_id for e in self.staged_outbox], store.outbox)
        _unique("document", [d.document_id for d in self.staged_documents], store.documents)

    def commit(self) -> None:
        """Check every optimistic lock and uniqueness rule, then apply all changes."""
        store = self.store
        with store.lock:
            self._check()
            for quote, is_new in self.staged_quotes.values():
                if not is_new:
                    quote.revision += 1
                previous = store.quotes.get(quote.quote_id)
                if previous is not None and previous.link_token_hash != quote.link_token_hash:
                    # A rotated link: the old token's hash must stop resolving.
                    del store.quote_by_token[previous.link_token_hash]
                store.quotes[quote.quote_id] = quote.copy()
                store.quote_by_token[quote.link_token_hash] = quote.quote_id
            for order, is_new in self.staged_orders.values():
                if is_new:
                    store.order_by_quote_version[(order.quote_id, order.quote_version)] = (
                        order.order_id
                    )
                else:
                    order.revision += 1
                store.orders[order.order_id] = order.copy()
            for event in self.staged_events:
                key = (event.aggregate_kind, event.aggregate_id)
                store.events.setdefault(key, []).append(event)
            for cart in self.staged_carts.values():
                cart.revision += 1
                store.carts[cart.reseller_id] = cart.copy()
            for purchase_order, is_new in self.staged_purchase_orders.values():
                if not is_new:
                    purchase_order.revision += 1
                store.purchase_orders[purchase_order.purchase_order_id] = purchase_order.copy()
            event_times: dict[tuple[str, str], datetime] = {}
            for event in self.staged_events:
                key = (event.aggregate_kind, event.aggregate_id)
                event_times[key] = max(event_times.get(key, event.occurred_at), event.occurred_at)
            store.refresh_read_rows(
                [q for q, _ in self.staged_quotes.values()],
                [o for o, _ in self.staged_orders.values()],
                event_times,
                [p for p, _ in self.staged_purchase_orders.values()],
            )
            store.idempotency.update(self.staged_keys)
            for entry in self.staged_outbox:
                store.outbox[entry.entry_id] = entry
            for document in self.staged_documents:
                store.documents[document.document_id] = document
        self._clear()

    def rollback(self) -> None:
        """Discard every staged change."""
        self._clear()

    def _clear(self) -> None:
        self.staged_quotes.clear()
        self.staged_orders.clear()
        self.staged_events.clear()
        self.staged_keys.clear()
        self.staged_outbox.clear()
        self.staged_documents.clear()
        self.staged_carts.clear()
        self.staged_purchase_orders.clear()


_EARLIEST = datetime.min.replace(tzinfo=UTC)


R = TypeVar("R")


def _rows_of(table: dict[str, dict[str, R]], reseller_id: str | None) -> list[R]:
    """The rows of ``reseller_id`` in ``table`` (None: every reseller's)."""
    if reseller_id is not None:
        return list(table.get(reseller_id, {}).values())
    return [row for rows in table.values() for row in rows.values()]


def _due_at(entry: OutboxEntry) -> datetime:
    """From when ``entry`` may be claimed: its next attempt, or the end of its lease."""
    times = [t for t in (entry.next_attempt_at, entry.claimed_until) if t is not None]
    return max(times, default=_EARLIEST)


def _unique(kind: str, ids: Sequence[str], stored: Container[str]) -> None:
    """Raise ConcurrencyError for an id stored already or staged twice."""
    seen: set[str] = set()
    for object_id in ids:
        if object_id in stored or object_id in seen:
            raise ConcurrencyError(kind, object_id, 0)
        seen.add(object_id)


class MemoryOutboxStore:
    """The dispatcher's view of a :class:`MemoryStore`'s outbox."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def claim(
        self,
        *,
        worker: str,
        now: datetime,
        lease: timedelta,
        limit: int,
        reseller_id: str | None = None,
    ) -> list[OutboxEntry]:
        """Lease up to ``limit`` due pending entries (of ``reseller_id``) to ``worker``."""
        claimed: list[OutboxEntry] = []
        with self._store.lock:
            # Like the SQL stores: the earliest due first (entries due at once first), then
            # in the order they were added.
            waiting = [
                (_due_at(entry), seq, entry)
                for seq, entry in enumerate(self._store.outbox.values())
                if entry.status is OutboxStatus.PENDING
                and _due_at(entry) <= now
                and reseller_id in (None, entry.reseller_id)
            ]
            for _, _, entry in sorted(waiting, key=lambda item: item[:2])[:limit]:
                updated = attrs.evolve(entry, claimed_by=worker, claimed_until=now + lease)
                self._store.outbox[entry.entry_id] = updated
                claimed.append(updated)
        return claimed

    def _update(self, entry_id: str, worker: str, **changes: object) -> None:
        with self._store.lock:
            entry = self._store.outbox.get(entry_id)
            if entry is None:
                raise NotFound("outbox entry", entry_id)
            if entry.claimed_by != worker:
                raise ConcurrencyError("outbox entry", entry_id, entry.attempts)
            self._store.outbox[entry_id] = attrs.evolve(
                entry,
                claimed_by=None,
                claimed_until=None,
                **changes,  # type: ignore[arg-type]
            )

    def _attempts(self, entry_id: str) -> int:
        entry = self._store.outbox.get(entry_id)
        if entry is None:
            raise NotFound("outbox entry", entry_id)
        return entry.attempts

    def mark_sent(self, entry_id: str, *, worker: str, now: datetime) -> None:
        with self._store.lock:
            attempts = self._attempts(entry_id) + 1
            self._update(
                entry_id,
                worker,
                status=OutboxStatus.SENT,
                attempts=attempts,
                payload=without_link(self._store.outbox[entry_id].payload),
            )

    def mark_retry(
        self, entry_id: str, *, worker: str, error: str, next_attempt_at: datetime
    ) -> None:
        with self._store.lock:
            attempts = self._attempts(entry_id) + 1
            self._update(
                entry_id,
                worker,
                attempts=attempts,
                last_error=error,
                next_attempt_at=next_attempt_at,
            )

    def mark_failed(self, entry_id: str, *, worker: str, error: str) -> None:
        with self._store.lock:
            attempts = self._attempts(entry_id) + 1
            self._update(
                entry_id,
                worker,
                status=OutboxStatus.FAILED,
                attempts=attempts,
                last_error=error,
                payload=without_link(self._store.outbox[entry_id].payload),
            )

    def list(self, status: OutboxStatus | None = None) -> list[OutboxEntry]:
        with self._store.lock:
            return [e for e in self._store.outbox.values() if status is None or e.status is status]

    def retry_failed(self, entry_id: str, *, now: datetime) -> None:
        with self._store.lock:
            entry = self._store.outbox.get(entry_id)
            if entry is None or entry.status is not OutboxStatus.FAILED:
                raise NotFound("failed outbox entry", entry_id)
            self._store.outbox[entry_id] = attrs.evolve(
                entry, status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now
            )


if TYPE_CHECKING:  # mypy proves that the store's units of work implement the port
    from quote2order.ports import UnitOfWork

    def _implements_unit_of_work(store: MemoryStore) -> UnitOfWork:
        return store.unit_of_work()
