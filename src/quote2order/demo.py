"""The quote-to-cash story, end to end, printed as it happens (``python -m quote2order demo``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from quote2order.adapters.memory import MemoryStore
from quote2order.money import Money, VatRate
from quote2order.orders import Order, Shipment
from quote2order.positions import CatalogProduct, Position, PositionKind
from quote2order.quotes import Customer, Quote
from quote2order.service import Quote2Order
from quote2order.testing import CountingIds, FixedClock

__all__ = ["run_demo"]

VAT = VatRate("19")


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


def _show_quote(say: Callable[[str], None], quote: Quote) -> None:
    version = quote.latest
    totals = version.totals(quote.currency)
    say(f"    quote {quote.quote_id}, version {version.number}, status {quote.status.value}")
    for p in version.positions:
        say(
            f"      {p.position_id:4} {p.kind.value:9} {p.quantity:>3} x {p.name:<32} {p.net_amount}"
        )
    say(f"      net {totals.net}   VAT {totals.vat}   gross {totals.gross}")


def _show_order(say: Callable[[str], None], order: Order) -> None:
    say(f"    order {order.order_number} ({order.order_id}): {order.status.value}")


def run_demo(say: Callable[[str], None] = print) -> Order:
    """Run the whole story on an in-memory store and return the final order."""
    # A clock the story moves forward by hand, so the printed history reads like real days.
    clock = FixedClock(datetime.now(UTC).replace(second=0, microsecond=0))
    store = MemoryStore()
    service = Quote2Order(store, clock=clock, ids=CountingIds())
    customer = Customer(
        "C-1001",
        "Dr. Anna Berger",
        "anna.berger@example.com",
        "de_DE",
        company="Berger Architekten GmbH",
        address=("Hauptstraße 5", "80331 München"),
        vat_id="DE123456789",
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
        "1. The reseller writes a quote with a catalog product, a free-text position and a custom product."
    )
    created = service.create_quote(
        reseller_id="R-1",
        customer=customer,
        title="iPads for the design team",
        positions=positions,
        valid_until=clock.now().date() + timedelta(days=30),
    )
    link = created.link_token
    quote_id = created.quote.quote_id
    _show_quote(say, created.quote)

    say("2. It is sent; the customer receives a stable link.")
    service.send_quote(quote_id)
    say(f"    link: https://portal.example.com/q/{link[:12]}... ({len(link)} characters)")

    say("3. The customer opens the link and accepts version 1: the won quote becomes an order.")
    clock.advance(timedelta(hours=2))
    shown = service.quote_for_link(link)
    order = service.accept_quote(link, shown.latest.number)
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
    quote = service.send_quote(quote_id)
    _show_quote(say, quote)

    say("6. The customer opens the same link and sees that this is a new version:")
    shown = service.quote_for_link(link)
    say(f"    Version {shown.latest_sent.number if shown.latest_sent else '?'}; changes:")
    for change in shown.changes(2):
        say(f"      {change.change}: {change.name}")
    clock.advance(timedelta(hours=5))
    order = service.accept_quote(link, 2)
    _show_order(say, order)

    say("7. The reseller confirms the order.")
    order = service.confirm_order(order.order_id)
    _show_order(say, order)

    say("8. The goods ship in two parcels; the tracking numbers are entered by hand.")
    clock.advance(timedelta(days=2))
    order = service.complete_order(
        order.order_id,
        [Shipment("DHL", "JJD000390007763456"), Shipment("DHL", "JJD000390007763457")],
    )
    _show_order(say, order)
    say(f"    tracking numbers: {', '.join(order.tracking_numbers)}")

    say("9. The order is marked invoiced; a pro-forma invoice is created.")
    order = service.invoice_order(order.order_id)
    _show_order(say, order)
    totals = order.totals
    say(f"    pro-forma invoice {order.proforma_number}: net {totals.net}, gross {totals.gross}")

    say("History of the order:")
    for event in service.history("order", order.order_id):
        say(f"    {event.occurred_at:%Y-%m-%d %H:%M}  {event.name:<16} by {event.actor}")
    return order
