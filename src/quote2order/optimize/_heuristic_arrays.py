"""numpy forms of an instance for the heuristic's vectorised steps.

Imported by :mod:`quote2order.optimize.heuristic` only when numpy is installed (it comes with
the ``optimize`` extra); without it the heuristic runs the same steps in plain Python, with the
same results.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from quote2order.optimize.heuristic import SEVERAL, mark
from quote2order.optimize.instance import Instance

Ints = NDArray[np.int64]


class Arrays:
    """The arcs in line order (each line's arcs by scored price) and per supplier, as arrays."""

    def __init__(self, inst: Instance) -> None:
        lengths = np.array([len(arcs) for arcs in inst.line_arcs], dtype=np.int64)
        order = np.array([a for arcs in inst.line_arcs for a in arcs], dtype=np.int64)
        self.arc_sup: Ints = np.array(inst.arc_sup, dtype=np.int64)
        self.price = np.array(inst.arc_price, dtype=np.float64)
        self.wprice = np.array(inst.arc_wprice, dtype=np.float64)
        self.order = order
        self.order_sup = self.arc_sup[order]
        self.order_cap = np.array(inst.arc_cap, dtype=np.int64)[order]
        self.order_need = np.repeat(np.array(inst.target, dtype=np.int64), lengths)
        nonempty = lengths > 0
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        self.starts = starts[nonempty]
        self.lengths = lengths[nonempty]
        arc_line = np.array(inst.arc_line, dtype=np.int64)
        self.sup_arcs = [np.array(arcs, dtype=np.int64) for arcs in inst.sup_arcs]
        self.sup_lines = [arc_line[arcs] for arcs in self.sup_arcs]
        # One pass holds when every offer serves one line (otherwise lines share its stock in
        # line order) and lines may be split (otherwise a line takes one offer with enough).
        self.one_pass = not inst.constraints.no_split and all(
            len(arcs) <= 1 for arcs in inst.off_arcs
        )

    def assign(self, open_: list[bool]) -> tuple[list[int], list[int]]:
        """Each line's cheapest open offers up to their stock: the arcs with units, in line and
        price order, and their units (only when ``one_pass``)."""
        is_open = np.array(open_, dtype=bool)
        cap = np.where(is_open[self.order_sup], self.order_cap, 0)
        before = np.cumsum(cap) - cap  # units offered ahead of each arc, over all lines
        if len(self.starts):
            before -= np.repeat(before[self.starts], self.lengths)  # ... within its line
        take = np.minimum(cap, np.maximum(self.order_need - before, 0))
        chosen = np.flatnonzero(take)
        arcs: list[int] = self.order[chosen].tolist()
        units: list[int] = take[chosen].tolist()
        return arcs, units

    def single(self, by_line: list[list[int]], units: list[int]) -> Ints:
        """Per line: its one arc with units, or a mark (``heuristic.NO_ARC``, ``SEVERAL``)."""
        return np.array([mark(arcs, units) for arcs in by_line], dtype=np.int64)

    def pull_moves(
        self, s: int, single: Ints, by_line: list[list[int]], units: list[int], arc_sup: list[int]
    ) -> list[tuple[int, int]]:
        """The moves (from arc, to arc) that bring units to ``s``, cheapest scored cost per
        unit of value first (ties by arc numbers): every arc of ``s`` against each arc with
        units of its line at another supplier."""
        lines = self.sup_lines[s]
        arcs_s = self.sup_arcs[s]
        held = single[lines]
        one = held >= 0
        one[one] = self.arc_sup[held[one]] != s
        donors = held[one]
        takers = arcs_s[one]
        several = np.flatnonzero(held == SEVERAL)
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
