"""The purchasing commands of the service: cart, checkout and purchase orders.

A part of :class:`~quote2order.service.Quote2Order`, kept in its own module; the rules
themselves live in :mod:`quote2order.purchasing`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from quote2order._arguments import checked
from quote2order._runner import CommandRunner, check_owner
from quote2order.errors import NotFound, OrderNotFound, PurchaseOrderNotFound
from quote2order.events import CartCheckedOut, DomainEvent
from quote2order.lifecycle import OrderStatus
from quote2order.orders import Order
from quote2order.ports import UnitOfWork
from quote2order.purchasing import procurement as _procurement
from quote2order.purchasing.cart import Allocation, Cart
from quote2order.purchasing.checkout import CheckoutResult, UncoveredLine
from quote2order.purchasing.checkout import checkout as _check_out
from quote2order.purchasing.offers import OfferSource
from quote2order.purchasing.procurement import AddedToCart, Selection
from quote2order.purchasing.purchase_orders import PurchaseOrder
from quote2order.purchasing.strategies import AllocationStrategy, CheapestInStock

__all__ = ["PurchasingCommands"]


@checked
class PurchasingCommands(CommandRunner):
    """Add to cart, change and remove cart lines, check out, and run purchase orders."""

    def _orders_of(
        self, uow: UnitOfWork, reseller_id: str, allocations: Sequence[Allocation]
    ) -> dict[str, Order]:
        # One query for all of them, not one per order.
        return dict(
            uow.orders.get_many(reseller_id, list(dict.fromkeys(a.order_id for a in allocations)))
        )

    def _release_from_cart(
        self, uow: UnitOfWork, order: Order, now: datetime, actor: str
    ) -> list[DomainEvent]:
        if not any(record.in_cart for record in order.procurement):
            return []
        cart = uow.carts.get(order.reseller_id)
        events = _procurement.release_order(cart, order, now=now, actor=actor)
        uow.carts.save(cart)
        return events

    def add_to_cart(
        self,
        order_id: str,
        positions: Selection = None,
        *,
        actor: str = "reseller",
        reseller_id: str | None = None,
    ) -> AddedToCart:
        """Add positions of a confirmed (or in-procurement) order to the reseller's cart.

        ``positions``: None for every procurable position's open quantity, position ids for
        their open quantities, or position id -> quantity. Free-text positions and custom
        products are skipped and listed in the result; the order goes into procurement.
        With ``reseller_id``, another reseller's order is OrderNotFound.
        """

        def body(uow: UnitOfWork, now: datetime) -> tuple[AddedToCart, list[DomainEvent]]:
            order = uow.orders.get(order_id, reseller_id=reseller_id)
            if reseller_id is not None and order.reseller_id != reseller_id:
                raise OrderNotFound(order_id)  # looks exactly like an unknown order
            cart = uow.carts.get(order.reseller_id)
            result, events = _procurement.add_to_cart(cart, order, positions, now=now, actor=actor)
            uow.carts.save(cart)
            uow.orders.save(order)
            return result, events

        return self._run("add_to_cart", body)

    def _cart_line_command(
        self,
        reseller_id: str,
        line_id: str,
        act: Callable[[Cart, dict[str, Order], datetime], list[DomainEvent]],
    ) -> Cart:
        def body(uow: UnitOfWork, now: datetime) -> tuple[Cart, list[DomainEvent]]:
            cart = uow.carts.get(reseller_id)
            orders = self._orders_of(uow, reseller_id, cart.line(line_id).allocations)
            events = act(cart, orders, now)
            uow.carts.save(cart)
            for order in orders.values():
                uow.orders.save(order)
            return cart, events

        return self._run("cart_line", body)

    def change_cart_line(
        self, reseller_id: str, line_id: str, quantity: object, *, actor: str = "reseller"
    ) -> Cart:
        """Set a cart line's quantity (less releases, more takes open order quantities)."""
        return self._cart_line_command(
            reseller_id,
            line_id,
            lambda cart, orders, now: _procurement.change_cart_line(
                cart, orders, line_id, quantity, now=now, actor=actor
            ),
        )

    def remove_cart_line(self, reseller_id: str, line_id: str, *, actor: str = "reseller") -> Cart:
        """Remove a cart line; its quantities are not procured again."""
        return self._cart_line_command(
            reseller_id,
            line_id,
            lambda cart, orders, now: _procurement.remove_cart_line(
                cart, orders, line_id, now=now, actor=actor
            ),
        )

    def checkout(
        self,
        reseller_id: str,
        offers: OfferSource,
        *,
        line_ids: Sequence[str] | None = None,
        strategy: AllocationStrategy | None = None,
        actor: str = "reseller",
        idempotency_key: str | None = None,
    ) -> CheckoutResult:
        """Turn the cart (or the lines ``line_ids``) into purchase orders, one per supplier.

        ``strategy`` plans which supplier delivers what (default :class:`CheapestInStock`);
        lines it cannot cover stay in the cart with their reason. The same
        ``idempotency_key`` returns the first checkout's result and never orders twice.
        """
        chosen: AllocationStrategy = strategy or CheapestInStock()

        def body(uow: UnitOfWork, now: datetime) -> tuple[CheckoutResult, list[DomainEvent]]:
            cart = uow.carts.get(reseller_id)
            # The selected lines only: a stored cart reads no other line.
            selected = cart.lines if line_ids is None else cart.lines_with_ids(line_ids)
            allocations = [a for line in selected for a in line.allocations]
            orders = self._orders_of(uow, reseller_id, allocations)

            def new_purchase_order() -> tuple[str, str]:
                number = self._next_number(uow, "purchase_order", reseller_id, now)
                return self._ids.new_id("purchase_order"), number

            result, events = _check_out(
                cart,
                orders,
                offers,
                chosen,
                line_ids=line_ids,
                checkout_id=self._ids.new_id("checkout"),
                new_purchase_order=new_purchase_order,
                now=now,
                actor=actor,
            )
            uow.carts.save(cart)
            for order in orders.values():
                uow.orders.save(order)
            for purchase_order in result.purchase_orders:
                uow.purchase_orders.add(purchase_order)
            return result, events

        def replay(uow: UnitOfWork, checkout_id: str) -> CheckoutResult:
            for event in uow.events.for_aggregate("cart", reseller_id, reseller_id=reseller_id):
                if isinstance(event, CartCheckedOut) and event.checkout_id == checkout_id:
                    uncovered = tuple(
                        UncoveredLine(line_id, product_id, Decimal(quantity), reason)
                        for line_id, product_id, quantity, reason in zip(
                            event.uncovered_line_ids,
                            event.uncovered_product_ids,
                            event.uncovered_quantities,
                            event.uncovered_reasons,
                            strict=True,
                        )
                    )
                    return CheckoutResult(
                        checkout_id,
                        tuple(
                            uow.purchase_orders.get(i, reseller_id=reseller_id)
                            for i in event.purchase_order_ids
                        ),
                        uncovered,
                        uow.carts.get(reseller_id),
                    )
            raise NotFound("checkout", checkout_id)

        return self._run(
            "checkout",
            body,
            idempotency_key=idempotency_key,
            args=[
                reseller_id,
                None if line_ids is None else list(line_ids),
                type(chosen).__qualname__,
            ],
            replay=replay,
            result_id=lambda result: result.checkout_id,
            tenant=lambda uow: reseller_id,
        )

    def _purchase_order_command(
        self,
        purchase_order_id: str,
        act: Callable[[PurchaseOrder, datetime], tuple[DomainEvent, Sequence[Allocation]]],
        shift: Callable[[Order, Allocation], None],
        reseller_id: str | None,
    ) -> PurchaseOrder:
        def body(uow: UnitOfWork, now: datetime) -> tuple[PurchaseOrder, list[DomainEvent]]:
            purchase_order = uow.purchase_orders.get(purchase_order_id, reseller_id=reseller_id)
            check_owner(
                purchase_order.reseller_id, reseller_id, PurchaseOrderNotFound, purchase_order_id
            )
            event, moved = act(purchase_order, now)
            events = [event]
            orders = self._orders_of(uow, purchase_order.reseller_id, moved)
            for allocation in moved:
                order = orders[allocation.order_id]
                # An invoiced order is final: goods arriving for it (or a cancellation)
                # only change the purchase order; they become the reseller's stock.
                if order.status is not OrderStatus.INVOICED:
                    shift(order, allocation)
            for order in orders.values():
                if order.procurable:
                    events.extend(order.sync_procurement(now=now, actor=event.actor))
                if order.status is not OrderStatus.INVOICED:
                    uow.orders.save(order)
            uow.purchase_orders.save(purchase_order)
            return purchase_order, events

        return self._run("purchase_order", body)

    def send_purchase_order(
        self, purchase_order_id: str, *, actor: str = "reseller", reseller_id: str | None = None
    ) -> PurchaseOrder:
        """Record that the draft purchase order went to its supplier."""
        return self._purchase_order_command(
            purchase_order_id,
            lambda po, now: (po.send(now=now, actor=actor), ()),
            lambda order, allocation: None,
            reseller_id,
        )

    def receive_purchase_order(
        self,
        purchase_order_id: str,
        quantities: Mapping[str, object] | None = None,
        *,
        actor: str = "reseller",
        reseller_id: str | None = None,
    ) -> PurchaseOrder:
        """Record goods received, per purchase-order line id (None: everything outstanding)."""
        return self._purchase_order_command(
            purchase_order_id,
            lambda po, now: po.receive(quantities, now=now, actor=actor),
            lambda order, a: order.shift_procurement(
                a.position_id, ordered=-a.quantity, received=a.quantity
            ),
            reseller_id,
        )

    def cancel_purchase_order(
        self, purchase_order_id: str, *, actor: str = "reseller", reseller_id: str | None = None
    ) -> PurchaseOrder:
        """Cancel a draft or sent purchase order; its quantities are not procured again."""
        return self._purchase_order_command(
            purchase_order_id,
            lambda po, now: po.cancel(now=now, actor=actor),
            lambda order, a: order.shift_procurement(a.position_id, ordered=-a.quantity),
            reseller_id,
        )

    def get_cart(self, reseller_id: str) -> Cart:
        """The reseller's purchasing cart (empty if it has none yet)."""
        with self._uow() as uow:
            return uow.carts.get(reseller_id)

    def get_purchase_order(
        self, purchase_order_id: str, *, reseller_id: str | None = None
    ) -> PurchaseOrder:
        """The purchase order with ``purchase_order_id`` (another reseller's is not found)."""
        with self._uow() as uow:
            self._check_tenant(uow, "purchase_order", purchase_order_id, reseller_id)
            return uow.purchase_orders.get(purchase_order_id, reseller_id=reseller_id)

    def list_purchase_orders(self, *, reseller_id: str | None = None) -> Sequence[PurchaseOrder]:
        """All purchase orders (of one reseller)."""
        with self._uow() as uow:
            return uow.purchase_orders.list(reseller_id=reseller_id)
