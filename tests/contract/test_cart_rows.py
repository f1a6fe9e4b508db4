"""Cart lines as rows: a cart command reads and writes only the lines it touches.

The statements a command runs are recorded on SQLite and PostgreSQL: on a cart of 1,000
lines, adding an order of three positions writes three line rows, checking out ten lines
reads those ten and deletes them, and completing an order reads and writes the lines of
its products; no statement reads or rewrites the whole cart.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tests.stores import recorded_statements

from conftest import Reopen
from quote2order import (
    CatalogProduct,
    Customer,
    Money,
    Order,
    Position,
    PositionKind,
    Quote2Order,
    StaticOfferSource,
    SupplierOffer,
    VatRate,
)
from quote2order.purchasing.cart import Cart
from quote2order.testing import CountingIds, FixedClock

LINES = 1000


def _catalog(position_id: str, product_id: str, quantity: int = 1) -> Position:
    return Position(
        position_id,
        PositionKind.CATALOG,
        f"Product {product_id}",
        Decimal(quantity),
        Money("100.00", "EUR"),
        VatRate("19"),
        product=CatalogProduct(product_id, f"MPN-{product_id}", f"Product {product_id}"),
    )


def _confirmed_order(app: Quote2Order, n: int, positions: list[Position]) -> Order:
    created = app.create_quote(
        reseller_id="reseller-1",
        customer=Customer(f"customer-{n}", f"Customer {n}", f"buyer{n}@example.com"),
        title=f"Quote {n}",
        positions=positions,
        valid_until=date(2026, 12, 31),
    )
    app.send_quote(created.quote.quote_id)
    order = app.mark_quote_won(created.quote.quote_id)
    return app.confirm_order(order.order_id)


def _on_lines(
    statements: list[tuple[str, tuple[Any, ...]]], verb: str, *, sql: bool = False
) -> list[Any]:
    """The parameters (or statements and parameters) of the statements ``verb`` (SELECT,
    INSERT, DELETE) on cart_lines."""
    return [
        (text, params) if sql else params
        for text, params in statements
        if "cart_lines" in text and text.lstrip().upper().startswith(verb)
    ]


def test_cart_commands_on_a_cart_of_1000_lines_touch_only_their_lines(
    durable_reopen: Reopen,
) -> None:
    store = durable_reopen()
    app = Quote2Order(store, clock=FixedClock(), ids=CountingIds())
    big = _confirmed_order(app, 1, [_catalog(f"pos-{i}", f"P{i}") for i in range(LINES)])
    app.add_to_cart(big.order_id)
    # One order: two new products and one the cart has (its line L7 changes).
    small = _confirmed_order(
        app, 2, [_catalog("a", "NEW-1"), _catalog("b", "P6", 3), _catalog("c", "NEW-2")]
    )

    with recorded_statements(store) as statements:
        added = app.add_to_cart(small.order_id)
    reads = _on_lines(statements, "SELECT", sql=True)
    written = _on_lines(statements, "INSERT")  # one statement, five parameters a row
    assert [sorted(params[1::5]) for params in written] == [["L1001", "L1002", "L7"]]
    assert _on_lines(statements, "DELETE") == []
    for params in _on_lines(statements, "SELECT"):  # by product, never the whole cart
        assert len(params) <= 4
    on_cart_row = [sql.split()[0] for sql, _ in statements if "carts " in f"{sql} "]
    assert on_cart_row == ["SELECT", "UPDATE"]  # its revision and line counter only
    assert added.cart.line("L7").quantity == 4

    ten = [f"L{i}" for i in range(11, 21)]  # products P10-P19
    offers = StaticOfferSource(
        [
            SupplierOffer("alpha", f"P{i}", Money("80.00", "EUR"), 99, 2, False)
            for i in range(10, 20)
        ]
    )
    with recorded_statements(store) as statements:
        result = app.checkout("reseller-1", offers, line_ids=ten)
    assert [params[1:] for params in _on_lines(statements, "SELECT")] == [tuple(ten)]
    assert [sorted(params[1:]) for params in _on_lines(statements, "DELETE")] == [sorted(ten)]
    assert _on_lines(statements, "INSERT") == []
    assert [len(po.lines) for po in result.purchase_orders] == [10]
    _assert_keyed_reads_look_lines_up(store, reads + _on_lines(statements, "SELECT", sql=True))

    # Completing the small order takes its quantities out of the cart: L7 keeps the big
    # order's unit, the two lines of its own products go; only their lines are read.
    with recorded_statements(store) as statements:
        app.complete_order(small.order_id)
    assert [sorted(params[1:]) for params in _on_lines(statements, "SELECT")] == [
        sorted(["NEW-1", "NEW-2", "P6"])
    ]
    assert [sorted(params[1:]) for params in _on_lines(statements, "DELETE")] == [
        ["L1001", "L1002"]
    ]
    assert [params[1::5] for params in _on_lines(statements, "INSERT")] == [("L7",)]

    # What is stored is the cart the memory store would hold: lines and their order.
    expected = Cart("reseller-1")
    expected.add(big.order_id, [(p, p.quantity) for p in big.positions])
    expected.add(small.order_id, [(p, p.quantity) for p in small.positions])
    expected.remove_lines(ten)
    expected.remove_order(small.order_id)
    reopened = Quote2Order(durable_reopen(), clock=FixedClock()).get_cart("reseller-1")
    assert reopened.lines == expected.lines
    assert (reopened.line_counter, reopened.revision) == (LINES + 2, 4)
    assert reopened.line("L7").quantity == 1


def _assert_keyed_reads_look_lines_up(store: Any, reads: list[tuple[str, tuple[Any, ...]]]) -> None:
    """On SQLite, the reads by line id or by product search their index: none walks every
    line of the cart (PostgreSQL plans by its statistics; the statements are the same)."""
    if type(store).__name__ != "SqliteStore":
        return
    with store._connection() as conn:
        for sql, params in reads:
            if " IN (" not in sql:  # max(seq): the last entry of the (reseller, seq) index
                continue
            plan = str(conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())
            assert "line_id=?" in plan or "product_id=?" in plan, (sql, plan)
