"""Independent parts of a cart: lines that share no supplier can be planned apart.

Two lines are linked when some supplier could deliver both (shipping, thresholds and minimum
order values couple them); lines of one product are linked through its offers. Without a
supplier limit the lexicographic objective (units covered, then suppliers for
``fewest-sources``, then cost) is a sum over the parts, so the optimum of the whole is the
union of the parts' optima, and a sum of the parts' bounds bounds the whole.
"""

from __future__ import annotations

from quote2order.optimize.instance import Instance
from quote2order.optimize.model import ProcurementProblem


def components(inst: Instance) -> list[list[int]]:
    """Line indices per independent part (lines without eligible offers belong to none)."""
    n_lines = len(inst.target)
    parent = list(range(n_lines + len(inst.sup_ids)))

    def root(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for a, i in enumerate(inst.arc_line):
        ri, rs = root(i), root(n_lines + inst.arc_sup[a])
        if ri != rs:
            parent[ri] = rs
    parts: dict[int, list[int]] = {}
    for i, arcs in enumerate(inst.line_arcs):
        if arcs:
            parts.setdefault(root(i), []).append(i)
    return list(parts.values())


def sub_problem(inst: Instance, lines: list[int]) -> ProcurementProblem:
    """The problem restricted to ``lines`` and the suppliers that can deliver them."""
    problem = inst.problem
    suppliers = {inst.sup_ids[inst.arc_sup[a]] for i in lines for a in inst.line_arcs[i]}
    chosen = [problem.lines[i] for i in lines]
    products = {line.product_id for line in chosen}
    return ProcurementProblem(
        problem.currency,
        chosen,
        [o for o in problem.offers if o.product_id in products and o.supplier_id in suppliers],
        [t for t in problem.terms if t.supplier_id in suppliers],
    )
