"""The shipped strategy's rules, on generated carts and offers."""

from __future__ import annotations

from decimal import Decimal

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from quote2order import (
    Allocation,
    Cart,
    CartLine,
    CheapestInStock,
    Money,
    NotProcurable,
    SupplierOffer,
    ValidationError,
)
from quote2order.purchasing import check_plan
from quote2order.purchasing.cart import split_allocations

from .conftest import catalog, free_text, offer, terms

SUPPLIERS = ("alpha", "beta", "gamma")


def _line(line_id: str, product_id: str, quantity: int) -> CartLine:
    product = catalog("1", product_id, 1).product
    assert product is not None
    return CartLine(line_id, product, (Allocation("order-1", line_id, quantity),))


offers_strategy = st.lists(
    st.tuples(
        st.sampled_from(SUPPLIERS),
        st.sampled_from(["P1", "P2", "P3"]),
        st.integers(1, 50),
        st.integers(0, 10),
    ),
    max_size=9,
    unique_by=lambda t: (t[0], t[1]),
)


@settings(max_examples=200, deadline=None)
@given(
    quantities=st.lists(st.integers(1, 12), min_size=1, max_size=3),
    raw_offers=offers_strategy,
    minimum=st.none() | st.integers(0, 200),
)
def test_cheapest_in_stock_always_makes_a_sound_plan(
    quantities: list[int], raw_offers: list[tuple[str, str, int, int]], minimum: int | None
) -> None:
    lines = [_line(f"L{i}", f"P{i + 1}", q) for i, q in enumerate(quantities)]
    offers: dict[str, list[SupplierOffer]] = {}
    for supplier, product, price, stock in raw_offers:
        offers.setdefault(product, []).append(offer(supplier, product, str(price), stock))
    supplier_terms = {"alpha": terms("alpha", minimum=None if minimum is None else str(minimum))}
    plan = CheapestInStock().plan(lines, offers, supplier_terms)
    check_plan(plan, lines, offers)  # raises if unsound
    goods = Decimal(0)
    for line in lines:
        for share in plan.shares.get(line.line_id, ()):
            if share.supplier_id == "alpha":
                price = next(o for o in offers[line.product_id] if o.supplier_id == "alpha")
                goods += price.unit_price.amount * share.quantity
    if minimum is not None and goods:
        assert goods >= minimum


@settings(max_examples=200, deadline=None)
@given(quantity=st.integers(1, 12), raw_offers=offers_strategy)
def test_a_line_one_supplier_can_fill_goes_to_the_cheapest_such_supplier(
    quantity: int, raw_offers: list[tuple[str, str, int, int]]
) -> None:
    line = _line("L1", "P1", quantity)
    offers = [offer(s, p, str(price), stock) for s, p, price, stock in raw_offers if p == "P1"]
    plan = CheapestInStock().plan([line], {"P1": offers}, {})
    enough = [o for o in offers if o.stock >= quantity]
    if enough:
        best = min(o.unit_price.amount for o in enough)
        [share] = plan.shares["L1"]
        chosen = next(o for o in offers if o.supplier_id == share.supplier_id)
        assert chosen.unit_price.amount == best
    elif sum(o.stock for o in offers) >= quantity:
        assert sum(s.quantity for s in plan.shares["L1"]) == quantity
    else:
        assert "L1" in plan.uncovered


def test_on_a_price_tie_a_partner_supplier_is_preferred() -> None:
    line = _line("L1", "P1", 2)
    offers = [offer("alpha", "P1", "10", 9), offer("beta", "P1", "10", 9, partner=True)]
    plan = CheapestInStock().plan([line], {"P1": offers}, {})
    assert [s.supplier_id for s in plan.shares["L1"]] == ["beta"]


def test_stock_taken_by_one_line_is_not_offered_to_the_next() -> None:
    lines = [_line("L1", "P1", 3), _line("L2", "P1", 3)]
    plan = CheapestInStock().plan(lines, {"P1": [offer("alpha", "P1", "10", 4)]}, {})
    assert "L2" in plan.uncovered


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 9), min_size=1, max_size=5),
    data=st.data(),
)
def test_splitting_allocations_keeps_every_unit_of_every_position(
    sizes: list[int], data: st.DataObject
) -> None:
    allocations = tuple(Allocation(f"order-{i}", "1", q) for i, q in enumerate(sizes))
    take = data.draw(st.integers(0, sum(sizes)))
    head, tail = split_allocations(allocations, Decimal(take))
    assert sum(a.quantity for a in head) == take
    merged: dict[str, Decimal] = {}
    for allocation in (*head, *tail):
        merged[allocation.order_id] = (
            merged.get(allocation.order_id, Decimal(0)) + allocation.quantity
        )
    assert merged == {a.order_id: a.quantity for a in allocations}


def test_the_cart_refuses_a_free_text_position_outright() -> None:
    cart = Cart("reseller-1")
    with pytest.raises(NotProcurable):
        cart.add("order-1", [(catalog("1", "P1", 1), Decimal(1)), (free_text("2"), Decimal(1))])
    assert cart.lines == ()


def test_offers_refuse_negative_stock_and_prices() -> None:
    with pytest.raises(ValidationError):
        SupplierOffer("alpha", "P1", Money("1", "EUR"), -1)
    with pytest.raises(ValidationError):
        SupplierOffer("alpha", "P1", Money("-1", "EUR"), 1)
