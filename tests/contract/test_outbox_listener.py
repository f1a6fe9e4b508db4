"""PostgreSQL wakes dispatchers with LISTEN/NOTIFY when a commit queues outbox entries."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from conftest import Reopen
from quote2order.ports import OutboxEntry
from quote2order.testing import RecordingNotifier

pytestmark = pytest.mark.postgres


def _entry(number: int) -> OutboxEntry:
    now = datetime(2026, 1, 15, 9, tzinfo=UTC)
    return OutboxEntry(
        entry_id=f"wake-{number}",
        reseller_id="R-1",
        notification="order_confirmation",
        channel="portal",
        aggregate_kind="order",
        aggregate_id="order-1",
        recipient="anna@example.com",
        locale="de_DE",
        payload={"document_id": "missing"},
        created_at=now,
        next_attempt_at=now,
    )


def test_a_commit_that_queues_entries_wakes_the_listener(pg_store: Reopen) -> None:
    from quote2order.adapters.postgres import PostgresOutboxListener

    store = pg_store()
    listener = PostgresOutboxListener(store)
    try:
        assert listener.wait(0.05) is False
        with store.unit_of_work() as uow:
            uow.outbox.add(_entry(1))
            uow.rollback()  # a rolled-back unit of work notifies nobody
        assert listener.wait(0.2) is False
        with store.unit_of_work() as uow:
            uow.outbox.add(_entry(2))
            uow.commit()
        assert listener.wait(5.0) is True
    finally:
        listener.close()


def test_another_schemas_entries_do_not_wake_the_listener(
    pg_store: Reopen, pg_conninfo: str
) -> None:
    from quote2order.adapters.postgres import PostgresOutboxListener, PostgresStore

    store = pg_store()
    listener = PostgresOutboxListener(store)
    other = PostgresStore(pg_conninfo, f"{store.schema}_other")
    try:
        with other.unit_of_work() as uow:
            uow.outbox.add(_entry(3))
            uow.commit()
        assert listener.wait(0.3) is False
    finally:
        listener.close()
        other.drop_schema()
        other.close()


def test_the_loop_with_the_listener_delivers_without_polling(pg_store: Reopen) -> None:
    """The poll interval is an hour: only the notification can wake the loop in time."""
    from quote2order.adapters.postgres import PostgresOutboxListener
    from quote2order.notifications import Dispatcher, DispatchLoop, UnitOfWorkDocuments
    from quote2order.service import SystemClock

    store = pg_store()
    notifier = RecordingNotifier()
    dispatcher = Dispatcher(
        store.outbox_store, UnitOfWorkDocuments(store), notifier, clock=SystemClock()
    )
    loop = DispatchLoop(dispatcher, wakeup=PostgresOutboxListener(store), poll_interval=3600)
    thread = threading.Thread(target=loop.run)
    thread.start()
    try:
        time.sleep(0.3)  # the loop has found nothing and waits
        with store.unit_of_work() as uow:
            uow.outbox.add(_entry(4))
            uow.commit()
        deadline = time.monotonic() + 10
        while loop.counts().runs < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        loop.stop()
        thread.join(10)
    counts = loop.counts()
    assert counts.wakeups == 1
    assert counts.sent + counts.failed + counts.retried == 1  # the entry was handled
