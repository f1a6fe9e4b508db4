"""Benchmark: add-to-cart and checkout for 100 orders x 20 positions on the memory store.

Run: ``PYTHONPATH=src python benchmarks/bench_purchasing.py [--quick] [--orders N]``.
Target: add-to-cart of every order plus one checkout of the whole cart within 200 ms.
Prints figures only; it asserts nothing (timings are no unit test).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date
from decimal import Decimal

from quote2order import (
    CatalogProduct,
    Customer,
    Money,
    Position,
    PositionKind,
    Quote2Order,
    StaticOfferSource,
    SupplierOffer,
    SupplierTerms,
    VatRate,
)
from quote2order.testing import CountingIds, FixedClock, MemoryStore

RESELLER = "reseller-1"
SUPPLIERS = ("alpha", "beta", "gamma", "delta")


def build(orders: int, positions: int, products: int, seed: int) -> tuple[Quote2Order, list[str]]:
    """A service with ``orders`` confirmed orders of ``positions`` catalog positions each."""
    rng = random.Random(seed)
    service = Quote2Order(MemoryStore(), clock=FixedClock(), ids=CountingIds())
    order_ids = []
    for n in range(orders):
        chosen = rng.sample(range(products), positions)
        lines = [
            Position(
                str(i + 1),
                PositionKind.CATALOG,
                f"Product {p}",
                Decimal(rng.randint(1, 5)),
                Money("100", "EUR"),
                VatRate("19"),
                product=CatalogProduct(f"P{p}", f"MPN-{p}", f"Product {p}"),
            )
            for i, p in enumerate(chosen)
        ]
        created = service.create_quote(
            reseller_id=RESELLER,
            customer=Customer(f"c{n}", f"Customer {n}", f"c{n}@example.com"),
            title="Bench",
            positions=lines,
            valid_until=date(2026, 12, 31),
        )
        service.send_quote(created.quote.quote_id)
        order = service.mark_quote_won(created.quote.quote_id)
        order_ids.append(service.confirm_order(order.order_id).order_id)
    return service, order_ids


def offers(products: int, seed: int) -> StaticOfferSource:
    """Every supplier offers every product; stock sometimes forces a split."""
    rng = random.Random(seed)
    return StaticOfferSource(
        [
            SupplierOffer(s, f"P{p}", Money(str(rng.randint(50, 99)), "EUR"), rng.randint(0, 200))
            for p in range(products)
            for s in SUPPLIERS
        ],
        [SupplierTerms(s, Money("9.90", "EUR"), Money("500", "EUR")) for s in SUPPLIERS],
    )


def run_once(orders: int, positions: int, products: int, seed: int) -> tuple[float, float, str]:
    service, order_ids = build(orders, positions, products, seed)
    source = offers(products, seed)
    start = time.perf_counter()
    for order_id in order_ids:
        service.add_to_cart(order_id)
    added = time.perf_counter()
    result = service.checkout(RESELLER, source)
    done = time.perf_counter()
    allocations = sum(len(line.allocations) for po in result.purchase_orders for line in po.lines)
    summary = (
        f"{len(result.purchase_orders)} purchase orders, "
        f"{sum(len(po.lines) for po in result.purchase_orders)} lines serving "
        f"{allocations} order positions, {len(result.uncovered)} lines left in the cart"
    )
    return (added - start) * 1000, (done - added) * 1000, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one repetition")
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--positions", type=int, default=20)
    parser.add_argument("--products", type=int, default=200)
    args = parser.parse_args()
    repetitions = 1 if args.quick else 5
    adds, checkouts = [], []
    summary = ""
    for seed in range(repetitions):
        add_ms, checkout_ms, summary = run_once(args.orders, args.positions, args.products, seed)
        adds.append(add_ms)
        checkouts.append(checkout_ms)
    totals = [a + c for a, c in zip(adds, checkouts, strict=True)]
    print(
        f"purchasing on the memory store: {args.orders} orders x {args.positions} positions, "
        f"{args.products} products, {len(SUPPLIERS)} suppliers, {repetitions} run(s)"
    )
    print(f"  add to cart ({args.orders} calls): median {statistics.median(adds):7.1f} ms")
    print(f"  checkout (1 call):           median {statistics.median(checkouts):7.1f} ms")
    print(
        f"  together:                    median {statistics.median(totals):7.1f} ms"
        f" (best {min(totals):.1f} ms, target <= 200 ms)"
    )
    print(f"  last run: {summary}")


if __name__ == "__main__":
    main()
