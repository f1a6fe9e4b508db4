"""Builders for purchasing tests: a service on the memory store and confirmed orders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
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
    StaticOfferSource,
    SupplierOffer,
    SupplierTerms,
    VatRate,
)
from quote2order.testing import CountingIds, FixedClock, MemoryStore
from tests.stores import committed_state

RESELLER = "reseller-1"


def catalog(position_id: str, product_id: str, quantity: int, price: str = "100") -> Position:
    return Position(
        position_id,
        PositionKind.CATALOG,
        f"Product {product_id}",
        Decimal(quantity),
        Money(price, "EUR"),
        VatRate("19"),
        product=CatalogProduct(product_id, f"MPN-{product_id}", f"Product {product_id}"),
    )


def free_text(position_id: str) -> Position:
    return Position(
        position_id, PositionKind.FREE_TEXT, "Setup", Decimal(1), Money("80", "EUR"), VatRate("19")
    )


def custom(position_id: str) -> Position:
    return Position(
        position_id,
        PositionKind.CUSTOM,
        "Own cable kit",
        Decimal(2),
        Money("15", "EUR"),
        VatRate("19"),
    )


def offer(
    supplier: str, product: str, price: str, stock: int, partner: bool = False
) -> SupplierOffer:
    return SupplierOffer(supplier, product, Money(price, "EUR"), stock, 2, partner)


def terms(
    supplier: str, shipping: str = "10", free_from: str | None = None, minimum: str | None = None
) -> SupplierTerms:
    return SupplierTerms(
        supplier,
        Money(shipping, "EUR"),
        None if free_from is None else Money(free_from, "EUR"),
        None if minimum is None else Money(minimum, "EUR"),
    )


class Shop:
    """A service over a store (of every kind), with helpers that make confirmed orders."""

    def __init__(self, store: Any | None = None) -> None:
        self.store = MemoryStore() if store is None else store
        self.clock = FixedClock()
        self.service = Quote2Order(self.store, clock=self.clock, ids=CountingIds())
        self._customers = 0

    def order(self, *positions: Position, confirm: bool = True) -> Order:
        self._customers += 1
        n = self._customers
        created = self.service.create_quote(
            reseller_id=RESELLER,
            customer=Customer(f"customer-{n}", f"Customer {n}", f"buyer{n}@example.com"),
            title=f"Quote {n}",
            positions=positions,
            valid_until=date(2026, 12, 31),
        )
        self.service.send_quote(created.quote.quote_id)
        order = self.service.mark_quote_won(created.quote.quote_id)
        if confirm:
            order = self.service.confirm_order(order.order_id)
        return order

    def snapshot(self) -> object:
        """Everything committed, as comparable values."""
        return committed_state(self.store)


@pytest.fixture
def shop(new_store: Callable[[], Any]) -> Shop:
    return Shop(new_store())


OFFERS = StaticOfferSource(
    [
        offer("alpha", "P1", "90", 100),
        offer("beta", "P1", "85", 3),
        offer("alpha", "P2", "40", 100),
        offer("beta", "P2", "45", 100, partner=True),
    ],
    [terms("alpha"), terms("beta", free_from="200")],
)
