"""Storage throughput: order saves and loads per store, and concurrent confirms.

    python benchmarks/bench_storage.py            # full run
    python benchmarks/bench_storage.py --quick    # under a minute
    python benchmarks/bench_storage.py --postgres "host=127.0.0.1 dbname=test user=postgres"

Each order has 20 positions. "save" adds a new order in its own unit of work and commits;
"load" reads one in its own unit of work; "update" loads, changes and saves one. The
memory store is the baseline. The confirm benchmark runs 8 worker threads on PostgreSQL,
each confirming fresh orders through ``Quote2Order.confirm_order``; then counts lost
updates (an order not confirmed exactly once, with exactly one OrderConfirmed event).
The contended run has the 8 workers save one shared order through ``with_retry``;
lost updates are the commands that returned but are missing from its revision.
Targets: >= 2,000 order saves/s on a SQLite file; >= 500 confirms/s on PostgreSQL with
8 workers and 0 lost updates.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from quote2order import (
    CatalogProduct,
    Customer,
    Money,
    Order,
    OrderStatus,
    Position,
    PositionKind,
    Quote,
    Quote2Order,
    VatRate,
)
from quote2order.adapters.memory import MemoryStore
from quote2order.adapters.sqlite import SqliteStore

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
CUSTOMER = Customer("customer-1", "Muster AG", "einkauf@muster.example", company="Muster AG")
POSITIONS = tuple(
    Position(
        f"pos-{i}",
        PositionKind.CATALOG,
        f"Notebook Modell {i}",
        Decimal(i),
        Money("1299.90", "EUR"),
        VatRate("19"),
        discount=Decimal("2.5"),
        product=CatalogProduct(f"prod-{i}", f"MPN-{i:05d}", f"Notebook Modell {i}"),
    )
    for i in range(1, 21)
)
QUOTE, _ = Quote.create(
    quote_id="quote-template",
    reseller_id="reseller-1",
    customer=CUSTOMER,
    currency="EUR",
    link_token_hash="x",
    title="Arbeitsplätze",
    positions=POSITIONS,
    valid_until=date(2099, 12, 31),
    now=NOW,
    actor="reseller",
)


def new_order() -> Order:
    """A fresh open order with 20 positions, for its own quote."""
    order, _ = Order.from_quote(
        QUOTE, order_id=uuid.uuid4().hex, order_number="AB-1", now=NOW, actor="customer"
    )
    order.quote_id = uuid.uuid4().hex
    return order


def rate(count: int, run: Callable[[], None]) -> float:
    """Operations per second of ``run`` doing ``count`` operations."""
    start = time.perf_counter()
    run()
    return count / (time.perf_counter() - start)


def bench_orders(store: Any, count: int) -> dict[str, float]:
    """Saves, loads and updates per second of 20-position orders."""
    orders = [new_order() for _ in range(count)]

    def save() -> None:
        for order in orders:
            with store.unit_of_work() as uow:
                uow.orders.add(order)
                uow.commit()

    def load() -> None:
        for order in orders:
            with store.unit_of_work() as uow:
                uow.orders.get(order.order_id)

    def update() -> None:
        for order in orders:
            with store.unit_of_work() as uow:
                loaded = uow.orders.get(order.order_id)
                loaded.confirm(now=NOW, actor="bench")
                uow.orders.save(loaded)
                uow.commit()

    return {
        "save/s": rate(count, save),
        "load/s": rate(count, load),
        "update/s": rate(count, update),
    }


def in_threads(workers: int, job: Callable[[int], None]) -> float:
    """Seconds for ``workers`` threads to run ``job(i)`` from a common start."""
    barrier = threading.Barrier(workers + 1)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            job(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - start


def bench_confirms(store: Any, workers: int, per_worker: int) -> tuple[float, int]:
    """Confirms/s of fresh orders with ``workers`` threads, and the lost updates."""
    app = Quote2Order(store)
    ids = [[] for _ in range(workers)]  # type: list[list[str]]
    for i in range(workers):
        for _ in range(per_worker):
            order = new_order()
            with store.unit_of_work() as uow:
                uow.orders.add(order)
                uow.commit()
            ids[i].append(order.order_id)

    def confirm(i: int) -> None:
        for order_id in ids[i]:
            app.with_retry(lambda order_id=order_id: app.confirm_order(order_id))

    seconds = in_threads(workers, confirm)
    lost = 0
    for order_id in (order_id for chunk in ids for order_id in chunk):
        order = app.get_order(order_id)
        events = [e.name for e in app.history("order", order_id)]
        if (order.status, order.revision, events.count("OrderConfirmed")) != (
            OrderStatus.CONFIRMED,
            1,
            1,
        ):
            lost += 1
    return workers * per_worker / seconds, lost


def bench_contended(store: Any, workers: int, per_worker: int) -> tuple[float, int]:
    """Saves/s of one shared order by ``workers`` threads with retry, and lost updates."""
    app = Quote2Order(store)
    order = new_order()
    with store.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()

    def touch() -> None:
        with store.unit_of_work() as uow:
            uow.orders.save(uow.orders.get(order.order_id))
            uow.commit()

    def work(_: int) -> None:
        for _ in range(per_worker):
            app.with_retry(touch, attempts=400, base_delay=0.0005, max_delay=0.02)

    seconds = in_threads(workers, work)
    with store.unit_of_work() as uow:
        revision = uow.orders.get(order.order_id).revision
    return workers * per_worker / seconds, workers * per_worker - revision


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer operations (< 60 s)")
    parser.add_argument(
        "--postgres",
        default="host=127.0.0.1 port=5432 dbname=test user=postgres",
        help="conninfo of a PostgreSQL server ('' to skip it)",
    )
    args = parser.parse_args(argv)
    count = 500 if args.quick else 3000
    per_worker = 100 if args.quick else 500

    rows: list[tuple[str, str, float, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        stores: list[tuple[str, Any]] = [
            ("memory", MemoryStore()),
            ("sqlite :memory:", SqliteStore(":memory:")),
            ("sqlite file", SqliteStore(Path(folder) / "bench.db")),
            ("sqlite file FULL", SqliteStore(Path(folder) / "full.db", synchronous="FULL")),
        ]
        pg_store = None
        if args.postgres:
            try:
                from quote2order.adapters.postgres import PostgresStore

                pg_store = PostgresStore(args.postgres, f"q2o_bench_{uuid.uuid4().hex[:8]}")
                stores.append(("postgresql", pg_store))
            except Exception as exc:  # the benchmark still reports the other stores
                print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        try:
            for name, store in stores:
                for metric, value in bench_orders(store, count).items():
                    rows.append((name, f"order (20 positions) {metric}", value, ""))
            for name, store in [s for s in stores if s[0] in ("sqlite file", "postgresql")]:
                per_second, lost = bench_confirms(store, 8, per_worker)
                rows.append(
                    (name, "confirm/s, 8 threads, fresh orders", per_second, f"lost {lost}")
                )
                per_second, lost = bench_contended(store, 8, per_worker // 4)
                rows.append(
                    (name, "save/s, 8 threads, one order + retry", per_second, f"lost {lost}")
                )
        finally:
            for _, store in stores:
                if pg_store is not None and store is pg_store:
                    store.drop_schema()
                if hasattr(store, "close"):
                    store.close()

    print(f"{'store':<17} {'measure':<42} {'per second':>11}  note")
    for name, measure, value, note in rows:
        print(f"{name:<17} {measure:<42} {value:>11,.0f}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
