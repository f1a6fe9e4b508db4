"""At-least-once delivery under failures: a flaky SMTP server, crashes, two dispatchers."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from datetime import timedelta

from quote2order.adapters.smtp import SmtpNotifier
from quote2order.notifications import (
    Backoff,
    Dispatcher,
    Message,
    Notification,
    NotificationSettings,
)
from quote2order.ports import OutboxEntry, OutboxStatus
from quote2order.testing import RecordingNotifier

from ._smtp import Inbox, smtp_server
from .conftest import World

MESSAGES = 1_000


def _world_with_entries(count: int) -> World:
    """A confirmed order's document and ``count`` e-mail entries pointing at it."""
    world = World(NotificationSettings.only(Notification.ORDER_CONFIRMATION, channels=[]))
    order = world.order()
    world.service.confirm_order(order.order_id)
    (document,) = [d for d in world.documents().values() if d.kind == "order_confirmation"]
    with world.store.unit_of_work() as uow:
        for number in range(count):
            uow.outbox.add(
                OutboxEntry(
                    entry_id=f"chaos-{number:04d}",
                    reseller_id=order.reseller_id,
                    notification="order_confirmation",
                    channel="email",
                    aggregate_kind="order",
                    aggregate_id=order.order_id,
                    recipient=f"kunde{number}@example.com",
                    locale="de_DE",
                    payload={"document_id": document.document_id, "kind": document.kind},
                    created_at=world.clock.now(),
                )
            )
        uow.commit()
    return world


class SimulatedCrash(BaseException):
    """The dispatcher's process dies: nothing after this line runs (not an Exception)."""


class CrashAfterSend:
    """Delivers, then 'crashes' for chosen entries the first time they are sent."""

    def __init__(self, inner: SmtpNotifier, crash_on: set[str]) -> None:
        self._inner = inner
        self._pending = set(crash_on)

    def send(self, message: Message) -> None:
        self._inner.send(message)
        if message.entry_id in self._pending:
            self._pending.discard(message.entry_id)
            raise SimulatedCrash(message.entry_id)


def test_a_thousand_messages_through_a_flaky_smtp_server_all_arrive_duplicates_only_after_crashes() -> (
    None
):
    world = _world_with_entries(MESSAGES)
    crash_on = {f"chaos-{n:04d}" for n in random.Random(3).sample(range(MESSAGES), 8)}
    inbox = Inbox(failure_rate=0.3, seed=11)
    with smtp_server(inbox) as (host, port):
        notifier = CrashAfterSend(SmtpNotifier(host, port, security="none", timeout=10), crash_on)

        def new_dispatcher() -> Dispatcher:
            return world.dispatcher(
                notifier,
                max_attempts=40,  # 0.3 ** 40: the server's refusals never exhaust an entry
                backoff=Backoff(base=timedelta(seconds=1), maximum=timedelta(seconds=30)),
                batch_size=50,
                seed=5,
            )

        dispatcher, crashes = new_dispatcher(), 0
        for _ in range(500):
            if not world.store.outbox_store.list(OutboxStatus.PENDING):
                break
            try:
                dispatcher.run_until_empty()
            except SimulatedCrash:
                crashes += 1
                dispatcher = new_dispatcher()  # a fresh process with a new worker name
            world.clock.advance(timedelta(minutes=6))  # past every backoff and the 5-minute lease

    assert crashes == len(crash_on)
    assert world.store.outbox_store.list(OutboxStatus.PENDING) == []
    assert world.store.outbox_store.list(OutboxStatus.FAILED) == []
    counts = Counter(inbox.message_ids())
    expected = {f"<chaos-{n:04d}@systemhaus-mueller.example>" for n in range(MESSAGES)}
    assert set(counts) == expected
    duplicates = {mid for mid, count in counts.items() if count > 1}
    assert duplicates == {f"<{entry}@systemhaus-mueller.example>" for entry in crash_on}
    assert set(Counter(counts.values())) == {1, 2}
    assert 0.2 < inbox.refused / (inbox.refused + len(inbox.received)) < 0.4


class SlowRecordingNotifier(RecordingNotifier):
    """Yields the CPU on every send so that two dispatcher threads interleave."""

    def __init__(self) -> None:
        super().__init__()
        self.by_thread: Counter[str] = Counter()

    def send(self, message: Message) -> None:
        time.sleep(0.0002)
        super().send(message)
        self.by_thread[threading.current_thread().name] += 1


def test_two_dispatchers_running_at_once_send_each_message_once() -> None:
    world = _world_with_entries(MESSAGES)
    notifier = SlowRecordingNotifier()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            dispatcher = world.dispatcher(notifier, batch_size=10)
            start.wait()
            dispatcher.run_until_empty()
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, name=f"worker-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    counts = Counter(notifier.message_ids)
    assert len(counts) == MESSAGES
    assert set(counts.values()) == {1}
    assert all(notifier.by_thread[t.name] > 0 for t in threads)
    assert {e.status for e in world.store.outbox_store.list()} == {OutboxStatus.SENT}
