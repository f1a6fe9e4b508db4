"""The instance build in whole columns with numpy: linear in the offers, no per-arc Python.

:func:`quote2order.optimize.instance.build_instance` calls :func:`build_arrays` when numpy is
installed (the ``optimize`` extra) and keeps its pure-Python loop otherwise; both give the
same :class:`~quote2order.optimize.instance.Instance`, arc for arc (tests/optimize compare
them). Amounts stay exact where a decision depends on them: whether a supplier can reach its
minimum order value is decided in floats only when the float sum is far from the minimum, and
recomputed in :class:`~decimal.Decimal` otherwise.
"""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from quote2order.optimize.instance import Instance
    from quote2order.optimize.model import Constraints, Offer, ProcurementProblem, Strategy

    Ints = NDArray[np.int64]
    Floats = NDArray[np.float64]

# A float sum of up to a million products of amounts below 1e9 is off by far less than this
# share of its value; nearer to the minimum order value, the sum is recomputed exactly.
_TIE = 1e-9


def _codes(values: list[str]) -> tuple[Ints, dict[str, int]]:
    """Integer codes of ``values`` in order of first appearance, and the code of each value."""
    index = {v: n for n, v in enumerate(dict.fromkeys(values))}
    return np.array(list(map(index.__getitem__, values)), dtype=np.int64), index


def _ragged(starts: Ints, counts: Ints) -> tuple[Ints, Ints]:
    """For groups ``starts[g] .. starts[g] + counts[g]``: the group and position of each item."""
    total = int(counts.sum())
    group = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    offsets = np.cumsum(counts) - counts
    position = np.arange(total, dtype=np.int64) - offsets[group] + starts[group]
    return group, position


def build_arrays(
    problem: ProcurementProblem,
    strategy: Strategy,
    constraints: Constraints,
    short_reason: Any,
) -> Instance:
    """The instance of ``problem``: see :func:`quote2order.optimize.instance.build_instance`.

    ``short_reason(everything, offers, strategy, days, excluded, no_split, available)`` words
    why a line cannot be covered in full (shared with the pure-Python build).
    """
    from quote2order.optimize.instance import Instance, _check_arcs, _check_scale

    offers = problem.offers
    lines = problem.lines
    n_lines = len(lines)
    sup_code, sup_index = _codes(list(map(attrgetter("supplier_id"), offers)))
    prod_code, prod_index = _codes(list(map(attrgetter("product_id"), offers)))
    n_prod = max(len(prod_index), 1)  # one empty product keeps the arrays indexable
    stock = np.array(list(map(attrgetter("stock"), offers)), dtype=np.int64)
    days = np.array(list(map(attrgetter("delivery_days"), offers)), dtype=np.int64)
    partner = np.array(list(map(attrgetter("partner"), offers)), dtype=bool)
    prices = list(map(attrgetter("unit_price"), offers))
    as_float = {p: float(p) for p in set(prices)}  # carts repeat prices
    price = np.array(list(map(as_float.__getitem__, prices)), dtype=np.float64)
    sup_names = list(sup_index)
    mov_dec = [problem.terms_for(s).minimum_order_value for s in sup_names]
    mov_all = np.array([float(m) for m in mov_dec], dtype=np.float64)

    line_prod = np.array([prod_index.get(x.product_id, -1) for x in lines], dtype=np.int64)
    quantity = np.array([x.quantity for x in lines], dtype=np.int64)
    has_offers = line_prod >= 0
    # Offers grouped by product, in the problem's order within each product.
    by_product = np.argsort(prod_code, kind="stable")
    max_days = constraints.max_delivery_days
    allowed = stock > 0
    if max_days is not None:
        allowed &= days <= max_days
    if strategy.kind == "partners-only":
        allowed &= partner
    no_split = constraints.no_split
    safe_prod = np.where(has_offers, line_prod, 0)
    if no_split:
        # Bought in one piece: as many units as the largest single stock allows.
        largest = np.zeros(n_prod, dtype=np.int64)
        np.maximum.at(largest, prod_code[allowed], stock[allowed])
    # Lines of one product share its offers' stock, first line first.
    first_of_product: dict[int, int] = {}
    earlier = np.zeros(n_lines, dtype=np.int64)  # units asked by earlier lines of the product
    asked: dict[int, int] = {}
    for i, (p, q) in enumerate(zip(line_prod.tolist(), quantity.tolist(), strict=True)):
        if p >= 0:
            first_of_product.setdefault(p, i)
            earlier[i] = asked.get(p, 0)
            asked[p] = earlier[i] + q
    in_cart = np.zeros(n_prod, dtype=bool)
    in_cart[line_prod[has_offers]] = True
    mov_dec_of = dict(zip(sup_names, mov_dec, strict=True))

    excluded = np.zeros(len(sup_names), dtype=bool)  # cannot reach their minimum order value
    while True:
        eligible = allowed & ~excluded[sup_code]
        if no_split:
            available = np.where(has_offers, largest[safe_prod], 0)
        else:
            total = np.bincount(prod_code, weights=stock * eligible, minlength=n_prod)
            total = np.rint(total).astype(np.int64)
            available = np.where(has_offers, np.maximum(total[safe_prod] - earlier, 0), 0)
        target = np.minimum(quantity, available)
        demand = np.bincount(line_prod[has_offers], weights=target[has_offers], minlength=n_prod)
        counted = eligible & in_cart[prod_code]
        reach_units = np.minimum(stock, np.rint(demand).astype(np.int64)[prod_code])
        reach = np.bincount(
            sup_code[counted],
            weights=price[counted] * reach_units[counted],
            minlength=len(sup_names),
        )
        present = np.bincount(sup_code[counted], minlength=len(sup_names)) > 0
        below = present & (reach < mov_all) & ~excluded
        near = present & ~excluded & (np.abs(reach - mov_all) <= _TIE * np.maximum(mov_all, 1.0))
        for s in np.flatnonzero(near).tolist():
            below[s] = (
                _exact_reach(offers, s, sup_code, counted, reach_units) < mov_dec_of[sup_names[s]]
            )
        if not below.any():
            break
        excluded |= below

    target_list = target.tolist()
    excluded_names = {sup_names[s] for s in np.flatnonzero(excluded).tolist()}
    reasons = _reasons(
        problem,
        strategy,
        constraints,
        target_list,
        available.tolist(),
        eligible,
        excluded_names,
        short_reason,
    )
    # Arcs: each line with units to cover, against its product's eligible offers in order.
    chosen = by_product[eligible[by_product]]
    per_product = np.bincount(prod_code[chosen], minlength=n_prod)
    product_start = np.cumsum(per_product) - per_product
    buying = np.flatnonzero(has_offers & (target > 0))
    counts = per_product[line_prod[buying]]
    pairs = int(counts.sum())
    _check_arcs(pairs)
    group, position = _ragged(product_start[line_prod[buying]], counts)
    arc_line = buying[group]
    arc_offer = chosen[position]  # index into problem.offers
    if no_split:
        keep = stock[arc_offer] >= target[arc_line]
        arc_line, arc_offer = arc_line[keep], arc_offer[keep]
    n_arcs = len(arc_line)
    # Suppliers and offers are numbered in the order the arcs first meet them.
    sup_first = _first_seen(sup_code[arc_offer], len(sup_names))
    arc_sup = sup_first[sup_code[arc_offer]]
    used_sups = np.argsort(np.where(sup_first >= 0, sup_first, n_arcs + 1), kind="stable")
    used_sups = used_sups[: int((sup_first >= 0).sum())]
    off_first = _first_seen(arc_offer, len(offers))
    arc_off = off_first[arc_offer]
    used_offers = np.flatnonzero(off_first >= 0)
    used_offers = used_offers[np.argsort(off_first[used_offers], kind="stable")]

    sup_ids = [sup_names[s] for s in used_sups.tolist()]
    sup_terms = [problem.terms_for(s) for s in sup_ids]
    sup_partner = np.zeros(len(sup_names), dtype=bool)
    sup_partner[sup_code] = partner  # one flag per supplier (ProcurementProblem checks it)
    weights = [float(strategy.weight(p)) for p in sup_partner[used_sups].tolist()]
    weight = np.array(weights, dtype=np.float64)
    arc_price = price[arc_offer]
    arc_wprice = arc_price * weight[arc_sup]
    arc_cap = np.minimum(stock[arc_offer], target[arc_line])
    arange = np.arange(n_arcs, dtype=np.int64)
    by_line = np.lexsort((arange, -arc_cap, arc_wprice, arc_line))
    line_arcs = _groups(arc_line, n_lines, by_line)

    inst = Instance(
        problem=problem,
        strategy=strategy,
        constraints=constraints,
        target=target_list,
        short_reason=reasons,
        sup_ids=sup_ids,
        sup_terms=sup_terms,
        ship=[float(t.shipping_cost) for t in sup_terms],
        threshold=[
            None if t.free_shipping_threshold is None else float(t.free_shipping_threshold)
            for t in sup_terms
        ],
        mov=[float(t.minimum_order_value) for t in sup_terms],
        weight=weights,
        offers=list(map(offers.__getitem__, used_offers.tolist())),
        off_sup=sup_first[sup_code[used_offers]].tolist(),
        off_stock=stock[used_offers].tolist(),
        arc_line=arc_line.tolist(),
        arc_off=arc_off.tolist(),
        arc_sup=arc_sup.tolist(),
        arc_price=arc_price.tolist(),
        arc_wprice=arc_wprice.tolist(),
        arc_cap=arc_cap.tolist(),
        line_arcs=line_arcs,
        sup_arcs=_groups(arc_sup, len(sup_ids)),
        off_arcs=_groups(arc_off, len(used_offers)),
    )
    _check_scale(inst)
    return inst


def _first_seen(codes: Ints, size: int) -> Ints:
    """Per code: its rank in order of first appearance in ``codes`` (-1: absent)."""
    first = np.full(size, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.int64))
    present = first < len(codes)
    rank = np.full(size, -1, dtype=np.int64)
    order = np.flatnonzero(present)
    order = order[np.argsort(first[order], kind="stable")]
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank


def _groups(codes: Ints, size: int, order: Ints | None = None) -> list[list[int]]:
    """The positions holding each code, in increasing order (or in ``order``, sorted by code)."""
    order_list = np.argsort(codes, kind="stable").tolist() if order is None else order.tolist()
    ends = np.cumsum(np.bincount(codes, minlength=size))
    starts = ends - np.bincount(codes, minlength=size)
    return list(map(order_list.__getitem__, map(slice, starts.tolist(), ends.tolist())))


def _exact_reach(
    offers: tuple[Offer, ...], s: int, sup_code: Ints, counted: Any, units: Ints
) -> Decimal:
    """The goods value supplier ``s`` can reach, summed exactly."""
    mine = np.flatnonzero(counted & (sup_code == s)).tolist()
    return sum((offers[k].unit_price * int(units[k]) for k in mine), Decimal(0))


def _reasons(
    problem: ProcurementProblem,
    strategy: Strategy,
    constraints: Constraints,
    target: list[int],
    available: list[int],
    eligible: Any,
    excluded: set[str],
    short_reason: Any,
) -> dict[int, str]:
    """Why each line that cannot be covered in full is short (few lines, so plain Python)."""
    short = [i for i, line in enumerate(problem.lines) if target[i] < line.quantity]
    if not short:
        return {}
    wanted = {problem.lines[i].product_id for i in short}
    everything: dict[str, list[Offer]] = {p: [] for p in wanted}
    usable: dict[str, list[Offer]] = {p: [] for p in wanted}
    for offer, ok in zip(problem.offers, eligible.tolist(), strict=True):
        group = everything.get(offer.product_id)
        if group is not None:
            group.append(offer)
            if ok:
                usable[offer.product_id].append(offer)
    days = constraints.max_delivery_days
    reasons: dict[int, str] = {}
    for i in short:
        product = problem.lines[i].product_id
        reasons[i] = short_reason(
            everything[product],
            usable[product],
            strategy,
            days,
            excluded,
            constraints.no_split,
            available[i],
        )
    return reasons
