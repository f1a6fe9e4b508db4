"""The optimizer's JSON file format (see docs/optimizer.md) and plan rendering.

Amounts are strings ("12.50") or integers; a JSON number with a fraction is refused for money.
"""

from __future__ import annotations

import json
from typing import Any

from quote2order.errors import ValidationError
from quote2order.optimize.model import (
    CartLine,
    Constraints,
    Offer,
    Plan,
    ProcurementProblem,
    Strategy,
    SupplierTerms,
    money,
)


class CartFile:
    """A parsed cart file: the problem plus the strategy, constraints and time limit it asks for."""

    def __init__(
        self,
        problem: ProcurementProblem,
        strategy: Strategy,
        constraints: Constraints,
        time_limit: float | None,
    ) -> None:
        self.problem = problem
        self.strategy = strategy
        self.constraints = constraints
        self.time_limit = time_limit


def loads(text: str) -> CartFile:
    """Parse the cart JSON format; raise :class:`ValidationError` naming the bad field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"not valid JSON: {exc}") from exc
    return from_dict(data)


def from_dict(data: Any) -> CartFile:
    """Build a :class:`CartFile` from already decoded JSON."""
    root = _object(data, "cart")
    lines = [
        CartLine(
            _get(item, "id", f"lines[{n}]"),
            _get(item, "product", f"lines[{n}]"),
            _get(item, "quantity", f"lines[{n}]"),
        )
        for n, item in enumerate(_list(root, "lines"))
    ]
    offers = [
        Offer(
            _get(item, "supplier", f"offers[{n}]"),
            _get(item, "product", f"offers[{n}]"),
            money(_get(item, "unit_price", f"offers[{n}]"), f"offers[{n}].unit_price"),
            _get(item, "stock", f"offers[{n}]"),
            _object(item, f"offers[{n}]").get("delivery_days", 0),
            _object(item, f"offers[{n}]").get("partner", False),
        )
        for n, item in enumerate(_list(root, "offers"))
    ]
    terms = []
    suppliers = root.get("suppliers", [])
    if not isinstance(suppliers, list):
        raise ValidationError("suppliers must be a JSON list")
    for n, item in enumerate(suppliers):
        where = f"suppliers[{n}]"
        entry = _object(item, where)
        threshold = entry.get("free_shipping_threshold")
        terms.append(
            SupplierTerms(
                _get(entry, "id", where),
                money(entry.get("shipping_cost", 0), f"{where}.shipping_cost"),
                None if threshold is None else money(threshold, f"{where}.free_shipping_threshold"),
                money(entry.get("minimum_order_value", 0), f"{where}.minimum_order_value"),
            )
        )
    strategy_data = root.get("strategy", "cheapest")
    if isinstance(strategy_data, str):
        strategy = Strategy(strategy_data)  # type: ignore[arg-type]
    else:
        entry = _object(strategy_data, "strategy")
        strategy = Strategy(
            entry.get("kind", "cheapest"),
            money(entry.get("partner_tolerance", 0), "strategy.partner_tolerance"),
        )
    limits = _object(root.get("constraints", {}), "constraints")
    constraints = Constraints(
        limits.get("max_suppliers"), limits.get("max_delivery_days"), limits.get("no_split", False)
    )
    time_limit = root.get("time_limit")
    if time_limit is not None and (
        isinstance(time_limit, bool) or not isinstance(time_limit, int | float) or time_limit <= 0
    ):
        raise ValidationError("time_limit must be a positive number of seconds")
    problem = ProcurementProblem(_get(root, "currency", "cart"), lines, offers, terms)
    return CartFile(
        problem, strategy, constraints, None if time_limit is None else float(time_limit)
    )


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(f"{where} must be a JSON object")
    return value


def _list(root: dict[str, Any], key: str) -> list[Any]:
    value = root.get(key)
    if not isinstance(value, list):
        raise ValidationError(f"{key} must be a JSON list")
    return value


def _get(item: Any, key: str, where: str) -> Any:
    entry = _object(item, where)
    if key not in entry:
        raise ValidationError(f"{where}.{key} is missing")
    return entry[key]


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data; amounts are strings."""
    return {
        "currency": plan.currency,
        "strategy": plan.strategy.kind,
        "method": plan.method,
        "optimal": plan.optimal,
        "goods_cost": str(plan.goods_cost),
        "shipping_cost": str(plan.shipping_cost),
        "total": str(plan.total),
        "objective": str(plan.objective),
        "bound": None if plan.bound is None else str(plan.bound),
        "gap": plan.gap,
        "seconds": round(plan.seconds, 4),
        "suppliers": [
            {
                "id": o.supplier_id,
                "partner": o.partner,
                "goods": str(o.goods),
                "shipping": str(o.shipping),
            }
            for o in plan.suppliers
        ],
        "allocations": [
            {
                "line": a.line_id,
                "product": a.product_id,
                "supplier": a.supplier_id,
                "quantity": a.quantity,
                "unit_price": str(a.unit_price),
                "amount": str(a.amount),
            }
            for a in plan.allocations
        ],
        "reasons": dict(plan.reasons),
        "uncovered": [
            {"line": u.line_id, "product": u.product_id, "missing": u.missing, "reason": u.reason}
            for u in plan.uncovered
        ],
    }


def dumps(plan: Plan) -> str:
    """The plan as indented JSON."""
    return json.dumps(plan_to_dict(plan), indent=2)


def format_plan(plan: Plan) -> str:
    """The plan as a readable text table."""
    rows = [("Line", "Product", "Supplier", "Qty", "Unit price", "Amount")]
    rows += [
        (a.line_id, a.product_id, a.supplier_id, str(a.quantity), str(a.unit_price), str(a.amount))
        for a in plan.allocations
    ]
    widths = [max(len(r[c]) for r in rows) for c in range(6)]
    right = {3, 4, 5}

    def fmt(row: tuple[str, ...]) -> str:
        cells = (
            c.rjust(w) if n in right else c.ljust(w)
            for n, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        return "  ".join(cells).rstrip()

    status = (
        "proven optimal"
        if plan.optimal
        else (f"gap {plan.gap:.2%} to bound {plan.bound}" if plan.gap is not None else "no bound")
    )
    out = [
        f"Plan ({plan.strategy.kind}, method {plan.method}, {status}, {plan.seconds:.3f} s)",
        "",
        fmt(rows[0]),
        "  ".join("-" * w for w in widths),
        *(fmt(r) for r in rows[1:]),
        "",
        "Suppliers:",
    ]
    for o in plan.suppliers:
        partner = " (partner)" if o.partner else ""
        out.append(f"  {o.supplier_id}{partner}: goods {o.goods}, shipping {o.shipping}")
    out += [
        "",
        f"Goods {plan.goods_cost} {plan.currency}, shipping {plan.shipping_cost} {plan.currency},"
        f" total {plan.total} {plan.currency}",
    ]
    if plan.uncovered:
        out += ["", "Uncovered:"]
        out += [
            f"  {u.line_id} ({u.product_id}): {u.missing} missing: {u.reason}"
            for u in plan.uncovered
        ]
    out += ["", "Why:"]
    out += [f"  {line_id}: {reason}" for line_id, reason in plan.reasons.items()]
    return "\n".join(out)
