"""Every plan, whichever path produced it, keeps stock, minimum order values and constraints."""

from __future__ import annotations

import pytest
from _problems import assert_feasible, constraint_sets, small_problems, strategies
from hypothesis import given, settings

from quote2order.optimize import Constraints, ProcurementProblem, Strategy, optimize
from quote2order.optimize.generate import random_problem


@pytest.mark.parametrize("method", ["milp", "heuristic", "cheapest-per-line"])
@settings(max_examples=60, deadline=None)
@given(problem=small_problems(max_lines=6), strategy=strategies, constraints=constraint_sets)
def test_plans_from_every_path_are_feasible(
    method: str, problem: ProcurementProblem, strategy: Strategy, constraints: Constraints
) -> None:
    plan = optimize(problem, strategy, constraints, method=method)  # type: ignore[arg-type]
    assert plan.method == method
    assert_feasible(problem, constraints, plan)


@pytest.mark.parametrize("regime", ["hardware", "accessories"])
@pytest.mark.parametrize(
    "constraints",
    [Constraints(), Constraints(max_suppliers=4, max_delivery_days=6), Constraints(no_split=True)],
)
def test_generated_instances_give_feasible_plans_and_heuristic_never_beats_milp(
    regime: str, constraints: Constraints
) -> None:
    problem = random_problem(40, 10, regime, seed=3)  # type: ignore[arg-type]
    exact = optimize(problem, constraints=constraints, method="milp")
    rough = optimize(problem, constraints=constraints, method="heuristic")
    assert_feasible(problem, constraints, exact)
    assert_feasible(problem, constraints, rough)
    assert exact.optimal
    missing = (sum(u.missing for u in exact.uncovered), sum(u.missing for u in rough.uncovered))
    assert missing[0] <= missing[1]
    if missing[0] == missing[1]:
        assert exact.objective <= rough.objective


def test_a_cart_that_cannot_be_proven_in_the_limit_returns_a_feasible_plan_with_its_gap() -> None:
    # Proving this cart took the exact path 17 s of CPU (docs/optimizer.md); 1 s stops it.
    problem = random_problem(1000, 100, "shipping", seed=1)
    plan = optimize(problem, time_limit=1.0)
    assert_feasible(problem, Constraints(), plan)
    assert not plan.uncovered
    assert not plan.optimal
    assert plan.gap is not None
    assert plan.gap > 0
    assert plan.bound is not None
    assert 0 < plan.bound < plan.objective
    assert plan.gap == pytest.approx(float((plan.objective - plan.bound) / plan.objective))
