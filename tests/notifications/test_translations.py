"""Every message the code uses is in both catalogs, translated, and compiles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import quote2order
from quote2order.formatting import LANGUAGES, LOCALE_DIR, translations
from quote2order.notifications.views import DocumentView
from quote2order.notifications.views import labels as view_labels

PACKAGE = Path(quote2order.__file__).parent
TEMPLATE_DIR = PACKAGE / "adapters" / "templates"  # read as text: jinja2 is optional


def _used_msgids() -> set[str]:
    found = extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")], keywords={"_": None})
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / language / "LC_MESSAGES" / "quote2order.po").open("rb") as po:
        return read_po(po, locale=language)


def test_the_code_uses_a_reasonable_number_of_messages() -> None:
    assert len(_used_msgids()) > 40  # guards the extraction itself


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_used_in_the_code_is_in_the_catalog(language: str) -> None:
    catalog_ids = {m.id for m in _catalog(language) if m.id}
    assert sorted(_used_msgids() - catalog_ids) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_message_is_translated_and_not_fuzzy(language: str) -> None:
    untranslated = [m.id for m in _catalog(language) if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogs_hold_no_messages_the_code_no_longer_uses(language: str) -> None:
    catalog_ids = {m.id for m in _catalog(language) if m.id}
    assert sorted(catalog_ids - _used_msgids()) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language: str) -> None:
    for message in _catalog(language):
        if message.id:
            assert set(re.findall(r"\{\w+\}", message.id)) == set(
                re.findall(r"\{\w+\}", message.string)
            )


def test_the_template_only_reads_view_fields_that_exist() -> None:
    template = (TEMPLATE_DIR / "document.html.j2").read_text()
    used = set(re.findall(r"view\.(\w+)", template))
    assert used <= {f.name for f in DocumentView.__attrs_attrs__}
    labels = set(re.findall(r"view\.labels\.(\w+)", template))
    assert labels <= set(view_labels(lambda text: text))


def test_the_template_contains_no_untranslated_words() -> None:
    template = (TEMPLATE_DIR / "document.html.j2").read_text()
    body = template.split("<body>", 1)[1]
    text = re.sub(r"\{[{%].*?[%}]\}|<[^>]*>", " ", body, flags=re.S)
    assert text.split() == []


def test_german_catalog_loads_from_the_po_when_no_mo_exists() -> None:
    assert translations("de_DE").gettext("Pro forma invoice") == "Proforma-Rechnung"
    assert translations("en_US").gettext("Pro forma invoice") == "Pro forma invoice"
