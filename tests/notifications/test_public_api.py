import pytest

import quote2order.notifications as notifications
from quote2order import NotFound, OrderStatus, ValidationError
from quote2order.notifications import (
    NotificationRecorder,
    Seller,
    StaticSellerDirectory,
    StaticSettings,
)

from .conftest import World


def test_the_exported_names_are_sorted_public_and_importable() -> None:
    assert notifications.__all__ == sorted(notifications.__all__)
    assert all(not name.startswith("_") for name in notifications.__all__)
    for name in notifications.__all__:
        assert getattr(notifications, name) is not None


def test_a_seller_needs_a_name_and_an_email_address() -> None:
    with pytest.raises(ValidationError):
        Seller("r-1", " ", "auftrag@example.com")
    with pytest.raises(ValidationError):
        Seller("r-1", "Systemhaus", "no-address")


def test_an_unknown_seller_fails_the_command_with_a_typed_error_and_changes_nothing() -> None:
    world = World()
    order = world.order()
    world.service = type(world.service)(
        world.store,
        clock=world.clock,
        ids=world.ids,
        handlers=[NotificationRecorder(StaticSettings(), StaticSellerDirectory(), world.ids)],
    )
    documents = world.documents()
    with pytest.raises(NotFound):
        world.service.confirm_order(order.order_id)
    assert world.service.get_order(order.order_id).status is OrderStatus.OPEN
    assert world.documents() == documents
    assert world.store.outbox_store.list() == []
