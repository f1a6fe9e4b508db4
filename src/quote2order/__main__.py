"""Command line: ``python -m quote2order demo | optimize CART.json | dispatch ...``."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Run a quote2order command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="quote2order", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the quote-to-cash story end to end")
    commands.add_parser(
        "optimize", help="plan a purchasing cart at the lowest cost (see docs/optimizer.md)"
    )
    commands.add_parser(
        "dispatch", help="deliver pending notifications from the outbox (see docs/notifications.md)"
    )
    args, rest = parser.parse_known_args(argv)
    # Each command loads its own modules only when it runs, so the CLI starts fast.
    if args.command == "optimize":
        from quote2order.optimize.cli import main as optimize_main

        return optimize_main(rest)
    if args.command == "dispatch":
        from quote2order.notifications.cli import main as dispatch_main

        return dispatch_main(rest)
    from quote2order.demo import run_demo

    run_demo()
    return 0


if __name__ == "__main__":
    sys.exit(main())
