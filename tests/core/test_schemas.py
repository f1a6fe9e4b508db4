"""The pydantic boundary: refusals as ValidationError with per-field errors, JSON round trips."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quote2order import (
    CatalogProduct,
    Customer,
    Money,
    Order,
    OrderStatus,
    Position,
    PositionKind,
    Quote,
    Quote2Order,
    QuoteStatus,
    QuoteVersion,
    Shipment,
    ShipmentItem,
    ValidationError,
    VatRate,
)
from quote2order.schemas import (
    DEFAULT_VAT_RATES,
    CustomerIn,
    OrderOut,
    PositionIn,
    QuoteCreateIn,
    QuoteEditIn,
    QuoteOut,
    ShipmentIn,
    parse,
)
from quote2order.service import CreatedQuote

MakeQuote = Callable[..., CreatedQuote]


def position(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "free_text",
        "name": "Setup and MDM enrolment",
        "quantity": "3",
        "unit_price": "45.00",
        "vat_rate": "19",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


def quote_in(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "customer": {"customer_id": "C-1", "name": "Anna Berger", "email": "anna@example.com"},
        "title": "iPads",
        "valid_until": "2026-02-15",
        "positions": [position()],
    }
    data.update(changes)
    return data


def refused(model: type[Any], data: Any, **kwargs: Any) -> dict[str, str]:
    """Parse ``data`` expecting a refusal; returns the per-field errors."""
    with pytest.raises(ValidationError) as info:
        parse(model, data, **kwargs)
    assert info.value.errors, "a refusal names each broken rule"
    return dict(info.value.errors)


def test_a_valid_quote_maps_to_the_domain() -> None:
    data = quote_in(
        positions=[
            position(),
            position(
                kind="catalog",
                name="iPad",
                quantity="2",
                unit_price="849",
                product={"product_id": "ipad", "manufacturer_part_number": "MV2D3", "name": "iPad"},
            ),
        ]
    )
    kwargs = parse(QuoteCreateIn, data).to_domain()
    assert kwargs["currency"] == "EUR"
    assert kwargs["customer"] == Customer("C-1", "Anna Berger", "anna@example.com")
    first, second = kwargs["positions"]
    assert first.unit_price == Money("45.00", "EUR")
    assert first.vat_rate == VatRate("19")
    assert second.product == CatalogProduct("ipad", "MV2D3", "iPad")
    assert first.position_id != second.position_id


@pytest.mark.parametrize("quantity", ["0", "-1", 0, "-0.0001"])
def test_quantity_must_be_positive(quantity: object) -> None:
    assert "quantity" in refused(PositionIn, position(quantity=quantity))


@pytest.mark.parametrize(
    "price", ["NaN", "Infinity", "-Infinity", "1e14", "-1e14", "100000000000000", "1.23456", "abc"]
)
def test_prices_must_be_finite_and_within_bounds(price: str) -> None:
    assert "unit_price" in refused(PositionIn, position(unit_price=price))


def test_prices_at_the_bound_are_accepted() -> None:
    assert parse(PositionIn, position(unit_price="1e13")).unit_price == Decimal("1e13")


@pytest.mark.parametrize("field", ["unit_price", "quantity", "discount", "vat_rate"])
def test_floats_for_money_or_numbers_are_refused_in_dicts(field: str) -> None:
    errors = refused(PositionIn, position(**{field: 12.5}))
    assert "floating-point" in errors[field]


@pytest.mark.parametrize(
    "text",
    [
        '{"kind":"free_text","name":"S","quantity":1,"unit_price":12.5,"vat_rate":19}',
        '{"kind":"free_text","name":"S","quantity":1,"unit_price":1e14,"vat_rate":19}',
        '{"kind":"free_text","name":"S","quantity":1,"unit_price":NaN,"vat_rate":19}',
        '{"kind":"free_text","name":"S","quantity":1,"unit_price":"NaN","vat_rate":19}',
        '{"kind":"free_text","name":"S","quantity":1,"unit_price":"Infinity","vat_rate":19}',
    ],
)
def test_floats_and_non_finite_numbers_are_refused_in_json(text: str) -> None:
    assert "unit_price" in refused(PositionIn, text)


def test_json_numbers_as_integers_or_strings_are_accepted() -> None:
    text = '{"kind":"free_text","name":"S","quantity":2,"unit_price":"12.50","vat_rate":7}'
    parsed = parse(PositionIn, text)
    assert (parsed.quantity, parsed.unit_price, parsed.vat_rate) == (2, Decimal("12.50"), 7)


@pytest.mark.parametrize("rate", ["19.5", "11", "100", "-7"])
def test_an_unknown_vat_rate_is_refused(rate: str) -> None:
    assert "vat_rate" in refused(PositionIn, position(vat_rate=rate))


def test_a_hosts_own_vat_rates_replace_the_defaults() -> None:
    own = frozenset({Decimal("19.5"), Decimal("0")})
    assert parse(PositionIn, position(vat_rate="19.5"), vat_rates=own).vat_rate == Decimal("19.5")
    assert "vat_rate" in refused(PositionIn, position(vat_rate="19"), vat_rates=own)
    assert Decimal("19") in DEFAULT_VAT_RATES
    assert Decimal("5.5") in DEFAULT_VAT_RATES


def test_one_currency_per_quote() -> None:
    # Positions carry no currency of their own; giving one is an unknown field.
    errors = refused(QuoteCreateIn, quote_in(positions=[position(currency="USD")]))
    assert "positions.0.currency" in errors
    kwargs = parse(QuoteCreateIn, quote_in(currency="CHF")).to_domain()
    assert {p.unit_price.currency for p in kwargs["positions"]} == {"CHF"}
    assert "currency" in refused(QuoteCreateIn, quote_in(currency="XYZ"))
    assert "currency" in refused(QuoteCreateIn, quote_in(currency="eur"))


@pytest.mark.parametrize(
    ("field", "limit"), [("name", 200), ("product_id", 64)], ids=["name", "product_id"]
)
def test_text_length_limits(field: str, limit: int) -> None:
    if field == "name":
        assert parse(PositionIn, position(name="x" * limit))
        assert "name" in refused(PositionIn, position(name="x" * (limit + 1)))
        assert "name" in refused(PositionIn, position(name=""))
    else:
        product = {"product_id": "x" * (limit + 1), "manufacturer_part_number": "M", "name": "N"}
        errors = refused(PositionIn, position(kind="catalog", product=product, quantity="1"))
        assert "product.product_id" in errors


def test_notes_and_description_length_limits() -> None:
    assert "notes" in refused(QuoteCreateIn, quote_in(notes="x" * 4001))
    assert "positions.0.description" in refused(
        QuoteCreateIn, quote_in(positions=[position(description="x" * 4001)])
    )
    assert "positions" in refused(QuoteCreateIn, quote_in(positions=[position()] * 501))


@pytest.mark.parametrize(
    "bad", ["\r", "\n", "\r\n", "\x00", "\u2028", "\u2029", "\x1b", "\x7f", "\t"]
)
def test_control_characters_are_refused_in_single_line_fields(bad: str) -> None:
    assert "name" in refused(PositionIn, position(name=f"Setup{bad}Injected: header"))
    assert "title" in refused(QuoteCreateIn, quote_in(title=f"Quote{bad}"))
    assert "customer.name" in refused(
        QuoteCreateIn,
        quote_in(customer={"customer_id": "C", "name": f"A{bad}B", "email": "a@b.de"}),
    )


def test_newlines_are_allowed_in_notes_and_description() -> None:
    parsed = parse(
        QuoteCreateIn,
        quote_in(notes="Line 1\nLine 2\r\n\tindented", positions=[position(description="a\nb")]),
    )
    assert parsed.notes == "Line 1\nLine 2\r\n\tindented"
    assert parsed.positions[0].description == "a\nb"


@pytest.mark.parametrize("bad", ["\x00", "\u2028", "\x1b"])
def test_other_control_characters_are_refused_in_notes(bad: str) -> None:
    assert "notes" in refused(QuoteCreateIn, quote_in(notes=f"a{bad}b"))


def test_unknown_fields_are_refused_everywhere() -> None:
    assert "is_admin" in refused(QuoteCreateIn, quote_in(is_admin=True))
    assert "customer.role" in refused(
        QuoteCreateIn,
        quote_in(customer={"customer_id": "C", "name": "A", "email": "a@b.de", "role": "x"}),
    )
    assert "status" in refused(QuoteEditIn, {"status": "won"})
    assert "weight" in refused(ShipmentIn, {"carrier": "DHL", "tracking_number": "1", "weight": 2})


def test_every_broken_rule_is_listed_per_field() -> None:
    errors = refused(PositionIn, position(quantity="0", unit_price=1.5, vat_rate="3.14", name=""))
    assert set(errors) == {"quantity", "unit_price", "vat_rate", "name"}


def test_refusals_are_ours_and_a_value_error() -> None:
    with pytest.raises(ValueError, match="invalid PositionIn"):
        parse(PositionIn, "{not json")


def test_catalog_rules_at_the_boundary() -> None:
    with pytest.raises(ValidationError) as info:
        parse(QuoteCreateIn, quote_in(positions=[position(kind="catalog")])).to_domain()
    assert info.value.errors[0][0] == "positions.0.product"
    product = {"product_id": "p", "manufacturer_part_number": "m", "name": "n"}
    with pytest.raises(ValidationError) as info:
        parse(
            QuoteCreateIn,
            quote_in(positions=[position(kind="catalog", product=product, quantity="1.5")]),
        ).to_domain()
    assert info.value.errors[0][0] == "positions.0.quantity"


def test_shipment_input_maps_to_the_domain() -> None:
    data = {
        "carrier": "DHL",
        "tracking_number": "JJD 0001/2",
        "items": [{"position_id": "P1", "quantity": "2"}],
    }
    assert parse(ShipmentIn, data).to_domain() == Shipment(
        "DHL", "JJD 0001/2", (ShipmentItem("P1", 2),)
    )
    assert "tracking_number" in refused(ShipmentIn, {"carrier": "DHL", "tracking_number": "A\nB"})


def test_output_models_serialize_any_value_the_core_holds_beyond_the_input_limits(
    service: Quote2Order,
) -> None:
    """Input limits guard the boundary only: a quote made in code still reads back equal."""
    odd = Position(
        "P" * 80,
        PositionKind.FREE_TEXT,
        "N" * 500,  # longer than the input limit of 200
        Decimal("0.33333"),  # more decimals than the input allows
        Money("19.99999", "EUR"),
        VatRate("19.5"),  # a VAT rate outside DEFAULT_VAT_RATES
    )
    created = service.create_quote(
        reseller_id="R-1",
        customer=Customer("C-1", "Anna", "not-an-e-mail-address", "xx"),
        title="T",
        positions=[odd],
        valid_until=date(2099, 1, 1),
    )
    text = QuoteOut.from_domain(created.quote).model_dump_json()
    assert parse(QuoteOut, text).to_domain() == created.quote


def test_quote_and_order_round_trip_through_json(
    service: Quote2Order, make_quote: MakeQuote
) -> None:
    created = make_quote(send=True)
    order = service.accept_quote(created.link_token, 1)
    service.confirm_order(order.order_id)
    service.ship_order(order.order_id, Shipment("DHL", "JJD1", (ShipmentItem("P1", 2),)))
    order = service.ship_order(order.order_id, Shipment("UPS", "1Z2", (ShipmentItem("P1", 1),)))
    order = service.close_undelivered(order.order_id, reason="Sleeves out of production")
    assert order.not_delivered
    quote = service.get_quote(created.quote.quote_id)
    text = QuoteOut.from_domain(quote).model_dump_json()
    assert created.link_token not in text
    assert parse(QuoteOut, text).to_domain() == quote
    assert parse(OrderOut, OrderOut.from_domain(order).model_dump_json()).to_domain() == order
    invoiced = service.invoice_order(order.order_id)
    assert parse(OrderOut, OrderOut.from_domain(invoiced).model_dump_json()).to_domain() == invoiced


def test_a_quote_with_a_hosts_own_vat_rate_round_trips(
    service: Quote2Order, customer: Customer
) -> None:
    own = VatRate("19.5")
    line = Position("P1", PositionKind.FREE_TEXT, "Setup", Decimal(1), Money("10", "EUR"), own)
    created = service.create_quote(
        reseller_id="R-1",
        customer=customer,
        title="T",
        positions=[line],
        valid_until=date(2026, 3, 1),
    )
    text = QuoteOut.from_domain(created.quote).model_dump_json()
    assert parse(QuoteOut, text).to_domain() == created.quote


# -- Hypothesis: generated quotes round trip -------------------------------------------

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
single_line = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40
)
amounts = st.decimals(min_value=Decimal(0), max_value=Decimal(10**7), places=2)
rates = st.sampled_from(sorted(DEFAULT_VAT_RATES))


@st.composite
def positions_strategy(draw: st.DrawFn, currency: str, position_id: str) -> Position:
    kind = draw(st.sampled_from(list(PositionKind)))
    product = None
    quantity = draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2))
    if kind is PositionKind.CATALOG:
        quantity = Decimal(draw(st.integers(min_value=1, max_value=1000)))
        purchase = draw(st.none() | amounts.map(lambda a: Money(a, currency)))
        product = CatalogProduct(draw(single_line), draw(single_line), draw(single_line), purchase)
    return Position(
        position_id,
        kind,
        draw(single_line),
        quantity,
        Money(draw(amounts), currency),
        VatRate(draw(rates)),
        discount=draw(st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)),
        product=product,
        description=draw(st.text(max_size=60).filter(lambda t: "\x00" not in t).map(_multiline)),
    )


def _multiline(text: str) -> str:
    return "".join(c for c in text if c in "\n\t" or (c.isprintable() and c not in "\u2028\u2029"))


@st.composite
def quotes(draw: st.DrawFn) -> Quote:
    currency = draw(st.sampled_from(["EUR", "CHF", "JPY"]))
    customer = Customer(
        draw(single_line),
        draw(single_line),
        "anna@example.com",
        draw(st.sampled_from(["de_DE", "en", "fr_CH"])),
        company=draw(st.just("") | single_line),
        address=tuple(draw(st.lists(single_line, max_size=3))),
        vat_id=draw(st.sampled_from(["", "DE123456789"])),
    )
    versions = []
    for number in range(1, draw(st.integers(min_value=1, max_value=3)) + 1):
        count = draw(st.integers(min_value=0, max_value=4))
        lines = tuple(draw(positions_strategy(currency, f"P{i}")) for i in range(count))
        sent = draw(st.booleans())
        version = QuoteVersion(
            number,
            draw(single_line),
            lines,
            date(2026, 2, 1) + timedelta(days=draw(st.integers(0, 365))),
            NOW + timedelta(hours=number),
            notes=_multiline(draw(st.text(max_size=40))),
        )
        if sent:
            version = attrs.evolve(version, sent_at=NOW, content_hash=version.compute_hash())
        versions.append(version)
    return Quote(
        draw(single_line),
        draw(single_line),
        customer,
        currency,
        "0" * 64,
        versions,
        NOW,
        status=draw(st.sampled_from(list(QuoteStatus))),
        order_id=draw(st.none() | single_line),
        revision=draw(st.integers(0, 10)),
    )


@given(quotes())
def test_generated_quotes_round_trip_through_quote_out(quote: Quote) -> None:
    text = QuoteOut.from_domain(quote).model_dump_json()
    assert parse(QuoteOut, text).to_domain() == quote
    assert json.loads(text)["quote_id"] == quote.quote_id


@given(quotes(), st.sampled_from(["open", "confirmed", "completed", "invoiced", "rejected"]))
def test_generated_orders_round_trip_through_order_out(quote: Quote, status: str) -> None:
    order, _ = Order.from_quote(quote, order_id="o-1", order_number="AB-1", now=NOW, actor="c")
    order.status = OrderStatus(status)
    if status in ("completed", "invoiced"):
        order.shipments = (Shipment("DHL", "JJD1"),)
        order.completed_at = NOW
    if status == "invoiced":
        order.proforma_number = "PF-1"
        order.invoiced_at = NOW
    assert parse(OrderOut, OrderOut.from_domain(order).model_dump_json()).to_domain() == order


def test_customer_in_maps_both_ways(customer: Customer) -> None:
    assert CustomerIn.from_domain(customer).to_domain() == customer
