"""Independent parts of a cart are planned apart and joined into the same optimum."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quote2order.optimize import (
    CartLine,
    Constraints,
    Offer,
    ProcurementProblem,
    Strategy,
    SupplierTerms,
    optimize,
)
from quote2order.optimize import optimizer as optimizer_module
from quote2order.optimize.components import components
from quote2order.optimize.generate import random_problem
from quote2order.optimize.instance import build_instance


def _two_carts() -> ProcurementProblem:
    """Two generated carts with disjoint products and suppliers, side by side."""
    a = random_problem(30, 6, "accessories", seed=1)
    b = random_problem(25, 5, "minimums", seed=2)

    def renamed(p: ProcurementProblem, tag: str) -> tuple[list, list, list]:
        lines = [CartLine(tag + x.line_id, tag + x.product_id, x.quantity) for x in p.lines]
        offers = [
            Offer(tag + o.supplier_id, tag + o.product_id, o.unit_price, o.stock,
                  o.delivery_days, o.partner)
            for o in p.offers
        ]  # fmt: skip
        terms = [
            SupplierTerms(tag + t.supplier_id, t.shipping_cost, t.free_shipping_threshold,
                          t.minimum_order_value)
            for t in p.terms
        ]  # fmt: skip
        return lines, offers, terms

    la, oa, ta = renamed(a, "a")
    lb, ob, tb = renamed(b, "b")
    return ProcurementProblem("EUR", la + lb, oa + ob, ta + tb)


def test_lines_that_share_no_supplier_form_separate_parts() -> None:
    inst = build_instance(_two_carts(), Strategy(), Constraints())
    parts = components(inst)
    assert len(parts) == 2
    ids = [{inst.problem.lines[i].line_id[0] for i in part} for part in parts]
    assert sorted(map(sorted, ids)) == [["a"], ["b"]]


@pytest.mark.parametrize(
    "strategy", [Strategy(), Strategy("partner-first", Decimal(5)), Strategy("fewest-sources")]
)
def test_planning_the_parts_apart_gives_the_whole_carts_optimum(
    strategy: Strategy, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = _two_carts()
    apart = optimize(problem, strategy, time_limit=None)
    monkeypatch.setattr(
        optimizer_module, "components", lambda inst: [list(range(len(inst.target)))]
    )
    whole = optimize(problem, strategy, time_limit=None)
    assert apart.optimal
    assert whole.optimal
    assert apart.objective == whole.objective
    assert len(apart.suppliers) == len(whole.suppliers)
    assert apart.bound == apart.objective
    assert [u.line_id for u in apart.uncovered] == [u.line_id for u in whole.uncovered]


def test_a_supplier_limit_keeps_the_cart_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = optimizer_module.components
    monkeypatch.setattr(optimizer_module, "components", lambda inst: calls.append(1) or real(inst))
    optimize(_two_carts(), constraints=Constraints(max_suppliers=4))
    assert calls == []
