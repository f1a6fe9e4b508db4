"""Concurrent writers on the stores that several threads and processes share.

Threads race through separate store handles (each its own connections, as separate
processes would have); the idempotency and sequence checks use real processes.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import date
from typing import Any, TypeVar

from contract_workers import accept_with_key, take_numbers

from quote2order import ConcurrencyError, InvalidTransition, OrderStatus, Quote2Order
from quote2order.testing.contract import CUSTOMER, make_order, make_positions

T = TypeVar("T")


def _add_order(store: Any) -> str:
    with store.unit_of_work() as uow:
        uow.orders.add(make_order())
        uow.commit()
    return "order-1"


def _in_threads(workers: int, job: Callable[[int], T]) -> list[T | BaseException]:
    """Run ``job(i)`` in ``workers`` threads at once; results or raised errors."""
    start = threading.Barrier(workers)

    def run(i: int) -> T | BaseException:
        start.wait()
        try:
            return job(i)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, range(workers)))


def _spec(store: Any) -> tuple[str, ...]:
    if type(store).__name__ == "SqliteStore":
        return ("sqlite", store.path)
    return ("postgres", store._dialect.conninfo, store.schema)


def test_two_writers_on_one_order_one_wins_and_one_gets_concurrency_error(
    durable_reopen: Any,
) -> None:
    stores = [durable_reopen(), durable_reopen()]
    order_id = _add_order(stores[0])
    loaded = threading.Barrier(2)

    def confirm(i: int) -> str:
        with stores[i].unit_of_work() as uow:
            order = uow.orders.get(order_id)
            loaded.wait()  # both hold revision 0 before either commits
            order.confirm(now=order.created_at, actor=f"worker-{i}")
            uow.orders.save(order)
            uow.commit()
        return "won"

    results = _in_threads(2, confirm)
    assert results.count("won") == 1
    assert sum(isinstance(r, ConcurrencyError) for r in results) == 1
    with stores[0].unit_of_work() as uow:
        assert uow.orders.get(order_id).revision == 1


def test_sixteen_workers_with_retry_lose_no_update(durable_reopen: Any) -> None:
    """16 workers x 250 conflicting saves of one order: the revision counts every one."""
    workers, commands = 16, 250
    stores = [durable_reopen() for _ in range(workers)]
    order_id = _add_order(stores[0])
    apps = [Quote2Order(store) for store in stores]

    def touch(i: int) -> int:
        store = stores[i]

        def command() -> None:
            with store.unit_of_work() as uow:
                uow.orders.save(uow.orders.get(order_id))
                uow.commit()

        for _ in range(commands):
            apps[i].with_retry(command, attempts=400, base_delay=0.0005, max_delay=0.02)
        return commands

    results = _in_threads(workers, touch)
    assert results == [commands] * workers
    with stores[0].unit_of_work() as uow:
        assert uow.orders.get(order_id).revision == workers * commands


def test_sixteen_workers_confirming_one_order_make_one_transition(durable_reopen: Any) -> None:
    workers = 16
    stores = [durable_reopen() for _ in range(workers)]
    order_id = _add_order(stores[0])
    apps = [Quote2Order(store) for store in stores]

    def confirm(i: int) -> OrderStatus:
        app = apps[i]
        return app.with_retry(lambda: app.confirm_order(order_id), attempts=50).status

    results = _in_threads(workers, confirm)
    assert results.count(OrderStatus.CONFIRMED) == 1
    assert all(isinstance(r, InvalidTransition) for r in results if r is not OrderStatus.CONFIRMED)
    history = apps[0].history("order", order_id)
    assert [e.name for e in history].count("OrderConfirmed") == 1
    assert apps[0].get_order(order_id).revision == 1


def _sent_quote(store: Any) -> str:
    app = Quote2Order(store)
    created = app.create_quote(
        reseller_id="reseller-1",
        customer=CUSTOMER,
        title="Server",
        positions=make_positions(1),
        valid_until=date(2099, 12, 31),
    )
    app.send_quote(created.quote.quote_id)
    return created.link_token


def test_same_idempotency_key_from_two_processes_has_one_effect(durable_reopen: Any) -> None:
    store = durable_reopen()
    token = _sent_quote(store)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=spawn) as pool:
        futures = [pool.submit(accept_with_key, _spec(store), token, "key-1") for _ in range(2)]
        order_ids = [f.result(timeout=120) for f in futures]
    assert order_ids[0] == order_ids[1]
    app = Quote2Order(store)
    assert [o.order_id for o in app.list_orders()] == order_ids[:1]
    assert [e.name for e in app.history("order", order_ids[0])] == ["OrderCreated"]


def test_same_idempotency_key_from_two_threads_has_one_effect(durable_reopen: Any) -> None:
    stores = [durable_reopen(), durable_reopen()]
    token = _sent_quote(stores[0])
    apps = [Quote2Order(store) for store in stores]

    def accept(i: int) -> str:
        app = apps[i]
        return app.with_retry(
            lambda: app.accept_quote(token, 1, idempotency_key="key-1"), attempts=20
        ).order_id

    results = _in_threads(2, accept)
    assert isinstance(results[0], str)
    assert results[0] == results[1]
    assert len(apps[0].list_orders()) == 1


def test_sequences_never_repeat_across_processes(durable_reopen: Any) -> None:
    store = durable_reopen()
    with store.unit_of_work() as uow:
        uow.sequences.next("order")  # the series exists before the race, and after it
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(3, mp_context=spawn) as pool:
        futures = [pool.submit(take_numbers, _spec(store), 100) for _ in range(3)]
        numbers = [n for f in futures for n in f.result(timeout=120)]
    assert sorted(numbers) == list(range(2, 302))
