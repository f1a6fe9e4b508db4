"""A small world for the notification tests: a store, a seller, a service with the recorder."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from quote2order import (
    CatalogProduct,
    Customer,
    Money,
    Order,
    Position,
    PositionKind,
    Quote2Order,
    Shipment,
    VatRate,
)
from quote2order.notifications import (
    Dispatcher,
    NotificationRecorder,
    NotificationSettings,
    Renderer,
    Seller,
    StaticSellerDirectory,
    StaticSettings,
    UnitOfWorkDocuments,
)
from quote2order.notifications.messages import Notifier
from quote2order.ports import DocumentRecord
from quote2order.testing import CountingIds, FixedClock, MemoryStore, RecordingNotifier
from tests.stores import all_documents

# Test modules that need the optional extras (html, pdf) or the test extra's SMTP server
# and PDF reader; a session without them (nox's "no extras" run) leaves them out.
_NEEDS = {
    "test_chaos.py": ("aiosmtpd",),
    "test_directory_and_cli.py": ("jinja2", "fpdf"),
    "test_docs.py": ("jinja2", "fpdf"),
    "test_documents.py": ("jinja2", "fpdf", "pypdf"),
    "test_smtp.py": ("aiosmtpd",),
}
collect_ignore = [
    name
    for name, modules in _NEEDS.items()
    if any(importlib.util.find_spec(module) is None for module in modules)
]

SELLER = Seller(
    reseller_id="reseller-1",
    name="Systemhaus Müller GmbH",
    email="auftrag@systemhaus-mueller.example",
    address=("Hauptstraße 1", "80331 München", "Deutschland"),
    vat_id="DE123456789",
    phone="+49 89 1234567",
)

CUSTOMER = Customer(
    customer_id="K-1001",
    name="Erika Mustermann",
    email="erika@kunde.example",
    locale="de_DE",
    company="Kunde & Söhne AG",
    address=("Königsallee 5", "40212 Düsseldorf"),
    vat_id="DE987654321",
)


def position(
    number: int, *, price: str = "1234.56", quantity: str = "2", vat: str = "19", name: str = ""
) -> Position:
    """A catalog position with a readable name and part number."""
    return Position(
        position_id=f"p{number}",
        kind=PositionKind.CATALOG,
        name=name or f"Notebook Größe {number}",
        quantity=Decimal(quantity),
        unit_price=Money(price, "EUR"),
        vat_rate=VatRate(vat),
        product=CatalogProduct(f"prod-{number}", f"MPN-{number:04d}", f"Notebook {number}"),
    )


class World:
    """The service and its collaborators, wired like a host application would."""

    def __init__(
        self,
        settings: NotificationSettings | None = None,
        *,
        customer: Customer = CUSTOMER,
        uow_factory: object = None,
        store: Any | None = None,
        seller: Seller = SELLER,
    ) -> None:
        self.store = MemoryStore() if store is None else store
        self.clock = FixedClock()
        self.ids = CountingIds()
        self.recorder = NotificationRecorder(
            StaticSettings(default=settings), StaticSellerDirectory(seller), self.ids
        )
        self.customer = customer
        factory = uow_factory if uow_factory is not None else self.store
        self.service = Quote2Order(
            factory,  # type: ignore[arg-type]
            clock=self.clock,
            ids=self.ids,
            handlers=[self.recorder],
        )

    def documents(self) -> dict[str, DocumentRecord]:
        """Every document record committed, by id."""
        return {d.document_id: d for d in all_documents(self.store)}

    def sent_quote(
        self, positions: Sequence[Position] | None = None, title: str = "Arbeitsplätze 2026"
    ) -> str:
        created = self.service.create_quote(
            reseller_id=SELLER.reseller_id,
            customer=self.customer,
            title=title,
            positions=positions
            if positions is not None
            else [position(1), position(2, vat="7", price="19.99")],
            valid_until=date(2026, 3, 31),
        )
        self.service.send_quote(created.quote.quote_id)
        self.link = created.link_token
        return created.quote.quote_id

    def order(self, positions: Sequence[Position] | None = None) -> Order:
        quote_id = self.sent_quote(positions)
        return self.service.mark_quote_won(quote_id)

    def invoiced_order(self, positions: Sequence[Position] | None = None) -> Order:
        order = self.order(positions)
        self.service.confirm_order(order.order_id)
        self.clock.advance(timedelta(days=2))
        self.service.complete_order(order.order_id, [Shipment("DHL", "00340434161094042557")])
        self.clock.advance(timedelta(days=1))
        return self.service.invoice_order(order.order_id)

    def dispatcher(
        self, notifier: Notifier, renderers: Sequence[Renderer] = (), **options: object
    ) -> Dispatcher:
        return Dispatcher(
            self.store.outbox_store,
            UnitOfWorkDocuments(self.store),
            notifier,
            renderers,
            clock=self.clock,
            **options,  # type: ignore[arg-type]
        )


@pytest.fixture
def world(new_store: Callable[[], Any]) -> World:
    return World(store=new_store())


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()
