"""The customer's link reaches the customer by e-mail, and is erased once sent, on every store."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from quote2order import Quote2Order, ValidationError
from quote2order.notifications import (
    Dispatcher,
    Notification,
    NotificationRecorder,
    NotificationSettings,
    StaticSellerDirectory,
    StaticSettings,
    UnitOfWorkDocuments,
)
from quote2order.notifications.sellers import Seller
from quote2order.ports import OutboxStatus
from quote2order.service import CreatedQuote
from quote2order.testing import CountingIds, FixedClock, RecordingNotifier
from quote2order.testing.contract import CUSTOMER, make_positions

LINK = "https://portal.example.com/q/{token}"
SELLER = Seller("reseller-1", "Systemhaus Nord GmbH", "auftrag@nord.example")


class _World:
    def __init__(self, store: Any, settings: NotificationSettings | None = None) -> None:
        self.store = store
        self.clock = FixedClock()
        ids = CountingIds()
        recorder = NotificationRecorder(
            StaticSettings(default=settings), StaticSellerDirectory(SELLER), ids, link_url=LINK
        )
        self.app = Quote2Order(store, clock=self.clock, ids=ids, handlers=[recorder])
        self.notifier = RecordingNotifier()

    def created(self) -> CreatedQuote:
        return self.app.create_quote(
            reseller_id="reseller-1",
            customer=CUSTOMER,
            title="Arbeitsplätze",
            positions=make_positions(2),
            valid_until=date(2026, 2, 28),
        )

    def dispatch(self, notifier: RecordingNotifier | None = None) -> None:
        Dispatcher(
            self.store.outbox_store,
            UnitOfWorkDocuments(self.store),
            notifier or self.notifier,
            clock=self.clock,
            max_attempts=1,
        ).run_until_empty()

    def stored_text(self) -> str:
        """Everything the outbox holds, as text (bodies, payloads)."""
        return repr(self.store.outbox_store.list())


def test_sending_version_1_with_its_token_mails_the_link_then_erases_it(store: Any) -> None:
    world = _World(store)
    created = world.created()
    token = created.link_token
    world.app.send_quote(created.quote.quote_id, link_token=token)
    assert token in world.stored_text()  # waiting to go out: the only place it rests

    world.dispatch()
    (message,) = world.notifier.sent
    assert f"https://portal.example.com/q/{token}" in message.text
    assert message.subject == "Ihr Angebot „Arbeitsplätze“"
    assert token not in world.stored_text()  # sent: erased
    assert [e.status for e in store.outbox_store.list()] == [OutboxStatus.SENT] * 2
    # The event log never had it.
    sent = [e for e in world.app.history("quote", created.quote.quote_id) if e.name == "QuoteSent"]
    assert sent[0].link_token == ""  # type: ignore[attr-defined]


def test_an_entry_given_up_on_loses_its_link_too(store: Any) -> None:
    world = _World(store)
    created = world.created()
    world.app.send_quote(created.quote.quote_id, link_token=created.link_token)
    world.dispatch(RecordingNotifier(fail_always=True, permanent=True))
    assert OutboxStatus.FAILED in {e.status for e in store.outbox_store.list()}
    assert created.link_token not in world.stored_text()


def test_a_token_that_is_not_the_quotes_is_refused_and_nothing_is_sent(store: Any) -> None:
    world = _World(store)
    created = world.created()
    other = world.created()
    with pytest.raises(ValidationError, match="current link token"):
        world.app.send_quote(created.quote.quote_id, link_token=other.link_token)
    assert world.app.get_quote(created.quote.quote_id).status.value == "draft"
    assert store.outbox_store.list() == []


def test_without_the_token_version_1_sends_no_mail_as_before(store: Any) -> None:
    world = _World(store)
    created = world.created()
    world.app.send_quote(created.quote.quote_id)
    assert store.outbox_store.list() == []


def test_the_notification_setting_decides_whether_the_link_mail_goes(store: Any) -> None:
    off = NotificationSettings.default().with_setting(Notification.QUOTE_VERSION, enabled=False)
    world = _World(store, off)
    created = world.created()
    world.app.send_quote(created.quote.quote_id, link_token=created.link_token)
    assert store.outbox_store.list() == []
    assert created.link_token not in repr(world.app.documents("quote", created.quote.quote_id))


def test_a_later_version_mails_the_link_when_the_host_passes_the_token(store: Any) -> None:
    world = _World(store)
    created = world.created()
    quote_id = created.quote.quote_id
    world.app.send_quote(quote_id)
    world.app.mark_quote_lost(quote_id)
    world.app.reopen_quote(quote_id)
    world.app.send_quote(quote_id, link_token=created.link_token)
    world.dispatch()
    (message,) = [m for m in world.notifier.sent if m.channel == "email"]
    assert "Version 2" in message.text
    assert created.link_token in message.text
    assert created.link_token not in world.stored_text()
