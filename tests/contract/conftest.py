"""The ``store`` fixture: every contract test runs on each store quote2order ships.

PostgreSQL: 127.0.0.1:5432, database ``test``, trust auth, user ``postgres`` or ``root``
(or the conninfo in ``Q2O_TEST_POSTGRES``);
each test run works in its own schema ``q2o_test_<random>``, dropped at the end. Without
a server the PostgreSQL cases skip, unless the environment variable ``CI`` is set: then
they fail, so that CI can never pass without them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from quote2order.adapters.memory import MemoryStore
from quote2order.adapters.sqlite import SqliteStore

PG_CANDIDATES = (
    "host=127.0.0.1 port=5432 dbname=test user=postgres",
    "host=127.0.0.1 port=5432 dbname=test user=root",
)
PG_TABLES = (
    "quotes, orders, events, sequences, idempotency_keys, outbox, documents, carts, purchase_orders"
)

# A store factory: ``reopen()`` gives another handle on the same data (a second process's
# view of a database); for the in-process stores it is the same object.
Reopen = Callable[[], Any]


def _find_postgres() -> str:
    """The conninfo of the test server, or skip (fail on CI) with the reason."""
    if os.environ.get("Q2O_NO_POSTGRES"):
        pytest.skip("Q2O_NO_POSTGRES is set")
    try:
        import psycopg
    except ImportError:  # the tests_core session runs without the postgres extra
        pytest.skip("psycopg is not installed (pip install 'quote2order[postgres]')")
    reasons = []
    candidates = (
        [os.environ["Q2O_TEST_POSTGRES"]] if os.environ.get("Q2O_TEST_POSTGRES") else PG_CANDIDATES
    )
    for conninfo in candidates:
        try:
            psycopg.connect(conninfo, connect_timeout=3).close()
        except psycopg.Error as exc:
            reasons.append(f"{conninfo}: {str(exc).strip().splitlines()[0]}")
        else:
            return conninfo
    reason = "no PostgreSQL server answers: " + "; ".join(reasons)
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI is set, so this fails instead of skipping)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_conninfo() -> str:
    """Conninfo of the PostgreSQL test server."""
    return _find_postgres()


@pytest.fixture(scope="session")
def pg_schema(pg_conninfo: str) -> Iterator[str]:
    """This test run's own schema, migrated once and dropped at the end."""
    from quote2order.adapters.postgres import PostgresStore

    schema = f"q2o_test_{uuid.uuid4().hex[:12]}"
    store = PostgresStore(pg_conninfo, schema)
    yield schema
    store.drop_schema()
    store.close()


@pytest.fixture
def pg_store(pg_conninfo: str, pg_schema: str) -> Iterator[Reopen]:
    """A factory of PostgresStores on this run's schema, emptied before the test."""
    from quote2order.adapters.postgres import PostgresStore

    opened: list[PostgresStore] = []

    def reopen() -> PostgresStore:
        store = PostgresStore(pg_conninfo, pg_schema, migrate=False)
        opened.append(store)
        return store

    with reopen()._connection() as conn:
        conn.execute(f"TRUNCATE {PG_TABLES} RESTART IDENTITY", ())
    yield reopen
    for store in opened:
        store.close()


@pytest.fixture
def sqlite_file_store(tmp_path: Path) -> Iterator[Reopen]:
    """A factory of SqliteStores on one database file in tmp_path."""
    opened: list[SqliteStore] = []

    def reopen() -> SqliteStore:
        store = SqliteStore(tmp_path / "quote2order.db")
        opened.append(store)
        return store

    yield reopen
    for store in opened:
        store.close()


def _same(store: Any) -> Reopen:
    return lambda: store


BACKENDS = [
    "memory",
    "sqlite-memory",
    "sqlite-file",
    pytest.param("postgres", marks=pytest.mark.postgres),
]
DURABLE_BACKENDS = ["sqlite-file", pytest.param("postgres", marks=pytest.mark.postgres)]


def _reopen_for(backend: str, request: pytest.FixtureRequest) -> Reopen:
    if backend == "memory":
        return _same(MemoryStore())
    if backend == "sqlite-memory":
        store = SqliteStore(":memory:")
        request.addfinalizer(store.close)
        return _same(store)
    fixture = "sqlite_file_store" if backend == "sqlite-file" else "pg_store"
    reopen: Reopen = request.getfixturevalue(fixture)
    return reopen


@pytest.fixture(params=BACKENDS)
def reopen(request: pytest.FixtureRequest) -> Reopen:
    """Opens (another handle on) the test's store; parametrized over every backend."""
    return _reopen_for(request.param, request)


@pytest.fixture
def store(reopen: Reopen) -> Any:
    """The store under test: memory, SQLite (:memory: and file) or PostgreSQL."""
    return reopen()


@pytest.fixture(params=DURABLE_BACKENDS)
def durable_reopen(request: pytest.FixtureRequest) -> Reopen:
    """Like ``reopen``, for the stores that several processes can share."""
    return _reopen_for(request.param, request)
