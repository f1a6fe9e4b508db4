"""What a customer link shows, and accepting or declining through it."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from quote2order import AlreadyAccepted, Money, SupersededVersion

from .conftest import IPAD, MACBOOK, PENCIL, World, later


def reopen_with(world: World, quote_id: str, token: str, *positions: object) -> None:
    """The customer accepted version 1; the reseller rejects, reopens and edits it."""
    order = world.portal.accept(token, 1)
    assert order.status == "won"
    world.service.reject_order(world.service.get_quote(quote_id).order_id or "")
    world.service.reopen_quote(quote_id)
    world.service.edit_quote(quote_id, positions=list(positions))  # type: ignore[arg-type]


def test_the_link_shows_the_sent_version_with_its_positions_and_totals(world: World) -> None:
    _, token = world.sent_quote()
    view = world.portal.view(token)
    assert (view.version, view.status, view.can_accept, view.can_decline) == (1, "sent", True, True)
    assert [p.name for p in view.current.positions] == ["MacBook Air 13", "iPad Air 11"]
    assert view.current.net_total == Money(Decimal("4495.00"), "EUR")
    assert view.current.gross_total == Money(Decimal("5349.05"), "EUR")
    assert view.current.changes == ()
    assert view.earlier == ()
    assert view.documents == ()


def test_while_the_reseller_revises_the_link_shows_the_last_sent_version_unanswerable(
    world: World,
) -> None:
    quote_id, token = world.sent_quote()
    reopen_with(world, quote_id, token, MACBOOK, IPAD, PENCIL)
    view = world.portal.view(token)
    assert (view.version, view.status) == (1, "in_revision")
    assert not view.can_accept
    with pytest.raises(SupersededVersion):
        world.portal.accept(token, 1)


def test_the_same_link_shows_version_2_with_the_added_position(world: World) -> None:
    quote_id, token = world.sent_quote()
    reopen_with(world, quote_id, token, MACBOOK, IPAD, PENCIL)
    world.service.send_quote(quote_id)
    view = world.portal.view(token)
    assert (view.version, view.status, view.can_accept) == (2, "sent", True)
    [change] = view.current.changes
    assert (change.change, change.name, change.quantity_after) == (
        "added",
        "Apple Pencil 2nd Generation",
        Decimal(3),
    )
    assert [v.number for v in view.earlier] == [1]


def test_quantity_and_price_changes_and_removals_are_listed(world: World) -> None:
    quote_id, token = world.sent_quote()
    cheaper_more = attrs.evolve(
        MACBOOK, quantity=Decimal(5), unit_price=Money(Decimal("1099.00"), "EUR")
    )
    reopen_with(world, quote_id, token, cheaper_more)
    world.service.send_quote(quote_id)
    changes = {c.position_id: c for c in world.portal.view(token).current.changes}
    assert changes["pos-1"].fields == ("quantity", "unit_price")
    assert (changes["pos-1"].quantity_before, changes["pos-1"].quantity_after) == (2, 5)
    assert changes["pos-1"].unit_price_before == Money(Decimal("1199.00"), "EUR")
    assert changes["pos-2"].change == "removed"


def test_a_superseded_version_cannot_be_accepted(world: World) -> None:
    quote_id, token = world.sent_quote()
    reopen_with(world, quote_id, token, MACBOOK, IPAD, PENCIL)
    world.service.send_quote(quote_id)
    with pytest.raises(SupersededVersion):
        world.portal.accept(token, 1)
    assert world.portal.accept(token, 2).status == "won"


def test_accepting_shows_the_order_number_and_cannot_happen_twice(world: World) -> None:
    _, token = world.sent_quote()
    view = world.portal.accept(token, 1)
    assert (view.status, view.can_accept, view.order_number) == ("won", False, "AB-2026-00001")
    with pytest.raises(AlreadyAccepted):
        world.portal.accept(token, 1)
    assert len(world.service.list_orders()) == 1


def test_declining_makes_the_quote_lost(world: World) -> None:
    _, token = world.sent_quote()
    view = world.portal.decline(token, 1)
    assert (view.status, view.can_accept, view.can_decline) == ("lost", False, False)


def test_past_its_validity_a_quote_is_shown_but_cannot_be_accepted(world: World) -> None:
    _, token = world.sent_quote()
    later(world, 100)
    view = world.portal.view(token)
    assert (view.status, view.can_accept) == ("sent", False)
