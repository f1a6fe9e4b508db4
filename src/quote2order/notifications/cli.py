"""``python -m quote2order dispatch``: run the dispatcher from a host's job runner or cron.

The outbox is the reference store's (``--sqlite PATH`` or ``--postgres CONNINFO``), or the
host names a factory (``--source module:function``) returning ``(outbox_store,
documents)``, e.g. ``myshop.quote2order:dispatch_source``; the notifier and renderers are
chosen by options. The SMTP password is read from the environment variable named by
``--password-env``, never from the command line.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from quote2order.notifications.dispatcher import Backoff, Dispatcher
from quote2order.notifications.documents import DocumentSource, Renderer, UnitOfWorkDocuments
from quote2order.notifications.messages import Notifier
from quote2order.ports import Clock, OutboxStore

__all__ = ["main"]

Source = Callable[[], tuple[OutboxStore, DocumentSource]]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quote2order dispatch", description="Deliver due notifications from the outbox."
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--sqlite", metavar="PATH", help="the outbox of this SQLite database")
    source.add_argument(
        "--postgres", metavar="CONNINFO", help="the outbox of this PostgreSQL database"
    )
    source.add_argument("--source", help="module:function returning (outbox_store, documents)")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--directory", help="write .eml files into this directory")
    target.add_argument("--smtp-host", help="send through this SMTP server")
    parser.add_argument("--smtp-port", type=int, default=587)
    parser.add_argument("--security", choices=("none", "starttls", "tls"), default="starttls")
    parser.add_argument("--username")
    parser.add_argument("--password-env", help="environment variable holding the SMTP password")
    parser.add_argument(
        "--render", default="pdf", help="attachments: comma-separated html,pdf or 'none'"
    )
    parser.add_argument("--max-attempts", type=int, default=5)
    parser.add_argument("--backoff-seconds", type=float, default=30.0)
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
        raise SystemExit(f"--source must look like module:function, not {spec!r}")
    factory: Source = getattr(importlib.import_module(module_name), attribute)
    return factory


def _store_source(args: argparse.Namespace) -> Source:
    """The outbox and documents of a reference store named on the command line."""

    def open_store() -> tuple[OutboxStore, DocumentSource]:
        if args.sqlite:
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
            raise SystemExit(f"unknown renderer {name!r} (html, pdf, none)")
    return renderers


def _notifier(args: argparse.Namespace) -> Notifier:
    if args.directory:
        from quote2order.adapters.maildir import DirectoryNotifier

        return DirectoryNotifier(args.directory)
    if args.smtp_host:
        from quote2order.adapters.smtp import SmtpNotifier

        password = os.environ.get(args.password_env) if args.password_env else None
        return SmtpNotifier(
            args.smtp_host,
            args.smtp_port,
            security=args.security,
            username=args.username,
            password=password,
        )
    raise SystemExit("give --directory or --smtp-host")


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
    argv: Sequence[str] | None = None, *, clock: Clock | None = None, out: TextIO | None = None
) -> int:
    """Run the command; returns the exit code (1 if any entry failed for good in this run)."""
    from datetime import timedelta

    from quote2order.service import SystemClock

    args = _parser().parse_args(argv)
    stdout = out or sys.stdout
    outbox, documents = (_load(args.source) if args.source else _store_source(args))()
    needs_notifier = not (args.list_failed or args.retry)
    notifier: Any = _notifier(args) if needs_notifier else None
    dispatcher = Dispatcher(
        outbox,
        documents,
        notifier,
        _renderers(args.render) if needs_notifier else (),
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
