"""Benchmark the procurement optimizer: cheapest-per-line, heuristic, plain and strong MILP.

    python benchmarks/bench_optimize.py            # full run: all sizes, 5 seeds
    python benchmarks/bench_optimize.py --quick    # under a minute: small sizes, 2 seeds

Per row (regime, lines x suppliers) it prints, as the median over the seeds, each method's cost
above the proven optimum (in percent) and its wall time. Instances come from
``quote2order.optimize.generate.random_problem`` and are reproducible from the seed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from quote2order.optimize import Plan, optimize
from quote2order.optimize.generate import REGIMES, random_problem

FULL_SIZES = [(20, 5), (100, 20), (100, 50), (300, 50), (1000, 100)]
QUICK_SIZES = [(20, 5), (100, 20), (100, 50), (300, 50)]
METHODS = ["cheapest-per-line", "heuristic", "milp-plain", "milp"]
LABELS = {
    "cheapest-per-line": "cheapest",
    "heuristic": "heuristic",
    "milp-plain": "plain MILP",
    "milp": "exact",
}


def _run(problem: object, method: str, time_limit: float, repeat: int) -> tuple[Plan, float]:
    """The plan and the best wall time of ``repeat`` runs (less noise on a shared machine)."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        plan = optimize(problem, method=method, time_limit=time_limit)  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - began)
    return plan, best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, 2 seeds (< 60 s)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per row")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per MILP solve")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per method and instance; the best time counts"
    )
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    seeds = args.seeds or (2 if args.quick else 5)

    head = f"| regime | size | {' | '.join(LABELS[m] for m in METHODS)} | exact vs plain |"
    print(
        f"seeds per row: {seeds}; cells: median cost above optimum / median seconds;"
        f" MILP time limit {args.time_limit:g} s; best of {args.repeat} run(s) per instance"
    )
    print(head)
    print("|" + "---|" * (len(METHODS) + 3))
    for regime in REGIMES:
        for lines, suppliers in sizes:
            gaps: dict[str, list[float]] = {m: [] for m in METHODS}
            times: dict[str, list[float]] = {m: [] for m in METHODS}
            unproven = 0
            for seed in range(seeds):
                problem = random_problem(lines, suppliers, regime, seed)
                plans = {m: _run(problem, m, args.time_limit, args.repeat) for m in METHODS}
                proven = [plans[m][0] for m in ("milp", "milp-plain") if plans[m][0].optimal]
                if not proven:
                    unproven += 1
                best = (
                    min(p.objective for p in proven)
                    if proven
                    else min(p.objective for p, _ in plans.values())
                )
                for m, (plan, seconds) in plans.items():
                    gap = (plan.objective / best - 1) * 100 if best else Decimal(0)
                    gaps[m].append(float(gap))
                    times[m].append(seconds)
            cells = [
                f"{statistics.median(gaps[m]):.2f} % / {statistics.median(times[m]):.3f} s"
                for m in METHODS
            ]
            speedup = statistics.median(times["milp-plain"]) / statistics.median(times["milp"])
            note = f"{speedup:.1f}x" + (f" ({unproven} unproven)" if unproven else "")
            print(f"| {regime} | {lines}x{suppliers} | {' | '.join(cells)} | {note} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
