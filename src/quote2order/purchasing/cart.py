"""The purchasing cart: one per reseller, one line per product, each line traced to orders.

A cart line combines every quantity of one catalog product that the reseller wants to buy,
from any number of orders and customers; its allocations say which order position each
part serves. The cart only keeps these lines consistent; moving quantities between the cart
and the orders' procurement records is :mod:`quote2order.purchasing.procurement`'s job.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from quote2order.errors import CartLineNotFound, NotProcurable, ValidationError
from quote2order.money import as_decimal
from quote2order.positions import CatalogProduct, Position

__all__ = ["Allocation", "Cart", "CartLine", "merge_allocations", "split_allocations"]


def _whole_quantity(value: Any) -> Decimal:
    quantity = as_decimal(value, "quantity")
    if quantity <= 0 or quantity != quantity.to_integral():
        raise ValidationError(f"a procured quantity must be a whole number > 0, not {value!r}")
    return quantity


@attrs.frozen
class Allocation:
    """A quantity of one order position that a cart or purchase-order line serves."""

    order_id: str
    position_id: str
    quantity: Decimal = attrs.field(converter=_whole_quantity)

    @property
    def key(self) -> tuple[str, str]:
        """``(order_id, position_id)``."""
        return (self.order_id, self.position_id)


def _sum(allocations: Iterable[Allocation]) -> Decimal:
    return sum((a.quantity for a in allocations), Decimal(0))


def merge_allocations(allocations: Iterable[Allocation]) -> tuple[Allocation, ...]:
    """Allocations with one entry per order position, in first-seen order."""
    totals: dict[tuple[str, str], Decimal] = {}
    for allocation in allocations:
        totals[allocation.key] = totals.get(allocation.key, Decimal(0)) + allocation.quantity
    return tuple(Allocation(o, p, q) for (o, p), q in totals.items())


def split_allocations(
    allocations: Sequence[Allocation], quantity: Decimal
) -> tuple[tuple[Allocation, ...], tuple[Allocation, ...]]:
    """Split ``allocations`` into the first ``quantity`` units and the rest.

    Oldest allocations are served first, so a split line serves whole positions where it can.
    """
    head: list[Allocation] = []
    tail: list[Allocation] = []
    left = quantity
    for allocation in allocations:
        take = min(left, allocation.quantity)
        if take > 0:
            head.append(Allocation(allocation.order_id, allocation.position_id, take))
        if allocation.quantity > take:
            tail.append(
                Allocation(allocation.order_id, allocation.position_id, allocation.quantity - take)
            )
        left -= take
    if left > 0:
        raise ValidationError(f"cannot take {quantity} from allocations of {_sum(allocations)}")
    return tuple(head), tuple(tail)


@attrs.frozen
class CartLine:
    """One product to buy, with the order positions its quantity serves."""

    line_id: str
    product: CatalogProduct
    allocations: tuple[Allocation, ...]

    @property
    def product_id(self) -> str:
        return self.product.product_id

    @property
    def quantity(self) -> Decimal:
        """The quantity to buy: the sum of the allocations."""
        return _sum(self.allocations)


@attrs.define
class Cart:
    """A reseller's purchasing cart; ``reseller_id`` is its id (one cart per reseller)."""

    reseller_id: str
    lines: tuple[CartLine, ...] = ()
    line_counter: int = 0  # line ids are never reused, so a stale id cannot hit a new line
    revision: int = 0

    def copy(self) -> Cart:
        """An independent copy (lines are frozen values)."""
        return attrs.evolve(self)

    def line(self, line_id: str) -> CartLine:
        """The line with ``line_id``, or raise CartLineNotFound."""
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise CartLineNotFound(line_id)

    def line_for_product(self, product_id: str) -> CartLine | None:
        """The line of ``product_id``, if the cart has one."""
        for line in self.lines:
            if line.product_id == product_id:
                return line
        return None

    def allocations_of(self, order_id: str) -> tuple[Allocation, ...]:
        """Every allocation to ``order_id`` across the lines."""
        return tuple(a for line in self.lines for a in line.allocations if a.order_id == order_id)

    def add(self, order_id: str, items: Sequence[tuple[Position, Decimal]]) -> None:
        """Add quantities of an order's positions, combining them per product.

        Checked before anything changes: every position must be procurable and every
        quantity a whole number > 0.
        """
        additions: list[tuple[CatalogProduct, Allocation]] = []
        for position, quantity in items:
            if not position.procurable or position.product is None:
                raise NotProcurable(
                    f"position {position.position_id} ({position.kind.value}) cannot be procured"
                )
            additions.append(
                (position.product, Allocation(order_id, position.position_id, quantity))
            )
        lines = list(self.lines)
        index = {line.product_id: i for i, line in enumerate(lines)}
        for product, allocation in additions:
            i = index.get(product.product_id)
            if i is None:
                self.line_counter += 1
                index[product.product_id] = len(lines)
                lines.append(CartLine(f"L{self.line_counter}", product, (allocation,)))
            else:
                line = lines[i]
                lines[i] = attrs.evolve(
                    line, allocations=merge_allocations((*line.allocations, allocation))
                )
        self.lines = tuple(lines)

    def replace_allocations(self, line_id: str, allocations: Sequence[Allocation]) -> None:
        """Give a line new allocations; none removes the line."""
        line = self.line(line_id)
        if allocations:
            new = attrs.evolve(line, allocations=merge_allocations(allocations))
            self.lines = tuple(new if x.line_id == line_id else x for x in self.lines)
        else:
            self.lines = tuple(x for x in self.lines if x.line_id != line_id)

    def remove_lines(self, line_ids: Collection[str]) -> None:
        """Remove the lines ``line_ids`` (in one pass over the cart)."""
        wanted = set(line_ids)
        self.lines = tuple(line for line in self.lines if line.line_id not in wanted)

    def remove_order(self, order_id: str) -> tuple[Allocation, ...]:
        """Drop every allocation to ``order_id``; lines left empty disappear."""
        removed: list[Allocation] = []
        lines: list[CartLine] = []
        for line in self.lines:
            keep = tuple(a for a in line.allocations if a.order_id != order_id)
            removed.extend(a for a in line.allocations if a.order_id == order_id)
            if keep:
                lines.append(
                    line
                    if len(keep) == len(line.allocations)
                    else attrs.evolve(line, allocations=keep)
                )
        self.lines = tuple(lines)
        return tuple(removed)
