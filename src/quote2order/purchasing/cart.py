"""The purchasing cart: one per reseller, one line per product, each line traced to orders.

A cart line combines every quantity of one catalog product that the reseller wants to buy,
from any number of orders and customers; its allocations say which order position each
part serves. The cart only keeps these lines consistent; moving quantities between the cart
and the orders' procurement records is :mod:`quote2order.purchasing.procurement`'s job.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

import attrs

from quote2order.errors import CartLineNotFound, NotProcurable, ValidationError
from quote2order.money import as_decimal
from quote2order.positions import CatalogProduct, Position

__all__ = [
    "Allocation",
    "Cart",
    "CartChanges",
    "CartLine",
    "CartLineSource",
    "merge_allocations",
    "split_allocations",
]


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


class CartLineSource(Protocol):
    """Where a stored cart reads the lines it has not loaded yet (a store implements it).

    Each method returns stored lines in the cart's order; the cart keeps the lines it
    has changed and ignores stored versions of them.
    """

    def all_lines(self) -> Sequence[CartLine]:
        """Every stored line."""
        ...

    def lines_by_id(self, line_ids: Collection[str]) -> Sequence[CartLine]:
        """The stored lines among ``line_ids``."""
        ...

    def lines_by_product(self, product_ids: Collection[str]) -> Sequence[CartLine]:
        """The stored lines of the products ``product_ids``."""
        ...


@attrs.frozen
class CartChanges:
    """The lines a stored cart changed since it was loaded or last saved."""

    changed: tuple[CartLine, ...]  # new and changed lines, new ones in the order made
    removed: tuple[str, ...]  # ids of removed lines


def _lines_by_id(lines: Iterable[CartLine] | Mapping[str, CartLine]) -> dict[str, CartLine]:
    if isinstance(lines, Mapping):  # attrs.evolve passes the stored mapping back
        return dict(lines)
    return {line.line_id: line for line in lines}


@attrs.define(eq=False, repr=False)
class Cart:
    """A reseller's purchasing cart; ``reseller_id`` is its id (one cart per reseller).

    A cart made with its ``lines`` holds all of them. A cart a store loads with
    :meth:`stored` reads its lines from a :class:`CartLineSource` only when a command
    needs them (by id or by product; every line for :attr:`lines`), and keeps track of
    the lines it changes, so that the store writes only those (:meth:`changes`).
    :meth:`copy` gives an independent cart holding every line; ``attrs.evolve`` of a
    stored cart keeps its source and the lines it has read, not its tracked changes.
    """

    reseller_id: str
    _known: dict[str, CartLine] = attrs.field(factory=dict, alias="lines", converter=_lines_by_id)
    line_counter: int = 0  # line ids are never reused, so a stale id cannot hit a new line
    revision: int = 0
    _source: CartLineSource | None = attrs.field(default=None, alias="source", kw_only=True)
    # True when _known holds every line, in the cart's order.
    _complete: bool = attrs.field(init=False)
    # ids of new and changed lines (insertion order: new lines in the order made)
    _changed: dict[str, None] = attrs.field(init=False, factory=dict)
    _removed: set[str] = attrs.field(init=False, factory=set)

    @_complete.default
    def _complete_without_source(self) -> bool:
        return self._source is None

    @classmethod
    def stored(
        cls, reseller_id: str, source: CartLineSource, *, line_counter: int, revision: int
    ) -> Cart:
        """A stored cart whose lines ``source`` reads on demand (for store implementations)."""
        return cls(reseller_id, (), line_counter, revision, source=source)

    # -- reading -------------------------------------------------------------------------

    @property
    def lines(self) -> tuple[CartLine, ...]:
        """Every line, in the order they were first added."""
        self._load_all()
        return tuple(self._known.values())

    @lines.setter
    def lines(self, lines: Iterable[CartLine]) -> None:
        # Lines set at once may come in another order: the cart is then stored whole.
        self._known, self._complete, self._source = _lines_by_id(lines), True, None
        self.changes_saved()

    def _load_all(self) -> dict[str, CartLine]:
        if not self._complete:
            assert self._source is not None  # an incomplete cart always has a source
            merged: dict[str, CartLine] = {}
            for line in self._source.all_lines():
                if line.line_id not in self._removed:
                    merged[line.line_id] = self._known.get(line.line_id, line)
            for line_id in self._changed:  # lines made since loading, in the order made
                merged.setdefault(line_id, self._known[line_id])
            self._known, self._complete = merged, True
        return self._known

    def _learn(self, lines: Iterable[CartLine]) -> None:
        """Keep stored lines just read, unless this cart changed or removed them."""
        for line in lines:
            if line.line_id not in self._removed:
                self._known.setdefault(line.line_id, line)

    def line(self, line_id: str) -> CartLine:
        """The line with ``line_id``, or raise CartLineNotFound."""
        return self.lines_with_ids([line_id])[0]

    def lines_with_ids(self, line_ids: Sequence[str]) -> tuple[CartLine, ...]:
        """The lines ``line_ids``, in that order (read together); CartLineNotFound if one is
        missing."""
        if not self._complete:
            missing = [i for i in line_ids if i not in self._known and i not in self._removed]
            if missing:
                assert self._source is not None
                self._learn(self._source.lines_by_id(missing))
        for line_id in line_ids:
            if line_id not in self._known:
                raise CartLineNotFound(line_id)
        return tuple(self._known[line_id] for line_id in line_ids)

    def lines_for_products(self, product_ids: Collection[str]) -> dict[str, CartLine]:
        """The line of each product of ``product_ids`` that the cart has (read together)."""
        wanted = set(product_ids)
        found: dict[str, CartLine] = {}
        for line in self._known.values():
            if line.product_id in wanted:
                found.setdefault(line.product_id, line)
        if not self._complete and len(found) < len(wanted):
            assert self._source is not None
            stored = self._source.lines_by_product(wanted - set(found))
            self._learn(stored)
            for line in stored:
                if line.line_id in self._known:
                    found.setdefault(line.product_id, self._known[line.line_id])
        return found

    def line_for_product(self, product_id: str) -> CartLine | None:
        """The line of ``product_id``, if the cart has one."""
        return self.lines_for_products([product_id]).get(product_id)

    def allocations_of(self, order_id: str) -> tuple[Allocation, ...]:
        """Every allocation to ``order_id`` across the lines."""
        return tuple(a for line in self.lines for a in line.allocations if a.order_id == order_id)

    # -- changing ------------------------------------------------------------------------

    def _put(self, line: CartLine) -> None:
        self._known[line.line_id] = line
        self._changed[line.line_id] = None
        self._removed.discard(line.line_id)

    def _drop(self, line_id: str) -> None:
        self._known.pop(line_id, None)
        self._changed.pop(line_id, None)
        self._removed.add(line_id)

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
        lines = self.lines_for_products({product.product_id for product, _ in additions})
        for product, allocation in additions:
            line = lines.get(product.product_id)
            if line is None:
                self.line_counter += 1
                line = CartLine(f"L{self.line_counter}", product, (allocation,))
            else:
                line = attrs.evolve(
                    line, allocations=merge_allocations((*line.allocations, allocation))
                )
            lines[product.product_id] = line
            self._put(line)

    def replace_allocations(self, line_id: str, allocations: Sequence[Allocation]) -> None:
        """Give a line new allocations; none removes the line."""
        line = self.line(line_id)
        if allocations:
            self._put(attrs.evolve(line, allocations=merge_allocations(allocations)))
        else:
            self._drop(line_id)

    def remove_lines(self, line_ids: Collection[str]) -> None:
        """Remove the lines ``line_ids`` (ids the cart does not have are ignored)."""
        for line_id in line_ids:
            self._drop(line_id)

    def remove_order(
        self, order_id: str, product_ids: Collection[str] | None = None
    ) -> tuple[Allocation, ...]:
        """Drop every allocation to ``order_id``; lines left empty disappear.

        ``product_ids``: the products of the order's positions, if known; a position's
        quantities are only ever on its product's line, so only those lines are read.
        """
        removed: list[Allocation] = []
        lines = (
            self.lines
            if product_ids is None
            else tuple(self.lines_for_products(product_ids).values())
        )
        for line in lines:
            keep = tuple(a for a in line.allocations if a.order_id != order_id)
            if len(keep) == len(line.allocations):
                continue
            removed.extend(a for a in line.allocations if a.order_id == order_id)
            if keep:
                self._put(attrs.evolve(line, allocations=keep))
            else:
                self._drop(line.line_id)
        return tuple(removed)

    # -- for stores ----------------------------------------------------------------------

    def changes(self) -> CartChanges | None:
        """The lines changed since :meth:`stored` (or the last :meth:`changes_saved`);
        None for a cart made with its lines, which a store writes whole."""
        if self._source is None:
            return None
        return CartChanges(
            tuple(self._known[line_id] for line_id in self._changed),
            tuple(sorted(self._removed)),
        )

    def changes_saved(self) -> None:
        """Forget the tracked changes: a store has written them."""
        self._changed.clear()
        self._removed.clear()

    def copy(self) -> Cart:
        """An independent copy holding every line (lines are frozen values)."""
        return Cart(self.reseller_id, self.lines, self.line_counter, self.revision)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cart):
            return NotImplemented
        return (self.reseller_id, self.lines, self.line_counter, self.revision) == (
            other.reseller_id,
            other.lines,
            other.line_counter,
            other.revision,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, like the attrs class it was

    def __repr__(self) -> str:
        shown = self.lines if self._complete else f"<{len(self._known)} loaded>"
        return (
            f"Cart(reseller_id={self.reseller_id!r}, lines={shown!r}, "
            f"line_counter={self.line_counter!r}, revision={self.revision!r})"
        )
