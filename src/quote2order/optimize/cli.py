"""``quote2order optimize CART.json``: plan a cart file and print the plan."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from quote2order._cli import Parser, run
from quote2order.errors import OptimizationError, ValidationError
from quote2order.optimize import jsonio
from quote2order.optimize.compare import compare, comparison_to_dict, format_comparison
from quote2order.optimize.limits import DEFAULT_TIME_LIMIT, MAX_FILE_BYTES
from quote2order.optimize.optimizer import optimize


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="quote2order optimize",
        description="Plan which supplier delivers each cart line (see docs/optimizer.md).",
    )
    parser.add_argument("cart", type=Path, help="cart file in the optimizer JSON format")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    parser.add_argument(
        "--method",
        choices=("auto", "milp", "heuristic"),
        default="auto",
        help="exact (milp, needs highspy), heuristic, or auto (exact when available)",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="plan under every strategy and constraint and print what each costs",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help=f"seconds; overrides the file's time_limit (default {DEFAULT_TIME_LIMIT:g})",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; 0 on success, 1 when no plan can be made, 2 for bad input."""
    return run("quote2order optimize", lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    try:
        size = args.cart.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValidationError(
                f"{args.cart} has {size:,} bytes: above the limit of {MAX_FILE_BYTES:,}"
            )
        cart = jsonio.loads(args.cart.read_bytes())
        time_limit = args.time_limit if args.time_limit is not None else cart.time_limit
        time_limit = DEFAULT_TIME_LIMIT if time_limit is None else time_limit
        if args.compare:
            tolerance = cart.strategy.partner_tolerance or 5
            rows = compare(
                cart.problem, time_limit=time_limit, method=args.method, tolerance=tolerance
            )
            if args.json:
                return _emit(json.dumps(comparison_to_dict(rows), indent=2))
            return _emit(format_comparison(rows, cart.problem.currency))
        plan = optimize(
            cart.problem,
            cart.strategy,
            cart.constraints,
            time_limit=time_limit,
            method=args.method,
        )
    except OSError as exc:
        print(f"error: cannot read {args.cart}: {exc.strerror}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        # A problem with several broken rules lists them one a line (the message joins them).
        text = "invalid cart:" + "".join(f"\n  {w}: {m}" for w, m in exc.errors)
        print(f"error: {text if exc.errors else exc}", file=sys.stderr)
        return 2
    except OptimizationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return _emit(jsonio.dumps(plan) if args.json else jsonio.format_plan(plan))


def _emit(text: str) -> int:
    """Print ``text``; a reader that stops early (``| head``) is no error."""
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would report the failed flush at exit; point stdout at /dev/null instead.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
