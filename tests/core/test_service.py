"""The service and its ports: atomic commands, idempotency keys, retries, optimistic locking."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from quote2order import (
    ConcurrencyError,
    Customer,
    IdempotencyConflict,
    InvalidTransition,
    Order,
    OrderNotFound,
    OrderStatus,
    Position,
    Quote2Order,
    QuoteNotFound,
    QuoteStatus,
    Shipment,
)
from quote2order.events import DomainEvent
from quote2order.ports import OutboxEntry, UnitOfWork
from quote2order.service import CreatedQuote, new_link_token
from quote2order.testing import CountingIds, FixedClock
from tests.stores import sequence_values

from .conftest import snapshot, store_state

MakeQuote = Callable[..., CreatedQuote]
MakeOrder = Callable[[], Order]


def test_a_failed_command_changes_nothing(
    service: Quote2Order, store: Any, make_quote: MakeQuote
) -> None:
    created = make_quote(send=True)
    order = service.accept_quote(created.link_token, 1)
    before, before_view = store_state(store), snapshot(service)
    failing: list[Callable[[], object]] = [
        lambda: service.send_quote(created.quote.quote_id),
        lambda: service.edit_quote(created.quote.quote_id, title="x"),
        lambda: service.invoice_order(order.order_id),
        lambda: service.complete_order(order.order_id),
        lambda: service.get_order("missing"),
        lambda: service.confirm_order("missing"),
        lambda: service.accept_quote(new_link_token(), 1),
        lambda: service.reopen_quote("missing"),
    ]
    for command in failing:
        with pytest.raises((InvalidTransition, OrderNotFound, QuoteNotFound)):
            command()
        assert store_state(store) == before
        assert snapshot(service) == before_view


def test_results_are_copies_a_caller_cannot_change_the_store_through(
    service: Quote2Order, store: Any, make_order: MakeOrder
) -> None:
    order = make_order()
    before = store_state(store)
    order.status = OrderStatus.INVOICED
    service.get_quote(order.quote_id).versions.clear()
    assert store_state(store) == before


def test_same_idempotency_key_and_arguments_return_the_first_result_and_do_nothing_again(
    service: Quote2Order, store: Any, make_quote: MakeQuote
) -> None:
    created = make_quote(send=True)
    first = service.accept_quote(created.link_token, 1, idempotency_key="k-accept")
    after_first = store_state(store)
    again = service.accept_quote(created.link_token, 1, idempotency_key="k-accept")
    assert again == first
    assert store_state(store) == after_first
    assert len(service.list_orders()) == 1

    confirmed = service.confirm_order(first.order_id, idempotency_key="k-confirm")
    after_confirm = store_state(store)
    assert service.confirm_order(first.order_id, idempotency_key="k-confirm") == confirmed
    assert store_state(store) == after_confirm

    shipments = [Shipment("DHL", "JJD1")]
    done = service.complete_order(first.order_id, shipments, idempotency_key="k-complete")
    assert service.complete_order(first.order_id, shipments, idempotency_key="k-complete") == done
    invoiced = service.invoice_order(first.order_id, idempotency_key="k-invoice")
    after_invoice = store_state(store)
    assert service.invoice_order(first.order_id, idempotency_key="k-invoice") == invoiced
    assert store_state(store) == after_invoice
    assert sequence_values(store)["proforma|2026|R-1"] == 1


def test_the_replay_returns_the_current_state_of_the_first_result(
    service: Quote2Order, make_quote: MakeQuote
) -> None:
    created = make_quote(send=True)
    order = service.mark_quote_won(created.quote.quote_id, idempotency_key="won")
    service.confirm_order(order.order_id)
    replay = service.mark_quote_won(created.quote.quote_id, idempotency_key="won")
    assert replay.order_id == order.order_id
    assert len(service.list_orders()) == 1


def test_same_idempotency_key_with_other_arguments_is_a_conflict(
    service: Quote2Order, store: Any, make_quote: MakeQuote
) -> None:
    created = make_quote(send=True)
    other = make_quote(send=True)
    order = service.accept_quote(created.link_token, 1, idempotency_key="k")
    before = store_state(store)
    with pytest.raises(IdempotencyConflict) as info:
        service.accept_quote(other.link_token, 1, idempotency_key="k")
    assert info.value.key == "k"
    with pytest.raises(IdempotencyConflict):
        service.confirm_order(order.order_id, idempotency_key="k")  # another command
    service.confirm_order(order.order_id)
    service.complete_order(order.order_id, [Shipment("DHL", "A")], idempotency_key="c")
    before = store_state(store)
    with pytest.raises(IdempotencyConflict):
        service.complete_order(order.order_id, [Shipment("DHL", "B")], idempotency_key="c")
    assert store_state(store) == before


def test_a_request_that_loses_the_race_for_its_idempotency_key_returns_the_winners_result(
    store: Any, clock: FixedClock, make_quote: Callable[..., CreatedQuote]
) -> None:
    """Two requests with one key: the one whose commit clashes replays the first result."""
    created = make_quote(send=True)
    winner = Quote2Order(store, clock=clock)
    won: list[Order] = []

    def the_other_request_commits_first(uow: UnitOfWork, event: DomainEvent) -> None:
        if not won:
            won.append(winner.accept_quote(created.link_token, 1, idempotency_key="k"))

    loser = Quote2Order(store, clock=clock, handlers=[the_other_request_commits_first])
    order = loser.accept_quote(created.link_token, 1, idempotency_key="k")
    assert order.order_id == won[0].order_id
    assert [o.order_id for o in loser.list_orders()] == [order.order_id]


def test_a_failed_command_does_not_use_up_its_idempotency_key(
    service: Quote2Order, make_order: MakeOrder
) -> None:
    order = make_order()
    with pytest.raises(InvalidTransition):
        service.invoice_order(order.order_id, idempotency_key="inv")
    service.confirm_order(order.order_id)
    service.complete_order(order.order_id)
    assert (
        service.invoice_order(order.order_id, idempotency_key="inv").status is OrderStatus.INVOICED
    )


def test_a_stale_save_raises_concurrency_error_and_writes_nothing(
    store: Any, service: Quote2Order, make_order: MakeOrder
) -> None:
    order_id = make_order().order_id
    first, second = store(), store()
    mine = first.orders.get(order_id)
    theirs = second.orders.get(order_id)
    mine.confirm(now=mine.created_at, actor="a")
    first.orders.save(mine)
    first.commit()
    assert service.get_order(order_id).revision == 1

    before = store_state(store)
    theirs.reject(now=theirs.created_at, actor="b")
    second.orders.save(theirs)
    second.events.append([])
    with pytest.raises(ConcurrencyError) as info:
        second.commit()
    assert (info.value.kind, info.value.object_id, info.value.expected_version) == (
        "order",
        order_id,
        0,
    )
    assert store_state(store) == before
    assert service.get_order(order_id).status is OrderStatus.CONFIRMED


def test_a_stale_quote_save_writes_nothing_of_the_whole_unit_of_work(
    store: Any, service: Quote2Order, make_order: MakeOrder
) -> None:
    order = make_order()
    stale = store()
    quote = stale.quotes.get(order.quote_id)
    stale_order = stale.orders.get(order.order_id)
    service.reject_order(order.order_id)  # another writer moves the quote and the order
    before = store_state(store)
    stale_order.confirmed_at = None
    stale.orders.save(stale_order)
    stale.quotes.save(quote)
    with pytest.raises(ConcurrencyError):
        stale.commit()
    assert store_state(store) == before


def test_with_retry_runs_again_on_concurrency_error(service: Quote2Order) -> None:
    attempts: list[int] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise ConcurrencyError("order", "o-1", len(attempts))
        return "done"

    assert service.with_retry(flaky, attempts=5, base_delay=0) == "done"
    assert len(attempts) == 3


def test_with_retry_gives_up_after_its_attempts(service: Quote2Order) -> None:
    attempts: list[int] = []

    def always() -> None:
        attempts.append(1)
        raise ConcurrencyError("order", "o-1", 0)

    with pytest.raises(ConcurrencyError):
        service.with_retry(always, attempts=4, base_delay=0)
    assert len(attempts) == 4


def test_with_retry_never_waits_longer_than_max_delay(
    service: Quote2Order, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented bound holds even when the jitter draws its largest value."""
    import random
    import time

    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    monkeypatch.setattr(random, "random", lambda: 0.999999)
    monkeypatch.setattr(random, "uniform", lambda low, high: high)

    def always() -> None:
        raise ConcurrencyError("cart", "reseller-1", 0)

    with pytest.raises(ConcurrencyError):
        service.with_retry(always, attempts=8, base_delay=0.1, max_delay=0.25)
    assert len(waits) == 7
    assert max(waits) <= 0.25
    assert sum(waits) <= 7 * 0.25


@pytest.mark.parametrize(
    "options",
    [
        {"attempts": 0},
        {"attempts": 2.5},
        {"attempts": True},
        {"base_delay": -1},
        {"max_delay": "0.5"},
        {"max_delay": float("nan")},
    ],
)
def test_with_retry_refuses_a_budget_that_is_none(
    service: Quote2Order, options: dict[str, Any]
) -> None:
    from quote2order import ValidationError

    with pytest.raises(ValidationError):
        service.with_retry(lambda: None, **options)
    with pytest.raises(ValidationError):
        service.with_retry(42)  # type: ignore[arg-type]


def test_with_retry_does_not_retry_other_errors(service: Quote2Order) -> None:
    attempts: list[int] = []

    def broken() -> None:
        attempts.append(1)
        raise InvalidTransition("order", "o-1", "open", "invoice", ["confirm"])

    with pytest.raises(InvalidTransition):
        service.with_retry(broken, base_delay=0)
    assert len(attempts) == 1


def test_with_retry_wins_a_real_race_on_every_store(
    store: Any, service: Quote2Order, make_order: MakeOrder
) -> None:
    """A command that lost the optimistic lock once succeeds when run again on fresh state."""
    order_id = make_order().order_id
    raced = [False]

    def confirm_after_a_concurrent_write() -> Order:
        with store() as uow:
            order = uow.orders.get(order_id)
            if not raced[0]:
                raced[0] = True
                other = store()
                concurrent = other.orders.get(order_id)
                other.orders.save(concurrent)  # a concurrent no-op save bumps the revision
                other.commit()
            order.confirm(now=order.created_at, actor="r")
            uow.orders.save(order)
            uow.commit()
            return order

    confirmed = service.with_retry(confirm_after_a_concurrent_write, base_delay=0)
    assert confirmed.status is OrderStatus.CONFIRMED
    assert service.get_order(order_id).revision == 2


def test_handlers_see_every_event_inside_the_unit_of_work(
    store: Any, clock: FixedClock, customer: Customer, positions: list[Position]
) -> None:
    seen: list[str] = []

    def handler(uow: UnitOfWork, event: DomainEvent) -> None:
        seen.append(event.name)
        if event.name == "OrderConfirmed":
            uow.outbox.add(
                OutboxEntry(
                    entry_id=f"n-{event.aggregate_id}",
                    reseller_id="R-1",
                    notification="order_confirmation",
                    channel="email",
                    aggregate_kind="order",
                    aggregate_id=event.aggregate_id,
                    recipient="anna@example.com",
                    locale="de_DE",
                    payload={},
                    created_at=event.occurred_at,
                )
            )

    service = Quote2Order(store, clock=clock, ids=CountingIds(), handlers=[handler])
    created = service.create_quote(
        reseller_id="R-1",
        customer=customer,
        title="T",
        positions=positions,
        valid_until=clock.now().date(),
    )
    service.send_quote(created.quote.quote_id)
    order = service.accept_quote(created.link_token, 1)
    service.confirm_order(order.order_id)
    assert seen == ["QuoteCreated", "QuoteSent", "QuoteAccepted", "OrderCreated", "OrderConfirmed"]
    assert [e.entry_id for e in store.outbox_store.list()] == [f"n-{order.order_id}"]


def test_a_handler_that_raises_rolls_the_whole_command_back(
    store: Any, clock: FixedClock, make_quote: MakeQuote
) -> None:
    created = make_quote(send=True)  # made through the fixture's service, same store

    def handler(uow: UnitOfWork, event: DomainEvent) -> None:
        if event.name == "OrderCreated":
            raise RuntimeError("notification template missing")

    service = Quote2Order(store, clock=clock, ids=CountingIds(), handlers=[handler])
    before = store_state(store)
    with pytest.raises(RuntimeError):
        service.accept_quote(created.link_token, 1, idempotency_key="k")
    after = store_state(store)
    # Only the order-number sequence moved (numbers are gap-tolerant, never repeated).
    expected = dict(before["sequences"])  # type: ignore[call-overload]
    expected["order|2026|R-1"] = expected.get("order|2026|R-1", 0) + 1
    assert after.pop("sequences") == expected
    before.pop("sequences")
    assert after == before
    assert service.get_quote(created.quote.quote_id).status is QuoteStatus.SENT
    assert service.list_orders() == []


def test_the_service_reads_time_only_from_its_clock(
    service: Quote2Order, clock: FixedClock, make_quote: MakeQuote
) -> None:
    created = make_quote()
    assert created.quote.created_at == clock.now()
    assert service.history("quote", created.quote.quote_id)[0].occurred_at == clock.now()


def test_counting_ids_make_readable_ids(service: Quote2Order, make_order: MakeOrder) -> None:
    order = make_order()
    assert (order.quote_id, order.order_id) == ("quote-1", "order-1")
    assert make_order().order_id == "order-2"


def test_list_filters_by_reseller(service: Quote2Order, make_quote: MakeQuote) -> None:
    make_quote(reseller_id="R-1")
    make_quote(reseller_id="R-2")
    assert [q.reseller_id for q in service.list_quotes(reseller_id="R-2")] == ["R-2"]
    assert len(service.list_quotes()) == 2


def test_fixed_clock_refuses_a_naive_datetime() -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="timezone"):
        FixedClock(datetime(2026, 1, 1))


@pytest.mark.parametrize(
    "option", ["quote", "order", "proforma", "purchase_order"], ids=lambda o: f"{o}_number_format"
)
@pytest.mark.parametrize("fmt", ["AB-{nr}", "AB-{year}", "AB-{number:05q}", "AB-{0}", "AB-{"])
def test_an_unusable_number_format_is_refused_when_the_service_is_built(
    option: str, fmt: str
) -> None:
    from quote2order import ValidationError
    from quote2order.testing import MemoryStore

    with pytest.raises(ValidationError, match="number format"):
        Quote2Order(MemoryStore(), **{f"{option}_number_format": fmt})
