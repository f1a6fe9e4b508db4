"""A SQL store inside the host's own transaction: :meth:`SqlStore.bind`.

The bound store runs every statement on the host's connection and never commits or rolls
back the host's transaction. A unit of work's commit becomes a savepoint: its checks
(optimistic locks, uniqueness) and writes happen at once, a refused commit rolls back to
the savepoint (so the host's own writes stay, and its transaction stays usable), and an
accepted one is released into the host's transaction. The host's commit makes both
durable together; the host's rollback undoes both.

Accepted connections: a ``sqlite3.Connection``, a ``psycopg.Connection``, or a SQLAlchemy
``Connection`` / ``Session`` on either driver (unwrapped to its DB-API connection, without
importing SQLAlchemy).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from quote2order.adapters._sql.dialect import Connection, Dialect
from quote2order.errors import StorageError, ValidationError

if TYPE_CHECKING:
    from quote2order.adapters._sql.store import SqlStore

__all__ = ["bind", "dbapi_connection"]

S = TypeVar("S", bound="SqlStore")

_SAVEPOINT = "quote2order_unit_of_work"


def dbapi_connection(connection: Any) -> Any:
    """The DB-API connection behind ``connection`` (SQLAlchemy Session or Connection)."""
    if callable(getattr(connection, "get_bind", None)) and callable(
        getattr(connection, "connection", None)
    ):
        connection = connection.connection()  # a Session: its Connection (begins if needed)
    fairy = getattr(connection, "connection", None)  # a SQLAlchemy Connection's pool proxy
    dbapi = getattr(fairy, "dbapi_connection", None)
    if dbapi is not None:
        return dbapi
    if not callable(getattr(connection, "execute", None)):
        raise ValidationError(
            f"bind() needs a sqlite3 or psycopg connection (or a SQLAlchemy Connection or "
            f"Session on one), not {type(connection).__name__}"
        )
    return connection


def _join(raw: Any) -> None:
    """Make sure ``raw`` is inside a transaction the host will end (commit or roll back)."""
    if hasattr(raw, "in_transaction") and hasattr(raw, "isolation_level"):  # sqlite3
        if not raw.in_transaction:
            # Nothing open yet (a fresh connection, or one in autocommit mode): open the
            # transaction the host's commit() or rollback() will end.
            raw.execute("BEGIN")
        return
    info = getattr(raw, "info", None)  # psycopg
    status = getattr(getattr(info, "transaction_status", None), "name", "")
    if status == "IDLE" and getattr(raw, "autocommit", False):
        raise ValidationError(
            "the host connection is in autocommit mode outside a transaction: open one "
            "first (with conn.transaction(): ...), or nothing would be atomic"
        )


class _HostPool:
    """Hands out the host's one connection, a thread at a time; never closes it."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._lock = threading.RLock()
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        if self._closed:
            raise StorageError("the bound store is closed")
        with self._lock:
            _join(self._raw)
            yield self._raw

    def close(self) -> None:
        self._closed = True  # the connection is the host's: it stays open


class _HostDialect(Dialect):
    """The store's dialect, with savepoints instead of transactions of its own."""

    def __init__(self, inner: Dialect) -> None:
        self._inner = inner
        self.migrations_folder = inner.migrations_folder
        self.json_param = inner.json_param
        self.claim_lock = inner.claim_lock
        self.search_tables = inner.search_tables
        self.driver_errors = inner.driver_errors
        self.integrity_error = inner.integrity_error

    def connect(self) -> Connection:  # pragma: no cover - the host's pool never connects
        raise StorageError("a bound store uses the host's connection only")

    def transaction(self, conn: Connection) -> AbstractContextManager[None]:
        return self._savepoint(conn)

    @contextmanager
    def _savepoint(self, conn: Connection) -> Iterator[None]:
        conn.execute(f"SAVEPOINT {_SAVEPOINT}", ())
        try:
            yield
        except BaseException:
            conn.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}", ())
            conn.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}", ())
            raise
        conn.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}", ())

    def translate(self, exc: Exception) -> StorageError:
        return self._inner.translate(exc)

    def run_script(self, conn: Connection, sql: str) -> None:
        self._inner.run_script(conn, sql)

    def migrations_table(self) -> str:
        return self._inner.migrations_table()

    def lock_migrations(self, conn: Connection) -> None:
        self._inner.lock_migrations(conn)

    def outbox_queued(self, conn: Connection) -> None:
        self._inner.outbox_queued(conn)

    def search_indexes(self, conn: Connection) -> None:
        self._inner.search_indexes(conn)

    def sql(self, sql: str) -> str:
        return self._inner.sql(sql)

    def load_json(self, value: Any) -> Any:
        return self._inner.load_json(value)

    def timestamp(self, value: datetime | None) -> Any:
        return self._inner.timestamp(value)

    def parse_timestamp(self, value: Any) -> datetime | None:
        return self._inner.parse_timestamp(value)


def bind(store: S, connection: Any) -> S:
    """``store`` working on the host's ``connection`` and inside its transaction."""
    raw = dbapi_connection(connection)
    bound = copy.copy(store)
    bound._dialect = _HostDialect(store._dialect)
    bound._pool = _HostPool(raw)  # type: ignore[assignment]
    return bound
