"""The storage contract of carts and purchase orders, and the purchasing flow, on every store."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from conftest import Reopen
from quote2order import (
    CatalogProduct,
    Customer,
    Money,
    Order,
    OrderStatus,
    Position,
    PositionKind,
    PurchaseOrderStatus,
    Quote2Order,
    StaticOfferSource,
    SupplierOffer,
    VatRate,
)
from quote2order.adapters.sqlite import SqliteStore
from quote2order.ports import UnitOfWork
from quote2order.purchasing.cart import Cart
from quote2order.testing import CountingIds, FixedClock


def test_sqlite_unit_of_work_is_typed_as_the_unit_of_work_port() -> None:
    """mypy checks the same assignment in quote2order.adapters.sqlite; this one runs it."""
    with SqliteStore(":memory:") as store:
        uow: UnitOfWork = store.unit_of_work()
        assert uow.carts.get("reseller-1") == Cart("reseller-1")
        assert uow.purchase_orders.list() == []


# -- purchase orders -------------------------------------------------------------------------


# -- the purchasing flow through the service -------------------------------------------------


def _catalog(position_id: str, product_id: str, quantity: int) -> Position:
    return Position(
        position_id,
        PositionKind.CATALOG,
        f"Product {product_id}",
        Decimal(quantity),
        Money("100.00", "EUR"),
        VatRate("19"),
        product=CatalogProduct(product_id, f"MPN-{product_id}", f"Product {product_id}"),
    )


def _confirmed_order(app: Quote2Order, n: int, *positions: Position) -> Order:
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


def _procurement(order: Order) -> dict[str, tuple[int, int, int]]:
    return {
        r.position_id: (int(r.in_cart), int(r.ordered), int(r.received)) for r in order.procurement
    }


def test_purchasing_flow_from_two_orders_to_partial_receipt_and_cancellation(
    reopen: Reopen,
) -> None:
    app = Quote2Order(reopen(), clock=FixedClock(), ids=CountingIds())
    first = _confirmed_order(app, 1, _catalog("1", "P1", 5), _catalog("2", "P2", 2))
    second = _confirmed_order(app, 2, _catalog("1", "P1", 2))
    app.add_to_cart(first.order_id)
    cart = app.add_to_cart(second.order_id).cart
    assert [(line.product_id, str(line.quantity)) for line in cart.lines] == [
        ("P1", "7"),
        ("P2", "2"),
    ]
    offers = StaticOfferSource(
        [
            SupplierOffer("alpha", "P1", Money("90.00", "EUR"), 99, 2, False),
            SupplierOffer("beta", "P2", Money("40.50", "EUR"), 99, 3, True),
        ]
    )
    result = app.checkout("reseller-1", offers)
    by_supplier = {po.supplier_id: po for po in result.purchase_orders}
    alpha, beta = by_supplier["alpha"], by_supplier["beta"]
    assert result.cart.lines == ()
    app.send_purchase_order(alpha.purchase_order_id)
    app.receive_purchase_order(alpha.purchase_order_id, {"1": 6})
    app.cancel_purchase_order(beta.purchase_order_id)

    later = Quote2Order(reopen(), clock=FixedClock(), ids=CountingIds())  # another handle
    one, two = later.get_order(first.order_id), later.get_order(second.order_id)
    assert _procurement(one) == {"1": (0, 0, 5), "2": (0, 0, 0)}
    assert _procurement(two) == {"1": (0, 1, 1)}
    assert (one.status, two.status) == (OrderStatus.CONFIRMED, OrderStatus.IN_PROCUREMENT)
    stored_alpha = later.get_purchase_order(alpha.purchase_order_id)
    assert stored_alpha.status is PurchaseOrderStatus.PARTLY_RECEIVED
    assert [(line.line_id, str(line.received)) for line in stored_alpha.lines] == [("1", "6")]
    assert stored_alpha.revision == 2
    assert later.get_purchase_order(beta.purchase_order_id).status is (
        PurchaseOrderStatus.CANCELLED
    )
    assert [p.purchase_order_id for p in later.list_purchase_orders(reseller_id="reseller-1")] == [
        p.purchase_order_id for p in result.purchase_orders
    ]
    assert later.get_cart("reseller-1") == result.cart
    assert result.cart.revision == 3


def test_orders_load_together_by_id_for_their_reseller_only(store: Any) -> None:
    """get_many: one call for many orders, staged ones included; any miss is not found."""
    from quote2order import OrderNotFound
    from quote2order.testing.contract import make_order

    with store.unit_of_work() as uow:
        for i in range(3):
            uow.orders.add(make_order(order_id=f"order-{i}", quote_id=f"quote-{i}"))
        uow.commit()
    with store.unit_of_work() as uow:
        uow.orders.add(make_order(order_id="order-staged", quote_id="quote-s"))
        found = uow.orders.get_many("reseller-1", ["order-2", "order-staged", "order-0"])
        assert list(found) == ["order-2", "order-staged", "order-0"]
        assert found["order-2"] == uow.orders.get("order-2")
        with pytest.raises(OrderNotFound):
            uow.orders.get_many("reseller-1", ["order-1", "order-none"])
        with pytest.raises(OrderNotFound):
            uow.orders.get_many("reseller-2", ["order-1"])  # another reseller's order
