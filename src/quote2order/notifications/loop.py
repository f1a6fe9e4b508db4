"""The dispatcher as a long-running service: deliver, wait for new entries, repeat.

:class:`DispatchLoop` runs a :class:`~quote2order.notifications.Dispatcher` until
:meth:`DispatchLoop.stop` is called (the signal handlers it installs call it on SIGTERM and
SIGINT). Stopping finishes the entry in hand and leaves no other entry leased, so nothing
is lost and nothing is sent twice. Between runs it waits on a :class:`Wakeup`: PostgreSQL's
``LISTEN/NOTIFY`` (:class:`quote2order.adapters.postgres.PostgresOutboxListener`) wakes it
as soon as a commit queues an entry; without one it polls.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Protocol

import attrs

from quote2order.errors import StorageError, ValidationError
from quote2order.notifications.dispatcher import Dispatcher, DispatchReport

__all__ = ["DispatchLoop", "LoopCounts", "Wakeup"]

log = logging.getLogger("quote2order.notifications.loop")

#: The longest a wait lasts before the loop looks at its stop flag again (seconds).
STOP_CHECK = 0.25


class Wakeup(Protocol):
    """Tells a waiting dispatch loop that entries were queued."""

    def wait(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds; True if entries may have been queued."""
        ...

    def close(self) -> None:
        """Release what the wakeup holds (a listening connection)."""
        ...


@attrs.frozen
class LoopCounts:
    """What a dispatch loop has done since it started, for monitoring."""

    running: bool
    started_at: datetime | None
    sent: int
    retried: int
    failed: int
    lost_leases: int
    runs: int  # batches claimed
    wakeups: int  # waits ended by a notification rather than the poll interval
    storage_errors: int  # runs that failed on the store (retried after the poll interval)
    last_delivery_at: datetime | None


class DispatchLoop:
    """Runs ``dispatcher`` until stopped, waking on ``wakeup`` or every ``poll_interval`` s.

    A store failure (the database restarting) is logged and retried after the poll
    interval; the loop keeps running.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        wakeup: Wakeup | None = None,
        poll_interval: float = 5.0,
    ) -> None:
        if not poll_interval > 0:
            raise ValidationError("poll_interval must be > 0 seconds")
        self._dispatcher = dispatcher
        self._wakeup = wakeup
        self._poll = poll_interval
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._total = DispatchReport()
        self._runs = 0
        self._wakeups = 0
        self._storage_errors = 0
        self._started_at: datetime | None = None
        self._last_delivery_at: datetime | None = None
        self._running = False

    def stop(self) -> None:
        """Ask the loop to end after the entry in hand (safe from signal handlers)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stop.is_set()

    def counts(self) -> LoopCounts:
        """A snapshot of the loop's counters."""
        with self._lock:
            total = self._total
            return LoopCounts(
                running=self._running,
                started_at=self._started_at,
                sent=total.sent,
                retried=total.retried,
                failed=total.failed,
                lost_leases=total.lost_leases,
                runs=self._runs,
                wakeups=self._wakeups,
                storage_errors=self._storage_errors,
                last_delivery_at=self._last_delivery_at,
            )

    @contextmanager
    def signals_stop(self) -> Iterator[None]:
        """Within this block, SIGTERM and SIGINT stop the loop (main thread only)."""
        previous = {
            sig: signal.signal(sig, lambda signum, frame: self._on_signal(signum))
            for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int) -> None:
        log.info("dispatch loop stopping on %s", signal.Signals(signum).name)
        self.stop()

    def run(self) -> LoopCounts:
        """Deliver until stopped; returns the final counts."""
        with self._lock:
            self._running = True
            self._started_at = datetime.now().astimezone()
        log.info("dispatch loop started worker=%s", self._dispatcher.worker)
        try:
            while not self._stop.is_set():
                if self._run_once().handled == 0:
                    self._wait()
        finally:
            with self._lock:
                self._running = False
            if self._wakeup is not None:
                self._wakeup.close()
        counts = self.counts()
        log.info(
            "dispatch loop stopped sent=%d retried=%d failed=%d lost_leases=%d",
            counts.sent,
            counts.retried,
            counts.failed,
            counts.lost_leases,
        )
        return counts

    def _run_once(self) -> DispatchReport:
        try:
            report = self._dispatcher.run_once(stop=self._stop.is_set)
        except StorageError as exc:
            log.error("dispatch run failed on the store, retrying: %s", exc)
            with self._lock:
                self._storage_errors += 1
            return DispatchReport()
        with self._lock:
            self._runs += 1
            self._total += report
            if report.sent:
                self._last_delivery_at = datetime.now().astimezone()
        return report

    def _wait(self) -> None:
        """Until a wakeup, the poll interval or a stop, in slices that notice a stop."""
        deadline = time.monotonic() + self._poll
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            slice_ = min(left, STOP_CHECK)
            if self._wakeup is None:
                self._stop.wait(slice_)
                continue
            try:
                woken = self._wakeup.wait(slice_)
            except StorageError as exc:
                log.warning("wakeup failed, polling instead: %s", exc)
                self._wakeup = None
                continue
            if woken:
                with self._lock:
                    self._wakeups += 1
                return
