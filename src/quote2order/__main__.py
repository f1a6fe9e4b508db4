"""Command line: ``python -m quote2order demo | optimize CART.json | dispatch ...``."""

from __future__ import annotations

import sys

from quote2order._cli import Parser, UsageError, run

DESCRIPTION = (
    "Won quotes become orders: run the quote-to-cash demo, plan a purchasing cart at the "
    "lowest cost, or deliver pending notifications from the outbox. "
    "'quote2order demo --help' (and so on) describes each command."
)


def _main(argv: list[str] | None) -> int:
    from quote2order import __version__

    parser = Parser(prog="quote2order", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"quote2order {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="{demo,optimize,dispatch}"
    )
    demo = commands.add_parser("demo", help="run the quote-to-cash story end to end")
    demo.add_argument(
        "--out",
        default="quote2order-demo",
        help="folder for the database, e-mails and documents (default: %(default)s)",
    )
    # These two parse their own options (so their --help is their own).
    commands.add_parser(
        "optimize",
        add_help=False,
        help="plan a purchasing cart at the lowest cost (see docs/optimizer.md)",
    )
    commands.add_parser(
        "dispatch",
        add_help=False,
        help="deliver pending notifications from the outbox (see docs/notifications.md)",
    )
    args, rest = parser.parse_known_args(argv)
    # Each command loads its own modules only when it runs, so the CLI starts fast.
    if args.command == "optimize":
        from quote2order.optimize.cli import main as optimize_main

        return optimize_main(rest)
    if args.command == "dispatch":
        from quote2order.notifications.cli import main as dispatch_main

        return dispatch_main(rest)
    if rest:
        raise UsageError(f"unrecognized arguments: {' '.join(rest)}")
    from quote2order.demo import run_demo

    run_demo(out=args.out)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run a quote2order command; returns the exit status (0 done, 1 failed, 2 usage)."""
    return run("quote2order", lambda: _main(argv))


if __name__ == "__main__":
    sys.exit(main())
