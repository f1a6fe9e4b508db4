"""Events and history: a past-tense event with actor and time for every successful action."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from quote2order import Quote2Order, Shipment
from quote2order.events import EVENT_TYPES, DomainEvent, event_from_dict, event_to_dict
from quote2order.service import CreatedQuote
from quote2order.testing import FixedClock

NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def _sample(cls: type[DomainEvent]) -> DomainEvent:
    values: dict[str, object] = {"aggregate_id": "a-1", "occurred_at": NOW, "actor": "someone"}
    for field in attrs.fields(cls):
        if field.name in values:
            continue
        if field.type in (int, "int"):
            values[field.name] = 2
        elif field.type in (str, "str"):
            values[field.name] = f"{field.name}-value"
        else:
            values[field.name] = ("JJD1", "JJD2")
    return cls(**values)


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_every_event_type_round_trips_through_a_json_dict(name: str) -> None:
    event = _sample(EVENT_TYPES[name])
    data = event_to_dict(event)
    assert data["event"] == name
    # What is stored comes back; a secret (the raw link token of QuoteSent) is not stored.
    assert event_from_dict(json.loads(json.dumps(data))) == event.without_secrets()
    assert "link_token-value" not in json.dumps(data)


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_event_names_are_past_tense_and_events_are_frozen(name: str) -> None:
    # The verb is past tense, possibly followed by a particle ("CheckedOut", "AddedToCart").
    assert re.search(r"(ed|Won|Lost|Sent|Set)(Out|ToCart|FromCart)?$", name), name
    event = _sample(EVENT_TYPES[name])
    assert event.name == name
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.actor = "x"  # type: ignore[misc]


def test_the_whole_story_is_recorded_in_order_with_actor_and_time(
    service: Quote2Order, clock: FixedClock, make_quote: Callable[..., CreatedQuote]
) -> None:
    created = make_quote()
    quote_id = created.quote.quote_id
    times: list[datetime] = [clock.now()]

    def step(action: Callable[[], object]) -> None:
        times.append(clock.advance(timedelta(minutes=5)))
        action()

    step(lambda: service.edit_quote(quote_id, title="New", actor="anna@reseller"))
    step(lambda: service.send_quote(quote_id, actor="anna@reseller"))
    step(lambda: service.decline_quote(created.link_token, 1, actor="customer@berger"))
    step(lambda: service.reopen_quote(quote_id))
    step(lambda: service.send_quote(quote_id))
    step(lambda: service.mark_quote_lost(quote_id))
    step(lambda: service.reopen_quote(quote_id))
    step(lambda: service.send_quote(quote_id))
    order_ids: list[str] = []
    step(lambda: order_ids.append(service.accept_quote(created.link_token, 3).order_id))
    step(lambda: service.reject_order(order_ids[0], reason="renegotiate"))
    step(lambda: service.reopen_quote(quote_id))
    step(lambda: service.send_quote(quote_id))
    step(lambda: order_ids.append(service.mark_quote_won(quote_id, actor="bob@reseller").order_id))
    step(lambda: service.confirm_order(order_ids[1]))
    step(lambda: service.complete_order(order_ids[1], [Shipment("DHL", "JJD1")]))
    step(lambda: service.invoice_order(order_ids[1], actor="billing"))

    quote_events = service.history("quote", quote_id)
    assert [(e.name, getattr(e, "version", None)) for e in quote_events] == [
        ("QuoteCreated", 1),
        ("QuoteEdited", 1),
        ("QuoteSent", 1),
        ("QuoteDeclined", 1),
        ("QuoteVersionCreated", 2),
        ("QuoteSent", 2),
        ("QuoteMarkedLost", 2),
        ("QuoteVersionCreated", 3),
        ("QuoteSent", 3),
        ("QuoteAccepted", 3),
        ("QuoteRejected", 3),
        ("QuoteVersionCreated", 4),
        ("QuoteSent", 4),
        ("QuoteMarkedWon", 4),
    ]
    assert [e.occurred_at for e in quote_events] == times[:14]
    assert [e.actor for e in quote_events[:4]] == [
        "reseller",
        "anna@reseller",
        "anna@reseller",
        "customer@berger",
    ]
    assert quote_events[-1].actor == "bob@reseller"
    assert all(e.aggregate_id == quote_id for e in quote_events)

    first = service.history("order", order_ids[0])
    assert [e.name for e in first] == ["OrderCreated", "OrderRejected"]
    assert first[0].actor == "customer"
    second = service.history("order", order_ids[1])
    assert [(e.name, e.actor, e.occurred_at) for e in second] == [
        ("OrderCreated", "bob@reseller", times[13]),
        ("OrderConfirmed", "reseller", times[14]),
        ("OrderCompleted", "reseller", times[15]),
        ("OrderInvoiced", "billing", times[16]),
    ]
    # Every stored event survives the JSON mapping.
    for event in [*quote_events, *first, *second]:
        assert event_from_dict(json.loads(json.dumps(event_to_dict(event)))) == event


def test_failed_actions_record_no_event(
    service: Quote2Order, make_quote: Callable[..., CreatedQuote]
) -> None:
    created = make_quote()
    before = service.history("quote", created.quote.quote_id)
    with pytest.raises(Exception, match="cannot"):
        service.mark_quote_lost(created.quote.quote_id)
    assert service.history("quote", created.quote.quote_id) == before


def test_history_of_an_unknown_aggregate_is_empty(service: Quote2Order) -> None:
    assert list(service.history("order", "nope")) == []
