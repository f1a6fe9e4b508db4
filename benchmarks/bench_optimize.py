"""Benchmark the procurement optimizer on every instance family, row by row.

    python benchmarks/bench_optimize.py                  # every family and size, 3 seeds
    python benchmarks/bench_optimize.py --quick          # 100x30 and 300x50, 1 seed
    python benchmarks/bench_optimize.py --families shipping --sizes 1000x100 --seeds 2
    python benchmarks/bench_optimize.py --parse-build-only --baseline ../main/src

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

``--parse-build-only`` times just the parse and the build, at 1000x100 and 3000x200 unless
``--sizes`` says otherwise, in CPU and wall-clock seconds. Each instance is written to a file
once and measured in a fresh process per code version (after a small warm-up cart, so that
imports are not counted); ``--baseline SRC`` adds a second version (e.g. the main branch's
``src`` folder) measured in the same run, instance by instance.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# A parse-and-build worker may be pointed at another version's source (--baseline).
sys.path.insert(0, os.environ.get("BENCH_SRC") or str(Path(__file__).resolve().parents[1] / "src"))

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


def _parse_build_worker(path: str) -> None:
    """Time parse and build of one cart file in this process; print one JSON line."""
    warm = Path(__file__).resolve().parents[1] / "examples" / "cart.json"
    cart = jsonio.loads(warm.read_bytes())
    build_instance(cart.problem, cart.strategy, cart.constraints)
    data = Path(path).read_bytes()
    cpu, wall = time.process_time(), time.perf_counter()
    cart = jsonio.loads(data)
    parse = (time.process_time() - cpu, time.perf_counter() - wall)
    cpu, wall = time.process_time(), time.perf_counter()
    build_instance(cart.problem, cart.strategy, cart.constraints)
    build = (time.process_time() - cpu, time.perf_counter() - wall)
    print(json.dumps({"parse": parse, "build": build}))


def _measure_version(src: str, path: str) -> dict[str, list[float]]:
    env = {**os.environ, "BENCH_SRC": src}
    out = subprocess.run(
        [sys.executable, __file__, "--parse-build-worker", path],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, list[float]] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _parse_build_only(
    families: list[str], sizes: tuple[tuple[int, ...], ...], seeds: int, baseline: str | None
) -> None:
    here = str(Path(__file__).resolve().parents[1] / "src")
    versions = [("this", here)] + ([("baseline", baseline)] if baseline else [])
    print(f"versions: {', '.join(f'{n} = {s}' for n, s in versions)}; seeds {seeds}")
    print("parse and build of each instance, seconds CPU / wall, fresh process per version")
    head = " | ".join(f"{n} {k}" for n, _ in versions for k in ("parse", "build", "sum"))
    print(f"| instance | offers | bytes | {head} |")
    print("|---|---|---|" + "---|" * (3 * len(versions)))
    table: list[tuple[str, dict[str, dict[str, list[float]]]]] = []
    with tempfile.TemporaryDirectory() as folder:
        for lines, suppliers in sizes:
            for family in families:
                for seed in range(seeds):
                    problem = random_problem(lines, suppliers, family, seed)  # type: ignore[arg-type]
                    strategy = Strategy("partner-first", 5) if family == "partners" else Strategy()
                    path = os.path.join(folder, "cart.json")
                    text = json.dumps(jsonio.cart_to_dict(problem, strategy))
                    Path(path).write_text(text, encoding="utf-8")
                    found = {name: _measure_version(src, path) for name, src in versions}
                    name = f"{family} {lines}x{suppliers} seed {seed}"
                    table.append((name, found))
                    cells = []
                    for version, _ in versions:
                        p, b = found[version]["parse"], found[version]["build"]
                        cells += [f"{p[0]:.3f} / {p[1]:.3f}", f"{b[0]:.3f} / {b[1]:.3f}"]
                        cells.append(f"{p[0] + b[0]:.3f} / {p[1] + b[1]:.3f}")
                    print(
                        f"| {name} | {len(problem.offers)} | {len(text):,} | {' | '.join(cells)} |",
                        flush=True,
                    )
    print()
    for lines, suppliers in sizes:
        rows = [(n, f) for n, f in table if f" {lines}x{suppliers} " in n]
        for version, _ in versions:
            cells = []
            for label, get in (
                ("parse CPU", lambda f: f["parse"][0]),
                ("build CPU", lambda f: f["build"][0]),
                ("parse+build CPU", lambda f: f["parse"][0] + f["build"][0]),
                ("parse+build wall", lambda f: f["parse"][1] + f["build"][1]),
            ):
                values = [get(f[version]) for _, f in rows]
                worst = max(rows, key=lambda r: get(r[1][version]))
                cells.append(
                    f"{label}: median {statistics.median(values):.3f}, worst"
                    f" {get(worst[1][version]):.3f} ({worst[0]})"
                )
            print(f"- {lines}x{suppliers}, {version}: " + "; ".join(cells))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100x30 and 300x50, one seed")
    parser.add_argument("--families", default=",".join(REGIMES), help="comma-separated")
    parser.add_argument("--sizes", default=None, help="e.g. 300x50,1000x100")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per family and size")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve (cap)")
    parser.add_argument("--parse-build-only", action="store_true", help="time only parse and build")
    parser.add_argument("--baseline", default=None, help="another version's src folder")
    parser.add_argument("--parse-build-worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.parse_build_worker:
        _parse_build_worker(args.parse_build_worker)
        return 0
    if args.sizes:
        sizes = tuple(tuple(int(n) for n in s.split("x")) for s in args.sizes.split(","))
    elif args.parse_build_only:
        sizes = ((1000, 100), (3000, 200))
    else:
        sizes = QUICK_SIZES if args.quick else FULL_SIZES
    seeds = args.seeds or (1 if args.quick else 3)
    families = [f for f in args.families.split(",") if f]
    if args.parse_build_only:
        baseline = None if args.baseline is None else str(Path(args.baseline).resolve())
        _parse_build_only(families, sizes, seeds, baseline)
        return 0
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
