"""Documents and dispatch throughput: prints its figures; ``--quick`` runs in well under a minute.

    PYTHONPATH=src python benchmarks/bench_documents.py [--quick]

Measures a 50-position pro-forma invoice rendered as HTML and as PDF (median and
documents per second; target: PDF median <= 50 ms), and messages per second dispatched
through the SMTP notifier to a local aiosmtpd server (text only, and with the PDF).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from aiosmtpd.controller import Controller

from quote2order import (
    CatalogProduct,
    Customer,
    Money,
    Position,
    PositionKind,
    Quote2Order,
    Shipment,
    VatRate,
)
from quote2order.adapters.html import HtmlRenderer
from quote2order.adapters.pdf import PdfRenderer
from quote2order.adapters.smtp import SmtpNotifier
from quote2order.notifications import (
    Dispatcher,
    Notification,
    NotificationRecorder,
    NotificationSettings,
    Renderer,
    Seller,
    StaticSellerDirectory,
    StaticSettings,
    UnitOfWorkDocuments,
)
from quote2order.ports import DocumentRecord, OutboxEntry
from quote2order.testing import CountingIds, FixedClock, MemoryStore

PDF_TARGET_MS = 50.0


def _setup(positions: int) -> tuple[MemoryStore, FixedClock, Quote2Order]:
    store, clock, ids = MemoryStore(), FixedClock(), CountingIds()
    seller = Seller(
        "r-1",
        "Systemhaus Müller GmbH",
        "auftrag@systemhaus-mueller.example",
        ("Hauptstraße 1", "80331 München"),
        "DE123456789",
    )
    recorder = NotificationRecorder(
        StaticSettings(
            default=NotificationSettings.only(Notification.PROFORMA_INVOICE, channels=[])
        ),
        StaticSellerDirectory(seller),
        ids,
    )
    service = Quote2Order(store, clock=clock, ids=ids, handlers=[recorder])
    customer = Customer(
        "K-1",
        "Erika Mustermann",
        "erika@kunde.example",
        "de_DE",
        "Kunde & Söhne AG",
        ("Königsallee 5", "40212 Düsseldorf"),
        "DE987654321",
    )
    lines = [
        Position(
            f"p{n}",
            PositionKind.CATALOG,
            f'Business-Notebook 14" Größe {n}',
            Decimal(n % 5 + 1),
            Money(f"{999 + n}.{n % 100:02d}", "EUR"),
            VatRate("19" if n % 4 else "7"),
            Decimal(n % 3 * 5),
            CatalogProduct(f"prod-{n}", f"MPN-{n:05d}", f"Notebook {n}"),
        )
        for n in range(1, positions + 1)
    ]
    created = service.create_quote(
        reseller_id="r-1",
        customer=customer,
        title="Arbeitsplätze 2026",
        positions=lines,
        valid_until=date(2026, 3, 31),
    )
    service.send_quote(created.quote.quote_id)
    order = service.mark_quote_won(created.quote.quote_id)
    service.confirm_order(order.order_id)
    service.complete_order(order.order_id, [Shipment("DHL", "00340434161094042557")])
    service.invoice_order(order.order_id)
    return store, clock, service


def _proforma(store: MemoryStore) -> DocumentRecord:
    return next(d for d in store.documents.values() if d.kind == "proforma_invoice")


def _time(render: Callable[[], Any], runs: int) -> list[float]:
    render()  # warm-up: template compilation, catalog loading
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        render()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


class _Sink:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _dispatch_rate(count: int, renderers: list[Renderer]) -> float:
    store, clock, _ = _setup(10)
    document = _proforma(store)
    # The recorder records no entries here (no channels): the benchmark adds its own.
    with store.unit_of_work() as uow:
        for n in range(count):
            uow.outbox.add(
                OutboxEntry(
                    f"bench-{n}",
                    "r-1",
                    "proforma_invoice",
                    "email",
                    "order",
                    document.aggregate_id,
                    f"kunde{n}@example.com",
                    "de_DE",
                    {"document_id": document.document_id},
                    clock.now(),
                )
            )
        uow.commit()
    port = _free_port()
    controller = Controller(_Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        dispatcher = Dispatcher(
            store.outbox_store,
            UnitOfWorkDocuments(store),
            SmtpNotifier("127.0.0.1", port, security="none"),
            renderers,
            clock=clock,
            batch_size=100,
        )
        start = time.perf_counter()
        report = dispatcher.run_until_empty()
        elapsed = time.perf_counter() - start
    finally:
        controller.stop()
    assert report.sent == count, report
    return count / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (< 60 s)")
    args = parser.parse_args(argv)
    runs, messages = (30, 200) if args.quick else (200, 1000)

    store, _, _ = _setup(50)
    proforma = _proforma(store)
    print(f"50-position pro-forma invoice, {runs} runs each")
    results = {}
    for name, renderer in (("HTML", HtmlRenderer()), ("PDF", PdfRenderer())):
        timings = _time(lambda renderer=renderer: renderer.render(proforma), runs)
        median = statistics.median(timings)
        results[name] = median
        print(
            f"  {name:4} median {median:7.2f} ms  p95 {sorted(timings)[int(len(timings) * 0.95) - 1]:7.2f} ms  {1000 / median:8.1f} documents/s"
        )
    print(
        f"  PDF target <= {PDF_TARGET_MS:.0f} ms median: {'met' if results['PDF'] <= PDF_TARGET_MS else 'MISSED'}"
    )

    print(f"dispatch to a local SMTP server, {messages} messages")
    for label, renderers in (("text only", []), ("with the PDF attached", [PdfRenderer()])):
        print(f"  {label:22} {_dispatch_rate(messages, renderers):8.1f} messages/s")
    return 0 if results["PDF"] <= PDF_TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
