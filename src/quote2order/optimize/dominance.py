"""Offers that no optimal plan needs: removed before the exact search.

Two rules, both applied to an :class:`~quote2order.optimize.instance.Instance` (whose offers
already keep the delivery-days cap and the partners-only rule). Each removal is checked against
the offers still present, one at a time; each keeps at least one optimal plan of the instance
it is applied to, so the sequence keeps the optimum (and its score to the cent). ``w`` is the
strategy's weight of a supplier (partner-first scores partners below 1), ``p`` a real unit
price, ``demand(P)`` the units the cart's lines of product ``P`` can get.

**Supplier rule** (every strategy and constraint). Supplier ``B`` dominates supplier ``A`` when
for every offer ``A`` has in the instance, ``B`` offers the product with ``w_B p_B <= w_A p_A``
and stock for ``demand(P)``; with ``r`` the smallest ratio ``p_B / p_A`` over those products,
``B``'s minimum order value is at most ``r`` times ``A``'s; and shipping at ``B`` is free, or
``w_B ship_B <= w_A ship_A`` and (``A`` has no free-shipping threshold, or ``B`` has one at most
``r`` times ``A``'s). Moving everything a plan buys from ``A`` to ``B`` then keeps coverage and
stock, reaches ``B``'s minimum (its goods are at least ``r`` times ``A``'s, which reached
``A``'s minimum), costs no more in goods and shipping (free at ``B`` whenever it was at ``A``),
and uses no more suppliers. So ``A`` goes.

**Offer rule** (``cheapest``, ``partner-first``, ``partners-only``; no supplier limit). Offer
``a`` of supplier ``A`` for product ``P`` goes when ``A`` has no minimum order value and some
other offer ``b`` (supplier ``B``) of ``P`` has stock for ``demand(P)``, ``B``'s minimum order
value is at most ``p_B`` and ``w_B (p_B + ship_B) <= w_A p_A - L`` with ``L = w_A ship_A`` when
``A`` has a free-shipping threshold (else 0). Moving the ``q >= 1`` units a plan buys at ``a``
to ``b`` saves at least ``q (w_A p_A - w_B p_B)`` in goods and costs at most ``w_B ship_B`` at
``B`` (opened, or pushed over its threshold only for the better) and ``L`` at ``A`` (which
may drop below its threshold); one unit at ``B`` reaches its minimum. It may add a supplier,
hence the restriction on the strategy and the supplier limit.

Amounts are compared as exact Decimals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from quote2order.optimize.instance import Instance
from quote2order.optimize.model import SupplierTerms


@dataclass(frozen=True, slots=True)
class Reduction:
    """The restricted instance, its arcs' indices in the original, and what was removed."""

    instance: Instance
    arcs: list[int]  # original arc of each arc of ``instance``
    suppliers_removed: int
    offers_removed: int


def reduce(inst: Instance) -> Reduction:
    """Remove dominated suppliers, then dominated offers (see the module docstring)."""
    n_off = len(inst.offers)
    present = [True] * n_off
    by_partner = {flag: inst.strategy.weight(flag) for flag in (False, True)}
    weight = [by_partner[offer.partner] for offer in inst.offers]
    demand: dict[str, int] = defaultdict(int)
    for i, line in enumerate(inst.problem.lines):
        if inst.line_arcs[i]:
            demand[line.product_id] += inst.target[i]
    by_sup: list[dict[str, int]] = [{} for _ in inst.sup_ids]
    for k, offer in enumerate(inst.offers):
        by_sup[inst.off_sup[k]][offer.product_id] = k
    suppliers_removed = _suppliers(inst, present, weight, demand, by_sup)
    if inst.constraints.max_suppliers is None and not inst.fewest:
        _offers(inst, present, weight, demand)
    if all(present):
        return Reduction(inst, list(range(len(inst.arc_line))), 0, 0)
    small, arcs = restrict(inst, present)
    return Reduction(small, arcs, suppliers_removed, n_off - sum(present))


def _suppliers(
    inst: Instance,
    present: list[bool],
    weight: list[Decimal],
    demand: dict[str, int],
    by_sup: list[dict[str, int]],
) -> int:
    """Apply the supplier rule; return how many suppliers it removed."""
    terms = inst.sup_terms
    alive = [True] * len(inst.sup_ids)
    removed = 0
    # Suppliers with few offers first: they are the likeliest to be dominated.
    for a in sorted(range(len(inst.sup_ids)), key=lambda s: (len(by_sup[s]), s)):
        offers_a = by_sup[a]
        for b in range(len(inst.sup_ids)):
            if b == a or not alive[b] or len(by_sup[b]) < len(offers_a):
                continue
            if _dominates(inst, b, a, offers_a, by_sup[b], weight, demand, terms):
                alive[a] = False
                removed += 1
                for k in offers_a.values():
                    present[k] = False
                break
    return removed


def _dominates(
    inst: Instance,
    b: int,
    a: int,
    offers_a: dict[str, int],
    offers_b: dict[str, int],
    weight: list[Decimal],
    demand: dict[str, int],
    terms: list[SupplierTerms],
) -> bool:
    """Whether supplier ``b`` dominates supplier ``a`` (the supplier rule)."""
    ratio: Decimal | None = None
    for product, ka in offers_a.items():
        kb = offers_b.get(product)
        if kb is None:
            return False
        oa, ob = inst.offers[ka], inst.offers[kb]
        if ob.stock < demand[product] or weight[kb] * ob.unit_price > weight[ka] * oa.unit_price:
            return False
        if oa.unit_price > 0:
            r = ob.unit_price / oa.unit_price
            ratio = r if ratio is None or r < ratio else ratio
    r = Decimal(1) if ratio is None else ratio
    ta, tb = terms[a], terms[b]
    wa = weight[next(iter(offers_a.values()))] if offers_a else Decimal(1)
    wb = weight[next(iter(offers_b.values()))]
    if tb.minimum_order_value > r * ta.minimum_order_value:
        return False
    if wb * tb.shipping_cost == 0:
        return True
    if wb * tb.shipping_cost > wa * ta.shipping_cost:
        return False
    thr_a, thr_b = ta.free_shipping_threshold, tb.free_shipping_threshold
    return thr_a is None or (thr_b is not None and thr_b <= r * thr_a)


def _offers(
    inst: Instance, present: list[bool], weight: list[Decimal], demand: dict[str, int]
) -> None:
    """Apply the offer rule (floats pick the candidates, Decimals decide)."""
    terms = inst.sup_terms
    per_product: dict[str, list[int]] = defaultdict(list)
    for k, offer in enumerate(inst.offers):
        if present[k]:
            per_product[offer.product_id].append(k)

    def landed(k: int) -> Decimal:
        return weight[k] * (inst.offers[k].unit_price + terms[inst.off_sup[k]].shipping_cost)

    def limit(k: int) -> Decimal:
        t = terms[inst.off_sup[k]]
        loss = t.shipping_cost if t.free_shipping_threshold is not None else Decimal(0)
        return weight[k] * (inst.offers[k].unit_price - loss)

    for product, offers in per_product.items():
        need = demand[product]
        # Offers that can take the moved units, by their landed cost w (p + ship), cheapest first.
        takers: list[tuple[float, int]] = []
        for k in offers:
            o, s = inst.offers[k], inst.off_sup[k]
            if o.stock >= need and terms[s].minimum_order_value <= o.unit_price:
                price = inst.arc_price[inst.off_arcs[k][0]]
                takers.append((inst.weight[s] * (price + inst.ship[s]), k))
        if not takers:
            continue
        takers.sort()
        for k in offers:
            s = inst.off_sup[k]
            if terms[s].minimum_order_value > 0:
                continue
            loss = inst.ship[s] if inst.threshold[s] is not None else 0.0
            rough = inst.weight[s] * (inst.arc_price[inst.off_arcs[k][0]] - loss)
            slack = 1e-9 * (1.0 + abs(rough))
            for cost, j in takers:
                if cost > rough + slack:
                    break
                if j != k and present[j] and landed(j) <= limit(k):
                    present[k] = False
                    break


def restrict(inst: Instance, keep: list[bool]) -> tuple[Instance, list[int]]:
    """The instance with only the offers ``keep`` marks, and the original index of each arc."""
    small = Instance(inst.problem, inst.strategy, inst.constraints, inst.target, inst.short_reason)
    small.line_arcs = [[] for _ in inst.line_arcs]
    sup_new: dict[int, int] = {}
    off_new: dict[int, int] = {}
    arcs: list[int] = []
    for i, line_arcs in enumerate(inst.line_arcs):
        for a in line_arcs:  # already in scored-price order
            k = inst.arc_off[a]
            if not keep[k]:
                continue
            s = inst.arc_sup[a]
            ns = sup_new.get(s)
            if ns is None:
                ns = sup_new[s] = small.add_supplier(inst.sup_terms[s], inst.weight[s])
            nk = off_new.get(k)
            if nk is None:
                nk = off_new[k] = small.add_offer(inst.offers[k], ns)
            na = len(arcs)
            arcs.append(a)
            small.arc_line.append(i)
            small.arc_off.append(nk)
            small.arc_sup.append(ns)
            small.arc_price.append(inst.arc_price[a])
            small.arc_wprice.append(inst.arc_wprice[a])
            small.arc_cap.append(inst.arc_cap[a])
            small.line_arcs[i].append(na)
            small.sup_arcs[ns].append(na)
            small.off_arcs[nk].append(na)
    return small, arcs
