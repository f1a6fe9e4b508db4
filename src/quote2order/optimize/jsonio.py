"""The optimizer's JSON file format (see docs/optimizer.md) and plan rendering.

Amounts are strings ("12.50") or integers; a JSON number with a fraction is refused for money.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from quote2order.errors import ValidationError
from quote2order.optimize._bulk import paused_gc
from quote2order.optimize.limits import MAX_AMOUNT, MAX_FILE_BYTES
from quote2order.optimize.model import (
    CartLine,
    Constraints,
    Plan,
    ProcurementProblem,
    Strategy,
    SupplierTerms,
    money,
    trusted_offers,
)

if TYPE_CHECKING:
    from quote2order.schemas import OptimizerCartIn


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
    ``limits.MAX_FILE_BYTES`` long. The document is validated by the library's pydantic
    boundary (:func:`quote2order.schemas.parse_optimizer_cart`) in one pass, then mapped to the
    core model column by column.
    """
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise ValidationError(
                f"the cart file has {len(text):,} bytes: above the limit of {MAX_FILE_BYTES:,}"
            )
        text = text.removeprefix(b"\xef\xbb\xbf")
    else:
        text = text.removeprefix("\ufeff")
    from quote2order.schemas import parse_optimizer_cart  # pydantic only when a file is read

    with paused_gc():
        return _to_domain(parse_optimizer_cart(text))


def from_dict(data: Any) -> CartFile:
    """Build a :class:`CartFile` from already decoded JSON."""
    from quote2order.schemas import parse_optimizer_cart

    with paused_gc():
        return _to_domain(parse_optimizer_cart(data))


def _to_domain(document: OptimizerCartIn) -> CartFile:
    """The core objects of a validated cart document (offers in whole columns)."""
    lines = [CartLine(x["id"], x["product"], x["quantity"]) for x in document["lines"]]
    terms = []
    for n, entry in enumerate(document.get("suppliers", [])):
        where = f"suppliers[{n}]"
        threshold = entry.get("free_shipping_threshold")
        terms.append(
            SupplierTerms(
                entry["id"],
                money(entry.get("shipping_cost", 0), f"{where}.shipping_cost"),
                None if threshold is None else money(threshold, f"{where}.free_shipping_threshold"),
                money(entry.get("minimum_order_value", 0), f"{where}.minimum_order_value"),
            )
        )
    offers = document["offers"]
    suppliers = list(map(itemgetter("supplier"), offers))
    unknown = set(suppliers).difference(t.supplier_id for t in terms)
    if unknown:
        # A typo in a supplier id would otherwise plan with free shipping and no minimum.
        n = next(n for n, s in enumerate(suppliers) if s in unknown)
        raise ValidationError(
            f"offers[{n}].supplier {suppliers[n]!r} is not in the suppliers list"
            " (list it, with {} terms for free shipping and no minimum)"
        )
    problem_offers = trusted_offers(
        suppliers,
        list(map(itemgetter("product"), offers)),
        _amounts(list(map(itemgetter("unit_price"), offers)), "offers[{}].unit_price"),
        list(map(itemgetter("stock"), offers)),
        [x.get("delivery_days", 0) for x in offers],
        [x.get("partner", False) for x in offers],
    )
    strategy_data = document.get("strategy", "cheapest")
    if isinstance(strategy_data, str):
        strategy = Strategy(strategy_data)  # type: ignore[arg-type]
    else:
        fields = _object(strategy_data, "strategy")
        strategy = Strategy(
            fields.get("kind", "cheapest"),
            money(fields.get("partner_tolerance", 0), "strategy.partner_tolerance"),
        )
    limits = document.get("constraints", {})
    constraints = Constraints(
        limits.get("max_suppliers"),
        limits.get("max_delivery_days"),
        limits.get("no_split", False),
    )
    time_limit = document.get("time_limit")
    if time_limit is not None and (
        isinstance(time_limit, bool) or not isinstance(time_limit, int | float) or time_limit <= 0
    ):
        raise ValidationError("time_limit must be a positive number of seconds")
    problem = ProcurementProblem(document["currency"], lines, problem_offers, terms)
    return CartFile(
        problem, strategy, constraints, None if time_limit is None else float(time_limit)
    )


def _amounts(raw: list[int | str], where: str) -> list[Decimal]:
    """Amounts (decimal strings or integers, as the schema let through) as Decimals.

    Carts repeat prices, so each distinct value is converted and range-checked once; only when
    one is refused is the column scanned for the first place that holds it, whose message
    :func:`money` gives.
    """
    try:
        distinct = {value: Decimal(value) for value in set(raw)}
        values = distinct.values()
        if values and (min(values) < 0 or max(values) > MAX_AMOUNT):
            raise InvalidOperation
    except InvalidOperation:  # not a number, NaN, infinite, negative or too large
        for n, value in enumerate(raw):
            money(value, where.format(n))
        raise  # pragma: no cover - money() refuses one of them
    return list(map(distinct.__getitem__, raw))


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(f"{where} must be a JSON object")
    return value


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
