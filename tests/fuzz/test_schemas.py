"""The pydantic boundary and the service behind it, fed arbitrary and mutated input."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from quote2order import Quote2Order, Quote2OrderError, ValidationError
from quote2order.schemas import (
    CustomerIn,
    PositionIn,
    QuoteCreateIn,
    QuoteEditIn,
    ShipmentIn,
    parse,
)
from quote2order.testing import CountingIds, FixedClock, MemoryStore

from ._strategies import json_values, mutated
from ._tally import count
from .conftest import FUZZ

POSITION = {
    "kind": "catalog",
    "name": "Notebook 14",
    "description": "Mit Garantieverlängerung",
    "quantity": "2",
    "unit_price": "1149.00",
    "vat_rate": "19",
    "discount": "5",
    "product": {
        "product_id": "p-1",
        "manufacturer_part_number": "NB-14",
        "name": "Notebook 14",
        "purchase_price": "999.00",
    },
}
QUOTE = {
    "customer": {
        "customer_id": "K-1",
        "name": "Erika Mustermann",
        "email": "erika@kunde.example",
        "locale": "de_DE",
        "company": "Kunde AG",
        "address": ["Königsallee 5", "40212 Düsseldorf"],
        "vat_id": "DE987654321",
    },
    "title": "Arbeitsplätze 2026",
    "currency": "EUR",
    "valid_until": "2026-03-31",
    "notes": "Lieferung bis Ende März",
    "positions": [POSITION, {**POSITION, "kind": "free_text", "product": None}],
}
SHIPMENT = {"carrier": "DHL", "tracking_number": "00340434161094042557", "items": []}
MODELS: dict[str, tuple[type[Any], dict[str, Any]]] = {
    "QuoteCreateIn": (QuoteCreateIn, QUOTE),
    "QuoteEditIn": (QuoteEditIn, {k: QUOTE[k] for k in ("title", "notes", "positions")}),
    "CustomerIn": (CustomerIn, QUOTE["customer"]),
    "PositionIn": (PositionIn, POSITION),
    "ShipmentIn": (ShipmentIn, SHIPMENT),
}


def _service() -> Quote2Order:
    return Quote2Order(MemoryStore(), clock=FixedClock(), ids=CountingIds())


def _through(name: str, data: Any) -> None:
    """Parse ``data`` as model ``name`` and use what is accepted; count the outcome."""
    model, _ = MODELS[name]
    try:
        parsed = parse(model, data)
    except ValidationError:
        count("schemas", "refused (ValidationError)")
        return
    try:
        if isinstance(parsed, QuoteCreateIn):
            service = _service()
            created = service.create_quote(reseller_id="r-1", **parsed.to_domain())
            service.send_quote(created.quote.quote_id)
        elif isinstance(parsed, PositionIn | QuoteEditIn):
            parsed.to_domain("EUR")
        else:
            parsed.to_domain()
    except Quote2OrderError as error:
        count("schemas", f"accepted, then refused by the core ({type(error).__name__})")
        return
    count("schemas", "accepted and used")


@FUZZ
@given(name=st.sampled_from(sorted(MODELS)), data=st.data())
def test_mutated_valid_input_is_accepted_or_refused_with_a_validation_error(
    name: str, data: st.DataObject
) -> None:
    _, valid = MODELS[name]
    _through(name, data.draw(mutated(valid)))


@FUZZ
@given(name=st.sampled_from(sorted(MODELS)), value=json_values)
def test_arbitrary_json_values_are_refused_with_a_validation_error(name: str, value: Any) -> None:
    _through(name, value)


@FUZZ
@given(name=st.sampled_from(sorted(MODELS)), text=st.text() | st.binary())
def test_arbitrary_json_text_is_refused_with_a_validation_error(
    name: str, text: str | bytes
) -> None:
    _through(name, text)


def test_the_valid_documents_are_accepted() -> None:
    """The mutations start from input that passes: the fuzzers explore near the edge."""
    for name, (model, valid) in MODELS.items():
        assert parse(model, json.dumps(valid)) is not None, name
    assert date.fromisoformat(QUOTE["valid_until"]) > FixedClock().now().date()
