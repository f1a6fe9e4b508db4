"""The SQL unit of work and its repositories: reads at once, writes staged until commit.

:meth:`SqlUnitOfWork.commit` applies the staged writes in one short transaction whose
``UPDATE ... WHERE revision = ?`` statements are the optimistic lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from quote2order.adapters._codec import (
    cart_from_dict,
    cart_to_dict,
    document_from_dict,
    document_to_dict,
    dumps,
    order_from_dict,
    order_to_dict,
    outbox_to_dict,
    purchase_order_from_dict,
    purchase_order_to_dict,
    quote_from_dict,
    quote_to_dict,
)
from quote2order.adapters._sql.dialect import Connection
from quote2order.errors import (
    AlreadyAccepted,
    ConcurrencyError,
    NotFound,
    OrderNotFound,
    PurchaseOrderNotFound,
    QuoteNotFound,
)
from quote2order.events import DomainEvent, event_from_dict, event_to_dict
from quote2order.orders import Order
from quote2order.ports import DocumentRecord, IdempotencyRecord, OutboxEntry
from quote2order.purchasing.cart import Cart
from quote2order.purchasing.purchase_orders import PurchaseOrder
from quote2order.quotes import Quote

if TYPE_CHECKING:
    from quote2order.adapters._sql.store import SqlStore

__all__ = ["SqlUnitOfWork"]


class _Quotes:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def _load(self, row: Any) -> Quote:
        return quote_from_dict(self._store._dialect.load_json(row[0]), row[1])

    def get(self, quote_id: str) -> Quote:
        staged = self._uow.staged_quotes.get(quote_id)
        if staged is not None:
            return staged[0]
        row = self._store._fetchone(
            self._store._p("SELECT body, revision FROM quotes WHERE quote_id = ?"), (quote_id,)
        )
        if row is None:
            raise QuoteNotFound(quote_id)
        return self._load(row)

    def get_by_token_hash(self, token_hash: str) -> Quote:
        for quote, _ in self._uow.staged_quotes.values():
            if quote.link_token_hash == token_hash:
                return quote
        row = self._store._fetchone(
            self._store._p(
                "SELECT body, revision FROM quotes WHERE token_hash = ? ORDER BY seq LIMIT 1"
            ),
            (token_hash,),
        )
        if row is None:
            raise QuoteNotFound("(link token)")
        return self._load(row)

    def add(self, quote: Quote) -> None:
        self._uow.staged_quotes[quote.quote_id] = (quote, True)

    def save(self, quote: Quote) -> None:
        is_new = self._uow.staged_quotes.get(quote.quote_id, (quote, False))[1]
        self._uow.staged_quotes[quote.quote_id] = (quote, is_new)

    def list(self, *, reseller_id: str | None = None) -> Sequence[Quote]:
        if reseller_id is None:
            rows = self._store._fetchall("SELECT body, revision FROM quotes ORDER BY seq")
        else:
            rows = self._store._fetchall(
                self._store._p(
                    "SELECT body, revision FROM quotes WHERE reseller_id = ? ORDER BY seq"
                ),
                (reseller_id,),
            )
        return [self._load(row) for row in rows]


class _Orders:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def _load(self, row: Any) -> Order:
        return order_from_dict(self._store._dialect.load_json(row[0]), row[1])

    def get(self, order_id: str) -> Order:
        staged = self._uow.staged_orders.get(order_id)
        if staged is not None:
            return staged[0]
        row = self._store._fetchone(
            self._store._p("SELECT body, revision FROM orders WHERE order_id = ?"), (order_id,)
        )
        if row is None:
            raise OrderNotFound(order_id)
        return self._load(row)

    def add(self, order: Order) -> None:
        self._uow.staged_orders[order.order_id] = (order, True)

    def save(self, order: Order) -> None:
        is_new = self._uow.staged_orders.get(order.order_id, (order, False))[1]
        self._uow.staged_orders[order.order_id] = (order, is_new)

    def list(
        self, *, reseller_id: str | None = None, quote_id: str | None = None
    ) -> Sequence[Order]:
        filters = {"reseller_id": reseller_id, "quote_id": quote_id}
        given = {column: value for column, value in filters.items() if value is not None}
        where = " AND ".join(f"{column} = ?" for column in given)  # fixed column names only
        sql = "SELECT body, revision FROM orders"
        sql += f" WHERE {where} ORDER BY seq" if where else " ORDER BY seq"
        rows = self._store._fetchall(self._store._p(sql), tuple(given.values()))
        return [self._load(row) for row in rows]


class _Events:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def append(self, events: Sequence[DomainEvent]) -> None:
        self._uow.staged_events.extend(events)

    def for_aggregate(self, kind: str, aggregate_id: str) -> Sequence[DomainEvent]:
        rows = self._store._fetchall(
            self._store._p(
                "SELECT body FROM events WHERE aggregate_kind = ? AND aggregate_id = ? ORDER BY seq"
            ),
            (kind, aggregate_id),
        )
        load = self._store._dialect.load_json
        return [event_from_dict(load(row[0])) for row in rows]


class _Sequences:
    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def next(self, name: str) -> int:
        # Its own statement, committed at once: a rollback leaves a gap, never a repeat.
        row = self._store._fetchone(
            self._store._p(
                "INSERT INTO sequences (name, value) VALUES (?, 1) "
                "ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 RETURNING value"
            ),
            (name,),
        )
        return int(row[0])


class _Idempotency:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def get(self, key: str) -> IdempotencyRecord | None:
        if key in self._uow.staged_keys:
            return self._uow.staged_keys[key]
        row = self._store._fetchone(
            self._store._p(
                "SELECT key, command, fingerprint, result_id FROM idempotency_keys WHERE key = ?"
            ),
            (key,),
        )
        return None if row is None else IdempotencyRecord(row[0], row[1], row[2], row[3])

    def add(self, record: IdempotencyRecord) -> None:
        self._uow.staged_keys[record.key] = record


class _Outbox:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def add(self, entry: OutboxEntry) -> None:
        # Converted now, so that a value the store cannot hold fails here, not at commit.
        dialect = self._uow.store._dialect
        self._uow.staged_outbox.append(
            (
                entry,
                dumps(outbox_to_dict(entry), f"outbox entry {entry.entry_id}"),
                dialect.timestamp(entry.next_attempt_at),
                dialect.timestamp(entry.claimed_until),
            )
        )


class _Documents:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def add(self, document: DocumentRecord) -> None:
        body = dumps(document_to_dict(document), f"document {document.document_id}")
        self._uow.staged_documents.append((document, body))

    def get(self, document_id: str) -> DocumentRecord:
        for document, _ in self._uow.staged_documents:
            if document.document_id == document_id:
                return document
        row = self._store._fetchone(
            self._store._p("SELECT body FROM documents WHERE document_id = ?"), (document_id,)
        )
        if row is None:
            raise NotFound("document", document_id)
        return document_from_dict(self._store._dialect.load_json(row[0]))

    def for_aggregate(self, kind: str, aggregate_id: str) -> Sequence[DocumentRecord]:
        rows = self._store._fetchall(
            self._store._p(
                "SELECT body FROM documents WHERE aggregate_kind = ? AND aggregate_id = ? "
                "ORDER BY seq"
            ),
            (kind, aggregate_id),
        )
        load = self._store._dialect.load_json
        stored = [document_from_dict(load(row[0])) for row in rows]
        staged = [
            d
            for d, _ in self._uow.staged_documents
            if d.aggregate_kind == kind and d.aggregate_id == aggregate_id
        ]
        return stored + staged


class _Carts:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def get(self, reseller_id: str) -> Cart:
        staged = self._uow.staged_carts.get(reseller_id)
        if staged is not None:
            return staged
        row = self._store._fetchone(
            self._store._p("SELECT body, revision FROM carts WHERE reseller_id = ?"),
            (reseller_id,),
        )
        if row is None:  # a cart is created by its first save
            return Cart(reseller_id)
        return cart_from_dict(self._store._dialect.load_json(row[0]), row[1])

    def save(self, cart: Cart) -> None:
        self._uow.staged_carts[cart.reseller_id] = cart


class _PurchaseOrders:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def _load(self, row: Any) -> PurchaseOrder:
        return purchase_order_from_dict(self._store._dialect.load_json(row[0]), row[1])

    def get(self, purchase_order_id: str) -> PurchaseOrder:
        staged = self._uow.staged_purchase_orders.get(purchase_order_id)
        if staged is not None:
            return staged[0]
        row = self._store._fetchone(
            self._store._p(
                "SELECT body, revision FROM purchase_orders WHERE purchase_order_id = ?"
            ),
            (purchase_order_id,),
        )
        if row is None:
            raise PurchaseOrderNotFound(purchase_order_id)
        return self._load(row)

    def add(self, purchase_order: PurchaseOrder) -> None:
        self._uow.staged_purchase_orders[purchase_order.purchase_order_id] = (purchase_order, True)

    def save(self, purchase_order: PurchaseOrder) -> None:
        key = purchase_order.purchase_order_id
        is_new = self._uow.staged_purchase_orders.get(key, (purchase_order, False))[1]
        self._uow.staged_purchase_orders[key] = (purchase_order, is_new)

    def list(self, *, reseller_id: str | None = None) -> Sequence[PurchaseOrder]:
        if reseller_id is None:
            rows = self._store._fetchall("SELECT body, revision FROM purchase_orders ORDER BY seq")
        else:
            rows = self._store._fetchall(
                self._store._p(
                    "SELECT body, revision FROM purchase_orders WHERE reseller_id = ? ORDER BY seq"
                ),
                (reseller_id,),
            )
        return [self._load(row) for row in rows]


# The tables that ``SqlUnitOfWork._update`` writes, by the kind named in ConcurrencyError.
_TABLES = {
    "quote": ("quotes", "quote_id"),
    "order": ("orders", "order_id"),
    "purchase order": ("purchase_orders", "purchase_order_id"),
}


class SqlUnitOfWork:
    """A unit of work over a :class:`SqlStore`; changes apply at :meth:`commit`."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.staged_quotes: dict[str, tuple[Quote, bool]] = {}
        self.staged_orders: dict[str, tuple[Order, bool]] = {}
        self.staged_events: list[DomainEvent] = []
        self.staged_keys: dict[str, IdempotencyRecord] = {}
        self.staged_outbox: list[tuple[OutboxEntry, str, Any, Any]] = []
        self.staged_documents: list[tuple[DocumentRecord, str]] = []
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

    def commit(self) -> None:
        """Apply every staged change in one transaction, checking each optimistic lock.

        Raises ConcurrencyError (a stale revision, a duplicate id or idempotency key) or
        AlreadyAccepted (a second order for a quote version); then nothing was written.
        """
        # Serialize before the transaction starts, so that bad input changes nothing and
        # the transaction holds its locks only for the statements.
        quotes = [
            (q, new, dumps(quote_to_dict(q), "quote")) for q, new in self.staged_quotes.values()
        ]
        orders = [
            (o, new, dumps(order_to_dict(o), "order")) for o, new in self.staged_orders.values()
        ]
        events = [
            (e.aggregate_kind, e.aggregate_id, e.name, dumps(event_to_dict(e), "event"))
            for e in self.staged_events
        ]
        carts = [(c, dumps(cart_to_dict(c), "cart")) for c in self.staged_carts.values()]
        purchase_orders = [
            (po, new, dumps(purchase_order_to_dict(po), "purchase order"))
            for po, new in self.staged_purchase_orders.values()
        ]
        staged = quotes or orders or events or self.staged_keys or carts or purchase_orders
        if staged or self.staged_outbox or self.staged_documents:
            with self.store._connection() as conn:
                try:
                    with self.store._dialect.transaction(conn):
                        self._apply(conn, quotes, orders, events)
                        self._apply_purchasing(conn, carts, purchase_orders)
                except _Duplicate as duplicate:
                    raise self._already_accepted(conn, duplicate.order) from None
        for quote, is_new, _ in quotes:
            if not is_new:
                quote.revision += 1
        for order, is_new, _ in orders:
            if not is_new:
                order.revision += 1
        for cart, _ in carts:
            cart.revision += 1  # a new cart is stored at revision 1, like the memory store's
        for purchase_order, is_new, _ in purchase_orders:
            if not is_new:
                purchase_order.revision += 1
        self._clear()

    def _apply_purchasing(
        self,
        conn: Connection,
        carts: list[tuple[Cart, str]],
        purchase_orders: list[tuple[PurchaseOrder, bool, str]],
    ) -> None:
        p = self.store._p
        js = self.store._dialect.json_param
        for cart, body in carts:
            if cart.revision == 0:  # none stored yet: the first save creates it
                try:
                    conn.execute(
                        p(f"INSERT INTO carts (reseller_id, revision, body) VALUES (?, 1, {js})"),
                        (cart.reseller_id, body),
                    )
                except self.store._dialect.integrity_error:
                    raise ConcurrencyError("cart", cart.reseller_id, cart.revision) from None
                continue
            cursor = conn.execute(
                p(
                    f"UPDATE carts SET body = {js}, revision = revision + 1 "
                    "WHERE reseller_id = ? AND revision = ?"
                ),
                (body, cart.reseller_id, cart.revision),
            )
            if cursor.rowcount != 1:
                raise ConcurrencyError("cart", cart.reseller_id, cart.revision)
        for purchase_order, is_new, body in purchase_orders:
            key = purchase_order.purchase_order_id
            if not is_new:
                self._update(
                    conn,
                    "purchase order",
                    key,
                    purchase_order.revision,
                    body,
                    purchase_order.status.value,
                )
                continue
            try:
                conn.execute(
                    p(
                        "INSERT INTO purchase_orders (purchase_order_id, reseller_id, "
                        "supplier_id, status, number, revision, body) "
                        f"VALUES (?, ?, ?, ?, ?, ?, {js})"
                    ),
                    (
                        key,
                        purchase_order.reseller_id,
                        purchase_order.supplier_id,
                        purchase_order.status.value,
                        purchase_order.number,
                        purchase_order.revision,
                        body,
                    ),
                )
            except self.store._dialect.integrity_error:
                raise ConcurrencyError("purchase order", key, purchase_order.revision) from None

    def _apply(
        self,
        conn: Connection,
        quotes: list[tuple[Quote, bool, str]],
        orders: list[tuple[Order, bool, str]],
        events: list[tuple[str, str, str, str]],
    ) -> None:
        p = self.store._p
        js = self.store._dialect.json_param
        for quote, is_new, body in quotes:
            if is_new:
                self._insert_quote(conn, quote, body)
            else:
                # The token hash column follows the body: a rotated link resolves at once.
                self._update(
                    conn,
                    "quote",
                    quote.quote_id,
                    quote.revision,
                    body,
                    quote.status.value,
                    token_hash=quote.link_token_hash,
                )
        for order, is_new, body in orders:
            if is_new:
                self._insert_order(conn, order, body)
            else:
                self._update(
                    conn, "order", order.order_id, order.revision, body, order.status.value
                )
        for record in self.staged_keys.values():
            try:
                conn.execute(
                    p(
                        "INSERT INTO idempotency_keys (key, command, fingerprint, result_id) "
                        "VALUES (?, ?, ?, ?)"
                    ),
                    (record.key, record.command, record.fingerprint, record.result_id),
                )
            except self.store._dialect.integrity_error:
                raise ConcurrencyError("idempotency key", record.key, 0) from None
        for kind, aggregate_id, name, body in events:
            conn.execute(
                p(
                    "INSERT INTO events (aggregate_kind, aggregate_id, name, body) "
                    f"VALUES (?, ?, ?, {js})"
                ),
                (kind, aggregate_id, name, body),
            )
        for entry, body, next_attempt_at, claimed_until in self.staged_outbox:
            self._insert_outbox(conn, entry, body, next_attempt_at, claimed_until)
        if self.staged_outbox:
            self.store._dialect.outbox_queued(conn)
        for document, body in self.staged_documents:
            try:
                conn.execute(
                    p(
                        "INSERT INTO documents (document_id, aggregate_kind, aggregate_id, body) "
                        f"VALUES (?, ?, ?, {js})"
                    ),
                    (document.document_id, document.aggregate_kind, document.aggregate_id, body),
                )
            except self.store._dialect.integrity_error:
                raise ConcurrencyError("document", document.document_id, 0) from None

    def _already_accepted(self, conn: Connection, order: Order) -> Exception:
        """The error for an order insert that hit a unique constraint (after the rollback)."""
        row = conn.execute(
            self.store._p("SELECT order_id FROM orders WHERE quote_id = ? AND quote_version = ?"),
            (order.quote_id, order.quote_version),
        ).fetchone()
        if row is None:  # the clash was on the order id, not on the quote version
            return ConcurrencyError("order", order.order_id, order.revision)
        return AlreadyAccepted(order.quote_id, order.quote_version, row[0])

    def _insert_quote(self, conn: Connection, quote: Quote, body: str) -> None:
        p = self.store._p
        try:
            conn.execute(
                p(
                    "INSERT INTO quotes (quote_id, reseller_id, customer_id, status, token_hash, "
                    f"revision, body) VALUES (?, ?, ?, ?, ?, ?, {self.store._dialect.json_param})"
                ),
                (
                    quote.quote_id,
                    quote.reseller_id,
                    quote.customer.customer_id,
                    quote.status.value,
                    quote.link_token_hash,
                    quote.revision,
                    body,
                ),
            )
        except self.store._dialect.integrity_error:
            raise ConcurrencyError("quote", quote.quote_id, quote.revision) from None

    def _insert_order(self, conn: Connection, order: Order, body: str) -> None:
        try:
            conn.execute(
                self.store._p(
                    "INSERT INTO orders (order_id, reseller_id, customer_id, quote_id, "
                    "quote_version, status, revision, body) "
                    f"VALUES (?, ?, ?, ?, ?, ?, ?, {self.store._dialect.json_param})"
                ),
                (
                    order.order_id,
                    order.reseller_id,
                    order.customer.customer_id,
                    order.quote_id,
                    order.quote_version,
                    order.status.value,
                    order.revision,
                    body,
                ),
            )
        except self.store._dialect.integrity_error:
            # Which constraint failed is read after the rollback (see _already_accepted).
            raise _Duplicate(order) from None

    def _update(
        self,
        conn: Connection,
        kind: str,
        object_id: str,
        revision: int,
        body: str,
        status: str,
        **columns: Any,
    ) -> None:
        """Update a row under its optimistic lock; ``columns``: more indexed columns to set."""
        table, id_column = _TABLES[kind]
        extra = "".join(f", {name} = ?" for name in columns)  # fixed column names only
        cursor = conn.execute(
            self.store._p(
                f"UPDATE {table} SET body = {self.store._dialect.json_param}, status = ?{extra}, "
                f"revision = revision + 1 WHERE {id_column} = ? AND revision = ?"
            ),
            (body, status, *columns.values(), object_id, revision),
        )
        if cursor.rowcount != 1:
            raise ConcurrencyError(kind, object_id, revision)

    def _insert_outbox(
        self,
        conn: Connection,
        entry: OutboxEntry,
        body: str,
        next_attempt_at: Any,
        claimed_until: Any,
    ) -> None:
        dialect = self.store._dialect
        try:
            conn.execute(
                self.store._p(
                    "INSERT INTO outbox (entry_id, status, attempts, next_attempt_at, last_error, "
                    "claimed_by, claimed_until, body) "
                    f"VALUES (?, ?, ?, ?, ?, ?, ?, {dialect.json_param})"
                ),
                (
                    entry.entry_id,
                    entry.status.value,
                    entry.attempts,
                    next_attempt_at,
                    entry.last_error,
                    entry.claimed_by,
                    claimed_until,
                    body,
                ),
            )
        except dialect.integrity_error:
            raise ConcurrencyError("outbox entry", entry.entry_id, 0) from None

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


class _Duplicate(Exception):
    """Internal: an order insert hit a unique constraint; the transaction rolls back."""

    def __init__(self, order: Order) -> None:
        super().__init__(order.order_id)
        self.order = order
