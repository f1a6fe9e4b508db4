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
from quote2order.errors import ConcurrencyError, PurchaseOrderNotFound, QuoteNotFound
from quote2order.ports import UnitOfWork
from quote2order.purchasing.cart import Cart
from quote2order.testing import CountingIds, FixedClock
from quote2order.testing.contract import (
    NOW,
    make_cart,
    make_positions,
    make_purchase_order,
    make_quote,
)


def test_sqlite_unit_of_work_is_typed_as_the_unit_of_work_port() -> None:
    """mypy checks the same assignment in quote2order.adapters.sqlite; this one runs it."""
    with SqliteStore(":memory:") as store:
        uow: UnitOfWork = store.unit_of_work()
        assert uow.carts.get("reseller-1") == Cart("reseller-1")
        assert uow.purchase_orders.list() == []


def _save_cart(store: Any, cart: Cart) -> Cart:
    with store.unit_of_work() as uow:
        uow.carts.save(cart)
        uow.commit()
    return cart


# -- carts -----------------------------------------------------------------------------------


def test_a_reseller_without_a_cart_gets_an_empty_one_of_revision_zero(store: Any) -> None:
    with store.unit_of_work() as uow:
        assert uow.carts.get("reseller-9") == Cart("reseller-9")
    with store.unit_of_work() as uow:  # reading created nothing: a first save still works
        cart = uow.carts.get("reseller-9")
        uow.carts.save(cart)
        uow.commit()
    assert cart.revision == 1


def test_saved_cart_loads_equal_and_each_save_raises_its_revision(store: Any) -> None:
    cart = _save_cart(store, make_cart())
    assert cart.revision == 1
    with store.unit_of_work() as uow:
        loaded = uow.carts.get("reseller-1")
    assert loaded == cart
    assert [str(a.quantity) for line in loaded.lines for a in line.allocations] == [
        "1",
        "2",
        "4",
        "5",
    ]
    assert loaded.line_counter == 4
    loaded.remove_order("order-1")
    _save_cart(store, loaded)
    with store.unit_of_work() as uow:
        again = uow.carts.get("reseller-1")
    assert (again.lines, again.line_counter, again.revision) == ((), 4, 2)
    with store.unit_of_work() as uow:
        assert uow.carts.get("reseller-2") == Cart("reseller-2")


def test_a_cart_saved_in_the_unit_of_work_is_what_get_returns_there(store: Any) -> None:
    cart = make_cart()
    with store.unit_of_work() as uow:
        uow.carts.save(cart)
        assert uow.carts.get("reseller-1") is cart


@pytest.mark.parametrize("stored_first", [False, True], ids=["new-cart", "stored-cart"])
def test_stale_cart_save_raises_concurrency_error_and_writes_nothing(
    store: Any, stored_first: bool
) -> None:
    if stored_first:
        _save_cart(store, Cart("reseller-1"))
    catalog = [(p, p.quantity) for p in make_positions(2)]
    with store.unit_of_work() as slow, store.unit_of_work() as fast:
        mine, theirs = slow.carts.get("reseller-1"), fast.carts.get("reseller-1")
        theirs.add("order-2", catalog)
        fast.carts.save(theirs)
        fast.commit()  # the first writer wins
        mine.add("order-1", catalog)
        slow.carts.save(mine)
        slow.quotes.add(make_quote("quote-lost"))
        with pytest.raises(ConcurrencyError):
            slow.commit()
    with store.unit_of_work() as uow:
        stored = uow.carts.get("reseller-1")
        with pytest.raises(QuoteNotFound):
            uow.quotes.get("quote-lost")
    assert stored == theirs
    assert stored.revision == (2 if stored_first else 1)
    assert mine.revision == (1 if stored_first else 0)


# -- purchase orders -------------------------------------------------------------------------


def test_purchase_orders_are_added_got_saved_and_listed_oldest_first(store: Any) -> None:
    first = make_purchase_order("po-2", supplier_id="beta")
    second = make_purchase_order("po-1")
    other = make_purchase_order("po-3", reseller_id="reseller-2")
    with store.unit_of_work() as uow:
        for purchase_order in (first, second, other):
            uow.purchase_orders.add(purchase_order)
        assert uow.purchase_orders.get("po-1") is second  # staged: the same object
        uow.commit()
    with store.unit_of_work() as uow:
        loaded = uow.purchase_orders.get("po-1")
        assert loaded == second
        assert loaded.revision == 0
        assert str(loaded.lines[0].unit_price.amount) == "1099.9900"
        listed = uow.purchase_orders.list(reseller_id="reseller-1")
        assert [p.purchase_order_id for p in listed] == ["po-2", "po-1"]
        everything = uow.purchase_orders.list()
        assert [p.purchase_order_id for p in everything] == ["po-2", "po-1", "po-3"]
        loaded.send(now=NOW, actor="reseller")
        uow.purchase_orders.save(loaded)
        uow.commit()
    assert loaded.revision == 1
    with store.unit_of_work() as uow:
        sent = uow.purchase_orders.get("po-1")
        assert sent == loaded
        assert uow.purchase_orders.list(reseller_id="reseller-9") == []
        with pytest.raises(PurchaseOrderNotFound):
            uow.purchase_orders.get("po-9")


def test_stale_purchase_order_save_raises_concurrency_error_and_writes_nothing(
    store: Any,
) -> None:
    with store.unit_of_work() as uow:
        uow.purchase_orders.add(make_purchase_order())
        uow.commit()
    with store.unit_of_work() as slow, store.unit_of_work() as fast:
        mine, theirs = slow.purchase_orders.get("po-1"), fast.purchase_orders.get("po-1")
        theirs.send(now=NOW, actor="clerk")
        fast.purchase_orders.save(theirs)
        fast.commit()
        mine.cancel(now=NOW, actor="manager")
        slow.purchase_orders.save(mine)
        slow.carts.save(make_cart())
        with pytest.raises(ConcurrencyError):
            slow.commit()
    with store.unit_of_work() as uow:
        stored = uow.purchase_orders.get("po-1")
        assert uow.carts.get("reseller-1") == Cart("reseller-1")
    assert (stored.status, stored.revision) == (PurchaseOrderStatus.SENT, 1)


def test_a_second_purchase_order_with_the_same_id_is_a_concurrency_error(store: Any) -> None:
    with store.unit_of_work() as uow:
        uow.purchase_orders.add(make_purchase_order())
        uow.commit()
    with store.unit_of_work() as uow:
        uow.purchase_orders.add(make_purchase_order(supplier_id="beta"))
        with pytest.raises(ConcurrencyError):
            uow.commit()
    with store.unit_of_work() as uow:
        assert [p.supplier_id for p in uow.purchase_orders.list()] == ["alpha"]


def test_rollback_discards_staged_carts_and_purchase_orders(store: Any) -> None:
    with store.unit_of_work() as uow:  # leaving without commit
        uow.carts.save(make_cart())
        uow.purchase_orders.add(make_purchase_order())
    with store.unit_of_work() as uow:
        uow.carts.save(make_cart())
        uow.purchase_orders.add(make_purchase_order())
        uow.rollback()
        uow.quotes.add(make_quote())
        uow.commit()  # commits the quote only
    with store.unit_of_work() as uow:
        assert uow.carts.get("reseller-1") == Cart("reseller-1")
        assert uow.purchase_orders.list() == []
        with pytest.raises(PurchaseOrderNotFound):
            uow.purchase_orders.get("po-1")
        assert uow.quotes.get("quote-1").revision == 0


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
    from contract_builders import make_order

    from quote2order import OrderNotFound

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
