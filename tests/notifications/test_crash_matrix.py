"""Faults at every step of a notifying command: state and outbox entry commit together or not at all."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

import pytest

from quote2order import OrderStatus, QuoteStatus, Shipment
from quote2order.adapters.memory import MemoryUnitOfWork
from tests.stores import committed_state

from .conftest import World, position

POINTS = ["before_state_write", "after_state_write", "after_outbox_insert", "at_commit"]


class Fault(Exception):
    """The injected failure."""


class _Armed:
    point: str | None = None

    def hit(self, point: str) -> None:
        if self.point == point:
            raise Fault(point)


class _Repository:
    """Passes every call through; raises around ``save`` when armed."""

    def __init__(self, inner: Any, armed: _Armed) -> None:
        self._inner = inner
        self._armed = armed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def save(self, aggregate: Any) -> None:
        self._armed.hit("before_state_write")
        self._inner.save(aggregate)
        self._armed.hit("after_state_write")


class _Outbox:
    def __init__(self, inner: Any, armed: _Armed) -> None:
        self._inner = inner
        self._armed = armed

    def add(self, entry: Any) -> None:
        self._inner.add(entry)
        self._armed.hit("after_outbox_insert")


class FaultyUnitOfWork:
    """A memory unit of work that fails at the armed point."""

    def __init__(self, inner: MemoryUnitOfWork, armed: _Armed) -> None:
        self._inner = inner
        self._armed = armed
        self.quotes = _Repository(inner.quotes, armed)
        self.orders = _Repository(inner.orders, armed)
        self.outbox = _Outbox(inner.outbox, armed)
        self.events = inner.events
        self.sequences = inner.sequences
        self.idempotency = inner.idempotency
        self.documents = inner.documents

    def __enter__(self) -> FaultyUnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._inner.__exit__(exc_type, exc, tb)

    def commit(self) -> None:
        self._armed.hit("at_commit")
        self._inner.commit()

    def rollback(self) -> None:
        self._inner.rollback()


def _world(store: Any) -> tuple[World, _Armed]:
    armed = _Armed()
    world = World(uow_factory=lambda: FaultyUnitOfWork(store.unit_of_work(), armed))
    world.store = store
    return world, armed


Action = Callable[[World], Callable[[], Any]]


def _confirm(world: World) -> Callable[[], Any]:
    order = world.order()
    return lambda: world.service.confirm_order(order.order_id)


def _complete(world: World) -> Callable[[], Any]:
    order = world.order()
    world.service.confirm_order(order.order_id)
    return lambda: world.service.complete_order(
        order.order_id, [Shipment("UPS", "1Z999AA10123456784")]
    )


def _invoice(world: World) -> Callable[[], Any]:
    order = world.order()
    world.service.confirm_order(order.order_id)
    world.service.complete_order(order.order_id)
    return lambda: world.service.invoice_order(order.order_id)


def _new_version(world: World) -> Callable[[], Any]:
    quote_id = world.sent_quote()
    world.service.mark_quote_lost(quote_id)
    world.service.reopen_quote(quote_id)
    world.service.edit_quote(
        quote_id, positions=[position(1), position(9, name="Apple Pencil 2nd Generation")]
    )
    return lambda: world.service.send_quote(quote_id)


ACTIONS: dict[str, Action] = {
    "confirm_order": _confirm,
    "complete_order": _complete,
    "invoice_order": _invoice,
    "send_quote_version_2": _new_version,
}


def _state(world: World) -> dict[str, object]:
    # Number series are gap-tolerant: a fault after a number was taken leaves a gap.
    state = committed_state(world.store)
    state.pop("sequences")
    return state


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_fault_leaves_neither_state_nor_outbox_entry_and_a_rerun_records_both(
    action: str, point: str, new_store: Callable[[], Any]
) -> None:
    world, armed = _world(new_store())
    run = ACTIONS[action](world)
    before = _state(world)
    entries_before = {e.entry_id for e in world.store.outbox_store.list()}
    documents_before = set(world.documents())

    armed.point = point
    with pytest.raises(Fault):
        run()
    assert _state(world) == before

    armed.point = None
    run()
    new_entries = [e for e in world.store.outbox_store.list() if e.entry_id not in entries_before]
    new_documents = [d for i, d in world.documents().items() if i not in documents_before]
    assert len(new_entries) == 2  # e-mail and portal
    assert len(new_documents) == 1
    assert {e.payload["document_id"] for e in new_entries} == {new_documents[0].document_id}
    aggregate = new_documents[0].aggregate_id
    if action == "send_quote_version_2":
        assert world.service.get_quote(aggregate).status is QuoteStatus.SENT
    else:
        expected = {
            "confirm_order": OrderStatus.CONFIRMED,
            "complete_order": OrderStatus.COMPLETED,
            "invoice_order": OrderStatus.INVOICED,
        }
        assert world.service.get_order(aggregate).status is expected[action]
