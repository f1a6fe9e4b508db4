"""The exact path reaches the optimum that exhaustive search finds, for every strategy."""

from __future__ import annotations

from decimal import Decimal

from _brute import brute_force, search_size
from _problems import constraint_sets, small_problems, strategies
from hypothesis import HealthCheck, assume, given, settings

from quote2order.optimize import Constraints, ProcurementProblem, Strategy, optimize


def _key(plan_missing: int, suppliers: int, strategy: Strategy, score: Decimal) -> tuple:
    return (plan_missing, suppliers if strategy.kind == "fewest-sources" else 0, score)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(), strategies, constraint_sets)
def test_milp_matches_brute_force_optimum(
    problem: ProcurementProblem, strategy: Strategy, constraints: Constraints
) -> None:
    assume(search_size(problem, constraints) <= 20_000)
    expected = brute_force(problem, strategy, constraints)
    plan = optimize(problem, strategy, constraints, method="milp")
    missing = sum(u.missing for u in plan.uncovered)
    assert _key(missing, len(plan.suppliers), strategy, plan.objective) == expected
    assert plan.optimal
    assert plan.bound == plan.objective


@settings(max_examples=40, deadline=None)
@given(small_problems(), strategies)
def test_plain_formulation_reaches_the_same_optimum(
    problem: ProcurementProblem, strategy: Strategy
) -> None:
    strong = optimize(problem, strategy, method="milp")
    plain = optimize(problem, strategy, method="milp-plain")
    assert (plain.objective, len(plain.uncovered)) == (strong.objective, len(strong.uncovered))
