"""The read side of a SQL store: :class:`~quote2order.queries.ReadQueries` in plain SQL.

Every statement names the reseller (but the expiry job's question across resellers),
reads only the read columns (never a body), is served by an index of migration 0005, and
returns at most one page. Counts and sums per board column come from ``board_totals``
(kept by triggers on ``quotes``, so an unfiltered board costs the same at any history),
or from one ``GROUP BY`` over a filtered board's rows; pages from a keyset
``(activity_at, id) < (?, ?)`` instead of an offset.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from quote2order.errors import OrderNotFound, QuoteNotFound
from quote2order.lifecycle import OrderStatus, PurchaseOrderStatus, QuoteStatus
from quote2order.money import Money
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
    check_column,
    check_page_size,
    check_reseller,
    check_statuses,
    created_cursor,
    decode_cursor,
    encode_cursor,
    from_minor,
    next_page,
)

if TYPE_CHECKING:
    from quote2order.adapters._sql.store import SqlStore

__all__ = ["SqlQueries"]

E = TypeVar("E", QuoteStatus, OrderStatus, PurchaseOrderStatus)

_CARD = (
    "quote_id, reseller_id, board_column, card_state, number, order_id, card_order_number, "
    "customer_id, customer_name, card_title, card_version, currency, card_net, "
    "created_at, activity_at"
)
_QUOTE = (
    "quote_id, reseller_id, number, customer_id, customer_name, title, version, status, "
    "currency, net, gross, valid_until, order_id, created_at, activity_at"
)
_ORDER = (
    "order_id, reseller_id, order_number, quote_id, quote_number, quote_version, "
    "customer_id, customer_name, title, status, currency, net, gross, "
    "created_at, activity_at"
)

_PURCHASE_ORDER = (
    "purchase_order_id, reseller_id, number, supplier_id, partner, status, currency, total, "
    "line_count, created_at, sent_at, received_at, cancelled_at"
)

#: The shortest text a trigram index can find; shorter ones are a LIKE over the rows.
TRIGRAM = 3
#: A trigram in this many rows or more is common: not worth reading its rows alone.
COMMON = 5000
#: How many of a text's rarest trigrams the search looks up (see SqlQueries._match).
RAREST = 3
#: A text board of at most this many cards reads all its first pages in one statement.
FEW = 5000
#: Texts with more distinct trigrams than this are looked up as one phrase, uncounted.
MAX_PROBED = 64


def _phrase(text: str) -> str:
    """``text`` as one FTS5 phrase (with the trigram tokenizer: rows containing it)."""
    return '"' + text.replace('"', '""') + '"'


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere (its wildcards taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _status_in(kind: type[E], statuses: Collection[E], params: list[Any]) -> str:
    """`` AND status IN (...)`` for ``statuses`` (nothing for none), adding its parameters."""
    wanted = sorted(s.value for s in check_statuses(kind, statuses))
    params += wanted
    return f" AND status IN ({', '.join('?' for _ in wanted)})" if wanted else ""


class SqlQueries:
    """The read queries of one :class:`~quote2order.adapters._sql.SqlStore`."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._dialect = store._dialect

    # -- plumbing ------------------------------------------------------------------------

    def _where(self, table: str, reseller_id: str, filter: ReadFilter) -> tuple[str, list[Any]]:
        """``FROM ... WHERE ...`` of a filtered read of ``table``, and its parameters.

        A text of :data:`TRIGRAM` characters or more is found, on SQLite, through the
        trigram table ``<table>_search``, whose rows the read joins first (CROSS JOIN keeps
        that order); the LIKE then checks each candidate, so the answer is the LIKE's. On
        PostgreSQL the LIKE itself is served by the search column's trigram index.
        """
        d = self._dialect
        source, params = table, []
        text = filter.text
        match = None
        if text is not None and d.search_tables and len(text) >= TRIGRAM:
            match = self._match(table, text)
        if match is not None:
            source = (
                f"(SELECT rowid AS hit FROM {table}_search WHERE {table}_search MATCH ?) "
                f"AS hits CROSS JOIN {table} INDEXED BY {table}_search_reseller "
                f"ON {table}.seq = hits.hit"
            )
            params.append(match)
        clauses = ["reseller_id = ?"]
        params.append(check_reseller(reseller_id))
        if filter.customer_id is not None:
            clauses.append("customer_id = ?")
            params.append(filter.customer_id)
        if filter.created_from is not None:
            clauses.append("created_at >= ?")
            params.append(d.timestamp(filter.created_from))
        if filter.created_until is not None:
            clauses.append("created_at < ?")
            params.append(d.timestamp(filter.created_until))
        if text is not None:
            clauses.append("search LIKE ? ESCAPE '\\'")
            params.append(_like(text))
        return f"{source} WHERE {' AND '.join(clauses)}", params

    def _match(self, table: str, text: str) -> str | None:
        """The FTS5 query that finds the candidates for ``text`` in ``<table>_search``, or
        None where the index would not help.

        The whole phrase reads the row list of each of its trigrams, and common ones (the
        "gmb" of every "GmbH") hold most rows of the table. So the search first counts, in
        one statement and up to :data:`COMMON` each, the rows of every trigram of the text,
        and asks for the rows holding its :data:`RAREST` rarest ones: a superset of the
        rows that contain the text, which the LIKE then narrows down to them. A text whose
        trigrams are all common matches many rows anyway: it is a LIKE over the reseller's
        rows, whose pages stop at their first rows found.
        """
        grams = sorted({text[i : i + TRIGRAM] for i in range(len(text) - TRIGRAM + 1)})
        if len(grams) > MAX_PROBED:
            return _phrase(text)
        probe = " UNION ALL ".join(
            f"SELECT ?, count(*) FROM (SELECT 1 FROM {table}_search "
            f"WHERE {table}_search MATCH ? LIMIT {COMMON})"
            for _ in grams
        )
        counts = self._rows(probe, [x for gram in grams for x in (gram, _phrase(gram))])
        rare = sorted((count, gram) for gram, count in counts if count < COMMON)[:RAREST]
        if not rare:
            return None
        return " AND ".join(_phrase(gram) for _, gram in rare)

    def _after(self, after: str | None, id_column: str) -> tuple[str, list[Any]]:
        if after is None:
            return "", []
        moment, object_id = decode_cursor(after)
        return (
            f" AND (activity_at, {id_column}) < (?, ?)",
            [self._dialect.timestamp(moment), object_id],  # type: ignore[arg-type]
        )

    def _rows(self, sql: str, params: Sequence[Any]) -> list[Any]:
        return self._store._fetchall(self._store._p(sql), params)

    def _page(self, rows: list[Any], page_size: int, make: Any) -> Page[Any]:
        return next_page([make(row) for row in rows], page_size, activity_cursor)

    # -- rows ----------------------------------------------------------------------------

    def _times(self, row: Any) -> tuple[datetime, datetime]:
        """The creation and activity times that end every list row (never NULL)."""
        created_at = self._dialect.parse_timestamp(row[13])
        activity_at = self._dialect.parse_timestamp(row[14])
        assert created_at is not None
        assert activity_at is not None
        return created_at, activity_at

    def _card(self, row: Any) -> CardSummary:
        order_number = row[6]
        created_at, activity_at = self._times(row)
        return CardSummary(
            card_id=row[0],
            reseller_id=row[1],
            column=Column(row[2]),
            state=row[3],
            quote_id=row[0],
            quote_number=row[4],
            order_id=row[5] if order_number is not None else None,
            order_number=order_number,
            customer_id=row[7],
            customer=row[8],
            title=row[9],
            version=row[10],
            total=Money(row[12], row[11]),
            created_at=created_at,
            activity_at=activity_at,
        )

    def _quote(self, row: Any) -> QuoteSummary:
        d = self._dialect
        created_at, activity_at = self._times(row)
        return QuoteSummary(
            quote_id=row[0],
            reseller_id=row[1],
            number=row[2],
            customer_id=row[3],
            customer=row[4],
            title=row[5],
            version=row[6],
            status=QuoteStatus(row[7]),
            net=Money(row[9], row[8]),
            gross=Money(row[10], row[8]),
            valid_until=d.parse_date(row[11]),
            order_id=row[12],
            created_at=created_at,
            activity_at=activity_at,
        )

    def _order(self, row: Any) -> OrderSummary:
        created_at, activity_at = self._times(row)
        return OrderSummary(
            order_id=row[0],
            reseller_id=row[1],
            order_number=row[2],
            quote_id=row[3],
            quote_number=row[4],
            quote_version=row[5],
            customer_id=row[6],
            customer=row[7],
            title=row[8],
            status=OrderStatus(row[9]),
            net=Money(row[11], row[10]),
            gross=Money(row[12], row[10]),
            created_at=created_at,
            activity_at=activity_at,
        )

    # -- the board -----------------------------------------------------------------------

    def board(
        self, reseller_id: str, *, filter: ReadFilter = NO_FILTER, page_size: int = 25
    ) -> BoardSummary:
        check_page_size(page_size)
        source, where_params = self._where("quotes", reseller_id, filter)
        counts: dict[str, int] = {}
        sums: dict[tuple[str, str], Money] = {}
        unsummed = False  # cards whose net is too large for SQL's integer sum
        params = where_params
        if filter == NO_FILTER:
            # The whole board: the totals its triggers keep (a few rows, any history).
            sql = (
                "SELECT board_column, currency, cards, net_minor, unsummed FROM board_totals "
                "WHERE reseller_id = ? AND cards > 0"
            )
        else:
            sql = (
                "SELECT board_column, currency, count(*), sum(card_net_minor), "
                f"count(*) - count(card_net_minor) FROM {source} "
                "GROUP BY board_column, currency"
            )
        for column, currency, count, total, without in self._rows(sql, params):
            counts[column] = counts.get(column, 0) + int(count)
            sums[column, currency] = from_minor(int(total or 0), currency)
            unsummed = unsummed or without > 0
        if unsummed:
            for column, currency, net in self._rows(
                f"SELECT board_column, currency, card_net FROM {source} AND card_net_minor IS NULL",
                where_params,
            ):
                sums[column, currency] += Money(net, currency)
        totals: dict[str, list[Money]] = {}
        for (column, _currency), amount in sorted(sums.items()):
            totals.setdefault(column, []).append(amount)
        # A text the trigram index finds in a few rows: every column's first page in one
        # statement, so that the index is searched twice per board (counts, pages), not
        # once a column. (Many rows: pages of their own, which stop at their first rows.)
        indexed = sum(counts.values()) <= FEW and (
            source.startswith("(SELECT rowid AS hit")  # SQLite: its FTS5 table is used
            if self._dialect.search_tables
            else filter.text is not None and len(filter.text) >= TRIGRAM
        )
        pages = self._first_pages(source, where_params, page_size) if counts and indexed else None
        columns = []
        for column in Column:
            count = counts.get(column.value, 0)
            cards: Page[CardSummary] = Page(())
            if count and pages is not None:
                cards = next_page(pages.get(column.value, []), page_size, activity_cursor)
            elif count:
                cards = self.column_page(reseller_id, column, filter=filter, page_size=page_size)
            columns.append(ColumnSummary(column, count, tuple(totals.get(column.value, ())), cards))
        return BoardSummary(tuple(columns))

    def _first_pages(
        self, source: str, params: list[Any], page_size: int
    ) -> dict[str, list[CardSummary]]:
        """The first ``page_size`` (and one more) cards of every column of ``source``."""
        rows = self._rows(
            f"SELECT * FROM (SELECT {_CARD}, row_number() OVER (PARTITION BY board_column "
            f"ORDER BY activity_at DESC, quote_id DESC) AS place FROM {source}) AS ranked "
            "WHERE place <= ? ORDER BY board_column, place",
            [*params, page_size + 1],
        )
        pages: dict[str, list[CardSummary]] = {}
        for row in rows:
            pages.setdefault(row[2], []).append(self._card(row))
        return pages

    def column_page(
        self,
        reseller_id: str,
        column: Column,
        *,
        filter: ReadFilter = NO_FILTER,
        after: str | None = None,
        page_size: int = 25,
    ) -> Page[CardSummary]:
        check_page_size(page_size)
        source, params = self._where("quotes", reseller_id, filter)
        keyset, keys = self._after(after, "quote_id")
        rows = self._rows(
            f"SELECT {_CARD} FROM {source} AND board_column = ?{keyset} "
            "ORDER BY activity_at DESC, quote_id DESC LIMIT ?",
            [*params, check_column(column).value, *keys, page_size + 1],
        )
        return self._page(rows, page_size, self._card)

    def card(self, reseller_id: str, card_id: str) -> CardSummary:
        row = self._store._fetchone(
            self._store._p(f"SELECT {_CARD} FROM quotes WHERE reseller_id = ? AND quote_id = ?"),
            (check_reseller(reseller_id), card_id),
        )
        if row is None:
            raise QuoteNotFound(card_id)
        return self._card(row)

    # -- quotes --------------------------------------------------------------------------

    def quotes(
        self,
        reseller_id: str,
        *,
        filter: ReadFilter = NO_FILTER,
        statuses: Collection[QuoteStatus] = (),
        after: str | None = None,
        page_size: int = 50,
    ) -> Page[QuoteSummary]:
        check_page_size(page_size)
        source, params = self._where("quotes", reseller_id, filter)
        source += _status_in(QuoteStatus, statuses, params)
        keyset, keys = self._after(after, "quote_id")
        rows = self._rows(
            f"SELECT {_QUOTE} FROM {source}{keyset} "
            "ORDER BY activity_at DESC, quote_id DESC LIMIT ?",
            [*params, *keys, page_size + 1],
        )
        return self._page(rows, page_size, self._quote)

    def quote_by_number(self, reseller_id: str, number: str) -> QuoteSummary:
        row = self._store._fetchone(
            self._store._p(f"SELECT {_QUOTE} FROM quotes WHERE reseller_id = ? AND number = ?"),
            (check_reseller(reseller_id), number),
        )
        if row is None:
            raise QuoteNotFound(number)
        return self._quote(row)

    def quotes_due_for_expiry(
        self,
        *,
        today: date,
        reseller_id: str | None = None,
        after: str | None = None,
        page_size: int = 500,
    ) -> Page[QuoteSummary]:
        check_page_size(page_size)
        d = self._dialect
        where, params = "status = 'sent' AND valid_until < ?", [d.day(today)]
        if reseller_id is not None:
            where += " AND reseller_id = ?"
            params.append(check_reseller(reseller_id))
        if after is not None:
            key, quote_id = decode_cursor(after, date)
            where += " AND (valid_until, quote_id) > (?, ?)"
            params += [d.day(key), quote_id]
        rows = self._rows(
            f"SELECT {_QUOTE} FROM quotes WHERE {where} ORDER BY valid_until, quote_id LIMIT ?",
            [*params, page_size + 1],
        )
        due = [self._quote(row) for row in rows]
        return next_page(due, page_size, lambda q: encode_cursor(q.valid_until, q.quote_id))

    # -- orders --------------------------------------------------------------------------

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
        check_page_size(page_size)
        source, params = self._where("orders", reseller_id, filter)
        source += _status_in(OrderStatus, statuses, params)
        if quote_id is not None:
            source += " AND quote_id = ?"
            params.append(quote_id)
        keyset, keys = self._after(after, "order_id")
        rows = self._rows(
            f"SELECT {_ORDER} FROM {source}{keyset} "
            "ORDER BY activity_at DESC, order_id DESC LIMIT ?",
            [*params, *keys, page_size + 1],
        )
        return self._page(rows, page_size, self._order)

    def order_by_number(self, reseller_id: str, order_number: str) -> OrderSummary:
        row = self._store._fetchone(
            self._store._p(
                f"SELECT {_ORDER} FROM orders WHERE reseller_id = ? AND order_number = ?"
            ),
            (check_reseller(reseller_id), order_number),
        )
        if row is None:
            raise OrderNotFound(order_number)
        return self._order(row)

    # -- purchase orders -----------------------------------------------------------------

    def _purchase_order(self, row: Any) -> PurchaseOrderSummary:
        d = self._dialect
        created_at = d.parse_timestamp(row[9])
        assert created_at is not None
        return PurchaseOrderSummary(
            purchase_order_id=row[0],
            reseller_id=row[1],
            number=row[2],
            supplier_id=row[3],
            partner=bool(row[4]),
            status=PurchaseOrderStatus(row[5]),
            total=Money(row[7], row[6]),
            lines=row[8],
            created_at=created_at,
            sent_at=d.parse_timestamp(row[10]),
            received_at=d.parse_timestamp(row[11]),
            cancelled_at=d.parse_timestamp(row[12]),
        )

    def purchase_orders(
        self,
        reseller_id: str,
        *,
        statuses: Collection[PurchaseOrderStatus] = (),
        supplier_id: str | None = None,
        after: str | None = None,
        page_size: int = 50,
    ) -> Page[PurchaseOrderSummary]:
        check_page_size(page_size)
        where, params = "reseller_id = ?", [check_reseller(reseller_id)]
        where += _status_in(PurchaseOrderStatus, statuses, params)
        if supplier_id is not None:
            where += " AND supplier_id = ?"
            params.append(supplier_id)
        if after is not None:
            moment, object_id = decode_cursor(after)
            where += " AND (created_at, purchase_order_id) < (?, ?)"
            params += [self._dialect.timestamp(moment), object_id]  # type: ignore[arg-type]
        rows = self._rows(
            f"SELECT {_PURCHASE_ORDER} FROM purchase_orders WHERE {where} "
            "ORDER BY created_at DESC, purchase_order_id DESC LIMIT ?",
            [*params, page_size + 1],
        )
        return next_page([self._purchase_order(r) for r in rows], page_size, created_cursor)
