"""The purchase-order lifecycle and what sending, receiving and cancelling do to orders."""

from __future__ import annotations

import pytest

from quote2order import (
    PURCHASE_ORDER_LIFECYCLE,
    ConcurrencyError,
    InvalidTransition,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderNotFound,
    PurchaseOrderStatus,
    StaticOfferSource,
    ValidationError,
)

from .conftest import RESELLER, Shop, catalog, offer

SOURCE = StaticOfferSource([offer("alpha", "P1", "90", 99), offer("alpha", "P2", "40", 99)])


def _ordered(shop: Shop) -> tuple[str, str, PurchaseOrder]:
    first = shop.order(catalog("1", "P1", 5), catalog("2", "P2", 2))
    second = shop.order(catalog("1", "P1", 2))
    shop.service.add_to_cart(first.order_id)
    shop.service.add_to_cart(second.order_id)
    [purchase_order] = shop.service.checkout(RESELLER, SOURCE).purchase_orders
    return first.order_id, second.order_id, purchase_order


def test_a_new_purchase_order_is_a_draft_and_can_be_sent(shop: Shop) -> None:
    _, _, po = _ordered(shop)
    assert po.status is PurchaseOrderStatus.DRAFT
    sent = shop.service.send_purchase_order(po.purchase_order_id)
    assert sent.status is PurchaseOrderStatus.SENT
    assert sent.sent_at == shop.clock.now()


def test_goods_cannot_be_received_before_the_order_is_sent(shop: Shop) -> None:
    _, _, po = _ordered(shop)
    with pytest.raises(InvalidTransition) as caught:
        shop.service.receive_purchase_order(po.purchase_order_id)
    assert (caught.value.state, caught.value.action) == ("draft", "receive")


def test_partial_receipt_serves_the_oldest_allocation_first(shop: Shop) -> None:
    first, second, po = _ordered(shop)
    shop.service.send_purchase_order(po.purchase_order_id)
    received = shop.service.receive_purchase_order(po.purchase_order_id, {"1": 6})
    assert received.status is PurchaseOrderStatus.PARTLY_RECEIVED
    one = shop.service.get_order(first).procurement_of("1")
    two = shop.service.get_order(second).procurement_of("1")
    assert (one.ordered, one.received) == (0, 5)
    assert (two.ordered, two.received) == (1, 1)


def test_receiving_everything_ends_procurement_of_fully_received_orders(shop: Shop) -> None:
    first, second, po = _ordered(shop)
    shop.service.send_purchase_order(po.purchase_order_id)
    shop.service.receive_purchase_order(po.purchase_order_id, {"1": 6})
    received = shop.service.receive_purchase_order(po.purchase_order_id)
    assert received.status is PurchaseOrderStatus.RECEIVED
    assert received.received_at == shop.clock.now()
    for order_id in (first, second):
        order = shop.service.get_order(order_id)
        assert order.status is OrderStatus.CONFIRMED
        assert all(r.received == order.position(r.position_id).quantity for r in order.procurement)


def test_receiving_more_than_outstanding_is_refused_and_nothing_changes(shop: Shop) -> None:
    _, _, po = _ordered(shop)
    shop.service.send_purchase_order(po.purchase_order_id)
    before = shop.snapshot()
    with pytest.raises(ValidationError, match="only 7 open"):
        shop.service.receive_purchase_order(po.purchase_order_id, {"2": 1, "1": 8})
    assert shop.snapshot() == before


def test_an_unknown_line_cannot_be_received(shop: Shop) -> None:
    _, _, po = _ordered(shop)
    shop.service.send_purchase_order(po.purchase_order_id)
    with pytest.raises(ValidationError, match="no line"):
        shop.service.receive_purchase_order(po.purchase_order_id, {"9": 1})


@pytest.mark.parametrize("send_first", [False, True])
def test_cancelling_releases_the_quantities_back_to_not_procured(
    shop: Shop, send_first: bool
) -> None:
    first, second, po = _ordered(shop)
    if send_first:
        shop.service.send_purchase_order(po.purchase_order_id)
    cancelled = shop.service.cancel_purchase_order(po.purchase_order_id)
    assert cancelled.status is PurchaseOrderStatus.CANCELLED
    for order_id in (first, second):
        order = shop.service.get_order(order_id)
        assert order.status is OrderStatus.CONFIRMED
        assert all(r.procured == 0 for r in order.procurement)


def test_a_partly_received_purchase_order_cannot_be_cancelled(shop: Shop) -> None:
    _, _, po = _ordered(shop)
    shop.service.send_purchase_order(po.purchase_order_id)
    shop.service.receive_purchase_order(po.purchase_order_id, {"1": 1})
    with pytest.raises(InvalidTransition):
        shop.service.cancel_purchase_order(po.purchase_order_id)


def test_goods_for_an_invoiced_order_leave_the_order_untouched(shop: Shop) -> None:
    first, second, po = _ordered(shop)
    shop.service.complete_order(first)
    invoiced = shop.service.invoice_order(first)
    shop.service.send_purchase_order(po.purchase_order_id)
    received = shop.service.receive_purchase_order(po.purchase_order_id)
    assert received.status is PurchaseOrderStatus.RECEIVED
    assert shop.service.get_order(first) == invoiced
    assert shop.service.get_order(second).procurement_of("1").received == 2


def test_cancelling_for_an_invoiced_order_leaves_the_order_untouched(shop: Shop) -> None:
    first, _, po = _ordered(shop)
    shop.service.complete_order(first)
    invoiced = shop.service.invoice_order(first)
    shop.service.cancel_purchase_order(po.purchase_order_id)
    assert shop.service.get_order(first) == invoiced


def test_goods_for_a_completed_order_are_recorded_on_it(shop: Shop) -> None:
    first, _, po = _ordered(shop)
    shop.service.complete_order(first)
    shop.service.send_purchase_order(po.purchase_order_id)
    shop.service.receive_purchase_order(po.purchase_order_id)
    order = shop.service.get_order(first)
    assert order.status is OrderStatus.COMPLETED
    assert order.procurement_of("1").received == 5


def test_an_unknown_purchase_order_is_not_found(shop: Shop) -> None:
    with pytest.raises(PurchaseOrderNotFound):
        shop.service.send_purchase_order("purchase_order-9")


def test_the_lifecycle_diagram_shows_every_purchase_order_action() -> None:
    diagram = PURCHASE_ORDER_LIFECYCLE.mermaid()
    for line in (
        "DRAFT --> SENT: send",
        "SENT --> PARTLY_RECEIVED: receive_part",
        "PARTLY_RECEIVED --> RECEIVED: receive_rest",
        "SENT --> CANCELLED: cancel",
        "RECEIVED --> [*]",
        "CANCELLED --> [*]",
    ):
        assert line in diagram


def test_a_stale_purchase_order_loses_the_optimistic_lock(shop: Shop) -> None:
    _, _, po = _ordered(shop)
    with shop.store.unit_of_work() as stale:
        loaded = stale.purchase_orders.get(po.purchase_order_id)
        shop.service.send_purchase_order(po.purchase_order_id)
        loaded.cancel(now=shop.clock.now(), actor="other")
        stale.purchase_orders.save(loaded)
        with pytest.raises(ConcurrencyError):
            stale.commit()
    assert shop.service.get_purchase_order(po.purchase_order_id).status is PurchaseOrderStatus.SENT
