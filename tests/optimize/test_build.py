"""The column-wise instance build gives the plain loop's instance, arc for arc; parse checks."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from _problems import constraint_sets, small_problems, strategies
from hypothesis import HealthCheck, given, settings

from quote2order.errors import ValidationError
from quote2order.optimize import (
    CartLine,
    Constraints,
    Offer,
    ProcurementProblem,
    Strategy,
    SupplierTerms,
    jsonio,
)
from quote2order.optimize.generate import REGIMES, random_problem
from quote2order.optimize.instance import Instance, build_instance, build_instance_python

pytest.importorskip("numpy")

FIELDS = (
    "target",
    "short_reason",
    "sup_ids",
    "sup_terms",
    "ship",
    "threshold",
    "mov",
    "weight",
    "offers",
    "off_sup",
    "off_stock",
    "arc_line",
    "arc_off",
    "arc_sup",
    "arc_price",
    "arc_wprice",
    "arc_cap",
    "line_arcs",
    "sup_arcs",
    "off_arcs",
)


def _differences(a: Instance, b: Instance) -> list[str]:
    return [name for name in FIELDS if getattr(a, name) != getattr(b, name)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(max_lines=7, max_suppliers=5), strategies, constraint_sets)
def test_numpy_build_equals_the_plain_loop(
    problem: ProcurementProblem, strategy: Strategy, constraints: Constraints
) -> None:
    fast = build_instance(problem, strategy, constraints)
    plain = build_instance_python(problem, strategy, constraints)
    assert _differences(fast, plain) == []


@pytest.mark.parametrize("family", REGIMES)
@pytest.mark.parametrize(
    ("strategy", "constraints"),
    [
        (Strategy(), Constraints()),
        (Strategy("partner-first", 5), Constraints(max_delivery_days=6)),
        (Strategy("partners-only"), Constraints()),
        (Strategy("fewest-sources"), Constraints(no_split=True)),
    ],
)
def test_numpy_build_equals_the_plain_loop_on_benchmark_families(
    family: str, strategy: Strategy, constraints: Constraints
) -> None:
    problem = random_problem(200, 30, family, 1)  # type: ignore[arg-type]
    fast = build_instance(problem, strategy, constraints)
    assert _differences(fast, build_instance_python(problem, strategy, constraints)) == []


def test_a_supplier_exactly_at_its_minimum_is_kept_although_floats_sum_below_it() -> None:
    # 0.1 + 0.7 is 0.7999999999999999 in floats, 0.8 in decimals: exact sums decide.
    lines = [CartLine("L1", "P1", 1), CartLine("L2", "P2", 1), CartLine("L3", "P3", 1)]
    offers = [
        Offer("A", "P1", Decimal("0.1"), 1, 1),
        Offer("A", "P2", Decimal("0.7"), 1, 1),
        Offer("B", "P3", Decimal("0.7"), 1, 1),
    ]
    terms = [
        SupplierTerms("A", Decimal("0"), None, Decimal("0.8")),
        SupplierTerms("B", Decimal("0"), None, Decimal("0.700001")),
    ]
    problem = ProcurementProblem("EUR", lines, offers, terms)
    inst = build_instance(problem, Strategy(), Constraints())
    assert inst.sup_ids == ["A"]  # B cannot reach its minimum; A exactly reaches it
    assert inst.short_reason == {2: "its suppliers cannot reach their minimum order value"}
    assert _differences(inst, build_instance_python(problem, Strategy(), Constraints())) == []


def test_an_empty_cart_and_offers_of_no_line_build() -> None:
    problem = ProcurementProblem(
        "EUR", [CartLine("L1", "P1", 2)], [Offer("A", "P9", Decimal("1"), 5, 1)]
    )
    inst = build_instance(problem, Strategy(), Constraints())
    assert (inst.target, inst.arc_line, inst.short_reason) == (
        [0],
        [],
        {0: "no offer for this product"},
    )
    empty = ProcurementProblem("EUR", [CartLine("L1", "P1", 2)], [])
    assert build_instance(empty, Strategy(), Constraints()).target == [0]


def test_the_file_parser_gives_the_problem_it_was_written_from() -> None:
    problem = random_problem(60, 12, "partners", 2)
    strategy = Strategy("partner-first", Decimal("2.5"))
    constraints = Constraints(max_suppliers=4, max_delivery_days=7, no_split=True)
    text = json.dumps(jsonio.cart_to_dict(problem, strategy, constraints))
    for data in (text, text.encode()):
        cart = jsonio.loads(data)
        assert (cart.problem.lines, cart.problem.offers) == (problem.lines, problem.offers)
        assert set(cart.problem.terms) == set(problem.terms)  # the file lists them by id
        assert (cart.strategy, cart.constraints) == (strategy, constraints)


def test_a_refused_price_is_named_by_its_first_place_in_the_file() -> None:
    data = jsonio.cart_to_dict(random_problem(20, 5, "shipping", 0))
    data["offers"][7]["unit_price"] = "-0.01"
    data["offers"][9]["unit_price"] = "-0.01"
    with pytest.raises(
        ValidationError, match=r"^offers\[7\]\.unit_price: must be a non-negative amount"
    ):
        jsonio.loads(json.dumps(data))


def test_the_first_offer_of_an_unlisted_supplier_is_named() -> None:
    data = jsonio.cart_to_dict(random_problem(20, 5, "shipping", 0))
    for n in (4, 11):
        data["offers"][n]["supplier"] = "nobody"
    with pytest.raises(ValidationError, match=r"offers\[4\]\.supplier 'nobody' is not in"):
        jsonio.loads(json.dumps(data))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"stock": -1}, r"offers\[0\]\.stock must be at least 0, got -1"),
        ({"stock": "3"}, r"offers\[0\]\.stock must be an integer, got '3'"),
        ({"delivery_days": 10**10}, r"offers\[0\]\.delivery_days 10000000000 is above"),
        ({"product": ""}, r"offers\[0\]\.product must be a non-empty string"),
        ({"partner": 1}, r"offers\[0\]\.partner must be true or false, got 1"),
    ],
)
def test_offer_fields_are_refused_with_their_place(change: dict[str, object], message: str) -> None:
    data = jsonio.cart_to_dict(random_problem(5, 3, "hardware", 0))
    data["offers"][0].update(change)
    with pytest.raises(ValidationError, match=message):
        jsonio.loads(json.dumps(data))
