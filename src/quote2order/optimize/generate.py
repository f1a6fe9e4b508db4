"""Seeded random procurement problems for benchmarks and tests, in several families.

* ``hardware``: expensive IT hardware; shipping is small against the goods.
* ``accessories``: cheap goods where shipping, thresholds and minimum order values matter.
* ``shipping``: shipping decides: goods 0.50-60, shipping 4.90-19.90, free-shipping thresholds
  of 40-250 at 60 % of the suppliers (many sit near theirs), minimum order values of 20-150 at a
  quarter, each supplier carrying 30-90 % of the products, a quarter of the offers short of the
  line's quantity.
* ``scarce``: large quantities and thin stock, so most lines are split over several suppliers.
* ``minimums``: minimum order values of 50-400 at 70 % of the suppliers.
* ``partners``: 60 % partner suppliers, for the ``partner-first`` strategy.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from quote2order.optimize.model import CartLine, Offer, ProcurementProblem, SupplierTerms

Regime = Literal["hardware", "accessories", "shipping", "scarce", "minimums", "partners"]
REGIMES: tuple[Regime, ...] = (
    "hardware",
    "accessories",
    "shipping",
    "scarce",
    "minimums",
    "partners",
)

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class _Family:
    price: tuple[float, float]  # base price per product
    quantities: tuple[int, ...]
    share: tuple[float, float]  # share of the products a supplier carries
    spread: float  # price spread between offers of one product
    shipping: tuple[float, float]
    threshold: tuple[float, float]
    threshold_share: float  # suppliers with a free-shipping threshold
    minimum: tuple[float, float]
    minimum_share: float  # suppliers with a minimum order value
    short_share: float  # offers with less stock than the line needs
    partner_share: float


_FAMILIES: dict[str, _Family] = {
    "hardware": _Family(
        price=(150, 2500),
        quantities=(1, 2, 3, 4),
        share=(0.15, 0.5),
        spread=0.06,
        shipping=(8, 30),
        threshold=(400, 2500),
        threshold_share=0.5,
        minimum=(50, 300),
        minimum_share=1 / 3,
        short_share=0.1,
        partner_share=0.3,
    ),
    "accessories": _Family(
        price=(2, 40),
        quantities=(1, 1, 2, 3, 5, 10),
        share=(0.15, 0.5),
        spread=0.2,
        shipping=(4.9, 12),
        threshold=(40, 150),
        threshold_share=2 / 3,
        minimum=(15, 60),
        minimum_share=0.5,
        short_share=0.1,
        partner_share=0.3,
    ),
    "shipping": _Family(
        price=(0.5, 60),
        quantities=(1, 1, 2, 3, 5, 10),
        share=(0.3, 0.9),
        spread=0.2,
        shipping=(4.9, 19.9),
        threshold=(40, 250),
        threshold_share=0.6,
        minimum=(20, 150),
        minimum_share=0.25,
        short_share=0.25,
        partner_share=0.3,
    ),
    "scarce": _Family(
        price=(5, 300),
        quantities=(10, 20, 30, 50),
        share=(0.2, 0.6),
        spread=0.15,
        shipping=(4.9, 15),
        threshold=(100, 1000),
        threshold_share=0.5,
        minimum=(30, 200),
        minimum_share=0.3,
        short_share=0.8,
        partner_share=0.3,
    ),
    "minimums": _Family(
        price=(2, 120),
        quantities=(1, 2, 3, 5, 10),
        share=(0.2, 0.6),
        spread=0.2,
        shipping=(4.9, 12),
        threshold=(80, 400),
        threshold_share=0.5,
        minimum=(50, 400),
        minimum_share=0.7,
        short_share=0.1,
        partner_share=0.3,
    ),
    "partners": _Family(
        price=(5, 500),
        quantities=(1, 2, 3, 5),
        share=(0.2, 0.6),
        spread=0.12,
        shipping=(4.9, 15),
        threshold=(100, 800),
        threshold_share=0.5,
        minimum=(20, 150),
        minimum_share=0.3,
        short_share=0.1,
        partner_share=0.6,
    ),
}


def _amount(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(_CENT)


def random_problem(
    lines: int, suppliers: int, regime: Regime = "hardware", seed: int = 0
) -> ProcurementProblem:
    """A reproducible problem with ``lines`` cart lines and ``suppliers`` suppliers.

    Each supplier stocks a random share of the products at its own price level; every product
    has at least one offer.
    """
    family = _FAMILIES[regime]
    rng = random.Random(f"{regime}:{lines}:{suppliers}:{seed}")
    cart: list[CartLine] = []
    base: list[float] = []
    for i in range(lines):
        base.append(rng.uniform(*family.price))
        cart.append(CartLine(f"L{i + 1}", f"P{i + 1}", rng.choice(family.quantities)))
    terms: list[SupplierTerms] = []
    level: list[float] = []
    share: list[float] = []
    partner: list[bool] = []
    for s in range(suppliers):
        level.append(rng.uniform(0.94, 1.08))
        share.append(rng.uniform(*family.share))
        partner.append(rng.random() < family.partner_share)
        shipping = rng.uniform(*family.shipping)
        threshold = (
            rng.uniform(*family.threshold) if rng.random() < family.threshold_share else None
        )
        minimum = rng.uniform(*family.minimum) if rng.random() < family.minimum_share else 0.0
        terms.append(
            SupplierTerms(
                f"S{s + 1}",
                _amount(shipping),
                None if threshold is None else _amount(threshold),
                _amount(minimum),
            )
        )
    offers: list[Offer] = []
    spread = family.spread
    for i, line in enumerate(cart):
        stocking = [s for s in range(suppliers) if rng.random() < share[s]]
        if not stocking:
            stocking = [rng.randrange(suppliers)]
        for s in stocking:
            price = base[i] * level[s] * rng.uniform(1 - spread, 1 + spread)
            stock = (
                rng.randint(0, line.quantity - 1 if line.quantity > 1 else 0)
                if rng.random() < family.short_share
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
