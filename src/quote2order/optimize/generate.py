"""Seeded random procurement problems for benchmarks and tests.

Two price regimes: ``hardware`` (expensive IT hardware, shipping small against the goods) and
``accessories`` (cheap goods where shipping, free-shipping thresholds and minimum order values
decide the plan).
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Literal

from quote2order.optimize.model import CartLine, Offer, ProcurementProblem, SupplierTerms

Regime = Literal["hardware", "accessories"]
REGIMES: tuple[Regime, ...] = ("hardware", "accessories")

_CENT = Decimal("0.01")


def _amount(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(_CENT)


def random_problem(
    lines: int, suppliers: int, regime: Regime = "hardware", seed: int = 0
) -> ProcurementProblem:
    """A reproducible problem with ``lines`` cart lines and ``suppliers`` suppliers.

    Each supplier stocks a random share of the products at its own price level; every product
    has at least one offer.
    """
    rng = random.Random(f"{regime}:{lines}:{suppliers}:{seed}")
    hardware = regime == "hardware"
    cart: list[CartLine] = []
    base: list[float] = []
    for i in range(lines):
        base.append(rng.uniform(150, 2500) if hardware else rng.uniform(2, 40))
        quantity = rng.randint(1, 4) if hardware else rng.choice((1, 1, 2, 3, 5, 10))
        cart.append(CartLine(f"L{i + 1}", f"P{i + 1}", quantity))
    terms: list[SupplierTerms] = []
    level: list[float] = []
    share: list[float] = []
    partner: list[bool] = []
    for s in range(suppliers):
        level.append(rng.uniform(0.94, 1.08))
        share.append(rng.uniform(0.15, 0.5))
        partner.append(rng.random() < 0.3)
        if hardware:
            shipping = rng.uniform(8, 30)
            threshold = rng.choice((None, rng.uniform(400, 2500)))
            minimum = rng.choice((0.0, 0.0, rng.uniform(50, 300)))
        else:
            shipping = rng.uniform(4.9, 12)
            threshold = rng.choice((None, rng.uniform(40, 150), rng.uniform(40, 150)))
            minimum = rng.choice((0.0, rng.uniform(15, 60)))
        terms.append(
            SupplierTerms(
                f"S{s + 1}",
                _amount(shipping),
                None if threshold is None else _amount(threshold),
                _amount(minimum),
            )
        )
    offers: list[Offer] = []
    spread = 0.06 if hardware else 0.2
    for i, line in enumerate(cart):
        stocking = [s for s in range(suppliers) if rng.random() < share[s]]
        if not stocking:
            stocking = [rng.randrange(suppliers)]
        for s in stocking:
            price = base[i] * level[s] * rng.uniform(1 - spread, 1 + spread)
            stock = (
                rng.randint(0, line.quantity)
                if rng.random() < 0.1
                else rng.randint(line.quantity, 5 * line.quantity + 5)
            )
            offers.append(
                Offer(
                    f"S{s + 1}",
                    line.product_id,
                    _amount(price),
                    stock,
                    rng.randint(1, 10),
                    partner[s],
                )
            )
    return ProcurementProblem("EUR", cart, offers, terms)
