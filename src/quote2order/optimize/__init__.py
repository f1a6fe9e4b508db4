"""Procurement optimisation: which supplier delivers how many units of each cart line.

:func:`optimize` is a pure function from a :class:`ProcurementProblem` to a :class:`Plan`.
The exact path needs HiGHS (``pip install quote2order[optimize]``); without it a pure-Python
heuristic plans instead. :func:`compare` plans one problem under several strategies and
constraints and shows what each preference costs.
"""

from quote2order.optimize.compare import ComparisonRow, Option, compare, default_options
from quote2order.optimize.model import (
    Allocation,
    CartLine,
    Constraints,
    Offer,
    Plan,
    ProcurementProblem,
    Strategy,
    SupplierOrder,
    SupplierTerms,
    Uncovered,
)
from quote2order.optimize.optimizer import METHODS, optimize, plan_violations

__all__ = [
    "METHODS",
    "Allocation",
    "CartLine",
    "ComparisonRow",
    "Constraints",
    "Offer",
    "Option",
    "Plan",
    "ProcurementProblem",
    "Strategy",
    "SupplierOrder",
    "SupplierTerms",
    "Uncovered",
    "compare",
    "default_options",
    "optimize",
    "plan_violations",
]
