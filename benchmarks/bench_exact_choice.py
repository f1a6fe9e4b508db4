"""Measure when the exact path's reductions and warm start help, per instance.

    python benchmarks/bench_exact_choice.py --sizes 300x50,1000x100 --seeds 3 --time-limit 15

For every instance (family, size, seed) it prints, in CPU seconds of this process: the plain
model; the strong model without start plan and without reductions (``strong``); the strong
model with the heuristic start but no reductions (``warm``); with reductions but without handing
the start to HiGHS (``reduce``); with both (``both``); the default path as ``optimize`` runs it
(``auto``: dominance, heuristic and ``milp.solve`` with its defaults: the cutoff guess and the
warm-start rule, as ``optimize`` runs them); the heuristic's own time (included in ``warm``, ``reduce``,
``both``); and from the LP of the cost stage: the gap of the start plan over the LP bound and the
share of integer columns whose range reduced-cost fixing narrowed. ``*`` marks a solve that the
cap stopped before a proof. Prints figures only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from quote2order.optimize import Strategy, dominance, heuristic, milp
from quote2order.optimize.generate import REGIMES, random_problem
from quote2order.optimize.instance import build_instance
from quote2order.optimize.model import Constraints
from quote2order.optimize.optimizer import _complete


def _cpu(run: object) -> tuple[object, float]:
    began = time.process_time()
    out = run()  # type: ignore[operator]
    return out, time.process_time() - began


def _cell(result: milp.MilpResult, seconds: float) -> str:
    return f"{seconds:.2f}" + ("" if result.proven else "*")


def measure(family: str, lines: int, suppliers: int, seed: int, cap: float, with_auto: bool) -> str:
    problem = random_problem(lines, suppliers, family, seed)  # type: ignore[arg-type]
    strategy = Strategy("partner-first", 5) if family == "partners" else Strategy()
    inst = build_instance(problem, strategy, Constraints())
    cheap = heuristic.cheapest_per_line(inst)
    plain_short = not _complete(inst, cheap)
    plain, plain_s = _cpu(
        lambda: milp.solve(
            inst, None, formulation="plain", time_limit=cap, needs_shortfall=plain_short
        )
    )
    strong, strong_s = _cpu(
        lambda: milp.solve(inst, None, time_limit=cap, needs_shortfall=plain_short, reduce=False)
    )
    sol, heur_s = _cpu(lambda: heuristic.local_search(inst, time_limit=cap / 4))
    short = not _complete(inst, sol)  # type: ignore[arg-type]
    warm, warm_s = _cpu(
        lambda: milp.solve(inst, sol, time_limit=cap, needs_shortfall=short, reduce=False)  # type: ignore[arg-type]
    )
    cold, cold_s = _cpu(
        lambda: milp.solve(
            inst, sol, time_limit=cap, needs_shortfall=short, warm=False, guess=False
        )  # type: ignore[arg-type]
    )
    stats: dict[str, float] = {}
    both, both_s = _cpu(
        lambda: milp.solve(
            inst,
            sol,  # type: ignore[arg-type]
            time_limit=cap,
            needs_shortfall=short,
            reduce=True,
            warm=True,
            guess=False,
            stats=stats,
        )
    )
    auto_cell = "-"
    if with_auto:

        def default() -> milp.MilpResult:
            work = dominance.reduce(inst).instance
            start = heuristic.local_search(work, time_limit=cap / 4)
            return milp.solve(
                work, start, time_limit=cap, needs_shortfall=not _complete(work, start)
            )

        auto, auto_s = _cpu(default)
        auto_cell = _cell(auto, auto_s)  # type: ignore[arg-type]
    gap = stats.get("lp_gap")
    fixed = stats.get("fixed")
    return (
        f"| {family} {lines}x{suppliers} s{seed} | {_cell(plain, plain_s)} |"  # type: ignore[arg-type]
        f" {_cell(strong, strong_s)} | {_cell(warm, warm_s + heur_s)} |"  # type: ignore[arg-type]
        f" {_cell(cold, cold_s + heur_s)} | {_cell(both, both_s + heur_s)} |"  # type: ignore[arg-type]
        f" {auto_cell} | {heur_s:.2f} |"
        f" {'-' if gap is None else f'{100 * gap:.3f} %'} |"
        f" {'-' if fixed is None else f'{100 * fixed:.0f} %'} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", default=",".join(REGIMES))
    parser.add_argument("--sizes", default="300x50,1000x100")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=15.0)
    parser.add_argument("--auto", action="store_true", help="also time optimize() as it is")
    args = parser.parse_args()
    print(
        "| instance | plain | strong | warm | reduce | both | auto | heuristic | LP gap | fixed |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        lines, suppliers = (int(n) for n in size.split("x"))
        for family in args.families.split(","):
            for seed in range(args.seeds):
                print(
                    measure(family, lines, suppliers, seed, args.time_limit, args.auto), flush=True
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
