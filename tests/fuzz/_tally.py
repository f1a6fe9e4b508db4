"""Counts of what each fuzzed boundary answered, printed at the end of the test run."""

from __future__ import annotations

from collections import Counter, defaultdict

#: boundary -> outcome -> number of inputs
TALLY: defaultdict[str, Counter[str]] = defaultdict(Counter)


def count(boundary: str, outcome: str) -> None:
    """Record that ``boundary`` answered one input with ``outcome``."""
    TALLY[boundary][outcome] += 1
