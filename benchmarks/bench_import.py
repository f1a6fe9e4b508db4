"""Import-time benchmark: ``import quote2order`` next to importing its dependencies alone.

    PYTHONPATH=src python benchmarks/bench_import.py [--runs N]

Every figure is measured in fresh interpreters: the wall time of ``python -c "import x"``
less the time of ``python -c "pass"`` (interpreter start-up), median of N runs, with runs
of the three commands interleaved so that load on the machine hits them alike.

"deps alone" imports all five declared dependencies (attrs, transitions, babel, pydantic,
typing_extensions), although ``import quote2order`` itself imports neither pydantic nor
babel at top level; so the ratio is an upper bound on what quote2order adds. The target
is ``import quote2order`` <= 1.3x the dependencies' own import time. The script also
checks that ``import quote2order`` loads no adapter and no optional module, and exits
with status 1 if it does.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
DEPS = ("attrs", "transitions", "babel", "pydantic", "typing_extensions")
OPTIONAL = ("pydantic", "babel", "jinja2", "fpdf", "psycopg", "highspy", "sqlite3")
PRIVATE = ("quote2order.adapters", "quote2order.schemas", "quote2order.testing", "quote2order.demo")


def _env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


def wall(code: str) -> float:
    """Seconds for a fresh interpreter to run ``code`` and exit."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=_env())
    return time.perf_counter() - start


def loaded_modules() -> list[str]:
    """Modules in sys.modules after ``import quote2order`` in a fresh interpreter."""
    code = "import sys, json, quote2order; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, env=_env(), capture_output=True, text=True
    ).stdout
    return list(json.loads(out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters per figure")
    parser.add_argument("--quick", action="store_true", help="fewer runs (5)")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = min(args.runs, 5)
    commands = {
        "python -c pass (start-up)": "pass",
        "deps alone (" + ", ".join(DEPS) + ")": "import " + ", ".join(DEPS),
        "import quote2order": "import quote2order",
    }
    # Warm the file system cache (and bytecode caches of dependencies) once.
    for code in commands.values():
        wall(code)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, code in commands.items():
            samples[name].append(wall(code))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    startup = medians["python -c pass (start-up)"]

    print(f"import time (Python {sys.version.split()[0]}, median of {args.runs} fresh runs)")
    print(f"{'command':<62} {'wall ms':>9} {'import ms':>10}")
    for name, seconds in medians.items():
        print(f"{name:<62} {seconds * 1e3:>9.1f} {(seconds - startup) * 1e3:>10.1f}")
    deps = medians[list(commands)[1]] - startup
    ours = medians["import quote2order"] - startup
    ratio = ours / deps
    print()
    print(
        f"import quote2order / deps alone: {ratio:.2f}x (target <= 1.3x: {'met' if ratio <= 1.3 else 'MISSED'})"
    )

    modules = loaded_modules()
    optional = [m for m in modules if m.split(".")[0] in OPTIONAL]
    private = [m for m in modules if m.startswith(PRIVATE)]
    print(f"optional modules loaded by import quote2order: {optional or 'none'}")
    print(f"adapter/boundary modules loaded by import quote2order: {private or 'none'}")
    return 1 if optional or private else 0


if __name__ == "__main__":
    sys.exit(main())
