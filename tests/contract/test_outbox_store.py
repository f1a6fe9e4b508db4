"""The dispatcher's outbox contract (claim, lease, mark, retry), on every store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from contract_builders import NOW, make_entry

from quote2order.errors import ConcurrencyError, NotFound
from quote2order.ports import OutboxStatus

LEASE = timedelta(minutes=5)


def _add(store: Any, *entries: Any) -> None:
    with store.unit_of_work() as uow:
        for entry in entries:
            uow.outbox.add(entry)
        uow.commit()


def test_claim_leases_due_entries_oldest_first_up_to_the_limit(store: Any) -> None:
    _add(store, *(make_entry(f"entry-{i}") for i in range(1, 5)))
    claimed = store.outbox_store.claim(worker="w1", now=NOW, lease=LEASE, limit=3)
    assert [e.entry_id for e in claimed] == ["entry-1", "entry-2", "entry-3"]
    assert {(e.claimed_by, e.claimed_until) for e in claimed} == {("w1", NOW + LEASE)}
    assert claimed[0].payload == make_entry().payload


def test_a_leased_entry_is_not_claimed_again_until_its_lease_ends(store: Any) -> None:
    _add(store, make_entry())
    outbox = store.outbox_store
    assert len(outbox.claim(worker="w1", now=NOW, lease=LEASE, limit=10)) == 1
    assert outbox.claim(worker="w2", now=NOW + timedelta(minutes=1), lease=LEASE, limit=10) == []
    again = outbox.claim(worker="w2", now=NOW + LEASE, lease=LEASE, limit=10)
    assert [e.claimed_by for e in again] == ["w2"]


def test_an_entry_is_not_claimed_before_its_next_attempt(store: Any) -> None:
    _add(store, make_entry(next_attempt_at=NOW + timedelta(hours=1)))
    outbox = store.outbox_store
    assert outbox.claim(worker="w", now=NOW, lease=LEASE, limit=10) == []
    assert len(outbox.claim(worker="w", now=NOW + timedelta(hours=1), lease=LEASE, limit=10)) == 1


def test_mark_sent_records_delivery_and_releases_the_lease(store: Any) -> None:
    _add(store, make_entry())
    outbox = store.outbox_store
    outbox.claim(worker="w1", now=NOW, lease=LEASE, limit=1)
    outbox.mark_sent("entry-1", worker="w1", now=NOW)
    [entry] = outbox.list(OutboxStatus.SENT)
    assert (entry.attempts, entry.claimed_by, entry.claimed_until) == (1, None, None)
    assert outbox.list(OutboxStatus.PENDING) == []
    assert outbox.claim(worker="w1", now=NOW + LEASE, lease=LEASE, limit=1) == []


def test_mark_retry_counts_the_attempt_and_schedules_the_next(store: Any) -> None:
    _add(store, make_entry())
    outbox = store.outbox_store
    outbox.claim(worker="w1", now=NOW, lease=LEASE, limit=1)
    later = NOW + timedelta(minutes=2)
    outbox.mark_retry("entry-1", worker="w1", error="SMTP 451", next_attempt_at=later)
    [entry] = outbox.list(OutboxStatus.PENDING)
    assert (entry.attempts, entry.last_error, entry.next_attempt_at) == (1, "SMTP 451", later)
    assert entry.claimed_by is None
    assert outbox.claim(worker="w1", now=NOW + timedelta(minutes=1), lease=LEASE, limit=1) == []
    assert len(outbox.claim(worker="w1", now=later, lease=LEASE, limit=1)) == 1


def test_failed_entries_are_listed_and_can_be_retried(store: Any) -> None:
    _add(store, make_entry("entry-1"), make_entry("entry-2"))
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


def test_retry_failed_refuses_an_entry_that_did_not_fail(store: Any) -> None:
    _add(store, make_entry())
    with pytest.raises(NotFound):
        store.outbox_store.retry_failed("entry-1", now=NOW)
    with pytest.raises(NotFound):
        store.outbox_store.retry_failed("entry-9", now=NOW)


def test_only_the_claiming_worker_may_mark_an_entry(store: Any) -> None:
    _add(store, make_entry())
    outbox = store.outbox_store
    outbox.claim(worker="w1", now=NOW, lease=LEASE, limit=1)
    with pytest.raises(ConcurrencyError):
        outbox.mark_sent("entry-1", worker="w2", now=NOW)
    [entry] = outbox.list()
    assert (entry.status, entry.attempts, entry.claimed_by) == (OutboxStatus.PENDING, 0, "w1")


def test_marking_an_unknown_entry_raises_not_found(store: Any) -> None:
    outbox = store.outbox_store
    with pytest.raises(NotFound):
        outbox.mark_sent("entry-9", worker="w1", now=NOW)
    with pytest.raises(NotFound):
        outbox.mark_retry("entry-9", worker="w1", error="x", next_attempt_at=NOW)
    with pytest.raises(NotFound):
        outbox.mark_failed("entry-9", worker="w1", error="x")
