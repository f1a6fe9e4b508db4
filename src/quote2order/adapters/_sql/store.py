"""A store on a SQL database: units of work, the outbox store and the migration runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self

from quote2order.adapters._sql import read_rows
from quote2order.adapters._sql.dialect import Connection, Dialect, Migration, load_migrations
from quote2order.adapters._sql.outbox import SqlOutboxStore
from quote2order.adapters._sql.pool import Pool
from quote2order.adapters._sql.queries import SqlQueries
from quote2order.adapters._sql.unit_of_work import SqlUnitOfWork

__all__ = ["SqlStore"]

# Migrations whose new columns are filled by the library (in the migration's transaction),
# because their values need the model's rules, not only SQL.
_BACKFILLS: dict[int, Callable[[Connection, Dialect], None]] = {
    5: read_rows.backfill,
    8: read_rows.search_index_and_purchase_order_rows,
}


class SqlStore:
    """A store on a SQL database: units of work, the outbox store and migrations."""

    def __init__(
        self, dialect: Dialect, *, migrate: bool, max_idle: int = 16, single: bool = False
    ) -> None:
        self._dialect = dialect
        self._pool = Pool(dialect, max_idle=max_idle, single=single)
        #: the read side: board, lists, expiry, by-number lookups
        self.queries = SqlQueries(self)
        if migrate:
            self._open(self.migrate)

    def _open(self, step: Callable[[], object]) -> None:
        """Run a step of opening the store; if it fails, close what was opened."""
        try:
            step()
        except BaseException:
            self.close()
            raise

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

    def bind(self, connection: Any) -> Self:
        """This store on the host's ``connection``, inside the host's transaction.

        ``connection`` is a sqlite3 or psycopg connection, or a SQLAlchemy ``Connection``
        or ``Session`` on one. Units of work of the bound store read and write on it and
        never commit or roll back the host's transaction: the host's commit stores its
        own rows and the library's together, its rollback undoes both. A refused commit
        (a stale revision, a second order) rolls back to a savepoint and leaves the host's
        writes and transaction intact. Bind per transaction; the tables must be reachable
        on the connection (PostgreSQL: its ``search_path``).
        """
        from quote2order.adapters._sql.host import bind

        return bind(self, connection)

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
                    backfill = _BACKFILLS.get(migration.version)
                    if backfill is not None:
                        backfill(conn, dialect)
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
