"""Benchmark the procurement optimizer on every instance family, row by row.

    python benchmarks/bench_optimize.py                  # every family and size, 3 seeds
    python benchmarks/bench_optimize.py --quick          # 100x30 and 300x50, 1 seed
    python benchmarks/bench_optimize.py --families shipping --sizes 1000x100 --seeds 2

Every row is one instance (family, lines x suppliers, seed) and prints, from the same run:
parse (cart JSON text to problem) and build (problem to solver arrays) time; the plain model's
time (the textbook MILP, HiGHS defaults); the exact path's time and whether it proved the
optimum; the ratio of the two; the heuristic's time and its gap to the optimum. Times are CPU
seconds of this process (``time.process_time``, HiGHS's threads included), which a busy shared
machine inflates far less than wall-clock time; the last column is the wall-clock time of the
row's solves over their CPU time. Each solve is capped by ``--time-limit`` (wall clock); a capped solve prints its time with ``cap`` (its plan is the best
found by then). Instances come from ``quote2order.optimize.generate.random_problem`` and are
reproducible from the seed; ``partners`` is solved with ``partner-first`` at 5 %, the others
with ``cheapest``. After the rows, each column's median and its worst row are printed.
Prints figures only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from quote2order.errors import OptimizationError
from quote2order.optimize import Plan, ProcurementProblem, Strategy, jsonio, optimize
from quote2order.optimize.generate import REGIMES, random_problem
from quote2order.optimize.instance import build_instance
from quote2order.optimize.model import Constraints

FULL_SIZES = ((100, 30), (300, 50), (1000, 100), (3000, 200))
QUICK_SIZES = ((100, 30), (300, 50))


@dataclass
class Row:
    name: str
    offers: int
    parse: float
    build: float
    plain: float
    plain_capped: bool  # stopped by the cap (with no plan at all when plain_none)
    plain_none: bool
    exact: float
    exact_proven: bool
    heuristic: float
    heuristic_gap: float  # percent above the optimum (or the best plan found)
    reference_proven: bool
    load: float  # wall-clock over CPU seconds of the three solves

    @property
    def ratio(self) -> float:
        return self.exact / self.plain


def _timed(
    problem: ProcurementProblem, strategy: Strategy, method: str, cap: float
) -> tuple[Plan | None, float]:
    """The plan (None: the cap passed before any plan) and the CPU seconds it took."""
    began, wall = time.process_time(), time.perf_counter()
    try:
        plan: Plan | None = optimize(problem, strategy, method=method, time_limit=cap)  # type: ignore[arg-type]
    except OptimizationError:
        plan = None
    _WALL[0] += time.perf_counter() - wall
    return plan, time.process_time() - began


_WALL = [0.0]  # wall-clock seconds of the solves, against their CPU seconds (machine load)


def measure(family: str, lines: int, suppliers: int, seed: int, cap: float) -> Row:
    """Solve one instance with every method and time each stage."""
    problem = random_problem(lines, suppliers, family, seed)  # type: ignore[arg-type]
    strategy = Strategy("partner-first", 5) if family == "partners" else Strategy()
    text = json.dumps(jsonio.cart_to_dict(problem, strategy))
    began = time.process_time()
    parsed = jsonio.loads(text)
    parse = time.process_time() - began
    began = time.process_time()
    build_instance(parsed.problem, strategy, Constraints())
    build = time.process_time() - began
    _WALL[0] = 0.0
    plain, plain_s = _timed(problem, strategy, "milp-plain", cap)
    exact, exact_s = _timed(problem, strategy, "milp", cap)
    rough, rough_s = _timed(problem, strategy, "heuristic", cap)
    assert exact is not None  # the exact path falls back to its start plan
    assert rough is not None
    plans = [p for p in (exact, plain, rough) if p is not None]
    proven = [p.objective for p in plans if p.optimal]
    best = min(proven) if proven else min(p.objective for p in plans)
    gap = float((rough.objective / best - 1) * 100) if best else 0.0
    return Row(
        f"{family} {lines}x{suppliers} seed {seed}",
        len(problem.offers),
        parse,
        build,
        plain_s,
        plain is None or not plain.optimal,
        plain is None,
        exact_s,
        exact.optimal,
        rough_s,
        gap,
        bool(proven),
        _WALL[0] / max(1e-9, plain_s + exact_s + rough_s),
    )


def _print_row(row: Row) -> None:
    plain = f"{row.plain:.3f}" + (
        " cap, no plan" if row.plain_none else " cap" if row.plain_capped else ""
    )
    exact = f"{row.exact:.3f}" + ("" if row.exact_proven else " cap")
    gap = f"{row.heuristic_gap:.3f} %" + ("" if row.reference_proven else " (vs best)")
    print(
        f"| {row.name} | {row.offers} | {row.parse:.3f} | {row.build:.3f} | {plain} | {exact} |"
        f" {'<= ' if row.plain_capped else ''}{row.ratio:.2f}x | {row.heuristic:.3f} | {gap}"
        f" | {row.load:.1f} |",
        flush=True,
    )


COLUMNS: tuple[tuple[str, Callable[[Row], float]], ...] = (
    ("parse s", lambda r: r.parse),
    ("build s", lambda r: r.build),
    ("plain s", lambda r: r.plain),
    ("exact s", lambda r: r.exact),
    ("exact/plain", lambda r: r.ratio),
    ("heuristic s", lambda r: r.heuristic),
    ("heuristic gap %", lambda r: r.heuristic_gap),
)


def _summary(rows: list[Row], label: str) -> None:
    cells = []
    for name, get in COLUMNS:
        values = [get(r) for r in rows]
        worst = max(rows, key=get)
        cells.append(
            f"{name}: median {statistics.median(values):.3f}, worst {get(worst):.3f} ({worst.name})"
        )
    unproven = sum(not r.exact_proven for r in rows)
    print(f"- {label} ({len(rows)} rows, exact unproven in {unproven}): " + "; ".join(cells))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100x30 and 300x50, one seed")
    parser.add_argument("--families", default=",".join(REGIMES), help="comma-separated")
    parser.add_argument("--sizes", default=None, help="e.g. 300x50,1000x100")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per family and size")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve (cap)")
    args = parser.parse_args(argv)
    if args.sizes:
        sizes = tuple(tuple(int(n) for n in s.split("x")) for s in args.sizes.split(","))
    else:
        sizes = QUICK_SIZES if args.quick else FULL_SIZES
    seeds = args.seeds or (1 if args.quick else 3)
    families = [f for f in args.families.split(",") if f]
    print(
        f"seeds {seeds}; cap {args.time_limit:g} s (wall clock) per solve; times in CPU seconds"
        " of this process (the machine is shared: wall/CPU shows the load during the row)"
    )
    print(
        "| instance | offers | parse | build | plain | exact | exact/plain | heuristic"
        " | heuristic gap | wall/CPU |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    rows: list[Row] = []
    began = time.perf_counter()
    for lines, suppliers in sizes:
        for family in families:
            for seed in range(seeds):
                row = measure(family, lines, suppliers, seed, args.time_limit)
                _print_row(row)
                rows.append(row)
    print()
    for lines, suppliers in sizes:
        _summary([r for r in rows if f" {lines}x{suppliers} " in r.name], f"{lines}x{suppliers}")
    _summary(rows, "all rows")
    print(f"\nwhole run {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
