"""The sales board: quotes and orders as cards in status columns, and the moves between them.

One card per quote. While the quote is won, its card shows the order (order open,
confirmed, in procurement, completed, invoiced); otherwise it shows the quote (draft,
sent, lost). Where the text is silent, two decisions:

* an *expired* quote sits in the **lost** column (``state == "expired"`` tells them
  apart); both are reopened the same way, by moving the card to draft;
* a *rejected* order has no card of its own: rejecting turns its quote lost, so the card
  moves to **lost**, and reopening moves it on to draft as version N+1.

:func:`build_board` is a pure projection; :class:`SalesBoard` loads through the service
and performs the actions, each through the one service method that does it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from quote2order.errors import InvalidTransition
from quote2order.lifecycle import OrderStatus, QuoteStatus
from quote2order.money import Money
from quote2order.orders import Order, Shipment
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
    "build_board",
    "card_for",
]


class Column(enum.Enum):
    """The board's columns, left to right."""

    DRAFT = "draft"
    SENT = "sent"
    ORDER_OPEN = "order_open"
    CONFIRMED = "confirmed"
    IN_PROCUREMENT = "in_procurement"
    PARTLY_SHIPPED = "partly_shipped"  # some parcels out, goods still to ship
    COMPLETED = "completed"
    INVOICED = "invoiced"
    LOST = "lost"  # lost and expired quotes (a rejected order's quote is lost)


_QUOTE_COLUMNS = {
    QuoteStatus.DRAFT: Column.DRAFT,
    QuoteStatus.SENT: Column.SENT,
    QuoteStatus.WON: Column.ORDER_OPEN,  # only when the caller gave no order for it
    QuoteStatus.LOST: Column.LOST,
    QuoteStatus.EXPIRED: Column.LOST,
}
_ORDER_COLUMNS = {
    OrderStatus.OPEN: Column.ORDER_OPEN,
    OrderStatus.CONFIRMED: Column.CONFIRMED,
    OrderStatus.IN_PROCUREMENT: Column.IN_PROCUREMENT,
    OrderStatus.PARTLY_SHIPPED: Column.PARTLY_SHIPPED,
    OrderStatus.COMPLETED: Column.COMPLETED,
    OrderStatus.INVOICED: Column.INVOICED,
}

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


@attrs.frozen
class BoardColumn:
    """A column with its cards (newest first), their count and net sum per currency."""

    column: Column
    cards: tuple[BoardCard, ...]
    totals: tuple[Money, ...]  # one per currency, sorted by currency

    @property
    def count(self) -> int:
        return len(self.cards)


@attrs.frozen
class SalesBoard:
    """Every column, left to right, even when empty."""

    columns: tuple[BoardColumn, ...]

    def column(self, column: Column) -> BoardColumn:
        """The column ``column``."""
        return next(c for c in self.columns if c.column is column)

    def card(self, card_id: str) -> BoardCard:
        """The card ``card_id``; KeyError if it is not on the (filtered) board."""
        for column in self.columns:
            for card in column.cards:
                if card.card_id == card_id:
                    return card
        raise KeyError(card_id)


def card_for(quote: Quote, order: Order | None, now: datetime) -> BoardCard:
    """The card of ``quote``; ``order`` is its current order while the quote is won."""
    customer = quote.customer.company or quote.customer.name
    if order is not None:
        column = _ORDER_COLUMNS[order.status]
        allowed = order.allowed_actions()
        actions = [a for a in ORDER_MENU if _MENU_ACTIONS.get(a, a) in allowed]
        if order.status in _ADD_TO_CART_STATES:
            actions.append("add_to_cart")
        return BoardCard(
            card_id=quote.quote_id,
            column=column,
            state=order.status.value,
            quote_id=quote.quote_id,
            quote_number=quote.number,
            order_id=order.order_id,
            order_number=order.order_number,
            customer_id=quote.customer.customer_id,
            customer=customer,
            title=quote.version(order.quote_version).title,
            version=order.quote_version,
            total=order.totals.net,
            created_at=quote.created_at,
            age=now - quote.created_at,
            actions=tuple(a for a in ORDER_MENU if a in actions),
        )
    return BoardCard(
        card_id=quote.quote_id,
        column=_QUOTE_COLUMNS[quote.status],
        state=quote.status.value,
        quote_id=quote.quote_id,
        quote_number=quote.number,
        order_id=None,
        order_number=None,
        customer_id=quote.customer.customer_id,
        customer=customer,
        title=quote.latest.title,
        version=quote.latest.number,
        total=quote.latest.totals(quote.currency).net,
        created_at=quote.created_at,
        age=now - quote.created_at,
        actions=tuple(a for a in QUOTE_MENU if a in quote.allowed_actions()),
    )


def build_board(
    quotes: Iterable[Quote],
    orders: Iterable[Order],
    *,
    now: datetime,
    customer_id: str | None = None,
    created_from: datetime | None = None,
    created_until: datetime | None = None,
) -> SalesBoard:
    """The board of ``quotes`` (and their current ``orders``), filtered.

    Filters: one customer; quotes created in ``[created_from, created_until)``.
    """
    by_id = {o.order_id: o for o in orders}
    cards: dict[Column, list[BoardCard]] = {column: [] for column in Column}
    for quote in quotes:
        if customer_id is not None and quote.customer.customer_id != customer_id:
            continue
        if created_from is not None and quote.created_at < created_from:
            continue
        if created_until is not None and quote.created_at >= created_until:
            continue
        order = by_id.get(quote.order_id) if quote.order_id else None
        card = card_for(quote, order, now)
        cards[card.column].append(card)
    return SalesBoard(
        tuple(
            BoardColumn(
                column,
                tuple(sorted(found, key=lambda c: (c.created_at, c.card_id), reverse=True)),
                _sums(c.total for c in found),
            )
            for column, found in cards.items()
        )
    )


def _sums(amounts: Iterable[Money]) -> tuple[Money, ...]:
    per_currency: dict[str, Money] = {}
    for amount in amounts:
        previous = per_currency.get(amount.currency, Money.zero(amount.currency))
        per_currency[amount.currency] = previous + amount
    return tuple(per_currency[c] for c in sorted(per_currency))


class Board:
    """The sales board of one reseller over a :class:`~quote2order.service.Quote2Order`."""

    def __init__(self, service: Quote2Order, *, reseller_id: str | None = None) -> None:
        self._service = service
        self._reseller_id = reseller_id

    def view(
        self,
        *,
        customer_id: str | None = None,
        created_from: datetime | None = None,
        created_until: datetime | None = None,
    ) -> SalesBoard:
        """The board now, with optional filters (see :func:`build_board`)."""
        return build_board(
            self._service.list_quotes(reseller_id=self._reseller_id),
            self._service.list_orders(reseller_id=self._reseller_id),
            now=self._service.clock.now(),
            customer_id=customer_id,
            created_from=created_from,
            created_until=created_until,
        )

    def card(self, card_id: str) -> BoardCard:
        """The current card of quote ``card_id`` (QuoteNotFound if there is none)."""
        # Another reseller's quote is not found, exactly like an unknown id.
        quote = self._service.get_quote(card_id, reseller_id=self._reseller_id)
        order = self._service.get_order(quote.order_id) if quote.order_id else None
        return card_for(quote, order, self._service.clock.now())

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
        if action in quote_actions:
            quote_actions[action](card.quote_id, **arguments)
        else:
            order_actions[action](card.order_id, **arguments)
        return self.card(card_id)
