"""The SQL unit of work and its repositories: reads at once, writes staged until commit.

:meth:`SqlUnitOfWork.commit` applies the staged writes in one short transaction whose
``UPDATE ... WHERE revision = ?`` statements are the optimistic lock.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import attrs

from quote2order.adapters._codec import (
    cart_line_from_dict,
    cart_line_to_dict,
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
from quote2order.adapters._sql.read_rows import (
    card_columns,
    order_card_columns,
    order_columns,
    purchase_order_columns,
    quote_columns,
)
from quote2order.errors import (
    AlreadyAccepted,
    ConcurrencyError,
    NotFound,
    OrderNotFound,
    PurchaseOrderNotFound,
    QuoteNotFound,
)
from quote2order.events import DomainEvent, event_from_dict, event_to_dict
from quote2order.lifecycle import QuoteStatus
from quote2order.orders import Order
from quote2order.ports import DocumentRecord, IdempotencyRecord, OutboxEntry
from quote2order.purchasing.cart import Cart, CartLine
from quote2order.purchasing.purchase_orders import PurchaseOrder
from quote2order.queries import order_activity, order_column, quote_activity
from quote2order.quotes import Quote

if TYPE_CHECKING:
    from quote2order.adapters._sql.store import SqlStore

__all__ = ["SqlUnitOfWork"]


def _by_id(
    store: SqlStore,
    table: str,
    id_column: str,
    object_id: str,
    reseller_id: str | None,
    columns: str = "body, revision",
) -> tuple[str, tuple[str, ...]]:
    """The load of one row by its unique id, naming the reseller when the caller knows it.

    Without it the statement reads by the id alone: on tables split by reseller it visits
    every part (docs/scaling.md); the library's commands name the reseller.
    """
    if reseller_id is None:
        return store._p(f"SELECT {columns} FROM {table} WHERE {id_column} = ?"), (object_id,)
    return (
        store._p(f"SELECT {columns} FROM {table} WHERE reseller_id = ? AND {id_column} = ?"),
        (reseller_id, object_id),
    )


def _of_aggregate(
    store: SqlStore, select: str, kind: str, aggregate_id: str, reseller_id: str | None
) -> tuple[str, tuple[str, ...]]:
    """The rows of one aggregate (events, documents), oldest first, naming the reseller."""
    where = "aggregate_kind = ? AND aggregate_id = ?"
    params: tuple[str, ...] = (kind, aggregate_id)
    if reseller_id is not None:
        where, params = f"reseller_id = ? AND {where}", (reseller_id, *params)
    return store._p(f"{select} WHERE {where} ORDER BY seq"), params


class _Quotes:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def _load(self, row: Any) -> Quote:
        return quote_from_dict(self._store._dialect.load_json(row[0]), row[1])

    def get(self, quote_id: str, *, reseller_id: str | None = None) -> Quote:
        staged = self._uow.staged_quotes.get(quote_id)
        if staged is not None:
            if reseller_id not in (None, staged[0].reseller_id):
                raise QuoteNotFound(quote_id)
            return staged[0]
        row = self._store._fetchone(
            *_by_id(self._store, "quotes", "quote_id", quote_id, reseller_id)
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

    def get(self, order_id: str, *, reseller_id: str | None = None) -> Order:
        staged = self._uow.staged_orders.get(order_id)
        if staged is not None:
            if reseller_id not in (None, staged[0].reseller_id):
                raise OrderNotFound(order_id)
            return staged[0]
        row = self._store._fetchone(
            *_by_id(self._store, "orders", "order_id", order_id, reseller_id)
        )
        if row is None:
            raise OrderNotFound(order_id)
        return self._load(row)

    def get_many(self, reseller_id: str, order_ids: Sequence[str]) -> dict[str, Order]:
        found = {}
        wanted = []
        for order_id in order_ids:
            staged = self._uow.staged_orders.get(order_id)
            if staged is not None:
                found[order_id] = staged[0]
            else:
                wanted.append(order_id)
        for start in range(0, len(wanted), 500):  # bounded statements for huge carts
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self._store._fetchall(
                self._store._p(
                    "SELECT body, revision FROM orders "
                    f"WHERE reseller_id = ? AND order_id IN ({marks})"
                ),
                (reseller_id, *chunk),
            )
            for row in rows:
                order = self._load(row)
                found[order.order_id] = order
        for order_id in order_ids:
            if order_id not in found or found[order_id].reseller_id != reseller_id:
                raise OrderNotFound(order_id)
        return {order_id: found[order_id] for order_id in order_ids}

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

    def for_aggregate(
        self, kind: str, aggregate_id: str, *, reseller_id: str | None = None
    ) -> Sequence[DomainEvent]:
        rows = self._store._fetchall(
            *_of_aggregate(self._store, "SELECT body FROM events", kind, aggregate_id, reseller_id)
        )
        load = self._store._dialect.load_json
        return [event_from_dict(load(row[0])) for row in rows]


class _Sequences:
    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def next(self, name: str) -> int:
        # A series of one reseller is named "kind|year|reseller_id" (kind and year hold no
        # "|"); its row carries that reseller. Other names belong to no reseller ("").
        parts = name.split("|", 2)
        reseller_id = parts[2] if len(parts) == 3 else ""
        # Its own statement, committed at once: a rollback leaves a gap, never a repeat.
        row = self._store._fetchone(
            self._store._p(
                "INSERT INTO sequences (reseller_id, name, value) VALUES (?, ?, 1) "
                "ON CONFLICT (reseller_id, name) DO UPDATE SET value = sequences.value + 1 "
                "RETURNING value"
            ),
            (reseller_id, name),
        )
        return int(row[0])


class _Idempotency:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def get(self, key: str, *, reseller_id: str | None = None) -> IdempotencyRecord | None:
        for (owner, staged_key), record in self._uow.staged_keys.items():
            if staged_key == key and reseller_id in (None, owner):
                return record
        sql = "SELECT key, command, fingerprint, result_id, reseller_id FROM idempotency_keys"
        if reseller_id is None:  # a caller that knows no reseller: the first with this key
            row = self._store._fetchone(
                self._store._p(f"{sql} WHERE key = ? ORDER BY reseller_id LIMIT 1"), (key,)
            )
        else:
            row = self._store._fetchone(
                self._store._p(f"{sql} WHERE reseller_id = ? AND key = ?"), (reseller_id, key)
            )
        return None if row is None else IdempotencyRecord(row[0], row[1], row[2], row[3], row[4])

    def add(self, record: IdempotencyRecord) -> None:
        self._uow.staged_keys[record.reseller_id, record.key] = record


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

    def get(self, document_id: str, *, reseller_id: str | None = None) -> DocumentRecord:
        for document, _ in self._uow.staged_documents:
            if document.document_id == document_id:
                return document
        row = self._store._fetchone(
            *_by_id(self._store, "documents", "document_id", document_id, reseller_id, "body")
        )
        if row is None:
            raise NotFound("document", document_id)
        return document_from_dict(self._store._dialect.load_json(row[0]))

    def for_aggregate(
        self, kind: str, aggregate_id: str, *, reseller_id: str | None = None
    ) -> Sequence[DocumentRecord]:
        rows = self._store._fetchall(
            *_of_aggregate(
                self._store, "SELECT body FROM documents", kind, aggregate_id, reseller_id
            )
        )
        load = self._store._dialect.load_json
        stored = [document_from_dict(load(row[0])) for row in rows]
        staged = [
            d
            for d, _ in self._uow.staged_documents
            if d.aggregate_kind == kind and d.aggregate_id == aggregate_id
        ]
        return stored + staged


class _CartLineRows:
    """A stored cart's lines, read when its commands need them (see ``Cart.stored``)."""

    def __init__(self, store: SqlStore, reseller_id: str) -> None:
        self._store = store
        self._reseller_id = reseller_id

    def _read(self, column: str | None, keys: Collection[str]) -> list[CartLine]:
        load = self._store._dialect.load_json
        if column is None:
            chunks: list[list[str]] = [[]]
        else:  # bounded statements for huge selections
            wanted = list(keys)
            chunks = [wanted[start : start + 500] for start in range(0, len(wanted), 500)]
        lines: list[tuple[int, CartLine]] = []
        for chunk in chunks:
            # Keyed reads sort here: an ORDER BY seq could make SQLite walk the seq index
            # over every line of the cart instead of looking the keys up.
            where = (
                " ORDER BY seq"
                if column is None
                else f" AND {column} IN ({', '.join('?' for _ in chunk)})"
            )
            rows = self._store._fetchall(
                self._store._p(f"SELECT seq, body FROM cart_lines WHERE reseller_id = ?{where}"),
                (self._reseller_id, *chunk),
            )
            lines += [(row[0], cart_line_from_dict(load(row[1]))) for row in rows]
        if column is not None:
            lines.sort(key=lambda pair: pair[0])
        return [line for _, line in lines]

    def all_lines(self) -> Sequence[CartLine]:
        return self._read(None, ())

    def lines_by_id(self, line_ids: Collection[str]) -> Sequence[CartLine]:
        return self._read("line_id", line_ids)

    def lines_by_product(self, product_ids: Collection[str]) -> Sequence[CartLine]:
        return self._read("product_id", product_ids)


class _Carts:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def get(self, reseller_id: str) -> Cart:
        staged = self._uow.staged_carts.get(reseller_id)
        if staged is not None:
            return staged
        # Only the cart row: the cart reads the lines a command needs when it needs them.
        row = self._store._fetchone(
            self._store._p("SELECT revision, line_counter FROM carts WHERE reseller_id = ?"),
            (reseller_id,),
        )
        if row is None:  # a cart is created by its first save
            return Cart(reseller_id)
        source = _CartLineRows(self._store, reseller_id)
        return Cart.stored(reseller_id, source, line_counter=row[1], revision=row[0])

    def save(self, cart: Cart) -> None:
        self._uow.staged_carts[cart.reseller_id] = cart


@attrs.frozen
class _CartWrite:
    """What committing a cart writes: its row, and its lines whole or only the changed."""

    cart: Cart
    whole: bool  # a cart made with its lines replaces every stored line
    lines: list[tuple[str, str, str]]  # (line id, product id, JSON body)
    removed: tuple[str, ...]

    @classmethod
    def of(cls, cart: Cart) -> _CartWrite:
        changes = cart.changes()
        removed: tuple[str, ...] = ()
        if changes is None:
            changed = cart.lines
        else:
            changed, removed = changes.changed, changes.removed
        lines = [
            (line.line_id, line.product_id, dumps(cart_line_to_dict(line), "cart line"))
            for line in changed
        ]
        return cls(cart, changes is None, lines, removed)


class _PurchaseOrders:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._store = uow.store

    def _load(self, row: Any) -> PurchaseOrder:
        return purchase_order_from_dict(self._store._dialect.load_json(row[0]), row[1])

    def get(self, purchase_order_id: str, *, reseller_id: str | None = None) -> PurchaseOrder:
        staged = self._uow.staged_purchase_orders.get(purchase_order_id)
        if staged is not None:
            if reseller_id not in (None, staged[0].reseller_id):
                raise PurchaseOrderNotFound(purchase_order_id)
            return staged[0]
        row = self._store._fetchone(
            *_by_id(
                self._store, "purchase_orders", "purchase_order_id", purchase_order_id, reseller_id
            )
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


# Keeps the later of the stored activity time and the new one (two parameters).
_LATER_ACTIVITY = "activity_at = CASE WHEN activity_at >= ? THEN activity_at ELSE ? END"
_EPOCH = datetime.min.replace(tzinfo=UTC)

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
        self.staged_keys: dict[tuple[str, str], IdempotencyRecord] = {}  # (reseller, key)
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
        quote_rows, order_rows = self._read_rows()
        events = [
            (e.aggregate_kind, e.aggregate_id, e.name, dumps(event_to_dict(e), "event"))
            for e in self.staged_events
        ]
        carts = [_CartWrite.of(cart) for cart in self.staged_carts.values()]
        purchase_orders = [
            (po, new, dumps(purchase_order_to_dict(po), "purchase order"))
            for po, new in self.staged_purchase_orders.values()
        ]
        staged = quotes or orders or events or self.staged_keys or carts or purchase_orders
        if staged or self.staged_outbox or self.staged_documents:
            with self.store._connection() as conn:
                try:
                    with self.store._dialect.transaction(conn):
                        self._apply(conn, quotes, orders, events, quote_rows, order_rows)
                        self._apply_purchasing(conn, carts, purchase_orders)
                except _Duplicate as duplicate:
                    raise self._already_accepted(conn, duplicate.order) from None
        for quote, is_new, _ in quotes:
            if not is_new:
                quote.revision += 1
        for order, is_new, _ in orders:
            if not is_new:
                order.revision += 1
        for write in carts:
            write.cart.revision += 1  # a new cart is stored at revision 1, like the memory's
            write.cart.changes_saved()
        for purchase_order, is_new, _ in purchase_orders:
            if not is_new:
                purchase_order.revision += 1
        self._clear()

    def _apply_purchasing(
        self,
        conn: Connection,
        carts: list[_CartWrite],
        purchase_orders: list[tuple[PurchaseOrder, bool, str]],
    ) -> None:
        p = self.store._p
        js = self.store._dialect.json_param
        for write in carts:
            self._write_cart(conn, write)
        for purchase_order, is_new, body in purchase_orders:
            key = purchase_order.purchase_order_id
            columns = purchase_order_columns(purchase_order, self.store._dialect)
            if not is_new:
                self._update(
                    conn,
                    "purchase order",
                    purchase_order.reseller_id,
                    key,
                    purchase_order.revision,
                    body,
                    purchase_order.status.value,
                    columns,
                )
                continue
            try:
                conn.execute(
                    p(
                        "INSERT INTO purchase_orders (purchase_order_id, reseller_id, "
                        f"supplier_id, status, number, revision, body, {', '.join(columns)}) "
                        f"VALUES (?, ?, ?, ?, ?, ?, {js}{', ?' * len(columns)})"
                    ),
                    (
                        key,
                        purchase_order.reseller_id,
                        purchase_order.supplier_id,
                        purchase_order.status.value,
                        purchase_order.number,
                        purchase_order.revision,
                        body,
                        *columns.values(),
                    ),
                )
            except self.store._dialect.integrity_error:
                raise ConcurrencyError("purchase order", key, purchase_order.revision) from None

    def _write_cart(self, conn: Connection, write: _CartWrite) -> None:
        """The cart row under its optimistic lock first (on PostgreSQL it also locks the
        row), then only the lines the cart changed, or all of them for a whole cart."""
        p = self.store._p
        cart = write.cart
        last: int | None = None  # the place of the last stored line
        if cart.revision == 0:  # none stored yet: the first save creates it
            try:
                conn.execute(
                    p("INSERT INTO carts (reseller_id, revision, line_counter) VALUES (?, 1, ?)"),
                    (cart.reseller_id, cart.line_counter),
                )
            except self.store._dialect.integrity_error:
                raise ConcurrencyError("cart", cart.reseller_id, cart.revision) from None
        else:
            # Returns the last line's place too: new lines go after it.
            rows = conn.execute(
                p(
                    "UPDATE carts SET revision = revision + 1, line_counter = ? "
                    "WHERE reseller_id = ? AND revision = ? RETURNING (SELECT max(seq) "
                    "FROM cart_lines WHERE cart_lines.reseller_id = carts.reseller_id)"
                ),
                (cart.line_counter, cart.reseller_id, cart.revision),
            ).fetchall()
            if len(rows) != 1:
                raise ConcurrencyError("cart", cart.reseller_id, cart.revision)
            last = rows[0][0]
        if write.whole and cart.revision != 0:
            conn.execute(p("DELETE FROM cart_lines WHERE reseller_id = ?"), (cart.reseller_id,))
        for start in range(0, len(write.removed), 500):
            removed = write.removed[start : start + 500]
            conn.execute(
                p(
                    "DELETE FROM cart_lines WHERE reseller_id = ? "
                    f"AND line_id IN ({', '.join('?' for _ in removed)})"
                ),
                (cart.reseller_id, *removed),
            )
        if not write.lines:
            return
        # New lines go after every stored one, in the order made; a changed line keeps
        # its place (the upsert leaves seq alone). One statement per 500 lines.
        seq = 0 if write.whole or last is None else int(last)
        row = f"(?, ?, ?, ?, {self.store._dialect.json_param})"
        for start in range(0, len(write.lines), 500):
            chunk = write.lines[start : start + 500]
            params: list[Any] = []
            for line_id, product_id, body in chunk:
                seq += 1
                params += [cart.reseller_id, line_id, seq, product_id, body]
            conn.execute(
                p(
                    "INSERT INTO cart_lines (reseller_id, line_id, seq, product_id, body) "
                    f"VALUES {', '.join(row for _ in chunk)} ON CONFLICT (reseller_id, line_id) "
                    "DO UPDATE SET product_id = excluded.product_id, body = excluded.body"
                ),
                params,
            )

    def _apply(
        self,
        conn: Connection,
        quotes: list[tuple[Quote, bool, str]],
        orders: list[tuple[Order, bool, str]],
        events: list[tuple[str, str, str, str]],
        quote_rows: dict[str, dict[str, Any]],
        order_rows: dict[str, tuple[dict[str, Any], dict[str, Any] | None]],
    ) -> None:
        p = self.store._p
        js = self.store._dialect.json_param
        for quote, is_new, body in quotes:
            if is_new:
                self._insert_quote(conn, quote, body, quote_rows[quote.quote_id])
            else:
                # The token hash column follows the body: a rotated link resolves at once.
                self._update(
                    conn,
                    "quote",
                    quote.reseller_id,
                    quote.quote_id,
                    quote.revision,
                    body,
                    quote.status.value,
                    {**quote_rows[quote.quote_id], "token_hash": quote.link_token_hash},
                )
        for order, is_new, body in orders:
            columns, card = order_rows[order.order_id]
            if is_new:
                self._insert_order(conn, order, body, columns)
            else:
                self._update(
                    conn,
                    "order",
                    order.reseller_id,
                    order.order_id,
                    order.revision,
                    body,
                    order.status.value,
                    columns,
                )
            if card is not None:
                self._update_card(conn, order, card)
        for record in self.staged_keys.values():
            try:
                conn.execute(
                    p(
                        "INSERT INTO idempotency_keys "
                        "(reseller_id, key, command, fingerprint, result_id) VALUES (?, ?, ?, ?, ?)"
                    ),
                    (
                        record.reseller_id,
                        record.key,
                        record.command,
                        record.fingerprint,
                        record.result_id,
                    ),
                )
            except self.store._dialect.integrity_error:
                raise ConcurrencyError("idempotency key", record.key, 0) from None
        for kind, aggregate_id, name, body in events:
            conn.execute(
                p(
                    "INSERT INTO events (reseller_id, aggregate_kind, aggregate_id, name, body) "
                    f"VALUES (?, ?, ?, ?, {js})"
                ),
                (self._owner(conn, kind, aggregate_id), kind, aggregate_id, name, body),
            )
        for entry, body, next_attempt_at, claimed_until in self.staged_outbox:
            self._insert_outbox(conn, entry, body, next_attempt_at, claimed_until)
        if self.staged_outbox:
            self.store._dialect.outbox_queued(conn)
        for document, body in self.staged_documents:
            try:
                conn.execute(
                    p(
                        "INSERT INTO documents "
                        "(reseller_id, document_id, aggregate_kind, aggregate_id, body) "
                        f"VALUES (?, ?, ?, ?, {js})"
                    ),
                    (
                        self._owner(conn, document.aggregate_kind, document.aggregate_id),
                        document.document_id,
                        document.aggregate_kind,
                        document.aggregate_id,
                        body,
                    ),
                )
            except self.store._dialect.integrity_error:
                raise ConcurrencyError("document", document.document_id, 0) from None

    def _owner(self, conn: Connection, kind: str, aggregate_id: str) -> str:
        """The reseller of the aggregate an event or document belongs to.

        It is staged in this unit of work (events and documents commit with their
        aggregate); otherwise its row is looked up by its unique id.
        """
        if kind == "cart":  # a cart's id is its reseller's id
            return aggregate_id
        by_kind: dict[str, dict[str, Any]] = {
            "quote": self.staged_quotes,
            "order": self.staged_orders,
            "purchase_order": self.staged_purchase_orders,
        }
        staged = by_kind.get(kind, {})
        if aggregate_id in staged:
            return str(staged[aggregate_id][0].reseller_id)
        table, id_column = _TABLES.get(kind.replace("_", " "), ("", ""))
        if not table:
            return ""
        row = conn.execute(
            self.store._p(f"SELECT reseller_id FROM {table} WHERE {id_column} = ?"),
            (aggregate_id,),
        ).fetchone()
        return "" if row is None else str(row[0])

    def _already_accepted(self, conn: Connection, order: Order) -> Exception:
        """The error for an order insert that hit a unique constraint (after the rollback)."""
        row = conn.execute(
            self.store._p(
                "SELECT order_id FROM orders "
                "WHERE reseller_id = ? AND quote_id = ? AND quote_version = ?"
            ),
            (order.reseller_id, order.quote_id, order.quote_version),
        ).fetchone()
        if row is None:  # the clash was on the order id, not on the quote version
            return ConcurrencyError("order", order.order_id, order.revision)
        return AlreadyAccepted(order.quote_id, order.quote_version, row[0])

    def _read_rows(
        self,
    ) -> tuple[dict[str, dict[str, Any]], dict[str, tuple[dict[str, Any], dict[str, Any] | None]]]:
        """The read columns of every staged quote and order (see :mod:`.read_rows`).

        A row's activity time is the latest of the times on the aggregate and of the
        events committed with it; SQL keeps the later of that and the stored one.
        """
        dialect = self.store._dialect
        times: dict[tuple[str, str], datetime] = {}
        for event in self.staged_events:
            key = (event.aggregate_kind, event.aggregate_id)
            times[key] = max(times.get(key, event.occurred_at), event.occurred_at)
        quote_rows: dict[str, dict[str, Any]] = {}
        for quote, is_new in self.staged_quotes.values():
            columns = quote_columns(quote, dialect)
            if is_new or quote.status is not QuoteStatus.WON:
                # A won quote's card shows its order: the order's write keeps it.
                staged = self.staged_orders.get(quote.order_id or "")
                columns |= card_columns(quote, staged[0] if staged else None)
            activity = max(quote_activity(quote), times.get(("quote", quote.quote_id), _EPOCH))
            columns["activity_at"] = dialect.timestamp(activity)
            quote_rows[quote.quote_id] = columns
        order_rows: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {}
        for order, is_new in self.staged_orders.values():
            activity = max(order_activity(order), times.get(("order", order.order_id), _EPOCH))
            if is_new:
                try:
                    its_quote: Quote | None = self.quotes.get(order.quote_id)
                except QuoteNotFound:  # an order stored on its own (imports, tests)
                    its_quote = None
                columns = order_columns(order, its_quote, dialect)
                card = None
                if its_quote is not None and order_column(order) is not None:
                    card = card_columns(its_quote, order)
            else:
                columns = {}
                card = order_card_columns(order)
            columns["activity_at"] = dialect.timestamp(activity)
            if card is not None:
                card["activity_at"] = columns["activity_at"]
            order_rows[order.order_id] = (columns, card)
        return quote_rows, order_rows

    def _insert_quote(
        self, conn: Connection, quote: Quote, body: str, columns: dict[str, Any]
    ) -> None:
        names = ", ".join(columns)  # the read-row module's column names
        marks = ", ".join("?" for _ in columns)
        try:
            conn.execute(
                self.store._p(
                    "INSERT INTO quotes (quote_id, reseller_id, status, token_hash, "
                    f"revision, body, {names}) VALUES (?, ?, ?, ?, ?, "
                    f"{self.store._dialect.json_param}, {marks})"
                ),
                (
                    quote.quote_id,
                    quote.reseller_id,
                    quote.status.value,
                    quote.link_token_hash,
                    quote.revision,
                    body,
                    *columns.values(),
                ),
            )
        except self.store._dialect.integrity_error:
            raise ConcurrencyError("quote", quote.quote_id, quote.revision) from None

    def _insert_order(
        self, conn: Connection, order: Order, body: str, columns: dict[str, Any]
    ) -> None:
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        try:
            conn.execute(
                self.store._p(
                    "INSERT INTO orders (order_id, reseller_id, quote_id, "
                    f"quote_version, status, revision, body, {names}) "
                    f"VALUES (?, ?, ?, ?, ?, ?, {self.store._dialect.json_param}, {marks})"
                ),
                (
                    order.order_id,
                    order.reseller_id,
                    order.quote_id,
                    order.quote_version,
                    order.status.value,
                    order.revision,
                    body,
                    *columns.values(),
                ),
            )
        except self.store._dialect.integrity_error:
            # Which constraint failed is read after the rollback (see _already_accepted).
            raise _Duplicate(order) from None

    def _update(
        self,
        conn: Connection,
        kind: str,
        reseller_id: str,
        object_id: str,
        revision: int,
        body: str,
        status: str,
        columns: dict[str, Any],
    ) -> None:
        """Update a row under its optimistic lock; ``columns``: more indexed columns to set."""
        table, id_column = _TABLES[kind]
        columns = dict(columns)
        activity = columns.pop("activity_at", None)
        assignments = "".join(f", {name} = ?" for name in columns)
        params: list[Any] = [body, status, *columns.values()]
        if activity is not None:
            assignments += f", {_LATER_ACTIVITY}"
            params += [activity, activity]
        cursor = conn.execute(
            self.store._p(
                f"UPDATE {table} SET body = {self.store._dialect.json_param}, status = ?"
                f"{assignments}, revision = revision + 1 "
                f"WHERE reseller_id = ? AND {id_column} = ? AND revision = ?"
            ),
            (*params, reseller_id, object_id, revision),
        )
        if cursor.rowcount != 1:
            raise ConcurrencyError(kind, object_id, revision)

    def _update_card(self, conn: Connection, order: Order, card: dict[str, Any]) -> None:
        """Show ``order`` on its quote's card, while it is the quote's current order."""
        card = dict(card)
        activity = card.pop("activity_at")
        assignments = "".join(f"{name} = ?, " for name in card)
        conn.execute(
            self.store._p(
                f"UPDATE quotes SET {assignments}{_LATER_ACTIVITY} "
                "WHERE reseller_id = ? AND quote_id = ? AND order_id = ?"
            ),
            (*card.values(), activity, activity, order.reseller_id, order.quote_id, order.order_id),
        )

    def _insert_outbox(
        self,
        conn: Connection,
        entry: OutboxEntry,
        body: str,
        next_attempt_at: Any,
        claimed_until: Any,
    ) -> None:
        dialect = self.store._dialect
        # due_at: from when the entry may be claimed (see SqlOutboxStore.claim)
        times = [t for t in (entry.next_attempt_at, entry.claimed_until) if t is not None]
        due_at = dialect.timestamp(max(times)) if times else None
        try:
            conn.execute(
                self.store._p(
                    "INSERT INTO outbox (reseller_id, entry_id, status, attempts, "
                    "next_attempt_at, last_error, claimed_by, claimed_until, due_at, body) "
                    f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, {dialect.earliest}), "
                    f"{dialect.json_param})"
                ),
                (
                    entry.reseller_id,
                    entry.entry_id,
                    entry.status.value,
                    entry.attempts,
                    next_attempt_at,
                    entry.last_error,
                    entry.claimed_by,
                    claimed_until,
                    due_at,
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
