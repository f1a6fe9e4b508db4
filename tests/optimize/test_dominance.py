"""Dominated suppliers and offers are removed without changing the optimum."""

from __future__ import annotations

from decimal import Decimal

import pytest
from _brute import brute_force, search_size
from _problems import constraint_sets, small_problems, strategies
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from quote2order.optimize import (
    CartLine,
    Constraints,
    Offer,
    ProcurementProblem,
    Strategy,
    SupplierTerms,
    dominance,
    optimize,
)
from quote2order.optimize.generate import random_problem
from quote2order.optimize.instance import build_instance

D = Decimal


def _without_dominated(
    problem: ProcurementProblem, strategy: Strategy, constraints: Constraints
) -> tuple[ProcurementProblem, int]:
    """The problem without the offers the reduction removes, and how many it removed."""
    inst = build_instance(problem, strategy, constraints)
    reduced = dominance.reduce(inst)
    kept = {(o.supplier_id, o.product_id) for o in reduced.instance.offers}
    gone = {(o.supplier_id, o.product_id) for o in inst.offers} - kept
    offers = [o for o in problem.offers if (o.supplier_id, o.product_id) not in gone]
    return ProcurementProblem(problem.currency, problem.lines, offers, problem.terms), len(gone)


@st.composite
def near_misses(draw: st.DrawFn) -> ProcurementProblem:
    """Few lines, ample stock and amounts near each other, so that the rules' edges are hit."""
    suppliers = ["A", "B", "C"][: draw(st.integers(2, 3))]
    partner = {s: draw(st.booleans()) for s in suppliers}
    n_lines = draw(st.integers(1, 3))
    lines = [CartLine(f"L{i}", f"P{i}", draw(st.integers(1, 2))) for i in range(n_lines)]
    amounts = st.sampled_from([D(v) for v in ("0.00", "4.90", "5.00", "9.90", "10.00", "15.00")])
    offers = []
    for line in lines:
        for s in draw(st.lists(st.sampled_from(suppliers), min_size=1, max_size=3, unique=True)):
            price = draw(
                st.sampled_from([D(v) for v in ("1.00", "5.00", "9.00", "10.00", "20.00")])
            )
            stock = draw(st.sampled_from([1, 2, 5]))
            offers.append(Offer(s, line.product_id, price, stock, 1, partner[s]))
    terms = [
        SupplierTerms(
            s,
            draw(amounts),
            draw(st.one_of(st.none(), amounts.map(lambda a: a * 2))),
            draw(st.sampled_from([D(0), D(0), D("5.00"), D("10.00")])),
        )
        for s in suppliers
    ]
    return ProcurementProblem("EUR", lines, offers, terms)


def _same_optimum(
    problem: ProcurementProblem, strategy: Strategy, constraints: Constraints
) -> None:
    assume(search_size(problem, constraints) <= 20_000)
    smaller, _ = _without_dominated(problem, strategy, constraints)
    assert brute_force(smaller, strategy, constraints) == brute_force(
        problem, strategy, constraints
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(max_lines=5, max_suppliers=5), strategies, constraint_sets)
def test_removing_dominated_offers_keeps_the_brute_force_optimum(
    problem: ProcurementProblem, strategy: Strategy, constraints: Constraints
) -> None:
    _same_optimum(problem, strategy, constraints)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_misses(), strategies, constraint_sets)
def test_removing_dominated_offers_keeps_the_optimum_near_the_rules_edges(
    problem: ProcurementProblem, strategy: Strategy, constraints: Constraints
) -> None:
    _same_optimum(problem, strategy, constraints)


def _cart(offers: list[Offer], terms: list[SupplierTerms], quantity: int = 2) -> ProcurementProblem:
    return ProcurementProblem("EUR", [CartLine("L1", "P", quantity)], offers, terms)


def test_the_offer_rule_removes_an_offer_dearer_than_another_with_its_shipping() -> None:
    # B's landed price 10 + 4.90 is below A's 15.00, A has no threshold: A's offer goes.
    problem = _cart(
        [Offer("A", "P", D("15.00"), 5, 1), Offer("B", "P", D("10.00"), 5, 1)],
        [SupplierTerms("A", D("4.90")), SupplierTerms("B", D("4.90"))],
    )
    smaller, removed = _without_dominated(problem, Strategy(), Constraints())
    assert removed == 1
    assert [o.supplier_id for o in smaller.offers] == ["B"]


@pytest.mark.parametrize(
    ("terms_a", "why"),
    [
        (SupplierTerms("A", D("4.90"), D("20.00")), "A may fall below its threshold"),
        (SupplierTerms("A", D("4.90"), None, D("10.00")), "A may fall below its minimum"),
    ],
)
def test_the_offer_rule_keeps_an_offer_whose_removal_could_cost_more(
    terms_a: SupplierTerms, why: str
) -> None:
    # A also sells Q; moving P away from A can cost A's free shipping or its minimum.
    problem = ProcurementProblem(
        "EUR",
        [CartLine("L1", "P", 1), CartLine("L2", "Q", 1)],
        [
            Offer("A", "P", D("16.00"), 5, 1),
            Offer("B", "P", D("10.00"), 5, 1),
            Offer("A", "Q", D("5.00"), 5, 1),
        ],
        [terms_a, SupplierTerms("B", D("4.90"))],
    )
    _, removed = _without_dominated(problem, Strategy(), Constraints())
    assert removed == 0, why


def test_the_offer_rule_keeps_an_offer_when_the_better_one_lacks_stock() -> None:
    problem = _cart(
        [Offer("A", "P", D("15.00"), 5, 1), Offer("B", "P", D("1.00"), 1, 1)],
        [SupplierTerms("A", D("4.90")), SupplierTerms("B", D("0.00"))],
    )
    assert _without_dominated(problem, Strategy(), Constraints())[1] == 0


def test_the_supplier_rule_removes_a_supplier_never_better_even_for_fewest_sources() -> None:
    problem = ProcurementProblem(
        "EUR",
        [CartLine("L1", "P", 1), CartLine("L2", "Q", 1)],
        [
            Offer("A", "P", D("10.00"), 5, 1),
            Offer("A", "Q", D("10.00"), 5, 1),
            Offer("B", "P", D("9.00"), 5, 1),
            Offer("B", "Q", D("10.00"), 5, 1),
            Offer("C", "P", D("9.50"), 5, 1),
        ],
        [
            SupplierTerms("A", D("4.90"), D("30.00"), D("10.00")),
            SupplierTerms("B", D("4.90"), D("20.00"), D("9.00")),
            SupplierTerms("C", D("4.90")),
        ],
    )
    for constraints in (Constraints(), Constraints(max_suppliers=1)):
        smaller, removed = _without_dominated(problem, Strategy("fewest-sources"), constraints)
        assert {o.supplier_id for o in smaller.offers} == {"B", "C"}
        assert removed == 2


def test_the_supplier_rule_keeps_a_supplier_with_a_lower_threshold() -> None:
    # B is cheaper per unit but ships free only from 100.00; A ships free from 19.00.
    problem = _cart(
        [Offer("A", "P", D("10.00"), 5, 1), Offer("B", "P", D("9.90"), 5, 1)],
        [SupplierTerms("A", D("9.90"), D("19.00")), SupplierTerms("B", D("9.90"), D("100.00"))],
    )
    assert _without_dominated(problem, Strategy("fewest-sources"), Constraints())[1] == 0
    assert optimize(problem, "fewest-sources").quantities() == {("A", "L1"): 2}


@pytest.mark.parametrize("regime", ["hardware", "shipping", "scarce", "minimums", "partners"])
def test_generated_carts_lose_offers_and_keep_their_optimum(regime: str) -> None:
    problem = random_problem(40, 10, regime, 3)  # type: ignore[arg-type]
    strategy = Strategy("partner-first", D("5")) if regime == "partners" else Strategy()
    smaller, removed = _without_dominated(problem, strategy, Constraints())
    assert removed > 0
    full = optimize(problem, strategy, method="milp", time_limit=None)
    reduced = optimize(smaller, strategy, method="milp", time_limit=None)
    assert full.optimal
    assert reduced.optimal
    assert full.objective == reduced.objective


def test_the_supplier_rule_keeps_a_supplier_whose_rival_has_a_higher_minimum() -> None:
    # B is cheaper, but one unit at B (9.00) stays below B's minimum of 15.00.
    problem = _cart(
        [Offer("A", "P", D("10.00"), 5, 1), Offer("B", "P", D("9.00"), 5, 1)],
        [SupplierTerms("A", D("4.90")), SupplierTerms("B", D("4.90"), None, D("15.00"))],
        quantity=1,
    )
    assert _without_dominated(problem, Strategy("fewest-sources"), Constraints())[1] == 0
    assert optimize(problem, "fewest-sources").quantities() == {("A", "L1"): 1}


def test_the_offer_rule_keeps_an_offer_whose_rival_has_a_minimum_above_one_unit() -> None:
    problem = _cart(
        [Offer("A", "P", D("20.00"), 5, 1), Offer("B", "P", D("10.00"), 5, 1)],
        [SupplierTerms("A", D("4.90")), SupplierTerms("B", D("0.00"), None, D("15.00"))],
        quantity=1,
    )
    assert _without_dominated(problem, Strategy(), Constraints())[1] == 0
    assert optimize(problem).quantities() == {("A", "L1"): 1}
