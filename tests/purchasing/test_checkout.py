"""Checkout: purchase orders per supplier following the plan; what stays in the cart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest

from quote2order import (
    AllocationPlan,
    CartLine,
    CurrencyMismatch,
    IdempotencyConflict,
    Money,
    OptimizationError,
    OrderStatus,
    StaticOfferSource,
    SupplierOffer,
    SupplierShare,
    SupplierTerms,
    ValidationError,
)

from .conftest import OFFERS, RESELLER, Shop, catalog, offer, terms


def _cart_of_two(shop: Shop) -> tuple[str, str]:
    first = shop.order(catalog("1", "P1", 5), catalog("2", "P2", 2))
    second = shop.order(catalog("1", "P1", 2))
    shop.service.add_to_cart(first.order_id)
    shop.service.add_to_cart(second.order_id)
    return first.order_id, second.order_id


def test_each_line_goes_to_the_cheapest_supplier_with_enough_stock(shop: Shop) -> None:
    _cart_of_two(shop)
    result = shop.service.checkout(RESELLER, OFFERS)
    # beta is cheaper for P1 but has only 3 of 7; alpha has enough and is cheapest for P2.
    [purchase_order] = result.purchase_orders
    assert purchase_order.supplier_id == "alpha"
    assert [(line.product_id, line.quantity) for line in purchase_order.lines] == [
        ("P1", 7),
        ("P2", 2),
    ]
    assert purchase_order.goods == Money("710.00", "EUR")
    assert purchase_order.shipping == Money("10", "EUR")
    assert result.cart.lines == ()


def test_a_line_is_split_across_suppliers_when_stock_requires(shop: Shop) -> None:
    first, second = _cart_of_two(shop)
    source = StaticOfferSource(
        [offer("alpha", "P1", "90", 4), offer("beta", "P1", "85", 3), offer("alpha", "P2", "40", 9)]
    )
    result = shop.service.checkout(RESELLER, source)
    by_supplier = {po.supplier_id: po for po in result.purchase_orders}
    beta_p1 = by_supplier["beta"].lines[0]
    alpha_p1 = by_supplier["alpha"].lines[0]
    assert (beta_p1.quantity, alpha_p1.quantity) == (3, 4)
    # The oldest allocation is served first; each part's allocations add up to the part.
    assert [(a.order_id, a.quantity) for a in beta_p1.allocations] == [(first, 3)]
    assert [(a.order_id, a.quantity) for a in alpha_p1.allocations] == [(first, 2), (second, 2)]


def test_purchase_orders_are_numbered_from_their_own_sequence(shop: Shop) -> None:
    _cart_of_two(shop)
    source = StaticOfferSource([offer("alpha", "P1", "90", 9), offer("beta", "P2", "30", 9)])
    result = shop.service.checkout(RESELLER, source)
    assert [po.number for po in result.purchase_orders] == ["PO-2026-00001", "PO-2026-00002"]


def test_ordering_moves_quantities_from_in_cart_to_ordered(shop: Shop) -> None:
    first, _ = _cart_of_two(shop)
    shop.service.checkout(RESELLER, OFFERS)
    order = shop.service.get_order(first)
    assert order.status is OrderStatus.IN_PROCUREMENT
    assert [(r.in_cart, r.ordered) for r in order.procurement] == [(0, 5), (0, 2)]


def test_a_product_without_offer_stays_in_the_cart_with_its_reason(shop: Shop) -> None:
    _cart_of_two(shop)
    source = StaticOfferSource([offer("alpha", "P1", "90", 9)])
    result = shop.service.checkout(RESELLER, source)
    assert [(u.line_id, u.product_id, u.quantity, u.reason) for u in result.uncovered] == [
        ("L2", "P2", Decimal(2), "no offer")
    ]
    assert [line.line_id for line in result.cart.lines] == ["L2"]
    assert len(result.purchase_orders) == 1


def test_too_little_stock_everywhere_stays_in_the_cart(shop: Shop) -> None:
    _cart_of_two(shop)
    source = StaticOfferSource(
        [offer("alpha", "P1", "90", 2), offer("beta", "P1", "85", 3), offer("alpha", "P2", "4", 9)]
    )
    result = shop.service.checkout(RESELLER, source)
    assert [u.reason for u in result.uncovered] == ["not enough stock: 7 needed, 5 available"]


def test_only_the_chosen_lines_are_checked_out(shop: Shop) -> None:
    _cart_of_two(shop)
    result = shop.service.checkout(RESELLER, OFFERS, line_ids=["L2"])
    assert [line.product_id for po in result.purchase_orders for line in po.lines] == ["P2"]
    assert [line.line_id for line in result.cart.lines] == ["L1"]


def test_free_shipping_from_the_threshold_and_the_partner_flag(shop: Shop) -> None:
    _cart_of_two(shop)
    source = StaticOfferSource(
        [offer("beta", "P1", "85", 9, partner=True), offer("beta", "P2", "40", 9, partner=True)],
        [terms("beta", shipping="12", free_from="200")],
    )
    [purchase_order] = shop.service.checkout(RESELLER, source).purchase_orders
    assert purchase_order.shipping == Money.zero("EUR")
    assert purchase_order.partner
    assert purchase_order.total == purchase_order.goods


def test_a_supplier_below_its_minimum_order_value_is_not_used(shop: Shop) -> None:
    _cart_of_two(shop)
    source = StaticOfferSource(
        [
            offer("alpha", "P1", "90", 9),
            offer("cheap", "P2", "30", 9),
            offer("alpha", "P2", "40", 9),
        ],
        [terms("cheap", minimum="100")],
    )
    result = shop.service.checkout(RESELLER, source)
    assert {po.supplier_id for po in result.purchase_orders} == {"alpha"}


def test_a_line_only_a_supplier_below_minimum_offers_stays_with_that_reason(shop: Shop) -> None:
    _cart_of_two(shop)
    source = StaticOfferSource(
        [offer("alpha", "P1", "90", 9), offer("cheap", "P2", "30", 9)],
        [terms("cheap", minimum="100")],
    )
    result = shop.service.checkout(RESELLER, source)
    assert [u.reason for u in result.uncovered] == [
        "no offer (cheap below its minimum order value of 100 EUR)"
    ]


def test_the_same_idempotency_key_never_orders_twice(shop: Shop) -> None:
    _cart_of_two(shop)
    source = StaticOfferSource([offer("alpha", "P1", "90", 9)])
    first = shop.service.checkout(RESELLER, source, idempotency_key="k1")
    again = shop.service.checkout(RESELLER, source, idempotency_key="k1")
    assert [po.purchase_order_id for po in again.purchase_orders] == [
        po.purchase_order_id for po in first.purchase_orders
    ]
    assert again.uncovered == first.uncovered
    assert len(shop.service.list_purchase_orders()) == 1


def test_an_idempotency_key_reused_for_other_lines_is_a_conflict(shop: Shop) -> None:
    _cart_of_two(shop)
    shop.service.checkout(RESELLER, OFFERS, line_ids=["L1"], idempotency_key="k1")
    with pytest.raises(IdempotencyConflict):
        shop.service.checkout(RESELLER, OFFERS, line_ids=["L2"], idempotency_key="k1")


def test_an_empty_cart_cannot_be_checked_out(shop: Shop) -> None:
    with pytest.raises(ValidationError, match="nothing to check out"):
        shop.service.checkout(RESELLER, OFFERS)


class _Overbooking:
    """A faulty strategy: orders more than the supplier has."""

    def plan(
        self,
        lines: Sequence[CartLine],
        offers: Mapping[str, Sequence[SupplierOffer]],
        terms: Mapping[str, SupplierTerms],
    ) -> AllocationPlan:
        return AllocationPlan(
            {line.line_id: (SupplierShare("beta", int(line.quantity)),) for line in lines}
        )


class _Forgetful:
    """A faulty strategy: plans nothing at all."""

    def plan(
        self,
        lines: Sequence[CartLine],
        offers: Mapping[str, Sequence[SupplierOffer]],
        terms: Mapping[str, SupplierTerms],
    ) -> AllocationPlan:
        return AllocationPlan()


@pytest.mark.parametrize("strategy", [_Overbooking(), _Forgetful()])
def test_an_unsound_plan_is_refused_and_nothing_changes(shop: Shop, strategy: object) -> None:
    _cart_of_two(shop)
    before = shop.snapshot()
    with pytest.raises(OptimizationError):
        shop.service.checkout(RESELLER, OFFERS, strategy=strategy)  # type: ignore[arg-type]
    assert shop.snapshot() == before


def test_offers_in_two_currencies_are_refused_and_nothing_changes(shop: Shop) -> None:
    _cart_of_two(shop)
    source = StaticOfferSource(
        [offer("alpha", "P1", "90", 9), SupplierOffer("gamma", "P2", Money("5", "USD"), 9)]
    )
    before = shop.snapshot()
    with pytest.raises(CurrencyMismatch):
        shop.service.checkout(RESELLER, source)
    assert shop.snapshot() == before


def test_checkout_records_its_events(shop: Shop) -> None:
    _cart_of_two(shop)
    result = shop.service.checkout(RESELLER, OFFERS)
    [po] = result.purchase_orders
    assert [e.name for e in shop.service.history("purchase_order", po.purchase_order_id)] == [
        "PurchaseOrderCreated"
    ]
    assert shop.service.history("cart", RESELLER)[-1].name == "CartCheckedOut"


def test_checkout_of_many_lines_searches_no_line_and_loads_no_order_one_by_one(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linear in the cart: no per-line search of the cart, orders loaded in one query."""
    from quote2order import Cart
    from quote2order.orders import Order

    orders = [
        shop.order(*(catalog(f"{i}-{k}", f"P{i}-{k}", 1) for k in range(10))) for i in range(6)
    ]
    for order in orders:
        shop.service.add_to_cart(order.order_id)
    cart = shop.service.get_cart(RESELLER)
    source = StaticOfferSource([offer("alpha", line.product_id, "10", 99) for line in cart.lines])
    calls: dict[str, int] = {"line": 0, "replace": 0, "shift": 0}
    line, replace, shift = Cart.line, Cart.replace_allocations, Order.shift_procurement

    def counted(name: str, method: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return method(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(Cart, "line", counted("line", line))
    monkeypatch.setattr(Cart, "replace_allocations", counted("replace", replace))
    monkeypatch.setattr(Order, "shift_procurement", counted("shift", shift))
    selected = [line.line_id for line in cart.lines[5:55]]
    result = shop.service.checkout(RESELLER, source, line_ids=selected)
    assert sum(len(po.lines) for po in result.purchase_orders) == 50
    assert calls == {"line": 0, "replace": 0, "shift": 0}
    assert len(shop.service.get_cart(RESELLER).lines) == 10
