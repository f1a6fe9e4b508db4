"""Shared fixtures for the core tests: a fixed clock, counting ids, a memory store, samples."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from quote2order import (
    CatalogProduct,
    Customer,
    Money,
    Order,
    Position,
    PositionKind,
    Quote2Order,
    VatRate,
)
from quote2order.service import CreatedQuote
from quote2order.testing import CountingIds, FixedClock
from tests.stores import committed_state

# Moderate example counts keep the whole suite well under a minute on two shared cores;
# HYPOTHESIS_PROFILE=thorough runs the same properties far harder.
settings.register_profile(
    "core", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "core"))

START = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
VAT19 = VatRate("19")


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def catalog_position(
    position_id: str = "P1",
    name: str = "Apple iPad Air 13-inch (M2)",
    quantity: int = 3,
    price: str = "849.00",
    product_id: str = "ipad-air-13",
) -> Position:
    return Position(
        position_id,
        PositionKind.CATALOG,
        name,
        Decimal(quantity),
        eur(price),
        VAT19,
        product=CatalogProduct(product_id, "MV2D3FD/A", name, eur("700.00")),
    )


def free_text_position(position_id: str = "P2") -> Position:
    return Position(
        position_id,
        PositionKind.FREE_TEXT,
        "Setup and MDM enrolment",
        Decimal(3),
        eur("45.00"),
        VAT19,
    )


def custom_position(position_id: str = "P3") -> Position:
    return Position(
        position_id,
        PositionKind.CUSTOM,
        "Protective sleeve (own brand)",
        Decimal(3),
        eur("29.90"),
        VAT19,
        discount=Decimal(10),
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def store(new_store: Callable[[], Any]) -> Any:
    """The store under test: memory, a SQLite file or PostgreSQL (see tests/conftest.py)."""
    return new_store()


@pytest.fixture
def service(store: Any, clock: FixedClock) -> Quote2Order:
    return Quote2Order(store, clock=clock, ids=CountingIds())


@pytest.fixture
def customer() -> Customer:
    return Customer(
        "C-1001",
        "Dr. Anna Berger",
        "anna.berger@example.com",
        company="Berger Architekten GmbH",
        address=("Hauptstraße 5", "80331 München"),
        vat_id="DE123456789",
    )


@pytest.fixture
def positions() -> list[Position]:
    return [catalog_position(), free_text_position(), custom_position()]


@pytest.fixture
def valid_until(clock: FixedClock) -> date:
    return clock.now().date() + timedelta(days=30)


@pytest.fixture
def make_quote(
    service: Quote2Order, customer: Customer, positions: list[Position], valid_until: date
) -> Callable[..., CreatedQuote]:
    """Create a draft quote (send=True: and send it)."""

    def make(*, send: bool = False, reseller_id: str = "R-1") -> CreatedQuote:
        created = service.create_quote(
            reseller_id=reseller_id,
            customer=customer,
            title="iPads for the design team",
            positions=positions,
            valid_until=valid_until,
        )
        if send:
            service.send_quote(created.quote.quote_id)
        return created

    return make


@pytest.fixture
def make_order(
    service: Quote2Order, make_quote: Callable[..., CreatedQuote]
) -> Callable[[], Order]:
    """An open order made from a sent and accepted quote."""

    def make() -> Order:
        created = make_quote(send=True)
        return service.accept_quote(created.link_token, 1)

    return make


def snapshot(service: Quote2Order) -> tuple[object, ...]:
    """Everything the service can tell about its store, for before/after comparisons."""
    quotes = service.list_quotes()
    orders = service.list_orders()
    return (
        quotes,
        orders,
        [service.history("quote", q.quote_id) for q in quotes],
        [service.history("order", o.order_id) for o in orders],
    )


def store_state(store: Any) -> dict[str, object]:
    """A deep, comparable copy of everything committed in the store."""
    return committed_state(store)
