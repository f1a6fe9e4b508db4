"""Benchmark the heuristic alone: its time and its gap to the proven optimum, per row.

    python benchmarks/bench_heuristic.py --sizes 300x50,1000x100 --seeds 3
    python benchmarks/bench_heuristic.py --sizes 3000x200 --baseline /path/to/other/src

Every row is one instance (family, lines x suppliers, seed) of
``quote2order.optimize.generate.random_problem``. It prints the CPU seconds
(``time.process_time``) of the search alone (``local_search`` on a built instance) and of
``optimize(method="heuristic")`` end to end (model build and plan included), and the gap of the
heuristic's plan to the exact path's optimum. The exact reference is solved once per instance
(``--cap`` seconds) and kept in the ``--cache`` file; an unproven reference is marked ``(vs
best)`` and the gap to its proven bound is printed too, which bounds the true gap from above.
``--baseline SRC`` runs the same rows with another checkout's ``src`` (in a subprocess) and
prints its times and gaps beside. ``partners`` is solved with ``partner-first`` at 5 %, the
others with ``cheapest``. Prints figures only; it asserts nothing.
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
from pathlib import Path
from typing import Any

FAMILIES = ("hardware", "accessories", "shipping", "scarce", "minimums", "partners")


def _rows(sizes: list[tuple[int, int]], families: list[str], seeds: int) -> list[tuple[Any, ...]]:
    return [(f, n, m, s) for n, m in sizes for f in families for s in range(seeds)]


def _measure(rows: list[tuple[Any, ...]], repeat: int) -> list[dict[str, Any]]:
    """Time the heuristic on each row with whichever ``quote2order`` is on the path."""
    from quote2order.optimize import Constraints, Strategy, optimize
    from quote2order.optimize.generate import random_problem
    from quote2order.optimize.heuristic import local_search
    from quote2order.optimize.instance import build_instance

    # Warm up (imports, numpy included) as a running service would be, before any timing.
    local_search(build_instance(random_problem(20, 5, "shipping", 0), Strategy(), Constraints()))
    out = []
    for family, n, m, seed in rows:
        problem = random_problem(n, m, family, seed)
        strategy = Strategy("partner-first", 5) if family == "partners" else Strategy()
        search, total = [], []
        plan = None
        for _ in range(repeat):
            inst = build_instance(problem, strategy, Constraints())
            began = time.process_time()
            local_search(inst)
            search.append(time.process_time() - began)
            began = time.process_time()
            plan = optimize(problem, strategy, method="heuristic", time_limit=None)
            total.append(time.process_time() - began)
        assert plan is not None
        out.append(
            {
                "search": statistics.median(search),
                "total": statistics.median(total),
                "objective": str(plan.objective),
                "missing": sum(u.missing for u in plan.uncovered),
            }
        )
    return out


def _reference(row: tuple[Any, ...], cache: dict[str, Any], cap: float) -> dict[str, Any]:
    key = "{} {}x{} seed {}".format(*row)
    if key not in cache:
        from quote2order.optimize import Strategy, optimize
        from quote2order.optimize.generate import random_problem

        family, n, m, seed = row
        strategy = Strategy("partner-first", 5) if family == "partners" else Strategy()
        plan = optimize(random_problem(n, m, family, seed), strategy, method="milp", time_limit=cap)
        cache[key] = {
            "objective": str(plan.objective),
            "bound": None if plan.bound is None else str(plan.bound),
            "proven": plan.optimal,
        }
    return dict(cache[key])


def _gap(objective: str, reference: str | None) -> float:
    if reference is None:
        return float("nan")
    ref = float(reference)
    return (float(objective) / ref - 1) * 100 if ref else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100x30,300x50,1000x100")
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1, help="median of this many runs")
    parser.add_argument(
        "--cache", default=str(Path(tempfile.gettempdir()) / "quote2order_optima.json")
    )
    parser.add_argument("--cap", type=float, default=60.0, help="seconds for the exact reference")
    parser.add_argument("--baseline", default=None, help="another checkout's src directory")
    parser.add_argument("--emit", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [(int(a), int(b)) for a, b in (s.split("x") for s in args.sizes.split(","))]
    rows = _rows(sizes, [f for f in args.families.split(",") if f], args.seeds)
    if args.emit:  # the baseline's subprocess: measure and hand the figures back as JSON
        print(json.dumps(_measure(rows, args.repeat)))
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    cache_path = Path(args.cache)
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    refs = [_reference(r, cache, args.cap) for r in rows]
    cache_path.write_text(json.dumps(cache, indent=1, sort_keys=True))
    base = None
    if args.baseline:
        env = dict(os.environ, PYTHONPATH=args.baseline)
        cmd = [sys.executable, __file__, "--emit", "--sizes", args.sizes]
        cmd += ["--families", args.families, "--seeds", str(args.seeds)]
        cmd += ["--repeat", str(args.repeat)]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        base = json.loads(done.stdout)
    mine = _measure(rows, args.repeat)
    head = "| instance | search s | heuristic s | gap % | gap to bound % |"
    if base is not None:
        head += " baseline search s | baseline heuristic s | baseline gap % |"
    print(head)
    print("|---" * (head.count("|") - 1) + "|")
    table: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        ref = refs[i]
        name = "{} {}x{} seed {}".format(*row)
        line = {
            "name": name,
            "size": f"{row[1]}x{row[2]}",
            "search": mine[i]["search"],
            "total": mine[i]["total"],
            "gap": _gap(mine[i]["objective"], ref["objective"]),
            "bound_gap": _gap(mine[i]["objective"], ref["bound"]),
        }
        mark = "" if ref["proven"] else " (vs best)"
        text = (
            f"| {name} | {line['search']:.3f} | {line['total']:.3f} | {line['gap']:.3f}{mark}"
            f" | {line['bound_gap']:.3f} |"
        )
        if base is not None:
            line["b_search"] = base[i]["search"]
            line["b_total"] = base[i]["total"]
            line["b_gap"] = _gap(base[i]["objective"], ref["objective"])
            text += f" {line['b_search']:.3f} | {line['b_total']:.3f} | {line['b_gap']:.3f} |"
        print(text, flush=True)
        table.append(line)
    print()
    columns = ["search", "total", "gap", "bound_gap"]
    if base is not None:
        columns += ["b_search", "b_total", "b_gap"]
    for size in dict.fromkeys(t["size"] for t in table):
        part = [t for t in table if t["size"] == size]
        cells = []
        for c in columns:
            worst = max(part, key=lambda t: t[c])
            cells.append(
                f"{c}: median {statistics.median(t[c] for t in part):.3f},"
                f" worst {worst[c]:.3f} ({worst['name']})"
            )
        print(f"- {size} ({len(part)} rows): " + "; ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
