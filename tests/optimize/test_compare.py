"""The price of a preference: one cart under each strategy and constraint."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from quote2order.errors import ValidationError
from quote2order.optimize import (
    CartLine,
    Constraints,
    Offer,
    Option,
    ProcurementProblem,
    Strategy,
    SupplierTerms,
    compare,
    optimize,
)
from quote2order.optimize.cli import main

D = Decimal
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cart.json"


def _problem() -> ProcurementProblem:
    # N is cheaper on both products; partner P is dearer, ships free above 100.
    return ProcurementProblem(
        "EUR",
        [CartLine("1", "a", 2), CartLine("2", "b", 1)],
        [
            Offer("N", "a", D("40.00"), 5, 5),
            Offer("N", "b", D("20.00"), 5, 5),
            Offer("P", "a", D("41.00"), 5, 1, partner=True),
            Offer("P", "b", D("22.00"), 5, 1, partner=True),
            Offer("Q", "b", D("18.00"), 1, 3),
        ],
        [
            SupplierTerms("N", D("4.90")),
            SupplierTerms("P", D("4.90"), D("100")),
            SupplierTerms("Q", D("0")),
        ],
    )


def test_every_default_option_is_planned_and_measured_against_the_cheapest() -> None:
    rows = compare(_problem())
    by_label = {r.option.label: r for r in rows}
    assert list(by_label) == [
        "cheapest",
        "partner-first 5 %",
        "partners only",
        "fewest sources",
        "at most 1 supplier",
        "delivery within 4 days",
        "no split",
    ]
    cheapest = by_label["cheapest"]
    # N for a (80.00 + 4.90 shipping) and Q for b (18.00, free): 102.90.
    assert (cheapest.total, cheapest.suppliers, cheapest.shipping) == (D("102.90"), 2, D("4.90"))
    assert cheapest.latest_day == 5
    partner = by_label["partner-first 5 %"]
    # P ships free at 104.00: 1.10 more (1.07 %), all goods at a partner, delivered in a day.
    assert (partner.total, partner.difference, partner.percent) == (
        D("104.00"),
        D("1.10"),
        D("1.07"),
    )
    assert (partner.partner_share, partner.latest_day, partner.shipping) == (
        D("100.0"),
        1,
        D("0.00"),
    )
    fast = by_label["delivery within 4 days"]
    assert fast.total == partner.total
    assert fast.latest_day is not None
    assert fast.latest_day <= 4
    for row in rows:
        assert row.difference == row.total - cheapest.total
        assert row.uncovered == 0
        assert row.plan.optimal


def test_given_options_are_planned_in_order_and_the_first_is_the_reference() -> None:
    options = [
        Option("only partners", Strategy("partners-only")),
        Option("cheapest, one supplier", constraints=Constraints(max_suppliers=1)),
    ]
    rows = compare(_problem(), options)
    assert [r.option for r in rows] == options
    assert rows[0].difference == 0
    single = optimize(_problem(), constraints=Constraints(max_suppliers=1))
    assert rows[1].total == single.total
    assert rows[1].difference == single.total - rows[0].total


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValidationError, match="options"):
        compare(_problem(), [])
    with pytest.raises(ValidationError, match="options"):
        compare(_problem(), ["cheapest"])  # type: ignore[list-item]


def test_cli_compare_prints_one_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(EXAMPLE), "--compare"]) == 0
    out = capsys.readouterr().out
    assert "Price of each preference (EUR; differences against cheapest)" in out
    assert "partners only" in out
    assert main([str(EXAMPLE), "--compare", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["option"] == "cheapest"
    assert rows[0]["difference"] == "0.00"
    assert {"total", "percent", "suppliers", "shipping", "partner_share"} <= set(rows[1])
