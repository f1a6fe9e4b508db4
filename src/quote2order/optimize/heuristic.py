"""Pure-Python procurement heuristics: cheapest-per-line and a shipping-aware local search.

Both work on the set of *open* suppliers: given that set, every line takes its cheapest open
offers (by the strategy's scored price) up to their stock, then suppliers below their minimum
order value are topped up by pulling units from other suppliers or closed, and suppliers just
short of free shipping pull units when that costs less than the shipping. The local search then
drops, adds and swaps suppliers while the lexicographic score (uncovered units, suppliers for
``fewest-sources``, cost) improves, and finally relocates units of single lines between the
used suppliers while that lowers the cost (costed incrementally from the two suppliers).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from quote2order.optimize.instance import Instance

_EPS = 1e-7


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


def _assign(inst: Instance, open_: list[bool]) -> Solution:
    n_arcs = len(inst.arc_line)
    units = [0] * n_arcs
    goods = [0.0] * len(inst.sup_ids)
    rem = list(inst.off_stock)
    short = 0
    scored = 0.0
    by_line: list[list[int]] = [[] for _ in inst.line_arcs]
    arc_sup, arc_off, price, wprice = inst.arc_sup, inst.arc_off, inst.arc_price, inst.arc_wprice
    for i, arcs in enumerate(inst.line_arcs):
        need = inst.target[i]
        if need == 0:
            continue
        used = by_line[i]
        for a in arcs:
            s = arc_sup[a]
            if not open_[s]:
                continue
            k = arc_off[a]
            if inst.constraints.no_split:
                if rem[k] < need:
                    continue
                take = need
            else:
                take = min(need, rem[k])
                if take <= 0:
                    continue
            units[a] = take
            used.append(a)
            rem[k] -= take
            goods[s] += take * price[a]
            scored += take * wprice[a]
            need -= take
            if need == 0:
                break
        short += need
    return Solution(units, goods, list(open_), short, 0.0, 0, rem, scored, by_line)


def _finish(inst: Instance, sol: Solution) -> Solution:
    cost = sol.scored
    used = 0
    for s, g in enumerate(sol.goods):
        if g > _EPS:
            used += 1
            cost += inst.weight[s] * inst.shipping(s, g)
    sol.cost = cost
    sol.used = used
    return sol


def _pull(inst: Instance, sol: Solution, s: int, target: float) -> Solution | None:
    """Move units from other suppliers to ``s`` until its goods reach ``target``.

    Cheapest moves (extra scored cost per unit of value gained) first; a donor is never left
    below its minimum order value. Returns a new solution or None when the target is missed.
    """
    units = list(sol.units)
    goods = list(sol.goods)
    rem = list(sol.rem)
    scored = sol.scored
    by_line = sol.used_arcs(inst)
    moves: list[tuple[float, int, int]] = []
    for b in inst.sup_arcs[s]:
        i = inst.arc_line[b]
        for a in by_line[i]:
            if units[a] and inst.arc_sup[a] != s:
                moves.append(((inst.arc_wprice[b] - inst.arc_wprice[a]) / inst.arc_price[b], a, b))
    changed: dict[int, list[int]] = {}
    moves.sort()
    no_split = inst.constraints.no_split
    for _, a, b in moves:
        if goods[s] >= target - _EPS:
            break
        q = units[a]
        if q == 0:
            continue
        kb = inst.arc_off[b]
        if no_split:
            if units[b] or rem[kb] < q:
                continue
            t = q
        else:
            t = min(q, rem[kb], math.ceil((target - goods[s]) / inst.arc_price[b] - 1e-9))
            if t <= 0:
                continue
        donor = inst.arc_sup[a]
        left = goods[donor] - t * inst.arc_price[a]
        if left > _EPS and left < inst.mov[donor] - _EPS:
            if no_split:
                continue
            # Move the whole remaining line rather than strand the donor below its minimum.
            t = min(q, rem[kb])
            left = goods[donor] - t * inst.arc_price[a]
            if left > _EPS and left < inst.mov[donor] - _EPS:
                continue
        if not units[b]:
            i = inst.arc_line[b]
            changed.setdefault(i, list(by_line[i])).append(b)
        units[a] -= t
        units[b] += t
        rem[inst.arc_off[a]] += t
        rem[kb] -= t
        goods[donor] = max(0.0, left)
        goods[s] += t * inst.arc_price[b]
        scored += t * (inst.arc_wprice[b] - inst.arc_wprice[a])
    if goods[s] < target - _EPS:
        return None
    if changed:
        by_line = list(by_line)
        for i, arcs in changed.items():
            by_line[i] = arcs
    pulled = Solution(units, goods, list(sol.open), sol.short, 0.0, 0, rem, scored, by_line)
    return _finish(inst, pulled)


def evaluate(inst: Instance, open_: list[bool], *, polish: bool = True) -> Solution:
    """Assign lines to the open suppliers and repair minimum order values (and shipping)."""
    open_ = list(open_)
    while True:
        sol = _finish(inst, _assign(inst, open_))
        below = [s for s, g in enumerate(sol.goods) if g > _EPS and g < inst.mov[s] - _EPS]
        if not below:
            break
        repaired = True
        for s in below:
            pulled = _pull(inst, sol, s, inst.mov[s]) if polish else None
            if pulled is None or any(
                _EPS < g < inst.mov[t] - _EPS for t, g in enumerate(pulled.goods)
            ):
                open_[s] = False
                repaired = False
                break
            sol = pulled
        if repaired:
            break
    if polish:
        # Pull goods to suppliers that pay shipping when reaching the threshold is cheaper.
        for s, g in enumerate(sol.goods):
            thr = inst.threshold[s]
            if g > _EPS and thr is not None and g < thr - _EPS and inst.ship[s] > 0:
                pulled = _pull(inst, sol, s, thr)
                if pulled is not None and _key(inst, pulled) < _key(inst, sol):
                    sol = pulled
    sol.open = [o and g > _EPS for o, g in zip(open_, sol.goods, strict=True)]
    return sol


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


def _drop_estimate(inst: Instance, sol: Solution, s: int) -> float:
    """Rough change in cost when ``s`` closes: next open offer per line, saved shipping."""
    delta = -inst.weight[s] * inst.shipping(s, sol.goods[s])
    for a in inst.sup_arcs[s]:
        q = sol.units[a]
        if not q:
            continue
        alt = None
        for b in inst.line_arcs[inst.arc_line[a]]:
            if b != a and sol.open[inst.arc_sup[b]]:
                alt = b
                break
        if alt is None:
            return math.inf
        delta += q * (inst.arc_wprice[alt] - inst.arc_wprice[a])
    return delta


def _add_estimate(inst: Instance, sol: Solution, s: int) -> float:
    """Rough change in cost when ``s`` opens: lines that get cheaper, plus its shipping."""
    gain = 0.0
    value = 0.0
    by_line = sol.used_arcs(inst)
    for b in inst.sup_arcs[s]:
        i = inst.arc_line[b]
        current = 0.0
        for a in by_line[i]:
            if sol.units[a]:
                current = max(current, inst.arc_wprice[a])
        if current == 0.0 and inst.target[i]:
            continue
        if inst.arc_wprice[b] < current:
            q = min(inst.arc_cap[b], inst.target[i])
            gain += q * (current - inst.arc_wprice[b])
            value += q * inst.arc_price[b]
    if value < inst.mov[s]:
        return math.inf
    return inst.weight[s] * inst.shipping(s, value) - gain


def relocate(inst: Instance, sol: Solution, max_passes: int = 20) -> Solution:
    """Move units of single lines between used suppliers while that lowers the cost.

    A move takes ``t`` units of a line from one used supplier to another (all of them, or just
    enough to lift the receiver to its free-shipping threshold); the donor keeps its minimum
    order value or is emptied. Its cost change is computed from the two suppliers alone.
    """
    units = list(sol.units)
    goods = list(sol.goods)
    rem = list(sol.rem)
    scored = sol.scored
    open_ = list(sol.open)
    arc_sup, arc_off, price, wprice = inst.arc_sup, inst.arc_off, inst.arc_price, inst.arc_wprice
    weight, mov, threshold = inst.weight, inst.mov, inst.threshold
    no_split = inst.constraints.no_split

    def ship(s: int, g: float) -> float:
        return weight[s] * inst.shipping(s, g)

    for _ in range(max_passes):
        improved = False
        for arcs in inst.line_arcs:
            if len(arcs) < 2:
                continue
            for a in arcs:
                q = units[a]
                if not q:
                    continue
                s = arc_sup[a]
                gs = goods[s]
                base_s = ship(s, gs)
                best_delta = -1e-7
                best_move: tuple[int, int, float] | None = None
                for b in arcs:
                    r = arc_sup[b]
                    if r == s or goods[r] <= _EPS:
                        continue
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
                        if thr is not None and goods[r] < thr - _EPS:
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
                    units[a] -= t
                    units[b] += t
                    rem[arc_off[a]] += t
                    rem[arc_off[b]] -= t
                    goods[s] = left
                    goods[r] += t * price[b]
                    scored += t * (wprice[b] - wprice[a])
                    if left == 0.0:
                        open_[s] = False
                    improved = True
        if not improved:
            break
    return _finish(inst, Solution(units, goods, open_, sol.short, 0.0, 0, rem, scored))


def local_search(
    inst: Instance,
    time_limit: float | None = None,
    max_rounds: int = 10_000,
    initial: list[bool] | None = None,
    tries: int = 3,
) -> Solution:
    """Shipping-aware construction (greedy supplier drops) plus drop/add/swap improvement.

    The search starts with every supplier open, or with the ``initial`` open suppliers.
    """
    start = time.perf_counter()
    deadline = None if time_limit is None else start + time_limit
    n = len(inst.sup_ids)
    best = evaluate(inst, [True] * n if initial is None else initial)
    limit = inst.constraints.max_suppliers

    def better(cand: Solution, cur: Solution) -> bool:
        if limit is not None and cand.used > limit:
            return cand.used < cur.used
        if limit is not None and cur.used > limit:
            return True
        return _key(inst, cand) < _key(inst, cur)

    for _ in range(max_rounds):
        if deadline is not None and time.perf_counter() > deadline:
            break
        improved = False
        # Drops, most promising first; forced while over the supplier limit.
        opened = [s for s in range(n) if best.open[s]]
        estimates = sorted((_drop_estimate(inst, best, s), s) for s in opened)
        over = limit is not None and best.used > limit
        for est, s in estimates[:tries]:
            if est > 0 and not inst.fewest and not over:
                break
            trial = list(best.open)
            trial[s] = False
            cand = evaluate(inst, trial)
            if better(cand, best):
                best, improved = cand, True
                break
        if improved:
            continue
        # Adds and swaps.
        closed = [s for s in range(n) if not best.open[s]]
        adds = sorted((_add_estimate(inst, best, s), s) for s in closed)
        can_add = limit is None or best.used < limit
        for est, t in adds[:tries]:
            if est == math.inf:
                break
            if can_add and not inst.fewest:
                trial = list(best.open)
                trial[t] = True
                cand = evaluate(inst, trial)
                if better(cand, best):
                    best, improved = cand, True
                    break
            # Swap: open t and close the open supplier it relieves most.
            drops = sorted(
                (_drop_estimate(inst, _with_open(best, t), s), s) for s in range(n) if best.open[s]
            )
            for _, s in drops[:2]:
                trial = list(best.open)
                trial[t] = True
                trial[s] = False
                cand = evaluate(inst, trial)
                if better(cand, best):
                    best, improved = cand, True
                    break
            if improved:
                break
        if not improved:
            break
    if limit is not None and best.used > limit:
        best = _within_limit(inst, best)  # stopped by the time limit while still over it
    return relocate(inst, best)


def _with_open(sol: Solution, t: int) -> Solution:
    open_ = list(sol.open)
    open_[t] = True
    return Solution(
        sol.units, sol.goods, open_, sol.short, sol.cost, sol.used, sol.rem, sol.scored, sol.by_line
    )
