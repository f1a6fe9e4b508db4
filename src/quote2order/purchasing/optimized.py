"""The procurement optimizer as a checkout strategy.

:class:`OptimizedStrategy` hands the cart lines, offers and supplier terms to
:func:`quote2order.optimize.optimize`, which weighs shipping costs, free-shipping
thresholds and minimum order values (exactly with HiGHS when ``quote2order[optimize]`` is
installed, else with its heuristic). Checkout buys a line whole or leaves it in the cart,
so a line the optimizer can cover only in part is left in the cart with the optimizer's
reason, and the remaining lines are planned again without it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from quote2order.purchasing.cart import CartLine
from quote2order.purchasing.offers import SupplierOffer, SupplierTerms
from quote2order.purchasing.strategies import AllocationPlan, SupplierShare

if TYPE_CHECKING:  # the optimizer is imported when a plan is made, not with purchasing
    from quote2order.optimize import Constraints, Plan, ProcurementProblem, Strategy

__all__ = ["OptimizedStrategy"]

MethodName = Literal["auto", "milp", "heuristic"]


class OptimizedStrategy:
    """Plan a checkout at the lowest cost including shipping (or another optimizer strategy).

    ``strategy`` is an optimizer strategy name ("cheapest", "partner-first",
    "partners-only", "fewest-sources") or a :class:`quote2order.optimize.Strategy`;
    ``constraints`` and ``time_limit`` (seconds) go to the optimizer unchanged. The plan
    of the last call is kept in :attr:`last_plan` for display (bound, gap, reasons), and
    the problem it solved in :attr:`last_problem` (for :func:`quote2order.optimize.compare`).
    """

    def __init__(
        self,
        strategy: Strategy | str = "cheapest",
        constraints: Constraints | None = None,
        *,
        time_limit: float | None = 10.0,
        method: MethodName = "auto",
    ) -> None:
        self.strategy = strategy
        self.constraints = constraints
        self.time_limit = time_limit
        self.method = method
        self.last_plan: Plan | None = None
        self.last_problem: ProcurementProblem | None = None

    def plan(
        self,
        lines: Sequence[CartLine],
        offers: Mapping[str, Sequence[SupplierOffer]],
        terms: Mapping[str, SupplierTerms],
    ) -> AllocationPlan:
        from quote2order.optimize import optimize

        remaining = list(lines)
        uncovered: dict[str, str] = {}
        shares: dict[str, tuple[SupplierShare, ...]] = {}
        while remaining:
            self.last_problem = _problem(remaining, offers, terms)
            plan = optimize(
                self.last_problem,
                self.strategy,
                self.constraints,
                time_limit=self.time_limit,
                method=self.method,
            )
            self.last_plan = plan
            partial = {u.line_id: u.reason for u in plan.uncovered}
            if not partial:
                grouped: dict[str, list[SupplierShare]] = {}
                for allocation in plan.allocations:
                    grouped.setdefault(allocation.line_id, []).append(
                        SupplierShare(allocation.supplier_id, allocation.quantity)
                    )
                shares = {line_id: tuple(group) for line_id, group in grouped.items()}
                break
            # A line covered only in part stays in the cart; plan the others without it,
            # since its partial stock use may have shaped their plan.
            uncovered.update(partial)
            remaining = [line for line in remaining if line.line_id not in partial]
        return AllocationPlan(shares, uncovered)


def _problem(
    lines: Sequence[CartLine],
    offers: Mapping[str, Sequence[SupplierOffer]],
    terms: Mapping[str, SupplierTerms],
) -> ProcurementProblem:
    from quote2order import optimize as opt

    products = {line.product_id for line in lines}
    used = [o for product in sorted(products) for o in offers.get(product, ())]
    currency = used[0].unit_price.currency if used else "EUR"
    suppliers = {o.supplier_id for o in used}
    return opt.ProcurementProblem(
        currency=currency,
        lines=tuple(
            opt.CartLine(line.line_id, line.product_id, int(line.quantity)) for line in lines
        ),
        offers=tuple(
            opt.Offer(
                o.supplier_id,
                o.product_id,
                o.unit_price.amount,
                stock=o.stock,
                delivery_days=o.delivery_days,
                partner=o.partner,
            )
            for o in used
        ),
        terms=tuple(
            opt.SupplierTerms(
                t.supplier_id,
                t.shipping_cost.amount,
                free_shipping_threshold=None
                if t.free_shipping_threshold is None
                else t.free_shipping_threshold.amount,
                minimum_order_value=0
                if t.minimum_order_value is None
                else t.minimum_order_value.amount,
            )
            for supplier_id, t in sorted(terms.items())
            if supplier_id in suppliers
        ),
    )
