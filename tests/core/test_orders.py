"""Orders: one per won version, confirm/reject/complete/invoice, shipments, pro-forma numbers."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from quote2order import (
    AlreadyAccepted,
    InvalidTransition,
    Order,
    OrderStatus,
    Quote2Order,
    QuoteStatus,
    Shipment,
    ShipmentItem,
    SupersededVersion,
    ValidationError,
)
from quote2order.service import CreatedQuote
from quote2order.testing import FixedClock
from tests.stores import sequence_values

from .conftest import store_state

MakeQuote = Callable[..., CreatedQuote]
MakeOrder = Callable[[], Order]


def test_accepting_creates_exactly_one_order_from_the_won_version(
    service: Quote2Order, make_quote: MakeQuote
) -> None:
    created = make_quote(send=True)
    order = service.accept_quote(created.link_token, 1)
    quote = service.get_quote(created.quote.quote_id)
    assert quote.status is QuoteStatus.WON
    assert quote.order_id == order.order_id
    assert (order.quote_id, order.quote_version) == (quote.quote_id, 1)
    assert order.status is OrderStatus.OPEN
    assert order.positions == quote.version(1).positions
    assert order.order_number == "AB-2026-00001"
    assert order.customer == quote.customer
    assert service.list_orders() == [order]


def test_accepting_twice_raises_already_accepted_and_creates_no_second_order(
    service: Quote2Order, store: Any, make_quote: MakeQuote
) -> None:
    created = make_quote(send=True)
    order = service.accept_quote(created.link_token, 1)
    before = store_state(store)
    with pytest.raises(AlreadyAccepted) as info:
        service.accept_quote(created.link_token, 1)
    assert info.value.order_id == order.order_id
    with pytest.raises(AlreadyAccepted):
        service.mark_quote_won(created.quote.quote_id)
    assert store_state(store) == before
    assert len(service.list_orders()) == 1


def test_accepting_a_superseded_version_raises_and_creates_no_order(
    service: Quote2Order, store: Any, make_quote: MakeQuote
) -> None:
    created = make_quote(send=True)
    quote_id = created.quote.quote_id
    service.mark_quote_lost(quote_id)
    service.reopen_quote(quote_id)
    service.send_quote(quote_id)
    before = store_state(store)
    with pytest.raises(SupersededVersion) as info:
        service.accept_quote(created.link_token, 1)
    assert (info.value.version, info.value.latest) == (1, 2)
    assert store_state(store) == before
    assert service.list_orders() == []
    order = service.accept_quote(created.link_token, 2)
    assert order.quote_version == 2
    assert len(service.list_orders()) == 1


def test_a_second_order_for_a_version_is_refused_by_the_store(
    service: Quote2Order, store: Any, make_quote: MakeQuote
) -> None:
    """Two racing acceptances of one version: the store lets only the first order in."""
    created = make_quote(send=True)
    quote = service.get_quote(created.quote.quote_id)
    service.accept_quote(created.link_token, 1)
    duplicate, _ = Order.from_quote(
        quote, order_id="order-x", order_number="AB-X", now=quote.created_at, actor="x"
    )
    with store() as uow:
        uow.orders.add(duplicate)
        with pytest.raises(AlreadyAccepted):
            uow.commit()
    assert len(service.list_orders()) == 1


def test_a_draft_cannot_be_accepted(
    service: Quote2Order, store: Any, make_quote: MakeQuote
) -> None:
    created = make_quote()
    before = store_state(store)
    with pytest.raises(InvalidTransition):
        service.accept_quote(created.link_token, 1)
    assert store_state(store) == before


def test_the_reseller_can_mark_a_quote_won(service: Quote2Order, make_quote: MakeQuote) -> None:
    created = make_quote(send=True)
    order = service.mark_quote_won(created.quote.quote_id, actor="sales@reseller")
    assert service.get_quote(created.quote.quote_id).status is QuoteStatus.WON
    assert order.quote_version == 1
    events = service.history("quote", created.quote.quote_id)
    assert (events[-1].name, events[-1].actor) == ("QuoteMarkedWon", "sales@reseller")


def test_confirm_moves_an_open_order_to_confirmed(
    service: Quote2Order, clock: FixedClock, make_order: MakeOrder
) -> None:
    order = service.confirm_order(make_order().order_id)
    assert order.status is OrderStatus.CONFIRMED
    assert order.confirmed_at == clock.now()


def test_rejecting_makes_the_quote_lost_and_reopenable(
    service: Quote2Order, make_order: MakeOrder
) -> None:
    order = make_order()
    rejected = service.reject_order(order.order_id, reason="Apple Pencil forgotten")
    assert rejected.status is OrderStatus.REJECTED
    assert rejected.rejection_reason == "Apple Pencil forgotten"
    quote = service.get_quote(order.quote_id)
    assert quote.status is QuoteStatus.LOST
    assert quote.order_id is None
    assert [e.name for e in service.history("quote", quote.quote_id)][-1] == "QuoteRejected"
    assert service.reopen_quote(quote.quote_id).latest.number == 2


def test_a_confirmed_order_can_still_be_rejected(
    service: Quote2Order, make_order: MakeOrder
) -> None:
    order = service.confirm_order(make_order().order_id)
    assert service.reject_order(order.order_id).status is OrderStatus.REJECTED


def _confirmed(service: Quote2Order, make_order: MakeOrder) -> Order:
    return service.confirm_order(make_order().order_id)


def test_complete_without_shipments(service: Quote2Order, make_order: MakeOrder) -> None:
    order = service.complete_order(_confirmed(service, make_order).order_id)
    assert order.status is OrderStatus.COMPLETED
    assert order.shipments == ()
    assert order.tracking_numbers == ()


def test_complete_with_one_whole_order_shipment(
    service: Quote2Order, make_order: MakeOrder
) -> None:
    order = _confirmed(service, make_order)
    done = service.complete_order(order.order_id, [Shipment("DHL", "JJD0001")])
    assert done.tracking_numbers == ("JJD0001",)
    # Goods ship; the free-text service P2 is performed, never listed as shipped.
    assert done.shipped_quantities() == {p.position_id: p.quantity for p in order.goods}
    assert "P2" not in done.shipped_quantities()
    assert service.history("order", order.order_id)[-1].tracking_numbers == ("JJD0001",)  # type: ignore[attr-defined]


def test_complete_with_several_itemized_shipments_of_everything(
    service: Quote2Order, make_order: MakeOrder
) -> None:
    order = _confirmed(service, make_order)
    shipments = [
        Shipment("DHL", "JJD0001", (ShipmentItem("P1", 2), ShipmentItem("P3", 3))),
        Shipment("UPS", "1Z999", (ShipmentItem("P1", 1),)),
    ]
    done = service.complete_order(order.order_id, shipments)
    assert done.tracking_numbers == ("JJD0001", "1Z999")
    assert done.shipped_quantities() == {"P1": Decimal(3), "P3": Decimal(3)}  # P2 is a service


@pytest.mark.parametrize(
    ("shipments", "message"),
    [
        ([Shipment("DHL", "A", (ShipmentItem("P1", 4),))], "more of P1 shipped"),
        (
            [
                Shipment("DHL", "A", (ShipmentItem("P1", 2),)),
                Shipment("DHL", "B", (ShipmentItem("P1", 2),)),
            ],
            "more of P1 shipped",
        ),
        ([Shipment("DHL", "A", (ShipmentItem("P9", 1),))], "no position 'P9'"),
        ([Shipment("DHL", "A", (ShipmentItem("P1", 0),))], "must be > 0"),
        ([Shipment("DHL", "A"), Shipment("DHL", " a ")], "'a' of DHL appears twice"),
        ([Shipment("DHL", "A", (ShipmentItem("P1", 2), ShipmentItem("P3", 3)))], "not every"),
        ([Shipment("DHL", "A", (ShipmentItem("P2", 1),))], "P2 is a service"),
        (
            [Shipment("DHL", "A"), Shipment("UPS", "B", (ShipmentItem("P1", 1),))],
            "all list their items, or none",
        ),
    ],
    ids=[
        "more-than-ordered",
        "more-in-sum",
        "unknown-position",
        "zero",
        "duplicate-tracking",
        "two-of-three-shipped",
        "service-in-a-parcel",
        "whole-and-itemized",
    ],
)
def test_bad_shipments_are_refused_and_nothing_changes(
    shipments: list[Shipment],
    message: str,
    service: Quote2Order,
    store: Any,
    make_order: MakeOrder,
) -> None:
    order = _confirmed(service, make_order)
    before = store_state(store)
    with pytest.raises(ValidationError, match=message):
        service.complete_order(order.order_id, shipments)
    assert store_state(store) == before
    assert service.get_order(order.order_id).status is OrderStatus.CONFIRMED


def test_a_shipment_needs_a_carrier_and_tracking_number() -> None:
    with pytest.raises(ValidationError):
        Shipment("", "JJD1")
    with pytest.raises(ValidationError):
        Shipment("DHL", "  ")


def test_invoicing_is_final_and_numbers_the_proforma(
    service: Quote2Order, clock: FixedClock, store: Any, make_order: MakeOrder
) -> None:
    order = _confirmed(service, make_order)
    service.complete_order(order.order_id, [Shipment("DHL", "JJD0001")])
    invoiced = service.invoice_order(order.order_id)
    assert invoiced.status is OrderStatus.INVOICED
    assert invoiced.proforma_number == "PF-2026-00001"
    assert invoiced.invoiced_at == clock.now()
    assert invoiced.allowed_actions() == frozenset()

    before = store_state(store)
    actions: list[Callable[[], object]] = [
        lambda: service.confirm_order(order.order_id),
        lambda: service.reject_order(order.order_id),
        lambda: service.complete_order(order.order_id, [Shipment("UPS", "1Z")]),
        lambda: service.invoice_order(order.order_id),
    ]
    for action in actions:
        with pytest.raises(InvalidTransition) as info:
            action()
        assert info.value.state == "invoiced"
        assert info.value.allowed == ()
    assert store_state(store) == before
    assert service.get_order(order.order_id) == invoiced


def test_proforma_numbers_have_their_own_series_and_a_refused_invoice_uses_none(
    service: Quote2Order, store: Any, make_order: MakeOrder
) -> None:
    first, second, third = (_confirmed(service, make_order) for _ in range(3))
    assert [first.order_number, second.order_number, third.order_number] == [
        "AB-2026-00001",
        "AB-2026-00002",
        "AB-2026-00003",
    ]
    with pytest.raises(InvalidTransition):
        service.invoice_order(first.order_id)  # not completed yet
    assert "proforma|2026|R-1" not in sequence_values(store)
    for order in (first, second):
        service.complete_order(order.order_id)
    assert service.invoice_order(second.order_id).proforma_number == "PF-2026-00001"
    assert service.invoice_order(first.order_id).proforma_number == "PF-2026-00002"
    with pytest.raises(InvalidTransition):
        service.invoice_order(first.order_id)
    service.complete_order(third.order_id)
    assert service.invoice_order(third.order_id).proforma_number == "PF-2026-00003"
    assert sequence_values(store) == {
        "quote|2026|R-1": 3,
        "order|2026|R-1": 3,
        "proforma|2026|R-1": 3,
    }


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("open", "complete"),
        ("open", "invoice"),
        ("confirmed", "confirm"),
        ("confirmed", "invoice"),
        ("rejected", "confirm"),
        ("rejected", "complete"),
        ("completed", "reject"),
        ("completed", "confirm"),
    ],
)
def test_illegal_order_actions_raise_and_change_nothing(
    status: str, action: str, service: Quote2Order, store: Any, make_order: MakeOrder
) -> None:
    order_id = make_order().order_id
    if status == "rejected":
        service.reject_order(order_id)
    if status in ("confirmed", "completed"):
        service.confirm_order(order_id)
    if status == "completed":
        service.complete_order(order_id)
    calls: dict[str, Callable[[], object]] = {
        "confirm": lambda: service.confirm_order(order_id),
        "reject": lambda: service.reject_order(order_id),
        "complete": lambda: service.complete_order(order_id),
        "invoice": lambda: service.invoice_order(order_id),
    }
    before = store_state(store)
    with pytest.raises(InvalidTransition) as info:
        calls[action]()
    assert (info.value.kind, info.value.object_id, info.value.state, info.value.action) == (
        "order",
        order_id,
        status,
        action,
    )
    assert store_state(store) == before


def test_order_totals_match_the_won_version(service: Quote2Order, make_quote: MakeQuote) -> None:
    created = make_quote(send=True)
    order = service.accept_quote(created.link_token, 1)
    assert order.totals == service.get_quote(created.quote.quote_id).latest.totals("EUR")
    assert str(order.totals.gross) == "3287.65 EUR"


def test_racing_acceptances_make_exactly_one_order(
    service: Quote2Order, make_quote: MakeQuote
) -> None:
    """Eight threads accept the same version at once: one order, the rest AlreadyAccepted."""
    import threading

    created = make_quote(send=True)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def accept() -> None:
        barrier.wait()
        try:
            service.with_retry(lambda: service.accept_quote(created.link_token, 1), base_delay=0)
            outcomes.append("order")
        except AlreadyAccepted:
            outcomes.append("already accepted")

    threads = [threading.Thread(target=accept) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already accepted"] * 7 + ["order"]
    assert len(service.list_orders()) == 1
