"""Commands on a quote or order by id, given the caller's reseller, refuse another's.

A host that passes ``reseller_id`` gets the same "not found" for another reseller's quote
or order as for an unknown id, and nothing is written; on every store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from quote2order import Order, Quote2Order, Shipment
from quote2order.errors import OrderNotFound, QuoteNotFound
from quote2order.service import CreatedQuote
from tests.core.conftest import store_state

OTHER = "R-2"
LATER = datetime(2027, 1, 1, tzinfo=UTC)

QUOTE_COMMANDS: dict[str, Callable[[Quote2Order, str, str], object]] = {
    "edit_quote": lambda s, q, r: s.edit_quote(q, title="Changed", reseller_id=r),
    "send_quote": lambda s, q, r: s.send_quote(q, reseller_id=r),
    "rotate_link": lambda s, q, r: s.rotate_link(q, reseller_id=r),
    "revoke_link": lambda s, q, r: s.revoke_link(q, reseller_id=r),
    "set_link_expiry": lambda s, q, r: s.set_link_expiry(q, LATER, reseller_id=r),
}
SENT_QUOTE_COMMANDS: dict[str, Callable[[Quote2Order, str, str], object]] = {
    "mark_quote_won": lambda s, q, r: s.mark_quote_won(q, reseller_id=r),
    "mark_quote_lost": lambda s, q, r: s.mark_quote_lost(q, reseller_id=r),
}
ORDER_COMMANDS: dict[str, Callable[[Quote2Order, str, str], object]] = {
    "confirm_order": lambda s, o, r: s.confirm_order(o, reseller_id=r),
    "reject_order": lambda s, o, r: s.reject_order(o, reason="price", reseller_id=r),
    "complete_order": lambda s, o, r: s.complete_order(
        o, [Shipment("DHL", "JJD0001")], reseller_id=r
    ),
    "invoice_order": lambda s, o, r: s.invoice_order(o, reseller_id=r),
    "close_undelivered": lambda s, o, r: s.close_undelivered(o, reason="gone", reseller_id=r),
}


@pytest.mark.parametrize("name", sorted(QUOTE_COMMANDS))
def test_a_quote_command_for_another_reseller_is_not_found_and_writes_nothing(
    name: str, service: Quote2Order, store: Any, make_quote: Callable[..., CreatedQuote]
) -> None:
    quote_id = make_quote().quote.quote_id
    before = store_state(store)
    with pytest.raises(QuoteNotFound):
        QUOTE_COMMANDS[name](service, quote_id, OTHER)
    assert store_state(store) == before
    QUOTE_COMMANDS[name](service, quote_id, "R-1")  # the owner's call goes through
    assert store_state(store) != before


@pytest.mark.parametrize("name", sorted(SENT_QUOTE_COMMANDS))
def test_a_sent_quote_command_for_another_reseller_is_not_found_and_writes_nothing(
    name: str, service: Quote2Order, store: Any, make_quote: Callable[..., CreatedQuote]
) -> None:
    quote_id = make_quote(send=True).quote.quote_id
    before = store_state(store)
    with pytest.raises(QuoteNotFound):
        SENT_QUOTE_COMMANDS[name](service, quote_id, OTHER)
    assert store_state(store) == before
    SENT_QUOTE_COMMANDS[name](service, quote_id, "R-1")
    assert store_state(store) != before


@pytest.mark.parametrize("name", sorted(ORDER_COMMANDS))
def test_an_order_command_for_another_reseller_is_not_found_and_writes_nothing(
    name: str, service: Quote2Order, store: Any, make_order: Callable[[], Order]
) -> None:
    order_id = make_order().order_id
    before = store_state(store)
    with pytest.raises(OrderNotFound):
        ORDER_COMMANDS[name](service, order_id, OTHER)
    assert store_state(store) == before


def test_the_owner_passing_its_reseller_runs_the_whole_order_story(
    service: Quote2Order, make_order: Callable[[], Order]
) -> None:
    order_id = make_order().order_id
    service.confirm_order(order_id, reseller_id="R-1")
    service.complete_order(order_id, [Shipment("DHL", "JJD0001")], reseller_id="R-1")
    assert service.invoice_order(order_id, reseller_id="R-1").status.value == "invoiced"


def test_an_idempotent_replay_by_another_reseller_is_not_found(
    service: Quote2Order, make_order: Callable[[], Order]
) -> None:
    order_id = make_order().order_id
    service.confirm_order(order_id, idempotency_key="k-1", reseller_id="R-1")
    with pytest.raises(OrderNotFound):
        service.confirm_order(order_id, idempotency_key="k-1", reseller_id=OTHER)


def test_reopening_another_resellers_lost_quote_is_not_found(
    service: Quote2Order, store: Any, make_quote: Callable[..., CreatedQuote]
) -> None:
    quote_id = make_quote(send=True).quote.quote_id
    service.mark_quote_lost(quote_id)
    before = store_state(store)
    with pytest.raises(QuoteNotFound):
        service.reopen_quote(quote_id, reseller_id=OTHER)
    assert store_state(store) == before
    assert service.reopen_quote(quote_id, reseller_id="R-1").latest.number == 2
