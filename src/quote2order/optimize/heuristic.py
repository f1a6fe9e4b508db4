"""Pure-Python procurement heuristics: cheapest-per-line and a shipping-aware local search.

Both work on the set of *open* suppliers: given that set, every line takes its cheapest open
offers (by the strategy's scored price) up to their stock, then suppliers below their minimum
order value are topped up by pulling units from other suppliers or closed, and suppliers just
short of free shipping pull units when that costs less than the shipping. The local search then
drops, adds and swaps suppliers while the lexicographic score (uncovered units, suppliers for
``fewest-sources``, cost) improves, and finally relocates units of single lines between the
used suppliers while that lowers the cost (costed incrementally from the two suppliers).

The search touches what a move changes, not the whole cart: assignments are derived from the
previous one (``Assigner``), pulls move units in place and can be taken back (``_undo``), and
estimates read the offers in use. It runs in plain Python; where numpy is installed (the
``optimize`` extra) the candidate moves of a pull are built with it, with the same result.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from quote2order.optimize.instance import Instance

if TYPE_CHECKING:
    from quote2order.optimize._heuristic_arrays import Arrays, Ints

_EPS = 1e-7

#: ``Solution.single`` marks of a line: no arc with units, or several.
NO_ARC, SEVERAL = -1, -2


def mark(arcs: list[int], units: list[int]) -> int:
    """A line's ``single`` mark from its (superset of) arcs with units."""
    found = NO_ARC
    for a in arcs:
        if units[a]:
            if found != NO_ARC:
                return SEVERAL
            found = a
    return found


@dataclass(slots=True)
class Solution:
    """Units per arc and the derived per-supplier goods values.

    ``rem`` is the stock left per offer and ``scored`` the scored goods cost (kept up to date
    by every move, so that costing a solution does not walk all arcs again).
    """

    units: list[int]
    goods: list[float]
    open: list[bool]
    short: int
    cost: float
    used: int
    rem: list[int] = field(default_factory=list)
    scored: float = 0.0
    by_line: list[list[int]] = field(default_factory=list)  # arcs with units, per line
    # Per line: its one arc with units, or NO_ARC or SEVERAL (empty: not known).
    single: list[int] = field(default_factory=list)
    single_array: Ints | None = None  # ``single`` as a numpy array, once a pull needed it

    def used_arcs(self, inst: Instance) -> list[list[int]]:
        """Arcs with units per line (built once; moves keep it a superset)."""
        if not self.by_line:
            self.by_line = [[a for a in arcs if self.units[a]] for arcs in inst.line_arcs]
        return self.by_line

    @property
    def key(self) -> tuple[int, int, float]:
        return (self.short, self.used, self.cost)

    def as_dict(self) -> dict[int, int]:
        return {a: q for a, q in enumerate(self.units) if q}


def _key(inst: Instance, sol: Solution) -> tuple[int, int, float]:
    return (sol.short, sol.used if inst.fewest else 0, sol.cost)


def _fill(
    inst: Instance,
    arcs: list[int],
    need: int,
    open_: list[bool],
    units: list[int],
    rem: list[int],
    goods: list[float],
    used: list[int],
    scored: float,
) -> tuple[int, float]:
    """One line takes its cheapest open offers (``arcs`` in price order) up to their stock.

    Updates the plan in place, appends the arcs it buys from to ``used`` and returns the units
    still missing and the scored goods cost with the line's added.
    """
    arc_sup, arc_off, price, wprice = inst.arc_sup, inst.arc_off, inst.arc_price, inst.arc_wprice
    no_split = inst.constraints.no_split
    for a in arcs:
        s = arc_sup[a]
        if not open_[s]:
            continue
        k = arc_off[a]
        take = rem[k]
        if no_split:
            if take < need:
                continue
            take = need
        elif take <= 0:
            continue
        elif take > need:
            take = need
        units[a] = take
        used.append(a)
        rem[k] -= take
        goods[s] += take * price[a]
        scored += take * wprice[a]
        need -= take
        if need == 0:
            break
    return need, scored


def _assign(inst: Instance, open_: list[bool]) -> Solution:
    """Each line takes its cheapest open offers in one pass over the arcs sorted once.

    A line stops at the first open offers that cover it, so the pass reads about as many arcs
    as the plan uses, not all of them (a vectorised pass over all arcs was slower).
    """
    units = [0] * len(inst.arc_line)
    goods = [0.0] * len(inst.sup_ids)
    rem = list(inst.off_stock)
    short = 0
    scored = 0.0
    by_line: list[list[int]] = []
    single: list[int] = []
    for need, arcs in zip(inst.target, inst.line_arcs, strict=True):
        used: list[int] = []
        by_line.append(used)
        if need == 0:
            single.append(NO_ARC)
            continue
        need, scored = _fill(inst, arcs, need, open_, units, rem, goods, used, scored)
        short += need
        single.append(used[0] if len(used) == 1 else SEVERAL if used else NO_ARC)
    return Solution(units, goods, list(open_), short, 0.0, 0, rem, scored, by_line, single)


def _finish(inst: Instance, sol: Solution) -> Solution:
    """Set the cost and supplier count from the scored goods and the goods per supplier."""
    cost = sol.scored
    used = 0
    weight, ship, threshold = inst.weight, inst.ship, inst.threshold
    for s, g in enumerate(sol.goods):
        if g > _EPS:
            used += 1
            thr = threshold[s]
            if thr is None or g < thr - _EPS:
                cost += weight[s] * ship[s]
    sol.cost = cost
    sol.used = used
    return sol


@dataclass(slots=True)
class _Pulled:
    """What a pull changed, so that it can be taken back (goods and score as they were)."""

    moves: list[tuple[int, int, int]]  # (from arc, to arc, units)
    added: list[int]  # arcs appended to ``by_line``
    goods: list[float]
    scored: float
    cost: float
    used: int


def _pull(
    inst: Instance, sol: Solution, s: int, target: float, arrays: Arrays | None = None
) -> _Pulled | None:
    """Move units from other suppliers to ``s`` until its goods reach ``target``, in place.

    Cheapest moves (extra scored cost per unit of value gained) first; a donor is never left
    below its minimum order value. Only the arcs of ``s`` and the used arcs of their lines are
    looked at, never the whole plan. Returns what changed (see ``_undo``), or None with ``sol``
    unchanged when the target is missed.
    """
    units, goods, rem = sol.units, sol.goods, sol.rem
    by_line = sol.used_arcs(inst)
    arc_line, arc_sup, arc_off = inst.arc_line, inst.arc_sup, inst.arc_off
    price, wprice, mov = inst.arc_price, inst.arc_wprice, inst.mov
    moves = _pull_moves(inst, sol, s, arrays)
    undo = _Pulled([], [], list(goods), sol.scored, sol.cost, sol.used)
    no_split = inst.constraints.no_split
    for a, b in moves:
        if goods[s] >= target - _EPS:
            break
        q = units[a]
        if q == 0:
            continue
        kb = arc_off[b]
        if no_split:
            if units[b] or rem[kb] < q:
                continue
            t = q
        else:
            t = min(q, rem[kb], math.ceil((target - goods[s]) / price[b] - 1e-9))
            if t <= 0:
                continue
        donor = arc_sup[a]
        left = goods[donor] - t * price[a]
        if left > _EPS and left < mov[donor] - _EPS:
            if no_split:
                continue
            # Move the whole remaining line rather than strand the donor below its minimum.
            t = min(q, rem[kb])
            left = goods[donor] - t * price[a]
            if left > _EPS and left < mov[donor] - _EPS:
                continue
        if not units[b]:
            line = by_line[arc_line[b]]
            if b not in line:
                line.append(b)
                undo.added.append(b)
        units[a] -= t
        units[b] += t
        rem[arc_off[a]] += t
        rem[kb] -= t
        goods[donor] = max(0.0, left)
        goods[s] += t * price[b]
        sol.scored += t * (wprice[b] - wprice[a])
        undo.moves.append((a, b, t))
        _remark(inst, sol, b)
    if goods[s] < target - _EPS:
        _undo(inst, sol, undo)
        return None
    _finish(inst, sol)
    return undo


def _pull_moves(
    inst: Instance, sol: Solution, s: int, arrays: Arrays | None
) -> list[tuple[int, int]]:
    """Moves (from arc, to arc) towards ``s``, cheapest scored cost per unit of value first."""
    by_line, units, arc_sup = sol.used_arcs(inst), sol.units, inst.arc_sup
    if arrays is not None:
        if not sol.single:
            sol.single = [mark(arcs, units) for arcs in by_line]
        if sol.single_array is None:
            sol.single_array = arrays.ints(sol.single)
        return arrays.pull_moves(s, sol.single_array, by_line, units, arc_sup)
    arc_line, price, wprice = inst.arc_line, inst.arc_price, inst.arc_wprice
    moves: list[tuple[float, int, int]] = []
    for b in inst.sup_arcs[s]:
        pb, wb = price[b], wprice[b]
        if pb <= 0:
            continue  # a free offer adds no goods value: it cannot lift s towards a target
        for a in by_line[arc_line[b]]:
            if units[a] and arc_sup[a] != s:
                moves.append(((wb - wprice[a]) / pb, a, b))
    moves.sort()
    return [(a, b) for _, a, b in moves]


def _remark(inst: Instance, sol: Solution, b: int) -> None:
    """Refresh the ``single`` mark of the line of arc ``b`` after a move."""
    if sol.single:
        i = inst.arc_line[b]
        sol.single[i] = mark(sol.by_line[i], sol.units)
        if sol.single_array is not None:
            sol.single_array[i] = sol.single[i]


def _undo(inst: Instance, sol: Solution, pulled: _Pulled) -> None:
    """Take back a pull: units, stock and the lists of used arcs as they were."""
    units, rem, arc_off = sol.units, sol.rem, inst.arc_off
    for a, b, t in reversed(pulled.moves):
        units[a] += t
        units[b] -= t
        rem[arc_off[a]] -= t
        rem[arc_off[b]] += t
    by_line = sol.used_arcs(inst)
    for b in pulled.added:
        by_line[inst.arc_line[b]].remove(b)
    for _, b, _ in pulled.moves:
        _remark(inst, sol, b)
    sol.goods[:] = pulled.goods
    sol.scored, sol.cost, sol.used = pulled.scored, pulled.cost, pulled.used


def _below_minimum(inst: Instance, goods: list[float]) -> list[int]:
    mov = inst.mov
    return [s for s, g in enumerate(goods) if g > _EPS and g < mov[s] - _EPS]


class Assigner:
    """Assignments for a sequence of open supplier sets, each derived from the one before.

    Only the lines that a change of open suppliers can alter are assigned again: those a
    closed supplier supplied, and those where an opened supplier's offer comes before the
    offer the line stopped at (or that were short). That holds when every offer serves one
    line; where lines share an offer's stock, every assignment is a full pass.
    """

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.last: Solution | None = None  # the latest assignment, before any repair
        self.derived = max(map(len, inst.off_arcs), default=0) <= 1

    def __call__(self, open_: list[bool]) -> Solution:
        last = self.last
        sol = _assign(self.inst, open_) if last is None else _reassign(self.inst, last, open_)
        if self.derived:
            self.last = Solution(
                list(sol.units),
                list(sol.goods),
                list(sol.open),
                sol.short,
                0.0,
                0,
                list(sol.rem),
                sol.scored,
                [list(arcs) for arcs in sol.by_line],
                list(sol.single),
            )
        return sol


def _reassign(inst: Instance, last: Solution, open_: list[bool]) -> Solution:
    """``_assign`` for ``open_``, redoing only the lines that ``last`` may have differently."""
    arc_line, arc_sup, arc_off = inst.arc_line, inst.arc_sup, inst.arc_off
    price, wprice, cap, target = inst.arc_price, inst.arc_wprice, inst.arc_cap, inst.target
    units, rem, goods = list(last.units), list(last.rem), list(last.goods)
    by_line, single = list(last.by_line), list(last.single)
    lines: set[int] = set()
    for s, (was, now) in enumerate(zip(last.open, open_, strict=True)):
        if was == now:
            continue
        if was:  # closed: the lines it supplied
            lines.update(arc_line[a] for a in inst.sup_arcs[s] if units[a])
            continue
        for b in inst.sup_arcs[s]:  # opened: lines that reach its offer
            i = arc_line[b]
            bought = by_line[i]
            if not bought or sum(units[a] for a in bought) < target[i]:
                lines.add(i)
                continue
            stop = bought[-1]  # each line's arcs are sorted by (scored price, -capacity, arc)
            if (wprice[b], -cap[b], b) < (wprice[stop], -cap[stop], stop):
                lines.add(i)
    scored, short = last.scored, last.short
    for i in sorted(lines):
        need = target[i]
        for a in by_line[i]:
            q = units[a]
            units[a] = 0
            rem[arc_off[a]] += q
            goods[arc_sup[a]] -= q * price[a]
            scored -= q * wprice[a]
            need -= q
        short -= need  # the line's shortfall in ``last``
        used: list[int] = []
        need, scored = _fill(
            inst, inst.line_arcs[i], target[i], open_, units, rem, goods, used, scored
        )
        short += need
        by_line[i] = used
        single[i] = used[0] if len(used) == 1 else SEVERAL if used else NO_ARC
    # Suppliers left without goods are exactly empty (no rounding residue from the updates).
    for s, now in enumerate(open_):
        if not now or abs(goods[s]) < 1e-9:
            goods[s] = 0.0
    return Solution(units, goods, list(open_), short, 0.0, 0, rem, scored, by_line, single)


def evaluate(
    inst: Instance,
    open_: list[bool],
    *,
    polish: bool = True,
    arrays: Arrays | None = None,
    assign: Assigner | None = None,
) -> Solution:
    """Assign lines to the open suppliers and repair minimum order values (and shipping).

    ``arrays`` (from ``arrays_for``) vectorises the pulls; ``assign`` derives the assignment
    from the previous one. Both only save time.
    """
    open_ = list(open_)
    while True:
        sol = _finish(inst, _assign(inst, open_) if assign is None else assign(open_))
        below = _below_minimum(inst, sol.goods)
        if not below:
            break
        repaired = True
        for s in below:
            pulled = _pull(inst, sol, s, inst.mov[s], arrays) if polish else None
            if pulled is None or _below_minimum(inst, sol.goods):
                open_[s] = False
                repaired = False
                break
        if repaired:
            break
    if polish:
        # Pull goods to suppliers that pay shipping when reaching the threshold is cheaper.
        for s in range(len(sol.goods)):
            g, thr = sol.goods[s], inst.threshold[s]
            if g > _EPS and thr is not None and g < thr - _EPS and inst.ship[s] > 0:
                before = _key(inst, sol)
                pulled = _pull(inst, sol, s, thr, arrays)
                if pulled is not None and not _key(inst, sol) < before:
                    _undo(inst, sol, pulled)
    sol.open = [o and g > _EPS for o, g in zip(open_, sol.goods, strict=True)]
    return sol


def arrays_for(inst: Instance) -> Arrays | None:
    """numpy forms of ``inst`` for ``evaluate``, or None where numpy is not installed."""
    try:
        from quote2order.optimize._heuristic_arrays import Arrays
    except ImportError:  # numpy comes with the optimize extra; plain Python does the same
        return None
    return Arrays(inst)


def cheapest_per_line(inst: Instance) -> Solution:
    """Every line at its cheapest offers; suppliers below their minimum are dropped.

    Over the supplier limit, the suppliers with the least goods are dropped first.
    """
    return _within_limit(inst, evaluate(inst, [True] * len(inst.sup_ids), polish=False))


def _within_limit(inst: Instance, sol: Solution) -> Solution:
    """Close the suppliers with the least goods until the supplier limit holds."""
    limit = inst.constraints.max_suppliers
    while limit is not None and sol.used > limit:
        used = sorted((g, s) for s, g in enumerate(sol.goods) if g > _EPS)
        trial = list(sol.open)
        for _, s in used[: sol.used - limit]:
            trial[s] = False
        sol = evaluate(inst, trial, polish=False)
    return sol


def _supplier_arcs(inst: Instance, sol: Solution) -> list[list[int]]:
    """Arcs with units per supplier, from the used arcs per line (not from all arcs)."""
    per: list[list[int]] = [[] for _ in inst.sup_ids]
    units, arc_sup = sol.units, inst.arc_sup
    for arcs in sol.used_arcs(inst):
        for a in arcs:
            if units[a]:
                per[arc_sup[a]].append(a)
    return per


def _dearest(inst: Instance, sol: Solution) -> list[float]:
    """The dearest scored unit price bought per line (0.0: nothing bought)."""
    units, wprice = sol.units, inst.arc_wprice
    return [max((wprice[a] for a in arcs if units[a]), default=0.0) for arcs in sol.used_arcs(inst)]


def _drop_estimate(
    inst: Instance,
    sol: Solution,
    s: int,
    used_by: list[list[int]],
    open_: list[bool],
    alts: dict[int, int] | None = None,
) -> float:
    """Rough change in cost when ``s`` closes: next open offer per line, saved shipping.

    ``alts`` receives the next open arc found for each arc of ``s`` (see ``_swap_estimates``).
    """
    delta = -inst.weight[s] * inst.shipping(s, sol.goods[s])
    units, line_arcs, arc_line, arc_sup, wprice = (
        sol.units,
        inst.line_arcs,
        inst.arc_line,
        inst.arc_sup,
        inst.arc_wprice,
    )
    for a in used_by[s]:
        for b in line_arcs[arc_line[a]]:
            if b != a and open_[arc_sup[b]]:
                delta += units[a] * (wprice[b] - wprice[a])
                if alts is not None:
                    alts[a] = b
                break
        else:
            return math.inf
    return delta


def _swap_estimates(
    inst: Instance,
    sol: Solution,
    t: int,
    used_by: list[list[int]],
    estimates: dict[int, float],
    alts: dict[int, int],
) -> list[tuple[float, int]]:
    """Drop estimates of the open suppliers once ``t`` opens too, sorted.

    Only a supplier with a line where an arc of ``t`` comes before the next open arc gets a
    new estimate; the others keep theirs (``estimates`` and ``alts`` from ``_drop_estimate``).
    """
    arc_line, arc_sup, wprice, cap = inst.arc_line, inst.arc_sup, inst.arc_wprice, inst.arc_cap
    by_line, units = sol.used_arcs(inst), sol.units
    touched: set[int] = set()
    for b in inst.sup_arcs[t]:
        for a in by_line[arc_line[b]]:
            if units[a] and arc_sup[a] not in touched:
                alt = alts.get(a)
                # Each line's arcs are sorted by (scored price, -capacity, arc).
                if alt is None or (wprice[b], -cap[b], b) < (wprice[alt], -cap[alt], alt):
                    touched.add(arc_sup[a])
    with_t = list(sol.open)
    with_t[t] = True
    return sorted(
        (_drop_estimate(inst, sol, s, used_by, with_t) if s in touched else est, s)
        for s, est in estimates.items()
    )


def _add_estimate(inst: Instance, s: int, dearest: list[float]) -> float:
    """Rough change in cost when ``s`` opens: lines that get cheaper, plus its shipping."""
    gain = 0.0
    value = 0.0
    arc_line, wprice, price, cap, target = (
        inst.arc_line,
        inst.arc_wprice,
        inst.arc_price,
        inst.arc_cap,
        inst.target,
    )
    for b in inst.sup_arcs[s]:
        i = arc_line[b]
        current = dearest[i]
        if wprice[b] < current:
            q = min(cap[b], target[i])
            gain += q * (current - wprice[b])
            value += q * price[b]
    if value < inst.mov[s]:
        return math.inf
    return inst.weight[s] * inst.shipping(s, value) - gain


def relocate(
    inst: Instance, sol: Solution, max_passes: int = 20, deadline: float | None = None
) -> Solution:
    """Move units of single lines between used suppliers while that lowers the cost.

    A move takes ``t`` units of a line from one used supplier to another (all of them, or just
    enough to lift the receiver to its free-shipping threshold); the donor keeps its minimum
    order value or is emptied. Its cost change is computed from the two suppliers alone, so a
    pair (arc with units, receiver) is costed again only when one of its two suppliers changed
    since its line was last examined. Each pass walks the used arcs only, and the receivers of a
    line in price order up to the price difference that the largest shipping saving could pay
    for. At most ``max_passes`` passes, and none starts after ``deadline`` (a
    ``time.perf_counter`` value).
    """
    units = list(sol.units)
    goods = list(sol.goods)
    rem = list(sol.rem)
    by_line = [list(arcs) for arcs in sol.used_arcs(inst)]
    scored = sol.scored
    open_ = list(sol.open)
    arc_sup, arc_off, price, wprice = inst.arc_sup, inst.arc_off, inst.arc_price, inst.arc_wprice
    mov, threshold = inst.mov, inst.threshold
    fee = [w * c for w, c in zip(inst.weight, inst.ship, strict=True)]
    no_split = inst.constraints.no_split
    # A receiver must already be used, and relocating never opens a supplier: the receivers
    # of each line are filtered once.
    live = [g > _EPS for g in goods]
    receivers = [[b for b in arcs if live[arc_sup[b]]] for arcs in inst.line_arcs]

    def ship(s: int, g: float) -> float:
        if g <= 1e-9:
            return 0.0
        thr = threshold[s]
        if thr is not None and g >= thr - 1e-7:
            return 0.0
        return fee[s]

    def most_saved() -> float:
        """The most shipping a receiver can save: the dearest used one below its threshold."""
        return max(
            (
                fee[r]
                for r, g in enumerate(goods)
                if g > _EPS and threshold[r] is not None and ship(r, g) > 0
            ),
            default=0.0,
        )

    saved = most_saved()
    changed = [0] * len(goods)  # moves made when the supplier's goods last changed
    seen = [-1] * len(by_line)  # moves made when the line was last examined
    made = 0
    for _ in range(max_passes):
        if deadline is not None and time.perf_counter() > deadline:
            break
        improved = False
        for i, arcs in enumerate(receivers):
            if len(arcs) < 2:  # the line's own supplier is among its receivers
                continue
            since, seen[i] = seen[i], made
            line_used = by_line[i]
            for a in list(line_used):
                q = units[a]
                if not q:
                    continue
                s = arc_sup[a]
                fresh = changed[s] > since
                gs = goods[s]
                base_s = ship(s, gs)
                # Moving out of s saves at most its shipping, into r at most r's.
                dearest = wprice[a] + base_s + saved + 1e-7
                best_delta = -1e-7
                best_move: tuple[int, int, float] | None = None
                for b in arcs:
                    if wprice[b] > dearest:
                        break  # sorted by scored price: no later receiver can pay off
                    r = arc_sup[b]
                    if r == s or goods[r] <= _EPS or not (fresh or changed[r] > since):
                        continue  # unchanged since costed (and found no better) last time
                    cap = rem[arc_off[b]]
                    if no_split:
                        if units[b] or cap < q:
                            continue
                        options: tuple[int, ...] = (q,)
                    else:
                        most = min(q, cap)
                        if most <= 0:
                            continue
                        options = (most,)
                        thr = threshold[r]
                        if thr is not None and goods[r] < thr - _EPS and price[b] > 0:
                            need = math.ceil((thr - goods[r]) / price[b] - 1e-9)
                            if 0 < need < most:
                                options = (most, need)
                    gr = goods[r]
                    base_r = ship(r, gr)
                    for t in options:
                        left = gs - t * price[a]
                        if left <= _EPS:
                            left = 0.0
                        elif left < mov[s] - _EPS:
                            continue
                        gained = gr + t * price[b]
                        delta = (
                            t * (wprice[b] - wprice[a])
                            + ship(s, left)
                            - base_s
                            + ship(r, gained)
                            - base_r
                        )
                        if delta < best_delta:
                            best_delta, best_move = delta, (b, t, left)
                if best_move is not None:
                    b, t, left = best_move
                    r = arc_sup[b]
                    if not units[b] and b not in line_used:
                        line_used.append(b)
                    units[a] -= t
                    units[b] += t
                    rem[arc_off[a]] += t
                    rem[arc_off[b]] -= t
                    goods[s] = left
                    goods[r] += t * price[b]
                    scored += t * (wprice[b] - wprice[a])
                    if left == 0.0:
                        open_[s] = False
                    made += 1
                    changed[s] = changed[r] = made
                    saved = most_saved()
                    improved = True
        if not improved:
            break
    moved = Solution(units, goods, open_, sol.short, 0.0, 0, rem, scored, by_line)
    return _finish(inst, moved)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a search.

    The search makes no reference cycles, but it allocates many short lists; with a large cart
    in memory every collection walks all its objects, which cost a quarter of the search time.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def local_search(
    inst: Instance,
    time_limit: float | None = None,
    max_rounds: int | None = None,
    initial: list[bool] | None = None,
    tries: int = 3,
) -> Solution:
    """Shipping-aware construction (greedy supplier drops) plus drop/add/swap improvement.

    The search starts with every supplier open, or with the ``initial`` open suppliers. Each
    round tries the ``tries`` most promising drops, then adds and swaps (estimated from the
    used arcs alone, costed by a full assignment), and keeps the first that improves. It is
    bounded by a move budget, ``max_rounds`` (default: twice the suppliers plus 10), and by
    ``time_limit`` seconds: no round and no relocation pass starts after it, and the plan
    found so far is returned.
    """
    with _collector_paused():
        return _search(inst, time_limit, max_rounds, initial, tries)


def _search(
    inst: Instance,
    time_limit: float | None,
    max_rounds: int | None,
    initial: list[bool] | None,
    tries: int,
) -> Solution:
    start = time.perf_counter()
    deadline = None if time_limit is None else start + time_limit
    n = len(inst.sup_ids)
    arrays = arrays_for(inst)
    assign = Assigner(inst)
    best = evaluate(inst, [True] * n if initial is None else initial, arrays=arrays, assign=assign)
    limit = inst.constraints.max_suppliers
    rounds = 2 * n + 10 if max_rounds is None else max_rounds

    def better(cand: Solution, cur: Solution) -> bool:
        if limit is not None and cand.used > limit:
            return cand.used < cur.used
        if limit is not None and cur.used > limit:
            return True
        new, old = _key(inst, cand), _key(inst, cur)
        if new[:2] != old[:2]:
            return new < old
        # Derived assignments carry rounding noise: an equal plan is no improvement.
        return new[2] < old[2] - 1e-9 * max(1.0, abs(old[2]))

    for _ in range(rounds):
        if deadline is not None and time.perf_counter() > deadline:
            break
        improved = False
        used_by = _supplier_arcs(inst, best)
        # Drops, most promising first; forced while over the supplier limit.
        alts: dict[int, int] = {}
        by_supplier = {
            s: _drop_estimate(inst, best, s, used_by, best.open, alts)
            for s in range(n)
            if best.open[s]
        }
        estimates = sorted((est, s) for s, est in by_supplier.items())
        over = limit is not None and best.used > limit
        for est, s in estimates[:tries]:
            if est > 0 and not inst.fewest and not over:
                break
            trial = list(best.open)
            trial[s] = False
            cand = evaluate(inst, trial, arrays=arrays, assign=assign)
            if better(cand, best):
                best, improved = cand, True
                break
        if improved:
            continue
        # Adds and swaps.
        dearest = _dearest(inst, best)
        closed = [s for s in range(n) if not best.open[s]]
        adds = sorted((_add_estimate(inst, s, dearest), s) for s in closed)
        can_add = limit is None or best.used < limit
        for est, t in adds[:tries]:
            if est == math.inf:
                break
            if can_add and not inst.fewest:
                trial = list(best.open)
                trial[t] = True
                cand = evaluate(inst, trial, arrays=arrays, assign=assign)
                if better(cand, best):
                    best, improved = cand, True
                    break
            # Swap: open t and close the open supplier it relieves most.
            drops = _swap_estimates(inst, best, t, used_by, by_supplier, alts)
            for _, s in drops[:2]:
                trial = list(best.open)
                trial[t] = True
                trial[s] = False
                cand = evaluate(inst, trial, arrays=arrays, assign=assign)
                if better(cand, best):
                    best, improved = cand, True
                    break
            if improved:
                break
        if not improved:
            break
    if limit is not None and best.used > limit:
        best = _within_limit(inst, best)  # stopped by the time limit while still over it
    return relocate(inst, best, deadline=deadline)
