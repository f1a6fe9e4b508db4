"""The optimizer's JSON file format (see docs/optimizer.md) and plan rendering.

Amounts are strings ("12.50") or integers; a JSON number with a fraction is refused for money.
"""

from __future__ import annotations

import json
from typing import Any

from quote2order.errors import ValidationError
from quote2order.optimize.limits import MAX_FILE_BYTES
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


def loads(text: str | bytes) -> CartFile:
    """Parse the cart JSON format; raise :class:`ValidationError` naming the bad field.

    Bytes must be UTF-8 (a leading byte order mark is allowed) and at most
    ``limits.MAX_FILE_BYTES`` long.
    """
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise ValidationError(
                f"the cart file has {len(text):,} bytes: above the limit of {MAX_FILE_BYTES:,}"
            )
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"the cart file is not UTF-8 (byte {exc.start}: {exc.reason})"
            ) from None
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"not valid JSON: {exc}") from exc
    except RecursionError:
        raise ValidationError("not a cart: the JSON is nested too deeply") from None
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
    terms = []
    for n, item in enumerate(_list(root, "suppliers", [])):
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
    listed = {t.supplier_id for t in terms}
    offers = []
    for n, item in enumerate(_list(root, "offers")):
        where = f"offers[{n}]"
        entry = _object(item, where)
        supplier = _get(entry, "supplier", where)
        if supplier not in listed:
            # A typo in a supplier id would otherwise plan with free shipping and no minimum.
            raise ValidationError(
                f"{where}.supplier {supplier!r} is not in the suppliers list"
                " (list it, with {} terms for free shipping and no minimum)"
            )
        offers.append(
            Offer(
                supplier,
                _get(entry, "product", where),
                money(_get(entry, "unit_price", where), f"{where}.unit_price"),
                _get(entry, "stock", where),
                entry.get("delivery_days", 0),
                _flag(entry, "partner", where),
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
        limits.get("max_suppliers"),
        limits.get("max_delivery_days"),
        _flag(limits, "no_split", "constraints"),
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


def _list(root: dict[str, Any], key: str, default: list[Any] | None = None) -> list[Any]:
    if key not in root and default is None:
        raise ValidationError(f"{key} must be a JSON list, but it is missing")
    value = root.get(key, default)
    if not isinstance(value, list):
        raise ValidationError(f"{key} must be a JSON list, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    names = {dict: "an object", str: "a string", bool: "a boolean"}
    return names.get(type(value), "a number")


def _flag(entry: dict[str, Any], key: str, where: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise ValidationError(f"{where}.{key} must be true or false, got {value!r}")
    return value


def _get(item: Any, key: str, where: str) -> Any:
    entry = _object(item, where)
    if key not in entry:
        raise ValidationError(f"{where}.{key} is missing")
    return entry[key]


def cart_to_dict(
    problem: ProcurementProblem,
    strategy: Strategy | None = None,
    constraints: Constraints | None = None,
) -> dict[str, Any]:
    """A problem (and optionally its strategy and constraints) in the cart file format."""
    listed = {t.supplier_id: t for t in problem.terms}
    suppliers = sorted({o.supplier_id for o in problem.offers} | set(listed))
    data: dict[str, Any] = {
        "currency": problem.currency,
        "lines": [
            {"id": x.line_id, "product": x.product_id, "quantity": x.quantity}
            for x in problem.lines
        ],
        "offers": [
            {
                "supplier": o.supplier_id,
                "product": o.product_id,
                "unit_price": str(o.unit_price),
                "stock": o.stock,
                "delivery_days": o.delivery_days,
                "partner": o.partner,
            }
            for o in problem.offers
        ],
        "suppliers": [_terms_to_dict(s, listed.get(s)) for s in suppliers],
    }
    if strategy is not None:
        data["strategy"] = {
            "kind": strategy.kind,
            "partner_tolerance": str(strategy.partner_tolerance),
        }
    if constraints is not None:
        data["constraints"] = {
            "max_suppliers": constraints.max_suppliers,
            "max_delivery_days": constraints.max_delivery_days,
            "no_split": constraints.no_split,
        }
    return data


def _terms_to_dict(supplier_id: str, terms: SupplierTerms | None) -> dict[str, Any]:
    if terms is None:
        return {"id": supplier_id}  # the API's default, made explicit: free, no minimum
    threshold = terms.free_shipping_threshold
    return {
        "id": supplier_id,
        "shipping_cost": str(terms.shipping_cost),
        "free_shipping_threshold": None if threshold is None else str(threshold),
        "minimum_order_value": str(terms.minimum_order_value),
    }


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
