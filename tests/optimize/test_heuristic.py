"""The heuristic's bookkeeping: pulls taken back exactly, bounds on its work, equal paths."""

from __future__ import annotations

import gc
import random
import time
from decimal import Decimal

import pytest
from _problems import assert_feasible, constraint_sets, small_problems, strategies
from hypothesis import given, settings

from quote2order.optimize import (
    CartLine,
    Constraints,
    Offer,
    ProcurementProblem,
    Strategy,
    SupplierTerms,
    heuristic,
    optimize,
)
from quote2order.optimize.generate import random_problem
from quote2order.optimize.instance import Instance, build_instance, build_plan

D = Decimal


def _state(sol: heuristic.Solution) -> tuple[object, ...]:
    used = [sorted(a for a in arcs if sol.units[a]) for arcs in sol.by_line]
    return (list(sol.units), list(sol.goods), list(sol.rem), sol.scored, sol.cost, used)


def _pure_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heuristic, "arrays_for", lambda inst: None)


def _search(inst: Instance, monkeypatch: pytest.MonkeyPatch, vectorised: bool) -> list[int]:
    with monkeypatch.context() as patch:
        if not vectorised:
            _pure_python(patch)
        return heuristic.local_search(inst).units


@pytest.mark.parametrize("regime", ["accessories", "shipping", "scarce", "minimums"])
@pytest.mark.parametrize(
    "constraints", [Constraints(), Constraints(max_suppliers=6), Constraints(no_split=True)]
)
def test_vectorised_pulls_give_the_plans_of_plain_python(
    regime: str, constraints: Constraints, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = random_problem(120, 20, regime, seed=1)  # type: ignore[arg-type]
    for strategy in (Strategy(), Strategy("partner-first", D("5")), Strategy("fewest-sources")):
        inst = build_instance(problem, strategy, constraints)
        assert _search(inst, monkeypatch, True) == _search(inst, monkeypatch, False)


@settings(max_examples=60, deadline=None)
@given(problem=small_problems(max_lines=6), strategy=strategies, constraints=constraint_sets)
def test_plain_python_plans_are_feasible_and_equal_to_the_vectorised_ones(
    problem: ProcurementProblem, strategy: Strategy, constraints: Constraints
) -> None:
    inst = build_instance(problem, strategy, constraints)
    with pytest.MonkeyPatch.context() as patch:
        vectorised = heuristic.local_search(inst)
        _pure_python(patch)
        plain = heuristic.local_search(inst)
    assert plain.units == vectorised.units
    if constraints.max_suppliers is None or plain.used <= constraints.max_suppliers:
        assert_feasible(problem, constraints, build_plan(inst, plain.as_dict(), "heuristic"))


@pytest.mark.parametrize("vectorised", [True, False])
def test_a_pull_that_misses_its_target_leaves_the_plan_as_it_was(vectorised: bool) -> None:
    inst = build_instance(random_problem(60, 12, "shipping", seed=2), Strategy(), Constraints())
    arrays = heuristic.arrays_for(inst) if vectorised else None
    sol = heuristic.evaluate(inst, [True] * len(inst.sup_ids), arrays=arrays)
    before = _state(sol)
    used = next(s for s, g in enumerate(sol.goods) if g > 0)
    assert heuristic._pull(inst, sol, used, 1e12, arrays) is None
    assert _state(sol) == before


def test_a_pull_taken_back_restores_the_plan_exactly() -> None:
    inst = build_instance(random_problem(60, 12, "shipping", seed=2), Strategy(), Constraints())
    sol = heuristic.evaluate(inst, [True] * len(inst.sup_ids), polish=False)
    before = _state(sol)
    pulled = 0
    for s, g in enumerate(sol.goods):
        if g > 0:
            taken = heuristic._pull(inst, sol, s, g + 30.0)
            if taken is not None:
                assert _state(sol) != before
                pulled += 1
                heuristic._undo(inst, sol, taken)
                assert _state(sol) == before
    assert pulled


def test_the_deadline_stops_relocation_before_a_pass() -> None:
    inst = build_instance(random_problem(80, 15, "accessories", 1), Strategy(), Constraints())
    sol = heuristic.evaluate(inst, [True] * len(inst.sup_ids))
    moved = heuristic.relocate(inst, sol)
    assert moved.cost < sol.cost - 1e-6  # relocation has work to do on this cart ...
    stopped = heuristic.relocate(inst, sol, deadline=time.perf_counter() - 1)
    assert stopped.units == sol.units  # ... but none once the deadline has passed
    assert stopped.cost == pytest.approx(sol.cost)


def test_the_move_budget_bounds_the_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    inst = build_instance(random_problem(150, 25, "shipping", 1), Strategy(), Constraints())
    calls = [0]
    evaluate = heuristic.evaluate

    def counted(*args: object, **kwargs: object) -> heuristic.Solution:
        calls[0] += 1
        return evaluate(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(heuristic, "evaluate", counted)
    heuristic.local_search(inst)
    unbounded = calls[0]
    bounded = []
    for rounds in (0, 1, 2):
        calls[0] = 0
        heuristic.local_search(inst, max_rounds=rounds, tries=3)
        # The start, then per round at most 3 drops, 3 adds and 3 x 2 swaps.
        assert calls[0] <= 1 + rounds * (3 + 3 + 6)
        bounded.append(calls[0])
    assert bounded[0] == 1
    assert bounded[1] < unbounded  # the budget, not the search, ended the rounds


@pytest.mark.parametrize("enabled", [True, False])
def test_the_search_leaves_the_garbage_collector_as_it_found_it(enabled: bool) -> None:
    inst = build_instance(random_problem(30, 8, "hardware", 0), Strategy(), Constraints())
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        heuristic.local_search(inst)
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()


@pytest.mark.parametrize("regime", ["shipping", "scarce", "minimums"])
@pytest.mark.parametrize("no_split", [False, True])
def test_a_derived_assignment_equals_a_full_pass(regime: str, no_split: bool) -> None:
    problem = random_problem(100, 30, regime, seed=0)  # type: ignore[arg-type]
    inst = build_instance(problem, Strategy(), Constraints(no_split=no_split))
    assign = heuristic.Assigner(inst)
    assert assign.derived  # every offer of a generated cart serves one line
    rng = random.Random(1)
    for _ in range(60):
        open_ = [rng.random() < 0.6 for _ in inst.sup_ids]
        derived, full = assign(open_), heuristic._assign(inst, open_)
        assert (derived.units, derived.rem, derived.short) == (full.units, full.rem, full.short)
        assert derived.single == full.single
        assert derived.goods == pytest.approx(full.goods, abs=1e-9)
        assert derived.scored == pytest.approx(full.scored, abs=1e-6)


@pytest.mark.parametrize("vectorised", [True, False])
def test_a_free_offer_is_never_a_target_of_a_pull(
    vectorised: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # S1 gives one unit of P0 away and sells P2 below its threshold: pulling goods to S1 once
    # divided by the free offer's price (ZeroDivisionError, on every path).
    problem = ProcurementProblem(
        "EUR",
        [CartLine("L0", "P0", 3), CartLine("L1", "P1", 1), CartLine("L2", "P2", 1)],
        [
            Offer("S0", "P0", D("10.00"), 5, 1),
            Offer("S1", "P0", D("0.00"), 1, 1),
            Offer("S1", "P1", D("12.00"), 5, 1),
            Offer("S0", "P1", D("11.00"), 5, 1),
            Offer("S1", "P2", D("5.00"), 5, 1),
            Offer("S0", "P2", D("6.00"), 5, 1),
        ],
        [SupplierTerms("S0", D("4.90"), D("30.00")), SupplierTerms("S1", D("4.90"), D("30.00"))],
    )
    if not vectorised:
        _pure_python(monkeypatch)
    plan = optimize(problem, method="heuristic")
    assert_feasible(problem, Constraints(), plan)
    assert not plan.uncovered


def test_an_order_of_free_items_pays_shipping_in_every_plan_as_in_the_exact_model() -> None:
    """A supplier that delivers only a free unit still ships it: the plan's own costing
    charged it no shipping, so the heuristic's plan looked cheaper than the proven optimum."""
    problem = ProcurementProblem(
        "EUR",
        [CartLine("L0", "P0", 3), CartLine("L1", "P1", 1)],
        [
            Offer("S0", "P0", D("10.00"), 5, 1),
            Offer("S1", "P0", D("0.00"), 1, 1),
            Offer("S0", "P1", D("11.00"), 5, 1),
        ],
        [SupplierTerms("S0", D("4.90"), D("30.00")), SupplierTerms("S1", D("4.90"), D("30.00"))],
    )
    exact = optimize(problem, method="milp")
    heuristic_plan = optimize(problem, method="heuristic")
    for plan in (exact, heuristic_plan):
        assert_feasible(problem, Constraints(), plan)
        for order in plan.suppliers:
            assert order.shipping == D("4.90") or order.goods >= D("30.00"), order
    assert exact.optimal
    assert exact.objective <= heuristic_plan.objective
    # S0 alone: 41.00, free shipping. With S1's free unit: 31.00 at S0 (still free
    # shipping) + S1's 4.90 shipping = 35.90.
    assert exact.objective == D("35.90")
