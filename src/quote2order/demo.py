"""The quote-to-cash story, end to end, printed as it happens (``python -m quote2order demo``).

It runs on a store of its own (the embedded default), writes the e-mails and documents the
customer receives into an output folder, and says where everything is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from quote2order.adapters.sqlite import SqliteStore
from quote2order.money import Money, VatRate
from quote2order.notifications import (
    BankAccount,
    Dispatcher,
    DocumentTexts,
    NotificationRecorder,
    PaymentTerms,
    Seller,
    StaticSellerDirectory,
    StaticSettings,
    UnitOfWorkDocuments,
)
from quote2order.orders import Order, Shipment, ShipmentItem
from quote2order.positions import CatalogProduct, Position, PositionKind
from quote2order.purchasing import (
    Allocation,
    OptimizedStrategy,
    StaticOfferSource,
    SupplierOffer,
    SupplierTerms,
)
from quote2order.quotes import Customer, Quote
from quote2order.service import Quote2Order
from quote2order.testing import CountingIds, FixedClock

__all__ = ["run_demo"]

Say = Callable[[str], None]
VAT = VatRate("19")
RESELLER = "R-1"
SELLER = Seller(
    RESELLER,
    "Systemhaus Nord GmbH",
    "auftrag@systemhaus-nord.example",
    ("Hafenstraße 12", "20457 Hamburg"),
    "DE811234567",
    phone="+49 40 1234567-0",
    website="www.systemhaus-nord.example",
    legal_form="GmbH",
    registered_office="Hamburg",
    register_court="Amtsgericht Hamburg",
    register_number="HRB 123456",
    managing_directors=("Jana Petersen", "Ole Hansen"),
    tax_number="27/123/45678",
    bank_accounts=(BankAccount("DE89370400440532013000", "COBADEFFXXX", "Commerzbank Hamburg"),),
    payment_terms=PaymentTerms(days=14, discount_percent=Decimal(2), discount_days=7),
    delivery_terms="Lieferung frei Haus innerhalb Deutschlands (DAP Incoterms 2020)",
    texts={
        "quote": DocumentTexts(
            intro="Vielen Dank für Ihre Anfrage. Gerne bieten wir Ihnen an:",
            closing="Wir freuen uns auf Ihren Auftrag.",
        ),
        "order_confirmation": DocumentTexts(closing="Vielen Dank für Ihren Auftrag."),
        "delivery_note": DocumentTexts(
            closing="Bitte prüfen Sie die Lieferung auf Vollständigkeit."
        ),
        "proforma_invoice": DocumentTexts(
            intro="Bitte überweisen Sie den Betrag vorab; die Ware ist geliefert."
        ),
    },
)
LINK_URL = "https://portal.example.com/q/{token}"


def _eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def _catalog(
    position_id: str, product_id: str, mpn: str, name: str, quantity: int, price: str
) -> Position:
    return Position(
        position_id,
        PositionKind.CATALOG,
        name,
        Decimal(quantity),
        _eur(price),
        VAT,
        product=CatalogProduct(product_id, mpn, name),
    )


def _show_quote(say: Say, quote: Quote) -> None:
    version = quote.latest
    totals = version.totals(quote.currency)
    say(f"    quote {quote.number}, version {version.number}, status {quote.status.value}")
    for p in version.positions:
        say(
            f"      {p.position_id:4} {p.kind.value:9} {p.quantity:>3} x {p.name:<38} {p.net_amount}"
        )
    say(f"      net {totals.net}   VAT {totals.vat}   gross {totals.gross}")


def _show_order(say: Say, order: Order) -> None:
    say(f"    order {order.order_number}: {order.status.value}")


def _open_store(out: Path) -> tuple[SqliteStore, Path]:
    """The embedded default store, a fresh SQLite file in ``out``."""
    path = out / "quote2order.db"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)  # each run tells the story from the start
    return SqliteStore(str(path)), path


def run_demo(say: Say = print, out: Path | str = "quote2order-demo") -> Order:
    """Run the whole story, write its documents and e-mails into ``out``; return the order."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    # A clock the story moves forward by hand, so the printed history reads like real days.
    clock = FixedClock(datetime.now(UTC).replace(second=0, microsecond=0))
    ids = CountingIds()
    store, where = _open_store(out)
    try:
        return _story(say, store, clock, ids, out, where)
    finally:
        store.close()


def _story(
    say: Say, store: SqliteStore, clock: FixedClock, ids: CountingIds, out: Path, where: Path
) -> Order:
    recorder = NotificationRecorder(
        StaticSettings(), StaticSellerDirectory(SELLER), ids, link_url=LINK_URL
    )
    service = Quote2Order(store, clock=clock, ids=ids, handlers=[recorder])
    say(f"Database: {where} (SQLite)")

    customer = Customer(
        "C-1001",
        "Dr. Anna Dvořák",
        "anna.dvorak@example.com",
        "de_DE",
        company="Dvořák Architekci sp. z o.o.",
        address=("ul. Piotrkowska 104", "90-001 Łódź", "Polen"),
        vat_id="PL7251234567",
    )
    positions = [
        _catalog("P1", "ipad-air-13", "MV2D3FD/A", "Apple iPad Air 13-inch (M2)", 3, "849.00"),
        Position(
            "P2", PositionKind.FREE_TEXT, "Setup and MDM enrolment", Decimal(3), _eur("45.00"), VAT
        ),
        Position(
            "P3",
            PositionKind.CUSTOM,
            "Berger protective sleeve (own brand)",
            Decimal(3),
            _eur("29.90"),
            VAT,
            discount=Decimal(10),
        ),
    ]
    say(
        "1. The reseller writes a quote: a catalog product, a free-text position, a custom product."
    )
    created = service.create_quote(
        reseller_id=RESELLER,
        customer=customer,
        title="iPads for the design team",
        positions=positions,
        valid_until=clock.now().date() + timedelta(days=30),
    )
    link = created.link_token
    quote_id = created.quote.quote_id
    _show_quote(say, created.quote)

    say("2. It is sent; the customer's e-mail carries the stable link.")
    service.send_quote(quote_id, link_token=link)
    say(f"    link: https://portal.example.com/q/{link[:12]}... ({len(link)} characters)")

    say("3. The customer opens the link and accepts version 1: the won quote becomes an order.")
    clock.advance(timedelta(hours=2))
    order = service.accept_quote(link, service.quote_for_link(link).latest.number)
    _show_order(say, order)

    say("4. The reseller rejects the order: the Apple Pencil was forgotten. The quote is lost.")
    order = service.reject_order(order.order_id, reason="Apple Pencil forgotten")
    _show_order(say, order)
    say(f"    quote status: {service.get_quote(quote_id).status.value}")

    say("5. Reopened as a draft, the quote becomes version 2; the pencil is added and it is sent.")
    quote = service.reopen_quote(quote_id)
    pencil = _catalog(
        "P4", "apple-pencil-2", "MU8F2ZM/A", "Apple Pencil 2nd Generation", 3, "119.00"
    )
    service.edit_quote(quote_id, positions=[*quote.latest.positions, pencil])
    _show_quote(say, service.send_quote(quote_id))

    say("6. The customer opens the same link and sees that this is a new version:")
    shown = service.quote_for_link(link)
    version = shown.latest_sent.number if shown.latest_sent else 0
    say(f"    Version {version}; changes against version {version - 1}:")
    for change in shown.changes(version):
        say(f"      {change.change}: {change.name}")
    clock.advance(timedelta(hours=5))
    order = service.accept_quote(link, version)
    _show_order(say, order)

    say("7. The reseller confirms the order (the order confirmation goes out).")
    order = service.confirm_order(order.order_id)
    _show_order(say, order)

    second = _second_customer_order(service, clock)
    say(f"8. Another customer's order, {second.order_number}, is confirmed too.")
    _purchasing(say, service, [order, second])

    say("10. The goods ship in two parcels of different items; tracking numbers are typed in.")
    clock.advance(timedelta(days=2))
    order = service.ship_order(
        order.order_id,
        Shipment("DHL", "JJD000390007763456", (ShipmentItem("P1", 3), ShipmentItem("P3", 3))),
    )
    _show_order(say, order)
    say(f"    still to ship: {dict(order.outstanding())}")
    clock.advance(timedelta(days=3))
    order = service.ship_order(
        order.order_id, Shipment("DHL", "JJD000390007763457", (ShipmentItem("P4", 3),))
    )
    _show_order(say, order)
    say(f"    tracking numbers: {', '.join(order.tracking_numbers)}")

    say("11. The order is marked invoiced; a pro-forma invoice is created.")
    order = service.invoice_order(order.order_id)
    _show_order(say, order)
    totals = order.totals
    due = SELLER.payment_terms.due_date(clock.now().date())
    say(f"    pro-forma invoice {order.proforma_number}: net {totals.net}, gross {totals.gross}")
    say(f"    due {due.isoformat()} to IBAN {SELLER.bank_accounts[0].iban_grouped}")

    say("History of the order:")
    for event in service.history("order", order.order_id):
        say(f"    {event.occurred_at:%Y-%m-%d %H:%M}  {event.name:<24} by {event.actor}")

    _deliver(say, store, clock, out)
    return order


def _second_customer_order(service: Quote2Order, clock: FixedClock) -> Order:
    created = service.create_quote(
        reseller_id=RESELLER,
        customer=Customer("C-2002", "Jonas Weber", "weber@kanzlei-weber.example", "en_GB"),
        title="Notebooks and docks",
        positions=[
            _catalog("P1", "ipad-air-13", "MV2D3FD/A", "Apple iPad Air 13-inch (M2)", 2, "869.00"),
            _catalog("P2", "usb-c-dock", "40AY0090EU", "Lenovo USB-C Dock", 2, "189.00"),
        ],
        valid_until=clock.now().date() + timedelta(days=14),
    )
    service.send_quote(created.quote.quote_id)
    order = service.accept_quote(created.link_token, 1)
    return service.confirm_order(order.order_id)


def _purchasing(say: Say, service: Quote2Order, orders: Sequence[Order]) -> None:
    say("9. Both orders go into the purchasing cart and are checked out per supplier.")
    numbers = {o.order_id: o.order_number for o in orders}
    for order in orders:
        added = service.add_to_cart(order.order_id)
        for skipped in added.skipped:
            say(
                f"    {order.order_number} {skipped.position_id}: not added ({skipped.reason.value})"
            )
    offers = StaticOfferSource(
        [
            SupplierOffer("Ingram Micro", "ipad-air-13", _eur("731.00"), stock=3, delivery_days=2),
            SupplierOffer("ALSO", "ipad-air-13", _eur("735.50"), 20, 1, partner=True),
            SupplierOffer("Ingram Micro", "apple-pencil-2", _eur("99.90"), 10, 2),
            SupplierOffer("ALSO", "apple-pencil-2", _eur("101.00"), 10, 1, partner=True),
            SupplierOffer("Ingram Micro", "usb-c-dock", _eur("152.00"), 8, 2),
        ],
        [
            SupplierTerms("Ingram Micro", _eur("12.90"), free_shipping_threshold=_eur("1000")),
            SupplierTerms("ALSO", _eur("9.90"), free_shipping_threshold=_eur("500")),
        ],
    )
    strategy = OptimizedStrategy()
    result = service.checkout(RESELLER, offers, strategy=strategy, idempotency_key="demo")

    def serves(allocations: Sequence[Allocation]) -> str:
        return ", ".join(
            f"{numbers[a.order_id]}/{a.position_id} x{a.quantity}" for a in allocations
        )

    say(
        f"    {'purchase order':<15} {'supplier':<13} {'product':<15} {'qty':>3} {'unit':>8}  serves"
    )
    for po in result.purchase_orders:
        for line in po.lines:
            say(
                f"    {po.number:<15} {po.supplier_id:<13} {line.product_id:<15} "
                f"{line.quantity:>3} {line.unit_price.amount:>8}  {serves(line.allocations)}"
            )
        say(f"    {'':<15} goods {po.goods}, shipping {po.shipping}, total {po.total}")
    for uncovered in result.uncovered:
        say(f"    left in the cart: {uncovered.product_id}: {uncovered.reason}")
    _price_of_preferences(say, strategy)


def _price_of_preferences(say: Say, strategy: OptimizedStrategy) -> None:
    """What other purchasing preferences would have cost for the same cart."""
    from quote2order.optimize.compare import compare, format_comparison

    if strategy.last_problem is None:
        return
    say("    What each purchasing preference would cost for this cart:")
    rows = compare(strategy.last_problem, time_limit=10)
    for line in format_comparison(rows, strategy.last_problem.currency).splitlines()[2:]:
        say(f"    {line}")


def _deliver(say: Say, store: SqliteStore, clock: FixedClock, out: Path) -> None:
    """Send the outbox's e-mails into a folder and render every document as HTML and PDF."""
    from quote2order.adapters.maildir import DirectoryNotifier

    renderers = []
    for module, name in (("html", "HtmlRenderer"), ("pdf", "PdfRenderer")):
        try:
            renderers.append(
                getattr(__import__(f"quote2order.adapters.{module}", fromlist=[name]), name)()
            )
        except ImportError:
            say(f"    ({module.upper()} documents need quote2order[{module}]; skipped)")
    mail = out / "mail"
    documents_dir = out / "documents"
    documents_dir.mkdir(parents=True, exist_ok=True)
    report = Dispatcher(
        store.outbox_store,
        UnitOfWorkDocuments(store),
        DirectoryNotifier(mail),
        renderers[-1:],  # the e-mails carry the PDF
        clock=clock,
    ).run_until_empty()
    written = 0
    with store.unit_of_work() as uow:
        records = [
            d for q in uow.quotes.list() for d in uow.documents.for_aggregate("quote", q.quote_id)
        ]
        records += [
            d for o in uow.orders.list() for d in uow.documents.for_aggregate("order", o.order_id)
        ]
    for record in records:
        for renderer in renderers:
            rendered = renderer.render(record)
            (documents_dir / rendered.filename).write_bytes(rendered.content)
            written += 1
    say(f"E-mails: {report.sent} sent into {mail}/ (.eml files)")
    say(f"Documents: {written} files (HTML and PDF) in {documents_dir}/")
