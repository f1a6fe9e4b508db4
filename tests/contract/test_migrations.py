"""The SQL stores' schema migrations: shipped in order, applied once, data kept on upgrade."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from quote2order import events as _events
from quote2order._runner import _fingerprint
from quote2order.adapters import _codec
from quote2order.adapters._sql import load_migrations
from quote2order.adapters.memory import MemoryStore
from quote2order.adapters.sqlite import SqliteStore
from quote2order.purchasing.cart import Cart
from quote2order.queries import Column, ReadFilter
from quote2order.testing.contract import (
    NOW,
    make_cart,
    make_document,
    make_entry,
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
    "0006_cart_lines.sql",
    "0007_reseller_everywhere.sql",
    "0008_search_index_and_purchase_order_rows.sql",
]


def test_both_databases_ship_the_same_numbered_migrations_in_order() -> None:
    sqlite_names = [m.name for m in load_migrations("sqlite")]
    postgres_names = [m.name for m in load_migrations("postgres")]
    assert sqlite_names == postgres_names
    versions = [m.version for m in load_migrations("sqlite")]
    assert versions == sorted(set(versions))  # unique, in order
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
        assert old.migrate(up_to=version) == [n for n in ALL if int(n[:4]) <= version]
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


def _cart_before_cart_lines() -> Cart:
    """A cart of two orders with a gap in its line ids, as stored before 0006."""
    cart = make_cart()
    cart.add("order-2", [(p, p.quantity) for p in make_positions(8)[-2:]])
    cart.remove_lines(["L2"])
    return cart


def _insert_v5_carts(conn: Any, placeholder: str, json_param: str) -> None:
    p = placeholder
    for cart, revision in ((_cart_before_cart_lines(), 7), (Cart("reseller-2"), 1)):
        conn.execute(
            f"INSERT INTO carts (reseller_id, revision, body) VALUES ({p}, {p}, {json_param})",
            (cart.reseller_id, revision, _codec.dumps(_codec.cart_to_dict(cart), "cart")),
        )


def _assert_cart_lines_moved(store: Any) -> None:
    """Every line comes back in its order, with the revision and the line counter."""
    before = _cart_before_cart_lines()
    assert store.applied_migrations() == ALL
    with store.unit_of_work() as uow:
        loaded = uow.carts.get("reseller-1")
        assert loaded == Cart("reseller-1", before.lines, before.line_counter, revision=7)
        assert [line.line_id for line in loaded.lines] == ["L1", "L3", "L4", "L5", "L6"]
        assert uow.carts.get("reseller-2") == Cart("reseller-2", revision=1)
        # the upgraded schema takes new writes: one line changes, a new one goes last
        loaded.replace_allocations("L3", loaded.line("L3").allocations[:1])
        loaded.add("order-3", [(make_positions(10)[-1], Decimal(1))])
        uow.carts.save(loaded)
        uow.commit()
    with store.unit_of_work() as uow:
        again = uow.carts.get("reseller-1")
        assert again == loaded
        assert [line.line_id for line in again.lines][-1] == f"L{before.line_counter + 1}"
    with store._connection() as conn:
        rows = conn.execute("SELECT count(*) FROM cart_lines", ()).fetchall()
    assert rows[0][0] == len(before.lines) + 1


def test_sqlite_carts_of_the_schema_before_cart_lines_move_to_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with SqliteStore(path, migrate=False) as old:
        old.migrate(up_to=5)
    with sqlite3.connect(path) as conn:
        _insert_v5_carts(conn, "?", "?")
    with SqliteStore(path) as store:
        _assert_cart_lines_moved(store)


@pytest.mark.postgres
def test_postgres_carts_of_the_schema_before_cart_lines_move_to_rows(pg_conninfo: str) -> None:
    _upgrade_old_postgres_schema(pg_conninfo, 5, _insert_v5_carts, _assert_cart_lines_moved)


# -- 0007: every table carries the reseller id -------------------------------------------


def _insert_v4_owned_rows(conn: Any, placeholder: str, json_param: str) -> None:
    """Quotes and orders (see _insert_v4_rows) with the rows a library before 0007 kept
    without a reseller: events, documents, outbox entries, number series, idempotency keys."""
    p = placeholder
    _insert_v4_rows(conn, p, json_param)
    purchase_order = make_purchase_order("po-2", reseller_id="reseller-2")
    conn.execute(
        "INSERT INTO purchase_orders (purchase_order_id, reseller_id, supplier_id, status, "
        f"number, revision, body) VALUES ({p}, {p}, {p}, {p}, {p}, 0, {json_param})",
        (
            purchase_order.purchase_order_id,
            purchase_order.reseller_id,
            purchase_order.supplier_id,
            purchase_order.status.value,
            purchase_order.number,
            _codec.dumps(_codec.purchase_order_to_dict(purchase_order), "purchase order"),
        ),
    )
    sent = make_quote("quote-sent", reseller_id="reseller-2")
    checked_out = _events.CartCheckedOut(
        aggregate_id="reseller-2",
        occurred_at=NOW,
        actor="reseller",
        checkout_id="checkout-7",
        purchase_order_ids=("po-2",),
        line_ids=(),
        uncovered_line_ids=(),
        uncovered_product_ids=(),
        uncovered_quantities=(),
        uncovered_reasons=(),
    )
    events = [
        ("quote", "quote-sent", sent.send(now=NOW, actor="reseller")),
        (
            "order",
            "order-won",
            make_order(make_quote("quote-won"), "order-won").confirm(now=NOW, actor="reseller"),
        ),
        ("cart", "reseller-2", checked_out),
        ("quote", "quote-gone", sent.mark_lost(now=NOW, actor="reseller")),  # no owner left
    ]
    for kind, aggregate_id, event in events:
        conn.execute(
            "INSERT INTO events (aggregate_kind, aggregate_id, name, body) "
            f"VALUES ({p}, {p}, {p}, {json_param})",
            (kind, aggregate_id, event.name, _codec.dumps(_events.event_to_dict(event), "event")),
        )
    for document in (make_document("doc-1", "order-won"), make_document("doc-2", "order-gone")):
        conn.execute(
            "INSERT INTO documents (document_id, aggregate_kind, aggregate_id, body) "
            f"VALUES ({p}, {p}, {p}, {json_param})",
            (
                document.document_id,
                document.aggregate_kind,
                document.aggregate_id,
                _codec.dumps(_codec.document_to_dict(document), "document"),
            ),
        )
    entry = make_entry("entry-7", reseller_id="reseller-2")
    conn.execute(
        "INSERT INTO outbox (entry_id, status, attempts, last_error, body) "
        f"VALUES ({p}, 'pending', 0, '', {json_param})",
        (entry.entry_id, _codec.dumps(_codec.outbox_to_dict(entry), "outbox")),
    )
    year = NOW.year
    for name, value in (
        (f"order|{year}|reseller-1", 7),
        ("quote|*|reseller|with|bars", 3),  # a reseller id holding "|" keeps all of it
        ("legacy", 2),
    ):
        conn.execute(f"INSERT INTO sequences (name, value) VALUES ({p}, {p})", (name, value))
    # the fingerprint a confirm_order("order-won") with a key leaves
    confirm = _fingerprint("confirm_order", ["order-won", None])
    conn.execute(
        "INSERT INTO idempotency_keys (key, command, fingerprint, result_id) "
        f"VALUES ('k-order', 'confirm_order', {p}, 'order-won')",
        (confirm,),
    )
    for key, command, result_id in (
        ("k-quote", "mark_quote_won", "quote-sent"),
        ("k-po", "purchase_order", "po-2"),
        ("k-checkout", "checkout", "checkout-7"),
        ("k-unknown", "confirm_order", "order-gone"),
    ):
        conn.execute(
            "INSERT INTO idempotency_keys (key, command, fingerprint, result_id) "
            f"VALUES ({p}, {p}, 'f', {p})",
            (key, command, result_id),
        )


_OWNED = {
    "events": (
        "SELECT aggregate_id, reseller_id FROM events",
        {
            ("quote-sent", "reseller-2"),
            ("order-won", "reseller-1"),
            ("reseller-2", "reseller-2"),
            ("quote-gone", ""),
        },
    ),
    "documents": (
        "SELECT document_id, reseller_id FROM documents",
        {("doc-1", "reseller-1"), ("doc-2", "")},
    ),
    "outbox": ("SELECT entry_id, reseller_id FROM outbox", {("entry-7", "reseller-2")}),
    "sequences": (
        "SELECT name, reseller_id FROM sequences",
        {
            (f"order|{NOW.year}|reseller-1", "reseller-1"),
            ("quote|*|reseller|with|bars", "reseller|with|bars"),
            ("legacy", ""),
        },
    ),
    "idempotency_keys": (
        "SELECT key, reseller_id FROM idempotency_keys",
        {
            ("k-order", "reseller-1"),
            ("k-quote", "reseller-2"),
            ("k-po", "reseller-2"),
            ("k-checkout", "reseller-2"),
            ("k-unknown", ""),
        },
    ),
}


def _assert_owned_rows_have_their_reseller(
    store: Any, not_null: Callable[[Any, str], bool]
) -> None:
    """After 0007 every row names its reseller, the columns are NOT NULL, and the service
    goes on: an old idempotency key still answers its first result, numbers continue."""
    from quote2order import Quote2Order
    from quote2order.testing import FixedClock

    assert store.applied_migrations() == ALL
    with store._connection() as conn:
        for table, (sql, expected) in _OWNED.items():
            assert {tuple(row) for row in conn.execute(sql, ()).fetchall()} == expected, table
            assert not_null(conn, table), table
    service = Quote2Order(store, clock=FixedClock(NOW))
    won = service.get_order("order-won", reseller_id="reseller-1")
    # the key's first answer, without confirming again (the order is confirmed already)
    replayed = service.confirm_order(
        "order-won", idempotency_key="k-order", reseller_id="reseller-1"
    )
    assert (replayed.order_id, replayed.revision) == (won.order_id, won.revision)
    assert [e.name for e in service.history("cart", "reseller-2", reseller_id="reseller-2")] == [
        "CartCheckedOut"
    ]
    assert service.documents("order", "order-won", reseller_id="reseller-1")[0].document_id == (
        "doc-1"
    )
    order = service.mark_quote_won("quote-sent", reseller_id="reseller-2")
    assert order.order_number.endswith("00001")  # reseller-2 had no order numbers yet
    with store._connection() as conn:
        assert conn.execute(
            "SELECT value FROM sequences WHERE reseller_id = 'reseller-1'", ()
        ).fetchall() == [(7,)]


def _sqlite_not_null(conn: Any, table: str) -> bool:
    columns = {row[1]: row[3] for row in conn.execute(f"PRAGMA table_info({table})", ())}
    return columns["reseller_id"] == 1


def test_sqlite_database_before_0007_gets_a_reseller_on_every_row(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with SqliteStore(path, migrate=False) as old:
        old.migrate(up_to=4)
    with sqlite3.connect(path) as conn:
        _insert_v4_owned_rows(conn, "?", "?")
    with SqliteStore(path) as store:
        _assert_owned_rows_have_their_reseller(store, _sqlite_not_null)
        with store._connection() as conn:
            keys = {
                table: [
                    row[1]
                    for row in sorted(
                        r for r in conn.execute(f"PRAGMA table_info({table})", ()) if r[5]
                    )
                ]
                for table in ("sequences", "idempotency_keys")
            }
        assert keys == {
            "sequences": ["reseller_id", "name"],
            "idempotency_keys": ["reseller_id", "key"],
        }


@pytest.mark.postgres
def test_postgres_schema_before_0007_gets_a_reseller_on_every_row(pg_conninfo: str) -> None:
    def not_null(conn: Any, table: str) -> bool:
        row = conn.execute(
            "SELECT is_nullable FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = %s AND column_name = 'reseller_id'",
            (table,),
        ).fetchone()
        return bool(row[0] == "NO")

    def check(store: Any) -> None:
        _assert_owned_rows_have_their_reseller(store, not_null)
        with store._connection() as conn:
            keys = {
                table: conn.execute(
                    "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
                    "i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indisprimary AND "
                    "i.indrelid = %s::regclass ORDER BY array_position(i.indkey, a.attnum)",
                    (table,),
                ).fetchall()
                for table in ("sequences", "idempotency_keys")
            }
        assert keys == {
            "sequences": [("reseller_id",), ("name",)],
            "idempotency_keys": [("reseller_id",), ("key",)],
        }

    _upgrade_old_postgres_schema(pg_conninfo, 4, _insert_v4_owned_rows, check)
