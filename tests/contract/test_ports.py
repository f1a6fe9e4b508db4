"""The storage contract of every port, run unchanged on every store (see conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from contract_builders import NOW, make_document, make_entry, make_order, make_quote

from quote2order.errors import (
    AlreadyAccepted,
    ConcurrencyError,
    NotFound,
    OrderNotFound,
    QuoteNotFound,
)
from quote2order.events import OrderConfirmed, OrderCreated, QuoteCreated, QuoteEdited
from quote2order.lifecycle import OrderStatus
from quote2order.ports import IdempotencyRecord, OutboxStatus


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


# -- quotes ----------------------------------------------------------------------------------


def test_added_quote_loads_equal_with_revision_zero(store: Any) -> None:
    quote = _add_quote(store)
    with store.unit_of_work() as uow:
        loaded = uow.quotes.get("quote-1")
    assert loaded == quote
    assert loaded.revision == 0


def test_unknown_quote_id_raises_quote_not_found(store: Any) -> None:
    with store.unit_of_work() as uow, pytest.raises(QuoteNotFound):
        uow.quotes.get("nope")


def test_quote_is_found_by_its_token_hash_only(store: Any) -> None:
    _add_quote(store, token_hash="abc123")
    with store.unit_of_work() as uow:
        assert uow.quotes.get_by_token_hash("abc123").quote_id == "quote-1"
        with pytest.raises(QuoteNotFound):
            uow.quotes.get_by_token_hash("abc124")


def test_a_saved_quote_with_a_new_token_hash_is_found_by_the_new_hash_only(store: Any) -> None:
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


def test_quotes_list_oldest_first_and_filters_by_reseller(store: Any) -> None:
    for i, reseller in enumerate(["r-a", "r-b", "r-a"], start=1):
        _add_quote(store, quote_id=f"quote-{i}", reseller_id=reseller)
    with store.unit_of_work() as uow:
        assert [q.quote_id for q in uow.quotes.list()] == ["quote-1", "quote-2", "quote-3"]
        assert [q.quote_id for q in uow.quotes.list(reseller_id="r-a")] == ["quote-1", "quote-3"]
        assert uow.quotes.list(reseller_id="r-z") == []


def test_saved_quote_keeps_its_change_and_counts_the_revision(store: Any) -> None:
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


def test_stale_quote_save_raises_concurrency_error_and_writes_nothing(store: Any) -> None:
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


def test_adding_a_quote_id_twice_raises_concurrency_error(store: Any) -> None:
    _add_quote(store)
    with store.unit_of_work() as uow:
        uow.quotes.add(make_quote())
        with pytest.raises(ConcurrencyError):
            uow.commit()


# -- orders ----------------------------------------------------------------------------------


def test_added_order_loads_equal_and_lists_by_reseller(store: Any) -> None:
    order = _add_order(store)
    with store.unit_of_work() as uow:
        assert uow.orders.get("order-1") == order
        assert uow.orders.list() == [order]
        assert uow.orders.list(reseller_id="reseller-1") == [order]
        assert uow.orders.list(reseller_id="other") == []


def test_orders_list_by_quote_and_by_reseller_and_quote(store: Any) -> None:
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


def test_unknown_order_id_raises_order_not_found(store: Any) -> None:
    with store.unit_of_work() as uow, pytest.raises(OrderNotFound):
        uow.orders.get("nope")


def test_stale_order_save_raises_concurrency_error_and_writes_nothing(store: Any) -> None:
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


def test_second_order_for_one_quote_version_raises_already_accepted(store: Any) -> None:
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


def test_orders_of_different_quote_versions_coexist(store: Any) -> None:
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


# -- events ----------------------------------------------------------------------------------


def test_events_come_back_per_aggregate_in_order(store: Any) -> None:
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


# -- rollback --------------------------------------------------------------------------------


def test_leaving_a_unit_of_work_without_commit_discards_everything(store: Any) -> None:
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


def test_explicit_rollback_then_commit_writes_nothing(store: Any) -> None:
    with store.unit_of_work() as uow:
        uow.quotes.add(make_quote())
        uow.rollback()
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.quotes.list() == []


# -- sequences -------------------------------------------------------------------------------


def test_sequences_count_up_per_name_and_never_reuse_after_rollback(store: Any) -> None:
    with store.unit_of_work() as uow:
        assert [uow.sequences.next("order") for _ in range(3)] == [1, 2, 3]
        assert uow.sequences.next("proforma") == 1
        # no commit: the numbers are used up all the same
    with store.unit_of_work() as uow:
        assert uow.sequences.next("order") == 4
        assert uow.sequences.next("proforma") == 2


# -- idempotency -----------------------------------------------------------------------------


def test_idempotency_record_is_kept_and_duplicate_key_conflicts(store: Any) -> None:
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


# -- documents -------------------------------------------------------------------------------


def test_documents_are_found_by_id_and_per_aggregate_oldest_first(store: Any) -> None:
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


# -- outbox ----------------------------------------------------------------------------------


def test_an_outbox_entry_id_stored_twice_raises_concurrency_error_and_keeps_the_first(
    store: Any,
) -> None:
    first = make_entry("entry-1")
    _add_entries(store, first)
    with pytest.raises(ConcurrencyError):
        _add_entries(store, make_entry("entry-1", recipient="other@example.com"))
    assert store.outbox_store.list() == [first]


def _add_entries(store: Any, *entries: Any) -> None:
    with store.unit_of_work() as uow:
        for entry in entries:
            uow.outbox.add(entry)
        uow.commit()


def test_outbox_entries_commit_with_the_unit_of_work(store: Any) -> None:
    entry = make_entry()
    _add_entries(store, entry)
    assert store.outbox_store.list() == [entry]
    assert store.outbox_store.list(OutboxStatus.PENDING) == [entry]
    assert store.outbox_store.list(OutboxStatus.SENT) == []
