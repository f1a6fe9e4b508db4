"""Orders: what a won quote version becomes, from confirmation to the pro-forma invoice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from quote2order.errors import InvalidTransition, OverProcurement, ValidationError
from quote2order.events import (
    OrderCompleted,
    OrderConfirmed,
    OrderCreated,
    OrderDeliveryClosed,
    OrderInvoiced,
    OrderProcurementEnded,
    OrderProcurementStarted,
    OrderRejected,
    OrderShipped,
)
from quote2order.lifecycle import ORDER_LIFECYCLE, OrderStatus
from quote2order.money import DocumentTotals, as_decimal, document_totals
from quote2order.positions import Position, PositionKind
from quote2order.quotes import Customer, Quote

__all__ = ["NotDelivered", "Order", "PositionProcurement", "Shipment", "ShipmentItem"]


def _item_quantity(value: Any) -> Decimal:
    return as_decimal(value, "shipped quantity")


def _trimmed(value: str) -> str:
    return value.strip() if isinstance(value, str) else value


@attrs.frozen
class ShipmentItem:
    """A quantity of one order position in a shipment."""

    position_id: str
    quantity: Decimal = attrs.field(converter=_item_quantity)


@attrs.frozen
class Shipment:
    """One parcel or consignment: a carrier and a tracking number entered by hand.

    ``items`` lists the goods shipped in it. Shipments without items are parcels of the
    whole order; an order's shipments either all list their items or none does. Carrier
    and tracking number are trimmed; two parcels of one carrier with the same tracking
    number in any letter case are the same parcel (:attr:`key`). ``shipped_at`` is set
    when the parcel is recorded on its own (:meth:`Order.ship`).
    """

    carrier: str = attrs.field(converter=_trimmed)
    tracking_number: str = attrs.field(converter=_trimmed)
    items: tuple[ShipmentItem, ...] = ()
    shipped_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        if not self.carrier or not self.tracking_number:
            raise ValidationError("a shipment needs a carrier and a tracking number")

    @property
    def key(self) -> tuple[str, str]:
        """What makes two parcels the same: carrier and tracking number, case-folded."""
        return (self.carrier.casefold(), self.tracking_number.casefold())


@attrs.frozen
class NotDelivered:
    """A quantity of one goods position closed as not delivered."""

    position_id: str
    quantity: Decimal = attrs.field(converter=_item_quantity)


@attrs.frozen
class PositionProcurement:
    """How much of one order position is in the purchasing cart, ordered, and received.

    The quantity not yet procured is the position's quantity less these three.
    """

    position_id: str
    in_cart: Decimal = attrs.field(default=Decimal(0), converter=_item_quantity)
    ordered: Decimal = attrs.field(default=Decimal(0), converter=_item_quantity)
    received: Decimal = attrs.field(default=Decimal(0), converter=_item_quantity)

    @property
    def procured(self) -> Decimal:
        """In the cart, ordered and received together."""
        return self.in_cart + self.ordered + self.received

    @property
    def open(self) -> bool:
        """True while some of it is in the cart or ordered (not yet received)."""
        return self.in_cart > 0 or self.ordered > 0


@attrs.define
class Order:
    """The customer's order to the reseller, made from one won quote version.

    Its positions are a snapshot of that version: later catalog or quote changes never
    alter them. Once invoiced, nothing about the order changes.
    """

    order_id: str
    order_number: str
    reseller_id: str
    quote_id: str
    quote_version: int
    customer: Customer
    currency: str
    positions: tuple[Position, ...]
    created_at: datetime
    status: OrderStatus = OrderStatus.OPEN
    confirmed_at: datetime | None = None
    completed_at: datetime | None = None
    invoiced_at: datetime | None = None
    rejected_at: datetime | None = None
    rejection_reason: str = ""
    shipments: tuple[Shipment, ...] = ()
    proforma_number: str | None = None
    procurement: tuple[PositionProcurement, ...] = ()  # per procurable position, once touched
    not_delivered: tuple[NotDelivered, ...] = ()  # goods closed as not delivered
    not_delivered_reason: str = ""
    revision: int = 0

    @property
    def lifecycle_id(self) -> str:
        return self.order_id

    @classmethod
    def from_quote(
        cls, quote: Quote, *, order_id: str, order_number: str, now: datetime, actor: str
    ) -> tuple[Order, OrderCreated]:
        """The order for ``quote``'s latest (just won) version."""
        version = quote.latest
        order = cls(
            order_id=order_id,
            order_number=order_number,
            reseller_id=quote.reseller_id,
            quote_id=quote.quote_id,
            quote_version=version.number,
            customer=quote.customer,
            currency=quote.currency,
            positions=version.positions,
            created_at=now,
        )
        event = OrderCreated(
            aggregate_id=order_id,
            occurred_at=now,
            actor=actor,
            order_number=order_number,
            quote_id=quote.quote_id,
            quote_version=version.number,
        )
        return order, event

    def copy(self) -> Order:
        """An independent copy (all fields but the status are immutable values)."""
        return attrs.evolve(self)

    @property
    def totals(self) -> DocumentTotals:
        """Net, VAT per rate and gross of the order."""
        return document_totals(((p.net_amount, p.vat_rate) for p in self.positions), self.currency)

    def position(self, position_id: str) -> Position:
        """The position with ``position_id``."""
        for position in self.positions:
            if position.position_id == position_id:
                return position
        raise ValidationError(f"order {self.order_id} has no position {position_id!r}")

    @property
    def tracking_numbers(self) -> tuple[str, ...]:
        """Every shipment's tracking number, in the order they were entered."""
        return tuple(s.tracking_number for s in self.shipments)

    def shipped_quantities(self) -> Mapping[str, Decimal]:
        """Quantity shipped per goods position id (a whole-order shipment ships all goods).

        Services (free-text positions) are performed, not shipped: they never appear here.
        """
        shipped: dict[str, Decimal] = {}
        for shipment in self.shipments:
            if not shipment.items:
                return {p.position_id: p.quantity for p in self.goods}
            for item in shipment.items:
                shipped[item.position_id] = (
                    shipped.get(item.position_id, Decimal(0)) + item.quantity
                )
        return shipped

    @property
    def goods(self) -> tuple[Position, ...]:
        """The positions that are shipped: catalog and custom products, not services."""
        return tuple(p for p in self.positions if is_goods(p))

    @property
    def services(self) -> tuple[Position, ...]:
        """The service (free-text) positions: performed, listed as services."""
        return tuple(p for p in self.positions if not is_goods(p))

    def not_delivered_quantities(self) -> Mapping[str, Decimal]:
        """Quantity closed as not delivered, per goods position id."""
        return {c.position_id: c.quantity for c in self.not_delivered}

    def outstanding(self) -> Mapping[str, Decimal]:
        """Goods still to ship, per position id (positions with nothing left are omitted)."""
        shipped = self.shipped_quantities()
        closed = self.not_delivered_quantities()
        rest = {
            p.position_id: p.quantity
            - shipped.get(p.position_id, Decimal(0))
            - closed.get(p.position_id, Decimal(0))
            for p in self.goods
        }
        return {k: v for k, v in rest.items() if v > 0}

    def delivered_quantities(self) -> Mapping[str, Decimal]:
        """What the customer received, per position id: goods shipped, services in full.

        Before any shipment is recorded the whole order counts as delivered (an order
        completed without tracking numbers, e.g. collected by the customer).
        """
        if not self.shipments:
            closed = self.not_delivered_quantities()
            return {
                p.position_id: p.quantity - closed.get(p.position_id, Decimal(0))
                for p in self.positions
            }
        shipped = self.shipped_quantities()
        return {
            p.position_id: shipped.get(p.position_id, Decimal(0)) if is_goods(p) else p.quantity
            for p in self.positions
        }

    def allowed_actions(self) -> frozenset[str]:
        """The lifecycle actions legal now."""
        return ORDER_LIFECYCLE.allowed_actions(self.status)

    # -- actions -------------------------------------------------------------------------

    def confirm(self, *, now: datetime, actor: str) -> OrderConfirmed:
        """The reseller confirms the order."""
        ORDER_LIFECYCLE.fire(self, "confirm")
        self.confirmed_at = now
        return OrderConfirmed(aggregate_id=self.order_id, occurred_at=now, actor=actor)

    def reject(self, *, reason: str = "", now: datetime, actor: str) -> OrderRejected:
        """The reseller rejects the order to renegotiate (its quote becomes lost)."""
        ORDER_LIFECYCLE.fire(self, "reject")
        self.rejected_at = now
        self.rejection_reason = reason
        return OrderRejected(
            aggregate_id=self.order_id,
            occurred_at=now,
            actor=actor,
            quote_id=self.quote_id,
            reason=reason,
        )

    def _check_shipments(self, shipments: Sequence[Shipment]) -> None:
        whole = [s for s in shipments if not s.items]
        if whole and len(whole) != len(shipments):
            # Parcels of the whole order and itemized parcels together would count goods twice.
            raise ValidationError(
                f"order {self.order_id}: shipments must all list their items, or none may"
            )
        totals: dict[str, Decimal] = {}
        for shipment in shipments:
            for item in shipment.items:
                position = self.position(item.position_id)
                if not is_goods(position):
                    raise ValidationError(
                        f"order {self.order_id}: {item.position_id} is a service; "
                        "services are not shipped"
                    )
                if item.quantity <= 0:
                    raise ValidationError(f"shipped quantity of {item.position_id} must be > 0")
                totals[item.position_id] = totals.get(item.position_id, Decimal(0)) + item.quantity
                if totals[item.position_id] > position.quantity:
                    raise ValidationError(
                        f"order {self.order_id}: more of {item.position_id} shipped "
                        f"({totals[item.position_id]}) than ordered ({position.quantity})"
                    )
        seen: set[tuple[str, str]] = set()
        for shipment in shipments:
            if shipment.key in seen:
                raise ValidationError(
                    f"order {self.order_id}: tracking number {shipment.tracking_number!r} "
                    f"of {shipment.carrier} appears twice"
                )
            seen.add(shipment.key)

    def complete(
        self, *, shipments: Sequence[Shipment] = (), now: datetime, actor: str
    ) -> OrderCompleted:
        """Record the shipments of a full delivery at once and complete the order.

        Itemized shipments must ship every goods position in full; a partial delivery is
        recorded parcel by parcel with :meth:`ship` (and the rest closed with
        :meth:`close_undelivered`).
        """
        ORDER_LIFECYCLE.check(self, "complete")
        self._check_shipments(shipments)
        if any(s.items for s in shipments):
            shipped = _sum_items(shipments)
            missing = [
                p.position_id
                for p in self.goods
                if shipped.get(p.position_id, Decimal(0)) != p.quantity
            ]
            if missing:
                raise ValidationError(
                    f"order {self.order_id}: not every position is shipped in full "
                    f"({', '.join(missing)}); record a partial delivery with ship_order"
                )
        ORDER_LIFECYCLE.fire(self, "complete")
        self.shipments = tuple(shipments)
        self.completed_at = now
        return OrderCompleted(
            aggregate_id=self.order_id,
            occurred_at=now,
            actor=actor,
            tracking_numbers=self.tracking_numbers,
        )

    def ship(
        self, shipment: Shipment, *, now: datetime, actor: str
    ) -> list[OrderShipped | OrderCompleted]:
        """Record one parcel of a (possibly partial) delivery with the goods in it.

        The order is partly shipped until every goods position is shipped; the parcel
        that ships the last of them completes it. Refused, with nothing changed, for a
        parcel without items, with a service or more than is outstanding in it, or with a
        tracking number the carrier already has on this order.
        """
        action = "ship_part"
        ORDER_LIFECYCLE.check(self, action)
        if not shipment.items:
            raise ValidationError(f"order {self.order_id}: a parcel must list its items")
        if self.shipments and not self.shipments[0].items:
            raise ValidationError(f"order {self.order_id}: the whole order was shipped already")
        recorded = attrs.evolve(shipment, shipped_at=now)
        self._check_shipments([*self.shipments, recorded])
        outstanding = self.outstanding()
        shipped = _sum_items([recorded])
        for position_id, quantity in shipped.items():
            if quantity > outstanding.get(position_id, Decimal(0)):
                raise ValidationError(
                    f"order {self.order_id}: {quantity} of {position_id} shipped, "
                    f"{outstanding.get(position_id, Decimal(0))} outstanding"
                )
        done = all(shipped.get(k, Decimal(0)) == v for k, v in outstanding.items())
        ORDER_LIFECYCLE.fire(self, "ship_rest" if done else action)
        self.shipments = (*self.shipments, recorded)
        events: list[OrderShipped | OrderCompleted] = [
            OrderShipped(
                aggregate_id=self.order_id,
                occurred_at=now,
                actor=actor,
                carrier=recorded.carrier,
                tracking_number=recorded.tracking_number,
                position_ids=tuple(i.position_id for i in recorded.items),
                quantities=tuple(str(i.quantity) for i in recorded.items),
            )
        ]
        if done:
            self.completed_at = now
            events.append(self._completed_by_parcels(now, actor))
        return events

    def close_undelivered(self, *, reason: str, now: datetime, actor: str) -> OrderDeliveryClosed:
        """Close what is still outstanding of a partly shipped order as not delivered.

        The order becomes complete; the pro-forma invoice bills only what was delivered
        and names what was not. ``reason`` is required and shown on the documents.
        """
        ORDER_LIFECYCLE.check(self, "close_rest")
        if not reason.strip():
            raise ValidationError(f"order {self.order_id}: give a reason for closing the rest")
        outstanding = self.outstanding()
        ORDER_LIFECYCLE.fire(self, "close_rest")
        self.not_delivered = tuple(NotDelivered(k, v) for k, v in outstanding.items())
        self.not_delivered_reason = reason.strip()
        self.completed_at = now
        return OrderDeliveryClosed(
            aggregate_id=self.order_id,
            occurred_at=now,
            actor=actor,
            reason=self.not_delivered_reason,
            position_ids=tuple(outstanding),
            quantities=tuple(str(v) for v in outstanding.values()),
            tracking_numbers=self.tracking_numbers,
        )

    def _completed_by_parcels(self, now: datetime, actor: str) -> OrderCompleted:
        return OrderCompleted(
            aggregate_id=self.order_id,
            occurred_at=now,
            actor=actor,
            tracking_numbers=self.tracking_numbers,
            by_parcels=True,
        )

    def invoice(self, *, proforma_number: str, now: datetime, actor: str) -> OrderInvoiced:
        """Mark the order invoiced (final) with its pro-forma invoice number."""
        ORDER_LIFECYCLE.fire(self, "invoice")
        self.invoiced_at = now
        self.proforma_number = proforma_number
        return OrderInvoiced(
            aggregate_id=self.order_id,
            occurred_at=now,
            actor=actor,
            proforma_number=proforma_number,
        )

    # -- procurement ---------------------------------------------------------------------

    @property
    def procurable(self) -> bool:
        """True while positions can go into purchasing: confirmed or in procurement."""
        return self.status in (
            OrderStatus.CONFIRMED,
            OrderStatus.IN_PROCUREMENT,
            OrderStatus.PARTLY_SHIPPED,
        )

    def procurement_of(self, position_id: str) -> PositionProcurement:
        """The procurement quantities of one position (all zero if never touched)."""
        for record in self.procurement:
            if record.position_id == position_id:
                return record
        self.position(position_id)  # an unknown position is an error, not zeros
        return PositionProcurement(position_id)

    def not_procured(self, position_id: str) -> Decimal:
        """The quantity of a position not yet in the cart, ordered or received."""
        return self.position(position_id).quantity - self.procurement_of(position_id).procured

    def shift_procurement(
        self,
        position_id: str,
        *,
        in_cart: Decimal = Decimal(0),
        ordered: Decimal = Decimal(0),
        received: Decimal = Decimal(0),
    ) -> None:
        """Change a position's procurement quantities by the given amounts.

        Refused (nothing changes) for an invoiced order, for a negative result, or when the
        procured quantity would exceed the position's quantity.
        """
        self.shift_procurements([(position_id, in_cart, ordered, received)])

    def shift_procurements(self, changes: Iterable[tuple[str, Decimal, Decimal, Decimal]]) -> None:
        """:meth:`shift_procurement` for many ``(position_id, in_cart, ordered, received)``
        changes in one pass over the order; all of them apply, or (on an error) none."""
        if self.status is OrderStatus.INVOICED:
            raise InvalidTransition(
                "order", self.order_id, self.status.value, "procure", self.allowed_actions()
            )
        positions = {p.position_id: p for p in self.positions}
        records = {r.position_id: r for r in self.procurement}
        for position_id, in_cart, ordered, received in changes:
            position = positions.get(position_id)
            if position is None:
                self.position(position_id)  # raises: an unknown position
                continue  # pragma: no cover - position() raised
            current = records.get(position_id, PositionProcurement(position_id))
            updated = PositionProcurement(
                position_id,
                current.in_cart + in_cart,
                current.ordered + ordered,
                current.received + received,
            )
            if min(updated.in_cart, updated.ordered, updated.received) < 0:
                raise ValidationError(
                    f"order {self.order_id} position {position_id}: procurement below zero"
                )
            if updated.procured > position.quantity:
                raise OverProcurement(
                    self.order_id,
                    position_id,
                    updated.procured - current.procured,
                    position.quantity - current.procured,
                )
            records[position_id] = updated
        # Kept in the positions' order, so stores and tests see one canonical tuple.
        self.procurement = tuple(
            records[p.position_id] for p in self.positions if p.position_id in records
        )

    @property
    def procurement_open(self) -> bool:
        """True while anything of the order is in the cart or ordered."""
        return any(record.open for record in self.procurement)

    def sync_procurement(
        self, *, now: datetime, actor: str
    ) -> list[OrderProcurementStarted | OrderProcurementEnded]:
        """Move between confirmed and in_procurement to match the procurement quantities."""
        if self.status is OrderStatus.CONFIRMED and self.procurement_open:
            ORDER_LIFECYCLE.fire(self, "start_procurement")
            return [
                OrderProcurementStarted(aggregate_id=self.order_id, occurred_at=now, actor=actor)
            ]
        if self.status is OrderStatus.IN_PROCUREMENT and not self.procurement_open:
            ORDER_LIFECYCLE.fire(self, "end_procurement")
            return [OrderProcurementEnded(aggregate_id=self.order_id, occurred_at=now, actor=actor)]
        return []


def is_goods(position: Position) -> bool:
    """True for what is shipped (catalog and custom products); free-text lines are services."""
    return position.kind is not PositionKind.FREE_TEXT


def _sum_items(shipments: Sequence[Shipment]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for shipment in shipments:
        for item in shipment.items:
            totals[item.position_id] = totals.get(item.position_id, Decimal(0)) + item.quantity
    return totals
