"""Lifecycles: one shared machine per aggregate type, Enum states, one transition table."""

from __future__ import annotations

import enum
import gc
import re
import sys
from datetime import UTC, date, datetime

import attrs
import pytest

from quote2order import (
    ORDER_LIFECYCLE,
    QUOTE_LIFECYCLE,
    InvalidTransition,
    Order,
    OrderStatus,
    QuoteStatus,
)
from quote2order.lifecycle import ORDER_TRANSITIONS, QUOTE_TRANSITIONS, Lifecycle
from quote2order.quotes import Customer

NOW = datetime(2026, 1, 15, tzinfo=UTC)
CUSTOMER = Customer("C-1", "Anna", "anna@example.com")

LIFECYCLES = [
    pytest.param(QUOTE_LIFECYCLE, QUOTE_TRANSITIONS, QuoteStatus, id="quote"),
    pytest.param(ORDER_LIFECYCLE, ORDER_TRANSITIONS, OrderStatus, id="order"),
]


def new_order(number: int) -> Order:
    return Order(
        order_id=f"order-{number}",
        order_number=f"AB-{number}",
        reseller_id="R-1",
        quote_id=f"quote-{number}",
        quote_version=1,
        customer=CUSTOMER,
        currency="EUR",
        positions=(),
        created_at=NOW,
    )


@pytest.mark.parametrize(("lifecycle", "table", "states"), LIFECYCLES)
def test_states_are_the_enum_and_there_are_no_auto_transitions(
    lifecycle: Lifecycle[enum.Enum], table: object, states: type[enum.Enum]
) -> None:
    machine = lifecycle.machine
    assert machine.auto_transitions is False
    assert set(machine.states) == {s.name for s in states}
    assert all(isinstance(machine.get_state(s.name).value, states) for s in states)
    assert not any(name.startswith("to_") for name in machine.events)
    assert set(machine.events) == {action for action, _, _ in table}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("lifecycle", "table", "states"), LIFECYCLES)
def test_allowed_actions_follow_the_transition_table(
    lifecycle: Lifecycle[enum.Enum], table: object, states: type[enum.Enum]
) -> None:
    for state in states:
        expected = {action for action, sources, _ in table if state in sources}  # type: ignore[attr-defined]
        assert lifecycle.allowed_actions(state) == expected


@pytest.mark.parametrize(("lifecycle", "table", "states"), LIFECYCLES)
def test_mermaid_lists_exactly_the_transitions_of_the_table(
    lifecycle: Lifecycle[enum.Enum], table: object, states: type[enum.Enum]
) -> None:
    text = lifecycle.mermaid()
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert f"    [*] --> {lifecycle.initial.name}" in lines
    edges = {
        m.groups() for line in lines if (m := re.fullmatch(r"    (\w+) --> (\w+): (\w+)", line))
    }
    expected = {
        (source.name, (dest or source).name, action)
        for action, sources, dest in table  # type: ignore[attr-defined]
        for source in sources
    }
    assert edges == expected
    assert len([line for line in lines if ": " in line]) == len(expected)  # no duplicates
    finals = {m.group(1) for line in lines if (m := re.fullmatch(r"    (\w+) --> \[\*\]", line))}
    assert finals == {s.name for s in states if not lifecycle.allowed_actions(s)}


def test_order_final_states_are_invoiced_and_rejected() -> None:
    finals = {s for s in OrderStatus if not ORDER_LIFECYCLE.allowed_actions(s)}
    assert finals == {OrderStatus.INVOICED, OrderStatus.REJECTED}


def test_one_machine_is_shared_and_firing_attaches_no_model() -> None:
    orders = [new_order(i) for i in range(1000)]
    for order in orders:
        ORDER_LIFECYCLE.fire(order, "confirm")
    assert all(o.status is OrderStatus.CONFIRMED for o in orders)
    assert ORDER_LIFECYCLE.machine.models == []
    assert QUOTE_LIFECYCLE.machine.models == []
    assert ORDER_LIFECYCLE.machine is ORDER_LIFECYCLE.machine  # module-level, built once
    # No trigger methods were attached to the objects.
    assert not hasattr(orders[0], "confirm_order")
    assert not hasattr(orders[0], "trigger")
    assert not hasattr(orders[0], "to_open")


def test_creating_and_moving_1000_orders_grows_nothing_in_the_machine() -> None:
    machine = ORDER_LIFECYCLE.machine
    sizes_before = (len(machine.models), len(machine.events), len(machine.states))
    gc.collect()
    refs_before = sys.getrefcount(machine)
    orders = [new_order(i) for i in range(1000)]
    for order in orders:
        ORDER_LIFECYCLE.fire(order, "confirm")
        ORDER_LIFECYCLE.fire(order, "complete")
    del orders
    gc.collect()
    assert (len(machine.models), len(machine.events), len(machine.states)) == sizes_before
    assert sys.getrefcount(machine) == refs_before


def test_firing_works_on_slotted_attrs_instances_and_with_equal_objects() -> None:
    """Two equal orders stay two independent objects (no de-duplication by value)."""
    first, second = new_order(1), new_order(1)
    assert first == second
    ORDER_LIFECYCLE.fire(first, "confirm")
    assert first.status is OrderStatus.CONFIRMED
    assert second.status is OrderStatus.OPEN
    assert not hasattr(first, "__dict__")  # slotted


def test_an_illegal_action_names_object_state_action_and_allowed_actions() -> None:
    order = new_order(7)
    with pytest.raises(InvalidTransition) as info:
        ORDER_LIFECYCLE.fire(order, "invoice")
    error = info.value
    assert (error.kind, error.object_id, error.state, error.action) == (
        "order",
        "order-7",
        "open",
        "invoice",
    )
    assert error.allowed == ("confirm", "reject")
    assert (
        str(error) == "cannot invoice order order-7 in state 'open'; allowed now: confirm, reject"
    )
    assert order.status is OrderStatus.OPEN


def test_an_unknown_action_is_an_invalid_transition_too() -> None:
    order = new_order(8)
    with pytest.raises(InvalidTransition):
        ORDER_LIFECYCLE.fire(order, "to_invoiced")
    assert order.status is OrderStatus.OPEN


def test_an_action_in_a_final_state_lists_no_allowed_actions() -> None:
    order = attrs.evolve(new_order(9), status=OrderStatus.INVOICED)
    with pytest.raises(InvalidTransition, match="allowed now: none"):
        ORDER_LIFECYCLE.fire(order, "reject")


def test_illegal_quote_actions_on_the_model_change_nothing() -> None:
    from quote2order import Quote

    quote, _ = Quote.create(
        quote_id="q-1",
        reseller_id="R-1",
        customer=CUSTOMER,
        currency="EUR",
        link_token_hash="h",
        title="T",
        positions=[],
        valid_until=date(2026, 2, 1),
        now=NOW,
        actor="reseller",
    )
    before = quote.copy()
    for attempt in (
        lambda: quote.accept(version=1, order_id="o", now=NOW, actor="c"),
        lambda: quote.mark_lost(now=NOW, actor="r"),
        lambda: quote.reopen(now=NOW, actor="r"),
        lambda: quote.expire(now=NOW, actor="s"),
        lambda: quote.reject(order_id="o", now=NOW, actor="r"),
    ):
        with pytest.raises(InvalidTransition):
            attempt()
        assert quote == before


def test_every_state_is_reachable_from_the_initial_state() -> None:
    for lifecycle, table in (
        (QUOTE_LIFECYCLE, QUOTE_TRANSITIONS),
        (ORDER_LIFECYCLE, ORDER_TRANSITIONS),
    ):
        reached = {lifecycle.initial}
        frontier = [lifecycle.initial]
        while frontier:
            state = frontier.pop()
            for _, sources, dest in table:  # type: ignore[attr-defined]
                if state in sources and dest is not None and dest not in reached:
                    reached.add(dest)
                    frontier.append(dest)
        assert reached == set(lifecycle.states)
