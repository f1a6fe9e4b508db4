"""The sales board: columns, cards, filters, sums, legal moves and each card's menu."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from quote2order import (
    InvalidTransition,
    Money,
    OrderNotFound,
    QuoteNotFound,
    Shipment,
    ShipmentItem,
    ValidationError,
)
from quote2order.board import MOVES, Board, Column, build_board, card_for
from quote2order.lifecycle import ORDER_LIFECYCLE, OrderStatus

from .conftest import World, later


@pytest.fixture
def board(world: World) -> Board:
    return Board(world.service, reseller_id="reseller-1")


def test_every_column_is_shown_left_to_right_even_when_empty(board: Board) -> None:
    assert [c.column.value for c in board.view().columns] == [
        "draft",
        "sent",
        "order_open",
        "confirmed",
        "in_procurement",
        "partly_shipped",
        "completed",
        "invoiced",
        "lost",
    ]
    assert all(c.count == 0 and c.totals == () for c in board.view().columns)


def test_a_card_shows_customer_title_version_net_total_and_age(world: World, board: Board) -> None:
    quote_id, _ = world.sent_quote(2)
    later(world, 3)
    card = board.view().card(quote_id)
    assert (card.column, card.customer, card.title, card.version) == (
        Column.SENT,
        "Customer 2",
        "Devices for customer 2",
        1,
    )
    assert card.total == Money(Decimal("4495.00"), "EUR")
    assert card.age == timedelta(days=3, minutes=1)


def test_while_won_the_card_shows_the_order_and_its_menu(world: World, board: Board) -> None:
    quote_id, token = world.sent_quote()
    world.service.accept_quote(token, 1)
    card = board.card(quote_id)
    assert (card.column, card.order_number, card.actions) == (
        Column.ORDER_OPEN,
        "AB-2026-00001",
        ("confirm", "reject"),
    )
    card = board.perform(quote_id, "confirm")
    assert (card.column, card.actions) == (
        Column.CONFIRMED,
        ("reject", "add_to_cart", "ship", "complete"),
    )


def test_the_menu_offers_only_the_order_actions_allowed_now(world: World) -> None:
    """For every order status, the menu is the lifecycle's allowed actions (+ add to cart)."""
    quote_id, token = world.sent_quote()
    order = world.service.accept_quote(token, 1)
    quote = world.service.get_quote(quote_id)
    for status in OrderStatus:
        if status is OrderStatus.REJECTED:
            continue
        order.status = status
        actions = set(card_for(quote, order, world.clock.now()).actions)
        allowed = ORDER_LIFECYCLE.allowed_actions(status)
        expected = set(allowed) & {"confirm", "reject", "complete", "invoice"}
        if "ship_part" in allowed:
            expected.add("ship")
        if "close_rest" in allowed:
            expected.add("close_undelivered")
        if status in (
            OrderStatus.CONFIRMED,
            OrderStatus.IN_PROCUREMENT,
            OrderStatus.PARTLY_SHIPPED,
        ):
            expected.add("add_to_cart")
        assert actions == expected, status


def test_an_action_not_allowed_now_is_an_invalid_transition(world: World, board: Board) -> None:
    quote_id, token = world.sent_quote()
    world.service.accept_quote(token, 1)
    with pytest.raises(InvalidTransition) as raised:
        board.perform(quote_id, "invoice")
    assert raised.value.allowed == ("confirm", "reject")


def test_the_whole_story_by_dragging_cards(world: World, board: Board) -> None:
    quote_id, token = world.sent_quote()
    world.service.accept_quote(token, 1)
    assert board.move(quote_id, Column.LOST).state == "lost"  # rejects the order
    assert board.move(quote_id, Column.DRAFT).version == 2  # reopens as version 2
    assert board.move(quote_id, Column.SENT).column is Column.SENT
    assert board.move(quote_id, Column.ORDER_OPEN).column is Column.ORDER_OPEN
    assert board.move(quote_id, Column.CONFIRMED).column is Column.CONFIRMED
    card = board.move(quote_id, Column.COMPLETED, shipments=[Shipment("DHL", "00340434")])
    assert card.column is Column.COMPLETED
    assert world.service.get_order(card.order_id or "").tracking_numbers == ("00340434",)
    assert board.move(quote_id, Column.INVOICED).actions == ()


def test_an_illegal_move_is_refused_and_names_the_reachable_columns(
    world: World, board: Board
) -> None:
    quote_id, _ = world.sent_quote()
    with pytest.raises(InvalidTransition) as raised:
        board.move(quote_id, Column.INVOICED)
    assert raised.value.allowed == ("lost", "order_open")
    assert board.card(quote_id).column is Column.SENT


# in_procurement is entered through the purchasing module, so its move starts elsewhere.
@pytest.mark.parametrize(
    ("source", "target"), sorted((m for m in MOVES if m[0] is not Column.IN_PROCUREMENT), key=str)
)
def test_every_listed_move_changes_the_column_to_its_target(
    world: World, board: Board, source: Column, target: Column
) -> None:
    quote_id, _ = world.sent_quote()
    path = {
        Column.DRAFT: ["mark_lost", "reopen"],
        Column.SENT: [],
        Column.LOST: ["mark_lost"],
        Column.ORDER_OPEN: ["mark_won"],
        Column.CONFIRMED: ["mark_won", "confirm"],
        Column.COMPLETED: ["mark_won", "confirm", "complete"],
    }
    for action in path[source]:
        board.perform(quote_id, action)
    assert board.card(quote_id).column is source
    assert board.move(quote_id, target).column is target


def test_expired_quotes_sit_in_the_lost_column_and_reopen_to_draft(
    world: World, board: Board
) -> None:
    quote_id, _ = world.sent_quote()
    later(world, 100)
    world.service.expire_quotes()
    card = board.card(quote_id)
    assert (card.column, card.state, card.actions) == (Column.LOST, "expired", ("reopen",))
    assert board.move(quote_id, Column.DRAFT).column is Column.DRAFT


def test_columns_count_their_cards_and_sum_net_totals_per_currency(world: World) -> None:
    world.sent_quote(1)
    world.sent_quote(2)
    sent = Board(world.service, reseller_id="reseller-1").view().column(Column.SENT)
    assert sent.count == 2
    assert sent.totals == (Money(Decimal("8990.00"), "EUR"),)


def test_filters_by_customer_and_by_creation_period(world: World, board: Board) -> None:
    start = world.clock.now()
    first, _ = world.sent_quote(1)
    later(world, 10)
    second, _ = world.sent_quote(2)
    third, _ = world.sent_quote(1)

    def ids(**filters: object) -> set[str]:
        view = board.view(**filters)  # type: ignore[arg-type]
        return {card.card_id for column in view.columns for card in column.cards}

    assert ids(customer_id="cust-1") == {first, third}
    assert ids(created_from=start + timedelta(days=1)) == {second, third}
    assert ids(created_until=start + timedelta(days=1)) == {first}


def test_another_reseller_s_quote_is_not_on_this_board(world: World) -> None:
    quote_id, _ = world.sent_quote()
    other = Board(world.service, reseller_id="reseller-2")
    with pytest.raises(QuoteNotFound):
        other.card(quote_id)
    assert all(c.count == 0 for c in other.view().columns)


def test_add_to_cart_from_the_menu_moves_the_card_into_procurement(
    world: World, board: Board
) -> None:
    quote_id, token = world.sent_quote()
    order = world.service.accept_quote(token, 1)
    board.perform(quote_id, "confirm")
    card = board.perform(quote_id, "add_to_cart", positions=["pos-1"])
    assert card.column is Column.IN_PROCUREMENT
    cart = world.service.get_cart(order.reseller_id)
    assert [(a.order_id, a.position_id) for line in cart.lines for a in line.allocations] == [
        (order.order_id, "pos-1")
    ]


def test_build_board_is_a_pure_projection_of_quotes_and_orders(world: World) -> None:
    quote_id, token = world.sent_quote()
    order = world.service.accept_quote(token, 1)
    quote = world.service.get_quote(quote_id)
    view = build_board([quote], [order], now=world.clock.now())
    assert view.card(quote_id).column is Column.ORDER_OPEN
    without_order = build_board([quote], [], now=world.clock.now()).card(quote_id)
    assert (without_order.column, without_order.actions) == (Column.ORDER_OPEN, ())


def test_a_partly_shipped_order_has_its_column_and_closes_from_the_menu(
    world: World, board: Board
) -> None:
    quote_id, token = world.sent_quote()
    world.service.accept_quote(token, 1)
    board.perform(quote_id, "confirm")
    parcel = Shipment("DHL", "JJD1", (ShipmentItem("pos-1", 2),))
    card = board.perform(quote_id, "ship", shipment=parcel)
    assert (card.column, card.state) == (Column.PARTLY_SHIPPED, "partly_shipped")
    assert card.actions == ("add_to_cart", "ship", "close_undelivered")
    assert board.view().column(Column.PARTLY_SHIPPED).count == 1
    card = board.perform(quote_id, "close_undelivered", reason="iPads sold out")
    assert (card.column, card.actions) == (Column.COMPLETED, ("invoice",))


def test_the_board_records_its_actor_on_every_move_and_action(world: World) -> None:
    quote_id, token = world.sent_quote()
    order = world.service.accept_quote(token, 1)
    board = Board(world.service, reseller_id="reseller-1", actor="staff:anna")
    board.move(quote_id, Column.CONFIRMED)
    board.perform(quote_id, "add_to_cart", positions=["pos-1"])
    events = world.service.history("order", order.order_id)
    assert [(e.name, e.actor) for e in events[-2:]] == [
        ("OrderConfirmed", "staff:anna"),
        ("OrderProcurementStarted", "staff:anna"),
    ]


def test_actor_and_reseller_are_the_board_s_own_not_arguments(world: World, board: Board) -> None:
    quote_id, token = world.sent_quote()
    world.service.accept_quote(token, 1)
    for extra in ({"actor": "mallory"}, {"reseller_id": "reseller-2"}):
        with pytest.raises(ValidationError, match="board's own"):
            board.perform(quote_id, "confirm", **extra)
    assert board.card(quote_id).column is Column.ORDER_OPEN


def test_add_to_cart_names_the_reseller_and_another_reseller_s_order_is_not_found(
    world: World,
) -> None:
    _, token = world.sent_quote()
    order = world.service.accept_quote(token, 1)
    world.service.confirm_order(order.order_id)
    with pytest.raises(OrderNotFound):
        world.service.add_to_cart(order.order_id, reseller_id="reseller-2")
    assert world.service.get_cart("reseller-1").lines == ()
    world.service.add_to_cart(order.order_id, reseller_id="reseller-1")
    assert world.service.get_cart("reseller-1").lines != ()
