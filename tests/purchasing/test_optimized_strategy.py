"""Checkout with the procurement optimizer as its strategy."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quote2order import Money, StaticOfferSource
from quote2order.purchasing import CheapestInStock, OptimizedStrategy

from .conftest import RESELLER, Shop, catalog, offer, terms

# Two cheap accessories: per line, "beta" and "gamma" are cheapest, but each charges
# shipping; "alpha" is a little dearer per unit and ships everything free.
OFFERS = StaticOfferSource(
    [
        offer("alpha", "CABLE", "5.00", 100),
        offer("beta", "CABLE", "4.50", 100),
        offer("alpha", "MOUSE", "20.00", 100),
        offer("gamma", "MOUSE", "19.00", 100),
    ],
    [terms("alpha", "0"), terms("beta", "9.90"), terms("gamma", "9.90")],
)


def _cart(shop: Shop) -> None:
    first = shop.order(catalog("1", "CABLE", 4), catalog("2", "MOUSE", 2))
    second = shop.order(catalog("1", "MOUSE", 1))
    shop.service.add_to_cart(first.order_id)
    shop.service.add_to_cart(second.order_id)


def _spent(result: object) -> Money:
    orders = result.purchase_orders  # type: ignore[attr-defined]
    return Money.sum((po.total for po in orders), "EUR")


@pytest.mark.parametrize("method", ["milp", "heuristic"])
def test_optimized_checkout_consolidates_where_cheapest_per_line_pays_shipping_twice(
    method: str,
) -> None:
    cheapest, optimized = Shop(), Shop()
    for shop in (cheapest, optimized):
        _cart(shop)
    naive = cheapest.service.checkout(RESELLER, OFFERS, strategy=CheapestInStock())
    strategy = OptimizedStrategy(method=method)  # type: ignore[arg-type]
    smart = optimized.service.checkout(RESELLER, OFFERS, strategy=strategy)
    assert sorted(po.supplier_id for po in naive.purchase_orders) == ["beta", "gamma"]
    assert [po.supplier_id for po in smart.purchase_orders] == ["alpha"]
    # 4 x 5.00 + 3 x 20.00 from alpha, shipping free, against 18.00 + 57.00 + 2 x 9.90.
    assert _spent(smart) == Money("80.00", "EUR")
    assert _spent(naive) == Money("94.80", "EUR")
    assert strategy.last_plan is not None
    assert strategy.last_plan.total == Decimal("80.00")


def test_a_line_the_optimizer_can_cover_only_in_part_stays_in_the_cart(shop: Shop) -> None:
    order = shop.order(catalog("1", "CABLE", 4), catalog("2", "MOUSE", 5))
    shop.service.add_to_cart(order.order_id)
    scarce = StaticOfferSource(
        [offer("alpha", "CABLE", "5.00", 100), offer("alpha", "MOUSE", "20.00", 3)],
        [terms("alpha", "0")],
    )
    result = shop.service.checkout(RESELLER, scarce, strategy=OptimizedStrategy())
    assert [line.product_id for po in result.purchase_orders for line in po.lines] == ["CABLE"]
    assert [u.product_id for u in result.uncovered] == ["MOUSE"]
    assert [line.product_id for line in shop.service.get_cart(RESELLER).lines] == ["MOUSE"]


def test_importing_purchasing_does_not_import_the_optimizer_or_highspy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, quote2order.purchasing; "
        "print(any(m.startswith(('quote2order.optimize', 'highspy')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
