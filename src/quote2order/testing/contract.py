"""The store contract: the tests every store must pass, importable by a host's own pytest.

A host that implements the ports with its own store runs the same contract the memory,
SQLite and PostgreSQL stores pass: subclass the contract classes in a test module and
give them a ``store`` fixture that returns an empty store (a unit-of-work factory with
an ``outbox_store``)::

    import pytest
    from quote2order.testing.contract import StoreContract

    class TestMyStore(StoreContract):
        @pytest.fixture
        def store(self):
            return MyStore.empty_for_tests()

``RepositoryContract`` covers the unit of work and the repositories of quotes, orders,
events, number sequences, idempotency keys, documents and the outbox;
``PurchasingContract`` carts and purchase orders; ``OutboxStoreContract`` the
dispatcher's view of the outbox; ``StoreContract`` is all three. The builders
(``make_quote``, ``make_order``, ...) make the records the tests store. This module
imports pytest: import it from tests only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from quote2order.errors import (
    AlreadyAccepted,
    ConcurrencyError,
    NotFound,
    OrderNotFound,
    PurchaseOrderNotFound,
    QuoteNotFound,
)
from quote2order.events import OrderConfirmed, OrderCreated, QuoteCreated, QuoteEdited
from quote2order.lifecycle import OrderStatus, PurchaseOrderStatus
from quote2order.money import Money, VatRate
from quote2order.orders import Order
from quote2order.ports import DocumentRecord, IdempotencyRecord, OutboxEntry, OutboxStatus
from quote2order.positions import CatalogProduct, Position, PositionKind
from quote2order.purchasing.cart import Allocation, Cart
from quote2order.purchasing.purchase_orders import PurchaseOrder, PurchaseOrderLine
from quote2order.quotes import Customer, Quote

__all__ = [
    "CUSTOMER",
    "NOW",
    "OutboxStoreContract",
    "PurchasingContract",
    "RepositoryContract",
    "StoreContract",
    "make_cart",
    "make_document",
    "make_entry",
    "make_order",
    "make_positions",
    "make_purchase_order",
    "make_quote",
]


# -- builders ----------------------------------------------------------------------

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
CUSTOMER = Customer(
    "customer-1",
    "Erika Musterfrau",
    "erika@example.com",
    company="Muster AG",
    address=("Hauptstraße 1", "10115 Berlin"),
)


def make_positions(count: int = 2) -> list[Position]:
    """``count`` positions: catalog products, every third one a free-text line."""
    positions = []
    for i in range(1, count + 1):
        if i % 3 == 0:
            positions.append(
                Position(
                    f"pos-{i}",
                    PositionKind.FREE_TEXT,
                    f"Installation {i}",
                    Decimal("1.5"),
                    Money("95.00", "EUR"),
                    VatRate("19"),
                    description="vor Ort",
                )
            )
        else:
            positions.append(
                Position(
                    f"pos-{i}",
                    PositionKind.CATALOG,
                    f"Notebook {i}",
                    Decimal(i),
                    Money("1299.9900", "EUR"),
                    VatRate("19"),
                    discount=Decimal("2.5"),
                    product=CatalogProduct(
                        f"prod-{i}", f"MPN-{i}", f"Notebook {i}", Money("1100.00", "EUR")
                    ),
                )
            )
    return positions


def make_quote(
    quote_id: str = "quote-1",
    *,
    reseller_id: str = "reseller-1",
    token_hash: str | None = None,
    positions: int = 2,
) -> Quote:
    """A draft quote (version 1) with ``positions`` positions."""
    quote, _ = Quote.create(
        quote_id=quote_id,
        reseller_id=reseller_id,
        customer=CUSTOMER,
        currency="EUR",
        link_token_hash=token_hash or f"hash-of-{quote_id}",
        title="Arbeitsplätze 2026",
        positions=make_positions(positions),
        valid_until=date(2026, 2, 28),
        now=NOW,
        actor="reseller",
    )
    return quote


def make_order(
    quote: Quote | None = None, order_id: str = "order-1", *, quote_id: str = "quote-1"
) -> Order:
    """The order of ``quote``'s latest version (a fresh sent-and-won quote if None)."""
    if quote is None:
        quote = make_quote(quote_id)
    order, _ = Order.from_quote(
        quote, order_id=order_id, order_number=f"AB-{order_id}", now=NOW, actor="customer"
    )
    return order


def make_entry(entry_id: str = "entry-1", **changes: Any) -> OutboxEntry:
    """A pending outbox entry for an order confirmation."""
    values: dict[str, Any] = {
        "entry_id": entry_id,
        "reseller_id": "reseller-1",
        "notification": "order_confirmation",
        "channel": "email",
        "aggregate_kind": "order",
        "aggregate_id": "order-1",
        "recipient": "erika@example.com",
        "locale": "de_DE",
        "payload": {"order_number": "AB-2026-00001", "lines": [1, 2], "note": "Grüße"},
        "created_at": NOW,
    }
    values.update(changes)
    return OutboxEntry(**values)


def make_document(
    document_id: str = "doc-1", aggregate_id: str = "order-1", kind: str = "order_confirmation"
) -> DocumentRecord:
    """A document record of an order."""
    return DocumentRecord(
        document_id=document_id,
        kind=kind,
        aggregate_kind="order",
        aggregate_id=aggregate_id,
        number=f"N-{document_id}",
        locale="de_DE",
        snapshot={"total": "1234.56", "positions": [{"name": "Notebook"}]},
        created_at=NOW,
    )


def make_cart(reseller_id: str = "reseller-1", order_id: str = "order-1") -> Cart:
    """A cart holding the catalog positions of ``make_positions(5)`` for ``order_id``."""
    cart = Cart(reseller_id)
    catalog = [p for p in make_positions(5) if p.procurable]
    cart.add(order_id, [(p, p.quantity) for p in catalog])
    return cart


def make_purchase_order(
    purchase_order_id: str = "po-1",
    *,
    reseller_id: str = "reseller-1",
    supplier_id: str = "alpha",
    order_id: str = "order-1",
) -> PurchaseOrder:
    """A draft purchase order with two lines serving positions of ``order_id``."""
    product = CatalogProduct("prod-1", "MPN-1", "Notebook 1", Money("1100.00", "EUR"))
    lines = (
        PurchaseOrderLine(
            "1",
            "L1",
            product,
            Decimal(3),
            Money("1099.9900", "EUR"),
            (Allocation(order_id, "pos-1", Decimal(1)), Allocation("order-2", "pos-4", Decimal(2))),
            delivery_days=2,
        ),
        PurchaseOrderLine(
            "2",
            "L2",
            CatalogProduct("prod-2", "MPN-2", "Dock"),
            Decimal(2),
            Money("89.5", "EUR"),
            (Allocation(order_id, "pos-2", Decimal(2)),),
            received=Decimal(1),
        ),
    )
    return PurchaseOrder(
        purchase_order_id=purchase_order_id,
        number=f"PO-2026-{purchase_order_id}",
        reseller_id=reseller_id,
        supplier_id=supplier_id,
        partner=True,
        currency="EUR",
        lines=lines,
        shipping=Money("9.90", "EUR"),
        created_at=NOW,
        checkout_id="checkout-1",
    )


# -- helpers -----------------------------------------------------------------------


def _add_quote(store: Any, **kwargs: Any) -> Any:
    quote = make_quote(**kwargs)
    with store.unit_of_work() as uow:
        uow.quotes.add(quote)
        uow.commit()
    return quote


def _add_order(store: Any, order_id: str = "order-1", quote_id: str = "quote-1") -> Any:
    order = make_order(order_id=order_id, quote_id=quote_id)
    with store.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()
    return order


def _add_entries(store: Any, *entries: Any) -> None:
    with store.unit_of_work() as uow:
        for entry in entries:
            uow.outbox.add(entry)
        uow.commit()


LEASE = timedelta(minutes=5)


def _save_cart(store: Any, cart: Cart) -> Cart:
    with store.unit_of_work() as uow:
        uow.carts.save(cart)
        uow.commit()
    return cart


class RepositoryContract:
    """The unit of work and every repository: what a store must do, test by test."""

    def test_added_quote_loads_equal_with_revision_zero(self, store: Any) -> None:
        quote = _add_quote(store)
        with store.unit_of_work() as uow:
            loaded = uow.quotes.get("quote-1")
        assert loaded == quote
        assert loaded.revision == 0

    def test_unknown_quote_id_raises_quote_not_found(self, store: Any) -> None:
        with store.unit_of_work() as uow, pytest.raises(QuoteNotFound):
            uow.quotes.get("nope")

    def test_loads_that_name_the_reseller_find_only_that_resellers(self, store: Any) -> None:
        quote = _add_quote(store)  # of reseller-1
        order = _add_order(store)
        with store.unit_of_work() as uow:
            assert uow.quotes.get("quote-1", reseller_id="reseller-1") == quote
            assert uow.orders.get("order-1", reseller_id="reseller-1") == order
            with pytest.raises(QuoteNotFound):
                uow.quotes.get("quote-1", reseller_id="reseller-2")
            with pytest.raises(OrderNotFound):
                uow.orders.get("order-1", reseller_id="reseller-2")

    def test_idempotency_keys_are_unique_per_reseller(self, store: Any) -> None:
        first = IdempotencyRecord("key-1", "confirm_order", "f", "order-1", "reseller-1")
        second = IdempotencyRecord("key-1", "confirm_order", "g", "order-2", "reseller-2")
        with store.unit_of_work() as uow:
            uow.idempotency.add(first)
            uow.idempotency.add(second)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.idempotency.get("key-1", reseller_id="reseller-1") == first
            assert uow.idempotency.get("key-1", reseller_id="reseller-2") == second
            assert uow.idempotency.get("key-1", reseller_id="reseller-3") is None

    def test_quote_is_found_by_its_token_hash_only(self, store: Any) -> None:
        _add_quote(store, token_hash="abc123")
        with store.unit_of_work() as uow:
            assert uow.quotes.get_by_token_hash("abc123").quote_id == "quote-1"
            with pytest.raises(QuoteNotFound):
                uow.quotes.get_by_token_hash("abc124")

    def test_a_saved_quote_with_a_new_token_hash_is_found_by_the_new_hash_only(
        self, store: Any
    ) -> None:
        """A rotated link: the new hash resolves at once, the old one never again."""
        _add_quote(store, token_hash="old-hash")
        with store.unit_of_work() as uow:
            quote = uow.quotes.get("quote-1")
            quote.link_token_hash = "new-hash"
            uow.quotes.save(quote)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.quotes.get_by_token_hash("new-hash").quote_id == "quote-1"
            with pytest.raises(QuoteNotFound):
                uow.quotes.get_by_token_hash("old-hash")

    def test_quotes_list_oldest_first_and_filters_by_reseller(self, store: Any) -> None:
        for i, reseller in enumerate(["r-a", "r-b", "r-a"], start=1):
            _add_quote(store, quote_id=f"quote-{i}", reseller_id=reseller)
        with store.unit_of_work() as uow:
            assert [q.quote_id for q in uow.quotes.list()] == ["quote-1", "quote-2", "quote-3"]
            assert [q.quote_id for q in uow.quotes.list(reseller_id="r-a")] == [
                "quote-1",
                "quote-3",
            ]
            assert uow.quotes.list(reseller_id="r-z") == []

    def test_saved_quote_keeps_its_change_and_counts_the_revision(self, store: Any) -> None:
        _add_quote(store)
        with store.unit_of_work() as uow:
            quote = uow.quotes.get("quote-1")
            quote.edit(title="Neuer Titel", now=NOW, actor="reseller")
            uow.quotes.save(quote)
            uow.commit()
        assert quote.revision == 1
        with store.unit_of_work() as uow:
            loaded = uow.quotes.get("quote-1")
        assert loaded.latest.title == "Neuer Titel"
        assert loaded == quote

    def test_stale_quote_save_raises_concurrency_error_and_writes_nothing(self, store: Any) -> None:
        _add_quote(store)
        with store.unit_of_work() as slow, store.unit_of_work() as fast:
            stale = slow.quotes.get("quote-1")
            fresh = fast.quotes.get("quote-1")
            fresh.edit(title="first writer", now=NOW, actor="a")
            fast.quotes.save(fresh)
            fast.commit()

            event = stale.edit(title="second writer", now=NOW, actor="b")
            slow.quotes.save(stale)
            slow.events.append([event])
            slow.outbox.add(make_entry())
            with pytest.raises(ConcurrencyError) as caught:
                slow.commit()
        assert caught.value.object_id == "quote-1"
        assert stale.revision == 0  # a failed commit does not count
        with store.unit_of_work() as uow:
            loaded = uow.quotes.get("quote-1")
            assert loaded.latest.title == "first writer"
            assert loaded.revision == 1
            assert uow.events.for_aggregate("quote", "quote-1") == []
        assert store.outbox_store.list() == []

    def test_adding_a_quote_id_twice_raises_concurrency_error(self, store: Any) -> None:
        _add_quote(store)
        with store.unit_of_work() as uow:
            uow.quotes.add(make_quote())
            with pytest.raises(ConcurrencyError):
                uow.commit()

    def test_added_order_loads_equal_and_lists_by_reseller(self, store: Any) -> None:
        order = _add_order(store)
        with store.unit_of_work() as uow:
            assert uow.orders.get("order-1") == order
            assert uow.orders.list() == [order]
            assert uow.orders.list(reseller_id="reseller-1") == [order]
            assert uow.orders.list(reseller_id="other") == []

    def test_orders_list_by_quote_and_by_reseller_and_quote(self, store: Any) -> None:
        with store.unit_of_work() as uow:
            uow.orders.add(make_order(order_id="order-1", quote_id="quote-1"))
            uow.orders.add(make_order(order_id="order-2", quote_id="quote-2"))
            uow.commit()
        with store.unit_of_work() as uow:
            assert [o.order_id for o in uow.orders.list(quote_id="quote-2")] == ["order-2"]
            both = uow.orders.list(reseller_id="reseller-1", quote_id="quote-1")
            assert [o.order_id for o in both] == ["order-1"]
            assert uow.orders.list(reseller_id="other", quote_id="quote-1") == []
            assert uow.orders.list(quote_id="unknown") == []

    def test_unknown_order_id_raises_order_not_found(self, store: Any) -> None:
        with store.unit_of_work() as uow, pytest.raises(OrderNotFound):
            uow.orders.get("nope")

    def test_stale_order_save_raises_concurrency_error_and_writes_nothing(self, store: Any) -> None:
        _add_order(store)
        with store.unit_of_work() as first, store.unit_of_work() as second:
            a = first.orders.get("order-1")
            b = second.orders.get("order-1")
            a.confirm(now=NOW, actor="a")
            first.orders.save(a)
            first.commit()
            b.reject(reason="late", now=NOW, actor="b")
            second.orders.save(b)
            with pytest.raises(ConcurrencyError):
                second.commit()
        with store.unit_of_work() as uow:
            loaded = uow.orders.get("order-1")
        assert (loaded.status, loaded.revision, loaded.rejection_reason) == (
            OrderStatus.CONFIRMED,
            1,
            "",
        )

    def test_second_order_for_one_quote_version_raises_already_accepted(self, store: Any) -> None:
        _add_order(store, order_id="order-1")
        with store.unit_of_work() as uow:
            uow.orders.add(make_order(order_id="order-2"))
            uow.events.append([OrderConfirmed(aggregate_id="order-2", occurred_at=NOW, actor="x")])
            with pytest.raises(AlreadyAccepted) as caught:
                uow.commit()
        assert caught.value.order_id == "order-1"
        assert (caught.value.quote_id, caught.value.version) == ("quote-1", 1)
        with store.unit_of_work() as uow:
            assert [o.order_id for o in uow.orders.list()] == ["order-1"]
            assert uow.events.for_aggregate("order", "order-2") == []

    def test_orders_of_different_quote_versions_coexist(self, store: Any) -> None:
        quote = make_quote()
        _add_order(store)
        quote.versions.append(quote.latest)  # version numbers are what counts: make a "v2" order
        order = make_order(quote, "order-2")
        order.quote_version = 2
        with store.unit_of_work() as uow:
            uow.orders.add(order)
            uow.commit()
        with store.unit_of_work() as uow:
            assert len(uow.orders.list()) == 2

    def test_events_come_back_per_aggregate_in_order(self, store: Any) -> None:
        events = [
            QuoteCreated(
                aggregate_id="quote-1", occurred_at=NOW, actor="r", version=1, customer_id="c"
            ),
            OrderCreated(
                aggregate_id="order-1",
                occurred_at=NOW,
                actor="c",
                order_number="AB-1",
                quote_id="quote-1",
                quote_version=1,
            ),
            QuoteEdited(aggregate_id="quote-1", occurred_at=NOW, actor="r", version=1),
        ]
        with store.unit_of_work() as uow:
            uow.events.append(events[:2])
            uow.commit()
        with store.unit_of_work() as uow:
            uow.events.append(events[2:])
            uow.commit()
        with store.unit_of_work() as uow:
            assert list(uow.events.for_aggregate("quote", "quote-1")) == [events[0], events[2]]
            assert list(uow.events.for_aggregate("order", "order-1")) == [events[1]]
            assert list(uow.events.for_aggregate("order", "quote-1")) == []

    def test_leaving_a_unit_of_work_without_commit_discards_everything(self, store: Any) -> None:
        with store.unit_of_work() as uow:
            uow.quotes.add(make_quote())
            uow.orders.add(make_order())
            uow.events.append([OrderConfirmed(aggregate_id="order-1", occurred_at=NOW, actor="x")])
            uow.outbox.add(make_entry())
            uow.documents.add(make_document())
            uow.idempotency.add(IdempotencyRecord("key-1", "confirm_order", "f", "order-1"))
        with store.unit_of_work() as uow:
            assert uow.quotes.list() == []
            assert uow.orders.list() == []
            assert uow.events.for_aggregate("order", "order-1") == []
            assert uow.documents.for_aggregate("order", "order-1") == []
            assert uow.idempotency.get("key-1") is None
        assert store.outbox_store.list() == []

    def test_explicit_rollback_then_commit_writes_nothing(self, store: Any) -> None:
        with store.unit_of_work() as uow:
            uow.quotes.add(make_quote())
            uow.rollback()
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.quotes.list() == []

    def test_sequences_count_up_per_name_and_never_reuse_after_rollback(self, store: Any) -> None:
        with store.unit_of_work() as uow:
            assert [uow.sequences.next("order") for _ in range(3)] == [1, 2, 3]
            assert uow.sequences.next("proforma") == 1
            # no commit: the numbers are used up all the same
        with store.unit_of_work() as uow:
            assert uow.sequences.next("order") == 4
            assert uow.sequences.next("proforma") == 2

    def test_idempotency_record_is_kept_and_duplicate_key_conflicts(self, store: Any) -> None:
        record = IdempotencyRecord("key-1", "confirm_order", "fingerprint", "order-1")
        with store.unit_of_work() as uow:
            assert uow.idempotency.get("key-1") is None
            uow.idempotency.add(record)
            assert uow.idempotency.get("key-1") == record
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.idempotency.get("key-1") == record
            uow.idempotency.add(IdempotencyRecord("key-1", "confirm_order", "other", "order-2"))
            uow.quotes.add(make_quote())
            with pytest.raises(ConcurrencyError):
                uow.commit()
        with store.unit_of_work() as uow:
            assert uow.idempotency.get("key-1") == record
            assert uow.quotes.list() == []

    def test_documents_are_found_by_id_and_per_aggregate_oldest_first(self, store: Any) -> None:
        first, second = make_document("doc-1"), make_document("doc-2", kind="delivery_note")
        other = make_document("doc-3", aggregate_id="order-2")
        with store.unit_of_work() as uow:
            uow.documents.add(first)
            uow.documents.add(other)
            uow.commit()
        with store.unit_of_work() as uow:
            uow.documents.add(second)
            # staged documents are visible inside their unit of work
            assert list(uow.documents.for_aggregate("order", "order-1")) == [first, second]
            assert uow.documents.get("doc-2") == second
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.documents.get("doc-1") == first
            assert list(uow.documents.for_aggregate("order", "order-1")) == [first, second]
            assert list(uow.documents.for_aggregate("order", "order-9")) == []
            with pytest.raises(NotFound):
                uow.documents.get("doc-9")

    def test_a_document_id_stored_twice_raises_concurrency_error_and_keeps_the_first(
        self,
        store: Any,
    ) -> None:
        first = make_document("doc-1")
        with store.unit_of_work() as uow:
            uow.documents.add(first)
            uow.commit()
        with store.unit_of_work() as uow:
            uow.documents.add(make_document("doc-1", kind="delivery_note"))
            uow.outbox.add(make_entry("entry-after-the-clash"))
            with pytest.raises(ConcurrencyError):
                uow.commit()
        with store.unit_of_work() as uow:
            assert uow.documents.get("doc-1") == first
        assert store.outbox_store.list() == []

    def test_an_outbox_entry_id_stored_twice_raises_concurrency_error_and_keeps_the_first(
        self,
        store: Any,
    ) -> None:
        first = make_entry("entry-1")
        _add_entries(store, first)
        with pytest.raises(ConcurrencyError):
            _add_entries(store, make_entry("entry-1", recipient="other@example.com"))
        assert store.outbox_store.list() == [first]

    def test_outbox_entries_commit_with_the_unit_of_work(self, store: Any) -> None:
        entry = make_entry()
        _add_entries(store, entry)
        assert store.outbox_store.list() == [entry]
        assert store.outbox_store.list(OutboxStatus.PENDING) == [entry]
        assert store.outbox_store.list(OutboxStatus.SENT) == []


class OutboxStoreContract:
    """The outbox as a dispatcher sees it (``store.outbox_store``)."""

    def test_claim_leases_due_entries_oldest_first_up_to_the_limit(self, store: Any) -> None:
        _add_entries(store, *(make_entry(f"entry-{i}") for i in range(1, 5)))
        claimed = store.outbox_store.claim(worker="w1", now=NOW, lease=LEASE, limit=3)
        assert [e.entry_id for e in claimed] == ["entry-1", "entry-2", "entry-3"]
        assert {(e.claimed_by, e.claimed_until) for e in claimed} == {("w1", NOW + LEASE)}
        assert claimed[0].payload == make_entry().payload

    def test_a_leased_entry_is_not_claimed_again_until_its_lease_ends(self, store: Any) -> None:
        _add_entries(store, make_entry())
        outbox = store.outbox_store
        assert len(outbox.claim(worker="w1", now=NOW, lease=LEASE, limit=10)) == 1
        assert (
            outbox.claim(worker="w2", now=NOW + timedelta(minutes=1), lease=LEASE, limit=10) == []
        )
        again = outbox.claim(worker="w2", now=NOW + LEASE, lease=LEASE, limit=10)
        assert [e.claimed_by for e in again] == ["w2"]

    def test_an_entry_is_not_claimed_before_its_next_attempt(self, store: Any) -> None:
        _add_entries(store, make_entry(next_attempt_at=NOW + timedelta(hours=1)))
        outbox = store.outbox_store
        assert outbox.claim(worker="w", now=NOW, lease=LEASE, limit=10) == []
        assert (
            len(outbox.claim(worker="w", now=NOW + timedelta(hours=1), lease=LEASE, limit=10)) == 1
        )

    def test_mark_sent_records_delivery_and_releases_the_lease(self, store: Any) -> None:
        _add_entries(store, make_entry())
        outbox = store.outbox_store
        outbox.claim(worker="w1", now=NOW, lease=LEASE, limit=1)
        outbox.mark_sent("entry-1", worker="w1", now=NOW)
        [entry] = outbox.list(OutboxStatus.SENT)
        assert (entry.attempts, entry.claimed_by, entry.claimed_until) == (1, None, None)
        assert outbox.list(OutboxStatus.PENDING) == []
        assert outbox.claim(worker="w1", now=NOW + LEASE, lease=LEASE, limit=1) == []

    def test_mark_retry_counts_the_attempt_and_schedules_the_next(self, store: Any) -> None:
        _add_entries(store, make_entry())
        outbox = store.outbox_store
        outbox.claim(worker="w1", now=NOW, lease=LEASE, limit=1)
        later = NOW + timedelta(minutes=2)
        outbox.mark_retry("entry-1", worker="w1", error="SMTP 451", next_attempt_at=later)
        [entry] = outbox.list(OutboxStatus.PENDING)
        assert (entry.attempts, entry.last_error, entry.next_attempt_at) == (1, "SMTP 451", later)
        assert entry.claimed_by is None
        assert outbox.claim(worker="w1", now=NOW + timedelta(minutes=1), lease=LEASE, limit=1) == []
        assert len(outbox.claim(worker="w1", now=later, lease=LEASE, limit=1)) == 1

    def test_failed_entries_are_listed_and_can_be_retried(self, store: Any) -> None:
        _add_entries(store, make_entry("entry-1"), make_entry("entry-2"))
        outbox = store.outbox_store
        outbox.claim(worker="w1", now=NOW, lease=LEASE, limit=2)
        outbox.mark_failed("entry-1", worker="w1", error="550 no such user")
        [failed] = outbox.list(OutboxStatus.FAILED)
        assert (failed.entry_id, failed.attempts, failed.last_error) == (
            "entry-1",
            1,
            "550 no such user",
        )
        later = NOW + timedelta(hours=1)
        outbox.retry_failed("entry-1", now=later)
        assert outbox.list(OutboxStatus.FAILED) == []
        [entry] = [e for e in outbox.list(OutboxStatus.PENDING) if e.entry_id == "entry-1"]
        assert (entry.attempts, entry.next_attempt_at) == (0, later)

    def test_retry_failed_refuses_an_entry_that_did_not_fail(self, store: Any) -> None:
        _add_entries(store, make_entry())
        with pytest.raises(NotFound):
            store.outbox_store.retry_failed("entry-1", now=NOW)
        with pytest.raises(NotFound):
            store.outbox_store.retry_failed("entry-9", now=NOW)

    def test_only_the_claiming_worker_may_mark_an_entry(self, store: Any) -> None:
        _add_entries(store, make_entry())
        outbox = store.outbox_store
        outbox.claim(worker="w1", now=NOW, lease=LEASE, limit=1)
        with pytest.raises(ConcurrencyError):
            outbox.mark_sent("entry-1", worker="w2", now=NOW)
        [entry] = outbox.list()
        assert (entry.status, entry.attempts, entry.claimed_by) == (OutboxStatus.PENDING, 0, "w1")

    def test_marking_an_unknown_entry_raises_not_found(self, store: Any) -> None:
        outbox = store.outbox_store
        with pytest.raises(NotFound):
            outbox.mark_sent("entry-9", worker="w1", now=NOW)
        with pytest.raises(NotFound):
            outbox.mark_retry("entry-9", worker="w1", error="x", next_attempt_at=NOW)
        with pytest.raises(NotFound):
            outbox.mark_failed("entry-9", worker="w1", error="x")


class PurchasingContract:
    """Carts (one per reseller, optimistic lock) and purchase orders."""

    def test_a_reseller_without_a_cart_gets_an_empty_one_of_revision_zero(self, store: Any) -> None:
        with store.unit_of_work() as uow:
            assert uow.carts.get("reseller-9") == Cart("reseller-9")
        with store.unit_of_work() as uow:  # reading created nothing: a first save still works
            cart = uow.carts.get("reseller-9")
            uow.carts.save(cart)
            uow.commit()
        assert cart.revision == 1

    def test_saved_cart_loads_equal_and_each_save_raises_its_revision(self, store: Any) -> None:
        cart = _save_cart(store, make_cart())
        assert cart.revision == 1
        with store.unit_of_work() as uow:
            loaded = uow.carts.get("reseller-1")
        assert loaded == cart
        assert [str(a.quantity) for line in loaded.lines for a in line.allocations] == [
            "1",
            "2",
            "4",
            "5",
        ]
        assert loaded.line_counter == 4
        loaded.remove_order("order-1")
        _save_cart(store, loaded)
        with store.unit_of_work() as uow:
            again = uow.carts.get("reseller-1")
        assert (again.lines, again.line_counter, again.revision) == ((), 4, 2)
        with store.unit_of_work() as uow:
            assert uow.carts.get("reseller-2") == Cart("reseller-2")

    def test_a_cart_saved_in_the_unit_of_work_is_what_get_returns_there(self, store: Any) -> None:
        cart = make_cart()
        with store.unit_of_work() as uow:
            uow.carts.save(cart)
            assert uow.carts.get("reseller-1") is cart

    @pytest.mark.parametrize("stored_first", [False, True], ids=["new-cart", "stored-cart"])
    def test_stale_cart_save_raises_concurrency_error_and_writes_nothing(
        self, store: Any, stored_first: bool
    ) -> None:
        if stored_first:
            _save_cart(store, Cart("reseller-1"))
        catalog = [(p, p.quantity) for p in make_positions(2)]
        with store.unit_of_work() as slow, store.unit_of_work() as fast:
            mine, theirs = slow.carts.get("reseller-1"), fast.carts.get("reseller-1")
            theirs.add("order-2", catalog)
            fast.carts.save(theirs)
            fast.commit()  # the first writer wins
            mine.add("order-1", catalog)
            slow.carts.save(mine)
            slow.quotes.add(make_quote("quote-lost"))
            with pytest.raises(ConcurrencyError):
                slow.commit()
        with store.unit_of_work() as uow:
            stored = uow.carts.get("reseller-1")
            with pytest.raises(QuoteNotFound):
                uow.quotes.get("quote-lost")
        assert stored == theirs
        assert stored.revision == (2 if stored_first else 1)
        assert mine.revision == (1 if stored_first else 0)

    def test_a_changed_cart_stores_its_changed_removed_and_new_lines_in_order(
        self, store: Any
    ) -> None:
        _save_cart(store, make_cart())  # lines L1-L4
        extra = make_positions(7)[-1]
        with store.unit_of_work() as uow:
            cart = uow.carts.get("reseller-1")
            cart.replace_allocations("L2", [Allocation("order-1", "pos-2", Decimal(1))])
            cart.remove_lines(["L3"])
            cart.add("order-2", [(extra, Decimal(1)), (make_positions(1)[0], Decimal(3))])
            uow.carts.save(cart)
            uow.commit()
        with store.unit_of_work() as uow:
            loaded = uow.carts.get("reseller-1")
        assert loaded == cart
        assert [line.line_id for line in loaded.lines] == ["L1", "L2", "L4", "L5"]
        assert [str(line.quantity) for line in loaded.lines] == ["4", "1", "5", "1"]
        # A cart made with its lines replaces every stored line.
        whole = Cart("reseller-1", loaded.lines[2:], 9, revision=loaded.revision)
        _save_cart(store, whole)
        with store.unit_of_work() as uow:
            assert uow.carts.get("reseller-1") == whole

    def test_changes_to_different_lines_of_one_cart_conflict(self, store: Any) -> None:
        """Two commands on one cart never both win, even when they change other lines."""
        _save_cart(store, make_cart())
        with store.unit_of_work() as slow, store.unit_of_work() as fast:
            mine, theirs = slow.carts.get("reseller-1"), fast.carts.get("reseller-1")
            theirs.remove_lines(["L1"])
            fast.carts.save(theirs)
            fast.commit()
            mine.replace_allocations("L2", [Allocation("order-1", "pos-2", Decimal(1))])
            slow.carts.save(mine)
            with pytest.raises(ConcurrencyError):
                slow.commit()
        with store.unit_of_work() as uow:
            stored = uow.carts.get("reseller-1")
        assert stored == theirs
        assert [line.line_id for line in stored.lines] == ["L2", "L3", "L4"]
        assert stored.line("L2") == make_cart().line("L2")

    def test_purchase_orders_are_added_got_saved_and_listed_oldest_first(self, store: Any) -> None:
        first = make_purchase_order("po-2", supplier_id="beta")
        second = make_purchase_order("po-1")
        other = make_purchase_order("po-3", reseller_id="reseller-2")
        with store.unit_of_work() as uow:
            for purchase_order in (first, second, other):
                uow.purchase_orders.add(purchase_order)
            assert uow.purchase_orders.get("po-1") is second  # staged: the same object
            uow.commit()
        with store.unit_of_work() as uow:
            loaded = uow.purchase_orders.get("po-1")
            assert loaded == second
            assert loaded.revision == 0
            assert str(loaded.lines[0].unit_price.amount) == "1099.9900"
            listed = uow.purchase_orders.list(reseller_id="reseller-1")
            assert [p.purchase_order_id for p in listed] == ["po-2", "po-1"]
            everything = uow.purchase_orders.list()
            assert [p.purchase_order_id for p in everything] == ["po-2", "po-1", "po-3"]
            loaded.send(now=NOW, actor="reseller")
            uow.purchase_orders.save(loaded)
            uow.commit()
        assert loaded.revision == 1
        with store.unit_of_work() as uow:
            sent = uow.purchase_orders.get("po-1")
            assert sent == loaded
            assert uow.purchase_orders.list(reseller_id="reseller-9") == []
            with pytest.raises(PurchaseOrderNotFound):
                uow.purchase_orders.get("po-9")

    def test_stale_purchase_order_save_raises_concurrency_error_and_writes_nothing(
        self,
        store: Any,
    ) -> None:
        with store.unit_of_work() as uow:
            uow.purchase_orders.add(make_purchase_order())
            uow.commit()
        with store.unit_of_work() as slow, store.unit_of_work() as fast:
            mine, theirs = slow.purchase_orders.get("po-1"), fast.purchase_orders.get("po-1")
            theirs.send(now=NOW, actor="clerk")
            fast.purchase_orders.save(theirs)
            fast.commit()
            mine.cancel(now=NOW, actor="manager")
            slow.purchase_orders.save(mine)
            slow.carts.save(make_cart())
            with pytest.raises(ConcurrencyError):
                slow.commit()
        with store.unit_of_work() as uow:
            stored = uow.purchase_orders.get("po-1")
            assert uow.carts.get("reseller-1") == Cart("reseller-1")
        assert (stored.status, stored.revision) == (PurchaseOrderStatus.SENT, 1)

    def test_a_second_purchase_order_with_the_same_id_is_a_concurrency_error(
        self, store: Any
    ) -> None:
        with store.unit_of_work() as uow:
            uow.purchase_orders.add(make_purchase_order())
            uow.commit()
        with store.unit_of_work() as uow:
            uow.purchase_orders.add(make_purchase_order(supplier_id="beta"))
            with pytest.raises(ConcurrencyError):
                uow.commit()
        with store.unit_of_work() as uow:
            assert [p.supplier_id for p in uow.purchase_orders.list()] == ["alpha"]

    def test_rollback_discards_staged_carts_and_purchase_orders(self, store: Any) -> None:
        with store.unit_of_work() as uow:  # leaving without commit
            uow.carts.save(make_cart())
            uow.purchase_orders.add(make_purchase_order())
        with store.unit_of_work() as uow:
            uow.carts.save(make_cart())
            uow.purchase_orders.add(make_purchase_order())
            uow.rollback()
            uow.quotes.add(make_quote())
            uow.commit()  # commits the quote only
        with store.unit_of_work() as uow:
            assert uow.carts.get("reseller-1") == Cart("reseller-1")
            assert uow.purchase_orders.list() == []
            with pytest.raises(PurchaseOrderNotFound):
                uow.purchase_orders.get("po-1")
            assert uow.quotes.get("quote-1").revision == 0


class StoreContract(RepositoryContract, PurchasingContract, OutboxStoreContract):
    """The whole store contract: repositories, purchasing and the outbox store."""
