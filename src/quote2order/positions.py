"""Positions (line items) of quotes and orders, and the catalog products they snapshot."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

import attrs

from quote2order.errors import ValidationError
from quote2order.money import Money, VatRate, as_decimal, line_net

__all__ = ["CatalogProduct", "Position", "PositionKind"]

_HUNDRED = Decimal(100)


class PositionKind(enum.Enum):
    """What a position sells; only catalog products can be procured from suppliers."""

    CATALOG = "catalog"  # a product from the platform's catalog, bought from suppliers
    FREE_TEXT = "free_text"  # a free-text line (services, notes with a price)
    CUSTOM = "custom"  # the reseller's own (custom) product, not in the catalog


def _quantity(value: Any) -> Decimal:
    return as_decimal(value, "quantity")


def _discount(value: Any) -> Decimal:
    return as_decimal(value, "discount")


@attrs.frozen
class CatalogProduct:
    """A snapshot of a catalog product as it was when the position was made.

    Positions hold this frozen copy, so a later change in the host's catalog never
    alters a quote version or an order.
    """

    product_id: str
    manufacturer_part_number: str
    name: str
    purchase_price: Money | None = None


@attrs.frozen
class Position:
    """One line of a quote version or an order.

    ``position_id`` stays the same across quote versions, so versions can be compared.
    ``discount`` is a percentage (0-100) taken off the line.
    """

    position_id: str
    kind: PositionKind
    name: str
    quantity: Decimal = attrs.field(converter=_quantity)
    unit_price: Money
    vat_rate: VatRate
    discount: Decimal = attrs.field(default=Decimal(0), converter=_discount)
    product: CatalogProduct | None = None
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValidationError(f"position {self.position_id}: quantity must be > 0")
        if not Decimal(0) <= self.discount <= _HUNDRED:
            raise ValidationError(f"position {self.position_id}: discount must be 0-100 %")
        if (self.kind is PositionKind.CATALOG) != (self.product is not None):
            raise ValidationError(
                f"position {self.position_id}: a catalog position needs its product, "
                "and only a catalog position has one"
            )
        if self.kind is PositionKind.CATALOG and self.quantity != self.quantity.to_integral():
            raise ValidationError(
                f"position {self.position_id}: a catalog product's quantity must be whole"
            )

    @property
    def procurable(self) -> bool:
        """True for catalog products; free-text positions and custom products never are."""
        return self.kind is PositionKind.CATALOG

    @property
    def net_amount(self) -> Money:
        """The line's net amount, rounded to the minor unit (see :mod:`quote2order.money`)."""
        return line_net(self.quantity, self.unit_price, self.discount)
