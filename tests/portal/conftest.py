"""Fakes and builders for the portal and board tests: a memory store, a fixed clock,
a handler that files delivery notes and pro-forma invoices, and a renderer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from quote2order import (
    CatalogProduct,
    Customer,
    Money,
    Position,
    PositionKind,
    Quote2Order,
    QuoteNotFound,
    Shipment,
    VatRate,
)
from quote2order.events import DomainEvent, OrderCompleted, OrderInvoiced
from quote2order.notifications import RenderedDocument
from quote2order.portal import Portal
from quote2order.ports import DocumentRecord, UnitOfWork
from quote2order.testing import CountingIds, FixedClock, MemoryStore

VALID_UNTIL = date(2026, 3, 31)


def position(position_id: str, name: str, quantity: int, price: str) -> Position:
    """A catalog position at 19 % VAT."""
    return Position(
        position_id,
        PositionKind.CATALOG,
        name,
        Decimal(quantity),
        Money(Decimal(price), "EUR"),
        VatRate(Decimal(19)),
        product=CatalogProduct(f"p-{position_id}", f"MPN-{position_id}", name),
    )


MACBOOK = position("pos-1", "MacBook Air 13", 2, "1199.00")
IPAD = position("pos-2", "iPad Air 11", 3, "699.00")
PENCIL = position("pos-3", "Apple Pencil 2nd Generation", 3, "129.00")


class DocumentFiler:
    """Files a delivery note on OrderCompleted and a pro-forma invoice on OrderInvoiced."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, uow: UnitOfWork, event: DomainEvent) -> None:
        kinds = {OrderCompleted: "delivery_note", OrderInvoiced: "proforma_invoice"}
        kind = kinds.get(type(event))
        if kind is None:
            return
        self.count += 1
        order = uow.orders.get(event.aggregate_id)
        uow.documents.add(
            DocumentRecord(
                document_id=f"doc-{self.count}",
                kind=kind,
                aggregate_kind="order",
                aggregate_id=order.order_id,
                number=f"{kind}-{self.count}",
                locale=order.customer.locale,
                snapshot={"order_number": order.order_number},
                created_at=event.occurred_at,
            )
        )


class TextRenderer:
    """Renders a document record as its kind, number and snapshot in plain text."""

    media_type = "text/plain"
    extension = "txt"

    def render(self, document: DocumentRecord) -> RenderedDocument:
        lines = [f"{document.kind} {document.number}"]
        lines += [f"{key}: {value}" for key, value in sorted(document.snapshot.items())]
        content = "\n".join(lines).encode()
        return RenderedDocument(f"{document.number}.txt", self.media_type, content)


class World:
    """A service, its portal and a clock over one store (of every kind, see tests/conftest.py)."""

    def __init__(self, store: Any | None = None) -> None:
        self.store = MemoryStore() if store is None else store
        self.clock = FixedClock()
        self.service = Quote2Order(
            self.store, clock=self.clock, ids=CountingIds(), handlers=[DocumentFiler()]
        )
        self.portal = Portal(self.service, renderers=[TextRenderer()])

    def customer(self, number: int) -> Customer:
        return Customer(f"cust-{number}", f"Customer {number}", f"buyer@c{number}.example")

    def sent_quote(
        self, customer: int = 1, positions: Sequence[Position] = (MACBOOK, IPAD)
    ) -> tuple[str, str]:
        """A quote sent to customer ``customer``: (quote_id, link token)."""
        created = self.service.create_quote(
            reseller_id="reseller-1",
            customer=self.customer(customer),
            title=f"Devices for customer {customer}",
            positions=positions,
            valid_until=VALID_UNTIL,
        )
        self.service.send_quote(created.quote.quote_id)
        self.clock.advance()
        return created.quote.quote_id, created.link_token

    def invoiced(self, customer: int = 1) -> tuple[str, str, str]:
        """A quote accepted, confirmed, completed and invoiced: (quote_id, token, order_id)."""
        quote_id, token = self.sent_quote(customer)
        order = self.service.accept_quote(token, 1)
        self.service.confirm_order(order.order_id)
        self.service.complete_order(order.order_id, [Shipment("DHL", f"TRACK-{customer}")])
        self.clock.advance()
        self.service.invoice_order(order.order_id)
        return quote_id, token, order.order_id


@pytest.fixture
def world(new_store: Callable[[], Any]) -> World:
    return World(new_store())


NOT_FOUND_MESSAGE = "quote not found: (link token)"


def assert_not_found(call: Callable[..., object], *args: object, **kwargs: object) -> None:
    """``call(*args, **kwargs)`` is refused exactly like an unknown link: same type, message."""
    with pytest.raises(QuoteNotFound) as raised:
        call(*args, **kwargs)
    assert type(raised.value) is QuoteNotFound
    assert str(raised.value) == NOT_FOUND_MESSAGE


def later(world: World, days: int) -> None:
    world.clock.advance(timedelta(days=days))
