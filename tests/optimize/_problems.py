"""Hypothesis strategies for small procurement problems and a plan checker for tests."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hypothesis import strategies as st

from quote2order.optimize import (
    CartLine,
    Constraints,
    Offer,
    Plan,
    ProcurementProblem,
    Strategy,
    SupplierTerms,
)

cents = st.integers(min_value=100, max_value=5000).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def small_problems(
    draw: st.DrawFn, max_lines: int = 5, max_suppliers: int = 4
) -> ProcurementProblem:
    n_sup = draw(st.integers(2, max_suppliers))
    suppliers = [f"S{s}" for s in range(n_sup)]
    partner = {s: draw(st.booleans()) for s in suppliers}
    n_lines = draw(st.integers(1, max_lines))
    # A few lines may share a product so that they compete for its stock.
    products = [f"P{draw(st.integers(0, n_lines))}" for _ in range(n_lines)]
    lines = [CartLine(f"L{i}", products[i], draw(st.integers(1, 3))) for i in range(n_lines)]
    offers = []
    for product in sorted(set(products)):
        chosen = draw(st.lists(st.sampled_from(suppliers), max_size=3, unique=True))
        for s in chosen:
            offers.append(
                Offer(
                    s,
                    product,
                    draw(cents),
                    draw(st.integers(0, 4)),
                    draw(st.integers(1, 5)),
                    partner[s],
                )
            )
    terms = []
    for s in suppliers:
        threshold = draw(st.one_of(st.none(), cents.map(lambda c: c * 2)))
        terms.append(
            SupplierTerms(
                s,
                draw(st.sampled_from([Decimal("0.00"), Decimal("4.90"), Decimal("9.90")])),
                threshold,
                draw(
                    st.sampled_from(
                        [Decimal("0"), Decimal("0"), Decimal("30.00"), Decimal("80.00")]
                    )
                ),
            )
        )
    return ProcurementProblem("EUR", lines, offers, terms)


strategies = st.sampled_from(
    [
        Strategy("cheapest"),
        Strategy("partner-first", Decimal("5")),
        Strategy("partners-only"),
        Strategy("fewest-sources"),
    ]
)

constraint_sets = st.builds(
    Constraints,
    max_suppliers=st.one_of(st.none(), st.integers(1, 3)),
    max_delivery_days=st.one_of(st.none(), st.integers(2, 5)),
    no_split=st.booleans(),
)


def assert_feasible(problem: ProcurementProblem, constraints: Constraints, plan: Plan) -> None:
    """Check stock, minimum order values, constraints and the plan's own arithmetic."""
    offers = {(o.supplier_id, o.product_id): o for o in problem.offers}
    lines = {line.line_id: line for line in problem.lines}
    taken: dict[tuple[str, str], int] = defaultdict(int)
    goods: dict[str, Decimal] = defaultdict(Decimal)
    bought: dict[str, int] = defaultdict(int)
    sources: dict[str, set[str]] = defaultdict(set)
    for a in plan.allocations:
        offer = offers[(a.supplier_id, lines[a.line_id].product_id)]
        assert a.quantity > 0
        assert a.amount == offer.unit_price * a.quantity
        taken[(a.supplier_id, offer.product_id)] += a.quantity
        goods[a.supplier_id] += a.amount
        bought[a.line_id] += a.quantity
        sources[a.line_id].add(a.supplier_id)
        if constraints.max_delivery_days is not None:
            assert offer.delivery_days <= constraints.max_delivery_days
        if plan.strategy.kind == "partners-only":
            assert offer.partner
    for key, quantity in taken.items():
        assert quantity <= offers[key].stock, key
    for supplier, value in goods.items():
        assert value >= problem.terms_for(supplier).minimum_order_value, supplier
    if constraints.max_suppliers is not None:
        assert len(goods) <= constraints.max_suppliers
    if constraints.no_split:
        assert all(len(s) == 1 for s in sources.values())
    missing = {u.line_id: u.missing for u in plan.uncovered}
    for line in problem.lines:
        assert bought[line.line_id] + missing.get(line.line_id, 0) == line.quantity
    shipping = {s: problem.terms_for(s).shipping_for(v) for s, v in goods.items()}
    assert {o.supplier_id: o.shipping for o in plan.suppliers} == shipping
    assert plan.goods_cost == sum(goods.values(), Decimal(0))
    assert plan.total == plan.goods_cost + sum(shipping.values(), Decimal(0))
