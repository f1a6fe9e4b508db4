"""The PostgreSQL store: every port on a PostgreSQL schema, with psycopg 3.

``PostgresStore("host=db dbname=shop user=app", schema="quote2order")`` creates the
schema if needed and applies the migrations it lacks. Each operation borrows a pooled
connection (autocommit; writes run in one short transaction at commit), so one store
serves many threads; processes each open their own store. The outbox is claimed with
``FOR UPDATE SKIP LOCKED``, so dispatchers never wait for each other.

This is the only module that imports psycopg (the ``quote2order[postgres]`` extra).
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql as pg_sql
from psycopg.conninfo import conninfo_to_dict

from quote2order.adapters._sql import Connection, Dialect, SqlOutboxStore, SqlStore
from quote2order.adapters._sql import SqlUnitOfWork as PostgresUnitOfWork
from quote2order.errors import ConcurrencyError, StorageError, StorageUnavailable, ValidationError

__all__ = [
    "OUTBOX_CHANNEL",
    "PostgresOutboxListener",
    "PostgresOutboxStore",
    "PostgresStore",
    "PostgresUnitOfWork",
]

PostgresOutboxStore = SqlOutboxStore

#: The LISTEN/NOTIFY channel on which commits that queue outbox entries notify.
OUTBOX_CHANNEL = "quote2order_outbox"

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@functools.lru_cache(maxsize=256)
def _format_style(sql: str) -> str:
    return sql.replace("?", "%s")


class _PostgresDialect(Dialect):
    migrations_folder = "postgres"
    json_param = "?::jsonb"
    claim_lock = "FOR UPDATE SKIP LOCKED"  # concurrent dispatchers skip each other's rows
    earliest = "'-infinity'::timestamptz"
    body_without_link = "body #- '{payload,link}'"
    driver_errors = (psycopg.Error,)
    integrity_error = pg_errors.UniqueViolation

    def __init__(self, conninfo: str, schema: str | None, connect_timeout: int) -> None:
        self.conninfo = conninfo
        self.schema = schema
        self.connect_timeout = connect_timeout
        try:
            params = conninfo_to_dict(conninfo)
        except psycopg.Error as exc:
            raise ValidationError(f"bad PostgreSQL connection string: {exc}") from None
        self._password = str(params.get("password") or "")
        host = params.get("host") or params.get("hostaddr") or "localhost"
        port = params.get("port") or "5432"
        dbname = params.get("dbname") or params.get("user") or ""
        #: where the store connects, without the password, for error messages
        self.where = f"{host}:{port}/{dbname}"

    def _clean(self, message: str) -> str:
        message = message.strip().splitlines()[0] if message.strip() else message
        return message.replace(self._password, "***") if self._password else message

    def connect(self) -> Connection:
        try:
            conn = psycopg.connect(
                self.conninfo, autocommit=True, connect_timeout=self.connect_timeout
            )
        except psycopg.Error as exc:
            raise StorageUnavailable(
                f"cannot connect to PostgreSQL at {self.where}: {self._clean(str(exc))}"
            ) from None
        if self.schema is not None:
            conn.execute(pg_sql.SQL("SET search_path TO {}").format(pg_sql.Identifier(self.schema)))
        return cast(Connection, conn)

    @contextmanager
    def transaction(self, conn: Connection) -> Iterator[None]:
        with cast("psycopg.Connection[Any]", conn).transaction():
            yield

    def translate(self, exc: Exception) -> StorageError:
        message = self._clean(str(exc))
        if isinstance(
            exc,
            pg_errors.SerializationFailure
            | pg_errors.DeadlockDetected
            | pg_errors.LockNotAvailable,
        ):
            error = ConcurrencyError("database", self.where, 0)
            error.args = (
                f"PostgreSQL at {self.where}: a concurrent writer won ({message}); retry",
            )
            return error
        if isinstance(exc, psycopg.OperationalError):
            return StorageUnavailable(f"PostgreSQL at {self.where} failed: {message}")
        return StorageError(f"PostgreSQL at {self.where}: {message}")

    def run_script(self, conn: Connection, sql: str) -> None:
        # Without parameters, psycopg sends several statements in one query.
        cast("psycopg.Connection[Any]", conn).execute(cast(Any, sql))

    def migrations_table(self) -> str:
        return (
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
            "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )

    def lock_migrations(self, conn: Connection) -> None:
        conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext('quote2order migrations ' || current_schema()))",
            (),
        )

    def search_indexes(self, conn: Connection) -> None:
        trigrams = _extension(conn, "pg_trgm")
        if trigrams is None:  # not on this server, or not allowed: LIKE without index
            return
        # With btree_gin the index leads with the reseller: a search visits only the
        # reseller's matching rows, not every reseller's (4x fewer heap pages measured).
        by_reseller = "reseller_id, " if _extension(conn, "btree_gin") is not None else ""
        for table in ("quotes", "orders"):
            conn.execute(
                pg_sql.SQL("CREATE INDEX {} ON {} USING gin ({}search {}.gin_trgm_ops)").format(
                    pg_sql.Identifier(f"{table}_search_trgm"),
                    pg_sql.Identifier(table),
                    pg_sql.SQL(by_reseller),
                    pg_sql.Identifier(trigrams),
                ),
                (),
            )

    def outbox_queued(self, conn: Connection) -> None:
        # Delivered at commit (and dropped on rollback); the payload tells listeners on
        # other schemas of the same database that it is not theirs.
        conn.execute("SELECT pg_notify(%s, current_schema())", (OUTBOX_CHANNEL,))

    def sql(self, sql: str) -> str:
        return _format_style(sql)

    def usable(self, conn: Connection) -> bool:
        raw = cast("psycopg.Connection[Any]", conn)
        return (
            not raw.closed
            and not raw.broken
            and raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        )


def _extension_schema(conn: Connection, name: str) -> str | None:
    """The schema of the extension ``name``, or None where it is not installed."""
    row = conn.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = %s",
        (name,),
    ).fetchone()
    return None if row is None else str(row[0])


def _extension(conn: Connection, name: str) -> str | None:
    """The schema of the extension ``name``, created in "public" if the server has it and
    the user may (a trusted extension); None where it cannot be had.

    Never in the store's own schema: a schema dropped with CASCADE would take the
    extension, and every other schema's index that uses it, with it.
    """
    schema = _extension_schema(conn, name)
    if schema is not None:
        return schema
    conn.execute("SAVEPOINT quote2order_extension", ())
    try:
        conn.execute(
            pg_sql.SQL("CREATE EXTENSION IF NOT EXISTS {} SCHEMA public").format(
                pg_sql.Identifier(name)
            ),
            (),
        )
    except psycopg.Error:
        conn.execute("ROLLBACK TO SAVEPOINT quote2order_extension", ())
    conn.execute("RELEASE SAVEPOINT quote2order_extension", ())
    return _extension_schema(conn, name)


class PostgresStore(SqlStore):
    """Every port of quote2order on PostgreSQL: a ``conninfo`` string and an optional schema.

    ``schema`` (a plain identifier) is created if missing and used for every table; None
    uses the connection's ``search_path`` (usually ``public``). Up to ``max_idle``
    connections are kept open between operations. ``migrate=False`` leaves the schema
    alone until :meth:`migrate` is called.
    """

    def __init__(
        self,
        conninfo: str,
        schema: str | None = None,
        *,
        migrate: bool = True,
        max_idle: int = 16,
        connect_timeout: int = 5,
    ) -> None:
        if schema is not None and not _IDENTIFIER.match(schema):
            raise ValidationError(f"schema must be a plain SQL identifier, not {schema!r}")
        self.schema = schema
        dialect = _PostgresDialect(conninfo, schema, connect_timeout)
        self.where = dialect.where
        super().__init__(dialect, migrate=False, max_idle=max_idle)
        if schema is not None:
            self._open(self._create_schema)
        if migrate:
            self._open(self.migrate)

    def _create_schema(self) -> None:
        assert self.schema is not None
        with self._connection() as conn:
            conn.execute(
                pg_sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pg_sql.Identifier(self.schema)),
                (),
            )

    def drop_schema(self) -> None:
        """Drop the store's schema with everything in it (for tests and teardown)."""
        if self.schema is None:
            raise ValidationError("drop_schema needs a store opened with a schema")
        with self._connection() as conn:
            conn.execute(
                pg_sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    pg_sql.Identifier(self.schema)
                ),
                (),
            )

    def __repr__(self) -> str:
        return f"PostgresStore({self.where!r}, schema={self.schema!r})"


class PostgresOutboxListener:
    """Wakes a :class:`~quote2order.notifications.DispatchLoop` when a commit on ``store``'s
    schema queues outbox entries (``LISTEN`` on its own connection).

    Notifications that arrive while the loop is busy wait on the connection, so none is
    missed between two waits.
    """

    def __init__(self, store: PostgresStore) -> None:
        dialect = cast(_PostgresDialect, store._dialect)
        self._dialect = dialect
        raw = cast("psycopg.Connection[Any]", dialect.connect())
        self._conn = raw
        try:
            row = raw.execute("SELECT current_schema()").fetchone()
            self.schema: str = row[0] if row else ""
            raw.execute(pg_sql.SQL("LISTEN {}").format(pg_sql.Identifier(OUTBOX_CHANNEL)))
        except psycopg.Error as exc:
            raw.close()
            raise dialect.translate(exc) from None

    def wait(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds; True once entries were queued on our schema."""
        deadline = time.monotonic() + timeout
        try:
            while (left := deadline - time.monotonic()) > 0:
                for notify in self._conn.notifies(timeout=left, stop_after=1):
                    if notify.payload == self.schema:
                        return True
                    break  # another schema's entries: keep waiting for ours
                else:
                    return False
        except psycopg.Error as exc:
            raise self._dialect.translate(exc) from None
        return False

    def close(self) -> None:
        """Stop listening and close the connection."""
        self._conn.close()


if TYPE_CHECKING:  # mypy proves that the store's units of work implement the port
    from quote2order.ports import UnitOfWork

    def _implements_unit_of_work(store: PostgresStore) -> UnitOfWork:
        return store.unit_of_work()
