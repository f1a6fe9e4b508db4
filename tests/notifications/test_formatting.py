from datetime import date
from decimal import Decimal

import pytest

from quote2order.formatting import (
    format_date,
    format_money,
    format_percent_value,
    format_quantity,
    language_of,
)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("de_DE", "1.234,56\xa0€"),
        ("de_AT", "€\xa01.234,56"),
        ("en_GB", "€1,234.56"),
        ("en_US", "€1,234.56"),
    ],
)
def test_money_is_written_the_customers_way(locale: str, expected: str) -> None:
    assert format_money(Decimal("1234.56"), "EUR", locale) == expected


def test_money_keeps_the_currencys_minor_unit() -> None:
    assert format_money("1234", "JPY", "de_DE") == "1.234\xa0¥"
    assert format_money("5", "EUR", "de_DE") == "5,00\xa0€"


def test_percentages_keep_their_decimals() -> None:
    assert format_percent_value("19", "de_DE") == "19\xa0%"
    assert format_percent_value("7.5", "de_DE") == "7,5\xa0%"
    assert format_percent_value("7.5", "en_GB") == "7.5%"


def test_quantities_drop_trailing_zeros_only() -> None:
    assert format_quantity("2.000", "de_DE") == "2"
    assert format_quantity("1.5", "de_DE") == "1,5"
    assert format_quantity("1500", "de_DE") == "1.500"


def test_dates_use_the_locales_medium_style() -> None:
    assert format_date(date(2026, 1, 15), "de_DE") == "15.01.2026"
    assert format_date("2026-01-15", "en_US") == "Jan 15, 2026"
    assert format_date("", "de_DE") == ""


@pytest.mark.parametrize(
    ("locale", "language"),
    [("de_DE", "de"), ("de-CH", "de"), ("en_US", "en"), ("fr_FR", "en"), ("nonsense", "en")],
)
def test_the_locale_chooses_german_or_falls_back_to_english(locale: str, language: str) -> None:
    assert language_of(locale) == language
