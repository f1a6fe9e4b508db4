"""Purchasing events survive the JSON mapping every store uses."""

from __future__ import annotations

from quote2order.events import EVENT_TYPES, event_from_dict, event_to_dict

from .conftest import OFFERS, RESELLER, Shop, catalog


def test_every_purchasing_event_round_trips_through_a_dict(shop: Shop) -> None:
    order = shop.order(catalog("1", "P1", 5), catalog("2", "P2", 1))
    shop.service.add_to_cart(order.order_id)
    shop.service.change_cart_line(RESELLER, "L1", 4)
    [po] = shop.service.checkout(RESELLER, OFFERS, line_ids=["L1"]).purchase_orders
    shop.service.send_purchase_order(po.purchase_order_id)
    shop.service.receive_purchase_order(po.purchase_order_id, {"1": 1})
    shop.service.remove_cart_line(RESELLER, "L2")
    events = [
        *shop.service.history("cart", RESELLER),
        *shop.service.history("order", order.order_id),
        *shop.service.history("purchase_order", po.purchase_order_id),
    ]
    names = {e.name for e in events}
    assert {"PositionsAddedToCart", "CartLineChanged", "CartCheckedOut", "CartLineRemoved"} <= names
    assert {"OrderProcurementStarted", "PurchaseOrderReceived"} <= names
    for event in events:
        assert EVENT_TYPES[event.name] is type(event)
        assert event_from_dict(event_to_dict(event)) == event
