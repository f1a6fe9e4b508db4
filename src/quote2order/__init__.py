"""quote2order: won quotes become orders.

The core model, lifecycles and service. Adapters live in :mod:`quote2order.adapters`
and are imported on their own; the pydantic boundary is :mod:`quote2order.schemas`.
"""

from quote2order.errors import (
    AlreadyAccepted,
    ConcurrencyError,
    Conflict,
    CurrencyMismatch,
    DeliveryError,
    FloatMoney,
    IdempotencyConflict,
    InvalidTransition,
    MoneyError,
    NotFound,
    NotProcurable,
    OptimizationError,
    OrderNotFound,
    PastValidity,
    Quote2OrderError,
    QuoteNotFound,
    StorageError,
    StorageUnavailable,
    SupersededVersion,
    ValidationError,
)
from quote2order.lifecycle import ORDER_LIFECYCLE, QUOTE_LIFECYCLE, OrderStatus, QuoteStatus
from quote2order.money import DocumentTotals, Money, VatRate, VatSubtotal, document_totals
from quote2order.orders import Order, Shipment, ShipmentItem
from quote2order.positions import CatalogProduct, Position, PositionKind
from quote2order.quotes import Customer, PositionChange, Quote, QuoteVersion
from quote2order.service import CreatedQuote, Quote2Order

__version__ = "0.1.0.dev0"

__all__ = [
    "ORDER_LIFECYCLE",
    "QUOTE_LIFECYCLE",
    "AlreadyAccepted",
    "CatalogProduct",
    "ConcurrencyError",
    "Conflict",
    "CreatedQuote",
    "CurrencyMismatch",
    "Customer",
    "DeliveryError",
    "DocumentTotals",
    "FloatMoney",
    "IdempotencyConflict",
    "InvalidTransition",
    "Money",
    "MoneyError",
    "NotFound",
    "NotProcurable",
    "OptimizationError",
    "Order",
    "OrderNotFound",
    "OrderStatus",
    "PastValidity",
    "Position",
    "PositionChange",
    "PositionKind",
    "Quote",
    "Quote2Order",
    "Quote2OrderError",
    "QuoteNotFound",
    "QuoteStatus",
    "QuoteVersion",
    "Shipment",
    "ShipmentItem",
    "StorageError",
    "StorageUnavailable",
    "SupersededVersion",
    "ValidationError",
    "VatRate",
    "VatSubtotal",
    "document_totals",
]
