"""The sales board: quotes and orders as cards in status columns, and the moves between them.

One card per quote. While the quote is won, its card shows the order (order open,
confirmed, in procurement, completed, invoiced); otherwise it shows the quote (draft,
sent, lost). Where the text is silent, two decisions:

* an *expired* quote sits in the **lost** column (``state == "expired"`` tells them
  apart); both are reopened the same way, by moving the card to draft;
* a *rejected* order has no card of its own: rejecting turns its quote lost, so the card
  moves to **lost**, and reopening moves it on to draft as version N+1.

:class:`Board` reads through the service's read side (:mod:`quote2order.queries`): a
view is each column's count and sums per currency, and its first page of cards, newest
activity first; :meth:`Board.column_page` pages on with a cursor. Its cost does not grow
with the reseller's history. Actions run through the one service method that does each.
:func:`build_board` is the same board as a pure projection of loaded quotes and orders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from quote2order._arguments import checked
from quote2order.errors import InvalidTransition, ValidationError
from quote2order.lifecycle import ORDER_LIFECYCLE, QUOTE_LIFECYCLE, OrderStatus, QuoteStatus
from quote2order.money import Money
from quote2order.orders import Order, Shipment
from quote2order.queries import (
    CardSummary,
    Column,
    ReadFilter,
    card_activity,
    card_search,
    card_summary,
    check_page_size,
    check_reseller,
    sums,
)
from quote2order.quotes import Quote
from quote2order.service import Quote2Order

__all__ = [
    "MOVES",
    "ORDER_MENU",
    "QUOTE_MENU",
    "Board",
    "BoardCard",
    "BoardColumn",
    "Column",
    "SalesBoard",
    "board_card",
    "build_board",
    "card_for",
]


#: An order's action menu, in menu order (the same actions as in the order list).
ORDER_MENU: tuple[str, ...] = (
    "confirm",
    "reject",
    "add_to_cart",
    "ship",
    "complete",
    "close_undelivered",
    "invoice",
)
#: A quote card's actions.
QUOTE_MENU: tuple[str, ...] = ("edit", "send", "mark_won", "mark_lost", "reopen")

# "add_to_cart" is not a lifecycle transition of its own: offered while the order can be procured.
_ADD_TO_CART_STATES = frozenset(
    {OrderStatus.CONFIRMED, OrderStatus.IN_PROCUREMENT, OrderStatus.PARTLY_SHIPPED}
)
# Menu actions named apart from the lifecycle's: one parcel picks ship_part or ship_rest.
_MENU_ACTIONS = {"ship": "ship_part", "close_undelivered": "close_rest"}

#: Dragging a card from one column to another performs exactly this one action.
MOVES: Mapping[tuple[Column, Column], str] = {
    (Column.DRAFT, Column.SENT): "send",
    (Column.SENT, Column.ORDER_OPEN): "mark_won",
    (Column.SENT, Column.LOST): "mark_lost",
    (Column.LOST, Column.DRAFT): "reopen",
    (Column.ORDER_OPEN, Column.CONFIRMED): "confirm",
    (Column.ORDER_OPEN, Column.LOST): "reject",
    (Column.CONFIRMED, Column.LOST): "reject",
    (Column.CONFIRMED, Column.COMPLETED): "complete",
    (Column.IN_PROCUREMENT, Column.COMPLETED): "complete",
    (Column.COMPLETED, Column.INVOICED): "invoice",
}


@attrs.frozen
class BoardCard:
    """One quote (or, while it is won, its order) on the board.

    ``total`` is the net total; ``age`` is the time since the quote was created.
    ``actions`` are the menu actions legal now, in menu order.
    """

    card_id: str  # the quote id
    column: Column
    state: str  # the quote's or order's status value, e.g. "expired" in the lost column
    quote_id: str
    quote_number: str
    order_id: str | None
    order_number: str | None
    customer_id: str
    customer: str
    title: str
    version: int
    total: Money
    created_at: datetime
    age: timedelta
    actions: tuple[str, ...]
    activity_at: datetime  # the last change to the quote or its order


@attrs.frozen
class BoardColumn:
    """A column: how many cards it holds, their net sums per currency, and the cards
    shown (newest activity first); ``next_cursor`` asks for the cards after them."""

    column: Column
    cards: tuple[BoardCard, ...]
    totals: tuple[Money, ...]  # one per currency, sorted by currency
    count: int
    next_cursor: str | None = None


@attrs.frozen
class SalesBoard:
    """Every column, left to right, even when empty."""

    columns: tuple[BoardColumn, ...]

    def column(self, column: Column) -> BoardColumn:
        """The column ``column``."""
        return next(c for c in self.columns if c.column is column)

    def card(self, card_id: str) -> BoardCard:
        """The card ``card_id``; KeyError if it is not shown on this (filtered) board."""
        for column in self.columns:
            for card in column.cards:
                if card.card_id == card_id:
                    return card
        raise KeyError(card_id)


def card_for(quote: Quote, order: Order | None, now: datetime) -> BoardCard:
    """The card of ``quote``; ``order`` is its current order while the quote is won."""
    return board_card(card_summary(quote, order, card_activity(quote, order)), now)


def _order_actions(status: OrderStatus) -> tuple[str, ...]:
    allowed = ORDER_LIFECYCLE.allowed_actions(status)
    actions = {a for a in ORDER_MENU if _MENU_ACTIONS.get(a, a) in allowed}
    if status in _ADD_TO_CART_STATES:
        actions.add("add_to_cart")
    return tuple(a for a in ORDER_MENU if a in actions)


def board_card(card: CardSummary, now: datetime) -> BoardCard:
    """The board card of a read-side card summary, with its age and menu at ``now``."""
    if card.order_id is not None:
        actions = _order_actions(OrderStatus(card.state))
    else:
        allowed = QUOTE_LIFECYCLE.allowed_actions(QuoteStatus(card.state))
        actions = tuple(a for a in QUOTE_MENU if a in allowed)
    return BoardCard(
        card_id=card.card_id,
        column=card.column,
        state=card.state,
        quote_id=card.quote_id,
        quote_number=card.quote_number,
        order_id=card.order_id,
        order_number=card.order_number,
        customer_id=card.customer_id,
        customer=card.customer,
        title=card.title,
        version=card.version,
        total=card.total,
        created_at=card.created_at,
        age=now - card.created_at,
        actions=actions,
        activity_at=card.activity_at,
    )


def build_board(
    quotes: Iterable[Quote],
    orders: Iterable[Order],
    *,
    now: datetime,
    customer_id: str | None = None,
    created_from: datetime | None = None,
    created_until: datetime | None = None,
    text: str | None = None,
) -> SalesBoard:
    """The whole board of ``quotes`` (and their current ``orders``), filtered.

    Filters as in :class:`~quote2order.queries.ReadFilter`. Every card is shown, newest
    activity first; this loads what it is given, so :class:`Board` uses the read side.
    """
    read_filter = ReadFilter(customer_id, created_from, created_until, text)
    by_id = {o.order_id: o for o in orders}
    cards: dict[Column, list[BoardCard]] = {column: [] for column in Column}
    for quote in quotes:
        order = by_id.get(quote.order_id) if quote.order_id else None
        summary = card_summary(quote, order, card_activity(quote, order))
        if read_filter.matches(summary.customer_id, summary.created_at, card_search(summary)):
            cards[summary.column].append(board_card(summary, now))
    return SalesBoard(
        tuple(
            BoardColumn(
                column,
                tuple(sorted(found, key=lambda c: (c.activity_at, c.card_id), reverse=True)),
                sums([c.total for c in found]),
                len(found),
            )
            for column, found in cards.items()
        )
    )


@checked
class Board:
    """The sales board of one reseller over a :class:`~quote2order.service.Quote2Order`.

    ``page_size`` is how many cards each column shows (newest activity first); ``actor``
    is who the moves and actions are recorded as in the history.
    """

    def __init__(
        self,
        service: Quote2Order,
        *,
        reseller_id: str,
        page_size: int = 25,
        actor: str = "reseller",
    ) -> None:
        self._service = service
        self._actor = actor
        self._queries = service.queries
        self._reseller_id = check_reseller(reseller_id)
        self._page_size = check_page_size(page_size)

    def view(
        self,
        *,
        customer_id: str | None = None,
        created_from: datetime | None = None,
        created_until: datetime | None = None,
        text: str | None = None,
    ) -> SalesBoard:
        """The board now: every column's count, sums and first page of cards.

        Filters: one customer; quotes created in ``[created_from, created_until)``; a
        text found in the quote or order number, the title or the customer's name.
        """
        summary = self._queries.board(
            self._reseller_id,
            filter=ReadFilter(customer_id, created_from, created_until, text),
            page_size=self._page_size,
        )
        now = self._service.clock.now()
        return SalesBoard(
            tuple(
                BoardColumn(
                    c.column,
                    tuple(board_card(card, now) for card in c.cards.items),
                    c.totals,
                    c.count,
                    c.cards.next_cursor,
                )
                for c in summary.columns
            )
        )

    def column_page(
        self,
        column: Column,
        after: str,
        *,
        customer_id: str | None = None,
        created_from: datetime | None = None,
        created_until: datetime | None = None,
        text: str | None = None,
    ) -> tuple[tuple[BoardCard, ...], str | None]:
        """The cards of ``column`` after cursor ``after`` (with the view's filters), and
        the cursor of the page after them (None: the last page)."""
        page = self._queries.column_page(
            self._reseller_id,
            column,
            filter=ReadFilter(customer_id, created_from, created_until, text),
            after=after,
            page_size=self._page_size,
        )
        now = self._service.clock.now()
        return tuple(board_card(card, now) for card in page.items), page.next_cursor

    def card(self, card_id: str) -> BoardCard:
        """The current card of quote ``card_id`` (QuoteNotFound if the reseller has none)."""
        summary = self._queries.card(self._reseller_id, card_id)
        return board_card(summary, self._service.clock.now())

    def move(
        self, card_id: str, to_column: Column, *, shipments: Sequence[Shipment] = ()
    ) -> BoardCard:
        """Drag a card to ``to_column``: performs the one action for that move, if legal.

        Any other move raises InvalidTransition naming the columns reachable from here.
        """
        card = self.card(card_id)
        action = MOVES.get((card.column, to_column))
        if action is None or action not in card.actions:
            reachable = sorted(
                to.value
                for (src, to), act in MOVES.items()
                if src is card.column and act in card.actions
            )
            raise InvalidTransition(
                "card", card_id, card.column.value, f"move to {to_column.value}", reachable
            )
        extra: dict[str, Any] = {"shipments": shipments} if action == "complete" else {}
        return self.perform(card_id, action, **extra)

    def perform(self, card_id: str, action: str, **arguments: Any) -> BoardCard:
        """Run one of the card's menu actions (if legal now) and return the new card.

        ``complete`` takes ``shipments``; ``ship`` one ``shipment`` (a parcel with its
        items); ``close_undelivered`` a ``reason``; ``reject`` an optional ``reason``;
        ``add_to_cart`` takes the optional ``positions`` selection of
        :meth:`~quote2order.service.Quote2Order.add_to_cart`.
        """
        card = self.card(card_id)
        if action not in card.actions:
            raise InvalidTransition(
                "order" if card.order_id else "quote",
                card.order_id or card.quote_id,
                card.state,
                action,
                card.actions,
            )
        service = self._service
        quote_actions: Mapping[str, Callable[..., object]] = {
            "edit": service.edit_quote,
            "send": service.send_quote,
            "mark_won": service.mark_quote_won,
            "mark_lost": service.mark_quote_lost,
            "reopen": service.reopen_quote,
        }
        order_actions: Mapping[str, Callable[..., object]] = {
            "confirm": service.confirm_order,
            "reject": service.reject_order,
            "complete": service.complete_order,
            "ship": service.ship_order,
            "close_undelivered": service.close_undelivered,
            "invoice": service.invoice_order,
            "add_to_cart": service.add_to_cart,
        }
        # The board's reseller goes with every command: a card can only act on its own.
        scope = {"actor": self._actor, "reseller_id": self._reseller_id}
        if given := sorted(scope.keys() & arguments.keys()):
            raise ValidationError(f"Board.perform: {', '.join(given)} is the board's own")
        if action in quote_actions:
            quote_actions[action](card.quote_id, **arguments, **scope)
        else:
            order_actions[action](card.order_id, **arguments, **scope)
        return self.card(card_id)
