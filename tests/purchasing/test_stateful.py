"""A stateful test of purchasing: any sequence of commands keeps the invariants.

Commands may fail (bad quantities, wrong states); a failed command must change nothing.
After every step: procured <= quantity per position; the cart and the purchase orders
account exactly for each order's in-cart, ordered and received quantities; cart lines trace
to confirmed or in-procurement orders; no free-text or custom position reaches a purchase
order; an invoiced order never changes; the order's status shows procurement.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import hypothesis.strategies as st
from hypothesis import settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from quote2order import (
    Order,
    OrderStatus,
    PurchaseOrderStatus,
    Quote2OrderError,
    Shipment,
    StaticOfferSource,
)
from quote2order.purchasing.purchase_orders import received_by_allocation
from tests.stores import examples

from .conftest import RESELLER, Shop, catalog, custom, free_text, offer

SUPPLIERS = ("alpha", "beta", "gamma")
PRODUCTS = ("P1", "P2", "P3")

ZERO = Decimal(0)


class Purchasing(RuleBasedStateMachine):
    def __init__(self, make_store: Callable[[], Any]) -> None:
        super().__init__()
        self.shop = Shop(make_store())
        self.orders = [
            self.shop.order(catalog("1", "P1", 5), free_text("2"), catalog("3", "P2", 3)),
            self.shop.order(catalog("1", "P1", 2), custom("2"), catalog("3", "P3", 4)),
            self.shop.order(catalog("1", "P2", 6)),
            self.shop.order(catalog("1", "P1", 1), confirm=False),
        ]
        self.order_ids = [o.order_id for o in self.orders]
        self.invoiced: dict[str, Order] = {}
        self.failures = 0

    @property
    def service(self):  # type: ignore[no-untyped-def]
        return self.shop.service

    def attempt(self, command: Callable[[], object]) -> None:
        before = self.shop.snapshot()
        try:
            command()
        except Quote2OrderError:
            self.failures += 1
            assert self.shop.snapshot() == before, "a failed command changed something"

    # -- rules ---------------------------------------------------------------------------

    @rule(
        index=st.integers(0, 3),
        selection=st.none()
        | st.lists(st.sampled_from(["1", "2", "3"]), unique=True, max_size=3)
        | st.dictionaries(st.sampled_from(["1", "2", "3"]), st.integers(-1, 7), max_size=3),
    )
    def add(self, index: int, selection: object) -> None:
        self.attempt(lambda: self.service.add_to_cart(self.order_ids[index], selection))

    @rule(line=st.integers(1, 6), quantity=st.integers(0, 12))
    def change(self, line: int, quantity: int) -> None:
        self.attempt(lambda: self.service.change_cart_line(RESELLER, f"L{line}", quantity))

    @rule(line=st.integers(1, 6))
    def remove(self, line: int) -> None:
        self.attempt(lambda: self.service.remove_cart_line(RESELLER, f"L{line}"))

    @rule(
        stocks=st.lists(st.integers(0, 8), min_size=9, max_size=9),
        prices=st.lists(st.integers(1, 9), min_size=9, max_size=9),
        lines=st.none() | st.lists(st.integers(1, 6), unique=True, max_size=3),
        key=st.none() | st.sampled_from(["k1", "k2"]),
    )
    def checkout(
        self, stocks: list[int], prices: list[int], lines: list[int] | None, key: str | None
    ) -> None:
        offers = [
            offer(supplier, product, str(prices[i]), stocks[i])
            for i, (supplier, product) in enumerate((s, p) for s in SUPPLIERS for p in PRODUCTS)
            if stocks[i] > 0
        ]
        line_ids = None if lines is None else [f"L{n}" for n in lines]
        self.attempt(
            lambda: self.service.checkout(
                RESELLER, StaticOfferSource(offers), line_ids=line_ids, idempotency_key=key
            )
        )

    def _purchase_order_id(self, index: int) -> str:
        purchase_orders = self.service.list_purchase_orders()
        if not purchase_orders:
            return "purchase_order-none"
        return purchase_orders[index % len(purchase_orders)].purchase_order_id

    @rule(index=st.integers(0, 9))
    def send(self, index: int) -> None:
        self.attempt(lambda: self.service.send_purchase_order(self._purchase_order_id(index)))

    @rule(
        index=st.integers(0, 9),
        quantities=st.none()
        | st.dictionaries(st.sampled_from(["1", "2", "3"]), st.integers(0, 6), max_size=2),
    )
    def receive(self, index: int, quantities: dict[str, int] | None) -> None:
        self.attempt(
            lambda: self.service.receive_purchase_order(self._purchase_order_id(index), quantities)
        )

    @rule(index=st.integers(0, 9))
    def cancel(self, index: int) -> None:
        self.attempt(lambda: self.service.cancel_purchase_order(self._purchase_order_id(index)))

    @rule(index=st.integers(0, 3))
    def complete(self, index: int) -> None:
        self.attempt(
            lambda: self.service.complete_order(
                self.order_ids[index], [Shipment("DHL", f"T{index}")]
            )
        )

    @rule(index=st.integers(0, 3))
    def invoice(self, index: int) -> None:
        order_id = self.order_ids[index]

        def command() -> None:
            self.invoiced[order_id] = self.service.invoice_order(order_id)

        self.attempt(command)

    @rule(index=st.integers(0, 3))
    def reject(self, index: int) -> None:
        self.attempt(lambda: self.service.reject_order(self.order_ids[index]))

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def procurement_is_accounted_for(self) -> None:
        cart = self.service.get_cart(RESELLER)
        purchase_orders = self.service.list_purchase_orders()
        expected: dict[tuple[str, str], list[Decimal]] = {}

        def add(key: tuple[str, str], slot: int, quantity: Decimal) -> None:
            expected.setdefault(key, [ZERO, ZERO, ZERO])[slot] += quantity

        for line in cart.lines:
            assert line.quantity > 0
            for allocation in line.allocations:
                add(allocation.key, 0, allocation.quantity)
        for po in purchase_orders:
            if po.status is PurchaseOrderStatus.CANCELLED:
                continue
            for po_line in po.lines:
                got = received_by_allocation(po_line.allocations, po_line.received)
                for allocation, received in zip(po_line.allocations, got, strict=True):
                    add(allocation.key, 1, allocation.quantity - received)
                    add(allocation.key, 2, received)
        for order_id in self.order_ids:
            order = self.service.get_order(order_id)
            for position in order.positions:
                record = order.procurement_of(position.position_id)
                assert min(record.in_cart, record.ordered, record.received) >= 0
                assert record.procured <= position.quantity
                if order_id not in self.invoiced:
                    want = expected.get((order_id, position.position_id), [ZERO, ZERO, ZERO])
                    assert [record.in_cart, record.ordered, record.received] == want

    @invariant()
    def invoiced_orders_never_change(self) -> None:
        for order_id, invoiced in self.invoiced.items():
            assert self.service.get_order(order_id) == invoiced

    @invariant()
    def cart_and_purchase_orders_trace_to_procurable_positions(self) -> None:
        cart = self.service.get_cart(RESELLER)
        products = [line.product_id for line in cart.lines]
        assert len(products) == len(set(products))
        for line in cart.lines:
            for allocation in line.allocations:
                order = self.service.get_order(allocation.order_id)
                assert order.status in (OrderStatus.CONFIRMED, OrderStatus.IN_PROCUREMENT)
                assert order.position(allocation.position_id).procurable
        for po in self.service.list_purchase_orders():
            for po_line in po.lines:
                assert sum(a.quantity for a in po_line.allocations) == po_line.quantity
                for allocation in po_line.allocations:
                    order = self.service.get_order(allocation.order_id)
                    position = order.position(allocation.position_id)
                    assert position.procurable
                    assert position.product == po_line.product

    @invariant()
    def status_shows_procurement(self) -> None:
        for order_id in self.order_ids:
            order = self.service.get_order(order_id)
            if order.status in (OrderStatus.CONFIRMED, OrderStatus.IN_PROCUREMENT):
                assert (order.status is OrderStatus.IN_PROCUREMENT) == order.procurement_open


def test_purchasing_keeps_its_invariants_on_every_store(
    new_store: Callable[[], Any], store_kind: str
) -> None:
    """Any sequence of purchasing commands keeps the invariants; a failed one changes nothing."""
    run_state_machine_as_test(
        lambda: Purchasing(new_store),
        settings=settings(
            max_examples=examples(store_kind, 150), stateful_step_count=30, deadline=None
        ),
    )
