"""The price of a preference: one cart planned under each strategy and constraint side by side.

:func:`compare` solves the same problem once per :class:`Option` and reports, per option, the
total, its difference to the cheapest plan in money and percent, the number of suppliers, the
shipping paid, the partner share of the goods, the latest delivery day and the units left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from quote2order.errors import ValidationError
from quote2order.optimize.limits import DEFAULT_TIME_LIMIT
from quote2order.optimize.model import Constraints, Plan, ProcurementProblem, Strategy
from quote2order.optimize.optimizer import MethodChoice, optimize

_HUNDRED = Decimal(100)


@attrs.frozen
class Option:
    """One way to plan the cart: a label, a strategy and constraints."""

    label: str
    strategy: Strategy = attrs.field(factory=Strategy)
    constraints: Constraints = attrs.field(factory=Constraints)


@attrs.frozen
class ComparisonRow:
    """An option's plan and its figures against the cheapest plan.

    ``difference`` and ``percent`` compare ``total`` with the cheapest option's total;
    ``partner_share`` is the percentage of the goods bought from partners; ``latest_day`` is
    the slowest delivery time among the offers used (None when nothing is bought).
    """

    option: Option
    plan: Plan
    total: Decimal
    difference: Decimal
    percent: Decimal
    suppliers: int
    shipping: Decimal
    partner_share: Decimal
    latest_day: int | None
    uncovered: int


def default_options(
    problem: ProcurementProblem, cheapest: Plan, tolerance: Decimal = Decimal(5)
) -> list[Option]:
    """The options a reseller usually weighs, sized from the cheapest plan.

    Cheapest; partner-first at ``tolerance`` percent; partners only; fewest sources; one
    supplier fewer than the cheapest plan uses; delivery one day faster than its slowest offer;
    no split lines.
    """
    options = [
        Option("cheapest"),
        Option(f"partner-first {tolerance} %", Strategy("partner-first", tolerance)),
        Option("partners only", Strategy("partners-only")),
        Option("fewest sources", Strategy("fewest-sources")),
    ]
    cap = len(cheapest.suppliers) - 1
    if cap > 0:
        label = f"at most {cap} supplier" + ("s" if cap > 1 else "")
        options.append(Option(label, constraints=Constraints(max_suppliers=cap)))
    latest = _latest_day(problem, cheapest)
    if latest is not None and latest > 0:
        days = latest - 1
        label = f"delivery within {days} day" + ("" if days == 1 else "s")
        options.append(Option(label, constraints=Constraints(max_delivery_days=days)))
    options.append(Option("no split", constraints=Constraints(no_split=True)))
    return options


def compare(
    problem: ProcurementProblem,
    options: Sequence[Option] | None = None,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    method: MethodChoice = "auto",
    tolerance: Decimal | int | str = 5,
) -> tuple[ComparisonRow, ...]:
    """Plan ``problem`` under each option (default: :func:`default_options`), cheapest first.

    The first option is the reference for the differences; with the default options it is the
    cheapest plan, and ``tolerance`` is the partner-first tolerance in percent.
    ``time_limit`` (seconds) is shared evenly by the options.
    """
    if options is not None:
        options = list(options)
        if not options or not all(isinstance(o, Option) for o in options):
            raise ValidationError("options must be a non-empty sequence of Option")
    count = len(options) if options is not None else 7
    share = None if time_limit is None else _share(time_limit, count)
    if options is None:
        first = optimize(problem, Strategy(), Constraints(), time_limit=share, method=method)
        options = default_options(
            problem, first, Strategy("partner-first", tolerance).partner_tolerance
        )
        plans = [first] + [_plan(problem, o, share, method) for o in options[1:]]
    else:
        plans = [_plan(problem, o, share, method) for o in options]
    reference = plans[0].total
    return tuple(_row(problem, o, p, reference) for o, p in zip(options, plans, strict=True))


def _share(time_limit: float, count: int) -> float:
    if isinstance(time_limit, bool) or not isinstance(time_limit, int | float):
        raise ValidationError(
            f"time_limit must be a positive number of seconds, not {time_limit!r}"
        )
    return time_limit / count


def _plan(
    problem: ProcurementProblem, option: Option, share: float | None, method: MethodChoice
) -> Plan:
    return optimize(problem, option.strategy, option.constraints, time_limit=share, method=method)


def _latest_day(problem: ProcurementProblem, plan: Plan) -> int | None:
    days = {(o.supplier_id, o.product_id): o.delivery_days for o in problem.offers}
    return max((days[(a.supplier_id, a.product_id)] for a in plan.allocations), default=None)


def _row(
    problem: ProcurementProblem, option: Option, plan: Plan, reference: Decimal
) -> ComparisonRow:
    difference = plan.total - reference
    percent = Decimal(0) if reference == 0 else (difference / reference * _HUNDRED)
    partner_goods = sum((o.goods for o in plan.suppliers if o.partner), Decimal(0))
    share = Decimal(0) if plan.goods_cost == 0 else partner_goods / plan.goods_cost * _HUNDRED
    return ComparisonRow(
        option=option,
        plan=plan,
        total=plan.total,
        difference=difference,
        percent=percent.quantize(Decimal("0.01")),
        suppliers=len(plan.suppliers),
        shipping=plan.shipping_cost,
        partner_share=share.quantize(Decimal("0.1")),
        latest_day=_latest_day(problem, plan),
        uncovered=sum(u.missing for u in plan.uncovered),
    )


def comparison_to_dict(rows: Sequence[ComparisonRow]) -> list[dict[str, Any]]:
    """The rows as JSON-ready data; amounts are strings."""
    return [
        {
            "option": r.option.label,
            "strategy": r.option.strategy.kind,
            "total": str(r.total),
            "difference": str(r.difference),
            "percent": str(r.percent),
            "suppliers": r.suppliers,
            "shipping": str(r.shipping),
            "partner_share": str(r.partner_share),
            "latest_delivery_day": r.latest_day,
            "uncovered_units": r.uncovered,
            "optimal": r.plan.optimal,
            "gap": r.plan.gap,
        }
        for r in rows
    ]


def format_comparison(rows: Sequence[ComparisonRow], currency: str) -> str:
    """The rows as a text table."""
    head = (
        "Option",
        "Total",
        "Missing",
        "Difference",
        "%",
        "Suppliers",
        "Shipping",
        "Partner %",
        "Latest day",
        "Proven",
    )
    table = [head]
    for r in rows:
        sign = "+" if r.difference > 0 else ""
        table.append(
            (
                r.option.label,
                str(r.total),
                str(r.uncovered),
                f"{sign}{r.difference}",
                f"{sign}{r.percent}",
                str(r.suppliers),
                str(r.shipping),
                str(r.partner_share),
                "-" if r.latest_day is None else str(r.latest_day),
                "yes"
                if r.plan.optimal
                else (f"gap {r.plan.gap:.2%}" if r.plan.gap is not None else "no"),
            )
        )
    widths = [max(len(row[c]) for row in table) for c in range(len(head))]
    lines = [
        f"Price of each preference ({currency}; differences against {rows[0].option.label})",
        "",
    ]
    for n, row in enumerate(table):
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
