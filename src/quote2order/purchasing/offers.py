"""Suppliers' offers and terms, and the port through which a host supplies them."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Protocol

import attrs

from quote2order.errors import CurrencyMismatch, ValidationError
from quote2order.money import Money

__all__ = ["OfferSource", "StaticOfferSource", "SupplierOffer", "SupplierTerms"]


def _non_negative_int(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(f"{attribute.name} must be a whole number >= 0, not {value!r}")


def _non_negative_money(
    _instance: object, attribute: attrs.Attribute[Money], value: object
) -> None:
    if value is None:
        return
    if not isinstance(value, Money) or value.amount < 0:
        raise ValidationError(f"{attribute.name} must be Money >= 0, not {value!r}")


@attrs.frozen
class SupplierOffer:
    """What one supplier asks for one product, and how many it can deliver how fast."""

    supplier_id: str
    product_id: str
    unit_price: Money = attrs.field(validator=_non_negative_money)  # purchase price
    stock: int = attrs.field(validator=_non_negative_int)
    delivery_days: int = attrs.field(default=0, validator=_non_negative_int)
    partner: bool = False  # a partner supplier of the reseller


@attrs.frozen
class SupplierTerms:
    """A supplier's shipping and order-value terms.

    Shipping is free from ``free_shipping_threshold`` of goods on (never, when None); an
    order below ``minimum_order_value`` (None: no minimum) is not placed.
    """

    supplier_id: str
    shipping_cost: Money = attrs.field(validator=_non_negative_money)
    free_shipping_threshold: Money | None = attrs.field(default=None, validator=_non_negative_money)
    minimum_order_value: Money | None = attrs.field(default=None, validator=_non_negative_money)

    def __attrs_post_init__(self) -> None:
        for amount in (self.free_shipping_threshold, self.minimum_order_value):
            if amount is not None and amount.currency != self.shipping_cost.currency:
                raise CurrencyMismatch(self.shipping_cost.currency, amount.currency)

    def shipping_for(self, goods: Money) -> Money:
        """The shipping charged on an order of ``goods``."""
        if self.free_shipping_threshold is not None and goods >= self.free_shipping_threshold:
            return Money.zero(goods.currency)
        return self.shipping_cost

    def accepts(self, goods: Money) -> bool:
        """True unless ``goods`` is below the minimum order value."""
        return self.minimum_order_value is None or goods >= self.minimum_order_value


class OfferSource(Protocol):
    """Where the host's supplier data comes from (a distributor feed, an API, a cache).

    Called once per checkout with every product and supplier involved, so a host can
    answer from one query. Suppliers without terms ship for free, with no minimum.
    """

    def offers(self, product_ids: Collection[str]) -> Mapping[str, Sequence[SupplierOffer]]:
        """Each product's offers, keyed by product id (a product without offers may be absent)."""
        ...

    def terms(self, supplier_ids: Collection[str]) -> Mapping[str, SupplierTerms]:
        """Each supplier's terms, keyed by supplier id."""
        ...


class StaticOfferSource:
    """A fixed list of offers and terms, for tests, demos and hosts with a nightly feed."""

    def __init__(
        self, offers: Iterable[SupplierOffer], terms: Iterable[SupplierTerms] = ()
    ) -> None:
        self._offers: dict[str, list[SupplierOffer]] = {}
        seen: set[tuple[str, str]] = set()
        for offer in offers:
            if (offer.supplier_id, offer.product_id) in seen:
                raise ValidationError(
                    f"supplier {offer.supplier_id} offers {offer.product_id} twice"
                )
            seen.add((offer.supplier_id, offer.product_id))
            self._offers.setdefault(offer.product_id, []).append(offer)
        self._terms = {t.supplier_id: t for t in terms}

    def offers(self, product_ids: Collection[str]) -> Mapping[str, Sequence[SupplierOffer]]:
        return {p: tuple(self._offers[p]) for p in product_ids if p in self._offers}

    def terms(self, supplier_ids: Collection[str]) -> Mapping[str, SupplierTerms]:
        return {s: self._terms[s] for s in supplier_ids if s in self._terms}
