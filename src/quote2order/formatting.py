"""Locale-aware formatting and translations: the one module that imports babel.

A customer's locale (``Customer.locale``, e.g. ``"de_DE"``) chooses both the language
(German for ``de*``, English otherwise) and how money, dates and percentages look::

    format_money("1234.56", "EUR", "de_DE")  ->  "1.234,56 €"   (no-break space)

Catalogs live in ``quote2order/locale/<lang>/LC_MESSAGES/quote2order.po``; the wheel
build compiles them to ``.mo``; a source checkout compiles the ``.po`` in memory on
first use.
"""

from __future__ import annotations

import functools
import gettext
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "format_date",
    "format_money",
    "format_percent_value",
    "format_quantity",
    "language_of",
    "translations",
]

DOMAIN = "quote2order"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("de", "en")
_FALLBACK = "en"


@functools.lru_cache(maxsize=64)
def _locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def language_of(locale: str) -> str:
    """The catalog language for ``locale``: ``"de"`` for ``"de_AT"``, ``"en"`` if unknown."""
    language = _locale(locale).language
    return language if language in LANGUAGES else _FALLBACK


def format_money(amount: Decimal | str, currency: str, locale: str) -> str:
    """``amount`` in ``currency`` as written in ``locale`` (``"1.234,56 €"`` in de_DE)."""
    return format_currency(Decimal(amount), currency, locale=_locale(locale))


def format_quantity(quantity: Decimal | str, locale: str) -> str:
    """A quantity without trailing zeros (``"2"``, ``"1,5"`` in de_DE)."""
    value = Decimal(quantity)
    return format_decimal(
        value.normalize() if value == value.to_integral() else value, locale=_locale(locale)
    )


def format_percent_value(percent: Decimal | str, locale: str) -> str:
    """A percentage given in percent (``19`` -> ``"19 %"`` in de_DE, ``"19%"`` in en)."""
    return format_percent(
        Decimal(percent) / 100, locale=_locale(locale), decimal_quantization=False
    )


def format_date(day: date | str, locale: str) -> str:
    """A date in ``locale``'s medium style (``"15.01.2026"`` in de_DE); ``""`` stays ``""``."""
    if day == "":
        return ""
    value = date.fromisoformat(day) if isinstance(day, str) else day
    return _format_date(value, format="medium", locale=_locale(locale))


@functools.cache
def translations(locale: str) -> gettext.GNUTranslations:
    """The catalog for ``locale``'s language; compiled from the ``.po`` if no ``.mo`` exists."""
    language = language_of(locale)
    directory = LOCALE_DIR / language / "LC_MESSAGES"
    mo = directory / f"{DOMAIN}.mo"
    if mo.exists():
        data = mo.read_bytes()
    else:
        with (directory / f"{DOMAIN}.po").open("rb") as po:
            catalog = read_po(po, locale=language, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        data = buffer.getvalue()
    return gettext.GNUTranslations(io.BytesIO(data))
