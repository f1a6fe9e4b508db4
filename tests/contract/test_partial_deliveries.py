"""Partial deliveries on every store: parcels over time, closing the rest, the documents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from quote2order import (
    InvalidTransition,
    Order,
    OrderStatus,
    Quote2Order,
    Shipment,
    ShipmentItem,
    ValidationError,
)
from quote2order.notifications import NotificationRecorder, StaticSellerDirectory, StaticSettings
from quote2order.notifications.sellers import Seller
from quote2order.testing import CountingIds, FixedClock
from quote2order.testing.contract import CUSTOMER, make_positions

Reopen = Callable[[], Any]  # the contract fixture: another handle on the test's store
SELLER = Seller("reseller-1", "Systemhaus Nord GmbH", "auftrag@nord.example")


def _service(store: Any, clock: FixedClock | None = None) -> Quote2Order:
    ids = CountingIds()
    recorder = NotificationRecorder(StaticSettings(), StaticSellerDirectory(SELLER), ids)
    return Quote2Order(store, clock=clock or FixedClock(), ids=ids, handlers=[recorder])


def _confirmed(app: Quote2Order) -> Order:
    """An order of pos-1 (1 notebook), pos-2 (2 notebooks) and pos-3 (a service, 1.5 h)."""
    created = app.create_quote(
        reseller_id="reseller-1",
        customer=CUSTOMER,
        title="Arbeitsplätze",
        positions=make_positions(3),
        valid_until=date(2026, 2, 28),
    )
    app.send_quote(created.quote.quote_id)
    order = app.accept_quote(created.link_token, 1)
    return app.confirm_order(order.order_id)


def _parcel(number: str, *items: tuple[str, int], carrier: str = "DHL") -> Shipment:
    return Shipment(carrier, number, tuple(ShipmentItem(p, q) for p, q in items))


def _delivery_notes(app: Quote2Order, order_id: str) -> list[dict[str, Any]]:
    return [d.snapshot for d in app.documents("order", order_id) if d.kind == "delivery_note"]


def test_two_parcels_of_different_items_ship_the_order_over_time(reopen: Reopen) -> None:
    clock = FixedClock()
    app = _service(reopen(), clock)
    order = _confirmed(app)

    clock.advance(timedelta(days=1))
    first = app.ship_order(order.order_id, _parcel("JJD1", ("pos-2", 2)))
    assert first.status is OrderStatus.PARTLY_SHIPPED
    assert first.outstanding() == {"pos-1": Decimal(1)}
    clock.advance(timedelta(days=2))
    done = app.ship_order(order.order_id, _parcel("1Z9", ("pos-1", 1), carrier="UPS"))
    assert done.status is OrderStatus.COMPLETED
    assert done.completed_at == clock.now()

    # What was stored, read through another handle on the same database.
    stored = _service(reopen()).get_order(order.order_id)
    assert stored == done
    assert [s.shipped_at for s in stored.shipments] == [
        clock.now() - timedelta(days=2),
        clock.now(),
    ]
    assert stored.shipped_quantities() == {"pos-1": Decimal(1), "pos-2": Decimal(2)}
    names = [e.name for e in app.history("order", order.order_id)][-3:]
    assert names == ["OrderShipped", "OrderShipped", "OrderCompleted"]

    # One delivery note per parcel, listing exactly its goods; the service as a service.
    notes = _delivery_notes(app, order.order_id)
    assert [n["number"] for n in notes] == ["AB-2026-00001-1", "AB-2026-00001-2"]
    for note, goods in zip(notes, (["pos-2"], ["pos-1"]), strict=True):
        shipped = [p["position_id"] for p in note["positions"] if not p["service"]]
        services = [p["position_id"] for p in note["positions"] if p["service"]]
        assert (shipped, services) == (goods, ["pos-3"])
        assert len(note["shipments"]) == 1
    assert notes[0]["delivery"]["outstanding"] == [{"name": "Notebook 1", "quantity": "1"}]
    assert notes[1]["delivery"]["outstanding"] == []

    invoiced = app.invoice_order(order.order_id)
    proforma = app.documents("order", order.order_id)[-1].snapshot
    assert proforma["totals"]["gross"] == str(invoiced.totals.gross.amount)
    assert proforma["delivery"]["not_delivered"] == []


def test_closing_the_rest_bills_what_was_delivered_plus_services(reopen: Reopen) -> None:
    app = _service(reopen())
    order = _confirmed(app)
    app.ship_order(order.order_id, _parcel("JJD1", ("pos-2", 1)))
    closed = app.close_undelivered(order.order_id, reason="Modell eingestellt")
    assert closed.status is OrderStatus.COMPLETED
    assert {(c.position_id, c.quantity) for c in closed.not_delivered} == {
        ("pos-1", Decimal(1)),
        ("pos-2", Decimal(1)),
    }
    assert _service(reopen()).get_order(order.order_id) == closed
    assert closed.delivered_quantities() == {
        "pos-1": Decimal(0),
        "pos-2": Decimal(1),
        "pos-3": Decimal("1.5"),
    }

    app.invoice_order(order.order_id)
    proforma = app.documents("order", order.order_id)[-1].snapshot
    billed = {p["position_id"]: p["quantity"] for p in proforma["positions"]}
    assert billed == {"pos-2": "1", "pos-3": "1.5"}
    # 1 notebook at 1299.99 less 2.5 % = 1267.49; 1.5 h at 95.00 = 142.50; VAT 19 %.
    assert proforma["totals"]["net"] == "1409.99"
    assert proforma["totals"]["gross"] == "1677.89"
    assert proforma["payment"]["amount_due"] == "1677.89"
    assert proforma["delivery"]["not_delivered"] == [
        {"name": "Notebook 1", "quantity": "1"},
        {"name": "Notebook 2", "quantity": "1"},
    ]
    assert proforma["delivery"]["not_delivered_reason"] == "Modell eingestellt"


def _refused(app: Quote2Order, order_id: str, error: type[Exception], act: Any) -> None:
    """``act`` raises ``error`` and changes neither the order nor its history."""
    before = (app.get_order(order_id), len(app.history("order", order_id)))
    with pytest.raises(error):
        act()
    assert (app.get_order(order_id), len(app.history("order", order_id))) == before


def test_a_tracking_number_is_trimmed_and_compared_case_insensitively_per_carrier(
    store: Any,
) -> None:
    app = _service(store)
    order = _confirmed(app)
    shipped = app.ship_order(order.order_id, _parcel(" jjd1 ", ("pos-2", 1)))
    assert shipped.tracking_numbers == ("jjd1",)
    _refused(
        app,
        order.order_id,
        ValidationError,
        lambda: app.ship_order(order.order_id, _parcel("JJD1", ("pos-2", 1))),
    )
    # The same number at another carrier is another parcel.
    other = app.ship_order(order.order_id, _parcel("JJD1", ("pos-2", 1), carrier="UPS"))
    assert other.tracking_numbers == ("jjd1", "JJD1")


@pytest.mark.parametrize(
    ("parcel", "message"),
    [
        (_parcel("A", ("pos-3", 1)), "pos-3 is a service"),
        (_parcel("A", ("pos-2", 3)), "more of pos-2 shipped"),
        (_parcel("A", ("pos-9", 1)), "no position 'pos-9'"),
        (Shipment("DHL", "A"), "must list its items"),
    ],
    ids=["service", "more-than-ordered", "unknown-position", "no-items"],
)
def test_a_bad_parcel_is_refused_and_nothing_changes(
    store: Any, parcel: Shipment, message: str
) -> None:
    app = _service(store)
    order = _confirmed(app)
    with pytest.raises(ValidationError, match=message):
        app.ship_order(order.order_id, parcel)
    assert app.get_order(order.order_id).status is OrderStatus.CONFIRMED
    assert _delivery_notes(app, order.order_id) == []


def _ship(app: Quote2Order, order_id: str, *items: tuple[str, int]) -> None:
    app.ship_order(order_id, _parcel(f"P{len(app.get_order(order_id).shipments)}", *items))


@pytest.mark.parametrize(
    ("before", "act", "error"),
    [
        # more than is outstanding after a first parcel
        (
            lambda app, o: _ship(app, o, ("pos-2", 2)),
            lambda app, o: _ship(app, o, ("pos-2", 1)),
            ValidationError,
        ),
        # 2 of 3 notebooks shipped do not complete: ship parcels or close the rest
        (
            lambda app, o: None,
            lambda app, o: app.complete_order(o, [_parcel("A", ("pos-2", 2))]),
            ValidationError,
        ),
        # closing needs a partly shipped order ...
        (
            lambda app, o: None,
            lambda app, o: app.close_undelivered(o, reason="nie geliefert"),
            InvalidTransition,
        ),
        # ... and a reason
        (
            lambda app, o: _ship(app, o, ("pos-2", 1)),
            lambda app, o: app.close_undelivered(o, reason="  "),
            ValidationError,
        ),
        # a completed order takes no more parcels
        (
            lambda app, o: app.complete_order(o, [Shipment("DHL", "JJD1")]),
            lambda app, o: _ship(app, o, ("pos-2", 1)),
            InvalidTransition,
        ),
    ],
    ids=["over-outstanding", "complete-2-of-3", "close-unshipped", "close-no-reason", "after-done"],
)
def test_a_refused_delivery_step_changes_nothing(
    store: Any, before: Any, act: Any, error: type[Exception]
) -> None:
    app = _service(store)
    order_id = _confirmed(app).order_id
    before(app, order_id)
    _refused(app, order_id, error, lambda: act(app, order_id))


def test_one_full_delivery_stays_one_command_with_one_delivery_note(store: Any) -> None:
    app = _service(store)
    order = _confirmed(app)
    done = app.complete_order(order.order_id, [Shipment("DHL", "JJD1"), Shipment("DHL", "JJD2")])
    assert done.status is OrderStatus.COMPLETED
    notes = _delivery_notes(app, order.order_id)
    assert len(notes) == 1
    assert notes[0]["number"] == "AB-2026-00001"
    assert [p["shipped"] for p in notes[0]["positions"]] == ["1", "2", "0"]
    assert [p["service"] for p in notes[0]["positions"]] == [False, False, True]
    app.invoice_order(order.order_id)
    assert app.get_order(order.order_id).status is OrderStatus.INVOICED
