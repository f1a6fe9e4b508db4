"""What the SQL adapters need of a database driver, and what differs between databases."""

from __future__ import annotations

import abc
import importlib.resources
import re
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, Protocol

from quote2order.errors import StorageError

__all__ = ["Connection", "Cursor", "Dialect", "Migration", "load_migrations"]


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
    #: after ``FROM outbox`` in the claim: names its index where the planner might not
    claim_index: str = ""
    #: an SQL literal that sorts before every timestamp (the outbox's "due at once")
    earliest: str = "''"
    #: the body of an outbox entry without its secret customer link (see ports.OutboxEntry)
    body_without_link: str = "json_remove(body, '$.payload.link')"
    #: whether ``quotes_search`` / ``orders_search`` trigram tables (SQLite FTS5) find the
    #: candidates of a text search; otherwise the search column's own index (if any) does
    search_tables: bool = False
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

    def search_indexes(self, conn: Connection) -> None:  # noqa: B027 - optional hook
        """Index the search columns where that needs more than the migration's SQL
        (migration 0008, inside its transaction)."""

    def outbox_queued(self, conn: Connection) -> None:  # noqa: B027 - optional hook
        """Called inside the transaction that queued outbox entries (to wake dispatchers)."""

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

    def day(self, value: date) -> Any:
        """A date as a parameter for a comparable column."""
        return value

    def parse_date(self, value: Any) -> date:
        """A date column's value as a date."""
        return value  # type: ignore[no-any-return]

    def usable(self, conn: Connection) -> bool:
        """False for a connection that must not go back to the pool."""
        return True
