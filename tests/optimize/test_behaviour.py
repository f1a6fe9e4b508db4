"""Hand-made cases for shipping, minimum order values, partners, coverage and input rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quote2order.errors import MoneyError, OptimizationError, ValidationError
from quote2order.optimize import (
    CartLine,
    Constraints,
    Offer,
    ProcurementProblem,
    Strategy,
    SupplierTerms,
    optimize,
)
from quote2order.optimize import milp as milp_module

D = Decimal


def _shipping_case() -> ProcurementProblem:
    # B is a little cheaper for the cable, but ordering from B costs 9.90 shipping.
    return ProcurementProblem(
        "EUR",
        [CartLine("1", "dock", 1), CartLine("2", "cable", 2)],
        [
            Offer("A", "dock", D("150.00"), 5, 2),
            Offer("A", "cable", D("6.00"), 10, 2),
            Offer("B", "cable", D("5.50"), 10, 2),
        ],
        [SupplierTerms("A", D("9.90"), D("100.00")), SupplierTerms("B", D("9.90"), D("100.00"))],
    )


@pytest.mark.parametrize("method", ["milp", "heuristic"])
def test_shipping_aware_plan_beats_cheapest_per_line(method: str) -> None:
    problem = _shipping_case()
    naive = optimize(problem, method="cheapest-per-line")
    smart = optimize(problem, method=method)  # type: ignore[arg-type]
    assert naive.quantities() == {("A", "1"): 1, ("B", "2"): 2}
    assert naive.total == D("170.90")
    assert smart.quantities() == {("A", "1"): 1, ("A", "2"): 2}
    assert smart.total == D("162.00")
    assert "bundled at A" in smart.reasons["2"]


@pytest.mark.parametrize("method", ["milp", "heuristic", "cheapest-per-line"])
def test_minimum_order_value_forces_consolidation(method: str) -> None:
    # B is cheapest for the mouse but 20.00 of goods cannot reach B's 50.00 minimum.
    problem = ProcurementProblem(
        "EUR",
        [CartLine("1", "keyboard", 1), CartLine("2", "mouse", 1)],
        [
            Offer("A", "keyboard", D("40.00"), 5, 1),
            Offer("A", "mouse", D("25.00"), 5, 1),
            Offer("B", "mouse", D("20.00"), 5, 1),
            Offer("B", "keyboard", D("45.00"), 5, 1),
        ],
        [SupplierTerms("A", D("0")), SupplierTerms("B", D("0"), None, D("70.00"))],
    )
    plan = optimize(problem, method=method)  # type: ignore[arg-type]
    assert plan.quantities() == {("A", "1"): 1, ("A", "2"): 1}
    assert plan.total == D("65.00")


def _partner_case(partner_price: str) -> ProcurementProblem:
    return ProcurementProblem(
        "EUR",
        [CartLine("1", "laptop", 1)],
        [
            Offer("P", "laptop", D(partner_price), 5, 2, partner=True),
            Offer("N", "laptop", D("1000.00"), 5, 2),
        ],
    )


@pytest.mark.parametrize("method", ["milp", "heuristic"])
def test_partner_first_keeps_partner_unless_the_saving_exceeds_the_tolerance(method: str) -> None:
    strategy = Strategy("partner-first", D("5"))
    near = optimize(_partner_case("1040.00"), strategy, method=method)  # type: ignore[arg-type]
    assert near.quantities() == {("P", "1"): 1}
    assert "partner P" in near.reasons["1"]
    far = optimize(_partner_case("1060.00"), strategy, method=method)  # type: ignore[arg-type]
    assert far.quantities() == {("N", "1"): 1}
    cheapest = optimize(_partner_case("1040.00"), "cheapest", method=method)  # type: ignore[arg-type]
    assert cheapest.quantities() == {("N", "1"): 1}


def test_partners_only_leaves_lines_without_partner_offers_uncovered() -> None:
    problem = ProcurementProblem(
        "EUR",
        [CartLine("1", "laptop", 1), CartLine("2", "bag", 1)],
        [
            Offer("P", "laptop", D("1100.00"), 5, 2, partner=True),
            Offer("N", "laptop", D("1000.00"), 5, 2),
            Offer("N", "bag", D("30.00"), 5, 2),
        ],
    )
    plan = optimize(problem, "partners-only")
    assert plan.quantities() == {("P", "1"): 1}
    assert [(u.line_id, u.missing, u.reason) for u in plan.uncovered] == [
        ("2", 1, "no partner offers this product")
    ]


def test_fewest_sources_uses_one_supplier_when_one_can_deliver_everything() -> None:
    problem = ProcurementProblem(
        "EUR",
        [CartLine("1", "a", 1), CartLine("2", "b", 1)],
        [
            Offer("X", "a", D("10.00"), 5, 1),
            Offer("Y", "b", D("10.00"), 5, 1),
            Offer("Z", "a", D("12.00"), 5, 1),
            Offer("Z", "b", D("12.00"), 5, 1),
        ],
    )
    assert optimize(problem).total == D("20.00")
    plan = optimize(problem, "fewest-sources")
    assert plan.quantities() == {("Z", "1"): 1, ("Z", "2"): 1}
    assert plan.total == D("24.00")


@pytest.mark.parametrize("method", ["milp", "heuristic"])
def test_missing_stock_is_named_and_the_rest_is_planned(method: str) -> None:
    problem = ProcurementProblem(
        "EUR",
        [CartLine("1", "ssd", 5), CartLine("2", "ram", 2), CartLine("3", "gpu", 1)],
        [
            Offer("A", "ssd", D("80.00"), 2, 1),
            Offer("B", "ssd", D("82.00"), 1, 1),
            Offer("A", "ram", D("40.00"), 9, 1),
        ],
    )
    plan = optimize(problem, method=method)  # type: ignore[arg-type]
    assert plan.quantities() == {("A", "1"): 2, ("B", "1"): 1, ("A", "2"): 2}
    assert {u.line_id: (u.missing, u.reason) for u in plan.uncovered} == {
        "1": (2, "not enough stock at the eligible suppliers (3 available)"),
        "3": (1, "no offer for this product"),
    }


def test_supplier_limit_leaves_out_what_the_allowed_suppliers_cannot_deliver() -> None:
    problem = ProcurementProblem(
        "EUR",
        [CartLine("1", "a", 1), CartLine("2", "b", 3)],
        [Offer("X", "a", D("10.00"), 5, 1), Offer("Y", "b", D("10.00"), 5, 1)],
    )
    plan = optimize(problem, constraints=Constraints(max_suppliers=1))
    assert plan.quantities() == {("Y", "2"): 3}
    assert [(u.line_id, u.missing) for u in plan.uncovered] == [("1", 1)]


def test_float_money_is_refused() -> None:
    with pytest.raises(MoneyError, match="float"):
        Offer("A", "p", 12.5, 1, 1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        SupplierTerms("A", D("1"), 99.0)  # type: ignore[arg-type]
    assert issubclass(MoneyError, ValidationError)


def test_conflicting_partner_flags_of_one_supplier_are_refused() -> None:
    with pytest.raises(ValidationError, match="partner"):
        ProcurementProblem(
            "EUR",
            [CartLine("1", "a", 1)],
            [Offer("X", "a", D("1"), 1, 1, True), Offer("X", "b", D("1"), 1, 1, False)],
        )


def test_auto_falls_back_to_the_heuristic_without_highspy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(milp_module, "available", lambda: False)
    plan = optimize(_shipping_case())
    assert plan.method == "heuristic"
    assert plan.total == D("162.00")
    with pytest.raises(OptimizationError, match="highspy"):
        optimize(_shipping_case(), method="milp")
