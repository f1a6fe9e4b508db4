"""Read queries answered by scanning read rows held in memory.

The memory store keeps its read rows in dicts and answers with :class:`ScanQueries`; a
host's own unit of work without a read side gets :func:`queries_over_repositories`,
which builds the rows from the repositories on each call (correct, but it loads every
aggregate of the reseller: a real store should implement the query ports itself).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date
from typing import TypeVar

import attrs

from quote2order.errors import OrderNotFound, QuoteNotFound
from quote2order.lifecycle import OrderStatus, PurchaseOrderStatus, QuoteStatus
from quote2order.orders import Order
from quote2order.ports import UnitOfWork
from quote2order.queries import (
    NO_FILTER,
    BoardSummary,
    CardSummary,
    Column,
    ColumnSummary,
    OrderSummary,
    Page,
    PurchaseOrderSummary,
    QuoteSummary,
    ReadFilter,
    activity_cursor,
    card_activity,
    card_search,
    card_summary,
    check_column,
    check_page_size,
    check_reseller,
    check_statuses,
    created_cursor,
    decode_cursor,
    encode_cursor,
    next_page,
    order_activity,
    order_search,
    order_summary,
    purchase_order_summary,
    quote_activity,
    quote_summary,
    summary_id,
    sums,
)

__all__ = ["ReadRows", "ScanQueries", "queries_over_repositories"]

T = TypeVar("T", CardSummary, QuoteSummary, OrderSummary)


@attrs.frozen
class ReadRows:
    """A snapshot of the read rows of some quotes, orders and purchase orders."""

    cards: Sequence[CardSummary]
    quotes: Sequence[QuoteSummary]
    orders: Sequence[OrderSummary]
    purchase_orders: Sequence[PurchaseOrderSummary] = ()


def _page(rows: Iterable[T], after: str | None, page_size: int) -> Page[T]:
    """Newest activity first, after the cursor, one page."""
    check_page_size(page_size)
    ordered = sorted(rows, key=lambda r: (r.activity_at, summary_id(r)), reverse=True)
    if after is not None:
        moment, object_id = decode_cursor(after)
        ordered = [r for r in ordered if (r.activity_at, summary_id(r)) < (moment, object_id)]
    return next_page(ordered, page_size, activity_cursor)


class ScanQueries:
    """:class:`~quote2order.queries.ReadQueries` over read rows that ``rows`` returns."""

    def __init__(self, rows: Callable[[str | None], ReadRows]) -> None:
        self._rows = rows

    def _cards(self, reseller_id: str, filter: ReadFilter) -> list[CardSummary]:
        check_reseller(reseller_id)
        return [
            c
            for c in self._rows(reseller_id).cards
            if c.reseller_id == reseller_id
            and filter.matches(c.customer_id, c.created_at, card_search(c))
        ]

    def board(
        self, reseller_id: str, *, filter: ReadFilter = NO_FILTER, page_size: int = 25
    ) -> BoardSummary:
        check_page_size(page_size)
        cards = self._cards(reseller_id, filter)
        columns = []
        for column in Column:
            found = [c for c in cards if c.column is column]
            columns.append(
                ColumnSummary(
                    column,
                    len(found),
                    sums([c.total for c in found]),
                    _page(found, None, page_size),
                )
            )
        return BoardSummary(tuple(columns))

    def column_page(
        self,
        reseller_id: str,
        column: Column,
        *,
        filter: ReadFilter = NO_FILTER,
        after: str | None = None,
        page_size: int = 25,
    ) -> Page[CardSummary]:
        found = [c for c in self._cards(reseller_id, filter) if c.column is check_column(column)]
        return _page(found, after, page_size)

    def card(self, reseller_id: str, card_id: str) -> CardSummary:
        for card in self._rows(reseller_id).cards:
            if card.card_id == card_id and card.reseller_id == reseller_id:
                return card
        raise QuoteNotFound(card_id)

    def quotes(
        self,
        reseller_id: str,
        *,
        filter: ReadFilter = NO_FILTER,
        statuses: Collection[QuoteStatus] = (),
        after: str | None = None,
        page_size: int = 50,
    ) -> Page[QuoteSummary]:
        check_reseller(reseller_id)
        wanted = check_statuses(QuoteStatus, statuses)
        rows = self._rows(reseller_id)
        # A quote is found by its card's text: its number, title, customer and order number.
        search = {c.card_id: card_search(c) for c in rows.cards} if filter.text else {}
        found = [
            q
            for q in rows.quotes
            if q.reseller_id == reseller_id
            and (not wanted or q.status in wanted)
            and filter.matches(q.customer_id, q.created_at, search.get(q.quote_id, ""))
        ]
        return _page(found, after, page_size)

    def quote_by_number(self, reseller_id: str, number: str) -> QuoteSummary:
        for quote in self._rows(reseller_id).quotes:
            if quote.number == number and quote.reseller_id == reseller_id:
                return quote
        raise QuoteNotFound(number)

    def quotes_due_for_expiry(
        self,
        *,
        today: date,
        reseller_id: str | None = None,
        after: str | None = None,
        page_size: int = 500,
    ) -> Page[QuoteSummary]:
        check_page_size(page_size)
        due = sorted(
            (
                q
                for q in self._rows(reseller_id).quotes
                if q.status is QuoteStatus.SENT
                and q.valid_until < today
                and (reseller_id is None or q.reseller_id == reseller_id)
            ),
            key=lambda q: (q.valid_until, q.quote_id),
        )
        if after is not None:
            key, quote_id = decode_cursor(after, date)
            due = [q for q in due if (q.valid_until, q.quote_id) > (key, quote_id)]
        return next_page(due, page_size, lambda q: encode_cursor(q.valid_until, q.quote_id))

    def orders(
        self,
        reseller_id: str,
        *,
        filter: ReadFilter = NO_FILTER,
        statuses: Collection[OrderStatus] = (),
        quote_id: str | None = None,
        after: str | None = None,
        page_size: int = 50,
    ) -> Page[OrderSummary]:
        check_reseller(reseller_id)
        wanted = check_statuses(OrderStatus, statuses)
        found = [
            o
            for o in self._rows(reseller_id).orders
            if o.reseller_id == reseller_id
            and (not wanted or o.status in wanted)
            and (quote_id is None or o.quote_id == quote_id)
            and filter.matches(o.customer_id, o.created_at, order_search(o))
        ]
        return _page(found, after, page_size)

    def order_by_number(self, reseller_id: str, order_number: str) -> OrderSummary:
        for order in self._rows(reseller_id).orders:
            if order.order_number == order_number and order.reseller_id == reseller_id:
                return order
        raise OrderNotFound(order_number)

    def purchase_orders(
        self,
        reseller_id: str,
        *,
        statuses: Collection[PurchaseOrderStatus] = (),
        supplier_id: str | None = None,
        after: str | None = None,
        page_size: int = 50,
    ) -> Page[PurchaseOrderSummary]:
        check_reseller(reseller_id)
        check_page_size(page_size)
        wanted = check_statuses(PurchaseOrderStatus, statuses)
        found = sorted(
            (
                p
                for p in self._rows(reseller_id).purchase_orders
                if p.reseller_id == reseller_id
                and (not wanted or p.status in wanted)
                and (supplier_id is None or p.supplier_id == supplier_id)
            ),
            key=lambda p: (p.created_at, p.purchase_order_id),
            reverse=True,
        )
        if after is not None:
            moment, object_id = decode_cursor(after)
            found = [p for p in found if (p.created_at, p.purchase_order_id) < (moment, object_id)]
        return next_page(found, page_size, created_cursor)


def _rows_from_repositories(uow: UnitOfWork, reseller_id: str | None) -> ReadRows:
    quotes = uow.quotes.list(reseller_id=reseller_id)
    orders = uow.orders.list(reseller_id=reseller_id)
    by_id: dict[str, Order] = {o.order_id: o for o in orders}
    quote_by_id = {q.quote_id: q for q in quotes}
    cards = []
    for quote in quotes:
        order = by_id.get(quote.order_id) if quote.order_id else None
        cards.append(card_summary(quote, order, card_activity(quote, order)))
    return ReadRows(
        cards,
        [quote_summary(q, quote_activity(q)) for q in quotes],
        [order_summary(o, quote_by_id.get(o.quote_id), order_activity(o)) for o in orders],
        [purchase_order_summary(p) for p in uow.purchase_orders.list(reseller_id=reseller_id)],
    )


def queries_over_repositories(unit_of_work: Callable[[], UnitOfWork]) -> ScanQueries:
    """Read queries built from the repositories of ``unit_of_work`` (loads everything)."""

    def rows(reseller_id: str | None) -> ReadRows:
        with unit_of_work() as uow:
            return _rows_from_repositories(uow, reseller_id)

    return ScanQueries(rows)
