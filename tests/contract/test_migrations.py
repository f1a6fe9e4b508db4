"""The SQL stores' schema migrations: shipped in order, applied once, data kept on upgrade."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from quote2order.adapters import _codec
from quote2order.adapters._sql import load_migrations
from quote2order.adapters.memory import MemoryStore
from quote2order.adapters.sqlite import SqliteStore
from quote2order.queries import Column, ReadFilter
from quote2order.testing.contract import (
    NOW,
    make_order,
    make_positions,
    make_purchase_order,
    make_quote,
)

ALL = [
    "0001_initial.sql",
    "0002_customer_columns.sql",
    "0003_purchasing.sql",
    "0004_number_series_per_reseller.sql",
    "0005_read_rows.sql",
    "0008_search_index_and_purchase_order_rows.sql",
]


def test_both_databases_ship_the_same_numbered_migrations_in_order() -> None:
    sqlite_names = [m.name for m in load_migrations("sqlite")]
    postgres_names = [m.name for m in load_migrations("postgres")]
    assert sqlite_names == postgres_names
    assert [m.version for m in load_migrations("sqlite")] == [int(n[:4]) for n in ALL]
    assert sqlite_names == ALL


def test_sqlite_schema_has_no_real_or_numeric_column(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "q.db").close()
    with sqlite3.connect(tmp_path / "q.db") as conn:
        # the tables of rows (not the FTS5 search index's virtual and shadow tables)
        tables = [
            row[1]
            for row in conn.execute("PRAGMA main.table_list")
            if row[2] == "table" and not row[1].startswith("sqlite_")
        ]
        assert "quotes" in tables
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


def _upgrade_old_postgres_schema(
    conninfo: str, version: int, fill: Callable[..., None], check: Callable[[Any], None]
) -> None:
    """A schema at ``version`` in a schema of its own, filled, then opened (migrated)."""
    from quote2order.adapters.postgres import PostgresStore

    schema = f"q2o_test_{uuid.uuid4().hex[:12]}"
    old = PostgresStore(conninfo, schema, migrate=False)
    try:
        assert old.migrate(up_to=version) == ALL[:version]
        with old._connection() as conn:
            fill(conn, "%s", "%s::jsonb")
        with PostgresStore(conninfo, schema) as store:
            check(store)
    finally:
        old.drop_schema()
        old.close()


@pytest.mark.postgres
def test_postgres_schema_of_the_first_migration_upgrades_with_its_data(pg_conninfo: str) -> None:
    _upgrade_old_postgres_schema(pg_conninfo, 1, _insert_v1_rows, _assert_upgraded)


def _insert_v3_numbered_rows(conn: Any, placeholder: str, json_param: str) -> None:
    """Quotes of two resellers and one order, numbered from the shared counters of 0003."""
    p = placeholder
    quotes = [make_quote("q-1", reseller_id="R-1"), make_quote("q-2", reseller_id="R-2")]
    quotes.append(make_quote("q-3", reseller_id="R-1"))
    for quote in quotes:
        conn.execute(
            "INSERT INTO quotes (quote_id, reseller_id, customer_id, status, token_hash, "
            f"revision, body) VALUES ({p}, {p}, {p}, {p}, {p}, 0, {json_param})",
            (
                quote.quote_id,
                quote.reseller_id,
                quote.customer.customer_id,
                quote.status.value,
                quote.link_token_hash,
                _codec.dumps(_codec.quote_to_dict(quote), "quote"),
            ),
        )
    order = make_order(quotes[0], "o-1")
    conn.execute(
        "INSERT INTO orders (order_id, reseller_id, customer_id, quote_id, quote_version, "
        f"status, revision, body) VALUES ({p}, {p}, {p}, {p}, 1, {p}, 0, {json_param})",
        (
            order.order_id,
            order.reseller_id,
            order.customer.customer_id,
            order.quote_id,
            order.status.value,
            _codec.dumps(_codec.order_to_dict(order), "order"),
        ),
    )
    # What the library before 0004 left: one counter per kind, shared by every reseller.
    for name, value in (("quote", 3), ("order", 1)):
        conn.execute(f"INSERT INTO sequences (name, value) VALUES ({p}, {p})", (name, value))


def _assert_numbers_continue(store: Any) -> None:
    """After 0004: existing resellers go on past the shared counter, new ones start at 1,
    and a format with {year} starts again in the next year."""
    from quote2order import Customer, Quote2Order
    from quote2order.testing import FixedClock

    assert store.applied_migrations() == ALL
    clock = FixedClock(NOW)
    service = Quote2Order(store, clock=clock)

    def quote_number(reseller_id: str) -> tuple[str, str]:
        created = service.create_quote(
            reseller_id=reseller_id,
            customer=Customer("K-1", "Kunde", "k@example.com"),
            title="T",
            positions=make_positions(1),
            valid_until=NOW.date() + timedelta(days=30),
        )
        return created.quote.quote_id, created.quote.number

    year = NOW.year
    r1, number = quote_number("R-1")
    assert number == f"AN-{year}-00004"  # 1 and 3 were R-1's; 4 was never issued
    assert quote_number("R-2")[1] == f"AN-{year}-00004"
    assert quote_number("R-3")[1] == f"AN-{year}-00001"  # a reseller without old numbers
    service.send_quote(r1)
    assert service.mark_quote_won(r1).order_number == f"AB-{year}-00002"
    clock.set(NOW.replace(year=year + 1))
    assert quote_number("R-1")[1] == f"AN-{year + 1}-00001"


def test_sqlite_database_of_the_purchasing_schema_keeps_its_numbers_per_reseller(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    with SqliteStore(path, migrate=False) as old:
        assert old.migrate(up_to=3) == ALL[:3]
    with sqlite3.connect(path) as conn:
        _insert_v3_numbered_rows(conn, "?", "?")
    with SqliteStore(path) as store:
        _assert_numbers_continue(store)


@pytest.mark.postgres
def test_postgres_schema_of_the_purchasing_migration_keeps_its_numbers_per_reseller(
    pg_conninfo: str,
) -> None:
    _upgrade_old_postgres_schema(pg_conninfo, 3, _insert_v3_numbered_rows, _assert_numbers_continue)


def _history_before_read_rows() -> list[tuple[Any, Any]]:
    """Quotes (with orders) in several states, as a library before 0005 stored them."""
    later = NOW + timedelta(days=2)
    draft = make_quote("quote-draft")
    sent = make_quote("quote-sent", reseller_id="reseller-2")
    sent.send(now=NOW, actor="reseller")
    won = make_quote("quote-won")
    won.send(now=NOW, actor="reseller")
    won.mark_won(order_id="order-won", now=later, actor="reseller")
    order = make_order(won, "order-won")
    order.confirm(now=later + timedelta(hours=1), actor="reseller")
    lost = make_quote("quote-lost")
    lost.send(now=NOW, actor="reseller")
    lost.mark_lost(now=later, actor="reseller")
    return [(draft, None), (sent, None), (won, order), (lost, None)]


def _purchase_orders_before_read_rows() -> list[Any]:
    """Purchase orders (two states) as a library before 0008 stored them."""
    sent = make_purchase_order("po-sent", supplier_id="beta")
    sent.send(now=NOW + timedelta(hours=2), actor="reseller")
    return [make_purchase_order("po-draft"), sent]


def _insert_v4_rows(conn: Any, placeholder: str, json_param: str) -> None:
    p = placeholder
    for po in _purchase_orders_before_read_rows():
        conn.execute(
            "INSERT INTO purchase_orders (purchase_order_id, reseller_id, supplier_id, status, "
            f"number, revision, body) VALUES ({p}, {p}, {p}, {p}, {p}, 0, {json_param})",
            (
                po.purchase_order_id,
                po.reseller_id,
                po.supplier_id,
                po.status.value,
                po.number,
                _codec.dumps(_codec.purchase_order_to_dict(po), "purchase order"),
            ),
        )
    for quote, order in _history_before_read_rows():
        conn.execute(
            "INSERT INTO quotes (quote_id, reseller_id, customer_id, status, token_hash, "
            f"revision, body) VALUES ({p}, {p}, {p}, {p}, {p}, 0, {json_param})",
            (
                quote.quote_id,
                quote.reseller_id,
                quote.customer.customer_id,
                quote.status.value,
                quote.link_token_hash,
                _codec.dumps(_codec.quote_to_dict(quote), "quote"),
            ),
        )
        if order is not None:
            conn.execute(
                "INSERT INTO orders (order_id, reseller_id, customer_id, quote_id, "
                f"quote_version, status, revision, body) VALUES ({p}, {p}, {p}, {p}, 1, {p}, 0, "
                f"{json_param})",
                (
                    order.order_id,
                    order.reseller_id,
                    order.customer.customer_id,
                    order.quote_id,
                    order.status.value,
                    _codec.dumps(_codec.order_to_dict(order), "order"),
                ),
            )


def _assert_read_rows_filled(store: Any) -> None:
    """The upgraded store answers every read as a store that kept the rows all along."""
    reference = MemoryStore()
    with reference.unit_of_work() as uow:
        for quote, order in _history_before_read_rows():
            uow.quotes.add(quote)
            if order is not None:
                uow.orders.add(order)
        for po in _purchase_orders_before_read_rows():
            uow.purchase_orders.add(po)
        uow.commit()
    for reseller in ("reseller-1", "reseller-2"):
        assert store.queries.board(reseller) == reference.queries.board(reseller)
        assert store.queries.quotes(reseller) == reference.queries.quotes(reseller)
        assert store.queries.orders(reseller) == reference.queries.orders(reseller)
        assert store.queries.purchase_orders(reseller) == (
            reference.queries.purchase_orders(reseller)
        )
        for text in ("notebook", "ab", "quote-", "order-won"):  # found by 0008's index too
            found = ReadFilter(text=text)
            assert store.queries.quotes(reseller, filter=found) == (
                reference.queries.quotes(reseller, filter=found)
            )
            assert store.queries.orders(reseller, filter=found) == (
                reference.queries.orders(reseller, filter=found)
            )
    assert len(store.queries.purchase_orders("reseller-1").items) == 2
    board = {c.column: c.count for c in store.queries.board("reseller-1").columns}
    assert (board[Column.DRAFT], board[Column.CONFIRMED], board[Column.LOST]) == (1, 1, 1)
    due = store.queries.quotes_due_for_expiry(today=date(2026, 12, 31))
    assert [q.quote_id for q in due.items] == ["quote-sent"]


@pytest.fixture(params=[1000, 1], ids=["batches of 1,000", "batches of 1"])
def batches(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The backfills' batch size (as shipped, or forced to 1), and the sizes of the
    batches of bodies and of id lists they read, to check that none reads more."""
    from quote2order.adapters._sql import read_rows

    monkeypatch.setattr(read_rows, "BATCH_SIZE", request.param)
    sizes: list[int] = []
    real_batches, real_by_id = read_rows.batches, read_rows._by_id

    def recorded_batches(*args: Any) -> Any:
        for rows in real_batches(*args):
            sizes.append(len(rows))
            yield rows

    def recorded_by_id(*args: Any) -> Any:
        sizes.append(len(args[-1]))
        return real_by_id(*args)

    monkeypatch.setattr(read_rows, "batches", recorded_batches)
    monkeypatch.setattr(read_rows, "_by_id", recorded_by_id)
    return request.param, sizes


def _check_batches(batches: Any) -> None:
    """Four quotes, one order and two purchase orders: one batch each at 1,000, one
    batch (and one id list) per row at 1."""
    size, sizes = batches
    assert max(sizes) <= size
    if size == 1:
        assert sizes.count(1) >= 4 + 1 + 2 + 1  # the rows, and the order's quote
    else:
        assert sorted(s for s in sizes if s > 1) == [2, 4]  # purchase orders, quotes


def test_sqlite_database_of_the_schema_before_read_rows_gets_them_filled(
    tmp_path: Path, batches: Any
) -> None:
    path = tmp_path / "old.db"
    with SqliteStore(path, migrate=False) as old:
        old.migrate(up_to=4)
        assert "0005_read_rows.sql" not in old.applied_migrations()
    with sqlite3.connect(path) as conn:
        _insert_v4_rows(conn, "?", "?")
    with SqliteStore(path) as store:
        assert store.applied_migrations() == ALL
        _assert_read_rows_filled(store)
    _check_batches(batches)


@pytest.mark.postgres
def test_postgres_schema_before_read_rows_gets_them_filled(pg_conninfo: str, batches: Any) -> None:
    def check(store: Any) -> None:
        assert store.applied_migrations() == ALL
        _assert_read_rows_filled(store)
        _check_batches(batches)

    _upgrade_old_postgres_schema(pg_conninfo, 4, _insert_v4_rows, check)
