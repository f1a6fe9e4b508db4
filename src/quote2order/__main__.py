"""Command line: ``python -m quote2order demo``."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Run a quote2order command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="quote2order", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the quote-to-cash story end to end")
    args, _rest = parser.parse_known_args(argv)
    if args.command == "demo":
        from quote2order.demo import run_demo

        run_demo()
    return 0


if __name__ == "__main__":
    sys.exit(main())
