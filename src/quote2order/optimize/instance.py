"""The solver-facing form of a problem, and turning chosen quantities back into a plan.

An *arc* is a (cart line, eligible offer) pair; both solution paths decide units per arc.
"""

from __future__ import annotations

import importlib.util
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from quote2order.errors import ValidationError
from quote2order.money import minor_unit
from quote2order.optimize._bulk import paused_gc
from quote2order.optimize.limits import MAX_ARCS, MAX_GRID_STEPS
from quote2order.optimize.model import (
    ZERO,
    Allocation,
    Constraints,
    Method,
    Offer,
    Plan,
    ProcurementProblem,
    Strategy,
    SupplierOrder,
    SupplierTerms,
    Uncovered,
    max_places,
)


@dataclass(slots=True)
class Instance:
    """Index-based arrays of an optimisation problem (floats for the solvers)."""

    problem: ProcurementProblem
    strategy: Strategy
    constraints: Constraints
    # lines
    target: list[int]  # units to cover per line (quantity minus what cannot be had at all)
    short_reason: dict[int, str]
    # suppliers that still have eligible arcs
    sup_ids: list[str] = field(default_factory=list)
    sup_terms: list[SupplierTerms] = field(default_factory=list)
    ship: list[float] = field(default_factory=list)
    threshold: list[float | None] = field(default_factory=list)
    mov: list[float] = field(default_factory=list)
    weight: list[float] = field(default_factory=list)
    # offers that still have arcs
    offers: list[Offer] = field(default_factory=list)
    off_sup: list[int] = field(default_factory=list)
    off_stock: list[int] = field(default_factory=list)
    # arcs
    arc_line: list[int] = field(default_factory=list)
    arc_off: list[int] = field(default_factory=list)
    arc_sup: list[int] = field(default_factory=list)
    arc_price: list[float] = field(default_factory=list)  # real unit price
    arc_wprice: list[float] = field(default_factory=list)  # unit price scored by the strategy
    arc_cap: list[int] = field(default_factory=list)
    line_arcs: list[list[int]] = field(default_factory=list)  # sorted by scored price
    sup_arcs: list[list[int]] = field(default_factory=list)
    off_arcs: list[list[int]] = field(default_factory=list)

    def add_supplier(self, terms: SupplierTerms, weight: float) -> int:
        """Append a supplier (its terms as floats, no arcs yet); returns its index."""
        self.sup_ids.append(terms.supplier_id)
        self.sup_terms.append(terms)
        self.ship.append(float(terms.shipping_cost))
        thr = terms.free_shipping_threshold
        self.threshold.append(None if thr is None else float(thr))
        self.mov.append(float(terms.minimum_order_value))
        self.weight.append(weight)
        self.sup_arcs.append([])
        return len(self.sup_ids) - 1

    def add_offer(self, offer: Offer, s: int) -> int:
        """Append ``offer`` of supplier ``s`` (no arcs yet); returns its index."""
        self.offers.append(offer)
        self.off_sup.append(s)
        self.off_stock.append(offer.stock)
        self.off_arcs.append([])
        return len(self.offers) - 1

    @property
    def fewest(self) -> bool:
        return self.strategy.kind == "fewest-sources"

    @property
    def no_split(self) -> bool:
        return self.constraints.no_split

    def shipping(self, s: int, goods: float) -> float:
        """Float shipping of supplier ``s`` for ``goods`` (with a small tolerance)."""
        if goods <= 1e-9:
            return 0.0
        thr = self.threshold[s]
        if thr is not None and goods >= thr - 1e-7:
            return 0.0
        return self.ship[s]


def build_instance(
    problem: ProcurementProblem, strategy: Strategy, constraints: Constraints
) -> Instance:
    """Filter offers by strategy and constraints, size the coverable units, build the arcs.

    Runs in whole columns with numpy when it is installed (``quote2order.optimize._arrays``),
    and in the plain loop of :func:`build_instance_python` otherwise; both give the same arcs
    in the same order.
    """
    with paused_gc():
        if importlib.util.find_spec("numpy") is None:
            return build_instance_python(problem, strategy, constraints)
        from quote2order.optimize._arrays import build_arrays

        return build_arrays(problem, strategy, constraints, _short_reason)


def build_instance_python(
    problem: ProcurementProblem, strategy: Strategy, constraints: Constraints
) -> Instance:
    """:func:`build_instance` in plain Python (no numpy); the reference the tests hold it to."""
    lines = problem.lines
    by_product: dict[str, list[Offer]] = defaultdict(list)
    for offer in problem.offers:
        by_product[offer.product_id].append(offer)
    days = constraints.max_delivery_days
    excluded: set[str] = set()  # suppliers that cannot reach their minimum order value
    while True:
        eligible: dict[str, list[Offer]] = {}
        target: list[int] = []
        reasons: dict[int, str] = {}
        remaining: dict[str, int] = {}
        for i, line in enumerate(lines):
            everything = by_product.get(line.product_id, [])
            allowed = [
                o
                for o in everything
                if o.stock > 0
                and (days is None or o.delivery_days <= days)
                and (strategy.kind != "partners-only" or o.partner)
            ]
            offers = [o for o in allowed if o.supplier_id not in excluded]
            eligible[line.product_id] = offers
            if constraints.no_split:
                # Without splitting a line is bought in one piece: as many units as the
                # largest single stock allows, from one supplier, or not at all.
                available = max((o.stock for o in allowed), default=0)
            else:
                available = remaining.setdefault(line.product_id, sum(o.stock for o in offers))
            covered = min(line.quantity, available)
            if not constraints.no_split:
                remaining[line.product_id] = available - covered
            target.append(covered)
            if covered < line.quantity:
                reasons[i] = _short_reason(
                    everything, offers, strategy, days, excluded, constraints.no_split, available
                )
        # A supplier whose whole reachable goods value stays below its minimum cannot be used.
        reach: dict[str, Decimal] = defaultdict(Decimal)
        demand: dict[str, int] = defaultdict(int)
        for i, line in enumerate(lines):
            demand[line.product_id] += target[i]
        for product, offers in eligible.items():
            for o in offers:
                reach[o.supplier_id] += o.unit_price * min(o.stock, demand[product])
        newly = {
            s for s, value in reach.items() if value < problem.terms_for(s).minimum_order_value
        }
        if not newly:
            break
        excluded |= newly

    pairs = sum(len(eligible[line.product_id]) for i, line in enumerate(lines) if target[i])
    _check_arcs(pairs)
    sup_index: dict[str, int] = {}
    off_index: dict[tuple[str, str], int] = {}
    inst = Instance(problem, strategy, constraints, target, reasons)
    inst.line_arcs = [[] for _ in lines]
    for i, line in enumerate(lines):
        if target[i] == 0:
            continue
        for o in eligible[line.product_id]:
            if constraints.no_split and o.stock < target[i]:
                continue
            s = sup_index.get(o.supplier_id)
            if s is None:
                terms = problem.terms_for(o.supplier_id)
                s = sup_index[o.supplier_id] = inst.add_supplier(
                    terms, float(strategy.weight(o.partner))
                )
            k = off_index.get((o.supplier_id, o.product_id))
            if k is None:
                k = off_index[(o.supplier_id, o.product_id)] = inst.add_offer(o, s)
            a = len(inst.arc_line)
            inst.arc_line.append(i)
            inst.arc_off.append(k)
            inst.arc_sup.append(s)
            inst.arc_price.append(float(o.unit_price))
            inst.arc_wprice.append(float(o.unit_price) * inst.weight[s])
            inst.arc_cap.append(min(o.stock, target[i]))
            inst.line_arcs[i].append(a)
            inst.sup_arcs[s].append(a)
            inst.off_arcs[k].append(a)
    for arcs in inst.line_arcs:
        arcs.sort(key=lambda a: (inst.arc_wprice[a], -inst.arc_cap[a], a))
    _check_scale(inst)
    return inst


def _check_arcs(pairs: int) -> None:
    if pairs > MAX_ARCS:
        raise ValidationError(
            f"the cart has {pairs:,} line-offer pairs: above the optimizer's limit of {MAX_ARCS:,}"
        )


def objective_grid(inst: Instance) -> Decimal:
    """The smallest step between two different scored costs (all amounts are decimals)."""
    places = max_places(map(attrgetter("unit_price"), inst.offers))
    for terms in inst.sup_terms:
        places = max(places, -_exponent(terms.shipping_cost))
    weights = {inst.strategy.weight(p) for p in set(map(attrgetter("partner"), inst.offers))}
    places += max((-_exponent(w.normalize()) for w in weights), default=0)
    return Decimal(1).scaleb(-max(places, 0))


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def _check_scale(inst: Instance) -> None:
    """Refuse a cart whose value, counted in grid steps, HiGHS could not tell apart exactly."""
    # Each line's arcs are sorted by scored price: its last arc is its dearest.
    dearest = [inst.arc_wprice[arcs[-1]] if arcs else 0.0 for arcs in inst.line_arcs]
    value = sum(q * p for q, p in zip(inst.target, dearest, strict=True))
    value += sum(w * s for w, s in zip(inst.weight, inst.ship, strict=True))
    value += max(inst.mov, default=0.0) + max((t or 0.0 for t in inst.threshold), default=0.0)
    grid = objective_grid(inst)
    if value / float(grid) > MAX_GRID_STEPS:
        raise ValidationError(
            f"the cart is worth up to {value:.4g} {inst.problem.currency}: more than"
            f" {MAX_GRID_STEPS:.0e} steps of {grid}, the most the optimizer plans exactly"
            " (see docs/optimizer.md, Limits)"
        )


def _short_reason(
    everything: list[Offer],
    offers: list[Offer],
    strategy: Strategy,
    days: int | None,
    excluded: set[str],
    no_split: bool,
    available: int,
) -> str:
    if not everything:
        return "no offer for this product"
    if not offers:
        if strategy.kind == "partners-only" and not any(o.partner for o in everything):
            return "no partner offers this product"
        if days is not None and all(o.delivery_days > days for o in everything):
            return f"no offer delivers within {days} days"
        if any(o.supplier_id in excluded for o in everything):
            return "its suppliers cannot reach their minimum order value"
        return "no offer has stock"
    if no_split:
        return f"no single supplier has the full quantity (at most {available}; no splitting)"
    return f"not enough stock at the eligible suppliers ({available} available)"


def build_plan(
    inst: Instance,
    units: dict[int, int],
    method: Method,
    *,
    bound: float | None = None,
    seconds: float = 0.0,
    proven: bool = False,
) -> Plan:
    """Turn units per arc into a plan, recomputing every amount exactly in Decimal.

    Every amount carries at least the currency's minor unit (``0.00``, never ``0``).
    """
    problem, strategy = inst.problem, inst.strategy
    minor = Decimal(1).scaleb(-minor_unit(problem.currency))

    def shown(amount: Decimal) -> Decimal:
        return amount if _exponent(amount) <= _exponent(minor) else amount.quantize(minor)

    per_line: dict[int, list[int]] = defaultdict(list)
    goods: dict[str, Decimal] = defaultdict(Decimal)
    for a, q in sorted(units.items()):
        if q > 0:
            per_line[inst.arc_line[a]].append(a)
            offer = inst.offers[inst.arc_off[a]]
            goods[offer.supplier_id] += offer.unit_price * q
    allocations: list[Allocation] = []
    for i, line in enumerate(problem.lines):
        for a in sorted(per_line.get(i, []), key=lambda a: inst.arc_wprice[a]):
            offer = inst.offers[inst.arc_off[a]]
            q = units[a]
            allocations.append(
                Allocation(
                    line.line_id,
                    line.product_id,
                    offer.supplier_id,
                    q,
                    shown(offer.unit_price),
                    shown(offer.unit_price * q),
                )
            )
    orders: list[SupplierOrder] = []
    objective = ZERO
    partners = {o.supplier_id for o in inst.offers if o.partner}
    terms = {t.supplier_id: t for t in inst.sup_terms}
    for supplier_id in sorted(goods):
        # Every plan buys from eligible offers only, whose suppliers ``inst`` knows.
        partner = supplier_id in partners
        shipping = terms[supplier_id].shipping_for(goods[supplier_id])
        orders.append(
            SupplierOrder(supplier_id, partner, shown(goods[supplier_id]), shown(shipping))
        )
        objective += strategy.weight(partner) * (goods[supplier_id] + shipping)
    goods_cost = shown(sum((o.goods for o in orders), ZERO))
    shipping_cost = shown(sum((o.shipping for o in orders), ZERO))
    objective = shown(objective)
    uncovered: list[Uncovered] = []
    for i, line in enumerate(problem.lines):
        got = sum(units[a] for a in per_line.get(i, []))
        if got < line.quantity:
            reason = inst.short_reason.get(i)
            if reason is None or got < inst.target[i]:
                reason = "left out to keep the supplier limit and minimum order values"
            uncovered.append(Uncovered(line.line_id, line.product_id, line.quantity - got, reason))
    dec_bound: Decimal | None = None
    gap: float | None = None
    if proven:
        dec_bound, gap = objective, 0.0
    elif bound is not None and math.isfinite(bound):
        # Snap the float bound to the objective's decimal step, rounding down unless the float
        # is only off by rounding noise, so that it stays a valid bound.
        exponent = objective.as_tuple().exponent
        step = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
        dec_bound = Decimal(repr(bound)).quantize(step)
        if dec_bound > Decimal(repr(bound + 1e-6)):
            dec_bound -= step
        dec_bound = shown(max(min(dec_bound, objective), ZERO))
        gap = 0.0 if objective == 0 else float((objective - dec_bound) / objective)
    reasons = {
        line.line_id: _line_reason(inst, i, per_line.get(i, []), units, goods)
        for i, line in enumerate(problem.lines)
    }
    return Plan(
        currency=problem.currency,
        strategy=strategy,
        method=method,
        allocations=tuple(allocations),
        suppliers=tuple(orders),
        goods_cost=goods_cost,
        shipping_cost=shipping_cost,
        total=goods_cost + shipping_cost,
        objective=objective,
        reasons=reasons,
        uncovered=tuple(uncovered),
        bound=dec_bound,
        gap=gap,
        seconds=seconds,
    )


def _line_reason(
    inst: Instance, i: int, arcs: list[int], units: dict[int, int], goods: dict[str, Decimal]
) -> str:
    if not arcs:
        return "not bought: " + inst.short_reason.get(i, "left out by the constraints")
    options = inst.line_arcs[i]
    chosen = [inst.offers[inst.arc_off[a]] for a in arcs]
    names = ", ".join(f"{o.supplier_id} ({units[a]})" for o, a in zip(chosen, arcs, strict=True))
    if len(arcs) > 1:
        return f"split across {names}: no single chosen supplier has enough stock"
    offer = chosen[0]
    if len(options) == 1:
        return f"{offer.supplier_id} is the only eligible offer"
    cheapest = min(
        (inst.offers[inst.arc_off[a]] for a in options), key=lambda o: (o.unit_price, o.supplier_id)
    )
    if offer.unit_price <= cheapest.unit_price:
        return f"cheapest offer at {offer.supplier_id} ({offer.unit_price})"
    weight = inst.strategy.weight
    if weight(offer.partner) < weight(cheapest.partner) and offer.unit_price * weight(
        offer.partner
    ) <= cheapest.unit_price * weight(cheapest.partner):
        return (
            f"partner {offer.supplier_id} ({offer.unit_price}) preferred: {cheapest.supplier_id}"
            f" ({cheapest.unit_price}) saves no more than {inst.strategy.partner_tolerance}%"
        )
    if inst.strategy.kind == "fewest-sources":
        return (
            f"{offer.supplier_id} ({offer.unit_price}) keeps the number of suppliers down;"
            f" cheapest is {cheapest.supplier_id} ({cheapest.unit_price})"
        )
    if cheapest.supplier_id in goods:
        return (
            f"{offer.supplier_id} ({offer.unit_price}) instead of {cheapest.supplier_id}"
            f" ({cheapest.unit_price}): stock or free shipping at {offer.supplier_id}"
        )
    return (
        f"bundled at {offer.supplier_id} ({offer.unit_price}): ordering from"
        f" {cheapest.supplier_id} ({cheapest.unit_price}) costs more with shipping"
        " or minimum order values"
    )
