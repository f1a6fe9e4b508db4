"""The read rows of the SQL stores: the columns beside each quote's and order's body.

Written by the unit of work in the same transaction as the body (see
:mod:`quote2order.queries` for what they answer); migration 0005 adds them and
:func:`backfill` fills them for rows stored before it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from quote2order.adapters._codec import order_from_dict, quote_from_dict
from quote2order.adapters._sql.dialect import Connection, Dialect
from quote2order.lifecycle import QuoteStatus
from quote2order.orders import Order
from quote2order.queries import (
    card_summary,
    order_activity,
    order_column,
    quote_activity,
    search_text,
    to_minor,
)
from quote2order.quotes import Quote

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["backfill", "card_columns", "order_card_columns", "order_columns", "quote_columns"]


def quote_columns(quote: Quote, dialect: Dialect) -> dict[str, Any]:
    """The quote's own read columns (not its card's, nor the activity time)."""
    latest = quote.latest
    totals = latest.totals(quote.currency)
    return {
        "number": quote.number,
        "customer_id": quote.customer.customer_id,
        "customer_name": quote.customer.company or quote.customer.name,
        "title": latest.title,
        "version": latest.number,
        "currency": quote.currency,
        "net": str(totals.net.amount),
        "gross": str(totals.gross.amount),
        "valid_until": dialect.day(latest.valid_until),
        "order_id": quote.order_id,
        "created_at": dialect.timestamp(quote.created_at),
    }


def card_columns(quote: Quote, order: Order | None) -> dict[str, Any]:
    """The columns of ``quote``'s card (``order``: its current order, if known)."""
    card = card_summary(quote, order, quote.created_at)
    return {
        "board_column": card.column.value,
        "card_state": card.state,
        "card_order_number": card.order_number,
        "card_title": card.title,
        "card_version": card.version,
        "card_net": str(card.total.amount),
        "card_net_minor": to_minor(card.total),
        "search": search_text(card.quote_number, card.order_number, card.title, card.customer),
    }


def order_card_columns(order: Order) -> dict[str, Any] | None:
    """What an order's change writes on its quote's card (None: a rejected order's nothing)."""
    column = order_column(order)
    if column is None:
        return None
    return {
        "board_column": column.value,
        "card_state": order.status.value,
        "card_net": str(order.totals.net.amount),
        "card_net_minor": to_minor(order.totals.net),
    }


def order_columns(order: Order, quote: Quote | None, dialect: Dialect) -> dict[str, Any]:
    """The order's read columns (not the activity time); ``quote`` gives number and title."""
    totals = order.totals
    title = ""
    if quote is not None and order.quote_version <= len(quote.versions):
        title = quote.version(order.quote_version).title
    quote_number = "" if quote is None else quote.number
    customer = order.customer.company or order.customer.name
    return {
        "order_number": order.order_number,
        "quote_number": quote_number,
        "customer_id": order.customer.customer_id,
        "customer_name": customer,
        "title": title,
        "currency": order.currency,
        "net": str(totals.net.amount),
        "gross": str(totals.gross.amount),
        "created_at": dialect.timestamp(order.created_at),
        "search": search_text(order.order_number, quote_number, title, customer),
    }


def _assignments(columns: dict[str, Any]) -> str:
    return ", ".join(f"{name} = ?" for name in columns)  # names are this module's constants


def backfill(conn: Connection, dialect: Dialect) -> None:
    """Fill the read columns of every stored quote and order (migration 0005)."""
    p = dialect.sql
    load: Callable[[Any], Any] = dialect.load_json
    quotes: dict[str, Quote] = {}
    for row in conn.execute("SELECT body, revision FROM quotes", ()).fetchall():
        quote = quote_from_dict(load(row[0]), row[1])
        quotes[quote.quote_id] = quote
    orders: dict[str, Order] = {}
    for row in conn.execute("SELECT body, revision FROM orders", ()).fetchall():
        order = order_from_dict(load(row[0]), row[1])
        orders[order.order_id] = order
    for order in orders.values():
        columns = order_columns(order, quotes.get(order.quote_id), dialect)
        columns["activity_at"] = dialect.timestamp(order_activity(order))
        conn.execute(
            p(f"UPDATE orders SET {_assignments(columns)} WHERE order_id = ?"),
            (*columns.values(), order.order_id),
        )
    for quote in quotes.values():
        current = orders.get(quote.order_id) if quote.order_id else None
        activity: datetime = quote_activity(quote)
        if current is not None and quote.status is QuoteStatus.WON:
            activity = max(activity, order_activity(current))
        else:
            current = None
        columns = quote_columns(quote, dialect) | card_columns(quote, current)
        columns["activity_at"] = dialect.timestamp(activity)
        conn.execute(
            p(f"UPDATE quotes SET {_assignments(columns)} WHERE quote_id = ?"),
            (*columns.values(), quote.quote_id),
        )
