"""The ``store`` fixture: every contract test runs on each store quote2order ships.

PostgreSQL runs in this test run's own schema (the ``pg_schema`` fixture of
tests/conftest.py); the PostgreSQL cases skip without a server, and fail on CI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.stores import empty_sql_store

from quote2order.adapters.memory import MemoryStore
from quote2order.adapters.sqlite import SqliteStore

# A store factory: ``reopen()`` gives another handle on the same data (a second process's
# view of a database); for the in-process stores it is the same object.
Reopen = Callable[[], Any]


@pytest.fixture
def pg_store(pg_conninfo: str, pg_schema: str) -> Iterator[Reopen]:
    """A factory of PostgresStores on this run's schema, emptied before the test."""
    from quote2order.adapters.postgres import PostgresStore

    opened: list[PostgresStore] = []

    def reopen() -> PostgresStore:
        store = PostgresStore(pg_conninfo, pg_schema, migrate=False)
        opened.append(store)
        return store

    empty_sql_store(reopen())
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
