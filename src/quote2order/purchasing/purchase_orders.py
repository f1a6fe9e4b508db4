"""Purchase orders: what the reseller buys from one supplier, traced to customer orders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from quote2order.errors import InvalidTransition, ValidationError
from quote2order.events import PurchaseOrderCancelled, PurchaseOrderReceived, PurchaseOrderSent
from quote2order.lifecycle import PURCHASE_ORDER_LIFECYCLE, PurchaseOrderStatus
from quote2order.money import Money, as_decimal, line_net
from quote2order.positions import CatalogProduct
from quote2order.purchasing.cart import Allocation

__all__ = ["PurchaseOrder", "PurchaseOrderLine", "received_by_allocation"]


def received_by_allocation(
    allocations: Sequence[Allocation], received: Decimal
) -> tuple[Decimal, ...]:
    """How much of ``received`` each allocation got: goods serve the oldest allocation first."""
    left = received
    shares: list[Decimal] = []
    for allocation in allocations:
        share = min(left, allocation.quantity)
        shares.append(share)
        left -= share
    return tuple(shares)


@attrs.frozen
class PurchaseOrderLine:
    """One product bought from the supplier, with the order positions it serves."""

    line_id: str  # "1", "2", ... within the purchase order
    cart_line_id: str  # the cart line it came from
    product: CatalogProduct
    quantity: Decimal
    unit_price: Money  # the supplier's purchase price
    allocations: tuple[Allocation, ...]
    delivery_days: int = 0
    received: Decimal = Decimal(0)

    @property
    def product_id(self) -> str:
        return self.product.product_id

    @property
    def amount(self) -> Money:
        """Quantity x purchase price, rounded to the minor unit."""
        return line_net(self.quantity, self.unit_price)

    @property
    def outstanding(self) -> Decimal:
        """The quantity not received yet."""
        return self.quantity - self.received


@attrs.define
class PurchaseOrder:
    """An order to one supplier; its lines may serve positions of several customer orders."""

    purchase_order_id: str
    number: str
    reseller_id: str
    supplier_id: str
    partner: bool
    currency: str
    lines: tuple[PurchaseOrderLine, ...]
    shipping: Money
    created_at: datetime
    checkout_id: str = ""
    status: PurchaseOrderStatus = PurchaseOrderStatus.DRAFT
    sent_at: datetime | None = None
    received_at: datetime | None = None
    cancelled_at: datetime | None = None
    revision: int = 0

    @property
    def lifecycle_id(self) -> str:
        return self.purchase_order_id

    def copy(self) -> PurchaseOrder:
        """An independent copy (lines are frozen values)."""
        return attrs.evolve(self)

    @property
    def goods(self) -> Money:
        """The sum of the line amounts."""
        return Money.sum((line.amount for line in self.lines), self.currency)

    @property
    def total(self) -> Money:
        """Goods plus shipping."""
        return self.goods + self.shipping

    @property
    def order_ids(self) -> tuple[str, ...]:
        """The customer orders served, in first-seen order."""
        seen = dict.fromkeys(a.order_id for line in self.lines for a in line.allocations)
        return tuple(seen)

    def line(self, line_id: str) -> PurchaseOrderLine:
        """The line with ``line_id``."""
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise ValidationError(f"purchase order {self.number} has no line {line_id!r}")

    def allowed_actions(self) -> frozenset[str]:
        """The lifecycle actions legal now."""
        return PURCHASE_ORDER_LIFECYCLE.allowed_actions(self.status)

    # -- actions -------------------------------------------------------------------------

    def send(self, *, now: datetime, actor: str) -> PurchaseOrderSent:
        """Record that the purchase order went to the supplier."""
        PURCHASE_ORDER_LIFECYCLE.fire(self, "send")
        self.sent_at = now
        return PurchaseOrderSent(aggregate_id=self.purchase_order_id, occurred_at=now, actor=actor)

    def receive(
        self, quantities: Mapping[str, object] | None, *, now: datetime, actor: str
    ) -> tuple[PurchaseOrderReceived, tuple[Allocation, ...]]:
        """Record goods received per line id (None: everything outstanding).

        Returns the event and, per order position, the quantity that arrived for it.
        """
        if "receive_part" not in self.allowed_actions():
            raise InvalidTransition(
                "purchase order",
                self.purchase_order_id,
                self.status.value,
                "receive",
                self.allowed_actions(),
            )
        if quantities is None:
            wanted = {line.line_id: line.outstanding for line in self.lines if line.outstanding}
        else:
            wanted = {}
            for line_id, value in quantities.items():
                line = self.line(line_id)
                quantity = as_decimal(value, "received quantity")
                if quantity <= 0 or quantity != quantity.to_integral():
                    raise ValidationError(
                        f"line {line_id}: a received quantity must be a whole number > 0"
                    )
                if quantity > line.outstanding:
                    raise ValidationError(
                        f"line {line_id}: {quantity} received but only {line.outstanding} open"
                    )
                wanted[line_id] = quantity
        if not wanted:
            raise ValidationError(f"purchase order {self.number}: nothing to receive")
        arrived: list[Allocation] = []
        lines: list[PurchaseOrderLine] = []
        for line in self.lines:
            quantity = wanted.get(line.line_id, Decimal(0))
            if quantity:
                before = received_by_allocation(line.allocations, line.received)
                after = received_by_allocation(line.allocations, line.received + quantity)
                arrived.extend(
                    Allocation(a.order_id, a.position_id, new - old)
                    for a, old, new in zip(line.allocations, before, after, strict=True)
                    if new > old
                )
                line = attrs.evolve(line, received=line.received + quantity)
            lines.append(line)
        complete = all(line.outstanding == 0 for line in lines)
        PURCHASE_ORDER_LIFECYCLE.fire(self, "receive_rest" if complete else "receive_part")
        self.lines = tuple(lines)
        if complete:
            self.received_at = now
        event = PurchaseOrderReceived(
            aggregate_id=self.purchase_order_id,
            occurred_at=now,
            actor=actor,
            line_ids=tuple(wanted),
            quantities=tuple(str(q) for q in wanted.values()),
            status=self.status.value,
        )
        return event, tuple(arrived)

    def cancel(
        self, *, now: datetime, actor: str
    ) -> tuple[PurchaseOrderCancelled, tuple[Allocation, ...]]:
        """Cancel the purchase order; returns the allocations whose quantities it releases."""
        PURCHASE_ORDER_LIFECYCLE.fire(self, "cancel")
        self.cancelled_at = now
        released = tuple(a for line in self.lines for a in line.allocations)
        event = PurchaseOrderCancelled(
            aggregate_id=self.purchase_order_id, occurred_at=now, actor=actor
        )
        return event, released
