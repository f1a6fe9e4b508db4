"""Any quote, order, cart and purchase order comes back from every store exactly as saved."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quote2order.adapters import _codec
from quote2order.lifecycle import OrderStatus, PurchaseOrderStatus, QuoteStatus
from quote2order.money import Money, VatRate
from quote2order.orders import Order, PositionProcurement, Shipment, ShipmentItem
from quote2order.ports import DocumentRecord, OutboxEntry
from quote2order.positions import CatalogProduct, Position, PositionKind
from quote2order.purchasing.cart import Allocation, Cart, CartLine
from quote2order.purchasing.purchase_orders import PurchaseOrder, PurchaseOrderLine
from quote2order.quotes import Customer, Quote, QuoteVersion
from quote2order.testing.contract import (
    make_cart,
    make_document,
    make_entry,
    make_order,
    make_purchase_order,
    make_quote,
)

# Any text but surrogates and NUL, which the boundary refuses before anything is stored.
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
short_texts = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
# Up to 10^13 with up to 4 decimals, exponent kept: "1.2300" must come back as "1.2300".
amounts = st.builds(
    lambda n, places: Decimal(n).scaleb(-places),
    st.integers(-(10**17), 10**17),
    st.integers(0, 4),
)
# Instants whose UTC time exists (year 1 at +02:00 may fall before 0001-01-01 UTC).
moments = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2))]),
)
money = st.builds(Money, amounts, st.sampled_from(["EUR", "CHF", "JPY", "KWD"]))
quantities = st.integers(1, 10**6).map(Decimal)
rates = st.builds(VatRate, st.sampled_from(["0", "7", "19", "7.7", "20.00"]))


@st.composite
def positions(draw: st.DrawFn, currency: str, position_id: str) -> Position:
    kind = draw(st.sampled_from(PositionKind))
    product = None
    if kind is PositionKind.CATALOG:
        product = CatalogProduct(
            draw(short_texts),
            draw(short_texts),
            draw(texts),
            draw(st.none() | st.builds(Money, amounts, st.just(currency))),
        )
    return Position(
        position_id=position_id,
        kind=kind,
        name=draw(texts),
        quantity=draw(quantities),
        unit_price=Money(draw(amounts), currency),
        vat_rate=draw(rates),
        discount=draw(st.decimals(0, 100, places=2)),
        product=product,
        description=draw(texts),
    )


@st.composite
def position_lists(draw: st.DrawFn, currency: str) -> tuple[Position, ...]:
    count = draw(st.integers(0, 4))
    return tuple(draw(positions(currency, f"pos-{i}")) for i in range(count))


customers = st.builds(
    Customer,
    short_texts,
    texts,
    short_texts,
    locale=st.sampled_from(["de_DE", "en_GB", "fr_CH"]),
    company=texts,
    address=st.lists(texts, max_size=3).map(tuple),
    vat_id=short_texts,
)


@st.composite
def quotes(draw: st.DrawFn) -> Quote:
    currency = draw(st.sampled_from(["EUR", "CHF"]))
    versions = [
        QuoteVersion(
            number=n,
            title=draw(texts),
            positions=draw(position_lists(currency)),
            valid_until=draw(st.dates()),
            created_at=draw(moments),
            notes=draw(texts),
            sent_at=draw(st.none() | moments),
            content_hash=draw(st.none() | short_texts),
        )
        for n in range(1, draw(st.integers(1, 3)) + 1)
    ]
    return Quote(
        quote_id=uuid.uuid4().hex,
        reseller_id=draw(short_texts),
        customer=draw(customers),
        currency=currency,
        link_token_hash=uuid.uuid4().hex,
        versions=versions,
        created_at=draw(moments),
        status=draw(st.sampled_from(QuoteStatus)),
        order_id=draw(st.none() | short_texts),
        number=draw(short_texts),
        link_expires_at=draw(st.none() | moments),
        link_revoked_at=draw(st.none() | moments),
    )


@st.composite
def orders(draw: st.DrawFn) -> Order:
    currency = "EUR"
    items = st.builds(ShipmentItem, short_texts, st.decimals(0, 10**6, places=3))
    return Order(
        order_id=uuid.uuid4().hex,
        order_number=draw(short_texts),
        reseller_id=draw(short_texts),
        quote_id=uuid.uuid4().hex,
        quote_version=draw(st.integers(1, 99)),
        customer=draw(customers),
        currency=currency,
        positions=draw(position_lists(currency)),
        created_at=draw(moments),
        status=draw(st.sampled_from(OrderStatus)),
        confirmed_at=draw(st.none() | moments),
        completed_at=draw(st.none() | moments),
        invoiced_at=draw(st.none() | moments),
        rejected_at=draw(st.none() | moments),
        rejection_reason=draw(texts),
        shipments=tuple(
            draw(
                st.lists(
                    st.builds(
                        Shipment,
                        short_texts.filter(str.strip),
                        short_texts.filter(str.strip),
                        st.lists(items, max_size=2).map(tuple),
                    ),
                    max_size=2,
                )
            )
        ),
        proforma_number=draw(st.none() | short_texts),
        procurement=tuple(
            draw(
                st.lists(
                    st.builds(
                        PositionProcurement,
                        short_texts,
                        st.decimals(0, 10**6, places=2),
                        st.decimals(0, 10**6, places=2),
                        st.decimals(0, 10**6, places=2),
                    ),
                    max_size=2,
                )
            )
        ),
    )


def catalog_products(currency: str) -> st.SearchStrategy[CatalogProduct]:
    return st.builds(
        CatalogProduct,
        short_texts,
        short_texts,
        texts,
        st.none() | st.builds(Money, amounts, st.just(currency)),
    )


allocation_lists = st.lists(
    st.builds(Allocation, short_texts, short_texts, quantities), min_size=1, max_size=3
).map(tuple)


@st.composite
def carts(draw: st.DrawFn) -> Cart:
    lines = tuple(
        CartLine(f"L{i}", draw(catalog_products("EUR")), draw(allocation_lists))
        for i in range(1, draw(st.integers(0, 3)) + 1)
    )
    return Cart(
        reseller_id=uuid.uuid4().hex,  # one cart per reseller: examples share the store
        lines=lines,
        line_counter=draw(st.integers(len(lines), 10**6)),
    )


@st.composite
def purchase_orders(draw: st.DrawFn) -> PurchaseOrder:
    currency = draw(st.sampled_from(["EUR", "CHF", "JPY"]))
    lines = tuple(
        PurchaseOrderLine(
            line_id=str(i),
            cart_line_id=draw(short_texts),
            product=draw(catalog_products(currency)),
            quantity=draw(quantities),
            unit_price=Money(draw(amounts), currency),
            allocations=draw(allocation_lists),
            delivery_days=draw(st.integers(0, 365)),
            received=draw(st.decimals(0, 10**6, places=2)),
        )
        for i in range(1, draw(st.integers(0, 3)) + 1)
    )
    return PurchaseOrder(
        purchase_order_id=uuid.uuid4().hex,
        number=draw(short_texts),
        reseller_id=draw(short_texts),
        supplier_id=draw(short_texts),
        partner=draw(st.booleans()),
        currency=currency,
        lines=lines,
        shipping=Money(draw(amounts), currency),
        created_at=draw(moments),
        checkout_id=draw(short_texts),
        status=draw(st.sampled_from(PurchaseOrderStatus)),
        sent_at=draw(st.none() | moments),
        received_at=draw(st.none() | moments),
        cancelled_at=draw(st.none() | moments),
    )


ROUND_TRIP = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@ROUND_TRIP
@given(quote=quotes())
def test_any_quote_comes_back_equal_after_add_and_after_save(store: Any, quote: Quote) -> None:
    with store.unit_of_work() as uow:
        uow.quotes.add(quote)
        uow.commit()
    with store.unit_of_work() as uow:
        loaded = uow.quotes.get(quote.quote_id)
        assert loaded == quote
        uow.quotes.save(loaded)
        uow.commit()
    with store.unit_of_work() as uow:
        again = uow.quotes.get(quote.quote_id)
    assert again == attrs.evolve(quote, revision=1)
    _assert_same_exponents(quote, again)


@ROUND_TRIP
@given(order=orders())
def test_any_order_comes_back_equal_after_add_and_after_save(store: Any, order: Order) -> None:
    with store.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()
    with store.unit_of_work() as uow:
        loaded = uow.orders.get(order.order_id)
        assert loaded == order
        uow.orders.save(loaded)
        uow.commit()
    with store.unit_of_work() as uow:
        again = uow.orders.get(order.order_id)
    assert again == attrs.evolve(order, revision=1)
    for before, after in zip(order.positions, again.positions, strict=True):
        assert str(after.unit_price.amount) == str(before.unit_price.amount)


@ROUND_TRIP
@given(cart=carts())
def test_any_cart_comes_back_equal_after_its_first_and_second_save(store: Any, cart: Cart) -> None:
    with store.unit_of_work() as uow:
        uow.carts.save(cart)
        uow.commit()
    with store.unit_of_work() as uow:
        loaded = uow.carts.get(cart.reseller_id)
        assert loaded == attrs.evolve(cart, revision=1)
        uow.carts.save(loaded)
        uow.commit()
    with store.unit_of_work() as uow:
        again = uow.carts.get(cart.reseller_id)
    assert again == attrs.evolve(cart, revision=2)
    for before, after in zip(cart.lines, again.lines, strict=True):
        price, stored = before.product.purchase_price, after.product.purchase_price
        assert str(getattr(stored, "amount", None)) == str(getattr(price, "amount", None))


@ROUND_TRIP
@given(purchase_order=purchase_orders())
def test_any_purchase_order_comes_back_equal_after_add_and_after_save(
    store: Any, purchase_order: PurchaseOrder
) -> None:
    with store.unit_of_work() as uow:
        uow.purchase_orders.add(purchase_order)
        uow.commit()
    with store.unit_of_work() as uow:
        loaded = uow.purchase_orders.get(purchase_order.purchase_order_id)
        assert loaded == purchase_order
        uow.purchase_orders.save(loaded)
        uow.commit()
    with store.unit_of_work() as uow:
        again = uow.purchase_orders.get(purchase_order.purchase_order_id)
    assert again == attrs.evolve(purchase_order, revision=1)
    assert str(again.shipping.amount) == str(purchase_order.shipping.amount)
    for before, after in zip(purchase_order.lines, again.lines, strict=True):
        assert str(after.unit_price.amount) == str(before.unit_price.amount)
        assert (str(after.quantity), str(after.received)) == (
            str(before.quantity),
            str(before.received),
        )


def _assert_same_exponents(before: Quote, after: Quote) -> None:
    # Decimal equality ignores the exponent; the stored text must not.
    for old, new in zip(before.versions, after.versions, strict=True):
        for p, q in zip(old.positions, new.positions, strict=True):
            assert str(q.unit_price.amount) == str(p.unit_price.amount)
            assert str(q.quantity) == str(p.quantity)


@pytest.mark.parametrize("amount", ["1.2300", "10000000000000.0001", "-0.0000", "0E+3", "1E+13"])
def test_amount_text_survives_exactly(store: Any, amount: str) -> None:
    quote = make_quote()
    price = Position(
        "pos-1", PositionKind.FREE_TEXT, "Pauschale", Decimal(1), Money(amount, "EUR"), VatRate(19)
    )
    quote.versions[0] = attrs.evolve(quote.latest, positions=(price,))
    with store.unit_of_work() as uow:
        uow.quotes.add(quote)
        uow.commit()
    with store.unit_of_work() as uow:
        loaded = uow.quotes.get(quote.quote_id)
    assert str(loaded.latest.positions[0].unit_price.amount) == amount


# The codec is written by hand: a field added to a stored class later fails here until
# _codec maps it (the outbox's changing fields live in columns, the revision too).
OUTBOX_COLUMNS = {"status", "attempts", "next_attempt_at", "last_error", "claimed_by"}
OUTBOX_COLUMNS |= {"claimed_until"}


def _fields(cls: type) -> set[str]:
    return {f.name for f in attrs.fields(cls)}


def test_codec_maps_every_field_of_every_stored_class() -> None:
    order = make_order()
    order = attrs.evolve(
        order,
        shipments=(Shipment("DHL", "1", (ShipmentItem("pos-1", Decimal(1)),)),),
        procurement=(PositionProcurement("pos-1"),),
    )
    quote_body = _codec.quote_to_dict(make_quote())
    order_body = _codec.order_to_dict(order)
    catalog_position = order_body["positions"][0]
    assert set(quote_body) == _fields(Quote) - {"revision"}
    assert set(quote_body["versions"][0]) == _fields(QuoteVersion)
    assert set(quote_body["customer"]) == _fields(Customer)
    assert set(order_body) == _fields(Order) - {"revision"}
    assert set(catalog_position) == _fields(Position)
    assert set(catalog_position["product"]) == _fields(CatalogProduct)
    assert set(order_body["shipments"][0]) == _fields(Shipment)
    assert set(order_body["shipments"][0]["items"][0]) == _fields(ShipmentItem)
    assert set(order_body["procurement"][0]) == _fields(PositionProcurement)
    assert set(_codec.outbox_to_dict(make_entry())) == _fields(OutboxEntry) - OUTBOX_COLUMNS
    assert set(_codec.document_to_dict(make_document())) == _fields(DocumentRecord)
    cart_body = _codec.cart_to_dict(make_cart())
    # A cart's state is what it is made with; the line source and change tracking are not.
    cart_state = {f.alias for f in attrs.fields(Cart) if f.init} - {"source"}
    assert set(cart_body) == cart_state - {"revision"}
    assert set(cart_body["lines"][0]) == _fields(CartLine)
    assert set(cart_body["lines"][0]["product"]) == _fields(CatalogProduct)
    assert set(cart_body["lines"][0]["allocations"][0]) == _fields(Allocation)
    purchase_order_body = _codec.purchase_order_to_dict(make_purchase_order())
    assert set(purchase_order_body) == _fields(PurchaseOrder) - {"revision"}
    assert set(purchase_order_body["lines"][0]) == _fields(PurchaseOrderLine)
    assert set(purchase_order_body["lines"][0]["product"]) == _fields(CatalogProduct)
    assert set(purchase_order_body["lines"][0]["allocations"][0]) == _fields(Allocation)


def test_a_quote_body_stored_before_quote_numbers_loads_with_an_empty_number() -> None:
    from quote2order.adapters._codec import quote_from_dict, quote_to_dict

    quote = make_quote()
    body = quote_to_dict(quote)
    del body["number"]  # what a database written before quote numbers holds
    assert quote_from_dict(body, quote.revision) == attrs.evolve(quote, number="")


def test_sqlite_refuses_an_instant_without_a_utc_time_as_a_validation_error() -> None:
    """Year 1 at +02:00 precedes 0001-01-01 UTC: a typed error, not an OverflowError."""
    from quote2order.adapters.sqlite import _SqliteDialect
    from quote2order.errors import ValidationError

    early = datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    with pytest.raises(ValidationError, match="UTC"):
        _SqliteDialect(":memory:", 5.0, "NORMAL").timestamp(early)
