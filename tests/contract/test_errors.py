"""The SQL stores translate driver errors into quote2order's and refuse bad input unchanged."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quote2order.adapters.sqlite import SqliteStore
from quote2order.errors import (
    ConcurrencyError,
    StorageError,
    StorageUnavailable,
    ValidationError,
)
from quote2order.testing.contract import make_entry, make_quote


def test_sqlite_file_in_a_missing_folder_is_unavailable_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "q.db"
    with pytest.raises(StorageUnavailable, match="missing"):
        SqliteStore(path)


def test_postgres_without_server_is_unavailable_naming_host_and_port_not_password() -> None:
    pytest.importorskip("psycopg")
    from quote2order.adapters.postgres import PostgresStore

    with pytest.raises(StorageUnavailable) as caught:
        PostgresStore("host=127.0.0.1 port=1 dbname=shop user=app password=s3cret-pw")
    message = str(caught.value)
    assert "127.0.0.1:1" in message
    assert "s3cret-pw" not in message


def test_postgres_refuses_a_schema_name_that_is_not_an_identifier() -> None:
    pytest.importorskip("psycopg")
    from quote2order.adapters.postgres import PostgresStore

    with pytest.raises(ValidationError):
        PostgresStore("host=127.0.0.1 dbname=test", schema='x"; DROP TABLE quotes; --')


@pytest.fixture(
    params=["sqlite-memory", "sqlite-file", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def sql_store(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "sqlite-memory":
        store = SqliteStore(":memory:")
        yield store
        store.close()
        return
    fixture = "sqlite_file_store" if request.param == "sqlite-file" else "pg_store"
    yield request.getfixturevalue(fixture)()


def test_payload_that_json_cannot_hold_is_refused_and_nothing_is_stored(sql_store: Any) -> None:
    with sql_store.unit_of_work() as uow:
        uow.quotes.add(make_quote())
        with pytest.raises(ValidationError):
            uow.outbox.add(make_entry(payload={"when": object()}))
    with sql_store.unit_of_work() as uow:
        assert uow.quotes.list() == []
    assert sql_store.outbox_store.list() == []


def test_sqlite_driver_errors_surface_as_storage_errors(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "q.db", migrate=False)
    with store.unit_of_work() as uow, pytest.raises(StorageError, match="no such table") as caught:
        uow.quotes.list()
    store.close()
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


@pytest.mark.postgres
def test_postgres_driver_errors_surface_as_storage_errors(pg_conninfo: str) -> None:
    from quote2order.adapters.postgres import PostgresStore

    store = PostgresStore(pg_conninfo, f"q2o_test_{uuid.uuid4().hex[:12]}", migrate=False)
    try:
        with store.unit_of_work() as uow, pytest.raises(StorageError, match="quotes") as caught:
            uow.quotes.list()
        assert caught.value.__suppress_context__
    finally:
        store.drop_schema()
        store.close()


def test_closed_store_refuses_work(sql_store: Any) -> None:
    sql_store.close()
    with sql_store.unit_of_work() as uow, pytest.raises(StorageError, match="closed"):
        uow.quotes.get("quote-1")


def test_sqlite_writer_locked_out_too_long_gets_concurrency_error(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    SqliteStore(path).close()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with SqliteStore(path, timeout=0.05) as store, store.unit_of_work() as uow:
            uow.quotes.add(make_quote())
            with pytest.raises(ConcurrencyError, match="locked"):
                uow.commit()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


@pytest.mark.postgres
def test_postgres_connection_killed_fails_once_then_the_store_reconnects(
    pg_conninfo: str, pg_store: Any
) -> None:
    import psycopg

    store = pg_store()
    with store._connection() as conn:
        pid = conn.execute("SELECT pg_backend_pid()", ()).fetchone()[0]
    with psycopg.connect(pg_conninfo, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with store.unit_of_work() as uow:
        with pytest.raises(StorageUnavailable, match=r"127\.0\.0\.1:5432"):
            uow.quotes.list()
        assert uow.quotes.list() == []
