"""Input and output value objects of the procurement optimizer.

Money is :class:`decimal.Decimal` on the way in and out; a float given as money is refused
because binary fractions cannot represent prices exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import Any, Literal

import attrs

from quote2order.errors import MoneyError, ValidationError
from quote2order.money import as_decimal, minor_unit
from quote2order.optimize.limits import (
    EXTRA_PLACES,
    MAX_AMOUNT,
    MAX_LINES,
    MAX_OFFERS,
    MAX_SUPPLIERS,
    MAX_UNITS,
)

StrategyKind = Literal["cheapest", "partner-first", "partners-only", "fewest-sources"]
Method = Literal["milp", "heuristic", "cheapest-per-line"]
STRATEGY_KINDS: tuple[StrategyKind, ...] = (
    "cheapest",
    "partner-first",
    "partners-only",
    "fewest-sources",
)

_CURRENCY = re.compile(r"^[A-Z]{3}$")
ZERO = Decimal(0)


def money(value: object, where: str = "amount") -> Decimal:
    """Return ``value`` as a finite, non-negative Decimal; refuse floats and other types."""
    amount = as_decimal(value, where)  # the library's one money parser: floats are refused
    if amount < 0:
        raise MoneyError(f"{where}: must be a non-negative amount, got {value!r}")
    if amount > MAX_AMOUNT:
        raise MoneyError(f"{where}: {value!r} is above the optimizer's limit of {MAX_AMOUNT:,}")
    return amount


def max_places(values: Iterable[Decimal]) -> int:
    """The most decimal places of any of ``values``, trailing zeros aside (0 for integers)."""
    distinct = set(values)
    places = 0
    # Try 0, 1, 2, ... places: each pass stops at the first value that needs more.
    while places < 28 and any(v.quantize(Decimal(1).scaleb(-places)) != v for v in distinct):
        places += 1
    if places == 28:  # pragma: no cover - amounts carry at most minor unit + EXTRA_PLACES
        return max((_places(v.normalize()) for v in distinct), default=0)
    return places


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _unit_price(value: object) -> Decimal:
    return money(value, "unit_price")


def _shipping_cost(value: object) -> Decimal:
    return money(value, "shipping_cost")


def _threshold(value: object) -> Decimal | None:
    return None if value is None else money(value, "free_shipping_threshold")


def _minimum(value: object) -> Decimal:
    return money(value, "minimum_order_value")


def _tolerance(value: object) -> Decimal:
    return money(value, "partner_tolerance")


def _count(where: str, minimum: int) -> Callable[[object, attrs.Attribute[int], object], None]:
    def check(_: object, __: attrs.Attribute[int], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"{where} must be an integer, got {value!r}")
        if value < minimum:
            raise ValidationError(f"{where} must be at least {minimum}, got {value}")
        if value > MAX_UNITS:
            raise ValidationError(
                f"{where} {value} is above the optimizer's limit of {MAX_UNITS:,}"
            )

    return check


def _text(where: str) -> Callable[[object, attrs.Attribute[str], object], None]:
    def check(_: object, __: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not value:
            raise ValidationError(f"{where} must be a non-empty string, got {value!r}")

    return check


def _flag(where: str) -> Callable[[object, attrs.Attribute[bool], object], None]:
    def check(_: object, __: attrs.Attribute[bool], value: object) -> None:
        # Truthiness would read "no" or 0 as a decision; only a real boolean is one.
        if not isinstance(value, bool):
            raise ValidationError(f"{where} must be true or false, got {value!r}")

    return check


@attrs.frozen
class CartLine:
    """One position to procure: ``quantity`` units of ``product_id``."""

    line_id: str = attrs.field(validator=_text("line_id"))
    product_id: str = attrs.field(validator=_text("product_id"))
    quantity: int = attrs.field(validator=_count("quantity", 1))


@attrs.frozen
class Offer:
    """A supplier's price, stock and delivery time for one product."""

    supplier_id: str = attrs.field(validator=_text("supplier_id"))
    product_id: str = attrs.field(validator=_text("product_id"))
    unit_price: Decimal = attrs.field(converter=_unit_price)
    stock: int = attrs.field(validator=_count("stock", 0))
    delivery_days: int = attrs.field(validator=_count("delivery_days", 0))
    partner: bool = attrs.field(default=False, validator=_flag("partner"))


@attrs.frozen
class SupplierTerms:
    """Shipping and order-value terms of one supplier.

    Shipping is free when the goods ordered from the supplier are worth at least
    ``free_shipping_threshold`` (never, when it is None). A supplier that is used at all must
    receive goods worth at least ``minimum_order_value``.
    """

    supplier_id: str = attrs.field(validator=_text("supplier_id"))
    shipping_cost: Decimal = attrs.field(converter=_shipping_cost)
    free_shipping_threshold: Decimal | None = attrs.field(default=None, converter=_threshold)
    minimum_order_value: Decimal = attrs.field(default=ZERO, converter=_minimum)

    def shipping_for(self, goods: Decimal) -> Decimal:
        """Shipping charged for an order of ``goods`` value from this supplier.

        Ask only for a supplier something is ordered from: an order of free items (value
        zero) still ships and pays shipping below the threshold, as the exact model counts it.
        """
        free = self.shipping_cost * 0  # zero with the amount's decimal places
        if self.free_shipping_threshold is not None and goods >= self.free_shipping_threshold:
            return free
        return self.shipping_cost


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value)


_OFFER_FIELDS = ("supplier_id", "product_id", "unit_price", "stock", "delivery_days", "partner")


def trusted_offers(
    suppliers: Sequence[str],
    products: Sequence[str],
    prices: Sequence[Decimal],
    stocks: Sequence[int],
    days: Sequence[int],
    partners: Sequence[bool],
) -> list[Offer]:
    """Offers from columns that a schema has already checked field by field.

    The file parser's fast path: it sets the slots directly, one column at a time, and skips
    the per-field validators (a third of the cost of half a million offers). Every value must
    already keep :class:`Offer`'s rules; :class:`ProcurementProblem` still checks the rules
    between offers.
    """
    new = Offer.__new__
    offers = [new(Offer) for _ in suppliers]
    columns = (suppliers, products, prices, stocks, days, partners)
    for name, column in zip(_OFFER_FIELDS, columns, strict=True):
        if len(column) != len(offers):
            raise ValueError("offer columns differ in length")
        setter = Offer.__dict__[name].__set__  # the slot itself: Offer is frozen
        for _ in map(setter, offers, column):
            pass
    return offers


@attrs.frozen
class ProcurementProblem:
    """A cart, the offers that can fill it and the suppliers' terms, in one currency.

    Suppliers that have offers but no terms ship for free and have no minimum order value.
    """

    currency: str
    lines: tuple[CartLine, ...] = attrs.field(converter=_tuple)
    offers: tuple[Offer, ...] = attrs.field(converter=_tuple)
    terms: tuple[SupplierTerms, ...] = attrs.field(converter=_tuple, default=())
    # Terms by supplier id (the first listed wins), filled after the checks: a lookup per offer
    # must not scan every supplier's terms.
    _terms_by_id: dict[str, SupplierTerms] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        # Each check runs over whole columns; the per-item scan that names the culprit runs
        # only when a column fails, so that half a million offers are checked in linear time.
        errors: list[tuple[str, str]] = []
        if not isinstance(self.currency, str) or not _CURRENCY.match(self.currency):
            errors.append(("currency", f"not a three-letter currency code: {self.currency!r}"))
        for kind, items, cls in (
            ("lines", self.lines, CartLine),
            ("offers", self.offers, Offer),
            ("terms", self.terms, SupplierTerms),
        ):
            if not all(isinstance(item, cls) for item in items):
                for index, item in enumerate(items):
                    if not isinstance(item, cls):
                        errors.append((f"{kind}[{index}]", f"expected {cls.__name__}"))
        if errors:
            raise _invalid(errors)
        supplier_column = list(map(attrgetter("supplier_id"), self.offers))
        suppliers = set(supplier_column)
        for where, count, cap in (
            ("lines", len(self.lines), MAX_LINES),
            ("offers", len(self.offers), MAX_OFFERS),
            ("suppliers", len(suppliers), MAX_SUPPLIERS),
        ):
            if count > cap:
                errors.append((where, f"{count:,} is above the optimizer's limit of {cap:,}"))
        if errors:
            raise _invalid(errors)
        _precision(errors, self.currency, self.offers, self.terms)
        _duplicates(errors, "lines", list(map(attrgetter("line_id"), self.lines)))
        _duplicates(
            errors, "offers", list(map(attrgetter("supplier_id", "product_id"), self.offers))
        )
        _duplicates(errors, "terms", list(map(attrgetter("supplier_id"), self.terms)))
        partner_column = list(map(attrgetter("partner"), self.offers))
        if len(set(zip(supplier_column, partner_column, strict=True))) != len(suppliers):
            partner: dict[str, bool] = {}
            for supplier_id, flag in zip(supplier_column, partner_column, strict=True):
                if partner.setdefault(supplier_id, flag) != flag:
                    errors.append((f"offers[{supplier_id}]", "partner flag differs between offers"))
        if errors:
            raise _invalid(errors)
        for terms in reversed(self.terms):
            self._terms_by_id[terms.supplier_id] = terms

    def terms_for(self, supplier_id: str) -> SupplierTerms:
        """The supplier's terms; free shipping and no minimum when none were given."""
        terms = self._terms_by_id.get(supplier_id)
        return SupplierTerms(supplier_id, ZERO) if terms is None else terms

    def is_partner(self, supplier_id: str) -> bool:
        """Whether the supplier's offers carry the partner flag."""
        return any(o.partner for o in self.offers if o.supplier_id == supplier_id)


def _invalid(errors: list[tuple[str, str]]) -> ValidationError:
    text = "; ".join(f"{where}: {message}" for where, message in errors)
    return ValidationError(f"invalid procurement problem: {text}", errors)


def _precision(
    errors: list[tuple[str, str]],
    currency: str,
    offers: tuple[Offer, ...],
    terms: tuple[SupplierTerms, ...],
) -> None:
    """Amounts may carry the currency's minor unit plus ``EXTRA_PLACES`` decimal places."""
    allowed = minor_unit(currency) + EXTRA_PLACES
    prices = list(map(attrgetter("unit_price"), offers))
    amounts = [(f"offers[{n}].unit_price", price) for n, price in _too_precise(prices, allowed)]
    for n, t in enumerate(terms):
        values = [t.shipping_cost, t.minimum_order_value]
        names = ["shipping_cost", "minimum_order_value"]
        if t.free_shipping_threshold is not None:
            values.append(t.free_shipping_threshold)
            names.append("free_shipping_threshold")
        amounts += [(f"terms[{n}].{names[k]}", value) for k, value in _too_precise(values, allowed)]
    for where, amount in amounts:
        errors.append(
            (
                where,
                f"{amount} has more than {allowed} decimal places (the {currency} minor unit"
                f" plus {EXTRA_PLACES})",
            )
        )


def _too_precise(amounts: list[Decimal], allowed: int) -> Iterable[tuple[int, Decimal]]:
    """Position and value of each amount with more than ``allowed`` places (trailing zeros aside)."""
    # Carts repeat prices, so each distinct value is looked at once; quantizing is the cheap
    # test (amounts are at most MAX_AMOUNT: no overflow), counting places the exact one.
    step = Decimal(1).scaleb(-allowed)
    bad = {a for a in set(amounts) if a.quantize(step) != a and _places(a.normalize()) > allowed}
    return [(n, a) for n, a in enumerate(amounts) if a in bad] if bad else []


def _duplicates(errors: list[tuple[str, str]], where: str, keys: list[Any]) -> None:
    if len(set(keys)) == len(keys):
        return
    seen: set[Any] = set()
    for key in keys:
        if key in seen:
            errors.append((where, f"duplicate key {key!r}"))
        seen.add(key)


def _strategy_kind(_: object, __: attrs.Attribute[str], value: object) -> None:
    if value not in STRATEGY_KINDS:
        raise ValidationError(
            f"unknown strategy {value!r}; expected one of {', '.join(STRATEGY_KINDS)}"
        )


@attrs.frozen
class Strategy:
    """What the plan minimises.

    * ``cheapest``: goods plus shipping.
    * ``partner-first``: like ``cheapest``, but a non-partner supplier is only preferred when it
      saves more than ``partner_tolerance`` percent against partners (partner costs are scored
      at ``100 - partner_tolerance`` percent).
    * ``partners-only``: the cheapest plan that uses partner suppliers only.
    * ``fewest-sources``: the fewest suppliers, then the lowest cost.
    """

    kind: StrategyKind = attrs.field(default="cheapest", validator=_strategy_kind)
    partner_tolerance: Decimal = attrs.field(default=ZERO, converter=_tolerance)

    def __attrs_post_init__(self) -> None:
        if self.partner_tolerance >= 100:
            raise ValidationError("partner_tolerance is a percentage below 100")

    def weight(self, partner: bool) -> Decimal:
        """The factor by which the strategy scores a supplier's costs."""
        if self.kind == "partner-first" and partner:
            return (100 - self.partner_tolerance) / 100
        return Decimal(1)


@attrs.frozen
class Constraints:
    """Optional limits every plan keeps."""

    max_suppliers: int | None = None
    max_delivery_days: int | None = None
    no_split: bool = False

    def __attrs_post_init__(self) -> None:
        for name in ("max_suppliers", "max_delivery_days"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise ValidationError(f"{name} must be a non-negative integer or None")
        if not isinstance(self.no_split, bool):
            raise ValidationError("no_split must be a boolean")


@attrs.frozen
class Allocation:
    """Units of one cart line bought from one supplier."""

    line_id: str
    product_id: str
    supplier_id: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


@attrs.frozen
class SupplierOrder:
    """What the plan orders from one supplier and what that costs."""

    supplier_id: str
    partner: bool
    goods: Decimal
    shipping: Decimal


@attrs.frozen
class Uncovered:
    """Units of a line the plan cannot buy, and why."""

    line_id: str
    product_id: str
    missing: int
    reason: str


@attrs.frozen
class Plan:
    """A feasible procurement plan; every amount is recomputed exactly from the quantities.

    ``objective`` is the strategy's score (equal to ``total`` except for ``partner-first``).
    ``bound`` is a proven lower bound on that score and ``gap`` the relative distance to it,
    when the producing method knows one (``gap == 0`` means proven optimal).
    """

    currency: str
    strategy: Strategy
    method: Method
    allocations: tuple[Allocation, ...]
    suppliers: tuple[SupplierOrder, ...]
    goods_cost: Decimal
    shipping_cost: Decimal
    total: Decimal
    objective: Decimal
    reasons: Mapping[str, str]
    uncovered: tuple[Uncovered, ...]
    bound: Decimal | None = None
    gap: float | None = None
    seconds: float = 0.0

    @property
    def optimal(self) -> bool:
        """Whether the plan is proven optimal for its strategy."""
        return self.gap is not None and self.gap <= 1e-9

    def quantities(self) -> dict[tuple[str, str], int]:
        """Units per ``(supplier_id, line_id)``."""
        return {(a.supplier_id, a.line_id): a.quantity for a in self.allocations}
