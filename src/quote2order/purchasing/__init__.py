"""Purchasing: the reseller's cart, supplier offers, checkout strategies and purchase orders.

Orders go into the cart (:func:`add_to_cart`), the cart combines them per product, and
checkout turns it into purchase orders per supplier following an
:class:`AllocationStrategy`. The service (:class:`quote2order.Quote2Order`) runs each of
these steps in one unit of work; the functions here are the pure rules underneath.
"""

from quote2order.purchasing.cart import Allocation, Cart, CartLine
from quote2order.purchasing.checkout import CheckoutResult, UncoveredLine, check_plan, checkout
from quote2order.purchasing.offers import (
    OfferSource,
    StaticOfferSource,
    SupplierOffer,
    SupplierTerms,
)
from quote2order.purchasing.optimized import OptimizedStrategy
from quote2order.purchasing.procurement import (
    AddedToCart,
    Selection,
    SkippedPosition,
    SkipReason,
    add_to_cart,
    change_cart_line,
    release_order,
    remove_cart_line,
)
from quote2order.purchasing.purchase_orders import PurchaseOrder, PurchaseOrderLine
from quote2order.purchasing.strategies import (
    AllocationPlan,
    AllocationStrategy,
    CheapestInStock,
    SupplierShare,
)

__all__ = [
    "AddedToCart",
    "Allocation",
    "AllocationPlan",
    "AllocationStrategy",
    "Cart",
    "CartLine",
    "CheapestInStock",
    "CheckoutResult",
    "OfferSource",
    "OptimizedStrategy",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Selection",
    "SkipReason",
    "SkippedPosition",
    "StaticOfferSource",
    "SupplierOffer",
    "SupplierShare",
    "SupplierTerms",
    "UncoveredLine",
    "add_to_cart",
    "change_cart_line",
    "check_plan",
    "checkout",
    "release_order",
    "remove_cart_line",
]
