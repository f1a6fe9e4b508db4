"""The SQL stores inside a transaction the host owns (``store.bind(connection)``).

On each durable store: the host's own row and ``confirm_order`` commit together, a host
rollback undoes both, a refused unit of work leaves the host's writes in place, the
library never commits on the host's behalf, and a cart's changed lines go with the host's
transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from conftest import DURABLE_BACKENDS, _reopen_for
from quote2order import (
    CatalogProduct,
    ConcurrencyError,
    Customer,
    Money,
    Position,
    PositionKind,
    Quote2Order,
    ValidationError,
    VatRate,
)
from quote2order.purchasing.cart import Cart
from quote2order.testing import FixedClock

HOST_TABLE = "CREATE TABLE IF NOT EXISTS host_invoices (order_id TEXT PRIMARY KEY, note TEXT)"


@pytest.fixture(params=DURABLE_BACKENDS)
def host(request: pytest.FixtureRequest) -> tuple[Any, Callable[[], Any]]:
    """The store, and a factory of host connections to the same database."""
    store = _reopen_for(request.param, request)()
    if request.param == "sqlite-file":
        import sqlite3

        def connect() -> Any:
            conn = sqlite3.connect(store.path)  # the default: implicit transactions
            request.addfinalizer(conn.close)
            return conn

    else:
        import psycopg

        conninfo = request.getfixturevalue("pg_conninfo")

        def connect() -> Any:
            conn = psycopg.connect(conninfo)  # not autocommit: a transaction per use
            conn.execute(f"SET search_path TO {store.schema}")
            conn.commit()
            request.addfinalizer(conn.close)
            return conn

    setup = connect()
    setup.execute(HOST_TABLE)
    setup.execute("DELETE FROM host_invoices")
    setup.commit()
    return store, connect


def _open_order(store: Any) -> tuple[Quote2Order, str]:
    service = Quote2Order(store, clock=FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    created = service.create_quote(
        reseller_id="R-1",
        customer=Customer("C-1", "Anna", "anna@example.com", "de_DE"),
        title="Docks",
        positions=[
            Position(
                "P1",
                PositionKind.FREE_TEXT,
                "Setup",
                Decimal(1),
                Money(Decimal("45.00"), "EUR"),
                VatRate("19"),
            )
        ],
        valid_until=date(2026, 4, 1),
    )
    service.send_quote(created.quote.quote_id)
    return service, service.accept_quote(created.link_token, 1).order_id


def _host_rows(connect: Callable[[], Any]) -> list[Any]:
    conn = connect()
    rows = conn.execute("SELECT order_id FROM host_invoices").fetchall()
    conn.rollback()
    return [row[0] for row in rows]


def test_host_row_and_confirm_order_commit_together(host) -> None:
    store, connect = host
    service, order_id = _open_order(store)
    conn = connect()
    conn.execute(f"INSERT INTO host_invoices (order_id, note) VALUES ('{order_id}', 'ours')")
    bound = Quote2Order(store.bind(conn), clock=service.clock)
    assert bound.confirm_order(order_id).status.value == "confirmed"
    # Not committed yet: another connection sees neither change.
    assert service.get_order(order_id).status.value == "open"
    assert _host_rows(connect) == []
    conn.commit()
    assert service.get_order(order_id).status.value == "confirmed"
    assert _host_rows(connect) == [order_id]


def test_host_rollback_undoes_both(host) -> None:
    store, connect = host
    service, order_id = _open_order(store)
    conn = connect()
    conn.execute(f"INSERT INTO host_invoices (order_id, note) VALUES ('{order_id}', 'ours')")
    bound = Quote2Order(store.bind(conn), clock=service.clock)
    bound.confirm_order(order_id)
    assert bound.get_order(order_id).status.value == "confirmed"  # reads see the host's tx
    conn.rollback()
    assert service.get_order(order_id).status.value == "open"
    assert _host_rows(connect) == []
    assert [e.name for e in service.history("order", order_id)] == ["OrderCreated"]


def test_refused_unit_of_work_keeps_the_host_writes_and_transaction(host) -> None:
    """A stale revision rolls back to the savepoint only: the host's row and the earlier
    unit of work stay in the host's transaction, which can still commit."""
    store, connect = host
    service, order_id = _open_order(store)
    conn = connect()
    conn.execute(f"INSERT INTO host_invoices (order_id, note) VALUES ('{order_id}', 'ours')")
    bound = store.bind(conn)
    now = service.clock.now()
    with bound.unit_of_work() as stale:
        order = stale.orders.get(order_id)
        Quote2Order(bound, clock=service.clock).confirm_order(order_id)  # wins first
        order.confirm(now=now, actor="reseller")
        stale.orders.save(order)
        with pytest.raises(ConcurrencyError):
            stale.commit()
    conn.commit()
    assert _host_rows(connect) == [order_id]
    assert service.get_order(order_id).status.value == "confirmed"
    assert service.get_order(order_id).revision == 1


def test_bound_store_never_commits_on_its_own(host) -> None:
    """Without any host write, the library's changes still wait for the host's commit."""
    store, connect = host
    service, order_id = _open_order(store)
    conn = connect()
    Quote2Order(store.bind(conn), clock=service.clock).confirm_order(order_id)
    assert service.get_order(order_id).status.value == "open"
    conn.rollback()
    assert service.get_order(order_id).status.value == "open"


def test_bind_refuses_what_is_not_a_connection(host) -> None:
    store, _ = host
    with pytest.raises(ValidationError):
        store.bind(object())


def _dock(product_id: str) -> Position:
    return Position(
        f"pos-{product_id}",
        PositionKind.CATALOG,
        "Dock",
        Decimal(3),
        Money("80", "EUR"),
        VatRate("19"),
        product=CatalogProduct(product_id, f"MPN-{product_id}", f"Dock {product_id}"),
    )


def test_cart_lines_change_in_the_host_transaction(host) -> None:
    """A stored cart's changed lines are written on the host's connection (the cart row's
    update returns the last line's place there too) and a host rollback undoes them."""
    store, connect = host
    with store.unit_of_work() as uow:
        cart = Cart("R-1")
        cart.add("O-1", [(_dock("SKU-1"), Decimal(1))])
        uow.carts.save(cart)
        uow.commit()
    for finish in ("rollback", "commit"):
        conn = connect()
        with store.bind(conn).unit_of_work() as uow:
            cart = uow.carts.get("R-1")
            cart.add("O-2", [(_dock("SKU-1"), Decimal(2)), (_dock("SKU-2"), Decimal(1))])
            uow.carts.save(cart)
            uow.commit()
        getattr(conn, finish)()
        with store.unit_of_work() as uow:
            stored = [(line.line_id, str(line.quantity)) for line in uow.carts.get("R-1").lines]
        assert stored == ([("L1", "1")] if finish == "rollback" else [("L1", "3"), ("L2", "1")])
