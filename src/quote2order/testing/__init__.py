"""Public fakes for host applications' own tests: a fixed clock, counting ids, a store,
a fixed offer source for purchasing, and a notifier that records what it is given.
"""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

from quote2order.adapters.memory import MemoryStore
from quote2order.errors import DeliveryError
from quote2order.notifications.messages import Message
from quote2order.purchasing.offers import StaticOfferSource

__all__ = ["CountingIds", "FixedClock", "MemoryStore", "RecordingNotifier", "StaticOfferSource"]


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


class RecordingNotifier:
    """A Notifier that keeps every message it is given, and can be told to fail.

    ``fail_times`` makes the next N sends raise a retryable DeliveryError;
    ``fail_always`` makes every send raise one (``permanent`` chooses the kind).
    """

    def __init__(
        self, *, fail_times: int = 0, fail_always: bool = False, permanent: bool = False
    ) -> None:
        self.sent: list[Message] = []
        self.attempts = 0
        self.fail_times = fail_times
        self.fail_always = fail_always
        self.permanent = permanent
        self._lock = threading.Lock()

    def send(self, message: Message) -> None:
        with self._lock:
            self.attempts += 1
            if self.fail_always or self.fail_times > 0:
                self.fail_times = max(0, self.fail_times - 1)
                raise DeliveryError("recording notifier told to fail", permanent=self.permanent)
            self.sent.append(message)

    @property
    def message_ids(self) -> list[str]:
        """The Message-IDs of the messages kept, in order."""
        return [m.message_id for m in self.sent]
