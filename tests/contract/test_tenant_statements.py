"""Shard-ready by reseller: every statement a full story runs on a SQL store names the reseller.

A table split by reseller (PostgreSQL partitions, Citus shards; docs/scaling.md) serves a
statement from one part only when the statement names the reseller id. The story runs
every kind of write and the reads the library does for it, on SQLite and PostgreSQL, and
each statement on a table of the library must name ``reseller_id`` (a column of an
INSERT, a condition of every other statement), except the short list below.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tests.stores import recorded_statements

from quote2order import (
    CatalogProduct,
    Customer,
    Money,
    Position,
    PositionKind,
    Quote2Order,
    Shipment,
    StaticOfferSource,
    SupplierOffer,
    VatRate,
)
from quote2order.adapters.sqlite import SqliteStore
from quote2order.board import Board
from quote2order.lifecycle import QuoteStatus
from quote2order.notifications import (
    Dispatcher,
    NotificationRecorder,
    StaticSellerDirectory,
    StaticSettings,
    UnitOfWorkDocuments,
)
from quote2order.notifications.sellers import Seller
from quote2order.queries import Column, ReadFilter, activity_cursor
from quote2order.testing import CountingIds, FixedClock, RecordingNotifier

RESELLER = "reseller-1"

#: The statements that do not name a reseller, on purpose (docs/scaling.md).
ALLOWED = {
    # a customer's link carries no tenant: its token's hash is unique across resellers
    "token lookup": re.compile(r"^SELECT body, revision FROM quotes WHERE token_hash = "),
    # one dispatcher serves every reseller of the database (claim(reseller_id=...) for one)
    "outbox claim across resellers": re.compile(
        r"^UPDATE outbox SET claimed_by = .* WHERE seq IN \(SELECT seq FROM outbox "
        r"(INDEXED BY outbox_due )?WHERE status = 'pending'"
    ),
}
#: SQLite only: one database file is never split by reseller, and its trigram index
#: (FTS5) has no reseller column; the probe counts how common a text's trigrams are, and
#: the read that follows joins the rarest ones' rows to the reseller's (docs/scaling.md).
SQLITE_ALLOWED = {
    "trigram frequency probe": re.compile(
        r"^SELECT \?, count\(\*\) FROM \(SELECT 1 FROM (quotes|orders)_search WHERE "
        r"(quotes|orders)_search MATCH \? LIMIT \d+\)( UNION ALL |$)"
    ),
}

_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE|JOIN)\s+(\w+)", re.IGNORECASE)
_NAMES_IN_WHERE = re.compile(r"\bWHERE\b.*\breseller_id\s*(=|IN\b)", re.IGNORECASE | re.DOTALL)
_INSERT_COLUMNS = re.compile(r"^\s*INSERT\s+INTO\s+\w+\s*\(([^)]*)\)", re.IGNORECASE)


def unscoped(statements: list[str], allowed: Iterable[re.Pattern[str]] = ()) -> list[str]:
    """The statements on the library's tables that do not name the reseller."""
    found = []
    exceptions = [*ALLOWED.values(), *allowed]
    for sql in statements:
        tables = {t.lower() for t in _TABLE.findall(sql)} - {"schema_migrations"}
        if not tables or any(p.search(sql) for p in exceptions):
            continue
        insert = _INSERT_COLUMNS.match(sql)
        if insert is not None:
            if "reseller_id" not in insert[1]:
                found.append(sql)
        elif not _NAMES_IN_WHERE.search(sql):
            found.append(sql)
    return found


def test_the_check_tells_scoped_from_unscoped_statements() -> None:
    assert (
        unscoped(
            [
                "SELECT body, revision FROM quotes WHERE reseller_id = ? AND quote_id = ?",
                "INSERT INTO events (reseller_id, aggregate_kind) VALUES (?, ?)",
                "UPDATE orders SET body = ?, revision = revision + 1 "
                "WHERE reseller_id = %s AND order_id = %s AND revision = %s",
                "SELECT body, revision FROM quotes WHERE token_hash = ? ORDER BY seq LIMIT 1",
                "SELECT version FROM schema_migrations",
                "BEGIN IMMEDIATE",
            ]
        )
        == []
    )
    bad = [
        "SELECT body, revision FROM quotes WHERE quote_id = ?",
        "INSERT INTO events (aggregate_kind, aggregate_id, name, body) VALUES (?, ?, ?, ?)",
        "UPDATE outbox SET status = ? WHERE entry_id = ? AND claimed_by = ?",
        "SELECT reseller_id FROM orders WHERE order_id = ?",  # selected, not a condition
    ]
    assert unscoped(bad) == bad


@contextmanager
def recorded(store: Any) -> Iterator[list[str]]:
    """Every SQL statement the store runs inside the block, through any of its connections."""
    statements: list[str] = []
    with recorded_statements(store) as recorded_with_params:
        try:
            yield statements
        finally:
            statements += [" ".join(sql.split()) for sql, _ in recorded_with_params]


def _story(store: Any) -> list[str]:
    """Quote, send, accept, confirm, cart, checkout, ship, invoice, dispatch: its statements."""
    clock = FixedClock()
    ids = CountingIds()
    sellers = StaticSellerDirectory(
        Seller(RESELLER, "Systemhaus Nord GmbH", "auftrag@nord.example"),
        Seller("reseller-2", "Systemhaus Süd GmbH", "auftrag@sued.example"),
    )
    recorder = NotificationRecorder(
        StaticSettings(), sellers, ids, link_url="https://p.example/{token}"
    )
    app = Quote2Order(store, clock=clock, ids=ids, handlers=[recorder])
    # Another reseller's data in the same tables, as on a shared database.
    other = app.create_quote(
        reseller_id="reseller-2",
        customer=Customer("k-2", "Kunde Zwei", "zwei@example.com"),
        title="Anderes",
        positions=[_position("p1", "other", 1)],
        valid_until=date(2026, 12, 31),
    )
    app.send_quote(other.quote.quote_id, reseller_id="reseller-2")
    offers = StaticOfferSource([SupplierOffer("supplier-1", "sku-1", Money("60.00", "EUR"), 100)])
    r = {"reseller_id": RESELLER}
    with recorded(store) as statements:
        created = app.create_quote(
            reseller_id=RESELLER,
            customer=Customer("k-1", "Kunde Eins", "eins@example.com"),
            title="Arbeitsplätze",
            positions=[_position("p1", "sku-1", 3)],
            valid_until=clock.now().date() + timedelta(days=30),
        )
        quote_id = created.quote.quote_id
        app.edit_quote(quote_id, title="Arbeitsplätze 2026", **r)
        app.send_quote(quote_id, link_token=created.link_token, **r)
        order = app.accept_quote(created.link_token, 1, idempotency_key="accept-1")
        app.confirm_order(order.order_id, idempotency_key="confirm-1", **r)
        app.add_to_cart(order.order_id, **r)
        result = app.checkout(RESELLER, offers, idempotency_key="checkout-1")
        app.checkout(RESELLER, offers, idempotency_key="checkout-1")  # a replay
        (purchase_order,) = result.purchase_orders
        app.send_purchase_order(purchase_order.purchase_order_id, **r)
        app.receive_purchase_order(purchase_order.purchase_order_id, **r)
        app.complete_order(
            order.order_id, [Shipment("DHL", "00340434161094042557")], idempotency_key="c-1", **r
        )
        app.invoice_order(order.order_id, idempotency_key="invoice-1", **r)
        app.invoice_order(order.order_id, idempotency_key="invoice-1", **r)  # a replay
        notifier = RecordingNotifier()
        Dispatcher(
            store.outbox_store, UnitOfWorkDocuments(store), notifier, clock=clock
        ).run_until_empty()
        assert notifier.sent  # mails went out, with their documents
        app.get_quote(quote_id, **r)
        app.get_order(order.order_id, **r)
        app.get_purchase_order(purchase_order.purchase_order_id, **r)
        app.history("order", order.order_id, **r)
        app.history("cart", RESELLER, **r)
        (document, *_) = app.documents("order", order.order_id, **r)
        app.get_document(document.document_id, **r)
        _reads(app, quote_id, order.order_number, clock)
    return statements


def _reads(app: Quote2Order, quote_id: str, order_number: str, clock: FixedClock) -> None:
    """The read side: board (with each filter, the indexed text search and the short
    text's plain one), its pages and cards, the lists, lookups by number, the expiry sweep."""
    board = Board(app, reseller_id=RESELLER, page_size=1)
    after = activity_cursor(app.queries.card(RESELLER, quote_id))
    since = clock.now() - timedelta(days=1)
    for filters in (
        {},
        {"customer_id": "k-1"},
        {"created_from": since, "created_until": clock.now() + timedelta(days=1)},
        {"text": "Arbeitsplätze"},
        {"text": "Ar"},
    ):
        board.view(**filters)
        board.column_page(Column.INVOICED, after, **filters)
    board.card(quote_id)
    queries = app.queries
    for text in (None, "Arbeitsplätze", "Ar"):
        flt = ReadFilter(text=text)
        queries.quotes(RESELLER, filter=flt, statuses=[QuoteStatus.WON], page_size=1)
        queries.orders(RESELLER, filter=flt, page_size=1)
    queries.purchase_orders(RESELLER, supplier_id="supplier-1", page_size=1)
    queries.quote_by_number(RESELLER, app.get_quote(quote_id, reseller_id=RESELLER).number)
    queries.order_by_number(RESELLER, order_number)
    clock.advance(timedelta(days=60))
    app.expire_quotes(reseller_id=RESELLER)


def _position(position_id: str, product_id: str, quantity: int) -> Position:
    return Position(
        position_id,
        PositionKind.CATALOG,
        f"Produkt {product_id}",
        Decimal(quantity),
        Money("100.00", "EUR"),
        VatRate("19"),
        product=CatalogProduct(product_id, f"MPN-{product_id}", f"Produkt {product_id}"),
    )


def test_every_statement_of_a_full_story_names_the_reseller(durable_reopen: Any) -> None:
    store = durable_reopen()
    statements = _story(store)
    tables = {t.lower() for sql in statements for t in _TABLE.findall(sql)}
    # the story touched every table of the library
    assert {
        "quotes",
        "orders",
        "events",
        "documents",
        "outbox",
        "sequences",
        "idempotency_keys",
        "carts",
        "cart_lines",
        "purchase_orders",
    } <= tables
    allowed = {**ALLOWED, **(SQLITE_ALLOWED if isinstance(store, SqliteStore) else {})}
    assert unscoped(statements, allowed.values()) == []
    # the allowed exceptions did run, so the list stays short and real
    assert all(any(p.search(sql) for sql in statements) for p in allowed.values())


def test_a_claim_for_one_reseller_takes_only_its_entries(store: Any) -> None:
    from quote2order.testing.contract import NOW, make_entry

    with store.unit_of_work() as uow:
        for i, reseller in enumerate(["reseller-1", "reseller-2", "reseller-1", "reseller-2"]):
            uow.outbox.add(make_entry(f"entry-{i}", reseller_id=reseller))
        uow.commit()
    outbox = store.outbox_store
    claimed = outbox.claim(
        worker="w", now=NOW, lease=timedelta(minutes=5), limit=10, reseller_id="reseller-2"
    )
    assert [e.entry_id for e in claimed] == ["entry-1", "entry-3"]
    for entry in claimed:
        outbox.mark_sent(entry.entry_id, worker="w", now=NOW)
    rest = outbox.claim(worker="w", now=NOW, lease=timedelta(minutes=5), limit=10)
    assert [e.entry_id for e in rest] == ["entry-0", "entry-2"]  # across resellers
