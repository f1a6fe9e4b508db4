"""The optimizer entry point: pick a path, solve, and check the plan before returning it."""

from __future__ import annotations

import time
from collections import defaultdict
from decimal import Decimal
from typing import Literal

from quote2order.errors import OptimizationError, ValidationError
from quote2order.optimize import dominance, heuristic, milp
from quote2order.optimize.components import components, sub_problem
from quote2order.optimize.instance import Instance, build_instance, build_plan
from quote2order.optimize.limits import DEFAULT_TIME_LIMIT
from quote2order.optimize.model import Constraints, Plan, ProcurementProblem, Strategy

MethodChoice = Literal["auto", "milp", "milp-plain", "heuristic", "cheapest-per-line"]
METHODS: tuple[MethodChoice, ...] = (
    "auto",
    "milp",
    "milp-plain",
    "heuristic",
    "cheapest-per-line",
)


def optimize(
    problem: ProcurementProblem,
    strategy: Strategy | str = "cheapest",
    constraints: Constraints | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    method: MethodChoice = "auto",
) -> Plan:
    """Plan who supplies how many units of each cart line.

    ``method``: ``auto`` solves exactly with HiGHS when it is installed and falls back to the
    heuristic otherwise; ``milp`` requires HiGHS; ``milp-plain`` uses the textbook formulation
    (for comparisons); ``heuristic`` and ``cheapest-per-line`` never touch HiGHS. The search
    stops after ``time_limit`` seconds (default ``limits.DEFAULT_TIME_LIMIT``; None: no limit)
    and returns the best plan found so far with its proven bound and gap.
    """
    if not isinstance(problem, ProcurementProblem):
        raise ValidationError("problem must be a ProcurementProblem")
    if isinstance(strategy, str):
        strategy = Strategy(strategy)  # type: ignore[arg-type]
    if not isinstance(strategy, Strategy):
        raise ValidationError("strategy must be a Strategy or a strategy name")
    constraints = Constraints() if constraints is None else constraints
    if method not in METHODS:
        raise ValidationError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if time_limit is not None and (
        isinstance(time_limit, bool)
        or not isinstance(time_limit, int | float)
        or not time_limit > 0  # also refuses NaN
    ):
        raise ValidationError(
            f"time_limit must be a positive number of seconds, not {time_limit!r}"
        )
    began = time.perf_counter()
    inst = build_instance(problem, strategy, constraints)

    if method == "cheapest-per-line":
        sol = heuristic.cheapest_per_line(inst)
        return _checked(inst, sol.as_dict(), "cheapest-per-line", began, _lower_bound(inst, sol))
    exact = method in ("milp", "milp-plain") or (method == "auto" and milp.available())
    if method in ("milp", "milp-plain") and not milp.available():
        raise OptimizationError(
            "the exact method needs HiGHS: install quote2order[optimize] (highspy)"
        )
    if method == "milp-plain":
        cheap = heuristic.cheapest_per_line(inst)
        result = milp.solve(
            inst,
            None,
            formulation="plain",
            time_limit=time_limit,
            needs_shortfall=not _complete(inst, cheap),
        )
        if result.units is None:
            raise _out_of_time(time_limit)
        return _checked(inst, result.units, "milp", began, result.bound, proven=result.proven)
    if not exact:
        sol = heuristic.local_search(inst, time_limit=time_limit)
        return _checked(inst, sol.as_dict(), "heuristic", began, _lower_bound(inst, sol))
    # Offers no optimal plan needs go first (see ``dominance``); plans are mapped back.
    reduction = dominance.reduce(inst)
    work, arcs = reduction.instance, reduction.arcs

    def lifted(units: dict[int, int]) -> dict[int, int]:
        return {arcs[a]: q for a, q in units.items()}

    if inst.constraints.max_suppliers is None:
        parts = components(work)
        if len(parts) > 1:
            return _by_components(inst, work, parts, time_limit, method, began)
    search_limit = None if time_limit is None else time_limit / 4
    sol = heuristic.local_search(work, time_limit=search_limit)
    remaining = (
        None if time_limit is None else max(0.01, time_limit - (time.perf_counter() - began))
    )
    result = milp.solve(work, sol, time_limit=remaining, needs_shortfall=not _complete(work, sol))
    if result.units is None:
        if not _complete(work, sol):
            raise _out_of_time(time_limit)
        # Time ran out before HiGHS found a plan of its own: the start plan is the best known.
        return _checked(inst, lifted(sol.as_dict()), "heuristic", began, _lower_bound(work, sol))
    bound = result.bound
    if not result.proven and _complete(work, sol):
        # The cheapest-goods bound can beat HiGHS's when the time limit stopped it early.
        candidates = [b for b in (bound, _lower_bound(work, sol)) if b is not None]
        bound = max(candidates, default=None)
    plan = _checked(inst, lifted(result.units), "milp", began, bound, proven=result.proven)
    if result.proven:
        return plan
    limit = inst.constraints.max_suppliers
    if limit is not None and sol.used > limit:
        return plan  # the start plan breaks the supplier limit: no fallback
    fallback = build_plan(inst, lifted(sol.as_dict()), "heuristic")
    if _score(fallback) < _score(plan):
        # Only possible when the time limit stopped HiGHS before it matched its start plan.
        return _checked(inst, lifted(sol.as_dict()), "heuristic", began, bound)
    return plan


def _by_components(
    inst: Instance,
    work: Instance,
    parts: list[list[int]],
    time_limit: float | None,
    method: MethodChoice,
    began: float,
) -> Plan:
    """Plan each independent part of ``work`` on its own and join the plans on ``inst``.

    ``work`` is ``inst`` or its dominance reduction (see ``components``).
    """
    arc_of = {
        (inst.arc_line[a], inst.sup_ids[inst.arc_sup[a]]): a for a in range(len(inst.arc_line))
    }
    index = {line.line_id: i for i, line in enumerate(inst.problem.lines)}
    units: dict[int, int] = {}
    bound: Decimal | None = Decimal(0)
    proven = True
    heuristic_used = False
    left = len(work.arc_line)
    for part in parts:
        size = sum(len(work.line_arcs[i]) for i in part)
        share = None
        if time_limit is not None:
            # The time left, shared in proportion to the part's line-offer pairs.
            remaining = time_limit - (time.perf_counter() - began)
            share = max(0.01, remaining * size / left)
        left -= size
        plan = optimize(sub_problem(work, part), inst.strategy, inst.constraints, share, method)
        for a in plan.allocations:
            units[arc_of[(index[a.line_id], a.supplier_id)]] = a.quantity
        proven = proven and plan.optimal
        heuristic_used = heuristic_used or plan.method != "milp"
        bound = None if bound is None or plan.bound is None else bound + plan.bound
    method_used: Literal["milp", "heuristic"] = "heuristic" if heuristic_used else "milp"
    return _checked(
        inst, units, method_used, began, None if bound is None else float(bound), proven=proven
    )


def _out_of_time(time_limit: float | None) -> OptimizationError:
    return OptimizationError(
        f"no plan that keeps every constraint was found within {time_limit} s;"
        " allow more time (time_limit) or relax the constraints"
    )


def _complete(inst: Instance, sol: heuristic.Solution) -> bool:
    """Whether ``sol`` covers every coverable unit within the supplier limit."""
    limit = inst.constraints.max_suppliers
    return sol.short == 0 and (limit is None or sol.used <= limit)


def _score(plan: Plan) -> tuple[int, int, Decimal]:
    missing = sum(u.missing for u in plan.uncovered)
    count = len(plan.suppliers) if plan.strategy.kind == "fewest-sources" else 0
    return (missing, count, plan.objective)


def _lower_bound(inst: Instance, sol: heuristic.Solution) -> float | None:
    """Cheapest scored goods per line, ignoring shipping; valid when nothing is left out."""
    if sol.short:
        return None
    total = 0.0
    for i, arcs in enumerate(inst.line_arcs):
        need = inst.target[i]
        for a in arcs:
            take = need if inst.constraints.no_split else min(need, inst.arc_cap[a])
            total += take * inst.arc_wprice[a]
            need -= take
            if need == 0:
                break
    return total


def _checked(
    inst: Instance,
    units: dict[int, int],
    method: Literal["milp", "heuristic", "cheapest-per-line"],
    began: float,
    bound: float | None,
    *,
    proven: bool = False,
) -> Plan:
    plan = build_plan(
        inst, units, method, bound=bound, proven=proven, seconds=time.perf_counter() - began
    )
    problems = plan_violations(inst.problem, inst.constraints, plan)
    if problems:
        raise OptimizationError("the optimizer produced an infeasible plan: " + "; ".join(problems))
    return plan


def plan_violations(problem: ProcurementProblem, constraints: Constraints, plan: Plan) -> list[str]:
    """Every way in which ``plan`` breaks stock, minimum order values or the constraints."""
    found: list[str] = []
    offers = {(o.supplier_id, o.product_id): o for o in problem.offers}
    lines = {line.line_id: line for line in problem.lines}
    taken: dict[tuple[str, str], int] = defaultdict(int)
    per_line: dict[str, set[str]] = defaultdict(set)
    bought: dict[str, int] = defaultdict(int)
    goods: dict[str, Decimal] = defaultdict(Decimal)
    for a in plan.allocations:
        line = lines[a.line_id]
        offer = offers.get((a.supplier_id, line.product_id))
        if offer is None:
            found.append(f"{a.line_id}: {a.supplier_id} has no offer for {line.product_id}")
            continue
        taken[(a.supplier_id, line.product_id)] += a.quantity
        per_line[a.line_id].add(a.supplier_id)
        bought[a.line_id] += a.quantity
        goods[a.supplier_id] += offer.unit_price * a.quantity
        days = constraints.max_delivery_days
        if days is not None and offer.delivery_days > days:
            found.append(f"{a.line_id}: {a.supplier_id} delivers in {offer.delivery_days} days")
        if plan.strategy.kind == "partners-only" and not offer.partner:
            found.append(f"{a.line_id}: {a.supplier_id} is not a partner")
    for key, quantity in taken.items():
        if quantity > offers[key].stock:
            found.append(f"{key[0]}: {quantity} of {key[1]} exceeds stock {offers[key].stock}")
    for supplier_id, value in goods.items():
        minimum = problem.terms_for(supplier_id).minimum_order_value
        if value < minimum:
            found.append(f"{supplier_id}: goods {value} below minimum order value {minimum}")
    for line_id, quantity in bought.items():
        if quantity > lines[line_id].quantity:
            found.append(f"{line_id}: {quantity} bought for {lines[line_id].quantity} needed")
    if constraints.no_split:
        found.extend(f"{line_id}: split" for line_id, s in per_line.items() if len(s) > 1)
    if constraints.max_suppliers is not None and len(goods) > constraints.max_suppliers:
        found.append(f"{len(goods)} suppliers used, at most {constraints.max_suppliers} allowed")
    found.extend(_coverable(problem, constraints, plan, taken, bought, goods))
    return found


def _coverable(
    problem: ProcurementProblem,
    constraints: Constraints,
    plan: Plan,
    taken: dict[tuple[str, str], int],
    bought: dict[str, int],
    goods: dict[str, Decimal],
) -> list[str]:
    """Lines left short although an offer the plan could still use has the stock.

    Covering comes first in every strategy, so a missing unit is a defect whenever stock is left
    at an eligible offer whose supplier the plan may add goods to without breaking a rule: one
    it already uses, or (while the supplier limit allows one more) one without a minimum order
    value. Independent of the solver, this catches a plan that a numerical slip left short.
    """
    room = constraints.max_suppliers is None or len(goods) < constraints.max_suppliers
    days = constraints.max_delivery_days
    usable: dict[str, list[tuple[str, int]]] = defaultdict(list)  # product -> (supplier, left)
    for o in problem.offers:
        if (days is not None and o.delivery_days > days) or (
            plan.strategy.kind == "partners-only" and not o.partner
        ):
            continue
        left = o.stock - taken.get((o.supplier_id, o.product_id), 0)
        if left > 0 and (
            o.supplier_id in goods
            or (room and problem.terms_for(o.supplier_id).minimum_order_value == 0)
        ):
            usable[o.product_id].append((o.supplier_id, left))
    found = []
    for line in problem.lines:
        got = bought.get(line.line_id, 0)
        if got >= line.quantity:
            continue
        if constraints.no_split:
            # A line comes in one piece: only an unbought line with a whole offer left counts.
            spare = [s for s, left in usable[line.product_id] if left >= line.quantity and not got]
        else:
            spare = [s for s, _ in usable[line.product_id]]
        if spare:
            found.append(
                f"{line.line_id}: {line.quantity - got} units left out although"
                f" {spare[0]} still has {line.product_id} in stock"
            )
    return found
