"""Quotes with versions: link token, draft/sent/won/lost/expired, freezing, reopening, changes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import attrs
import pytest

from quote2order import (
    CurrencyMismatch,
    Customer,
    InvalidTransition,
    Money,
    PastValidity,
    Position,
    PositionKind,
    Quote2Order,
    QuoteNotFound,
    QuoteStatus,
    ValidationError,
)
from quote2order.service import CreatedQuote, hash_link_token, new_link_token
from quote2order.testing import CountingIds, FixedClock

from .conftest import VAT19, catalog_position, eur, free_text_position, store_state

PENCIL = catalog_position("P4", "Apple Pencil 2nd Generation", 3, "119.00", "apple-pencil-2")


def test_link_token_has_256_bits_url_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    """The token comes from secrets.token_urlsafe(32): 256 bits, 43 URL-safe characters."""
    import secrets

    calls: list[int] = []
    real = secrets.token_urlsafe

    def spy(nbytes: int) -> str:
        calls.append(nbytes)
        return real(nbytes)

    monkeypatch.setattr(secrets, "token_urlsafe", spy)
    token = new_link_token()
    assert calls == [32]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert len({new_link_token() for _ in range(200)}) == 200


def test_only_the_token_hash_is_stored(
    service: Quote2Order, store: Any, make_quote: Callable[..., CreatedQuote]
) -> None:
    created = make_quote(send=True)
    token = created.link_token
    stored = service.get_quote(created.quote.quote_id)
    assert stored.link_token_hash == hash_link_token(token)
    assert token not in repr(stored)
    assert token not in repr(store_state(store))
    assert token not in repr(created.quote)


def test_the_token_is_issued_once_and_stays_the_same_for_every_version(
    service: Quote2Order, make_quote: Callable[..., CreatedQuote]
) -> None:
    created = make_quote(send=True)
    quote_id = created.quote.quote_id
    token_hash = created.quote.link_token_hash
    service.mark_quote_lost(quote_id)
    service.reopen_quote(quote_id)
    service.send_quote(quote_id)
    assert service.get_quote(quote_id).link_token_hash == token_hash
    shown = service.quote_for_link(created.link_token)
    assert shown.quote_id == quote_id
    assert shown.latest_sent is not None
    assert shown.latest_sent.number == 2


def test_the_link_shows_the_latest_sent_version_not_a_newer_draft(
    service: Quote2Order, make_quote: Callable[..., CreatedQuote]
) -> None:
    created = make_quote(send=True)
    quote_id = created.quote.quote_id
    service.mark_quote_lost(quote_id)
    service.reopen_quote(quote_id)
    shown = service.quote_for_link(created.link_token)
    assert shown.latest.number == 2
    assert shown.latest_sent is not None
    assert shown.latest_sent.number == 1


def test_an_unsent_quote_or_unknown_token_does_not_resolve(
    service: Quote2Order, make_quote: Callable[..., CreatedQuote]
) -> None:
    created = make_quote()
    with pytest.raises(QuoteNotFound):
        service.quote_for_link(created.link_token)
    with pytest.raises(QuoteNotFound):
        service.quote_for_link(new_link_token())


def test_version_1_starts_as_a_draft(make_quote: Callable[..., CreatedQuote]) -> None:
    quote = make_quote().quote
    assert quote.status is QuoteStatus.DRAFT
    assert [v.number for v in quote.versions] == [1]
    assert not quote.latest.is_sent
    assert quote.latest.content_hash is None


def test_a_draft_can_be_edited(
    service: Quote2Order, make_quote: Callable[..., CreatedQuote]
) -> None:
    quote = make_quote().quote
    edited = service.edit_quote(
        quote.quote_id, title="New title", positions=[*quote.latest.positions, PENCIL], notes="a\nb"
    )
    assert edited.latest.title == "New title"
    assert edited.latest.positions[-1] == PENCIL
    assert edited.latest.notes == "a\nb"
    assert edited.status is QuoteStatus.DRAFT
    assert service.get_quote(quote.quote_id) == edited


def test_editing_a_sent_quote_raises_and_changes_nothing(
    service: Quote2Order, store: Any, make_quote: Callable[..., CreatedQuote]
) -> None:
    quote = make_quote(send=True).quote
    before = store_state(store)
    with pytest.raises(InvalidTransition) as info:
        service.edit_quote(quote.quote_id, title="sneaky", positions=[PENCIL])
    assert info.value.state == "sent"
    assert info.value.action == "edit"
    assert store_state(store) == before


def test_edit_refuses_positions_in_another_currency_or_with_duplicate_ids(
    service: Quote2Order, store: Any, make_quote: Callable[..., CreatedQuote]
) -> None:
    quote = make_quote().quote
    before = store_state(store)
    usd = Position("P9", PositionKind.FREE_TEXT, "Setup", 1, Money("1", "USD"), VAT19)
    with pytest.raises(CurrencyMismatch):
        service.edit_quote(quote.quote_id, positions=[usd])
    with pytest.raises(ValidationError, match="twice"):
        service.edit_quote(quote.quote_id, positions=[PENCIL, PENCIL])
    assert store_state(store) == before


def test_sending_freezes_the_version_with_its_content_hash(
    service: Quote2Order, clock: FixedClock, make_quote: Callable[..., CreatedQuote]
) -> None:
    quote_id = make_quote().quote.quote_id
    sent = service.send_quote(quote_id)
    version = sent.latest
    assert sent.status is QuoteStatus.SENT
    assert version.sent_at == clock.now()
    assert version.content_hash is not None
    assert version.content_hash == version.compute_hash()
    assert re.fullmatch(r"[0-9a-f]{64}", version.content_hash)
    assert service.history("quote", quote_id)[-1].content_hash == version.content_hash  # type: ignore[attr-defined]


def test_the_content_hash_covers_the_positions() -> None:
    """Any change of content gives another hash; the sending time does not."""
    from datetime import UTC, date, datetime

    from quote2order import QuoteVersion

    now = datetime(2026, 1, 1, tzinfo=UTC)
    version = QuoteVersion(1, "T", (catalog_position(),), date(2026, 2, 1), now)
    assert attrs.evolve(version, sent_at=now).compute_hash() == version.compute_hash()
    others = [
        attrs.evolve(version, title="U"),
        attrs.evolve(version, notes="n"),
        attrs.evolve(version, valid_until=date(2026, 2, 2)),
        attrs.evolve(version, positions=(catalog_position(price="849.01"),)),
        attrs.evolve(version, positions=(catalog_position(quantity=4),)),
        attrs.evolve(version, positions=()),
    ]
    assert len({v.compute_hash() for v in [version, *others]}) == len(others) + 1


def test_sending_a_quote_without_positions_is_refused(
    service: Quote2Order, store: Any, make_quote: Callable[..., CreatedQuote]
) -> None:
    quote = make_quote().quote
    service.edit_quote(quote.quote_id, positions=[])
    before = store_state(store)
    with pytest.raises(ValidationError, match="without positions"):
        service.send_quote(quote.quote_id)
    assert store_state(store) == before


def test_sending_past_validity_is_refused(
    service: Quote2Order,
    store: Any,
    clock: FixedClock,
    make_quote: Callable[..., CreatedQuote],
) -> None:
    quote = make_quote().quote
    clock.advance(timedelta(days=31))
    before = store_state(store)
    with pytest.raises(PastValidity):
        service.send_quote(quote.quote_id)
    assert store_state(store) == before


def test_sending_on_the_last_valid_day_is_allowed(
    service: Quote2Order, clock: FixedClock, make_quote: Callable[..., CreatedQuote]
) -> None:
    quote = make_quote().quote
    clock.advance(timedelta(days=30))
    assert service.send_quote(quote.quote_id).status is QuoteStatus.SENT


def test_quotes_are_numbered_from_their_own_series(
    make_quote: Callable[..., CreatedQuote],
) -> None:
    assert [make_quote().quote.number for _ in range(2)] == ["AN-2026-00001", "AN-2026-00002"]


def test_expire_quotes_marks_sent_quotes_past_their_validity_expired(
    service: Quote2Order, clock: FixedClock, make_quote: Callable[..., CreatedQuote]
) -> None:
    due = make_quote(send=True).quote.quote_id
    draft = make_quote().quote.quote_id
    assert service.expire_quotes() == []  # nothing is past its date yet
    clock.advance(timedelta(days=30))
    assert service.expire_quotes() == []  # the last valid day still counts
    clock.advance(timedelta(days=1))
    assert service.expire_quotes() == [due]
    assert service.get_quote(due).status is QuoteStatus.EXPIRED
    assert service.get_quote(draft).status is QuoteStatus.DRAFT
    assert service.history("quote", due)[-1].name == "QuoteExpired"
    assert service.expire_quotes() == []  # already expired


def _sent_quotes_due_tomorrow(
    service: Quote2Order, clock: FixedClock, customer: Customer, count: int
) -> list[str]:
    """``count`` sent quotes of R-1 valid until today, in the order the sweep takes them."""
    made = []
    for i in range(count):
        created = service.create_quote(
            reseller_id="R-1",
            customer=customer,
            title=f"Quote {i}",
            positions=[free_text_position()],
            valid_until=clock.now().date(),
        )
        service.send_quote(created.quote.quote_id)
        made.append(created.quote.quote_id)
    return made


def test_expire_quotes_skips_a_quote_that_changed_since_the_listing_and_goes_on(
    store: Any, clock: FixedClock, customer: Customer
) -> None:
    """A quote marked lost by another writer mid-sweep is skipped; the others still expire
    (the sweep's batch fails on it, and its quotes are expired one at a time)."""
    from quote2order.events import DomainEvent, QuoteExpired
    from quote2order.ports import UnitOfWork

    service: Quote2Order
    others: list[str] = []

    def meanwhile(uow: UnitOfWork, event: DomainEvent) -> None:
        if isinstance(event, QuoteExpired) and event.aggregate_id == others[0] and not lost:
            service.mark_quote_lost(others[1])  # another writer, in its own unit of work
            lost.append(others[1])

    lost: list[str] = []

    # Due quotes are swept earliest validity first, then by id: counted ids keep this order.
    service = Quote2Order(store, clock=clock, ids=CountingIds(), handlers=[meanwhile])
    others += _sent_quotes_due_tomorrow(service, clock, customer, 3)
    clock.advance(timedelta(days=1))
    assert service.expire_quotes() == [others[0], others[2]]
    assert lost == [others[1]]
    statuses = [service.get_quote(q).status for q in others]
    assert statuses == [QuoteStatus.EXPIRED, QuoteStatus.LOST, QuoteStatus.EXPIRED]


def test_accepting_past_validity_raises_past_validity(
    service: Quote2Order,
    store: Any,
    clock: FixedClock,
    make_quote: Callable[..., CreatedQuote],
) -> None:
    created = make_quote(send=True)
    clock.advance(timedelta(days=31))
    before = store_state(store)
    with pytest.raises(PastValidity):
        service.accept_quote(created.link_token, 1)
    with pytest.raises(PastValidity):
        service.mark_quote_won(created.quote.quote_id)
    assert store_state(store) == before
    assert service.list_orders() == []


@pytest.mark.parametrize("how", ["declined", "marked_lost", "expired", "order_rejected"])
def test_reopening_a_lost_or_expired_quote_creates_version_n_plus_1(
    how: str, service: Quote2Order, clock: FixedClock, make_quote: Callable[..., CreatedQuote]
) -> None:
    created = make_quote(send=True)
    quote_id = created.quote.quote_id
    if how == "declined":
        service.decline_quote(created.link_token, 1)
    elif how == "marked_lost":
        service.mark_quote_lost(quote_id)
    elif how == "expired":
        clock.advance(timedelta(days=31))
        service.expire_quotes()
    else:
        order = service.accept_quote(created.link_token, 1)
        service.reject_order(order.order_id)
    expected = QuoteStatus.EXPIRED if how == "expired" else QuoteStatus.LOST
    assert service.get_quote(quote_id).status is expected

    reopened = service.reopen_quote(quote_id)
    assert reopened.status is QuoteStatus.DRAFT
    assert [v.number for v in reopened.versions] == [1, 2]
    version_1, version_2 = reopened.versions
    assert (version_2.title, version_2.positions, version_2.notes, version_2.valid_until) == (
        version_1.title,
        version_1.positions,
        version_1.notes,
        version_1.valid_until,
    )
    assert not version_2.is_sent
    assert version_1.is_sent
    if how == "expired":
        with pytest.raises(PastValidity):  # the copied validity date has passed
            service.send_quote(quote_id)
    # Version 2 is editable and sendable.
    service.edit_quote(
        quote_id,
        positions=[*version_2.positions, PENCIL],
        valid_until=clock.now().date() + timedelta(days=14),
    )
    sent = service.send_quote(quote_id)
    assert sent.status is QuoteStatus.SENT
    assert sent.latest.number == 2
    assert sent.version(1) == version_1  # the earlier version is unchanged
    assert service.history("quote", quote_id)[-3].name == "QuoteVersionCreated"


def test_reopening_works_again_for_version_3(
    service: Quote2Order, make_quote: Callable[..., CreatedQuote]
) -> None:
    quote_id = make_quote(send=True).quote.quote_id
    for _ in range(2):
        service.mark_quote_lost(quote_id)
        service.reopen_quote(quote_id)
        service.send_quote(quote_id)
    assert [v.number for v in service.get_quote(quote_id).versions] == [1, 2, 3]


@pytest.mark.parametrize("status", ["draft", "sent", "won"])
def test_reopening_is_only_for_lost_or_expired_quotes(
    status: str,
    service: Quote2Order,
    store: Any,
    make_quote: Callable[..., CreatedQuote],
) -> None:
    created = make_quote(send=status != "draft")
    if status == "won":
        service.accept_quote(created.link_token, 1)
    before = store_state(store)
    with pytest.raises(InvalidTransition) as info:
        service.reopen_quote(created.quote.quote_id)
    assert info.value.state == status
    assert store_state(store) == before


def test_earlier_versions_stay_readable_with_their_changes(
    service: Quote2Order, make_quote: Callable[..., CreatedQuote]
) -> None:
    quote = make_quote(send=True).quote
    quote_id = quote.quote_id
    p1, p2, p3 = quote.latest.positions
    service.mark_quote_lost(quote_id)
    service.reopen_quote(quote_id)
    cheaper = attrs.evolve(p1, unit_price=eur("799.00"), quantity=4)
    service.edit_quote(quote_id, positions=[cheaper, p3, PENCIL])  # P2 removed
    service.send_quote(quote_id)

    stored = service.get_quote(quote_id)
    assert stored.version(1).positions == (p1, p2, p3)
    assert [(c.change, c.position_id) for c in stored.changes(1)] == [
        ("added", "P1"),
        ("added", "P2"),
        ("added", "P3"),
    ]
    changes = {c.position_id: c for c in stored.changes(2)}
    assert {pid: c.change for pid, c in changes.items()} == {
        "P1": "changed",
        "P4": "added",
        "P2": "removed",
    }
    assert changes["P1"].fields == ("quantity", "unit_price")
    assert (changes["P1"].before, changes["P1"].after) == (p1, cheaper)
    assert changes["P4"].name == "Apple Pencil 2nd Generation"
    assert changes["P2"].before == p2
    assert changes["P2"].after is None
    with pytest.raises(ValidationError):
        stored.version(3)
    with pytest.raises(ValidationError):
        stored.changes(0)


def test_decline_and_mark_lost_make_the_quote_lost(
    service: Quote2Order, make_quote: Callable[..., CreatedQuote]
) -> None:
    first = make_quote(send=True)
    second = make_quote(send=True)
    assert service.decline_quote(first.link_token, 1).status is QuoteStatus.LOST
    assert service.mark_quote_lost(second.quote.quote_id).status is QuoteStatus.LOST
    assert service.history("quote", first.quote.quote_id)[-1].name == "QuoteDeclined"
    assert service.history("quote", second.quote.quote_id)[-1].name == "QuoteMarkedLost"


def test_expire_quotes_commits_due_quotes_together_not_one_each(
    store: Any, clock: FixedClock, customer: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep expires a page of due quotes in one unit of work: one commit for many."""
    service = Quote2Order(store, clock=clock, ids=CountingIds())
    due = _sent_quotes_due_tomorrow(service, clock, customer, 4)
    clock.advance(timedelta(days=1))
    unit_of_work = type(store.unit_of_work())
    commits: list[int] = []
    real_commit = unit_of_work.commit

    def counted(self: Any) -> None:
        commits.append(1)
        real_commit(self)

    monkeypatch.setattr(unit_of_work, "commit", counted)
    assert service.expire_quotes() == due
    assert len(commits) == 1
    assert [e.name for e in service.history("quote", due[3])][-1] == "QuoteExpired"
