"""``quote2order optimize CART.json``: plan a cart file and print the plan."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quote2order._cli import Parser, run
from quote2order.errors import OptimizationError, ValidationError
from quote2order.optimize import jsonio
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
        "--time-limit", type=float, default=None, help="seconds; overrides the file's time_limit"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; 0 on success, 1 when no plan can be made, 2 for bad input."""
    return run("quote2order optimize", lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    try:
        cart = jsonio.loads(args.cart.read_text(encoding="utf-8"))
        plan = optimize(
            cart.problem,
            cart.strategy,
            cart.constraints,
            time_limit=args.time_limit if args.time_limit is not None else cart.time_limit,
            method=args.method,
        )
    except OSError as exc:
        print(f"error: cannot read {args.cart}: {exc.strerror}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"error: {args.cart} is not UTF-8 text", file=sys.stderr)
        return 2
    except ValidationError as exc:
        details = "".join(f"\n  {where}: {message}" for where, message in exc.errors)
        print(f"error: {exc}{details}", file=sys.stderr)
        return 2
    except OptimizationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(jsonio.dumps(plan) if args.json else jsonio.format_plan(plan))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
