"""Positions: kinds and procurability, quantity, discount, and the catalog snapshot."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import attrs
import pytest

from quote2order import (
    CatalogProduct,
    Order,
    Position,
    PositionKind,
    Quote2Order,
    ValidationError,
)
from quote2order.service import CreatedQuote

from .conftest import VAT19, catalog_position, custom_position, eur, free_text_position


def test_catalog_products_are_procurable_free_text_and_custom_are_not() -> None:
    assert catalog_position().procurable
    assert not free_text_position().procurable
    assert not custom_position().procurable


@pytest.mark.parametrize("quantity", [Decimal(0), Decimal(-1), Decimal("-0.5")])
def test_quantity_must_be_positive(quantity: Decimal) -> None:
    with pytest.raises(ValidationError, match="quantity must be > 0"):
        Position("P1", PositionKind.FREE_TEXT, "Setup", quantity, eur("1.00"), VAT19)


def test_a_fractional_quantity_is_fine_for_free_text() -> None:
    position = Position(
        "P1", PositionKind.FREE_TEXT, "Consulting", Decimal("1.5"), eur("100"), VAT19
    )
    assert position.net_amount == eur("150.00")


def test_a_catalog_position_needs_its_product() -> None:
    with pytest.raises(ValidationError, match="catalog position needs its product"):
        Position("P1", PositionKind.CATALOG, "iPad", Decimal(1), eur("1.00"), VAT19)


@pytest.mark.parametrize("kind", [PositionKind.FREE_TEXT, PositionKind.CUSTOM])
def test_only_a_catalog_position_has_a_product(kind: PositionKind) -> None:
    with pytest.raises(ValidationError, match="only a catalog position"):
        Position(
            "P1",
            kind,
            "iPad",
            Decimal(1),
            eur("1.00"),
            VAT19,
            product=CatalogProduct("x", "y", "z"),
        )


def test_a_catalog_quantity_must_be_whole() -> None:
    with pytest.raises(ValidationError, match="whole"):
        attrs.evolve(catalog_position(), quantity=Decimal("1.5"))
    assert attrs.evolve(catalog_position(), quantity=Decimal("2.000")).quantity == 2


@pytest.mark.parametrize("discount", [Decimal("-0.01"), Decimal("100.01"), Decimal(200)])
def test_discount_must_be_between_0_and_100_percent(discount: Decimal) -> None:
    with pytest.raises(ValidationError, match="discount"):
        Position(
            "P1", PositionKind.CUSTOM, "Sleeve", Decimal(1), eur("1"), VAT19, discount=discount
        )


@pytest.mark.parametrize("discount", [Decimal(0), Decimal(100), Decimal("33.3333")])
def test_discounts_at_the_bounds_are_accepted(discount: Decimal) -> None:
    position = Position(
        "P1", PositionKind.CUSTOM, "Sleeve", Decimal(1), eur("9"), VAT19, discount=discount
    )
    assert position.discount == discount


def test_a_float_quantity_or_discount_is_refused() -> None:
    with pytest.raises(TypeError):
        Position("P1", PositionKind.CUSTOM, "Sleeve", 1.0, eur("1"), VAT19)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Position("P1", PositionKind.CUSTOM, "Sleeve", 1, eur("1"), VAT19, discount=5.0)  # type: ignore[arg-type]


def test_net_amount_applies_quantity_price_and_discount() -> None:
    assert custom_position().net_amount == eur("80.73")  # 3 x 29.90 less 10 % = 80.73
    assert catalog_position().net_amount == eur("2547.00")


def test_positions_are_immutable_values() -> None:
    position = catalog_position()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        position.name = "other"  # type: ignore[misc]


def test_a_catalog_change_never_alters_an_order_or_the_sent_version(
    service: Quote2Order, make_quote: Callable[..., CreatedQuote]
) -> None:
    """An order keeps its snapshot: a new catalog product value for the same id changes nothing."""
    created = make_quote(send=True)
    order: Order = service.accept_quote(created.link_token, 1)
    before_order = service.get_order(order.order_id).positions
    before_version = service.get_quote(created.quote.quote_id).version(1)

    # The host's catalog now says something else about the same product id.
    renamed = CatalogProduct("ipad-air-13", "MV2D3FD/A", "iPad Air 13 (renamed)", eur("1.00"))
    assert renamed.product_id == before_order[0].product.product_id  # type: ignore[union-attr]
    new_position = attrs.evolve(
        before_order[0], name=renamed.name, unit_price=eur("1.00"), product=renamed
    )
    # ... and the host quotes and sells that product again.
    other = service.create_quote(
        reseller_id="R-1",
        customer=created.quote.customer,
        title="One more iPad",
        positions=[new_position],
        valid_until=created.quote.latest.valid_until,
    )
    service.send_quote(other.quote.quote_id)
    other_order = service.accept_quote(other.link_token, 1)
    assert other_order.positions[0].product == renamed

    stored_order = service.get_order(order.order_id)
    stored_version = service.get_quote(created.quote.quote_id).version(1)
    assert stored_order.positions == before_order
    assert stored_order.positions[0].name == "Apple iPad Air 13-inch (M2)"
    assert stored_order.positions[0].unit_price == eur("849.00")
    assert stored_order.positions[0].product == CatalogProduct(
        "ipad-air-13", "MV2D3FD/A", "Apple iPad Air 13-inch (M2)", eur("700.00")
    )
    assert stored_version == before_version
    assert stored_version.content_hash == stored_version.compute_hash()


def test_a_new_catalog_price_in_a_reopened_version_leaves_the_order_and_version_1_alone(
    service: Quote2Order, make_quote: Callable[..., CreatedQuote]
) -> None:
    created = make_quote(send=True)
    quote_id = created.quote.quote_id
    order = service.accept_quote(created.link_token, 1)
    version_1 = service.get_quote(quote_id).version(1)
    service.reject_order(order.order_id, reason="prices changed")
    quote = service.reopen_quote(quote_id)
    repriced = catalog_position(price="799.00", name="iPad Air 13 (new catalog name)")
    service.edit_quote(quote_id, positions=[repriced, *quote.latest.positions[1:]])
    service.send_quote(quote_id)

    assert service.get_order(order.order_id).positions == version_1.positions
    assert service.get_quote(quote_id).version(1) == version_1
    assert service.get_quote(quote_id).version(2).positions[0].unit_price == eur("799.00")
