"""A stored cart reads lines on demand from its source and tracks the lines it changes."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal

import pytest

from quote2order.errors import CartLineNotFound
from quote2order.purchasing.cart import Allocation, Cart, CartChanges, CartLine
from tests.purchasing.conftest import catalog


class Source:
    """Stored lines in a list, recording every read."""

    def __init__(self, lines: Sequence[CartLine]) -> None:
        self.lines = list(lines)
        self.reads: list[tuple[str, list[str]]] = []

    def all_lines(self) -> Sequence[CartLine]:
        self.reads.append(("all", []))
        return list(self.lines)

    def lines_by_id(self, line_ids: Collection[str]) -> Sequence[CartLine]:
        self.reads.append(("id", sorted(line_ids)))
        return [line for line in self.lines if line.line_id in line_ids]

    def lines_by_product(self, product_ids: Collection[str]) -> Sequence[CartLine]:
        self.reads.append(("product", sorted(product_ids)))
        return [line for line in self.lines if line.product_id in product_ids]


def _stored(count: int = 5) -> tuple[Cart, Source]:
    full = Cart("reseller-1")
    for i in range(1, count + 1):
        full.add(f"order-{i}", [(catalog("pos-1", f"P{i}", i), Decimal(i))])
    source = Source(full.lines)
    return Cart.stored("reseller-1", source, line_counter=count, revision=3), source


def test_a_command_reads_only_the_lines_it_needs_and_reports_only_its_changes() -> None:
    cart, source = _stored()
    cart.add("order-9", [(catalog("pos-1", "P2", 9), Decimal(2)), (catalog("pos-2", "P9", 9), 1)])
    cart.replace_allocations("L4", [Allocation("order-4", "pos-1", Decimal(1))])
    assert cart.lines_with_ids(["L4", "L2"])[1].quantity == 4
    with pytest.raises(CartLineNotFound):
        cart.line("L77")
    cart.remove_lines(["L5", "L6"])  # L6 was made by this command
    assert source.reads == [
        ("product", ["P2", "P9"]),
        ("id", ["L4"]),
        ("id", ["L77"]),
    ]
    changes = cart.changes()
    assert changes == CartChanges((cart.line("L2"), cart.line("L4")), ("L5", "L6"))
    assert [(line.line_id, str(line.quantity)) for line in cart.lines] == [
        ("L1", "1"),
        ("L2", "4"),
        ("L3", "3"),
        ("L4", "1"),
    ]
    assert source.reads[-1] == ("all", [])
    cart.changes_saved()
    assert cart.changes() == CartChanges((), ())


def test_a_stored_cart_equals_the_cart_made_with_the_same_lines() -> None:
    cart, source = _stored(3)
    made = Cart("reseller-1", source.lines, 3, revision=3)
    assert cart == made
    assert made.changes() is None  # a cart made with its lines is stored whole
    copy = cart.copy()
    assert copy == made
    assert copy.changes() is None


def test_assigning_the_lines_of_a_stored_cart_makes_it_stored_whole() -> None:
    cart, source = _stored(3)
    cart.lines = (source.lines[2], source.lines[0])
    assert [line.line_id for line in cart.lines] == ["L3", "L1"]
    assert cart.changes() is None
    assert source.reads == []


def test_releasing_an_order_by_its_products_reads_only_their_lines() -> None:
    cart, source = _stored()
    removed = cart.remove_order("order-2", ["P2", "P4"])
    assert removed == (Allocation("order-2", "pos-1", Decimal(2)),)
    assert source.reads == [("product", ["P2", "P4"])]
    assert cart.changes() == CartChanges((), ("L2",))
    whole, _ = _stored()
    assert whole.remove_order("order-2") == removed  # without products: every line
