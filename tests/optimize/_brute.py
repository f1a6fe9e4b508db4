"""Exhaustive search over every allocation of small problems (test reference only)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from decimal import Decimal

from quote2order.optimize import Constraints, ProcurementProblem, Strategy

Key = tuple[int, int, Decimal]


def _options(quantity: int, stocks: list[tuple[str, int]], no_split: bool) -> list[dict[str, int]]:
    """Every way to buy at most ``quantity`` units from the given (supplier, stock) offers."""
    if no_split:
        # One piece from one supplier: the largest single stock caps the piece.
        piece = min(quantity, max((stock for _, stock in stocks), default=0))
        return [{}] + [{s: piece} for s, stock in stocks if piece and stock >= piece]
    ranges = [range(min(stock, quantity) + 1) for _, stock in stocks]
    return [
        {s: q for (s, _), q in zip(stocks, combo, strict=True) if q}
        for combo in itertools.product(*ranges)
        if sum(combo) <= quantity
    ]


def brute_force(
    problem: ProcurementProblem, strategy: Strategy, constraints: Constraints
) -> Key | None:
    """The best (missing units, suppliers for fewest-sources, scored cost) over all plans."""
    days = constraints.max_delivery_days
    offers = {
        (o.supplier_id, o.product_id): o
        for o in problem.offers
        if (days is None or o.delivery_days <= days)
        and (strategy.kind != "partners-only" or o.partner)
    }
    per_line = []
    for line in problem.lines:
        stocks = [(s, o.stock) for (s, p), o in offers.items() if p == line.product_id]
        per_line.append(_options(line.quantity, stocks, constraints.no_split))
    best: Key | None = None
    for combo in itertools.product(*per_line):
        taken: dict[tuple[str, str], int] = defaultdict(int)
        goods: dict[str, Decimal] = defaultdict(Decimal)
        missing = 0
        for line, choice in zip(problem.lines, combo, strict=True):
            missing += line.quantity - sum(choice.values())
            for supplier, q in choice.items():
                taken[(supplier, line.product_id)] += q
                goods[supplier] += offers[(supplier, line.product_id)].unit_price * q
        if any(q > offers[key].stock for key, q in taken.items()):
            continue
        if any(v < problem.terms_for(s).minimum_order_value for s, v in goods.items()):
            continue
        if constraints.max_suppliers is not None and len(goods) > constraints.max_suppliers:
            continue
        score = sum(
            (
                strategy.weight(problem.is_partner(s)) * (v + problem.terms_for(s).shipping_for(v))
                for s, v in goods.items()
            ),
            Decimal(0),
        )
        key = (missing, len(goods) if strategy.kind == "fewest-sources" else 0, score)
        if best is None or key < best:
            best = key
    return best


def search_size(problem: ProcurementProblem, constraints: Constraints) -> int:
    """How many combinations :func:`brute_force` would enumerate."""
    size = 1
    for line in problem.lines:
        stocks = [
            (o.supplier_id, o.stock) for o in problem.offers if o.product_id == line.product_id
        ]
        size *= len(_options(line.quantity, stocks, constraints.no_split))
    return size
