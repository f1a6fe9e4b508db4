"""Moving quantities between orders and the cart: add, change, remove, release.

Each function checks everything before it changes anything, then changes the cart and the
orders together, so the cart's allocations always equal the orders' ``in_cart`` quantities.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from quote2order.errors import InvalidTransition, NotProcurable, OverProcurement, ValidationError
from quote2order.events import (
    CartLineChanged,
    CartLineRemoved,
    DomainEvent,
    PositionsAddedToCart,
    PositionsReleasedFromCart,
)
from quote2order.money import as_decimal
from quote2order.orders import Order
from quote2order.positions import Position, PositionKind
from quote2order.purchasing.cart import Allocation, Cart, split_allocations

__all__ = [
    "AddedToCart",
    "Selection",
    "SkipReason",
    "SkippedPosition",
    "add_to_cart",
    "change_cart_line",
    "release_order",
    "remove_cart_line",
]

#: Which positions to add: None (every procurable position, all of its open quantity),
#: position ids (all of each one's open quantity), or position id -> quantity.
Selection = Mapping[str, object] | Iterable[str] | None


class SkipReason(enum.Enum):
    """Why add-to-cart left a position out."""

    FREE_TEXT = "free_text"  # a free-text position is never procured
    CUSTOM_PRODUCT = "custom_product"  # the reseller's own product is never procured
    NOTHING_OPEN = "nothing_open"  # all of it is already in the cart, ordered or received


@attrs.frozen
class SkippedPosition:
    """A position add-to-cart left out, and why."""

    position_id: str
    reason: SkipReason


@attrs.frozen
class AddedToCart:
    """The outcome of add-to-cart: the cart, the order, what was added and what skipped."""

    cart: Cart
    order: Order
    added: tuple[Allocation, ...]
    skipped: tuple[SkippedPosition, ...]


def _whole(value: object, where: str) -> Decimal:
    quantity = as_decimal(value, "quantity")
    if quantity <= 0 or quantity != quantity.to_integral():
        raise ValidationError(f"{where}: a quantity must be a whole number > 0, not {value!r}")
    return quantity


def _skip_reason(position: Position) -> SkipReason:
    if position.kind is PositionKind.FREE_TEXT:
        return SkipReason.FREE_TEXT
    return SkipReason.CUSTOM_PRODUCT


def _check_procurable(order: Order, action: str) -> None:
    if not order.procurable:
        raise InvalidTransition(
            "order", order.order_id, order.status.value, action, order.allowed_actions()
        )


def _resolve(order: Order, positions: Selection) -> list[tuple[Position, object | None, bool]]:
    """(position, quantity or None for all that is open, named explicitly)."""
    if positions is None:
        return [(p, None, False) for p in order.positions]
    if isinstance(positions, Mapping):
        return [(order.position(pid), q, True) for pid, q in positions.items()]
    if isinstance(positions, str):
        raise ValidationError("positions must be position ids, not one string")
    ids = list(positions)
    if len(set(ids)) != len(ids):
        raise ValidationError(f"order {order.order_id}: a position is selected twice")
    return [(order.position(pid), None, True) for pid in ids]


def add_to_cart(
    cart: Cart, order: Order, positions: Selection, *, now: datetime, actor: str
) -> tuple[AddedToCart, list[DomainEvent]]:
    """Add the selected positions of a confirmed (or in-procurement) order to the cart."""
    _check_procurable(order, "add_to_cart")
    if cart.reseller_id != order.reseller_id:
        raise ValidationError(f"order {order.order_id} belongs to another reseller's cart")
    items: list[tuple[Position, Decimal]] = []
    skipped: list[SkippedPosition] = []
    for position, requested, explicit in _resolve(order, positions):
        pid = position.position_id
        if not position.procurable:
            skipped.append(SkippedPosition(pid, _skip_reason(position)))
            continue
        open_quantity = order.not_procured(pid)
        if requested is None:
            if open_quantity == 0:
                if explicit:
                    raise OverProcurement(order.order_id, pid, "the rest", open_quantity)
                skipped.append(SkippedPosition(pid, SkipReason.NOTHING_OPEN))
                continue
            quantity = open_quantity
        else:
            quantity = _whole(requested, f"order {order.order_id} position {pid}")
            if quantity > open_quantity:
                raise OverProcurement(order.order_id, pid, quantity, open_quantity)
        items.append((position, quantity))
    if not items:
        if all(s.reason is not SkipReason.NOTHING_OPEN for s in skipped):
            names = ", ".join(f"{s.position_id} ({s.reason.value})" for s in skipped) or "none"
            raise NotProcurable(
                f"order {order.order_id}: no procurable position selected; skipped {names}",
                [(s.position_id, s.reason.value) for s in skipped],
            )
        raise ValidationError(f"order {order.order_id}: nothing left to procure")
    cart.add(order.order_id, items)
    for position, quantity in items:
        order.shift_procurement(position.position_id, in_cart=quantity)
    added = tuple(Allocation(order.order_id, p.position_id, q) for p, q in items)
    events: list[DomainEvent] = [
        PositionsAddedToCart(
            aggregate_id=cart.reseller_id,
            occurred_at=now,
            actor=actor,
            order_id=order.order_id,
            position_ids=tuple(a.position_id for a in added),
            quantities=tuple(str(a.quantity) for a in added),
        ),
        *order.sync_procurement(now=now, actor=actor),
    ]
    return AddedToCart(cart, order, added, tuple(skipped)), events


def _release(
    orders: Mapping[str, Order], allocations: Sequence[Allocation], now: datetime, actor: str
) -> list[DomainEvent]:
    for allocation in allocations:
        orders[allocation.order_id].shift_procurement(
            allocation.position_id, in_cart=-allocation.quantity
        )
    events: list[DomainEvent] = []
    for order_id in dict.fromkeys(a.order_id for a in allocations):
        events.extend(orders[order_id].sync_procurement(now=now, actor=actor))
    return events


def change_cart_line(
    cart: Cart,
    orders: Mapping[str, Order],
    line_id: str,
    quantity: object,
    *,
    now: datetime,
    actor: str,
) -> list[DomainEvent]:
    """Set a line's quantity.

    Less releases the newest allocations first; more is taken from the open quantities of
    the positions the line already serves, oldest allocation first. ``orders`` holds every
    order the line serves.
    """
    line = cart.line(line_id)
    wanted = _whole(quantity, f"cart line {line_id}")
    for order_id in dict.fromkeys(a.order_id for a in line.allocations):
        _check_procurable(orders[order_id], "change_cart_line")
    events: list[DomainEvent] = []
    if wanted < line.quantity:
        keep, release = split_allocations(line.allocations, wanted)
        cart.replace_allocations(line_id, keep)
        events.extend(_release(orders, release, now, actor))
    elif wanted > line.quantity:
        left = wanted - line.quantity
        extra: list[Allocation] = []
        for allocation in line.allocations:
            take = min(left, orders[allocation.order_id].not_procured(allocation.position_id))
            if take > 0:
                extra.append(Allocation(allocation.order_id, allocation.position_id, take))
                left -= take
        if left > 0:
            raise ValidationError(
                f"cart line {line_id}: at most {wanted - left} can be bought for the "
                "positions it serves"
            )
        cart.replace_allocations(line_id, (*line.allocations, *extra))
        for allocation in extra:
            orders[allocation.order_id].shift_procurement(
                allocation.position_id, in_cart=allocation.quantity
            )
    changed = CartLineChanged(
        aggregate_id=cart.reseller_id,
        occurred_at=now,
        actor=actor,
        line_id=line_id,
        product_id=line.product_id,
        quantity=str(wanted),
    )
    return [changed, *events]


def remove_cart_line(
    cart: Cart, orders: Mapping[str, Order], line_id: str, *, now: datetime, actor: str
) -> list[DomainEvent]:
    """Remove a line; its quantities are not procured again (orders may end procurement)."""
    line = cart.line(line_id)
    cart.replace_allocations(line_id, ())
    removed = CartLineRemoved(
        aggregate_id=cart.reseller_id,
        occurred_at=now,
        actor=actor,
        line_id=line_id,
        product_id=line.product_id,
    )
    return [removed, *_release(orders, line.allocations, now, actor)]


def release_order(cart: Cart, order: Order, *, now: datetime, actor: str) -> list[DomainEvent]:
    """Take every cart quantity of ``order`` out of the cart (used when it is completed).

    The order's status is left alone: the action that called this moves it next.
    """
    products = {p.product.product_id for p in order.positions if p.product is not None}
    removed = cart.remove_order(order.order_id, products)
    if not removed:
        return []
    for allocation in removed:
        order.shift_procurement(allocation.position_id, in_cart=-allocation.quantity)
    return [
        PositionsReleasedFromCart(
            aggregate_id=cart.reseller_id,
            occurred_at=now,
            actor=actor,
            order_id=order.order_id,
            position_ids=tuple(a.position_id for a in removed),
            quantities=tuple(str(a.quantity) for a in removed),
        )
    ]
