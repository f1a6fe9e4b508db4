"""The whole quote-to-order flow through ``Quote2Order(store)``, on every store."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from quote2order import (
    AlreadyAccepted,
    CatalogProduct,
    IdempotencyConflict,
    Money,
    OrderStatus,
    Position,
    PositionKind,
    Quote2Order,
    QuoteStatus,
    Shipment,
    VatRate,
)
from quote2order.testing import CountingIds, FixedClock
from quote2order.testing.contract import CUSTOMER, make_positions


def _service(store: Any) -> Quote2Order:
    return Quote2Order(store, clock=FixedClock(), ids=CountingIds())


def test_full_flow_from_quote_to_invoice_with_a_renegotiated_version(store: Any) -> None:
    app = _service(store)
    created = app.create_quote(
        reseller_id="reseller-1",
        customer=CUSTOMER,
        title="Arbeitsplätze",
        positions=make_positions(2),
        valid_until=date(2026, 2, 28),
    )
    quote_id, token = created.quote.quote_id, created.link_token
    app.send_quote(quote_id)
    first = app.accept_quote(token, 1)
    with pytest.raises(AlreadyAccepted):
        app.accept_quote(token, 1)

    app.reject_order(first.order_id, reason="Stift vergessen")
    assert app.get_quote(quote_id).status is QuoteStatus.LOST
    reopened = app.reopen_quote(quote_id)
    assert reopened.latest.number == 2
    pencil = Position(
        "pos-pencil",
        PositionKind.CATALOG,
        "Apple Pencil 2nd Generation",
        Decimal(2),
        Money("129.00", "EUR"),
        VatRate("19"),
        product=CatalogProduct("prod-pencil", "MU8F2ZM/A", "Apple Pencil 2nd Generation"),
    )
    positions = [*reopened.latest.positions, pencil]
    app.edit_quote(quote_id, positions=positions, notes="mit Installation")
    app.send_quote(quote_id)
    assert app.quote_for_link(token).latest_sent.number == 2  # type: ignore[union-attr]

    order = app.accept_quote(token, 2)
    assert order.quote_version == 2
    app.confirm_order(order.order_id)
    app.complete_order(order.order_id, [Shipment("DHL", "00340434161094042557")])
    invoiced = app.invoice_order(order.order_id)

    assert invoiced.status is OrderStatus.INVOICED
    assert invoiced.proforma_number is not None
    stored = app.get_order(order.order_id)
    assert stored == invoiced
    assert stored.revision == 3
    assert stored.tracking_numbers == ("00340434161094042557",)
    assert [p.name for p in stored.positions][-1] == "Apple Pencil 2nd Generation"
    assert [o.order_id for o in app.list_orders(reseller_id="reseller-1")] == [
        first.order_id,
        order.order_id,
    ]
    assert [e.name for e in app.history("order", order.order_id)] == [
        "OrderCreated",
        "OrderConfirmed",
        "OrderCompleted",
        "OrderInvoiced",
    ]
    assert [e.name for e in app.history("quote", quote_id)] == [
        "QuoteCreated",
        "QuoteSent",
        "QuoteAccepted",
        "QuoteRejected",
        "QuoteVersionCreated",
        "QuoteEdited",
        "QuoteSent",
        "QuoteAccepted",
    ]


def test_idempotency_key_replays_the_first_result_and_refuses_other_arguments(
    store: Any,
) -> None:
    app = _service(store)
    created = app.create_quote(
        reseller_id="reseller-1",
        customer=CUSTOMER,
        title="Server",
        positions=make_positions(1),
        valid_until=date(2026, 2, 28),
    )
    app.send_quote(created.quote.quote_id)
    first = app.accept_quote(created.link_token, 1, idempotency_key="accept-1")
    again = app.accept_quote(created.link_token, 1, idempotency_key="accept-1")
    assert again == first
    with pytest.raises(IdempotencyConflict):
        app.confirm_order(first.order_id, idempotency_key="accept-1")
    assert len(app.list_orders()) == 1
