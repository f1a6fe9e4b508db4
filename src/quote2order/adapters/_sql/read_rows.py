"""The read rows of the SQL stores: the columns beside each quote's and order's body.

Written by the unit of work in the same transaction as the body (see
:mod:`quote2order.queries` for what they answer); migration 0005 adds them and
:func:`backfill` fills them for rows stored before it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from quote2order.adapters._codec import order_from_dict, purchase_order_from_dict, quote_from_dict
from quote2order.adapters._sql.dialect import Connection, Dialect
from quote2order.lifecycle import QuoteStatus
from quote2order.orders import Order
from quote2order.purchasing.purchase_orders import PurchaseOrder
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
    from collections.abc import Callable, Collection, Iterator

__all__ = [
    "BATCH_SIZE",
    "backfill",
    "batches",
    "card_columns",
    "order_card_columns",
    "order_columns",
    "purchase_order_columns",
    "quote_columns",
    "search_index_and_purchase_order_rows",
]


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


def purchase_order_columns(purchase_order: PurchaseOrder, dialect: Dialect) -> dict[str, Any]:
    """The purchase order's read columns (number, supplier and status have their own)."""
    return {
        "partner": purchase_order.partner,
        "currency": purchase_order.currency,
        "total": str(purchase_order.total.amount),
        "line_count": len(purchase_order.lines),
        "created_at": dialect.timestamp(purchase_order.created_at),
        "sent_at": dialect.timestamp(purchase_order.sent_at),
        "received_at": dialect.timestamp(purchase_order.received_at),
        "cancelled_at": dialect.timestamp(purchase_order.cancelled_at),
    }


def _assignments(columns: dict[str, Any]) -> str:
    return ", ".join(f"{name} = ?" for name in columns)  # names are this module's constants


#: How many bodies a backfill reads at a time, so that its memory stays bounded.
BATCH_SIZE = 1000


def batches(
    conn: Connection, dialect: Dialect, table: str, columns: str, size: int
) -> Iterator[list[Any]]:
    """Every row of ``table`` (``seq`` first, then ``columns``), ``size`` rows at a time,
    by keyset over ``seq`` (table and column names are this package's constants)."""
    last: Any = None
    while True:
        after = "" if last is None else " WHERE seq > ?"
        rows = conn.execute(
            dialect.sql(f"SELECT seq, {columns} FROM {table}{after} ORDER BY seq LIMIT ?"),
            (size,) if last is None else (last, size),
        ).fetchall()
        if rows:
            yield rows
        if len(rows) < size:
            return
        last = rows[-1][0]


def _by_id(
    conn: Connection, dialect: Dialect, table: str, id_column: str, ids: Collection[str]
) -> list[Any]:
    """The ``body, revision`` of the rows of ``table`` with these ids (at most a batch)."""
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    return conn.execute(
        dialect.sql(f"SELECT body, revision FROM {table} WHERE {id_column} IN ({marks})"),
        tuple(ids),
    ).fetchall()


def backfill(conn: Connection, dialect: Dialect, *, batch_size: int | None = None) -> None:
    """Fill the read columns of every stored quote and order (migration 0005).

    Reads :data:`BATCH_SIZE` (or ``batch_size``) bodies at a time, with the quotes of a
    batch of orders and the current orders of a batch of quotes, so that the memory it
    needs does not grow with the database.
    """
    size = batch_size or BATCH_SIZE
    p = dialect.sql
    load: Callable[[Any], Any] = dialect.load_json
    for rows in batches(conn, dialect, "orders", "body, revision", size):
        orders = [order_from_dict(load(row[1]), row[2]) for row in rows]
        quotes = {
            quote.quote_id: quote
            for quote in (
                quote_from_dict(load(row[0]), row[1])
                for row in _by_id(conn, dialect, "quotes", "quote_id", {o.quote_id for o in orders})
            )
        }
        for order in orders:
            columns = order_columns(order, quotes.get(order.quote_id), dialect)
            columns["activity_at"] = dialect.timestamp(order_activity(order))
            conn.execute(
                p(f"UPDATE orders SET {_assignments(columns)} WHERE order_id = ?"),
                (*columns.values(), order.order_id),
            )
    for rows in batches(conn, dialect, "quotes", "body, revision", size):
        quotes_of_batch = [quote_from_dict(load(row[1]), row[2]) for row in rows]
        won = {q.order_id for q in quotes_of_batch if q.order_id and q.status is QuoteStatus.WON}
        current_orders = {
            order.order_id: order
            for order in (
                order_from_dict(load(row[0]), row[1])
                for row in _by_id(conn, dialect, "orders", "order_id", won)
            )
        }
        for quote in quotes_of_batch:
            current = current_orders.get(quote.order_id or "")
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


def search_index_and_purchase_order_rows(
    conn: Connection, dialect: Dialect, *, batch_size: int | None = None
) -> None:
    """Migration 0008: fill the purchase orders' read columns (a batch at a time) and
    index the search columns where the migration's SQL cannot (PostgreSQL's pg_trgm)."""
    load: Callable[[Any], Any] = dialect.load_json
    for rows in batches(
        conn, dialect, "purchase_orders", "body, revision", batch_size or BATCH_SIZE
    ):
        for row in rows:
            purchase_order = purchase_order_from_dict(load(row[1]), row[2])
            columns = purchase_order_columns(purchase_order, dialect)
            conn.execute(
                dialect.sql(
                    f"UPDATE purchase_orders SET {_assignments(columns)} "
                    "WHERE purchase_order_id = ?"
                ),
                (*columns.values(), purchase_order.purchase_order_id),
            )
    dialect.search_indexes(conn)
