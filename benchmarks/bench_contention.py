"""Write contention: 4 processes add one unit at a time to one reseller's purchasing cart.

    python benchmarks/bench_contention.py            # 4 processes x 200 commands per store
    python benchmarks/bench_contention.py --quick    # 4 x 50
    python benchmarks/bench_contention.py --postgres "host=127.0.0.1 dbname=test user=postgres"

Each process owns one confirmed order (one catalog position, quantity = commands) and runs
``service.with_retry(lambda: service.add_to_cart(order_id, {"pos-1": 1}))`` once per
command with the default retry budget. Every command changes the one shared cart row, so
all four processes conflict on it all the time. Reported per store: commands/s over the
whole run (wall clock, all processes), give-ups (a ``ConcurrencyError`` that
``with_retry`` let through), the attempts a command needed (median, worst), and a check
that nothing was lost or doubled: the cart holds exactly the units of the commands that
returned. Target: 0 give-ups with the defaults on SQLite and PostgreSQL.

Each store also runs the same load with the budget of earlier versions (5 attempts, 2 ms
base delay) as the baseline of the same run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from quote2order import (
    CatalogProduct,
    ConcurrencyError,
    Customer,
    Money,
    Position,
    PositionKind,
    Quote2Order,
    VatRate,
)

PROCESSES = 4


def _open(spec: tuple[str, ...]) -> Any:
    if spec[0] == "sqlite":
        from quote2order.adapters.sqlite import SqliteStore

        return SqliteStore(spec[1], migrate=False)
    from quote2order.adapters.postgres import PostgresStore

    return PostgresStore(spec[1], spec[2], migrate=False)


def _orders(service: Quote2Order, commands: int, reseller_id: str) -> list[str]:
    """One confirmed order per process, each with ``commands`` units of one product."""
    position = Position(
        "pos-1",
        PositionKind.CATALOG,
        "Notebook",
        Decimal(commands),
        Money("999.00", "EUR"),
        VatRate("19"),
        product=CatalogProduct("prod-1", "MPN-1", "Notebook"),
    )
    order_ids = []
    for n in range(PROCESSES):
        created = service.create_quote(
            reseller_id=reseller_id,
            customer=Customer(f"customer-{n}", f"Customer {n}", f"c{n}@example.com"),
            title="Notebooks",
            positions=[position],
            valid_until=date(2099, 12, 31),
        )
        service.send_quote(created.quote.quote_id)
        order = service.mark_quote_won(created.quote.quote_id)
        order_ids.append(service.confirm_order(order.order_id).order_id)
    return order_ids


#: The retry budgets compared: the defaults, and the earlier versions' budget.
BUDGETS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "5 x 2 ms (old)": {"attempts": 5, "base_delay": 0.002},
}


def _worker(
    spec: tuple[str, ...], order_id: str, commands: int, start: Any, budget: dict[str, Any]
) -> tuple[int, int, list[int]]:
    """Run the commands; returns (done, give-ups, attempts per done command)."""
    store = _open(spec)
    service = Quote2Order(store)
    attempts: list[int] = []
    give_ups = 0
    start.wait()
    for _ in range(commands):
        tries = 0

        def add() -> object:
            nonlocal tries
            tries += 1
            return service.add_to_cart(order_id, {"pos-1": Decimal(1)})

        try:
            service.with_retry(add, **budget)
        except ConcurrencyError:
            give_ups += 1
            continue
        attempts.append(tries)
    store.close()
    return len(attempts), give_ups, attempts


def run(name: str, spec: tuple[str, ...], commands: int, budget: str) -> dict[str, Any]:
    setup = _open(spec)
    service = Quote2Order(setup)
    reseller_id = f"reseller-{list(BUDGETS).index(budget) + 1}"  # a cart of its own per run
    order_ids = _orders(service, commands, reseller_id)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(PROCESSES + 1)
        with context.Pool(PROCESSES) as pool:
            pending = [
                pool.apply_async(_worker, (spec, order_id, commands, start, BUDGETS[budget]))
                for order_id in order_ids
            ]
            start.wait()
            began = time.perf_counter()
            results = [p.get() for p in pending]
            elapsed = time.perf_counter() - began
    done = sum(r[0] for r in results)
    give_ups = sum(r[1] for r in results)
    attempts = [a for r in results for a in r[2]]
    in_cart = sum(line.quantity for line in service.get_cart(reseller_id).lines)
    setup.close()
    return {
        "store": name,
        "budget": budget,
        "commands": PROCESSES * commands,
        "done": done,
        "give_ups": give_ups,
        "per_s": done / elapsed,
        "median_attempts": statistics.median(attempts) if attempts else 0,
        "worst_attempts": max(attempts, default=0),
        "exact": in_cart == done,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 x 50 commands")
    parser.add_argument(
        "--postgres",
        default="host=127.0.0.1 port=5432 dbname=test user=postgres",
        help="conninfo of a PostgreSQL server ('' to skip)",
    )
    args = parser.parse_args()
    commands = 50 if args.quick else 200
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        from quote2order.adapters.sqlite import SqliteStore

        path = str(Path(folder) / "contention.db")
        SqliteStore(path).close()
        for budget in BUDGETS:
            rows.append(run("sqlite file", ("sqlite", path), commands, budget))
    if args.postgres:
        try:
            from quote2order.adapters.postgres import PostgresStore

            schema = f"q2o_bench_{uuid.uuid4().hex[:8]}"
            pg = PostgresStore(args.postgres, schema)
        except Exception as exc:  # no server or no driver: report and go on
            print(f"postgresql skipped: {exc}", file=sys.stderr)
        else:
            try:
                for budget in BUDGETS:
                    spec = ("postgres", args.postgres, schema)
                    rows.append(run("postgresql", spec, commands, budget))
            finally:
                pg.drop_schema()
                pg.close()
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\n{PROCESSES} processes x {commands} add-to-cart commands on one cart ({started})")
    print(
        f"{'store':<12} {'retry budget':<15} {'commands':>8} {'done':>6} {'give-ups':>8} "
        f"{'cmd/s':>8} {'attempts median':>15} {'worst':>6} {'exact':>6}"
    )
    for row in rows:
        print(
            f"{row['store']:<12} {row['budget']:<15} {row['commands']:>8} {row['done']:>6} "
            f"{row['give_ups']:>8} "
            f"{row['per_s']:>8.0f} {row['median_attempts']:>15} {row['worst_attempts']:>6} "
            f"{row['exact']!s:>6}"
        )
    defaults = [r for r in rows if r["budget"] == "defaults"]
    return 0 if all(r["give_ups"] == 0 and r["exact"] for r in defaults) else 1


if __name__ == "__main__":
    sys.exit(main())
