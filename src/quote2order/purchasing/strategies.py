"""Allocation strategies: which supplier delivers how much of each cart line.

A strategy is pure: it sees the lines to check out, the offers per product and the
suppliers' terms, and returns an :class:`AllocationPlan`. Checkout validates the plan
(known lines and suppliers, whole quantities, stock, each line covered exactly or not at
all) before it creates anything, so a faulty strategy cannot corrupt the cart or orders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol

import attrs

from quote2order.errors import ValidationError
from quote2order.purchasing.cart import CartLine
from quote2order.purchasing.offers import SupplierOffer, SupplierTerms

__all__ = ["AllocationPlan", "AllocationStrategy", "CheapestInStock", "SupplierShare"]


@attrs.frozen
class SupplierShare:
    """``quantity`` units of a line bought from ``supplier_id``."""

    supplier_id: str
    quantity: int

    def __attrs_post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise ValidationError(f"a supplier share needs a whole quantity, not {self.quantity!r}")
        if self.quantity <= 0:
            raise ValidationError(f"a supplier share needs a quantity > 0, not {self.quantity}")


@attrs.frozen(hash=False)
class AllocationPlan:
    """Per cart line id, the suppliers and quantities; per uncovered line id, the reason.

    A covered line's shares add up to its whole quantity; a line is covered or uncovered,
    never both.
    """

    shares: Mapping[str, tuple[SupplierShare, ...]] = attrs.field(factory=dict)
    uncovered: Mapping[str, str] = attrs.field(factory=dict)


class AllocationStrategy(Protocol):
    """Plans a checkout; the exact optimizer (``quote2order.optimize``) is one of these."""

    def plan(
        self,
        lines: Sequence[CartLine],
        offers: Mapping[str, Sequence[SupplierOffer]],
        terms: Mapping[str, SupplierTerms],
    ) -> AllocationPlan:
        """Which supplier delivers how much of each line; ``offers`` is keyed by product id."""
        ...


def _rank(offer: SupplierOffer) -> tuple[Decimal, bool, int, str]:
    # Cheapest first; on a tie prefer a partner supplier, then faster delivery.
    return (offer.unit_price.amount, not offer.partner, offer.delivery_days, offer.supplier_id)


class CheapestInStock:
    """Per line the cheapest offer with enough stock; split across suppliers when needed.

    Lines are planned in the order given; stock taken by one line is not available to the
    next. Shipping costs are not weighed (the exact optimizer does that), but a supplier
    whose goods would stay below its minimum order value is dropped and the plan redone.
    """

    def plan(
        self,
        lines: Sequence[CartLine],
        offers: Mapping[str, Sequence[SupplierOffer]],
        terms: Mapping[str, SupplierTerms],
    ) -> AllocationPlan:
        excluded: dict[str, str] = {}
        while True:
            plan = self._plan_once(lines, offers, excluded)
            below = self._below_minimum(plan, lines, offers, terms)
            if not below:
                return plan
            excluded.update(below)

    @staticmethod
    def _plan_once(
        lines: Sequence[CartLine],
        offers: Mapping[str, Sequence[SupplierOffer]],
        excluded: Mapping[str, str],
    ) -> AllocationPlan:
        taken: dict[tuple[str, str], int] = {}
        shares: dict[str, tuple[SupplierShare, ...]] = {}
        uncovered: dict[str, str] = {}
        for line in lines:
            candidates = sorted(
                (o for o in offers.get(line.product_id, ()) if o.supplier_id not in excluded),
                key=_rank,
            )
            if not candidates:
                reason = "no offer"
                dropped = [o.supplier_id for o in offers.get(line.product_id, ())]
                if dropped:
                    reason += " (" + "; ".join(excluded[s] for s in sorted(dropped)) + ")"
                uncovered[line.line_id] = reason
                continue
            need = int(line.quantity)
            available = {
                o.supplier_id: o.stock - taken.get((o.supplier_id, line.product_id), 0)
                for o in candidates
            }
            whole = next((o for o in candidates if available[o.supplier_id] >= need), None)
            if whole is not None:
                picked = [SupplierShare(whole.supplier_id, need)]
            else:
                if sum(available.values()) < need:
                    uncovered[line.line_id] = (
                        f"not enough stock: {need} needed, {sum(available.values())} available"
                    )
                    continue
                picked = []
                left = need
                for offer in candidates:
                    take = min(left, available[offer.supplier_id])
                    if take > 0:
                        picked.append(SupplierShare(offer.supplier_id, take))
                        left -= take
                    if left == 0:
                        break
            for share in picked:
                key = (share.supplier_id, line.product_id)
                taken[key] = taken.get(key, 0) + share.quantity
            shares[line.line_id] = tuple(picked)
        return AllocationPlan(shares, uncovered)

    @staticmethod
    def _below_minimum(
        plan: AllocationPlan,
        lines: Sequence[CartLine],
        offers: Mapping[str, Sequence[SupplierOffer]],
        terms: Mapping[str, SupplierTerms],
    ) -> dict[str, str]:
        product_of = {line.line_id: line.product_id for line in lines}
        price = {
            (o.supplier_id, product_id): o.unit_price
            for product_id, product_offers in offers.items()
            for o in product_offers
        }
        goods: dict[str, Decimal] = {}
        for line_id, line_shares in plan.shares.items():
            for share in line_shares:
                unit = price[(share.supplier_id, product_of[line_id])]
                goods[share.supplier_id] = (
                    goods.get(share.supplier_id, Decimal(0)) + unit.amount * share.quantity
                )
        below: dict[str, str] = {}
        for supplier_id, amount in goods.items():
            supplier_terms = terms.get(supplier_id)
            minimum = None if supplier_terms is None else supplier_terms.minimum_order_value
            if minimum is not None and amount < minimum.amount:
                below[supplier_id] = f"{supplier_id} below its minimum order value of {minimum}"
        return below
