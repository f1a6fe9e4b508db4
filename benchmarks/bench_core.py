"""Core benchmark: lifecycle actions per second, each layer next to a plain dict table.

    PYTHONPATH=src python benchmarks/bench_core.py [--quick] [--repeats N]

Layers measured in the same run:

* service:   ``Quote2Order`` commands on the in-memory store (confirm, complete, invoice on
             fresh orders; mark_lost, reopen, edit, send on quotes), one unit of work each;
* lifecycle: ``ORDER_LIFECYCLE.fire(order, action)`` on Order objects (the shared machine);
* baseline:  a hand-written ``{(state, action): dest}`` lookup plus ``setattr``, on the same
             kind of objects, with the same legality check (KeyError for an illegal move).

Each figure is the median of several repeats (``time.perf_counter``). Targets: at least
20,000 service actions/s in memory; at most 25 us per action in the lifecycle layer.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from quote2order import (
    ORDER_LIFECYCLE,
    CatalogProduct,
    Customer,
    Money,
    Order,
    OrderStatus,
    Position,
    PositionKind,
    Quote2Order,
    Shipment,
    VatRate,
)
from quote2order.lifecycle import ORDER_TRANSITIONS
from quote2order.testing import CountingIds, FixedClock, MemoryStore

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
CUSTOMER = Customer("C-1", "Anna Berger", "anna@example.com")
VAT = VatRate("19")
POSITIONS = [
    Position(
        "P1",
        PositionKind.CATALOG,
        "Apple iPad Air 13-inch (M2)",
        Decimal(3),
        Money("849.00", "EUR"),
        VAT,
        product=CatalogProduct("ipad-air-13", "MV2D3FD/A", "Apple iPad Air 13-inch (M2)"),
    ),
    Position("P2", PositionKind.FREE_TEXT, "Setup", Decimal(3), Money("45.00", "EUR"), VAT),
    Position("P3", PositionKind.CUSTOM, "Sleeve", Decimal(3), Money("29.90", "EUR"), VAT),
]
ORDER_ACTIONS = ("confirm", "complete", "invoice")

# The baseline: the same table as a dict, {(state, action): destination}.
DICT_TABLE: dict[tuple[OrderStatus, str], OrderStatus] = {
    (source, action): dest if dest is not None else source
    for action, sources, dest in ORDER_TRANSITIONS
    for source in sources
}


def dict_fire(obj: Order, action: str) -> None:
    """The hand-written baseline: a dict lookup and a setattr."""
    try:
        dest = DICT_TABLE[(obj.status, action)]
    except KeyError:
        raise ValueError(f"cannot {action} in {obj.status}") from None
    obj.status = dest


def new_service() -> tuple[Quote2Order, FixedClock]:
    clock = FixedClock(NOW)
    return Quote2Order(MemoryStore(), clock=clock, ids=CountingIds()), clock


def open_orders(service: Quote2Order, count: int) -> list[str]:
    """``count`` open orders (set-up work, not timed)."""
    ids = []
    for _ in range(count):
        created = service.create_quote(
            reseller_id="R-1",
            customer=CUSTOMER,
            title="Bench",
            positions=POSITIONS,
            valid_until=date(2026, 12, 31),
        )
        service.send_quote(created.quote.quote_id)
        ids.append(service.accept_quote(created.link_token, 1).order_id)
    return ids


def plain_orders(count: int) -> list[Order]:
    return [
        Order(
            order_id=f"order-{i}",
            order_number=f"AB-{i}",
            reseller_id="R-1",
            quote_id=f"quote-{i}",
            quote_version=1,
            customer=CUSTOMER,
            currency="EUR",
            positions=tuple(POSITIONS),
            created_at=NOW,
        )
        for i in range(count)
    ]


def timed(run: Callable[[], int]) -> tuple[float, int]:
    """Seconds and action count of one run, with the garbage collector paused."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        actions = run()
        return time.perf_counter() - start, actions
    finally:
        gc.enable()


def bench_service_orders(count: int) -> tuple[float, int]:
    service, _ = new_service()
    ids = open_orders(service, count)
    shipments = [Shipment("DHL", "JJD0001")]

    def run() -> int:
        for order_id in ids:
            service.confirm_order(order_id)
            service.complete_order(order_id, shipments)
            service.invoice_order(order_id)
        return 3 * len(ids)

    return timed(run)


def bench_service_quotes(count: int, cycles: int = 5) -> tuple[float, int]:
    """mark_lost, reopen, edit, send: ``cycles`` rounds on each of ``count`` sent quotes."""
    service, _ = new_service()
    quote_ids = []
    for _ in range(count):
        created = service.create_quote(
            reseller_id="R-1",
            customer=CUSTOMER,
            title="Bench",
            positions=POSITIONS,
            valid_until=date(2026, 12, 31),
        )
        service.send_quote(created.quote.quote_id)
        quote_ids.append(created.quote.quote_id)
    edited = POSITIONS[:2]

    def run() -> int:
        for _ in range(cycles):
            for quote_id in quote_ids:
                service.mark_quote_lost(quote_id)
                service.reopen_quote(quote_id)
                service.edit_quote(quote_id, positions=edited)
                service.send_quote(quote_id)
        return 4 * cycles * len(quote_ids)

    return timed(run)


def bench_layer(fire: Callable[[Order, str], None], count: int) -> tuple[float, int]:
    orders = plain_orders(count)

    def run() -> int:
        for order in orders:
            for action in ORDER_ACTIONS:
                fire(order, action)
        return len(ORDER_ACTIONS) * len(orders)

    seconds, actions = timed(run)
    assert all(o.status is OrderStatus.INVOICED for o in orders)
    return seconds, actions


def lifecycle_fire(order: Order, action: str) -> None:
    ORDER_LIFECYCLE.fire(order, action)


def median_rate(bench: Callable[[], tuple[float, int]], repeats: int) -> tuple[float, float]:
    """Median actions per second and microseconds per action over ``repeats`` runs."""
    rates = []
    for _ in range(repeats):
        seconds, actions = bench()
        rates.append(actions / seconds)
    rate = statistics.median(rates)
    return rate, 1e6 / rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (under 30 s)")
    parser.add_argument("--repeats", type=int, default=None, help="runs per figure (median)")
    args = parser.parse_args(argv)
    orders = 300 if args.quick else 2000
    quotes = 100 if args.quick else 500
    layer = 3000 if args.quick else 20000
    repeats = args.repeats or (5 if args.quick else 7)

    rows: list[tuple[str, float, float, float | None]] = []
    baseline_rate, baseline_us = median_rate(lambda: bench_layer(dict_fire, layer), repeats)
    rows.append(("dict table baseline (lookup + setattr)", baseline_rate, baseline_us, 1.0))
    rate, us = median_rate(lambda: bench_layer(lifecycle_fire, layer), repeats)
    rows.append(("lifecycle layer: ORDER_LIFECYCLE.fire", rate, us, us / baseline_us))
    lifecycle_us = us
    rate, us = median_rate(lambda: bench_service_orders(orders), repeats)
    rows.append(("service, memory: confirm/complete/invoice", rate, us, us / baseline_us))
    service_rate = rate
    rate, us = median_rate(lambda: bench_service_quotes(quotes), repeats)
    rows.append(("service, memory: lost/reopen/edit/send", rate, us, us / baseline_us))
    service_rate = min(service_rate, rate)

    print(f"quote2order core benchmark (Python {sys.version.split()[0]}, median of {repeats})")
    print(f"{'layer':<44} {'actions/s':>12} {'us/action':>10} {'x dict':>8}")
    for name, rate, us, ratio in rows:
        ratio_text = f"{ratio:8.1f}" if ratio is not None else ""
        print(f"{name:<44} {rate:>12,.0f} {us:>10.2f} {ratio_text}")
    service_ok = service_rate >= 20_000
    layer_ok = lifecycle_us <= 25
    print()
    print(
        f"target service >= 20,000 actions/s: {'met' if service_ok else 'MISSED'} "
        f"({service_rate:,.0f}/s, slower of the two service rows)"
    )
    print(
        f"target lifecycle layer <= 25 us/action: {'met' if layer_ok else 'MISSED'} "
        f"({lifecycle_us:.2f} us)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
