"""The read side (quote2order.queries) on every store: the same answers as the aggregates
give, pages that walk every row once, filters, tenant scoping, and bounded statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import attrs
import pytest
from tests.stores import recorded_statements

from quote2order import (
    ConcurrencyError,
    Customer,
    OrderNotFound,
    OrderStatus,
    Quote2Order,
    QuoteNotFound,
    QuoteStatus,
    ValidationError,
)
from quote2order._read_scan import queries_over_repositories
from quote2order.adapters.memory import MemoryStore
from quote2order.board import Board
from quote2order.ports import IdempotencyRecord
from quote2order.queries import Column, Page, ReadFilter, ReadQueries
from quote2order.testing import CountingIds, FixedClock
from quote2order.testing.contract import make_positions

CUSTOMERS = [
    Customer("cust-a", "Anna Alt", "anna@example.com", company="Alt & Söhne"),
    Customer("cust-b", "Bernd Bauer", "bernd@example.com"),
    Customer("cust-c", "Clara Chic", "clara@example.com", company="Chic 100%_Design"),
]


def _story(store: Any) -> Quote2Order:
    """Quotes of two resellers in every state, each step a minute after the last."""
    clock = FixedClock()
    app = Quote2Order(store, clock=clock, ids=CountingIds())

    def quote(i: int, reseller: str = "reseller-1", valid: int = 40) -> tuple[str, str]:
        clock.advance()
        created = app.create_quote(
            reseller_id=reseller,
            customer=CUSTOMERS[i % 3],
            title=f"Projekt {i}",
            positions=make_positions(1 + i % 3),
            valid_until=clock.now().date() + timedelta(days=valid),
        )
        return created.quote.quote_id, created.link_token

    for i in range(3):  # drafts
        quote(i)
    for i in range(3, 7):  # sent
        app.send_quote(quote(i)[0])
    due = [quote(i, valid=2)[0] for i in range(7, 10)]
    for quote_id in due:
        app.send_quote(quote_id)
    lost, _ = quote(10)
    app.send_quote(lost)
    app.mark_quote_lost(lost)
    orders = []
    for i in range(11, 17):
        quote_id, token = quote(i)
        app.send_quote(quote_id)
        clock.advance()
        orders.append(app.accept_quote(token, 1).order_id)
    clock.advance()
    app.confirm_order(orders[1])
    app.confirm_order(orders[2])
    app.complete_order(orders[2])
    app.confirm_order(orders[3])
    app.complete_order(orders[3])
    app.invoice_order(orders[3])
    app.reject_order(orders[4], reason="zu teuer")  # its quote is lost ...
    clock.advance()
    app.reopen_quote(app.get_order(orders[4]).quote_id)  # ... and reopened as version 2
    for i in range(2):  # another reseller's quotes, of the same customers
        app.send_quote(quote(20 + i, reseller="reseller-2", valid=2)[0])
    clock.advance(timedelta(days=5))  # the three "due" quotes (and reseller-2's) are past
    return app


@pytest.fixture
def app(store: Any) -> Quote2Order:
    return _story(store)


@pytest.fixture(scope="module")
def reference() -> Quote2Order:
    """The same story on a memory store, whose read rows are plain Python."""
    return _story(MemoryStore())


def _all(fetch: Any, page_size: int = 2) -> list[Any]:
    """Every item of a paged query, walking its cursors."""
    items: list[Any] = []
    after = None
    while True:
        page: Page[Any] = fetch(after=after, page_size=page_size)
        assert len(page.items) <= page_size
        items += page.items
        if page.next_cursor is None:
            return items
        after = page.next_cursor


def _board(queries: ReadQueries, **filters: Any) -> list[Any]:
    summary = queries.board("reseller-1", filter=ReadFilter(**filters), page_size=3)
    return [
        (
            c.column,
            c.count,
            c.totals,
            _all(
                lambda after, page_size, c=c: queries.column_page(
                    "reseller-1",
                    c.column,
                    filter=ReadFilter(**filters),
                    after=after,
                    page_size=page_size,
                )
            ),
        )
        for c in summary.columns
    ]


def test_the_board_equals_the_projection_of_the_aggregates(app: Quote2Order) -> None:
    """Counts, sums and every card match what the loaded quotes and orders give."""
    board = _board(app.queries)
    projected = _board(queries_over_repositories(app._uow))

    def without_times(board: list[Any]) -> list[Any]:
        return [
            (
                column,
                count,
                totals,
                sorted(
                    (attrs.evolve(c, activity_at=c.created_at) for c in cards),
                    key=lambda c: c.card_id,
                ),
            )
            for column, count, totals, cards in board
        ]

    assert without_times(board) == without_times(projected)
    counts = {column: count for column, count, _, _ in board}
    assert counts == {
        Column.DRAFT: 4,
        Column.SENT: 7,
        Column.ORDER_OPEN: 2,
        Column.CONFIRMED: 1,
        Column.IN_PROCUREMENT: 0,
        Column.PARTLY_SHIPPED: 0,
        Column.COMPLETED: 1,
        Column.INVOICED: 1,
        Column.LOST: 1,
    }


def test_every_store_answers_exactly_as_the_memory_store(
    app: Quote2Order, reference: Quote2Order
) -> None:
    """Same cards in the same order (newest activity first), same lists, same due quotes."""
    assert _board(app.queries) == _board(reference.queries)
    reopened = next(c for c in _board(app.queries) if c[0] is Column.DRAFT)[3][0]
    assert (reopened.version, reopened.order_id) == (2, None)  # newest activity first
    lists = [
        lambda q: _all(lambda **k: q.quotes("reseller-1", **k)),
        lambda q: _all(lambda **k: q.orders("reseller-1", **k)),
        lambda q: _all(lambda **k: q.quotes("reseller-1", statuses=[QuoteStatus.SENT], **k)),
        lambda q: _all(lambda **k: q.orders("reseller-1", statuses={OrderStatus.OPEN}, **k)),
        lambda q: _all(lambda **k: q.quotes_due_for_expiry(today=_today(app), **k)),
    ]
    for answer in lists:
        assert answer(app.queries) == answer(reference.queries)


def _today(app: Quote2Order) -> date:
    return app.clock.now().date()


def test_pages_walk_every_row_once_newest_activity_first(app: Quote2Order) -> None:
    quotes = _all(lambda **k: app.queries.quotes("reseller-1", **k), page_size=4)
    assert len(quotes) == len({q.quote_id for q in quotes}) == 17
    keys = [(q.activity_at, q.quote_id) for q in quotes]
    assert keys == sorted(keys, reverse=True)
    assert [q.quote_id for q in quotes] == [
        q.quote_id for q in app.queries.quotes("reseller-1", page_size=100).items
    ]


def test_filters_by_customer_created_range_text_and_status(app: Quote2Order) -> None:
    q = app.queries

    def ids(**filters: Any) -> set[str]:
        return {s.quote_id for s in _all(lambda **k: q.quotes("reseller-1", **filters, **k))}

    everything = {s.quote_id: s for s in q.quotes("reseller-1", page_size=100).items}
    by_customer = ids(filter=ReadFilter(customer_id="cust-b"))
    assert by_customer == {i for i, s in everything.items() if s.customer_id == "cust-b"}
    assert by_customer
    middle = sorted(s.created_at for s in everything.values())[5]
    assert ids(filter=ReadFilter(created_from=middle)) == {
        i for i, s in everything.items() if s.created_at >= middle
    }
    assert ids(filter=ReadFilter(created_until=middle)) == {
        i for i, s in everything.items() if s.created_at < middle
    }
    # text: part of a title, a customer name (any case), a number; wildcards are literal
    assert ids(filter=ReadFilter(text="projekt 1")) == {
        i for i, s in everything.items() if s.title.startswith("Projekt 1")
    }
    assert ids(filter=ReadFilter(text="SÖHNE")) == {
        i for i, s in everything.items() if s.customer_id == "cust-a"
    }
    assert ids(filter=ReadFilter(text="100%")) == ids(filter=ReadFilter(customer_id="cust-c"))
    assert ids(filter=ReadFilter(text="0%_d")) == ids(filter=ReadFilter(customer_id="cust-c"))
    assert ids(filter=ReadFilter(text="1_0")) == set()
    assert ids(filter=ReadFilter(text="%")) == ids(filter=ReadFilter(customer_id="cust-c"))
    order = q.orders("reseller-1", statuses=[OrderStatus.CONFIRMED], page_size=1).items[0]
    assert ids(filter=ReadFilter(text=order.order_number)) == {order.quote_id}
    rejected = q.orders("reseller-1", statuses=[OrderStatus.REJECTED]).items[0]
    assert ids(filter=ReadFilter(text=rejected.order_number)) == set()  # no longer its card
    assert ids(statuses=[QuoteStatus.DRAFT, QuoteStatus.LOST]) == {
        i for i, s in everything.items() if s.status in (QuoteStatus.DRAFT, QuoteStatus.LOST)
    }
    orders = {o.order_id: o for o in q.orders("reseller-1", page_size=100).items}
    assert len(orders) == 6
    one = next(iter(orders.values()))
    assert [o.order_id for o in q.orders("reseller-1", quote_id=one.quote_id).items] == [
        one.order_id
    ]
    assert {o.title for o in orders.values()} <= {s.title for s in everything.values()}


def test_lookups_by_number_and_card_are_scoped_by_reseller(app: Quote2Order) -> None:
    q = app.queries
    summary = q.quotes("reseller-1", page_size=1).items[0]
    assert q.quote_by_number("reseller-1", summary.number) == summary
    order = q.orders("reseller-1", page_size=1).items[0]
    assert q.order_by_number("reseller-1", order.order_number) == order
    assert q.card("reseller-1", summary.quote_id).card_id == summary.quote_id
    with pytest.raises(QuoteNotFound):
        q.quote_by_number("reseller-2", summary.number)
    with pytest.raises(OrderNotFound):
        q.order_by_number("reseller-2", order.order_number)
    with pytest.raises(QuoteNotFound):
        q.card("reseller-2", summary.quote_id)
    other = q.quotes("reseller-2", page_size=10).items
    assert {s.reseller_id for s in other} == {"reseller-2"}
    assert len(other) == 2


def test_due_quotes_are_the_sent_ones_past_validity_per_reseller_or_all(
    app: Quote2Order,
) -> None:
    today = _today(app)
    mine = _all(lambda **k: app.queries.quotes_due_for_expiry(today=today, **k))
    assert len(mine) == 3 + 2  # every reseller
    scoped = _all(
        lambda **k: app.queries.quotes_due_for_expiry(today=today, reseller_id="reseller-1", **k)
    )
    assert len(scoped) == 3
    assert all(s.status is QuoteStatus.SENT and s.valid_until < today for s in mine)
    assert app.expire_quotes(reseller_id="reseller-1") == [s.quote_id for s in scoped]
    assert app.queries.quotes_due_for_expiry(today=today, reseller_id="reseller-1").items == ()
    assert len(app.expire_quotes(page_size=1)) == 2
    lost = app.queries.board("reseller-1").columns[-1]
    assert (lost.column, lost.count) == (Column.LOST, 1 + 3)


def test_bad_arguments_are_validation_errors(app: Quote2Order) -> None:
    q = app.queries
    calls = [
        lambda: q.quotes("reseller-1", page_size=0),
        lambda: q.quotes("reseller-1", page_size=1001),
        lambda: q.quotes("reseller-1", after="nonsense"),
        lambda: q.quotes("reseller-1", after="2026-01-01T00:00:00|x"),  # no timezone
        lambda: q.quotes("reseller-1", statuses=["nonsense"]),  # type: ignore[list-item]
        lambda: q.orders("reseller-1", statuses=[QuoteStatus.DRAFT]),  # type: ignore[list-item]
        lambda: q.column_page("reseller-1", "nonsense"),  # type: ignore[arg-type]
        lambda: q.board(""),
        lambda: q.quotes_due_for_expiry(today=_today(app), after="x"),
        lambda: ReadFilter(created_from=_today(app)),  # type: ignore[arg-type]
        lambda: ReadFilter(text=3),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(ValidationError):
            call()


@contextmanager
def _recorded(store: Any) -> Iterator[list[str]]:
    """Every SQL statement the store runs inside the block."""
    statements: list[str] = []
    with recorded_statements(store) as recorded:
        yield statements
        statements += [sql for sql, _ in recorded]


@pytest.mark.parametrize("page_size", [1, 3])
@pytest.mark.parametrize("filters", [{}, {"customer_id": "cust-a"}])
def test_a_board_view_reads_no_body_and_at_most_a_page_per_column(
    durable_reopen: Any, page_size: int, filters: dict[str, str]
) -> None:
    store = durable_reopen()
    app = _story(store)
    with _recorded(store) as statements:
        view = Board(app, reseller_id="reseller-1", page_size=page_size).view(**filters)
    assert statements  # the view did run on this store
    assert not [s for s in statements if "body" in s.lower()]
    non_empty = [c for c in view.columns if c.count]
    # the counts and sums (kept totals, or one GROUP BY when filtered), one page per column
    assert len(statements) == 1 + len(non_empty)
    assert ("board_totals" in statements[0]) is not bool(filters)
    assert all("reseller_id = " in s for s in statements)
    assert all(" LIMIT " in s for s in statements[1:])
    assert all(len(c.cards) == min(c.count, page_size) for c in view.columns)


def test_sums_beyond_the_integer_column_are_still_exact(store: Any) -> None:
    """A card whose net exceeds the minor-unit column is summed from its exact text."""
    from decimal import Decimal

    from quote2order import Money, Position, PositionKind, VatRate

    app = Quote2Order(store, clock=FixedClock(), ids=CountingIds())
    huge = Position(
        "p1",
        PositionKind.FREE_TEXT,
        "Rechenzentrum",
        Decimal(3),
        Money("123456789012345.67", "EUR"),
        VatRate("19"),
    )
    for position in (huge, make_positions(1)[0]):
        created = app.create_quote(
            reseller_id="reseller-1",
            customer=CUSTOMERS[0],
            title="Groß",
            positions=[position],
            valid_until=date(2026, 12, 31),
        )
        app.send_quote(created.quote.quote_id)
    for filters in ({}, {"customer_id": "cust-a"}):
        sent = app.queries.board("reseller-1", filter=ReadFilter(**filters)).columns[1]
        assert sent.column is Column.SENT
        totals = sorted(c.total.amount for c in sent.cards.items)
        assert totals[1] == Decimal("370370367037037.01")  # beyond the integer column
        assert sent.totals == (Money(sum(totals), "EUR"),)


# -- text search through the trigram index ---------------------------------------------

# Short terms (a LIKE), terms the index finds (3+ characters), wildcards and quotes taken
# literally, case, umlauts, and a term across two searched parts (title, then customer).
TEXTS = [
    "a",
    "%",
    "_",
    "1_",
    "00",
    "projekt 1",
    "PROJEKT",
    "söhne",
    "SÖHNE",
    "100%_d",
    "0%_",
    "%_d",
    "1_0",
    '"pro',
    "alt & s",
    "3\nalt",
    "bernd bauer",
    "nowhere at all",
]


def _listed(queries: ReadQueries, kind: str, filter: ReadFilter) -> list[Any]:
    """Every quote or order (``kind``) that ``filter`` shows, a page of 2 at a time."""
    return _all(lambda **k: getattr(queries, kind)("reseller-1", filter=filter, **k))


@pytest.mark.parametrize("text", TEXTS)
def test_text_search_answers_exactly_as_the_memory_store(
    app: Quote2Order, reference: Quote2Order, text: str
) -> None:
    """Board, quote list and order list: the same rows for every text, on every store."""
    numbers = [s.number for s in reference.queries.quotes("reseller-1", page_size=100).items]
    for term in [text, numbers[0][-7:], numbers[0].upper()]:
        filter = ReadFilter(text=term)
        assert _board(app.queries, text=term) == _board(reference.queries, text=term)
        for queries in (app.queries, reference.queries):
            assert queries.quotes("reseller-1", filter=filter, page_size=2).items == (
                reference.queries.quotes("reseller-1", filter=filter, page_size=2).items
            )
        for kind in ("quotes", "orders"):
            assert _listed(app.queries, kind, filter) == _listed(reference.queries, kind, filter)
    found = {s.quote_id for s in _all(lambda **k: app.queries.quotes("reseller-1", **k))}
    assert found  # the story has quotes to search


def test_a_text_search_follows_every_change_of_the_searched_text(store: Any) -> None:
    """The index is written with the row: an edited title, a new order number, a
    rolled-back commit (which leaves the old text found)."""
    app = Quote2Order(store, clock=FixedClock(), ids=CountingIds())
    created = app.create_quote(
        reseller_id="reseller-1",
        customer=CUSTOMERS[0],
        title="Server Umzug",
        positions=make_positions(1),
        valid_until=date(2026, 12, 31),
    )
    quote_id = created.quote.quote_id

    def found(text: str) -> list[str]:
        return [
            q.quote_id for q in app.queries.quotes("reseller-1", filter=ReadFilter(text=text)).items
        ]

    assert found("umzug") == [quote_id]
    app.edit_quote(quote_id, title="Netzwerk Ausbau")
    assert (found("umzug"), found("ausbau")) == ([], [quote_id])
    with store.unit_of_work() as uow:
        uow.idempotency.add(IdempotencyRecord("key-1", "edit", "f", quote_id))
        uow.commit()
    with store.unit_of_work() as uow:  # a commit refused after the quote's row changed
        quote = uow.quotes.get(quote_id)
        quote.edit(title="Verkabelung", now=app.clock.now(), actor="reseller")
        uow.quotes.save(quote)
        uow.idempotency.add(IdempotencyRecord("key-1", "edit", "f", quote_id))
        with pytest.raises(ConcurrencyError):
            uow.commit()
    assert (found("verkabelung"), found("ausbau")) == ([], [quote_id])
    app.send_quote(quote_id)
    order = app.mark_quote_won(quote_id)
    assert found(order.order_number.lower()) == [quote_id]


def test_sqlite_finds_texts_of_three_characters_through_its_trigram_tables(
    sqlite_file_store: Any,
) -> None:
    """A text of 3+ characters is looked up in the FTS5 table first; a shorter one cannot
    be (trigrams), and stays a LIKE. The FTS5 tables match their rows exactly."""
    store = sqlite_file_store()
    app = _story(store)
    for text, indexed in [("projekt", True), ("söh", True), ("pr", False), ("%", False)]:
        with _recorded(store) as statements:
            app.queries.board("reseller-1", filter=ReadFilter(text=text))
            app.queries.quotes("reseller-1", filter=ReadFilter(text=text))
            app.queries.orders("reseller-1", filter=ReadFilter(text=text))
        searched = [s for s in statements if "_search MATCH" in s]
        assert len(searched) == (len(statements) if indexed else 0), statements
        if indexed:  # the board: its trigrams counted, its counts, every column's first page
            assert len(statements) == 3 + 2 * 2, statements
    with store._connection() as conn:
        for table in ("quotes_search", "orders_search"):
            conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')", ())
        assert conn.execute("SELECT count(*) FROM quotes_search", ()).fetchone()[0] == 19


@pytest.mark.postgres
def test_postgres_indexes_the_search_columns_with_trigrams(pg_store: Any) -> None:
    rows = _trigram_indexes(pg_store())
    assert {table for table, _ in rows} == {"quotes", "orders"}
    # scoped by reseller (btree_gin is on the test server), trigrams of the search text
    assert all("gin (reseller_id, search public.gin_trgm_ops)" in d for _, d in rows), rows


def test_the_memory_store_reads_only_the_rows_of_the_reseller_asked() -> None:
    store = MemoryStore()
    _story(store)
    mine = store._read_rows("reseller-1")
    rows = [*mine.cards, *mine.quotes, *mine.orders]
    assert {row.reseller_id for row in rows} == {"reseller-1"}
    assert (len(mine.cards), len(mine.quotes), len(mine.orders)) == (17, 17, 6)
    assert len(store._read_rows(None).quotes) == 17 + 2  # the expiry job's: every reseller
    assert store._read_rows("reseller-3").quotes == []


def _purchase_orders(store: Any) -> list[str]:
    """Purchase orders of two resellers, three suppliers and three states."""
    from quote2order.testing.contract import make_purchase_order

    made = []
    for i, supplier in enumerate(["alpha", "beta", "alpha", "gamma", "alpha"]):
        reseller = "reseller-2" if i == 4 else "reseller-1"
        po = make_purchase_order(f"po-{i}", reseller_id=reseller, supplier_id=supplier)
        po.created_at += timedelta(minutes=i % 3)  # two pairs created at the same time
        if i in (1, 2):
            po.send(now=po.created_at, actor="reseller")
        with store.unit_of_work() as uow:
            uow.purchase_orders.add(po)
            uow.commit()
        made.append(po.purchase_order_id)
    with store.unit_of_work() as uow:  # a change after creation rewrites its row
        po = uow.purchase_orders.get("po-1")
        po.cancel(now=po.created_at + timedelta(hours=1), actor="reseller")
        uow.purchase_orders.save(po)
        uow.commit()
    return made


def _listed_purchase_orders(store: Any, ask: dict[str, Any]) -> list[Any]:
    return _all(lambda **k: store.queries.purchase_orders("reseller-1", **ask, **k))


def test_purchase_order_lists_answer_as_the_memory_store(store: Any) -> None:
    from quote2order.lifecycle import PurchaseOrderStatus as S

    _purchase_orders(store)
    reference = MemoryStore()
    _purchase_orders(reference)
    asks: list[dict[str, Any]] = [
        {},
        {"statuses": [S.DRAFT]},
        {"statuses": {S.SENT, S.CANCELLED}},
        {"supplier_id": "alpha"},
        {"supplier_id": "alpha", "statuses": [S.SENT]},
        {"supplier_id": "nobody"},
    ]
    for ask in asks:
        assert _listed_purchase_orders(store, ask) == _listed_purchase_orders(reference, ask)
    every = store.queries.purchase_orders("reseller-1").items
    assert [p.purchase_order_id for p in every] == ["po-2", "po-1", "po-3", "po-0"]
    assert [p.status for p in every] == [S.SENT, S.CANCELLED, S.DRAFT, S.DRAFT]
    assert None not in (every[1].cancelled_at, every[1].sent_at)
    assert (every[0].total.currency, every[0].lines, every[0].partner) == ("EUR", 2, True)
    other = store.queries.purchase_orders("reseller-2").items
    assert [p.purchase_order_id for p in other] == ["po-4"]
    for bad in ({"page_size": 0}, {"after": "x"}, {"statuses": ["shipped"]}):
        with pytest.raises(ValidationError):
            store.queries.purchase_orders("reseller-1", **bad)
    with pytest.raises(ValidationError):
        store.queries.purchase_orders("")


def _trigram_indexes(store: Any) -> list[tuple[str, str]]:
    with store._connection() as conn:
        return [
            (row[0], row[1])
            for row in conn.execute(
                "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND indexname LIKE %s",
                ("%search_trgm",),
            ).fetchall()
        ]


@pytest.mark.postgres
def test_postgres_without_pg_trgm_searches_with_like_alone(
    pg_conninfo: str, reference: Quote2Order, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server without pg_trgm (or a user who may not create it): the migration makes no
    trigram index, and every search answers the same, by LIKE."""
    import uuid

    from quote2order.adapters import postgres

    monkeypatch.setattr(postgres, "_extension", lambda conn, name: None)
    store = postgres.PostgresStore(pg_conninfo, f"q2o_test_{uuid.uuid4().hex[:12]}")
    try:
        app = _story(store)
        assert _trigram_indexes(store) == []
        for text in ("projekt 1", "söhne", "%_d", "pr"):
            assert _board(app.queries, text=text) == _board(reference.queries, text=text)
            assert _listed(app.queries, "quotes", ReadFilter(text=text)) == (
                _listed(reference.queries, "quotes", ReadFilter(text=text))
            )
    finally:
        store.drop_schema()
        store.close()


@pytest.mark.postgres
def test_postgres_without_btree_gin_indexes_the_search_text_alone(
    pg_conninfo: str, reference: Quote2Order, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uuid

    from quote2order.adapters import postgres

    real = postgres._extension
    monkeypatch.setattr(
        postgres, "_extension", lambda conn, name: None if name == "btree_gin" else real(conn, name)
    )
    store = postgres.PostgresStore(pg_conninfo, f"q2o_test_{uuid.uuid4().hex[:12]}")
    try:
        app = _story(store)
        rows = _trigram_indexes(store)
        assert len(rows) == 2
        assert all("gin (search public.gin_trgm_ops)" in d for _, d in rows), rows
        for text in ("projekt 1", "söhne"):
            assert _board(app.queries, text=text) == _board(reference.queries, text=text)
    finally:
        store.drop_schema()
        store.close()
