"""``python -m quote2order dispatch``: run the dispatcher from a host's job runner or cron.

The outbox is the reference store's (``--sqlite PATH`` or ``--postgres CONNINFO``), or the
host names a factory (``--source module:function``) returning ``(outbox_store,
documents)``, e.g. ``myshop.quote2order:dispatch_source``; the notifier and renderers are
chosen by options. The SMTP password is read from the environment variable named by
``--password-env``, never from the command line. A ``--sqlite`` file must exist unless
``--create`` asks for a new database. Errors are one line; the exit status is 0 when done,
1 when an entry failed for good or the command failed, 2 for a wrong command line.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from quote2order._cli import Parser, UsageError, run
from quote2order.notifications.dispatcher import Backoff, Dispatcher
from quote2order.notifications.documents import DocumentSource, Renderer, UnitOfWorkDocuments
from quote2order.notifications.messages import Notifier
from quote2order.ports import Clock, OutboxStore

__all__ = ["main"]

Source = Callable[[], tuple[OutboxStore, DocumentSource]]


PROG = "quote2order dispatch"


def _number(text: str, kind: type[int] | type[float], low: float, high: float) -> Any:
    try:
        value = kind(text)
    except ValueError:
        value = math.nan
    if not low <= value <= high:  # NaN fails both comparisons
        raise argparse.ArgumentTypeError(
            f"expected a number from {low:g} to {high:g}, not {text!r}"
        )
    return value


def _count(text: str) -> int:
    return int(_number(text, int, 1, 1000))


def _port(text: str) -> int:
    return int(_number(text, int, 1, 65535))


def _seconds(text: str) -> float:
    return float(_number(text, float, 0.001, 86400))


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description="Deliver due notifications from the outbox.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--sqlite", metavar="PATH", help="the outbox of this SQLite database")
    source.add_argument(
        "--postgres", metavar="CONNINFO", help="the outbox of this PostgreSQL database"
    )
    source.add_argument("--source", help="module:function returning (outbox_store, documents)")
    parser.add_argument(
        "--create", action="store_true", help="create and migrate the --sqlite file if missing"
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--directory", help="write .eml files into this directory")
    target.add_argument("--smtp-host", help="send through this SMTP server")
    parser.add_argument("--smtp-port", type=_port, help="default: 587, 465 for tls, 25 for none")
    parser.add_argument("--security", choices=("none", "starttls", "tls"), default="starttls")
    parser.add_argument("--username")
    parser.add_argument("--password-env", help="environment variable holding the SMTP password")
    parser.add_argument(
        "--allow-unencrypted-login",
        action="store_true",
        help="log in even with --security none (a trusted local relay only)",
    )
    parser.add_argument(
        "--render", default="pdf", help="attachments: comma-separated html,pdf or 'none'"
    )
    parser.add_argument("--max-attempts", type=_count, default=5)
    parser.add_argument("--backoff-seconds", type=_seconds, default=30.0)
    parser.add_argument("--message-domain", help="domain of Message-IDs (default: the seller's)")
    parser.add_argument(
        "--poll-seconds",
        type=float,
        default=5.0,
        help="--loop: longest wait between two looks at the outbox (default: %(default)s)",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--once", action="store_true", help="one batch only")
    action.add_argument(
        "--loop",
        action="store_true",
        help="run as a service until SIGTERM/SIGINT (wakes on PostgreSQL NOTIFY, else polls)",
    )
    action.add_argument("--list-failed", action="store_true", help="list failed entries")
    action.add_argument("--retry", metavar="ENTRY_ID", action="append", help="retry a failed entry")
    return parser


def _load(spec: str) -> Source:
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise UsageError(f"--source must look like module:function, not {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise  # the host's module exists but needs something missing
        raise UsageError(f"--source: no module named {module_name!r}") from None
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise UsageError(f"--source: {module_name} has no function {attribute!r}")
    loaded: Source = factory
    return loaded


def _store_source(args: argparse.Namespace) -> Source:
    """The outbox and documents of a reference store named on the command line."""
    sqlite = args.sqlite is not None
    if not (args.sqlite if sqlite else args.postgres).strip():
        raise UsageError(f"{'--sqlite' if sqlite else '--postgres'} needs a value")
    if sqlite and not args.create and not Path(args.sqlite).is_file():
        raise UsageError(f"no SQLite database at {args.sqlite} (--create makes a new one there)")

    def open_store() -> tuple[OutboxStore, DocumentSource]:
        if sqlite:
            from quote2order.adapters.sqlite import SqliteStore

            store: Any = SqliteStore(args.sqlite)
        else:
            from quote2order.adapters.postgres import PostgresStore

            store = PostgresStore(args.postgres)
        return store.outbox_store, UnitOfWorkDocuments(store.unit_of_work)

    return open_store


def _renderers(names: str) -> list[Renderer]:
    renderers: list[Renderer] = []
    for name in filter(None, (n.strip() for n in names.split(","))):
        if name == "html":
            from quote2order.adapters.html import HtmlRenderer

            renderers.append(HtmlRenderer())
        elif name == "pdf":
            from quote2order.adapters.pdf import PdfRenderer

            renderers.append(PdfRenderer())
        elif name != "none":
            raise UsageError(f"unknown renderer {name!r} (html, pdf, none)")
    return renderers


def _notifier(args: argparse.Namespace) -> Notifier:
    if args.directory:
        from quote2order.adapters.maildir import DirectoryNotifier

        return DirectoryNotifier(args.directory)
    if args.smtp_host:
        from quote2order.adapters.smtp import SmtpNotifier

        password = None
        if args.password_env:
            password = os.environ.get(args.password_env)
            if password is None:
                raise UsageError(f"the environment variable {args.password_env} is not set")
        return SmtpNotifier(
            args.smtp_host,
            args.smtp_port,
            security=args.security,
            username=args.username,
            password=password,
            allow_unencrypted_login=args.allow_unencrypted_login,
        )
    raise UsageError("give --directory or --smtp-host")


def _run_loop(args: argparse.Namespace, dispatcher: Dispatcher, stdout: TextIO) -> int:
    """``--loop``: deliver until SIGTERM/SIGINT, then report and exit 0."""
    import logging

    from quote2order.notifications.loop import DispatchLoop, Wakeup

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    wakeup: Wakeup | None = None
    if args.postgres:
        from quote2order.adapters.postgres import PostgresOutboxListener, PostgresStore

        wakeup = PostgresOutboxListener(PostgresStore(args.postgres, migrate=False))
    loop = DispatchLoop(dispatcher, wakeup=wakeup, poll_interval=args.poll_seconds)
    with loop.signals_stop():
        counts = loop.run()
    print(
        f"stopped: sent {counts.sent}, retrying {counts.retried}, failed {counts.failed}, "
        f"lost leases {counts.lost_leases}",
        file=stdout,
    )
    return 0


def main(
    argv: Sequence[str] | None = None,
    *,
    clock: Clock | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the command; returns the exit status (1 if an entry failed for good in this run
    or the command failed, 2 for a wrong command line), with errors as one line on ``err``."""
    return run(PROG, lambda: _main(argv, clock, out), err=err)


def _main(argv: Sequence[str] | None, clock: Clock | None, out: TextIO | None) -> int:
    from datetime import timedelta

    from quote2order.service import SystemClock

    args = _parser().parse_args(argv)
    stdout = out or sys.stdout
    # The whole command line is checked before the store is opened.
    source = _load(args.source) if args.source is not None else _store_source(args)
    needs_notifier = not (args.list_failed or args.retry)
    notifier: Any = _notifier(args) if needs_notifier else None
    renderers = _renderers(args.render) if needs_notifier else []
    outbox, documents = source()
    dispatcher = Dispatcher(
        outbox,
        documents,
        notifier,
        renderers,
        clock=clock or SystemClock(),
        max_attempts=args.max_attempts,
        backoff=Backoff(base=timedelta(seconds=args.backoff_seconds)),
        message_domain=args.message_domain,
    )
    if args.list_failed:
        for entry in dispatcher.failed():
            print(
                f"{entry.entry_id}\t{entry.notification}\t{entry.recipient}\t{entry.attempts}\t{entry.last_error}",
                file=stdout,
            )
        return 0
    if args.retry:
        for entry_id in args.retry:
            dispatcher.retry(entry_id)
            print(f"retrying {entry_id}", file=stdout)
        return 0
    if args.loop:
        return _run_loop(args, dispatcher, stdout)
    report = dispatcher.run_once() if args.once else dispatcher.run_until_empty()
    print(
        f"sent {report.sent}, retrying {report.retried}, failed {report.failed}, "
        f"lost leases {report.lost_leases}",
        file=stdout,
    )
    return 1 if report.failed else 0
