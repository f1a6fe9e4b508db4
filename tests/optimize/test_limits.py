"""The documented limits: amounts, places, sizes, flags, and the plan check's coverage rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quote2order.errors import MoneyError, OptimizationError, ValidationError
from quote2order.optimize import (
    Allocation,
    CartLine,
    Constraints,
    Offer,
    Plan,
    ProcurementProblem,
    Strategy,
    SupplierOrder,
    SupplierTerms,
    limits,
    optimize,
    plan_violations,
)
from quote2order.optimize.generate import random_problem

D = Decimal


def test_an_amount_the_solver_cannot_hold_exactly_is_refused() -> None:
    # At 1e15 HiGHS left a coverable line uncovered and still reported "proven optimal".
    with pytest.raises(MoneyError, match="limit"):
        Offer("A", "P1", D("1000000000000000"), 5, 1)
    with pytest.raises(MoneyError, match="limit"):
        SupplierTerms("A", D("5"), D("2000000000000001"))
    with pytest.raises(ValidationError, match="limit"):
        Offer("A", "P1", D("3"), 10**15, 1)
    with pytest.raises(ValidationError, match="limit"):
        CartLine("L1", "P1", 10**15)
    assert Offer("A", "P1", limits.MAX_AMOUNT, limits.MAX_UNITS, 1).stock == limits.MAX_UNITS


def test_a_cart_worth_more_grid_steps_than_the_solver_resolves_is_refused() -> None:
    # Each amount is within its bound, but together they pass 10**12 steps of 0.000001.
    problem = ProcurementProblem(
        "EUR",
        [CartLine("L1", "P1", 1_000_000)],
        [Offer("A", "P1", D("999999.000001"), 1_000_000, 1)],
        [SupplierTerms("A", D("0"))],
    )
    with pytest.raises(ValidationError, match="steps"):
        optimize(problem)


def test_more_decimal_places_than_the_minor_unit_plus_four_are_refused() -> None:
    terms = [SupplierTerms("A", D("0"))]
    lines = [CartLine("L1", "P1", 1)]
    ok = ProcurementProblem("EUR", lines, [Offer("A", "P1", D("0.000001"), 1, 1)], terms)
    assert optimize(ok).total == D("0.000001")
    with pytest.raises(ValidationError, match="decimal places"):
        ProcurementProblem("EUR", lines, [Offer("A", "P1", D("1e-30"), 1, 1)], terms)
    with pytest.raises(ValidationError, match="decimal places"):  # JPY has no minor unit
        ProcurementProblem("JPY", lines, [Offer("A", "P1", D("1.00001"), 1, 1)], terms)


def test_partner_flag_must_be_a_boolean() -> None:
    with pytest.raises(ValidationError, match="partner must be true or false"):
        Offer("A", "P1", D("1"), 1, 1, "no")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="partner"):
        Offer("A", "P1", D("1"), 1, 1, 1)  # type: ignore[arg-type]


def test_sizes_above_the_caps_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import quote2order.optimize.model as model

    monkeypatch.setattr(model, "MAX_LINES", 2)
    with pytest.raises(ValidationError, match=r"lines.*limit of 2"):
        ProcurementProblem("EUR", [CartLine(f"L{i}", "P", 1) for i in range(3)], [])


def test_zero_amounts_carry_the_minor_unit() -> None:
    problem = ProcurementProblem(
        "EUR",
        [CartLine("L1", "P1", 1)],
        [Offer("A", "P1", 0, 1, 1)],
        [SupplierTerms("A", 0)],
    )
    plan = optimize(problem)
    assert [str(v) for v in (plan.total, plan.goods_cost, plan.shipping_cost)] == ["0.00"] * 3
    assert str(plan.suppliers[0].shipping) == "0.00"
    assert str(plan.allocations[0].unit_price) == "0.00"
    empty = optimize(ProcurementProblem("EUR", [CartLine("L1", "P1", 1)], []))
    assert str(empty.total) == "0.00"


def _short_plan(problem: ProcurementProblem) -> Plan:
    """A plan that buys L1 at A but leaves L2 out, although A has P2 in stock."""
    alloc = Allocation("L1", "P1", "A", 2, D("3"), D("6"))
    return Plan(
        currency="EUR",
        strategy=Strategy(),
        method="milp",
        allocations=(alloc,),
        suppliers=(SupplierOrder("A", False, D("6"), D("5")),),
        goods_cost=D("6"),
        shipping_cost=D("5"),
        total=D("11"),
        objective=D("11"),
        reasons={},
        uncovered=(),
        gap=0.0,
    )


def test_plan_check_finds_a_line_left_short_while_a_used_supplier_has_stock() -> None:
    problem = ProcurementProblem(
        "EUR",
        [CartLine("L1", "P1", 2), CartLine("L2", "P2", 1)],
        [Offer("A", "P1", D("3"), 5, 1), Offer("A", "P2", D("3"), 5, 1)],
        [SupplierTerms("A", D("5"), D("100"))],
    )
    found = plan_violations(problem, Constraints(), _short_plan(problem))
    assert found == ["L2: 1 units left out although A still has P2 in stock"]


def test_plan_check_accepts_a_line_left_out_for_the_supplier_limit() -> None:
    problem = ProcurementProblem(
        "EUR",
        [CartLine("L1", "P1", 2), CartLine("L2", "P2", 1)],
        [Offer("A", "P1", D("3"), 5, 1), Offer("B", "P2", D("3"), 5, 1)],
        [SupplierTerms("A", D("5")), SupplierTerms("B", D("5"))],
    )
    assert plan_violations(problem, Constraints(max_suppliers=1), _short_plan(problem)) == []
    found = plan_violations(problem, Constraints(max_suppliers=2), _short_plan(problem))
    assert found == ["L2: 1 units left out although B still has P2 in stock"]


@pytest.mark.parametrize("value", [0, -1, float("nan"), True, "5"])
def test_a_time_limit_must_be_a_positive_number(value: object) -> None:
    problem = ProcurementProblem("EUR", [CartLine("L1", "P1", 1)], [])
    with pytest.raises(ValidationError, match="time_limit"):
        optimize(problem, time_limit=value)  # type: ignore[arg-type]


def test_the_default_time_limit_is_documented_and_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    import inspect

    default = inspect.signature(optimize).parameters["time_limit"].default
    assert default == limits.DEFAULT_TIME_LIMIT == 60.0


def test_a_time_limit_too_short_for_any_plan_is_an_optimization_error() -> None:
    # The plain model has no start plan; HiGHS stopped without one raised a RuntimeError.
    problem = random_problem(300, 50, "accessories", seed=1)
    with pytest.raises(OptimizationError, match="no plan that keeps every constraint"):
        optimize(problem, method="milp-plain", time_limit=0.001)
