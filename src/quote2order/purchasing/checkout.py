"""Checkout: cart lines become purchase orders, one per supplier, following a plan.

The strategy's plan is checked before anything is created; lines it leaves uncovered (no
offer, too little stock) stay in the cart with their reason, the rest is ordered. Every
purchase-order line keeps the order positions it serves; a line split across suppliers
splits its allocations oldest first, so each part still adds up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from quote2order.errors import (
    CurrencyMismatch,
    InvalidTransition,
    OptimizationError,
    ValidationError,
)
from quote2order.events import CartCheckedOut, DomainEvent, PurchaseOrderCreated
from quote2order.money import Money
from quote2order.orders import Order
from quote2order.purchasing.cart import Cart, CartLine, split_allocations
from quote2order.purchasing.offers import OfferSource, SupplierOffer, SupplierTerms
from quote2order.purchasing.purchase_orders import PurchaseOrder, PurchaseOrderLine
from quote2order.purchasing.strategies import AllocationPlan, AllocationStrategy

__all__ = ["CheckoutResult", "UncoveredLine", "check_plan", "checkout"]

#: Makes the next purchase order's (id, number).
NewPurchaseOrder = Callable[[], tuple[str, str]]


@attrs.frozen
class UncoveredLine:
    """A cart line checkout could not order, with the strategy's reason; it stays in the cart."""

    line_id: str
    product_id: str
    quantity: Decimal
    reason: str


@attrs.frozen
class CheckoutResult:
    """The purchase orders a checkout made, the lines it left in the cart, and the cart."""

    checkout_id: str
    purchase_orders: tuple[PurchaseOrder, ...]
    uncovered: tuple[UncoveredLine, ...]
    cart: Cart


def _select(cart: Cart, line_ids: Sequence[str] | None) -> list[CartLine]:
    if line_ids is None:
        lines = list(cart.lines)
    else:
        if len(set(line_ids)) != len(line_ids):
            raise ValidationError("a cart line is selected twice")
        lines = list(cart.lines_with_ids(line_ids))  # read together, not one by one
    if not lines:
        raise ValidationError(f"the cart of {cart.reseller_id} has nothing to check out")
    return lines


def _offers(
    source: OfferSource, lines: Sequence[CartLine]
) -> tuple[dict[str, tuple[SupplierOffer, ...]], dict[str, SupplierTerms], str | None]:
    products = {line.product_id for line in lines}
    offers = {p: tuple(o) for p, o in source.offers(products).items() if p in products}
    currency: str | None = None
    for product_id, product_offers in offers.items():
        for offer in product_offers:
            if offer.product_id != product_id:
                raise ValidationError(f"offer for {offer.product_id} given as one for {product_id}")
            # One checkout buys in one currency, so offers can be compared by amount.
            if currency is None:
                currency = offer.unit_price.currency
            elif offer.unit_price.currency != currency:
                raise CurrencyMismatch(currency, offer.unit_price.currency)
    suppliers = {o.supplier_id for product_offers in offers.values() for o in product_offers}
    terms = {s: t for s, t in source.terms(suppliers).items() if s in suppliers}
    for supplier_terms in terms.values():
        if currency is not None and supplier_terms.shipping_cost.currency != currency:
            raise CurrencyMismatch(currency, supplier_terms.shipping_cost.currency)
    return offers, terms, currency


def check_plan(
    plan: AllocationPlan,
    lines: Sequence[CartLine],
    offers: Mapping[str, Sequence[SupplierOffer]],
) -> None:
    """Raise OptimizationError unless ``plan`` is a sound plan for ``lines``."""
    by_id = {line.line_id: line for line in lines}
    problems: list[str] = []
    for line_id in (*plan.shares, *plan.uncovered):
        if line_id not in by_id:
            problems.append(f"unknown line {line_id}")
    for line_id in by_id:
        covered, uncovered = line_id in plan.shares, line_id in plan.uncovered
        if covered == uncovered:
            problems.append(f"line {line_id} must be either covered or uncovered")
    stock: dict[tuple[str, str], int] = {}
    for line_id, shares in plan.shares.items():
        if line_id not in by_id:
            continue
        line = by_id[line_id]
        suppliers = [s.supplier_id for s in shares]
        if len(set(suppliers)) != len(suppliers):
            problems.append(f"line {line_id} names a supplier twice")
        if sum(s.quantity for s in shares) != line.quantity:
            problems.append(f"line {line_id}: shares do not add up to {line.quantity}")
        offered = {o.supplier_id: o.stock for o in offers.get(line.product_id, ())}
        for share in shares:
            if share.supplier_id not in offered:
                problems.append(f"line {line_id}: {share.supplier_id} has no offer")
                continue
            key = (share.supplier_id, line.product_id)
            stock[key] = stock.get(key, 0) + share.quantity
            if stock[key] > offered[share.supplier_id]:
                problems.append(f"line {line_id}: more than {share.supplier_id}'s stock")
    if problems:
        raise OptimizationError("unusable allocation plan: " + "; ".join(problems))


def checkout(
    cart: Cart,
    orders: Mapping[str, Order],
    source: OfferSource,
    strategy: AllocationStrategy,
    *,
    line_ids: Sequence[str] | None,
    checkout_id: str,
    new_purchase_order: NewPurchaseOrder,
    now: datetime,
    actor: str,
) -> tuple[CheckoutResult, list[DomainEvent]]:
    """Order the selected cart lines (all when ``line_ids`` is None) from suppliers.

    ``orders`` holds every order the selected lines serve. Nothing changes unless the
    plan is sound and every purchase order meets its supplier's minimum order value.
    """
    lines = _select(cart, line_ids)
    for order_id in dict.fromkeys(a.order_id for line in lines for a in line.allocations):
        order = orders[order_id]
        if not order.procurable:
            raise InvalidTransition(
                "order", order_id, order.status.value, "checkout", order.allowed_actions()
            )
    offers, terms, currency = _offers(source, lines)
    plan = strategy.plan(lines, offers, terms)
    check_plan(plan, lines, offers)

    # supplier -> purchase-order lines, in cart order; then price, ship, check minimums.
    by_supplier: dict[str, list[PurchaseOrderLine]] = {}
    for line in lines:
        rest = line.allocations
        offer_of = {o.supplier_id: o for o in offers.get(line.product_id, ())}
        for share in plan.shares.get(line.line_id, ()):
            served, rest = split_allocations(rest, Decimal(share.quantity))
            offer = offer_of[share.supplier_id]
            supplier_po_lines = by_supplier.setdefault(share.supplier_id, [])
            supplier_po_lines.append(
                PurchaseOrderLine(
                    line_id=str(len(supplier_po_lines) + 1),
                    cart_line_id=line.line_id,
                    product=line.product,
                    quantity=Decimal(share.quantity),
                    unit_price=offer.unit_price,
                    allocations=served,
                    delivery_days=offer.delivery_days,
                )
            )
    drafts: list[tuple[str, tuple[PurchaseOrderLine, ...], Money, bool]] = []
    for supplier_id, supplier_lines in by_supplier.items():
        assert currency is not None  # a covered line has an offer, so a currency
        goods = Money.sum((pl.amount for pl in supplier_lines), currency)
        supplier_terms = terms.get(supplier_id)
        if supplier_terms is not None and not supplier_terms.accepts(goods):
            raise OptimizationError(
                f"plan orders {goods} from {supplier_id}, below its minimum order value"
            )
        shipping = (
            Money.zero(currency) if supplier_terms is None else supplier_terms.shipping_for(goods)
        )
        partner = any(o.partner for o in _offers_of(offers, supplier_id))
        drafts.append((supplier_id, tuple(supplier_lines), shipping, partner))

    # Everything is checked: from here on the cart, the orders and the purchase orders change.
    purchase_orders: list[PurchaseOrder] = []
    events: list[DomainEvent] = []
    shifts: dict[str, list[tuple[str, Decimal, Decimal, Decimal]]] = {}
    zero = Decimal(0)
    for supplier_id, po_lines, shipping, partner in drafts:
        purchase_order_id, number = new_purchase_order()
        purchase_order = PurchaseOrder(
            purchase_order_id=purchase_order_id,
            number=number,
            reseller_id=cart.reseller_id,
            supplier_id=supplier_id,
            partner=partner,
            currency=shipping.currency,
            lines=po_lines,
            shipping=shipping,
            created_at=now,
            checkout_id=checkout_id,
        )
        for po_line in po_lines:
            for allocation in po_line.allocations:
                shifts.setdefault(allocation.order_id, []).append(
                    (allocation.position_id, -allocation.quantity, allocation.quantity, zero)
                )
        purchase_orders.append(purchase_order)
        events.append(
            PurchaseOrderCreated(
                aggregate_id=purchase_order_id,
                occurred_at=now,
                actor=actor,
                number=number,
                supplier_id=supplier_id,
                order_ids=purchase_order.order_ids,
            )
        )
    for order_id, changes in shifts.items():  # one pass per order, not one per allocation
        orders[order_id].shift_procurements(changes)
    ordered_ids = [line.line_id for line in lines if line.line_id in plan.shares]
    cart.remove_lines(ordered_ids)
    uncovered = tuple(
        UncoveredLine(line.line_id, line.product_id, line.quantity, plan.uncovered[line.line_id])
        for line in lines
        if line.line_id in plan.uncovered
    )
    events.append(
        CartCheckedOut(
            aggregate_id=cart.reseller_id,
            occurred_at=now,
            actor=actor,
            checkout_id=checkout_id,
            purchase_order_ids=tuple(p.purchase_order_id for p in purchase_orders),
            line_ids=tuple(ordered_ids),
            uncovered_line_ids=tuple(u.line_id for u in uncovered),
            uncovered_product_ids=tuple(u.product_id for u in uncovered),
            uncovered_quantities=tuple(str(u.quantity) for u in uncovered),
            uncovered_reasons=tuple(u.reason for u in uncovered),
        )
    )
    result = CheckoutResult(checkout_id, tuple(purchase_orders), uncovered, cart)
    return result, events


def _offers_of(
    offers: Mapping[str, Sequence[SupplierOffer]], supplier_id: str
) -> list[SupplierOffer]:
    return [
        o
        for product_offers in offers.values()
        for o in product_offers
        if o.supplier_id == supplier_id
    ]
