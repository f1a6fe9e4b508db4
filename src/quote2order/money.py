"""Money: exact Decimal amounts with an ISO 4217 currency, VAT rates and document totals.

The one rounding rule (EN 16931 BR-CO-10, BR-CO-15, BR-CO-17):

1. A line's net amount is ``quantity x unit_price x (1 - discount/100)``, rounded half-up
   to the currency's minor unit.
2. The document's net total is the exact sum of the rounded line net amounts (BR-CO-10).
3. Per VAT rate, the VAT amount is the rate applied to the sum of the net amounts at that
   rate, rounded half-up to the minor unit (BR-CO-17); the VAT total is the sum of those.
4. The gross total is net total plus VAT total, with no further rounding (BR-CO-15).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import attrs

from quote2order.errors import CurrencyMismatch, FloatMoney, MoneyError

__all__ = [
    "CURRENCIES",
    "DocumentTotals",
    "Money",
    "VatRate",
    "VatSubtotal",
    "as_decimal",
    "document_totals",
    "line_net",
    "minor_unit",
]

# Active ISO 4217 codes; the minor unit is 2 unless listed in _MINOR_UNITS.
CURRENCIES: frozenset[str] = frozenset(
    (
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD "
        "BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB "
        "EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK "
        "JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA "
        "MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK "
        "PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN "
        "SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST "
        "XAF XCD XOF XPF YER ZAR ZMW ZWL"
    ).split()
)
_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split(), 0),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
}
_QUANTUM: dict[int, Decimal] = {0: Decimal(1), 2: Decimal("0.01"), 3: Decimal("0.001")}
_HUNDRED = Decimal(100)


def minor_unit(currency: str) -> int:
    """Number of decimals of ``currency``'s minor unit (2 for EUR, 0 for JPY)."""
    return _MINOR_UNITS.get(currency, 2)


def as_decimal(value: object, what: str = "amount") -> Decimal:
    """Return ``value`` as a finite Decimal; floats are refused (they cannot hold cents).

    Accepts Decimal, int and decimal strings such as ``"12.50"``.
    """
    if isinstance(value, float):
        raise FloatMoney(
            f"{what} must be a Decimal, an int or a decimal string, not the float {value!r}"
            " (a float cannot hold cents exactly)"
        )
    if isinstance(value, bool):
        raise MoneyError(f"{what} must be a Decimal, an int or a decimal string, not {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise MoneyError(f"{what} is not a decimal number: {value!r}") from None
    else:
        raise MoneyError(f"{what} must be a Decimal, an int or a decimal string, not {value!r}")
    if not result.is_finite():
        raise MoneyError(f"{what} must be finite, not {value!r}")
    return result


def _check_currency(_instance: object, _attribute: object, value: str) -> None:
    if value not in CURRENCIES:
        raise MoneyError(f"unknown ISO 4217 currency {value!r}")


@attrs.frozen(order=False)
class Money:
    """An exact amount in one currency. ``Money("12.50", "EUR")``; floats are a MoneyError."""

    amount: Decimal = attrs.field(converter=as_decimal)
    currency: str = attrs.field(validator=_check_currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``, with its minor unit's decimals (``0.00`` for EUR)."""
        return cls(_QUANTUM[minor_unit(currency)] * 0, currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine Money with {other!r}")
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * as_decimal(factor, "factor"), self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def rounded(self) -> Money:
        """This amount rounded half-up to the currency's minor unit."""
        quantum = _QUANTUM[minor_unit(self.currency)]
        try:
            return Money(self.amount.quantize(quantum, rounding=ROUND_HALF_UP), self.currency)
        except InvalidOperation:  # more digits than the decimal context can hold exactly
            raise MoneyError(f"amount {self.amount} {self.currency} is too large") from None

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    @staticmethod
    def sum(amounts: Iterable[Money], currency: str) -> Money:
        """Exact sum of ``amounts``, all in ``currency``."""
        total = Decimal(0)
        for money in amounts:
            if money.currency != currency:
                raise CurrencyMismatch(currency, money.currency)
            total += money.amount
        return Money(total, currency)


def _percent(value: Any) -> Decimal:
    return as_decimal(value, "VAT rate")


@attrs.frozen(order=True)
class VatRate:
    """A VAT rate in percent, e.g. ``VatRate("19")``; 0 <= percent < 100."""

    percent: Decimal = attrs.field(converter=_percent)

    @percent.validator
    def _check(self, _attribute: object, value: Decimal) -> None:
        if not Decimal(0) <= value < _HUNDRED:
            raise MoneyError(f"VAT rate must be between 0 and 100 percent, not {value}")

    def __str__(self) -> str:
        return f"{self.percent.normalize():f} %"


def line_net(quantity: Decimal, unit_price: Money, discount_percent: Decimal = Decimal(0)) -> Money:
    """A line's net amount: quantity x unit price less the discount, rounded (rule 1)."""
    gross = unit_price.amount * quantity
    if discount_percent:
        gross = gross * (_HUNDRED - discount_percent) / _HUNDRED
    return Money(gross, unit_price.currency).rounded()


@attrs.frozen
class VatSubtotal:
    """The net amount at one VAT rate and the VAT on it (BR-CO-17)."""

    rate: VatRate
    taxable: Money
    vat: Money


@attrs.frozen
class DocumentTotals:
    """Net total, VAT per rate, VAT total and gross total of a document."""

    currency: str
    net: Money
    vat_subtotals: tuple[VatSubtotal, ...]
    vat: Money
    gross: Money


def document_totals(lines: Iterable[tuple[Money, VatRate]], currency: str) -> DocumentTotals:
    """Totals of a document from its rounded line net amounts and their VAT rates."""
    by_rate: dict[VatRate, Decimal] = {}
    net = Decimal(0)
    for amount, rate in lines:
        if amount.currency != currency:
            raise CurrencyMismatch(currency, amount.currency)
        by_rate[rate] = by_rate.get(rate, Decimal(0)) + amount.amount
        net += amount.amount
    subtotals = tuple(
        VatSubtotal(
            rate,
            Money(taxable, currency),
            Money(taxable * rate.percent / _HUNDRED, currency).rounded(),
        )
        for rate, taxable in sorted(by_rate.items())
    )
    vat = Money.sum((s.vat for s in subtotals), currency)
    net_money = Money(net, currency)
    return DocumentTotals(currency, net_money, subtotals, vat, net_money + vat)
