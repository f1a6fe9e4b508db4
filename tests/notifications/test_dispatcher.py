from datetime import timedelta

import pytest

from quote2order import OrderStatus, ValidationError
from quote2order.notifications import Backoff, Message, RenderedDocument
from quote2order.ports import DocumentRecord, OutboxStatus
from quote2order.testing import RecordingNotifier

from .conftest import World


class BrokenRenderer:
    media_type = "application/pdf"
    extension = "pdf"

    def render(self, document: DocumentRecord) -> RenderedDocument:
        raise RuntimeError("renderer exploded")


class UpperRenderer:
    media_type = "text/plain"
    extension = "txt"

    def render(self, document: DocumentRecord) -> RenderedDocument:
        return RenderedDocument("x.txt", self.media_type, document.number.encode())


def _confirmed(world: World) -> str:
    order = world.order()
    world.service.confirm_order(order.order_id)
    return order.order_id


def test_email_entries_reach_the_notifier_and_are_marked_sent(
    world: World, notifier: RecordingNotifier
) -> None:
    _confirmed(world)
    report = world.dispatcher(notifier).run_until_empty()
    assert (report.sent, report.retried, report.failed) == (2, 0, 0)
    (message,) = notifier.sent  # the portal entry needs no notifier
    assert message.subject == "Ihre Auftragsbestätigung AB-2026-00001"
    assert message.recipient_email == "erika@kunde.example"
    assert message.sender_name == "Systemhaus Müller GmbH"
    assert {e.status for e in world.store.outbox_store.list()} == {OutboxStatus.SENT}


def test_message_id_is_derived_from_the_entry_id_and_the_seller_domain(
    world: World, notifier: RecordingNotifier
) -> None:
    _confirmed(world)
    world.dispatcher(notifier).run_until_empty()
    assert notifier.message_ids == ["<outbox-1@systemhaus-mueller.example>"]


def test_a_portal_notifier_gets_portal_entries_without_attachments(world: World) -> None:
    _confirmed(world)
    mail, portal = RecordingNotifier(), RecordingNotifier()
    world.dispatcher(mail, [UpperRenderer()], portal=portal).run_until_empty()
    assert [m.channel for m in portal.sent] == ["portal"]
    assert portal.sent[0].attachments == ()
    assert [a.content for a in mail.sent[0].attachments] == [b"AB-2026-00001"]


def test_a_failed_send_is_retried_after_the_backoff(world: World) -> None:
    _confirmed(world)
    notifier = RecordingNotifier(fail_times=1)
    dispatcher = world.dispatcher(notifier, backoff=Backoff(base=timedelta(seconds=30), jitter=0))
    report = dispatcher.run_until_empty()
    assert (report.sent, report.retried) == (1, 1)  # the portal entry went, the e-mail waits
    entry = world.store.outbox_store.list()[0]
    assert entry.attempts == 1
    assert entry.next_attempt_at == world.clock.now() + timedelta(seconds=30)
    assert "told to fail" in entry.last_error
    world.clock.advance(timedelta(seconds=29))
    assert dispatcher.run_until_empty().handled == 0  # not due yet
    world.clock.advance(timedelta(seconds=1))
    assert dispatcher.run_until_empty().sent == 1
    assert len(notifier.sent) == 1


def test_backoff_grows_exponentially_up_to_its_maximum() -> None:
    backoff = Backoff(base=timedelta(seconds=10), factor=3, maximum=timedelta(minutes=5), jitter=0)
    assert [backoff.delay(n).total_seconds() for n in range(1, 6)] == [10, 30, 90, 270, 300]


def test_jitter_only_shortens_the_delay() -> None:
    import random

    backoff = Backoff(base=timedelta(seconds=100), jitter=0.5)
    delays = [backoff.delay(1, random.Random(seed)).total_seconds() for seed in range(50)]
    assert all(50 <= d <= 100 for d in delays)
    assert len(set(delays)) > 1


def test_a_message_that_always_fails_is_tried_max_attempts_times_then_failed(world: World) -> None:
    _confirmed(world)
    notifier = RecordingNotifier(fail_always=True)
    dispatcher = world.dispatcher(notifier, max_attempts=4, backoff=Backoff(jitter=0))
    for _ in range(10):
        dispatcher.run_until_empty()
        world.clock.advance(timedelta(hours=2))
    assert notifier.attempts == 4
    (failed,) = dispatcher.failed()
    assert failed.attempts == 4
    assert failed.status is OutboxStatus.FAILED


def test_a_failed_entry_can_be_retried_with_a_fresh_budget(world: World) -> None:
    _confirmed(world)
    dispatcher = world.dispatcher(RecordingNotifier(fail_always=True), max_attempts=1)
    dispatcher.run_until_empty()
    (failed,) = dispatcher.failed()
    healthy = RecordingNotifier()
    world.dispatcher(healthy).retry(failed.entry_id)
    world.dispatcher(healthy).run_until_empty()
    assert healthy.message_ids == ["<outbox-1@systemhaus-mueller.example>"]
    assert world.dispatcher(healthy).failed() == []


def test_a_permanent_delivery_error_fails_at_once(world: World) -> None:
    _confirmed(world)
    notifier = RecordingNotifier(fail_always=True, permanent=True)
    world.dispatcher(notifier, max_attempts=5).run_until_empty()
    assert notifier.attempts == 1
    assert len(world.store.outbox_store.list(OutboxStatus.FAILED)) == 1


def test_a_broken_renderer_fails_the_entry_and_leaves_the_order_untouched(
    world: World, notifier: RecordingNotifier
) -> None:
    order_id = _confirmed(world)
    before = world.service.get_order(order_id)
    dispatcher = world.dispatcher(
        notifier, [BrokenRenderer()], max_attempts=2, backoff=Backoff(jitter=0)
    )
    dispatcher.run_until_empty()
    world.clock.advance(timedelta(hours=1))
    dispatcher.run_until_empty()
    after = world.service.get_order(order_id)
    assert after == before
    assert after.status is OrderStatus.CONFIRMED
    (failed,) = dispatcher.failed()
    assert "renderer exploded" in failed.last_error
    assert notifier.sent == []


def test_a_lost_lease_is_counted_and_not_marked_by_the_old_worker(world: World) -> None:
    _confirmed(world)

    class SlowNotifier:
        """Sends, but only after another dispatcher has taken the entry over."""

        def __init__(self) -> None:
            self.sent: list[Message] = []

        def send(self, message: Message) -> None:
            world.clock.advance(timedelta(minutes=10))  # past the 5-minute lease
            world.store.outbox_store.claim(
                worker="other", now=world.clock.now(), lease=timedelta(minutes=5), limit=10
            )
            self.sent.append(message)

    report = world.dispatcher(SlowNotifier(), batch_size=1).run_once()
    assert report.lost_leases == 1
    assert world.store.outbox_store.list()[0].claimed_by == "other"


def test_invalid_dispatcher_options_are_refused(world: World, notifier: RecordingNotifier) -> None:
    with pytest.raises(ValidationError):
        world.dispatcher(notifier, max_attempts=0)
    with pytest.raises(ValidationError):
        Backoff(jitter=2)
