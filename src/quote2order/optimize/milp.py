"""The exact path: a mixed-integer model of the procurement problem solved with HiGHS.

This is the only module that imports ``highspy``, and only inside :func:`solve`, so the
optimizer works (heuristically) where HiGHS is not installed.

Variables: units ``x[a]`` per arc (line, offer), ``y[s]`` supplier used, ``f[s]`` shipping paid,
``u[i]`` units left uncovered (only when the constraints may force it). The ``strong``
formulation bounds every arc by its own capacity (``x[a] <= cap[a] * y[s]``), models shipping
only where it can matter (never paid when the threshold is at or below the minimum order value,
always paid when the supplier cannot reach the threshold), fixes suppliers that some line cannot
do without and starts from the heuristic plan. The ``plain`` formulation has one big-M row per
supplier and none of those steps; it exists for the benchmark comparison.

Objectives are lexicographic: uncovered units, then (``fewest-sources``) suppliers used, then
the scored cost; each stage is solved to optimality and then fixed by a constraint.

Before each stage's branch and bound the strong path solves the LP relaxation (no presolve,
dual simplex; milliseconds). If its bound is within half a step of the objective grid of the
start plan, the start plan is optimal and no MIP is solved; otherwise every column is bounded
by reduced-cost fixing against the start plan (see :func:`_fix_by_reduced_cost`), and for the
cost stage the local search is rerun from the suppliers the LP uses, which often gives a better
start. ``numpy`` (a dependency of ``highspy``) is used only here, inside :func:`solve`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from quote2order.optimize.heuristic import Solution
from quote2order.optimize.instance import Instance, objective_grid

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

Formulation = Literal["strong", "plain"]


@dataclass(slots=True)
class MilpResult:
    """Units per arc, the proven lower bound of the last stage, and whether it is optimal.

    ``units`` is None when the time ran out before any plan that keeps every row was found.
    """

    units: dict[int, int] | None
    bound: float | None
    proven: bool


def available() -> bool:
    """Whether HiGHS can be imported."""
    return importlib.util.find_spec("highspy") is not None


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    # HiGHS prints a banner to the C-level stdout when constructed; keep it out of the output
    # (the command's --json mode must print JSON only).
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def solve(
    inst: Instance,
    start: Solution | None,
    *,
    formulation: Formulation = "strong",
    time_limit: float | None = None,
    needs_shortfall: bool = True,
    reduce: bool = True,
    warm: bool | None = None,
    guess: bool = True,
    stats: dict[str, float] | None = None,
) -> MilpResult:
    """Solve the instance to proven optimality (or until ``time_limit`` seconds pass).

    ``reduce``: LP proof and reduced-cost fixing (see the module docstring); ``warm``: hand the
    start plan to HiGHS (None: only when reduced-cost fixing did not narrow the model); ``guess``: first search the box of a guessed cutoff (see
    :func:`_guess`). ``stats``, when given, receives figures of the cost stage's LP for the
    benchmark (``lp_gap``: start plan over LP bound, relative; ``fixed``: share of the integer
    columns whose range the fixing narrowed).
    """
    if not inst.arc_line:
        return MilpResult(units={}, bound=0.0, proven=True)  # nothing can be bought
    import highspy
    import numpy as np

    began = time.perf_counter()
    strong = formulation == "strong"
    n_arcs, n_sup, n_lines = len(inst.arc_line), len(inst.sup_ids), len(inst.target)
    no_split = inst.constraints.no_split
    mult = [inst.target[inst.arc_line[a]] if no_split else 1 for a in range(n_arcs)]
    ub = [1 if no_split else inst.arc_cap[a] for a in range(n_arcs)]

    lower: list[float] = []
    upper: list[float] = []
    cost: list[float] = []
    integer: list[int] = []

    def column(lo: float, hi: float, c: float, is_int: bool = True) -> int:
        lower.append(lo)
        upper.append(hi)
        cost.append(c)
        if is_int:
            integer.append(len(lower) - 1)
        return len(lower) - 1

    # Units per arc are the first columns (built in bulk).
    x = list(range(n_arcs))
    lower.extend([0.0] * n_arcs)
    upper.extend(float(v) for v in ub)
    cost.extend(w * m for w, m in zip(inst.arc_wprice, mult, strict=True))
    integer.extend(x)
    max_goods = [0.0] * n_sup
    for a in range(n_arcs):
        max_goods[inst.arc_sup[a]] += inst.arc_price[a] * inst.arc_cap[a]
    # Suppliers some line cannot do without (only when every line must be covered in full).
    forced = [False] * n_sup
    if strong and not needs_shortfall:
        for arcs in inst.line_arcs:
            sups = {inst.arc_sup[a] for a in arcs}
            if len(sups) == 1:
                forced[sups.pop()] = True
        for arcs in inst.line_arcs:
            if len(arcs) == 1:
                lower[x[arcs[0]]] = upper[x[arcs[0]]]
    y: list[int] = []
    f: list[int | None] = []
    for s in range(n_sup):
        thr = inst.threshold[s]
        paid = inst.weight[s] * inst.ship[s]
        always = paid > 0 and (thr is None or (strong and max_goods[s] < thr - 1e-7))
        never = paid == 0 or (strong and thr is not None and thr <= inst.mov[s])
        y.append(column(1.0 if forced[s] else 0.0, 1.0, paid if always else 0.0))
        f.append(None if always or never else column(0.0, 1.0, paid))
    u: list[int | None] = [
        column(0.0, 1.0 if no_split else float(inst.target[i]), 0.0)
        if needs_shortfall and inst.target[i]
        else None
        for i in range(n_lines)
    ]

    rows_lo: list[float] = []
    rows_hi: list[float] = []
    starts: list[int] = []
    index: list[int] = []
    value: list[float] = []

    def row(lo: float, hi: float, terms: list[tuple[int, float]]) -> None:
        rows_lo.append(lo)
        rows_hi.append(hi)
        starts.append(len(index))
        for j, v in terms:
            index.append(j)
            value.append(v)

    inf = highspy.kHighsInf
    for i, arcs in enumerate(inst.line_arcs):
        if not inst.target[i]:
            continue
        terms = [(x[a], float(mult[a])) for a in arcs]
        ui = u[i]
        if ui is not None:
            terms.append((ui, float(inst.target[i]) if no_split else 1.0))
        row(inst.target[i], inst.target[i], terms)
    for k, arcs in enumerate(inst.off_arcs):
        if len(arcs) > 1 and sum(inst.arc_cap[a] for a in arcs) > inst.off_stock[k]:
            row(-inf, inst.off_stock[k], [(x[a], float(mult[a])) for a in arcs])
    for s in range(n_sup):
        arcs = inst.sup_arcs[s]
        if not strong:
            big = float(sum(inst.arc_cap[a] for a in arcs))
            row(-inf, 0.0, [*((x[a], float(mult[a])) for a in arcs), (y[s], -big)])
        goods = [(x[a], inst.arc_price[a] * mult[a]) for a in arcs]
        if inst.mov[s] > 0:
            row(0.0, inf, [*goods, (y[s], -inst.mov[s])])
        fs = f[s]
        thr = inst.threshold[s]
        if fs is not None and thr is not None:
            # Shipping is free only when the goods reach the threshold: goods >= thr * (y - f).
            row(0.0, inf, [*goods, (y[s], -thr), (fs, thr)])
            row(-inf, 0.0, [(fs, 1.0), (y[s], -1.0)])
    limit = inst.constraints.max_suppliers
    if limit is not None:
        row(-inf, float(limit), [(ys, 1.0) for ys in y])
    if strong:
        # Linking rows x[a] - cap[a] * y[s] <= 0, one per arc, in bulk.
        first = len(index)
        rows_lo.extend([-inf] * n_arcs)
        rows_hi.extend([0.0] * n_arcs)
        starts.extend(range(first, first + 2 * n_arcs, 2))
        pairs = np.empty((n_arcs, 2), dtype=np.int64)
        pairs[:, 0] = x
        pairs[:, 1] = np.array(y, dtype=np.int64)[np.array(inst.arc_sup, dtype=np.int64)]
        index.extend(pairs.ravel().tolist())
        coefs = np.empty((n_arcs, 2), dtype=np.float64)
        coefs[:, 0] = 1.0
        coefs[:, 1] = -np.array(ub, dtype=np.float64)
        value.extend(coefs.ravel().tolist())

    with _quiet_stdout():
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 1)
    n_cols = len(lower)
    h.addCols(
        n_cols,
        np.array(cost, dtype=np.float64),
        np.array(lower, dtype=np.float64),
        np.array(upper, dtype=np.float64),
        0,
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.float64),
    )
    h.addRows(
        len(rows_lo),
        np.array(rows_lo, dtype=np.float64),
        np.array(rows_hi, dtype=np.float64),
        len(index),
        np.array(starts, dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.array(value, dtype=np.float64),
    )
    h.changeColsIntegrality(
        len(integer), np.array(integer, dtype=np.int32), np.ones(len(integer), dtype=np.uint8)
    )

    stages: list[tuple[list[int], list[float]]] = []
    shortfall_cols = [c for c in u if c is not None]
    if shortfall_cols:
        weights = [float(inst.target[i]) if no_split else 1.0 for i, c in enumerate(u) if c]
        stages.append((shortfall_cols, weights))
    if inst.fewest:
        stages.append((y, [1.0] * n_sup))
    grid = float(objective_grid(inst))

    start_values = _start(inst, start, x, y, f, u, mult, n_cols) if strong else None
    lower_arr = np.array(lower, dtype=np.float64)
    upper_arr = np.array(upper, dtype=np.float64)
    # A start plan that breaks the model (e.g. a heuristic plan over the supplier limit) is
    # still offered to HiGHS, but never used as a cutoff or a proof.
    model_rows = (
        np.array(rows_lo, dtype=np.float64),
        np.array(rows_hi, dtype=np.float64),
        np.array([*starts, len(index)], dtype=np.int64),
        np.array(index, dtype=np.int64),
        np.array(value, dtype=np.float64),
    )

    def _feasible_model(vals: NDArray[np.float64]) -> bool:
        return _feasible(vals, lower_arr, upper_arr, *model_rows)

    trusted = start_values is not None and _feasible_model(np.array(start_values, dtype=np.float64))
    proven = earlier_proven = True
    final_bound: float | None = None
    all_cost = np.array(cost, dtype=np.float64)
    all_idx = np.arange(n_cols, dtype=np.int32)
    is_int = np.zeros(n_cols, dtype=bool)
    is_int[integer] = True
    for number in range(len(stages) + 1):
        final = number == len(stages)
        if final:
            stage_cost = all_cost
            step = grid
        else:
            cols, weights = stages[number]
            stage_cost = np.zeros(n_cols)
            for c, w in zip(cols, weights, strict=True):
                stage_cost[c] = w
            step = 1.0  # stage objectives are integral
        h.changeColsCost(n_cols, all_idx, stage_cost)
        h.setOptionValue("mip_abs_gap", 0.99 * step)
        h.setOptionValue("mip_rel_gap", 0.0)
        values: list[float] | None = None
        stage_bound: float | None = None
        tightened = False
        if strong and reduce and trusted and start_values is not None:
            relaxation = _relaxation(h, highspy, _remaining(time_limit, began))
            if relaxation is not None:
                z, lp_values, lp_duals = relaxation
                proves_start = z > float(stage_cost @ np.array(start_values)) - 0.5 * step
                if final and not stages and start is not None and not proves_start:
                    # Round the LP: open the suppliers it uses, then improve by local search.
                    guided = _lp_guided(
                        inst,
                        start,
                        [lp_values[ys] for ys in y],
                        None if time_limit is None else _remaining(time_limit, began) / 4,
                    )
                    if guided is not None:
                        candidate = _start(inst, guided, x, y, f, u, mult, n_cols)
                        if (
                            candidate is not None
                            and float(stage_cost @ np.array(candidate))
                            < float(stage_cost @ np.array(start_values))
                            and _feasible_model(np.array(candidate, dtype=np.float64))
                        ):
                            start_values = candidate
                incumbent = np.array(start_values, dtype=np.float64)
                inc = float(stage_cost @ incumbent)
                bounds = _fix_by_reduced_cost(
                    z, lp_values, lp_duals, inc, step, is_int, lower_arr, upper_arr, incumbent
                )
                free = is_int & (upper_arr > lower_arr)
                fixed = (
                    1.0
                    if bounds is None or not free.any()
                    else float(
                        np.mean((bounds[1] - bounds[0])[free] < (upper_arr - lower_arr)[free])
                    )
                )
                if stats is not None and final:
                    stats["lp_gap"] = (inc - z) / max(abs(inc), 1e-9)
                    stats["fixed"] = fixed
                    stats["proved_by_lp"] = float(bounds is None)
                guessed: tuple[list[float], bool] | None = None
                if (
                    bounds is not None
                    and final
                    and guess
                    and inc - z > _GUESS_STEPS * step
                    and fixed < _GUESS_FIXED
                ):
                    guessed = _guess(
                        h,
                        highspy,
                        (z, lp_values, lp_duals),
                        inc,
                        step,
                        is_int,
                        (lower_arr, upper_arr),
                        stage_cost,
                        _remaining(time_limit, began) / 3,
                        _feasible_model,
                    )
                    if stats is not None:
                        stats["guess"] = 0.0 if guessed is None else 1.0 + guessed[1]
                if guessed is not None and guessed[1]:
                    values, stage_bound = guessed[0], float(stage_cost @ np.array(guessed[0]))
                    stage_optimal = True
                elif bounds is None:
                    values, stage_bound = list(start_values), inc
                    stage_optimal = True
                else:
                    if guessed is not None:
                        # Not a proof, but a better plan than the start: it tightens the fixing.
                        better = float(stage_cost @ np.array(guessed[0]))
                        if better < inc - 0.5 * step:
                            start_values, inc = guessed[0], better
                            bounds = _fix_by_reduced_cost(
                                z,
                                lp_values,
                                lp_duals,
                                inc,
                                step,
                                is_int,
                                lower_arr,
                                upper_arr,
                                np.array(start_values, dtype=np.float64),
                            )
                    if bounds is None:  # the LP bound proves the better plan
                        values, stage_bound = list(start_values), inc
                        stage_optimal = True
                    else:
                        h.changeColsBounds(n_cols, all_idx, bounds[0], bounds[1])
                        tightened = True
        if values is None:
            if time_limit is not None:
                h.setOptionValue("time_limit", _remaining(time_limit, began))
            # Measured (docs/optimizer.md, "Choosing per instance"): after reduced-cost fixing
            # the start plan lies in a small box that HiGHS searches faster without it.
            if (not tightened if warm is None else warm) and start_values is not None:
                h.setSolution(
                    n_cols, np.arange(n_cols, dtype=np.int32), np.array(start_values, np.float64)
                )
            h.run()
            if start_values is not None and _start_mishandled(h, stage_cost):
                # HiGHS 1.16 can carry a start plan into its presolved space with a wrong
                # objective and then stop at once with that plan as "optimal"; the returned
                # plan's real cost gives it away. Solve again without the start.
                h.clearSolver()
                h.run()
            status = h.getModelStatus()
            info = h.getInfo()
            stage_bound = float(info.mip_dual_bound)
            if not math.isfinite(stage_bound):
                stage_bound = None
            found = list(h.getSolution().col_value) if info.primal_solution_status == 2 else []
            if found and _feasible_model(np.rint(np.array(found, dtype=np.float64))):
                values = found
                stage_optimal = status == highspy.HighsModelStatus.kOptimal
                if (
                    not stage_optimal
                    and trusted
                    and start_values is not None
                    and float(stage_cost @ np.array(start_values))
                    < float(stage_cost @ np.rint(found))
                ):
                    values = list(start_values)  # stopped early with a worse plan than the start
            elif trusted and start_values is not None:
                # Stopped (time limit) before HiGHS found a plan of its own: keep the start.
                values, stage_optimal = list(start_values), False
            else:
                return MilpResult(units=None, bound=None, proven=False)
            if tightened:
                h.changeColsBounds(n_cols, all_idx, lower_arr, upper_arr)
        if final:
            # The cost bound holds for the coverage (and supplier count) fixed by the stages
            # before, so it is a bound of the plan's score only when those were proven.
            earlier_proven = proven
        proven = proven and stage_optimal
        if final:
            final_bound = stage_bound
        else:
            cols, weights = stages[number]
            reached = sum(values[c] * w for c, w in zip(cols, weights, strict=True))
            # Stage objectives are integral: fix the stage at the best value found.
            h.addRow(
                -inf,
                math.floor(reached + 0.5) + 0.5,
                len(cols),
                np.array(cols, dtype=np.int32),
                np.array(weights, dtype=np.float64),
            )
            # The stage's plan keeps the fixing row, so it starts (and, checked against every
            # row, bounds) the next stage even when the time limit stopped this one early.
            start_values = [float(round(v)) for v in values]
            trusted = _feasible_model(np.array(start_values, dtype=np.float64))
    bound = final_bound if earlier_proven else None
    assert values is not None
    units = {a: round(values[x[a]]) * mult[a] for a in range(n_arcs) if round(values[x[a]])}
    return MilpResult(units=units, bound=bound, proven=proven)


#: The cutoff guess is tried when the start plan is more than this many grid steps above the
#: LP bound and reduced-cost fixing narrowed less than this share of the integer columns (the
#: rule measured in docs/optimizer.md, "Choosing per instance"); it is the LP bound plus this
#: share of the distance.
_GUESS_STEPS = 20
_GUESS_FIXED = 0.75
_GUESS_SHARE = 0.1


def _guess(
    h: Any,
    highspy: Any,
    lp: tuple[float, NDArray[np.float64], NDArray[np.float64]],
    inc: float,
    step: float,
    is_int: NDArray[np.bool_],
    box: tuple[NDArray[np.float64], NDArray[np.float64]],
    cost: NDArray[np.float64],
    time_limit: float,
    feasible: Any,
) -> tuple[list[float], bool] | None:
    """Solve inside the reduced-cost box of a guessed cutoff ``C`` below the start's score.

    Every plan scoring at most ``C - step`` lies in the box (see :func:`_fix_by_reduced_cost`).
    So if the box's proven optimum ``c`` is at most ``C - step/2``, no plan anywhere scores
    below ``c``: it is the optimum. Returns the box's best plan and whether that proof holds
    (None: no plan in the box within the time).
    """
    import numpy as np

    z, val, dual = lp
    cutoff = z + max(_GUESS_SHARE * (inc - z), 2 * step)
    lower, upper = box
    narrow = _fix_by_reduced_cost(z, val, dual, cutoff, step, is_int, lower, upper)
    if narrow is None:
        return None
    n = len(lower)
    idx = np.arange(n, dtype=np.int32)
    h.changeColsBounds(n, idx, narrow[0], narrow[1])
    h.setOptionValue("time_limit", time_limit)
    h.run()
    # Read the outcome before the bounds are restored (changing the model clears it).
    solved = h.getInfo().primal_solution_status == 2
    found = np.rint(np.array(h.getSolution().col_value, dtype=np.float64)) if solved else None
    optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    h.changeColsBounds(n, idx, lower, upper)
    if found is None or not feasible(found):
        return None
    score = float(cost @ found)
    return [float(v) for v in found], optimal and score <= cutoff - 0.5 * step


def _start_mishandled(h: Any, cost: NDArray[np.float64]) -> bool:
    """Whether HiGHS reports an objective that its own solution does not have."""
    import numpy as np

    if h.getInfo().primal_solution_status != 2:
        return False
    real = float(cost @ np.array(h.getSolution().col_value, dtype=np.float64))
    claimed = float(h.getInfo().objective_function_value)
    return abs(real - claimed) > 1e-6 * (1.0 + abs(real))


def _remaining(time_limit: float | None, began: float) -> float:
    if time_limit is None:
        return math.inf
    return max(0.01, time_limit - (time.perf_counter() - began))


def _feasible(
    vals: NDArray[np.float64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    row_lo: NDArray[np.float64],
    row_hi: NDArray[np.float64],
    starts: NDArray[np.int64],
    index: NDArray[np.int64],
    value: NDArray[np.float64],
) -> bool:
    """Whether ``vals`` (integral) keeps every bound and row of the model (CSR rows)."""
    import numpy as np

    tol = 1e-6
    if np.any(vals < lower - tol) or np.any(vals > upper + tol):
        return False
    if np.any(np.abs(vals - np.round(vals)) > tol):
        return False
    rows = np.repeat(np.arange(len(row_lo)), np.diff(starts))
    activity = np.bincount(rows, weights=value * vals[index], minlength=len(row_lo))
    # Tolerance relative to the finite side(s) of each row (an infinite side adds nothing).
    finite_lo = np.where(np.isfinite(row_lo), np.abs(row_lo), 0.0)
    finite_hi = np.where(np.isfinite(row_hi), np.abs(row_hi), 0.0)
    scale = 1.0 + finite_lo + finite_hi
    return bool(
        np.all(activity >= row_lo - tol * scale) and np.all(activity <= row_hi + tol * scale)
    )


def _relaxation(
    h: Any, highspy: Any, time_limit: float
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]] | None:
    """The LP relaxation's optimum, column values and reduced costs (None if not solved)."""
    import numpy as np

    h.setOptionValue("solve_relaxation", True)
    h.setOptionValue("presolve", "off")
    h.setOptionValue("time_limit", time_limit)
    h.run()
    h.setOptionValue("solve_relaxation", False)
    h.setOptionValue("presolve", "choose")
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    solution = h.getSolution()
    return (
        float(h.getInfo().objective_function_value),
        np.array(solution.col_value, dtype=np.float64),
        np.array(solution.col_dual, dtype=np.float64),
    )


def _fix_by_reduced_cost(
    z: float,
    val: NDArray[np.float64],
    dual: NDArray[np.float64],
    cutoff: float,
    step: float,
    is_int: NDArray[np.bool_],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    keep: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """Column bounds that every plan costing at most ``cutoff - step`` keeps.

    Returns None when the LP bound ``z`` already rules out every such plan. Moving a column
    off the bound where the LP leaves it by ``k`` units raises the LP bound by at least
    ``k * |d|`` (``d`` its reduced cost), so it moves at most ``(cutoff - step/2 - z) / |d|``
    units (half a step is kept as a margin for float error). ``keep``: a plan whose values
    stay inside the bounds.
    """
    import numpy as np

    room = cutoff - 0.5 * step - z
    if room < 0:
        return None
    new_lo = lower.copy()
    new_hi = upper.copy()
    tiny = 1e-9
    at_lo = is_int & (val <= lower + 1e-7) & (dual > tiny)
    if np.any(at_lo):
        reach = np.floor(room / dual[at_lo] + 1e-9)
        new_hi[at_lo] = np.minimum(upper[at_lo], lower[at_lo] + reach)
    at_hi = is_int & (val >= upper - 1e-7) & (dual < -tiny)
    if np.any(at_hi):
        reach = np.floor(room / -dual[at_hi] + 1e-9)
        new_lo[at_hi] = np.maximum(lower[at_hi], upper[at_hi] - reach)
    if keep is not None:
        new_hi = np.maximum(new_hi, keep)
        new_lo = np.minimum(new_lo, keep)
    return new_lo, new_hi


def _lp_guided(
    inst: Instance, start: Solution, y_lp: list[float], time_limit: float | None
) -> Solution | None:
    """Local search from the suppliers the LP relaxation uses (None if not better)."""
    from quote2order.optimize.heuristic import local_search

    open_ = [v > 1e-6 for v in y_lp]
    if open_ == start.open:
        return None
    found = local_search(inst, time_limit=time_limit, initial=open_)
    if found.short or found.cost >= start.cost - 1e-9:
        return None
    limit = inst.constraints.max_suppliers
    if limit is not None and found.used > limit:
        return None
    return found


def _start(
    inst: Instance,
    start: Solution | None,
    x: list[int],
    y: list[int],
    f: list[int | None],
    u: list[int | None],
    mult: list[int],
    n_cols: int,
) -> list[float] | None:
    """The heuristic plan as a full column vector for HiGHS."""
    if start is None:
        return None
    values: list[float] = [0.0] * n_cols
    covered = [0] * len(inst.target)
    for a, q in enumerate(start.units):
        if q:
            values[x[a]] = q / mult[a]
            covered[inst.arc_line[a]] += q
    for s, g in enumerate(start.goods):
        if g > 1e-9:
            values[y[s]] = 1.0
            fs = f[s]
            if fs is not None and inst.shipping(s, g) > 0:
                values[fs] = 1.0
    for i, ui in enumerate(u):
        if ui is not None:
            missing = inst.target[i] - covered[i]
            values[ui] = float(missing // inst.target[i]) if inst.constraints.no_split else missing
    return values
