"""The SQLite store: every port on one SQLite database, with the standard library's sqlite3.

``SqliteStore("shop.db")`` opens (or creates) the file, switches it to WAL, and applies the
schema migrations it lacks. Each operation borrows a pooled connection, so one store can be
shared by threads, and several processes may open the same file: SQLite's file locks plus
``BEGIN IMMEDIATE`` serialize the short write transactions, and a writer waits up to
``timeout`` seconds for the lock. ``SqliteStore(":memory:")`` keeps everything in one
private in-memory connection, shared (in turn) by the store's threads.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal, cast

from quote2order.adapters._sql import Connection, Dialect, SqlOutboxStore, SqlStore
from quote2order.adapters._sql import SqlUnitOfWork as SqliteUnitOfWork
from quote2order.errors import ConcurrencyError, StorageError, StorageUnavailable, ValidationError

__all__ = ["SqliteOutboxStore", "SqliteStore", "SqliteUnitOfWork"]

SqliteOutboxStore = SqlOutboxStore


class _SqliteDialect(Dialect):
    migrations_folder = "sqlite"
    search_tables = True  # FTS5 trigram tables of migration 0008
    # Without ANALYZE statistics SQLite would pick (status, seq) and read every pending
    # entry, those waiting for a retry too.
    claim_index = "INDEXED BY outbox_due"
    driver_errors = (sqlite3.Error,)
    integrity_error = sqlite3.IntegrityError

    def __init__(self, path: str, timeout: float, synchronous: str) -> None:
        self.path = path
        self.timeout = timeout
        self.synchronous = synchronous

    @property
    def in_memory(self) -> bool:
        return self.path == ":memory:"

    def connect(self) -> Connection:
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self.timeout,
                isolation_level=None,  # autocommit: transactions are begun explicitly
                check_same_thread=False,  # the pool hands a connection to one thread at a time
            )
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            if not self.in_memory:
                self._set_wal(conn)
                conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise self.translate(exc) from None
            raise StorageUnavailable(f"cannot open SQLite database {self.path}: {exc}") from None
        except sqlite3.Error as exc:
            raise StorageUnavailable(f"cannot open SQLite database {self.path}: {exc}") from None
        return cast(Connection, conn)

    def _set_wal(self, conn: sqlite3.Connection) -> None:
        # Switching a new file to WAL needs a moment alone with it; when several processes
        # create the file at once, SQLite may report "locked" without waiting, so wait here.
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    @contextmanager
    def transaction(self, conn: Connection) -> Iterator[None]:
        raw = cast(sqlite3.Connection, conn)
        # IMMEDIATE takes the write lock at once: two writers queue instead of deadlocking
        # on a read lock upgrade.
        raw.execute("BEGIN IMMEDIATE")
        try:
            yield
            raw.execute("COMMIT")
        except BaseException:
            if raw.in_transaction:
                raw.execute("ROLLBACK")
            raise

    def translate(self, exc: Exception) -> StorageError:
        message = str(exc)
        if isinstance(exc, sqlite3.OperationalError):
            if "locked" in message or "busy" in message:
                error = ConcurrencyError("database", self.path, 0)
                error.args = (
                    f"SQLite database {self.path} stayed locked by another writer for "
                    f"{self.timeout} s; retry",
                )
                return error
            if "unable to open" in message or "disk I/O" in message:
                return StorageUnavailable(f"cannot use SQLite database {self.path}: {message}")
        return StorageError(f"SQLite database {self.path}: {message}")

    def run_script(self, conn: Connection, sql: str) -> None:
        # sqlite3 executes one statement per call; executescript would commit first.
        statement = ""
        for line in sql.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                conn.execute(statement, ())
                statement = ""
        if statement.strip() and not all(
            part.strip().startswith("--") or not part.strip() for part in statement.splitlines()
        ):
            raise StorageError(f"incomplete SQL statement in migration: {statement!r}")

    def migrations_table(self) -> str:
        return (
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )

    def load_json(self, value: Any) -> Any:
        return json.loads(value)

    def timestamp(self, value: datetime | None) -> Any:
        # Fixed-width UTC text compares in time order, so SQL can test "due" with <=.
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValidationError(f"a timezone-aware datetime is needed, not {value!r}")
        try:
            return value.astimezone(UTC).isoformat(timespec="microseconds")
        except OverflowError:  # an instant whose UTC time falls outside years 1-9999
            raise ValidationError(f"{value!r} has no UTC time a database can hold") from None

    def parse_timestamp(self, value: Any) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)

    def day(self, value: date) -> Any:
        return value.isoformat()  # sorts as text

    def parse_date(self, value: Any) -> date:
        return date.fromisoformat(value)


class SqliteStore(SqlStore):
    """Every port of quote2order on a SQLite database file (or ``":memory:"``).

    ``timeout`` is how long a writer waits for another one's lock before the unit of work
    fails with ConcurrencyError. ``synchronous="NORMAL"`` (the default with WAL) survives
    a crash of the application; a power cut may lose the last commits, never the database.
    ``"FULL"`` also survives that, at one disk sync per commit. ``migrate=False`` leaves
    the schema alone until :meth:`migrate` is called.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 10.0,
        synchronous: Literal["NORMAL", "FULL"] = "NORMAL",
        migrate: bool = True,
    ) -> None:
        if synchronous not in ("NORMAL", "FULL"):
            raise ValidationError(f"synchronous must be NORMAL or FULL, not {synchronous!r}")
        self.path = os.fspath(path)
        dialect = _SqliteDialect(self.path, timeout, synchronous)
        super().__init__(dialect, migrate=migrate, single=dialect.in_memory)

    def __repr__(self) -> str:
        return f"SqliteStore({self.path!r})"


if TYPE_CHECKING:  # mypy proves that the store's units of work implement the port
    from quote2order.ports import UnitOfWork

    def _implements_unit_of_work(store: SqliteStore) -> UnitOfWork:
        return store.unit_of_work()
