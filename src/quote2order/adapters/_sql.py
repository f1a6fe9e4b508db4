"""The unit of work, repositories, outbox store and migration runner shared by the SQL adapters.

The SQLite and PostgreSQL adapters differ only in a :class:`Dialect`: how to connect, begin
a transaction, claim outbox rows, pass JSON and timestamps, and translate driver errors.

A unit of work reads without holding a transaction and stages its writes, like the memory
store; :meth:`SqlUnitOfWork.commit` applies them in one short transaction whose
``UPDATE ... WHERE revision = ?`` statements are the optimistic lock. Locks are held only
for the few milliseconds of a commit, and a unit of work never pins a connection, so
nested units of work in one thread (or one shared ``:memory:`` connection) work.
"""

from __future__ import annotations

import abc
import importlib.resources
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self

from quote2order.adapters._codec import (
    document_from_dict,
    document_to_dict,
    dumps,
    order_from_dict,
    order_to_dict,
    outbox_from_dict,
    outbox_to_dict,
    quote_from_dict,
    quote_to_dict,
)
from quote2order.errors import (
    AlreadyAccepted,
    ConcurrencyError,
    NotFound,
    OrderNotFound,
    QuoteNotFound,
    StorageError,
)
from quote2order.events import DomainEvent, event_from_dict, event_to_dict
from quote2order.orders import Order
from quote2order.ports import DocumentRecord, IdempotencyRecord, OutboxEntry, OutboxStatus
from quote2order.quotes import Quote

__all__ = ["Connection", "Cursor", "Dialect", "Migration", "SqlOutboxStore", "SqlStore"]


class Cursor(Protocol):
    """The part of a DB-API cursor the adapters use."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """The part of a DB-API connection the adapters use (sqlite3 and psycopg 3 share it)."""

    def execute(self, sql: Any, parameters: Any = ..., /) -> Cursor: ...

    def close(self) -> None: ...


class Migration:
    """One schema migration file: ``NNNN_name.sql``, applied in number order."""

    def __init__(self, version: int, name: str, sql: str) -> None:
        self.version = version
        self.name = name
        self.sql = sql

    def __repr__(self) -> str:
        return f"Migration({self.version}, {self.name!r})"


_MIGRATION_FILE = re.compile(r"^(\d{4})_(\w+)\.sql$")


def load_migrations(folder: str) -> list[Migration]:
    """The migrations shipped in ``quote2order/adapters/migrations/<folder>``, in order."""
    root = importlib.resources.files("quote2order.adapters").joinpath("migrations", folder)
    found = []
    for item in root.iterdir():
        match = _MIGRATION_FILE.match(item.name)
        if match:
            found.append(Migration(int(match[1]), item.name, item.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


class Dialect(abc.ABC):
    """What differs between SQL databases; everything else lives in this module."""

    #: folder of the migrations under ``adapters/migrations``
    migrations_folder: str
    #: how a JSON body is passed as a parameter (``?`` or ``?::jsonb``)
    json_param: str = "?"
    #: appended to the outbox claim's inner SELECT (``FOR UPDATE SKIP LOCKED``)
    claim_lock: str = ""
    #: the exception classes of the driver, translated by :meth:`translate`
    driver_errors: tuple[type[Exception], ...]
    #: the exception class of unique-constraint violations
    integrity_error: type[Exception]

    @abc.abstractmethod
    def connect(self) -> Connection:
        """A new connection in autocommit mode, ready to use."""

    @abc.abstractmethod
    def transaction(self, conn: Connection) -> AbstractContextManager[None]:
        """A write transaction on ``conn``: commits on success, rolls back on an error."""

    @abc.abstractmethod
    def translate(self, exc: Exception) -> StorageError:
        """The library's error for a driver error."""

    @abc.abstractmethod
    def run_script(self, conn: Connection, sql: str) -> None:
        """Execute a migration file (several statements) inside the current transaction."""

    @abc.abstractmethod
    def migrations_table(self) -> str:
        """DDL creating the ``schema_migrations`` table if it does not exist."""

    def lock_migrations(self, conn: Connection) -> None:  # noqa: B027 - optional hook
        """Serialize migration runs of concurrent processes (inside the transaction)."""

    def sql(self, sql: str) -> str:
        """``sql``, written with ``?`` placeholders, in the driver's parameter style."""
        return sql

    def load_json(self, value: Any) -> Any:
        """A JSON column's value as Python data."""
        return value

    def timestamp(self, value: datetime | None) -> Any:
        """A timestamp as a parameter for a comparable column."""
        return value

    def parse_timestamp(self, value: Any) -> datetime | None:
        """A comparable timestamp column's value as a datetime."""
        return value  # type: ignore[no-any-return]

    def usable(self, conn: Connection) -> bool:
        """False for a connection that must not go back to the pool."""
        return True


class _Pool:
    """Idle connections, reused by one operation at a time; ``single`` shares one connection."""

    def __init__(self, dialect: Dialect, *, max_idle: int, single: bool) -> None:
        self._dialect = dialect
        self._max_idle = max_idle
        self._idle: list[Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._single: Connection | None = None
        # A ``:memory:`` database lives in one connection: operations take turns on it.
        self._single_lock: threading.Lock | None = threading.Lock() if single else None

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection for one operation (a read, a commit, a sequence step)."""
        if self._closed:
            raise StorageError("the store is closed")
        if self._single_lock is not None:
            with self._single_lock:
                if self._single is None:
                    self._single = self._dialect.connect()
                yield self._single
            return
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._dialect.connect()
        try:
            yield conn
        finally:
            self._give_back(conn)

    def _give_back(self, conn: Connection) -> None:
        with self._lock:
            keep = not self._closed and len(self._idle) < self._max_idle
            if keep and self._dialect.usable(conn):
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        """Close every idle connection; connections in use close when given back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
        if self._single_lock is not None:
            with self._single_lock:
                if self._single is not None:
                    self._single.close()
                    self._single = None


class SqlStore:
    """A store on a SQL database: units of work, the outbox store and migrations."""

    def __init__(
        self, dialect: Dialect, *, migrate: bool, max_idle: int = 16, single: bool = False
    ) -> None:
        self._dialect = dialect
        self._pool = _Pool(dialect, max_idle=max_idle, single=single)
        if migrate:
            self.migrate()

    # -- plumbing shared with the unit of work -------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        try:
            with self._pool.connection() as conn:
                yield conn
        except self._dialect.driver_errors as exc:
            raise self._dialect.translate(exc) from None

    def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._connection() as conn:
            return conn.execute(sql, params).fetchone()

    def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._connection() as conn:
            return conn.execute(sql, params).fetchall()

    # -- public --------------------------------------------------------------------------

    def unit_of_work(self) -> SqlUnitOfWork:
        """A new unit of work over this store."""
        return SqlUnitOfWork(self)

    __call__ = unit_of_work

    @property
    def outbox_store(self) -> SqlOutboxStore:
        """The outbox as a dispatcher sees it."""
        return SqlOutboxStore(self)

    def migrations(self) -> list[Migration]:
        """Every migration this version of the library ships for the database, in order."""
        return load_migrations(self._dialect.migrations_folder)

    def applied_migrations(self) -> list[str]:
        """Names of the migrations applied to the database, in order."""
        with self._connection() as conn:
            conn.execute(self._dialect.migrations_table())
            rows = conn.execute(
                "SELECT name FROM schema_migrations ORDER BY version", ()
            ).fetchall()
        return [row[0] for row in rows]

    def migrate(self, *, up_to: int | None = None) -> list[str]:
        """Apply the migrations not applied yet (up to version ``up_to``); returns their names.

        Each migration runs in its own transaction with its ``schema_migrations`` row, so a
        failed one leaves the schema at the previous version. Concurrent processes that open
        the same database wait for each other; each migration runs once.
        """
        dialect = self._dialect
        wanted = [m for m in self.migrations() if up_to is None or m.version <= up_to]
        applied_now: list[str] = []
        with self._connection() as conn:
            # Opening an up-to-date database only reads: no write lock, no waiting.
            if {m.version for m in wanted} <= self._applied_versions(conn):
                return applied_now
            with dialect.transaction(conn):
                dialect.lock_migrations(conn)
                conn.execute(dialect.migrations_table(), ())
            for migration in wanted:
                with dialect.transaction(conn):
                    dialect.lock_migrations(conn)
                    done = conn.execute(
                        self._p("SELECT 1 FROM schema_migrations WHERE version = ?"),
                        (migration.version,),
                    ).fetchone()
                    if done is not None:
                        continue
                    dialect.run_script(conn, migration.sql)
                    conn.execute(
                        self._p("INSERT INTO schema_migrations (version, name) VALUES (?, ?)"),
                        (migration.version, migration.name),
                    )
                applied_now.append(migration.name)
        return applied_now

    def _applied_versions(self, conn: Connection) -> set[int]:
        try:
            rows = conn.execute("SELECT version FROM schema_migrations", ()).fetchall()
        except self._dialect.driver_errors:  # no table yet: a new database
            return set()
        return {row[0] for row in rows}

    def _p(self, sql: str) -> str:
        """``sql`` (written with ``?`` placeholders) in the dialect's parameter style."""
        return self._dialect.sql(sql)

    def close(self) -> None:
        """Close the store's connections; units of work made later fail."""
        self._pool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# -- repositories ----------------------------------------------------------------------------


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

    def list(self, *, reseller_id: str | None = None) -> Sequence[Order]:
        if reseller_id is None:
            rows = self._store._fetchall("SELECT body, revision FROM orders ORDER BY seq")
        else:
            rows = self._store._fetchall(
                self._store._p(
                    "SELECT body, revision FROM orders WHERE reseller_id = ? ORDER BY seq"
                ),
                (reseller_id,),
            )
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
        self.quotes = _Quotes(self)
        self.orders = _Orders(self)
        self.events = _Events(self)
        self.sequences = _Sequences(store)
        self.idempotency = _Idempotency(self)
        self.outbox = _Outbox(self)
        self.documents = _Documents(self)

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
        store = self.store
        dialect = store._dialect
        p = store._p
        js = dialect.json_param
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
        duplicate_order: Order | None = None
        with store._connection() as conn:
            try:
                with dialect.transaction(conn):
                    for quote, is_new, body in quotes:
                        self._write_quote(conn, quote, is_new, body)
                    for order, is_new, body in orders:
                        if is_new and not self._insert_order(conn, order, body):
                            duplicate_order = order
                            raise _Duplicate
                        if not is_new:
                            self._update(
                                conn,
                                "order",
                                order.order_id,
                                order.revision,
                                body,
                                order.status.value,
                            )
                    for record in self.staged_keys.values():
                        try:
                            conn.execute(
                                p(
                                    "INSERT INTO idempotency_keys (key, command, fingerprint, "
                                    "result_id) VALUES (?, ?, ?, ?)"
                                ),
                                (record.key, record.command, record.fingerprint, record.result_id),
                            )
                        except dialect.integrity_error:
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
                    for document, body in self.staged_documents:
                        conn.execute(
                            p(
                                "INSERT INTO documents (document_id, aggregate_kind, "
                                f"aggregate_id, body) VALUES (?, ?, ?, {js})"
                            ),
                            (
                                document.document_id,
                                document.aggregate_kind,
                                document.aggregate_id,
                                body,
                            ),
                        )
            except _Duplicate:
                assert duplicate_order is not None
                row = conn.execute(
                    p("SELECT order_id FROM orders WHERE quote_id = ? AND quote_version = ?"),
                    (duplicate_order.quote_id, duplicate_order.quote_version),
                ).fetchone()
                if row is None:  # the clash was on the order id, not on the quote version
                    raise ConcurrencyError(
                        "order", duplicate_order.order_id, duplicate_order.revision
                    ) from None
                raise AlreadyAccepted(
                    duplicate_order.quote_id, duplicate_order.quote_version, row[0]
                ) from None
        for quote, is_new, _ in quotes:
            if not is_new:
                quote.revision += 1
        for order, is_new, _ in orders:
            if not is_new:
                order.revision += 1
        self._clear()

    def _write_quote(self, conn: Connection, quote: Quote, is_new: bool, body: str) -> None:
        p = self.store._p
        if not is_new:
            self._update(conn, "quote", quote.quote_id, quote.revision, body, quote.status.value)
            return
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

    def _insert_order(self, conn: Connection, order: Order, body: str) -> bool:
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
            return False
        return True

    def _update(
        self, conn: Connection, kind: str, object_id: str, revision: int, body: str, status: str
    ) -> None:
        table = "quotes" if kind == "quote" else "orders"
        cursor = conn.execute(
            self.store._p(
                f"UPDATE {table} SET body = {self.store._dialect.json_param}, status = ?, "
                f"revision = revision + 1 WHERE {kind}_id = ? AND revision = ?"
            ),
            (body, status, object_id, revision),
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
        conn.execute(
            self.store._p(
                "INSERT INTO outbox (entry_id, status, attempts, next_attempt_at, last_error, "
                f"claimed_by, claimed_until, body) VALUES (?, ?, ?, ?, ?, ?, ?, {dialect.json_param})"
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


class _Duplicate(Exception):
    """Internal: an order insert hit a unique constraint; the transaction rolls back."""


# -- the dispatcher's outbox -------------------------------------------------------------------

_OUTBOX_COLUMNS = (
    "body, status, attempts, next_attempt_at, last_error, claimed_by, claimed_until, seq"
)


class SqlOutboxStore:
    """The dispatcher's view of a SQL store's outbox; each method is one transaction."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._dialect = store._dialect

    def _entry(self, row: Any) -> OutboxEntry:
        d = self._dialect
        return outbox_from_dict(
            d.load_json(row[0]),
            status=OutboxStatus(row[1]),
            attempts=row[2],
            next_attempt_at=d.parse_timestamp(row[3]),
            last_error=row[4],
            claimed_by=row[5],
            claimed_until=d.parse_timestamp(row[6]),
        )

    def claim(
        self, *, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[OutboxEntry]:
        """Atomically lease up to ``limit`` due pending entries to ``worker``."""
        d = self._dialect
        ts_now = d.timestamp(now)
        sql = self._store._p(
            "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE seq IN ("
            "SELECT seq FROM outbox WHERE status = 'pending' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) "
            "AND (claimed_until IS NULL OR claimed_until <= ?) "
            f"ORDER BY seq LIMIT ? {d.claim_lock}) RETURNING {_OUTBOX_COLUMNS}"
        )
        with self._store._connection() as conn, d.transaction(conn):
            rows = conn.execute(
                sql, (worker, d.timestamp(now + lease), ts_now, ts_now, limit)
            ).fetchall()
        rows.sort(key=lambda row: row[7])  # RETURNING does not keep the subquery's order
        return [self._entry(row) for row in rows]

    def _finish(self, entry_id: str, worker: str, assignments: str, params: Sequence[Any]) -> None:
        sql = self._store._p(
            f"UPDATE outbox SET {assignments}, attempts = attempts + 1, claimed_by = NULL, "
            "claimed_until = NULL WHERE entry_id = ? AND claimed_by = ?"
        )
        with self._store._connection() as conn, self._dialect.transaction(conn):
            cursor = conn.execute(sql, (*params, entry_id, worker))
            if cursor.rowcount == 1:
                return
            row = conn.execute(
                self._store._p("SELECT attempts FROM outbox WHERE entry_id = ?"), (entry_id,)
            ).fetchone()
        if row is None:
            raise NotFound("outbox entry", entry_id)
        raise ConcurrencyError("outbox entry", entry_id, row[0])

    def mark_sent(self, entry_id: str, *, worker: str, now: datetime) -> None:
        """Record delivery of a claimed entry."""
        self._finish(entry_id, worker, "status = ?", (OutboxStatus.SENT.value,))

    def mark_retry(
        self, entry_id: str, *, worker: str, error: str, next_attempt_at: datetime
    ) -> None:
        """Count a failed attempt and schedule the next one."""
        self._finish(
            entry_id,
            worker,
            "last_error = ?, next_attempt_at = ?",
            (error, self._dialect.timestamp(next_attempt_at)),
        )

    def mark_failed(self, entry_id: str, *, worker: str, error: str) -> None:
        """Count a failed attempt and give up on the entry."""
        self._finish(
            entry_id, worker, "status = ?, last_error = ?", (OutboxStatus.FAILED.value, error)
        )

    def list(self, status: OutboxStatus | None = None) -> list[OutboxEntry]:
        """Entries (with ``status``), oldest first."""
        if status is None:
            rows = self._store._fetchall(f"SELECT {_OUTBOX_COLUMNS} FROM outbox ORDER BY seq")
        else:
            rows = self._store._fetchall(
                self._store._p(
                    f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE status = ? ORDER BY seq"
                ),
                (status.value,),
            )
        return [self._entry(row) for row in rows]

    def retry_failed(self, entry_id: str, *, now: datetime) -> None:
        """Put a failed entry back to pending with a fresh attempt budget."""
        with self._store._connection() as conn, self._dialect.transaction(conn):
            cursor = conn.execute(
                self._store._p(
                    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ? "
                    "WHERE entry_id = ? AND status = 'failed'"
                ),
                (self._dialect.timestamp(now), entry_id),
            )
            updated = cursor.rowcount
        if updated != 1:
            raise NotFound("failed outbox entry", entry_id)
