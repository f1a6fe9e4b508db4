"""Public fakes for host applications' own tests: a fixed clock, counting ids, a store,
and a fixed offer source for purchasing.

``RecordingNotifier`` joins them when the notifications module lands.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from quote2order.adapters.memory import MemoryStore
from quote2order.purchasing.offers import StaticOfferSource

__all__ = ["CountingIds", "FixedClock", "MemoryStore", "StaticOfferSource"]


class FixedClock:
    """A clock that stands still until moved with :meth:`advance` or :meth:`set`."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta = timedelta(minutes=1)) -> datetime:
        """Move the clock forward by ``delta``; returns the new time."""
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        """Put the clock at ``moment``."""
        self._now = moment


class CountingIds:
    """Readable, predictable ids: ``quote-1``, ``order-1``, ..."""

    def __init__(self) -> None:
        self._counters: dict[str, itertools.count[int]] = {}

    def new_id(self, kind: str) -> str:
        counter = self._counters.setdefault(kind, itertools.count(1))
        return f"{kind}-{next(counter)}"
