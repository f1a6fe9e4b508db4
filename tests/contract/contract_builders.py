"""Small builders of the stored aggregates and records for the storage tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from quote2order.money import Money, VatRate
from quote2order.orders import Order
from quote2order.ports import DocumentRecord, OutboxEntry
from quote2order.positions import CatalogProduct, Position, PositionKind
from quote2order.purchasing.cart import Allocation, Cart
from quote2order.purchasing.purchase_orders import PurchaseOrder, PurchaseOrderLine
from quote2order.quotes import Customer, Quote

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
CUSTOMER = Customer(
    "customer-1",
    "Erika Musterfrau",
    "erika@example.com",
    company="Muster AG",
    address=("Hauptstraße 1", "10115 Berlin"),
)


def make_positions(count: int = 2) -> list[Position]:
    """``count`` positions: catalog products, every third one a free-text line."""
    positions = []
    for i in range(1, count + 1):
        if i % 3 == 0:
            positions.append(
                Position(
                    f"pos-{i}",
                    PositionKind.FREE_TEXT,
                    f"Installation {i}",
                    Decimal("1.5"),
                    Money("95.00", "EUR"),
                    VatRate("19"),
                    description="vor Ort",
                )
            )
        else:
            positions.append(
                Position(
                    f"pos-{i}",
                    PositionKind.CATALOG,
                    f"Notebook {i}",
                    Decimal(i),
                    Money("1299.9900", "EUR"),
                    VatRate("19"),
                    discount=Decimal("2.5"),
                    product=CatalogProduct(
                        f"prod-{i}", f"MPN-{i}", f"Notebook {i}", Money("1100.00", "EUR")
                    ),
                )
            )
    return positions


def make_quote(
    quote_id: str = "quote-1",
    *,
    reseller_id: str = "reseller-1",
    token_hash: str | None = None,
    positions: int = 2,
) -> Quote:
    """A draft quote (version 1) with ``positions`` positions."""
    quote, _ = Quote.create(
        quote_id=quote_id,
        reseller_id=reseller_id,
        customer=CUSTOMER,
        currency="EUR",
        link_token_hash=token_hash or f"hash-of-{quote_id}",
        title="Arbeitsplätze 2026",
        positions=make_positions(positions),
        valid_until=date(2026, 2, 28),
        now=NOW,
        actor="reseller",
    )
    return quote


def make_order(
    quote: Quote | None = None, order_id: str = "order-1", *, quote_id: str = "quote-1"
) -> Order:
    """The order of ``quote``'s latest version (a fresh sent-and-won quote if None)."""
    if quote is None:
        quote = make_quote(quote_id)
    order, _ = Order.from_quote(
        quote, order_id=order_id, order_number=f"AB-{order_id}", now=NOW, actor="customer"
    )
    return order


def make_entry(entry_id: str = "entry-1", **changes: Any) -> OutboxEntry:
    """A pending outbox entry for an order confirmation."""
    values: dict[str, Any] = {
        "entry_id": entry_id,
        "reseller_id": "reseller-1",
        "notification": "order_confirmation",
        "channel": "email",
        "aggregate_kind": "order",
        "aggregate_id": "order-1",
        "recipient": "erika@example.com",
        "locale": "de_DE",
        "payload": {"order_number": "AB-2026-00001", "lines": [1, 2], "note": "Grüße"},
        "created_at": NOW,
    }
    values.update(changes)
    return OutboxEntry(**values)


def make_document(
    document_id: str = "doc-1", aggregate_id: str = "order-1", kind: str = "order_confirmation"
) -> DocumentRecord:
    """A document record of an order."""
    return DocumentRecord(
        document_id=document_id,
        kind=kind,
        aggregate_kind="order",
        aggregate_id=aggregate_id,
        number=f"N-{document_id}",
        locale="de_DE",
        snapshot={"total": "1234.56", "positions": [{"name": "Notebook"}]},
        created_at=NOW,
    )


def make_cart(reseller_id: str = "reseller-1", order_id: str = "order-1") -> Cart:
    """A cart holding the catalog positions of ``make_positions(5)`` for ``order_id``."""
    cart = Cart(reseller_id)
    catalog = [p for p in make_positions(5) if p.procurable]
    cart.add(order_id, [(p, p.quantity) for p in catalog])
    return cart


def make_purchase_order(
    purchase_order_id: str = "po-1",
    *,
    reseller_id: str = "reseller-1",
    supplier_id: str = "alpha",
    order_id: str = "order-1",
) -> PurchaseOrder:
    """A draft purchase order with two lines serving positions of ``order_id``."""
    product = CatalogProduct("prod-1", "MPN-1", "Notebook 1", Money("1100.00", "EUR"))
    lines = (
        PurchaseOrderLine(
            "1",
            "L1",
            product,
            Decimal(3),
            Money("1099.9900", "EUR"),
            (Allocation(order_id, "pos-1", Decimal(1)), Allocation("order-2", "pos-4", Decimal(2))),
            delivery_days=2,
        ),
        PurchaseOrderLine(
            "2",
            "L2",
            CatalogProduct("prod-2", "MPN-2", "Dock"),
            Decimal(2),
            Money("89.5", "EUR"),
            (Allocation(order_id, "pos-2", Decimal(2)),),
            received=Decimal(1),
        ),
    )
    return PurchaseOrder(
        purchase_order_id=purchase_order_id,
        number=f"PO-2026-{purchase_order_id}",
        reseller_id=reseller_id,
        supplier_id=supplier_id,
        partner=True,
        currency="EUR",
        lines=lines,
        shipping=Money("9.90", "EUR"),
        created_at=NOW,
        checkout_id="checkout-1",
    )
