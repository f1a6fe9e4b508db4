"""Money: exact Decimal amounts, ISO 4217 currencies, half-up rounding, document totals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quote2order import (
    CurrencyMismatch,
    FloatMoney,
    Money,
    MoneyError,
    ValidationError,
    VatRate,
    document_totals,
)
from quote2order.money import CURRENCIES, line_net, minor_unit


def test_money_holds_an_exact_decimal_and_its_currency() -> None:
    money = Money("12.50", "EUR")
    assert money.amount == Decimal("12.50")
    assert isinstance(money.amount, Decimal)
    assert money.currency == "EUR"
    assert Money(3, "EUR").amount == Decimal(3)


@pytest.mark.parametrize("currency", ["XYZ", "eur", "EURO", "", "DEM"])
def test_unknown_currency_is_refused(currency: str) -> None:
    with pytest.raises(MoneyError, match="ISO 4217"):
        Money("1.00", currency)


def test_a_float_given_as_money_is_float_money_a_type_error_and_a_money_error() -> None:
    with pytest.raises(FloatMoney) as info:
        Money(0.1, "EUR")  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, MoneyError)
    assert isinstance(info.value, ValidationError)


def test_a_float_factor_is_float_money() -> None:
    with pytest.raises(FloatMoney):
        Money("1.00", "EUR") * 1.5  # type: ignore[operator]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "abc", True, None, [1]])
def test_non_finite_or_non_numeric_amounts_are_refused(value: object) -> None:
    with pytest.raises(MoneyError):
        Money(value, "EUR")  # type: ignore[arg-type]


def test_two_currencies_in_one_sum_raise_currency_mismatch() -> None:
    with pytest.raises(CurrencyMismatch) as info:
        Money("1.00", "EUR") + Money("1.00", "USD")
    assert (info.value.left, info.value.right) == ("EUR", "USD")
    with pytest.raises(CurrencyMismatch):
        Money.sum([Money("1", "EUR"), Money("1", "CHF")], "EUR")
    with pytest.raises(CurrencyMismatch):
        _ = Money("1", "EUR") < Money("2", "USD")


def test_same_currency_arithmetic_is_exact() -> None:
    assert Money("0.10", "EUR") + Money("0.20", "EUR") == Money("0.30", "EUR")
    assert Money("1.00", "EUR") - Money("0.01", "EUR") == Money("0.99", "EUR")
    assert Money.sum([Money("0.10", "EUR")] * 10, "EUR") == Money("1.00", "EUR")
    assert Money.sum([], "JPY") == Money.zero("JPY")


@pytest.mark.parametrize(
    ("currency", "decimals"),
    [("EUR", 2), ("USD", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3)],
)
def test_minor_unit_per_currency(currency: str, decimals: int) -> None:
    assert minor_unit(currency) == decimals


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        ("0.005", "EUR", "0.01"),
        ("0.004", "EUR", "0.00"),
        ("0.015", "EUR", "0.02"),
        ("0.025", "EUR", "0.03"),  # half-up, not banker's rounding (which gives 0.02)
        ("-0.005", "EUR", "-0.01"),  # half away from zero
        ("2.675", "EUR", "2.68"),
        ("0.5", "JPY", "1"),
        ("1.5", "JPY", "2"),
        ("2.5", "JPY", "3"),
        ("1.4999", "JPY", "1"),
        ("0.0005", "KWD", "0.001"),
        ("1.2345", "KWD", "1.235"),
        ("1.2344", "KWD", "1.234"),
    ],
)
def test_rounding_is_half_up_to_the_minor_unit(amount: str, currency: str, rounded: str) -> None:
    result = Money(amount, currency).rounded()
    assert result.amount == Decimal(rounded)
    assert result.amount.as_tuple().exponent == -minor_unit(currency)


def test_vat_rate_must_be_between_0_and_100_percent() -> None:
    assert VatRate("0").percent == 0
    assert VatRate("99.99").percent == Decimal("99.99")
    for bad in ("-1", "100", "150"):
        with pytest.raises(MoneyError):
            VatRate(bad)


def _totals(
    lines: list[tuple[str, str, str, str]], currency: str = "EUR"
) -> tuple[str, dict[str, str], str]:
    """(quantity, unit price, discount %, VAT %) lines -> (net, VAT per rate, gross)."""
    nets = [
        (line_net(Decimal(q), Money(p, currency), Decimal(d)), VatRate(r)) for q, p, d, r in lines
    ]
    totals = document_totals(nets, currency)
    return (
        str(totals.net.amount),
        {str(s.rate.percent): str(s.vat.amount) for s in totals.vat_subtotals},
        str(totals.gross.amount),
    )


ROUNDING_CASES = [
    pytest.param([("2", "6.70", "0", "15")], ("13.40", {"15": "2.01"}, "15.41"), id="2x6.70@15%"),
    pytest.param(
        [("10", "3.60", "0", "5.5")], ("36.00", {"5.5": "1.98"}, "37.98"), id="10x3.60@5.5%"
    ),
    pytest.param(
        [("16", "348.35", "4", "22")],
        ("5350.66", {"22": "1177.15"}, "6527.81"),
        id="16x348.35-4%@22%",
    ),
    pytest.param(
        [("1", "100.00", "0", "19"), ("2", "10.00", "0", "7"), ("1", "5.00", "0", "19")],
        ("125.00", {"7": "1.40", "19": "19.95"}, "146.35"),
        id="mixed-rates",
    ),
    pytest.param(
        # Per rate, not per line: 19 % of the 0.09 sum is 0.0171 -> 0.02, whereas rounding
        # each line's VAT (0.0057 -> 0.01) would give 0.03.
        [("1", "0.03", "0", "19"), ("1", "0.03", "0", "19"), ("1", "0.03", "0", "19")],
        ("0.09", {"19": "0.02"}, "0.11"),
        id="vat-on-the-rate-sum-not-per-line",
    ),
    pytest.param([("1", "0.005", "0", "0")], ("0.01", {"0": "0.00"}, "0.01"), id="0.005-rounds-up"),
    pytest.param([("1", "0.125", "0", "0")], ("0.13", {"0": "0.00"}, "0.13"), id="1x0.125"),
    pytest.param([("3", "0.125", "0", "0")], ("0.38", {"0": "0.00"}, "0.38"), id="3x0.125"),
    pytest.param([("1", "0.10", "50", "0")], ("0.05", {"0": "0.00"}, "0.05"), id="half-of-0.10"),
    pytest.param([("1", "0.05", "50", "0")], ("0.03", {"0": "0.00"}, "0.03"), id="half-of-0.05"),
    pytest.param(
        [("1", "10.00", "0", "0.05")], ("10.00", {"0.05": "0.01"}, "10.01"), id="vat-0.005"
    ),
    pytest.param(
        [("1", "10.00", "100", "19")], ("0.00", {"19": "0.00"}, "0.00"), id="100%-discount"
    ),
]


@pytest.mark.parametrize(("lines", "expected"), ROUNDING_CASES)
def test_document_totals_reference_cases(
    lines: list[tuple[str, str, str, str]], expected: tuple[str, dict[str, str], str]
) -> None:
    assert _totals(lines) == expected


def test_totals_in_jpy_and_kwd_round_to_their_minor_units() -> None:
    assert _totals([("3", "333", "10", "10")], "JPY") == ("899", {"10": "90"}, "989")
    assert _totals([("1", "1.2345", "0", "5")], "KWD") == ("1.235", {"5": "0.062"}, "1.297")


def test_document_totals_refuse_a_line_in_another_currency() -> None:
    with pytest.raises(CurrencyMismatch):
        document_totals([(Money("1.00", "USD"), VatRate("19"))], "EUR")


RATES = [VatRate(r) for r in ("0", "5.5", "7", "10", "19", "20", "22")]


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[tuple[Decimal, Money, Decimal, VatRate]]]:
    currency = draw(st.sampled_from(["EUR", "JPY", "KWD", "CHF"]))
    lines = draw(
        st.lists(
            st.tuples(
                st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), places=3),
                st.decimals(min_value=Decimal(0), max_value=Decimal(100000), places=4).map(
                    lambda d, c=currency: Money(d, c)
                ),
                st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2),
                st.sampled_from(RATES),
            ),
            min_size=1,
            max_size=12,
        )
    )
    return currency, lines


def _decimal_places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


@given(documents())
def test_document_totals_keep_br_co_10_15_17_in_minor_units(
    document: tuple[str, list[tuple[Decimal, Money, Decimal, VatRate]]],
) -> None:
    """BR-CO-10, BR-CO-17 and BR-CO-15 hold and every figure fits the minor unit."""
    currency, lines = document
    nets = [(line_net(q, price, d), rate) for q, price, d, rate in lines]
    totals = document_totals(nets, currency)
    places = minor_unit(currency)
    # BR-CO-10: the net total is the sum of the line net amounts.
    assert totals.net == Money.sum((n for n, _ in nets), currency)
    # BR-CO-17: each rate's VAT is the rounded rate applied to that rate's taxable sum.
    rates = {rate for _, rate in nets}
    assert {s.rate for s in totals.vat_subtotals} == rates
    for sub in totals.vat_subtotals:
        taxable = Money.sum((n for n, r in nets if r == sub.rate), currency)
        assert sub.taxable == taxable
        assert sub.vat == Money(taxable.amount * sub.rate.percent / 100, currency).rounded()
    assert totals.vat == Money.sum((s.vat for s in totals.vat_subtotals), currency)
    # BR-CO-15: gross is net plus VAT.
    assert totals.gross == totals.net + totals.vat
    figures = [totals.net, totals.vat, totals.gross, *(n for n, _ in nets)]
    figures += [m for s in totals.vat_subtotals for m in (s.taxable, s.vat)]
    for money in figures:
        assert money.currency == currency
        assert _decimal_places(money.amount) <= places


def test_an_amount_too_large_to_round_exactly_is_a_money_error() -> None:
    with pytest.raises(MoneyError, match="too large"):
        Money("99999999999999999999999999.995", "EUR").rounded()


@given(
    st.decimals(min_value=-Decimal(10**18), max_value=Decimal(10**18), places=6),
    st.sampled_from(["EUR", "JPY", "KWD"]),
)
def test_rounded_is_within_half_a_minor_unit(amount: Decimal, currency: str) -> None:
    """Rounding never moves an amount by more than half a minor unit, and ties go up in size."""
    rounded = Money(amount, currency).rounded().amount
    half = Decimal(1).scaleb(-minor_unit(currency)) / 2
    assert abs(rounded - amount) <= half
    if abs(rounded - amount) == half:
        assert abs(rounded) > abs(amount)


def test_every_listed_currency_is_accepted() -> None:
    assert len(CURRENCIES) > 150
    for code in CURRENCIES:
        assert Money("1", code).currency == code
