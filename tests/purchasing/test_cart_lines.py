"""Changing and removing cart lines, and what completing or rejecting an order does."""

from __future__ import annotations

import pytest

from quote2order import (
    CartLineNotFound,
    ConcurrencyError,
    InvalidTransition,
    OrderStatus,
    ValidationError,
)

from .conftest import RESELLER, Shop, catalog


def _two_orders_one_line(shop: Shop) -> tuple[str, str]:
    first = shop.order(catalog("1", "P1", 5))
    second = shop.order(catalog("1", "P1", 4))
    shop.service.add_to_cart(first.order_id, {"1": 3})
    shop.service.add_to_cart(second.order_id, {"1": 2})
    return first.order_id, second.order_id


def test_lowering_a_line_releases_the_newest_allocation_first(shop: Shop) -> None:
    first, second = _two_orders_one_line(shop)
    cart = shop.service.change_cart_line(RESELLER, "L1", 2)
    assert [(a.order_id, a.quantity) for a in cart.lines[0].allocations] == [(first, 2)]
    assert shop.service.get_order(second).status is OrderStatus.CONFIRMED
    assert shop.service.get_order(second).procurement_of("1").in_cart == 0
    assert shop.service.get_order(first).procurement_of("1").in_cart == 2


def test_raising_a_line_takes_open_quantities_oldest_allocation_first(shop: Shop) -> None:
    first, second = _two_orders_one_line(shop)
    cart = shop.service.change_cart_line(RESELLER, "L1", 8)
    assert [(a.order_id, a.quantity) for a in cart.lines[0].allocations] == [
        (first, 5),
        (second, 3),
    ]
    assert shop.service.get_order(second).not_procured("1") == 1


def test_raising_a_line_beyond_the_open_quantities_is_refused(shop: Shop) -> None:
    _two_orders_one_line(shop)
    before = shop.snapshot()
    with pytest.raises(ValidationError, match="at most 9"):
        shop.service.change_cart_line(RESELLER, "L1", 10)
    assert shop.snapshot() == before


def test_removing_a_line_releases_everything_and_ends_procurement(shop: Shop) -> None:
    first, second = _two_orders_one_line(shop)
    cart = shop.service.remove_cart_line(RESELLER, "L1")
    assert cart.lines == ()
    for order_id in (first, second):
        order = shop.service.get_order(order_id)
        assert order.status is OrderStatus.CONFIRMED
        assert order.not_procured("1") == order.position("1").quantity


def test_an_unknown_line_is_not_found(shop: Shop) -> None:
    _two_orders_one_line(shop)
    with pytest.raises(CartLineNotFound):
        shop.service.remove_cart_line(RESELLER, "L9")


def test_line_ids_are_never_reused(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5), catalog("2", "P2", 5))
    shop.service.add_to_cart(order.order_id, ["1"])
    shop.service.remove_cart_line(RESELLER, "L1")
    cart = shop.service.add_to_cart(order.order_id, ["2"]).cart
    assert [line.line_id for line in cart.lines] == ["L2"]


def test_completing_an_order_takes_its_quantities_out_of_the_cart(shop: Shop) -> None:
    first, second = _two_orders_one_line(shop)
    shop.service.complete_order(first)
    cart = shop.service.get_cart(RESELLER)
    assert [(a.order_id, a.quantity) for a in cart.lines[0].allocations] == [(second, 2)]
    order = shop.service.get_order(first)
    assert order.status is OrderStatus.COMPLETED
    assert order.procurement_of("1").in_cart == 0
    assert shop.service.history("cart", RESELLER)[-1].name == "PositionsReleasedFromCart"


def test_rejecting_an_order_in_procurement_is_refused(shop: Shop) -> None:
    first, _ = _two_orders_one_line(shop)
    with pytest.raises(InvalidTransition) as caught:
        shop.service.reject_order(first)
    assert caught.value.state == "in_procurement"


def test_rejecting_is_possible_again_once_its_cart_lines_are_gone(shop: Shop) -> None:
    first, _ = _two_orders_one_line(shop)
    shop.service.remove_cart_line(RESELLER, "L1")
    assert shop.service.reject_order(first).status is OrderStatus.REJECTED


def test_a_stale_cart_loses_the_optimistic_lock(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5), catalog("2", "P2", 5))
    shop.service.add_to_cart(order.order_id, ["1"])
    with shop.store.unit_of_work() as stale:
        cart = stale.carts.get(RESELLER)
        shop.service.add_to_cart(order.order_id, ["2"])
        cart.replace_allocations("L1", ())
        stale.carts.save(cart)
        with pytest.raises(ConcurrencyError):
            stale.commit()


def test_two_new_carts_for_one_reseller_conflict(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5))
    with shop.store.unit_of_work() as stale:
        cart = stale.carts.get(RESELLER)
        shop.service.add_to_cart(order.order_id)
        stale.carts.save(cart)
        with pytest.raises(ConcurrencyError):
            stale.commit()
