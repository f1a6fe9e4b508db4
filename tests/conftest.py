"""Settings and fixtures for the whole suite.

The ``store_kind`` / ``new_store`` fixtures run a test on every store quote2order ships:
the memory store, a SQLite file and PostgreSQL. PostgreSQL: 127.0.0.1:5432, database
``test``, trust auth, user ``postgres`` or ``root`` (or the conninfo in
``Q2O_TEST_POSTGRES``); each test run works in its own schema ``q2o_test_<random>``,
dropped at the end. Without a server the PostgreSQL cases skip, unless the environment
variable ``CI`` is set: then they fail, so that CI can never pass without them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.stores import empty_sql_store

# Shared 2-core CI machines make timings noisy: Hypothesis checks behaviour here, never
# speed (speed is measured in benchmarks/), so no example has a deadline.
settings.register_profile(
    "default-suite", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default-suite")

PG_CANDIDATES = (
    "host=127.0.0.1 port=5432 dbname=test user=postgres",
    "host=127.0.0.1 port=5432 dbname=test user=root",
)

#: The stores every service-level test runs on.
STORE_KINDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


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


@pytest.fixture(scope="session")
def pg_session_store(pg_conninfo: str, pg_schema: str) -> Iterator[Any]:
    """One PostgresStore on this run's schema, shared by the service-level tests."""
    from quote2order.adapters.postgres import PostgresStore

    store = PostgresStore(pg_conninfo, pg_schema, migrate=False)
    yield store
    store.close()


@pytest.fixture(params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    """The kind of store the test runs on: "memory", "sqlite" (a file) or "postgres"."""
    kind: str = request.param
    return kind


@pytest.fixture
def new_store(
    store_kind: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[], Any]]:
    """Makes an empty store of the test's kind; each call starts from nothing again.

    The SQL stores are one store per test (PostgreSQL: per run) emptied on each call, so
    that a Hypothesis test can start every example from an empty store cheaply.
    """
    if store_kind == "memory":
        from quote2order.adapters.memory import MemoryStore

        yield MemoryStore
        return
    if store_kind == "sqlite":
        from quote2order.adapters.sqlite import SqliteStore

        # Its own folder, so that tests that list their tmp_path do not see it.
        sql_store: Any = SqliteStore(tmp_path_factory.mktemp("store") / "quote2order.db")
    else:
        sql_store = request.getfixturevalue("pg_session_store")

    def new() -> Any:
        empty_sql_store(sql_store)
        return sql_store

    yield new
    if store_kind == "sqlite":
        sql_store.close()
