"""Add to cart: which positions go in, what is skipped, and what is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quote2order import (
    InvalidTransition,
    NotProcurable,
    OrderStatus,
    OverProcurement,
    SkipReason,
    ValidationError,
)

from .conftest import RESELLER, Shop, catalog, custom, free_text


def test_default_adds_every_procurable_position_and_lists_skipped_ones(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5), free_text("2"), custom("3"), catalog("4", "P2", 2))
    result = shop.service.add_to_cart(order.order_id)
    assert [(a.position_id, a.quantity) for a in result.added] == [("1", 5), ("4", 2)]
    assert [(s.position_id, s.reason) for s in result.skipped] == [
        ("2", SkipReason.FREE_TEXT),
        ("3", SkipReason.CUSTOM_PRODUCT),
    ]


def test_adding_moves_the_order_into_procurement_and_records_in_cart(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5))
    shop.service.add_to_cart(order.order_id, {"1": 3})
    stored = shop.service.get_order(order.order_id)
    assert stored.status is OrderStatus.IN_PROCUREMENT
    assert stored.procurement_of("1").in_cart == 3
    assert stored.not_procured("1") == 2


def test_lines_of_the_same_product_from_two_customers_combine(shop: Shop) -> None:
    first = shop.order(catalog("1", "P1", 5))
    second = shop.order(catalog("9", "P1", 2), catalog("8", "P2", 1))
    shop.service.add_to_cart(first.order_id)
    cart = shop.service.add_to_cart(second.order_id).cart
    assert [(line.product_id, line.quantity) for line in cart.lines] == [("P1", 7), ("P2", 1)]
    assert [(a.order_id, a.position_id, a.quantity) for a in cart.lines[0].allocations] == [
        (first.order_id, "1", 5),
        (second.order_id, "9", 2),
    ]


def test_adding_the_rest_later_merges_into_the_same_allocation(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5))
    shop.service.add_to_cart(order.order_id, {"1": 2})
    cart = shop.service.add_to_cart(order.order_id).cart
    assert cart.lines[0].allocations[0].quantity == 5
    assert len(cart.lines[0].allocations) == 1


def test_selection_of_only_free_text_and_custom_positions_is_not_procurable(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5), free_text("2"), custom("3"))
    before = shop.snapshot()
    with pytest.raises(NotProcurable) as caught:
        shop.service.add_to_cart(order.order_id, ["2", "3"])
    assert caught.value.errors == (("2", "free_text"), ("3", "custom_product"))
    assert shop.snapshot() == before


def test_more_than_the_open_quantity_is_refused_and_nothing_is_added(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5), catalog("2", "P2", 1))
    shop.service.add_to_cart(order.order_id, {"1": 4})
    before = shop.snapshot()
    with pytest.raises(OverProcurement) as caught:
        shop.service.add_to_cart(order.order_id, {"2": 1, "1": 2})
    assert (caught.value.position_id, caught.value.open_quantity) == ("1", Decimal(1))
    assert shop.snapshot() == before


@pytest.mark.parametrize("quantity", [0, -1, "1.5", "x"])
def test_a_quantity_that_is_not_a_whole_positive_number_is_refused(
    shop: Shop, quantity: object
) -> None:
    order = shop.order(catalog("1", "P1", 5))
    before = shop.snapshot()
    with pytest.raises(ValidationError):
        shop.service.add_to_cart(order.order_id, {"1": quantity})
    assert shop.snapshot() == before


def test_an_unknown_position_is_refused(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5))
    with pytest.raises(ValidationError, match="no position"):
        shop.service.add_to_cart(order.order_id, ["7"])


def test_nothing_left_to_procure_is_refused_by_default(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5))
    shop.service.add_to_cart(order.order_id)
    with pytest.raises(ValidationError, match="nothing left"):
        shop.service.add_to_cart(order.order_id)


def test_an_open_order_cannot_be_added(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5), confirm=False)
    with pytest.raises(InvalidTransition) as caught:
        shop.service.add_to_cart(order.order_id)
    assert (caught.value.state, caught.value.action) == ("open", "add_to_cart")
    assert shop.service.get_cart(RESELLER).lines == ()


def test_a_rejected_order_cannot_be_added(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5))
    shop.service.reject_order(order.order_id)
    with pytest.raises(InvalidTransition):
        shop.service.add_to_cart(order.order_id)


def test_an_invoiced_order_cannot_be_added(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5))
    shop.service.complete_order(order.order_id)
    shop.service.invoice_order(order.order_id)
    with pytest.raises(InvalidTransition):
        shop.service.add_to_cart(order.order_id)


def test_adding_records_events_on_cart_and_order(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5))
    shop.service.add_to_cart(order.order_id)
    assert [e.name for e in shop.service.history("cart", RESELLER)] == ["PositionsAddedToCart"]
    assert shop.service.history("order", order.order_id)[-1].name == "OrderProcurementStarted"
