"""The SQL stores' schema migrations: shipped in order, applied once, data kept on upgrade."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

import attrs
import pytest
from contract_builders import make_order, make_quote

from quote2order.adapters import _codec
from quote2order.adapters._sql import load_migrations
from quote2order.adapters.sqlite import SqliteStore

ALL = ["0001_initial.sql", "0002_customer_columns.sql", "0003_purchasing.sql"]


def test_both_databases_ship_the_same_numbered_migrations_in_order() -> None:
    sqlite_names = [m.name for m in load_migrations("sqlite")]
    postgres_names = [m.name for m in load_migrations("postgres")]
    assert sqlite_names == postgres_names
    assert [m.version for m in load_migrations("sqlite")] == list(range(1, len(ALL) + 1))
    assert sqlite_names[: len(ALL)] == ALL


def test_sqlite_schema_has_no_real_or_numeric_column(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "q.db").close()
    with sqlite3.connect(tmp_path / "q.db") as conn:
        tables = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        types = {row[2].upper() for t in tables for row in conn.execute(f"PRAGMA table_info({t})")}
    assert types <= {"TEXT", "INTEGER"}


def test_opening_a_new_sqlite_file_applies_every_migration_once(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "q.db") as store:
        assert store.applied_migrations() == ALL
        assert store.migrate() == []
    with SqliteStore(tmp_path / "q.db") as store:
        assert store.applied_migrations() == ALL


def test_stores_opened_at_once_on_a_new_file_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_store() -> None:
        start.wait()
        try:
            SqliteStore(path).close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [repr(e) for e in errors] == []
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone() == (len(ALL),)


def _insert_v1_rows(conn: Any, placeholder: str, json_param: str) -> None:
    """Rows as a library that knew only migration 0001 wrote them."""
    quote, order = make_quote(), make_order()
    p = placeholder
    conn.execute(
        "INSERT INTO quotes (quote_id, reseller_id, status, token_hash, revision, body) "
        f"VALUES ({p}, {p}, {p}, {p}, 3, {json_param})",
        (
            quote.quote_id,
            quote.reseller_id,
            quote.status.value,
            quote.link_token_hash,
            _codec.dumps(_codec.quote_to_dict(quote), "quote"),
        ),
    )
    conn.execute(
        "INSERT INTO orders (order_id, reseller_id, quote_id, quote_version, status, "
        f"revision, body) VALUES ({p}, {p}, {p}, 1, {p}, 0, {json_param})",
        (
            order.order_id,
            order.reseller_id,
            order.quote_id,
            order.status.value,
            _codec.dumps(_codec.order_to_dict(order), "order"),
        ),
    )


def _assert_upgraded(store: Any) -> None:
    quote, order = make_quote(), make_order()
    assert store.applied_migrations() == ALL
    with store.unit_of_work() as uow:
        loaded = uow.quotes.get(quote.quote_id)
        assert loaded == attrs.evolve(quote, revision=3)
        assert uow.orders.get(order.order_id) == order
        uow.quotes.save(loaded)  # the upgraded schema takes new writes
        uow.commit()
    assert loaded.revision == 4
    with store._connection() as conn:
        rows = conn.execute(
            "SELECT customer_id FROM quotes UNION ALL SELECT customer_id FROM orders", ()
        ).fetchall()
    assert [row[0] for row in rows] == [quote.customer.customer_id] * 2


def test_sqlite_database_of_the_first_schema_upgrades_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with SqliteStore(path, migrate=False) as old:
        assert old.migrate(up_to=1) == ["0001_initial.sql"]
    with sqlite3.connect(path) as conn:
        _insert_v1_rows(conn, "?", "?")
    with SqliteStore(path) as store:
        _assert_upgraded(store)


@pytest.mark.postgres
def test_postgres_schema_of_the_first_migration_upgrades_with_its_data(pg_conninfo: str) -> None:
    from quote2order.adapters.postgres import PostgresStore

    schema = f"q2o_test_{uuid.uuid4().hex[:12]}"
    old = PostgresStore(pg_conninfo, schema, migrate=False)
    try:
        assert old.migrate(up_to=1) == ["0001_initial.sql"]
        with old._connection() as conn:
            _insert_v1_rows(conn, "%s", "%s::jsonb")
        with PostgresStore(pg_conninfo, schema) as store:
            _assert_upgraded(store)
    finally:
        old.drop_schema()
        old.close()
