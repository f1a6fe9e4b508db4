"""Customer-link tokens: generation, hashing, expiry, revocation and rotation."""

from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta

import pytest

from quote2order import ValidationError
from quote2order.service import hash_link_token, new_link_token
from tests.stores import committed_state

from .conftest import MACBOOK, World, assert_not_found

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def test_100000_tokens_are_unique_url_safe_and_carry_256_bits() -> None:
    tokens = [new_link_token() for _ in range(100_000)]
    assert len(set(tokens)) == len(tokens)
    assert all(URL_SAFE.match(t) for t in tokens)
    assert all(len(base64.urlsafe_b64decode(t + "=")) * 8 >= 256 for t in tokens[:1000])
    alphabet = set("".join(tokens[:2000]))
    assert len(alphabet) == 64  # every URL-safe base64 character occurs: no narrowed alphabet


def test_the_raw_token_is_never_stored(world: World) -> None:
    quote_id, token = world.sent_quote()
    rotated = world.service.rotate_link(quote_id)
    world.portal.accept(rotated, 1, idempotency_key="click-1")
    world.portal.accept(rotated, 1, idempotency_key="click-1")  # replayed, not refused
    dumped = repr(committed_state(world.store))
    for raw in (token, rotated):
        assert raw not in dumped
    assert hash_link_token(rotated) in dumped  # the scan would see a stored value


def test_the_link_resolves_until_it_expires(world: World) -> None:
    quote_id, token = world.sent_quote()
    world.service.set_link_expiry(quote_id, world.clock.now() + timedelta(days=7))
    world.clock.advance(timedelta(days=7) - timedelta(seconds=1))
    assert world.portal.view(token).version == 1
    world.clock.advance(timedelta(seconds=1))
    assert_not_found(lambda: world.portal.view(token))
    assert_not_found(lambda: world.portal.accept(token, 1))
    assert_not_found(lambda: world.portal.decline(token, 1))


def test_clearing_the_expiry_makes_an_expired_link_resolve_again(world: World) -> None:
    quote_id, token = world.sent_quote()
    world.service.set_link_expiry(quote_id, world.clock.now())
    assert_not_found(lambda: world.portal.view(token))
    world.service.set_link_expiry(quote_id, None)
    assert world.portal.view(token).status == "sent"


def test_a_revoked_link_is_refused_for_viewing_accepting_and_declining(world: World) -> None:
    quote_id, token = world.sent_quote()
    world.service.revoke_link(quote_id)
    assert_not_found(lambda: world.portal.view(token))
    assert_not_found(lambda: world.portal.accept(token, 1))
    assert_not_found(lambda: world.service.accept_quote(token, 1))
    assert_not_found(lambda: world.portal.decline(token, 1))
    assert world.service.list_orders() == []


def test_rotation_issues_a_new_token_and_invalidates_the_old(world: World) -> None:
    quote_id, old = world.sent_quote()
    world.service.revoke_link(quote_id)
    new = world.service.rotate_link(quote_id)
    assert new != old
    assert_not_found(lambda: world.portal.view(old))
    assert world.portal.view(new).version == 1  # rotation also lifts the revocation


def test_rotation_can_give_the_new_link_an_expiry(world: World) -> None:
    quote_id, _ = world.sent_quote()
    token = world.service.rotate_link(quote_id, expires_at=world.clock.now() + timedelta(hours=1))
    assert world.portal.view(token).status == "sent"
    world.clock.advance(timedelta(hours=1))
    assert_not_found(lambda: world.portal.view(token))


def test_link_changes_are_recorded_in_the_history_without_the_token(world: World) -> None:
    quote_id, _ = world.sent_quote()
    token = world.service.rotate_link(quote_id)
    world.service.revoke_link(quote_id)
    names = [e.name for e in world.service.history("quote", quote_id)]
    assert names[-2:] == ["QuoteLinkRotated", "QuoteLinkRevoked"]
    assert token not in repr(world.service.history("quote", quote_id))


def test_a_draft_never_sent_is_not_found_through_its_link(world: World) -> None:
    created = world.service.create_quote(
        reseller_id="reseller-1",
        customer=world.customer(1),
        title="Draft",
        positions=[],
        valid_until=world.clock.now().date(),
    )
    assert_not_found(lambda: world.portal.view(created.link_token))


def test_an_unknown_token_is_not_found(world: World) -> None:
    world.sent_quote()
    assert_not_found(lambda: world.portal.view(new_link_token()))
    assert_not_found(lambda: world.portal.view(""))


def test_after_rotation_the_store_no_longer_resolves_the_old_hash(world: World) -> None:
    quote_id, old = world.sent_quote()
    world.service.rotate_link(quote_id)
    with world.store.unit_of_work() as uow:
        assert_not_found(uow.quotes.get_by_token_hash, hash_link_token(old))


def test_rotating_to_the_same_token_hash_is_refused(world: World) -> None:
    quote_id, token = world.sent_quote()
    quote = world.service.get_quote(quote_id)
    with pytest.raises(ValidationError):
        quote.rotate_link(
            token_hash=hash_link_token(token), expires_at=None, now=world.clock.now(), actor="r"
        )


def test_a_link_expiry_without_a_timezone_is_refused(world: World) -> None:
    quote_id, token = world.sent_quote()
    with pytest.raises(ValidationError):
        world.service.set_link_expiry(quote_id, datetime(2026, 2, 1))
    assert world.portal.view(token).status == "sent"


def test_a_never_sent_quote_cannot_be_accepted_through_its_link(world: World) -> None:
    created = world.service.create_quote(
        reseller_id="reseller-1",
        customer=world.customer(1),
        title="Draft",
        positions=[MACBOOK],
        valid_until=world.clock.now().date(),
    )
    assert_not_found(world.portal.accept, created.link_token, 1)
    assert world.service.list_orders() == []


@pytest.mark.parametrize("close", ["revoke", "expire", "rotate"])
def test_an_idempotent_replay_through_a_dead_link_is_not_found(world: World, close: str) -> None:
    """A replayed accept must resolve its link again: a closed link answers "not found"."""
    quote_id, token = world.sent_quote()
    order = world.service.accept_quote(token, 1, idempotency_key="click-1")
    assert world.service.accept_quote(token, 1, idempotency_key="click-1") == order
    if close == "revoke":
        world.service.revoke_link(quote_id)
    elif close == "expire":
        world.service.set_link_expiry(quote_id, world.clock.now() + timedelta(minutes=1))
        world.clock.advance(timedelta(minutes=2))
    else:
        world.service.rotate_link(quote_id)
    assert_not_found(lambda: world.service.accept_quote(token, 1, idempotency_key="click-1"))
    assert_not_found(lambda: world.portal.accept(token, 1, idempotency_key="click-1"))


@pytest.mark.parametrize("token", [None, 42, b"token", 4.2, ["t"], "\ud800", "a\x00b", ""])
def test_a_token_of_the_wrong_type_or_content_is_not_found(world: World, token: object) -> None:
    world.sent_quote()
    service, portal = world.service, world.portal
    before = committed_state(world.store)
    assert_not_found(service.quote_for_link, token)
    assert_not_found(service.accept_quote, token, 1)
    assert_not_found(service.accept_quote, token, 1, idempotency_key="k")
    assert_not_found(service.decline_quote, token, 1)
    assert_not_found(portal.view, token)
    assert_not_found(portal.accept, token, 1)
    assert_not_found(portal.decline, token, 1)
    assert_not_found(portal.documents, token, reseller_id="reseller-1", customer_id="cust-1")
    assert_not_found(
        portal.download, token, "doc-1", reseller_id="reseller-1", customer_id="cust-1", fmt="txt"
    )
    assert committed_state(world.store) == before
