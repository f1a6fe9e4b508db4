"""An HTTP API over a memory store, with a header-based stand-in for the host's login."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi import Header, HTTPException
from fastapi.testclient import TestClient

from quote2order import Money, Quote2Order
from quote2order.adapters.memory import MemoryStore
from quote2order.api import CustomerLogin, Principal, create_app
from quote2order.notifications import (
    NotificationRecorder,
    Seller,
    StaticSellerDirectory,
    StaticSettings,
)
from quote2order.purchasing import StaticOfferSource, SupplierOffer, SupplierTerms
from quote2order.testing import CountingIds, FixedClock

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def reseller(
    x_reseller: str = Header(pattern=r"^R-[0-9]{1,4}$"),
    x_actor: str = Header("reseller", max_length=64),
) -> Principal:
    """The test host's login: the reseller comes from a header its proxy would set."""
    if not x_reseller:  # pragma: no cover - the pattern refuses it first
        raise HTTPException(401, "not logged in")
    return Principal(x_reseller, x_actor)


def portal_customer(
    x_customer: str | None = Header(None, pattern=r"^R-[0-9]{1,4}/C-[0-9]{1,6}$"),
) -> CustomerLogin | None:
    """The test host's customer login for portal documents: ``reseller/customer``."""
    if x_customer is None:
        return None
    reseller_id, customer_id = x_customer.split("/")
    return CustomerLogin(reseller_id, customer_id)


def offers(reseller_id: str) -> StaticOfferSource:
    eur = lambda amount: Money(Decimal(amount), "EUR")  # noqa: E731
    return StaticOfferSource(
        [
            SupplierOffer("Ingram Micro", "ipad-air-13", eur("731.00"), stock=50, delivery_days=2),
            SupplierOffer("ALSO", "apple-pencil-2", eur("99.90"), stock=50, delivery_days=1),
        ],
        [SupplierTerms("Ingram Micro", eur("12.90")), SupplierTerms("ALSO", eur("9.90"))],
    )


def build_app(store: Any = None) -> tuple[Any, Quote2Order, FixedClock]:
    from quote2order.adapters.html import HtmlRenderer

    clock = FixedClock(NOW)
    ids = CountingIds()
    sellers = StaticSellerDirectory(
        Seller("R-1", "Systemhaus Nord GmbH", "auftrag@nord.example", ("Hafen 1",), "DE1"),
        Seller("R-2", "Systemhaus Süd GmbH", "auftrag@sued.example", ("Markt 2",), "DE2"),
    )
    recorder = NotificationRecorder(StaticSettings(), sellers, ids)
    service = Quote2Order(store or MemoryStore(), clock=clock, ids=ids, handlers=[recorder])
    app = create_app(
        service,
        auth=reseller,
        portal_customer=portal_customer,
        renderers=[HtmlRenderer()],
        offers=offers,
    )
    return app, service, clock


@pytest.fixture
def api(new_store: Callable[[], Any]) -> Iterator[tuple[TestClient, Quote2Order, FixedClock]]:
    """The test app over the store under test: memory, a SQLite file or PostgreSQL."""
    app, service, clock = build_app(new_store())
    with TestClient(app, headers={"X-Reseller": "R-1"}) as client:
        yield client, service, clock


QUOTE = {
    "customer": {
        "customer_id": "C-1001",
        "name": "Dr. Anna Berger",
        "email": "anna.berger@example.com",
        "company": "Berger Architekten GmbH",
    },
    "title": "iPads for the design team",
    "valid_until": "2026-04-01",
    "positions": [
        {
            "position_id": "P1",
            "kind": "catalog",
            "name": "Apple iPad Air 13-inch (M2)",
            "quantity": "3",
            "unit_price": "849.00",
            "vat_rate": "19",
            "product": {
                "product_id": "ipad-air-13",
                "manufacturer_part_number": "MV2D3FD/A",
                "name": "Apple iPad Air 13-inch (M2)",
            },
        },
        {
            "position_id": "P2",
            "kind": "free_text",
            "name": "Setup and MDM enrolment",
            "quantity": "3",
            "unit_price": "45.00",
            "vat_rate": "19",
        },
    ],
}
PENCIL = {
    "position_id": "P4",
    "kind": "catalog",
    "name": "Apple Pencil 2nd Generation",
    "quantity": "3",
    "unit_price": "119.00",
    "vat_rate": "19",
    "product": {
        "product_id": "apple-pencil-2",
        "manufacturer_part_number": "MU8F2ZM/A",
        "name": "Apple Pencil 2nd Generation",
    },
}
