"""numpy forms of an instance for the heuristic's vectorised step (the moves of a pull).

Imported by :mod:`quote2order.optimize.heuristic` only when numpy is installed (it comes with
the ``optimize`` extra); without it the heuristic runs the same steps in plain Python, with the
same results.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from quote2order.optimize.heuristic import SEVERAL
from quote2order.optimize.instance import Instance

Ints = NDArray[np.int64]


class Arrays:
    """Arc prices, suppliers and the arcs and lines of each supplier, as arrays."""

    def __init__(self, inst: Instance) -> None:
        self.arc_sup: Ints = np.array(inst.arc_sup, dtype=np.int64)
        self.price = np.array(inst.arc_price, dtype=np.float64)
        self.wprice = np.array(inst.arc_wprice, dtype=np.float64)
        self.arc_line = np.array(inst.arc_line, dtype=np.int64)
        self._inst = inst
        self._of: dict[int, tuple[Ints, Ints]] = {}  # built for the suppliers pulled to only

    def of(self, s: int) -> tuple[Ints, Ints]:
        """The arcs of supplier ``s`` and their lines."""
        found = self._of.get(s)
        if found is None:
            arcs = np.array(self._inst.sup_arcs[s], dtype=np.int64)
            found = self._of[s] = (arcs, self.arc_line[arcs])
        return found

    @staticmethod
    def ints(values: list[int]) -> Ints:
        """``values`` as an array."""
        return np.array(values, dtype=np.int64)

    def pull_moves(
        self,
        s: int,
        single: Ints,
        by_line: list[list[int]],
        units: list[int],
        arc_sup: list[int],
    ) -> list[tuple[int, int]]:
        """The moves (from arc, to arc) that bring units to ``s``, cheapest scored cost per
        unit of value first (ties by arc numbers): every priced arc of ``s`` against each arc
        with units of its line at another supplier."""
        arcs_s, lines = self.of(s)
        held = single[lines]
        paid = self.price[arcs_s] > 0  # a free offer adds no goods value to ``s``
        one = held >= 0
        one[one] = self.arc_sup[held[one]] != s
        one &= paid
        donors = held[one]
        takers = arcs_s[one]
        several = np.flatnonzero((held == SEVERAL) & paid)
        if len(several):
            extra_a: list[int] = []
            extra_b: list[int] = []
            for b, i in zip(arcs_s[several].tolist(), lines[several].tolist(), strict=True):
                for a in by_line[i]:
                    if units[a] and arc_sup[a] != s:
                        extra_a.append(a)
                        extra_b.append(b)
            donors = np.concatenate((donors, np.array(extra_a, dtype=np.int64)))
            takers = np.concatenate((takers, np.array(extra_b, dtype=np.int64)))
        ratio = (self.wprice[takers] - self.wprice[donors]) / self.price[takers]
        order = np.lexsort((takers, donors, ratio))
        return list(zip(donors[order].tolist(), takers[order].tolist(), strict=True))
