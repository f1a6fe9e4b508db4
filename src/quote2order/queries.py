"""The read side: the questions screens and jobs ask across many quotes and orders.

Repositories load and save one aggregate for a command. The questions here (a board,
a list page, the quotes due for expiry, a quote by its number) have ports of their own,
answered by the store from *read rows*: a few columns per quote and order that the store
writes in the same transaction as the aggregate, so they never drift from it. Every
answer is sized to what is shown: counts and sums per board column, and one page of
summaries with a keyset cursor for the next page; no answer loads aggregates.

Every question names the reseller (the tenant); the only exception is
:meth:`QuoteQueries.quotes_due_for_expiry` without one, the nightly job's question across
all resellers of one database.

The stores of :mod:`quote2order.adapters` implement :class:`ReadQueries` (their
``queries`` attribute); the summaries are built by the functions below, so each store
answers the same question with the same values.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, Protocol, TypeVar

import attrs

from quote2order.errors import ValidationError
from quote2order.lifecycle import OrderStatus, PurchaseOrderStatus, QuoteStatus
from quote2order.money import Money, minor_unit
from quote2order.orders import Order
from quote2order.purchasing.purchase_orders import PurchaseOrder
from quote2order.quotes import Quote

__all__ = [
    "MAX_PAGE_SIZE",
    "MINOR_LIMIT",
    "NO_FILTER",
    "BoardQueries",
    "BoardSummary",
    "CardSummary",
    "Column",
    "ColumnSummary",
    "OrderQueries",
    "OrderSummary",
    "Page",
    "PurchaseOrderQueries",
    "PurchaseOrderSummary",
    "QuoteQueries",
    "QuoteSummary",
    "ReadFilter",
    "ReadQueries",
    "activity_cursor",
    "card_activity",
    "card_search",
    "card_summary",
    "check_column",
    "check_page_size",
    "check_reseller",
    "check_statuses",
    "column_of",
    "created_cursor",
    "customer_label",
    "decode_cursor",
    "encode_cursor",
    "from_minor",
    "next_page",
    "order_activity",
    "order_column",
    "order_search",
    "order_summary",
    "purchase_order_summary",
    "quote_activity",
    "quote_summary",
    "search_text",
    "summary_id",
    "sums",
    "to_minor",
]

T = TypeVar("T")

#: The largest page any query returns.
MAX_PAGE_SIZE = 1000


class Column(enum.Enum):
    """The sales board's columns, left to right."""

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
    QuoteStatus.WON: Column.ORDER_OPEN,  # only while its order is not known
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


def order_column(order: Order) -> Column | None:
    """The board column of a card showing ``order`` (None: a rejected order shows none)."""
    return _ORDER_COLUMNS.get(order.status)


def column_of(quote: Quote, order: Order | None) -> Column:
    """The board column of ``quote``'s card; ``order`` is its current order while won."""
    if order is not None and order.status in _ORDER_COLUMNS:
        return _ORDER_COLUMNS[order.status]
    return _QUOTE_COLUMNS[quote.status]


def _aware(value: datetime | None, what: str) -> datetime | None:
    if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
        raise ValidationError(f"{what} must be a timezone-aware datetime, not {value!r}")
    return value


def _created_from(value: datetime | None) -> datetime | None:
    return _aware(value, "created_from")


def _created_until(value: datetime | None) -> datetime | None:
    return _aware(value, "created_until")


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"text must be a string, not {value!r}")
    return value.strip().casefold() or None


@attrs.frozen
class ReadFilter:
    """What a board or list shows: one customer, a created range, a text search.

    ``created_from`` is inclusive, ``created_until`` exclusive. ``text`` matches a part of
    the quote or order number, the title or the customer's name, ignoring case.
    """

    customer_id: str | None = None
    created_from: datetime | None = attrs.field(default=None, converter=_created_from)
    created_until: datetime | None = attrs.field(default=None, converter=_created_until)
    text: str | None = attrs.field(default=None, converter=_text)

    def matches(self, customer_id: str, created_at: datetime, search: str) -> bool:
        """Whether a row with these values passes the filter (``search``: see :func:`search_text`)."""
        return (
            (self.customer_id is None or customer_id == self.customer_id)
            and (self.created_from is None or created_at >= self.created_from)
            and (self.created_until is None or created_at < self.created_until)
            and (self.text is None or self.text in search)
        )


#: The filter that shows everything.
NO_FILTER = ReadFilter()


@attrs.frozen
class Page(Generic[T]):
    """One page of a list; ``next_cursor`` asks for the page after it (None: the last)."""

    items: tuple[T, ...]
    next_cursor: str | None = None


@attrs.frozen
class QuoteSummary:
    """A quote as a list shows it: its latest version's title and totals."""

    quote_id: str
    reseller_id: str
    number: str
    customer_id: str
    customer: str  # the company, or the contact's name
    title: str
    version: int
    status: QuoteStatus
    net: Money
    gross: Money
    valid_until: date
    order_id: str | None
    created_at: datetime
    activity_at: datetime  # the last change to the quote (or its order)


@attrs.frozen
class OrderSummary:
    """An order as a list shows it."""

    order_id: str
    reseller_id: str
    order_number: str
    quote_id: str
    quote_number: str
    quote_version: int
    customer_id: str
    customer: str
    title: str
    status: OrderStatus
    net: Money
    gross: Money
    created_at: datetime
    activity_at: datetime


@attrs.frozen
class PurchaseOrderSummary:
    """A purchase order as a list shows it (its lines are loaded with the aggregate)."""

    purchase_order_id: str
    reseller_id: str
    number: str
    supplier_id: str
    partner: bool
    status: PurchaseOrderStatus
    total: Money  # goods plus shipping
    lines: int  # how many lines
    created_at: datetime
    sent_at: datetime | None
    received_at: datetime | None  # when the last goods arrived
    cancelled_at: datetime | None


@attrs.frozen
class CardSummary:
    """A board card: one quote, or while it is won, its order."""

    card_id: str  # the quote id
    reseller_id: str
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
    total: Money  # net
    created_at: datetime
    activity_at: datetime


@attrs.frozen
class ColumnSummary:
    """A board column: how many cards, their net sums per currency, and the first page."""

    column: Column
    count: int
    totals: tuple[Money, ...]  # one per currency, sorted by currency
    cards: Page[CardSummary]


@attrs.frozen
class BoardSummary:
    """Every column of the board, left to right, even when empty."""

    columns: tuple[ColumnSummary, ...]


class BoardQueries(Protocol):
    """The sales board of one reseller."""

    def board(
        self, reseller_id: str, *, filter: ReadFilter = NO_FILTER, page_size: int = 25
    ) -> BoardSummary:
        """Every column's count and sums, and its first ``page_size`` cards (newest first)."""
        ...

    def column_page(
        self,
        reseller_id: str,
        column: Column,
        *,
        filter: ReadFilter = NO_FILTER,
        after: str | None = None,
        page_size: int = 25,
    ) -> Page[CardSummary]:
        """The cards of ``column`` after cursor ``after``, newest activity first."""
        ...

    def card(self, reseller_id: str, card_id: str) -> CardSummary:
        """The card of quote ``card_id``, or raise QuoteNotFound."""
        ...


class QuoteQueries(Protocol):
    """Lists of a reseller's quotes, a quote by number, and the quotes due for expiry."""

    def quotes(
        self,
        reseller_id: str,
        *,
        filter: ReadFilter = NO_FILTER,
        statuses: Collection[QuoteStatus] = (),
        after: str | None = None,
        page_size: int = 50,
    ) -> Page[QuoteSummary]:
        """Quotes (in ``statuses``, if given), newest activity first."""
        ...

    def quote_by_number(self, reseller_id: str, number: str) -> QuoteSummary:
        """The quote numbered ``number``, or raise QuoteNotFound."""
        ...

    def quotes_due_for_expiry(
        self,
        *,
        today: date,
        reseller_id: str | None = None,
        after: str | None = None,
        page_size: int = 500,
    ) -> Page[QuoteSummary]:
        """Sent quotes valid until before ``today``, earliest first (None: every reseller)."""
        ...


class OrderQueries(Protocol):
    """Lists of a reseller's orders and an order by number."""

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
        """Orders (in ``statuses``, of one quote, if given), newest activity first."""
        ...

    def order_by_number(self, reseller_id: str, order_number: str) -> OrderSummary:
        """The order numbered ``order_number``, or raise OrderNotFound."""
        ...


class PurchaseOrderQueries(Protocol):
    """Lists of a reseller's purchase orders."""

    def purchase_orders(
        self,
        reseller_id: str,
        *,
        statuses: Collection[PurchaseOrderStatus] = (),
        supplier_id: str | None = None,
        after: str | None = None,
        page_size: int = 50,
    ) -> Page[PurchaseOrderSummary]:
        """Purchase orders (in ``statuses``, to ``supplier_id``, if given), newest first
        (by creation)."""
        ...


class ReadQueries(BoardQueries, QuoteQueries, OrderQueries, PurchaseOrderQueries, Protocol):
    """Every read-side question; what a store's ``queries`` attribute answers."""


# -- cursors -------------------------------------------------------------------------------


def encode_cursor(key: datetime | date, object_id: str) -> str:
    """The cursor after the row with sort key ``key`` and id ``object_id``."""
    return f"{key.isoformat()}|{object_id}"


def decode_cursor(
    cursor: str, kind: type[datetime] | type[date] = datetime
) -> tuple[datetime | date, str]:
    """The sort key and id in ``cursor``; ValidationError for one no query made."""
    try:
        key, object_id = cursor.split("|", 1)
        moment: datetime | date = kind.fromisoformat(key)
    except (AttributeError, TypeError, ValueError):
        raise ValidationError(f"not a cursor of this list: {cursor!r}") from None
    if isinstance(moment, datetime) and moment.tzinfo is None:
        raise ValidationError(f"not a cursor of this list: {cursor!r}")
    return moment, object_id


def activity_cursor(row: CardSummary | QuoteSummary | OrderSummary) -> str:
    """The cursor after ``row`` in a list ordered by newest activity."""
    return encode_cursor(row.activity_at, summary_id(row))


def summary_id(row: CardSummary | QuoteSummary | OrderSummary) -> str:
    """The id a list orders ``row`` by after its activity: the order's, else the quote's."""
    return row.order_id if isinstance(row, OrderSummary) else row.quote_id


def next_page(items: Sequence[T], page_size: int, cursor: Callable[[T], str]) -> Page[T]:
    """The first ``page_size`` of ``items`` (read one beyond a page, to tell whether more
    follow), with ``cursor`` of the last one when more follow."""
    page = tuple(items[:page_size])
    return Page(page, cursor(page[-1]) if len(items) > page_size else None)


def check_page_size(page_size: int) -> int:
    """``page_size`` if it is 1 to :data:`MAX_PAGE_SIZE`, else ValidationError."""
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise ValidationError(f"page_size must be an integer, not {page_size!r}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError(f"page_size must be 1 to {MAX_PAGE_SIZE}, not {page_size}")
    return page_size


def created_cursor(row: PurchaseOrderSummary) -> str:
    """The cursor after ``row`` in a list ordered by newest creation."""
    return encode_cursor(row.created_at, row.purchase_order_id)


E = TypeVar("E", QuoteStatus, OrderStatus, PurchaseOrderStatus)


def check_statuses(kind: type[E], statuses: Collection[E]) -> frozenset[E]:
    """``statuses`` as members of ``kind``; ValidationError for anything else."""
    try:
        return frozenset(kind(s) for s in statuses)
    except (TypeError, ValueError):
        raise ValidationError(f"not {kind.__name__} values: {statuses!r}") from None


def check_column(column: Column) -> Column:
    """``column`` as a :class:`Column`; ValidationError for anything else."""
    try:
        return Column(column)
    except ValueError:
        raise ValidationError(f"not a board column: {column!r}") from None


def check_reseller(reseller_id: str) -> str:
    """``reseller_id`` if it is a non-empty string; every read names its reseller."""
    if not isinstance(reseller_id, str) or not reseller_id:
        raise ValidationError(f"reseller_id must be a non-empty string, not {reseller_id!r}")
    return reseller_id


# -- read rows: what a store keeps beside each aggregate --------------------------------


def customer_label(quote_or_order: Quote | Order) -> str:
    """The name a list shows for the customer: the company, or the contact's name."""
    customer = quote_or_order.customer
    return customer.company or customer.name


def search_text(*parts: str | None) -> str:
    """The text a :class:`ReadFilter` searches: the parts, case-folded, one per line."""
    return "\n".join(part.casefold() for part in parts if part)


#: Amounts beyond this many minor units are summed in Python, not by the database: any
#: 900,000 of them still sum within a 64-bit integer.
MINOR_LIMIT = 10**13


def to_minor(amount: Money) -> int | None:
    """``amount`` in its currency's minor unit, or None beyond :data:`MINOR_LIMIT` (or
    for an amount finer than the minor unit, which a rounded total never is)."""
    scaled = amount.amount.scaleb(minor_unit(amount.currency))
    if scaled != scaled.to_integral_value() or abs(scaled) >= MINOR_LIMIT:
        return None
    return int(scaled)


def from_minor(value: int, currency: str) -> Money:
    """The amount of ``value`` minor units of ``currency``."""
    return Money(Decimal(value).scaleb(-minor_unit(currency)), currency)


def quote_activity(quote: Quote) -> datetime:
    """The latest time recorded on ``quote`` (creation, or the latest version's)."""
    latest = quote.latest
    return max(t for t in (quote.created_at, latest.created_at, latest.sent_at) if t is not None)


def order_activity(order: Order) -> datetime:
    """The latest time recorded on ``order``."""
    times = (order.created_at, order.confirmed_at, order.completed_at, order.invoiced_at)
    return max(t for t in (*times, order.rejected_at) if t is not None)


def card_activity(quote: Quote, order: Order | None) -> datetime:
    """The latest time recorded on ``quote`` or ``order`` (its current order, if any)."""
    activity = quote_activity(quote)
    return activity if order is None else max(activity, order_activity(order))


def quote_summary(quote: Quote, activity_at: datetime) -> QuoteSummary:
    """The list row of ``quote``."""
    latest = quote.latest
    totals = latest.totals(quote.currency)
    return QuoteSummary(
        quote_id=quote.quote_id,
        reseller_id=quote.reseller_id,
        number=quote.number,
        customer_id=quote.customer.customer_id,
        customer=customer_label(quote),
        title=latest.title,
        version=latest.number,
        status=quote.status,
        net=totals.net,
        gross=totals.gross,
        valid_until=latest.valid_until,
        order_id=quote.order_id,
        created_at=quote.created_at,
        activity_at=activity_at,
    )


def order_summary(order: Order, quote: Quote | None, activity_at: datetime) -> OrderSummary:
    """The list row of ``order``; ``quote`` (its quote) gives the number and title."""
    totals = order.totals
    title = ""
    if quote is not None and order.quote_version <= len(quote.versions):
        title = quote.version(order.quote_version).title
    return OrderSummary(
        order_id=order.order_id,
        reseller_id=order.reseller_id,
        order_number=order.order_number,
        quote_id=order.quote_id,
        quote_number="" if quote is None else quote.number,
        quote_version=order.quote_version,
        customer_id=order.customer.customer_id,
        customer=customer_label(order),
        title=title,
        status=order.status,
        net=totals.net,
        gross=totals.gross,
        created_at=order.created_at,
        activity_at=activity_at,
    )


def purchase_order_summary(purchase_order: PurchaseOrder) -> PurchaseOrderSummary:
    """The list row of ``purchase_order``."""
    return PurchaseOrderSummary(
        purchase_order_id=purchase_order.purchase_order_id,
        reseller_id=purchase_order.reseller_id,
        number=purchase_order.number,
        supplier_id=purchase_order.supplier_id,
        partner=purchase_order.partner,
        status=purchase_order.status,
        total=purchase_order.total,
        lines=len(purchase_order.lines),
        created_at=purchase_order.created_at,
        sent_at=purchase_order.sent_at,
        received_at=purchase_order.received_at,
        cancelled_at=purchase_order.cancelled_at,
    )


def card_summary(quote: Quote, order: Order | None, activity_at: datetime) -> CardSummary:
    """The card of ``quote``; ``order`` is its current order while the quote is won."""
    if order is not None and order.status in _ORDER_COLUMNS:
        return CardSummary(
            card_id=quote.quote_id,
            reseller_id=quote.reseller_id,
            column=_ORDER_COLUMNS[order.status],
            state=order.status.value,
            quote_id=quote.quote_id,
            quote_number=quote.number,
            order_id=order.order_id,
            order_number=order.order_number,
            customer_id=quote.customer.customer_id,
            customer=customer_label(quote),
            title=quote.version(order.quote_version).title,
            version=order.quote_version,
            total=order.totals.net,
            created_at=quote.created_at,
            activity_at=activity_at,
        )
    return CardSummary(
        card_id=quote.quote_id,
        reseller_id=quote.reseller_id,
        column=_QUOTE_COLUMNS[quote.status],
        state=quote.status.value,
        quote_id=quote.quote_id,
        quote_number=quote.number,
        order_id=None,
        order_number=None,
        customer_id=quote.customer.customer_id,
        customer=customer_label(quote),
        title=quote.latest.title,
        version=quote.latest.number,
        total=quote.latest.totals(quote.currency).net,
        created_at=quote.created_at,
        activity_at=activity_at,
    )


def card_search(card: CardSummary) -> str:
    """The searchable text of a card."""
    return search_text(card.quote_number, card.order_number, card.title, card.customer)


def order_search(order: OrderSummary) -> str:
    """The searchable text of an order's list row."""
    return search_text(order.order_number, order.quote_number, order.title, order.customer)


def sums(amounts: Collection[Money]) -> tuple[Money, ...]:
    """The sum of ``amounts`` per currency, sorted by currency."""
    per_currency: dict[str, Money] = {}
    for amount in amounts:
        previous = per_currency.get(amount.currency, Money.zero(amount.currency))
        per_currency[amount.currency] = previous + amount
    return tuple(per_currency[c] for c in sorted(per_currency))
