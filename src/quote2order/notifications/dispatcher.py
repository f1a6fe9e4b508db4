"""The dispatcher: delivers outbox entries at least once, with retries and backoff.

A host's job runner calls :meth:`Dispatcher.run_once` (one batch) or
:meth:`Dispatcher.run_until_empty` (until nothing is due). Entries are leased through
:meth:`OutboxStore.claim`, so two dispatchers never hold the same entry; one that dies
mid-send leaves its lease to expire, and the entry is sent again with the same
Message-ID. Failures touch only the outbox entry, never the order or quote.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta

import attrs

from quote2order.errors import ConcurrencyError, DeliveryError, NotFound, ValidationError
from quote2order.notifications.compose import compose_message
from quote2order.notifications.documents import DocumentSource, Renderer
from quote2order.notifications.messages import Notifier
from quote2order.ports import Clock, OutboxEntry, OutboxStatus, OutboxStore

__all__ = ["Backoff", "DispatchReport", "Dispatcher"]

log = logging.getLogger(__name__)


def _fields(entry: OutboxEntry, outcome: str, *, error: str = "") -> dict[str, object]:
    """The log record's structured fields (for JSON log formatters), no personal data."""
    return {
        "outbox_entry_id": entry.entry_id,
        "outbox_notification": entry.notification,
        "outbox_channel": entry.channel,
        "outbox_outcome": outcome,
        "outbox_error": error,
    }


@attrs.frozen
class Backoff:
    """Exponential backoff: ``base * factor ** (attempt - 1)``, capped, with jitter.

    ``jitter`` is the fraction (0-1) by which a delay may be shortened at random, so
    many failed entries do not all come due at the same moment.
    """

    base: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    maximum: timedelta = timedelta(hours=1)
    jitter: float = 0.1

    def __attrs_post_init__(self) -> None:
        if self.base <= timedelta(0) or self.factor < 1 or not 0 <= self.jitter <= 1:
            raise ValidationError("backoff needs base > 0, factor >= 1 and 0 <= jitter <= 1")

    def delay(self, attempt: int, rng: random.Random | None = None) -> timedelta:
        """The wait after failed attempt number ``attempt`` (1, 2, ...)."""
        delay = min(self.base * self.factor ** (attempt - 1), self.maximum)
        if self.jitter and rng is not None:
            delay *= 1 - self.jitter * rng.random()
        return delay


@attrs.define
class DispatchReport:
    """What one run did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    lost_leases: int = 0  # another dispatcher took the entry over after our lease ran out

    @property
    def handled(self) -> int:
        """Entries claimed and dealt with."""
        return self.sent + self.retried + self.failed + self.lost_leases

    def __iadd__(self, other: DispatchReport) -> DispatchReport:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.lost_leases += other.lost_leases
        return self


class Dispatcher:
    """Sends due outbox entries through ``notifier`` (e-mail) and ``portal`` (portal).

    Without a ``portal`` notifier, portal entries are marked sent at once: the stored
    document is what the portal shows.
    """

    def __init__(
        self,
        outbox: OutboxStore,
        documents: DocumentSource,
        notifier: Notifier,
        renderers: Sequence[Renderer] = (),
        *,
        clock: Clock,
        portal: Notifier | None = None,
        max_attempts: int = 5,
        backoff: Backoff | None = None,
        lease: timedelta = timedelta(minutes=5),
        batch_size: int = 20,
        worker: str | None = None,
        message_domain: str | None = None,
        seed: int | None = None,
    ) -> None:
        if max_attempts < 1 or batch_size < 1 or lease <= timedelta(0):
            raise ValidationError("max_attempts and batch_size must be >= 1 and lease > 0")
        self._outbox = outbox
        self._documents = documents
        self._notifier = notifier
        self._renderers = tuple(renderers)
        self._clock = clock
        self._portal = portal
        self.max_attempts = max_attempts
        self._backoff = backoff or Backoff()
        self._lease = lease
        self._batch_size = batch_size
        self.worker = worker or f"dispatcher-{uuid.uuid4().hex[:12]}"
        self._message_domain = message_domain
        self._rng = random.Random(seed)

    def run_once(self, *, stop: Callable[[], bool] | None = None) -> DispatchReport:
        """Claim one batch of due entries and deliver each; returns what happened.

        With ``stop``, entries are claimed one at a time and the batch ends as soon as
        ``stop()`` is true: the entry in hand is finished and none is left leased.
        """
        report = DispatchReport()
        if stop is None:
            entries = self._outbox.claim(
                worker=self.worker, now=self._clock.now(), lease=self._lease, limit=self._batch_size
            )
            for entry in entries:
                self._deliver(entry, report)
            return report
        for _ in range(self._batch_size):
            if stop():
                break
            claimed = self._outbox.claim(
                worker=self.worker, now=self._clock.now(), lease=self._lease, limit=1
            )
            if not claimed:
                break
            self._deliver(claimed[0], report)
        return report

    def run_until_empty(self, *, max_batches: int | None = None) -> DispatchReport:
        """Run batches until no entry is due (entries waiting for a retry stay waiting)."""
        total = DispatchReport()
        batches = 0
        while max_batches is None or batches < max_batches:
            report = self.run_once()
            batches += 1
            total += report
            if report.handled == 0:
                break
        return total

    def _deliver(self, entry: OutboxEntry, report: DispatchReport) -> None:
        try:
            try:
                self._send(entry)
            except Exception as exc:
                self._failed(entry, exc, report)
                return
            self._outbox.mark_sent(entry.entry_id, worker=self.worker, now=self._clock.now())
            report.sent += 1
            log.info(
                "outbox entry delivered entry_id=%s notification=%s channel=%s attempt=%d",
                entry.entry_id,
                entry.notification,
                entry.channel,
                entry.attempts + 1,
                extra=_fields(entry, "delivered"),
            )
        except ConcurrencyError:
            # Our lease ran out and another dispatcher claimed the entry: it owns it now.
            log.warning("lost the lease on outbox entry %s", entry.entry_id)
            report.lost_leases += 1

    def _send(self, entry: OutboxEntry) -> None:
        if entry.channel == "portal" and self._portal is None:
            return
        document = self._documents.get(
            str(entry.payload["document_id"]), reseller_id=entry.reseller_id
        )
        message = compose_message(
            entry,
            document,
            self._renderers if entry.channel == "email" else (),
            message_domain=self._message_domain,
        )
        notifier = self._portal if entry.channel == "portal" else self._notifier
        assert notifier is not None
        notifier.send(message)

    def _failed(self, entry: OutboxEntry, exc: Exception, report: DispatchReport) -> None:
        error = f"{type(exc).__name__}: {exc}"
        attempt = entry.attempts + 1
        permanent = (isinstance(exc, DeliveryError) and exc.permanent) or isinstance(
            exc, NotFound | ValidationError
        )
        if permanent or attempt >= self.max_attempts:
            log.error(
                "outbox entry failed entry_id=%s notification=%s channel=%s attempt=%d error=%r",
                entry.entry_id,
                entry.notification,
                entry.channel,
                attempt,
                error,
                extra=_fields(entry, "failed", error=error),
            )
            self._outbox.mark_failed(entry.entry_id, worker=self.worker, error=error)
            report.failed += 1
        else:
            next_attempt_at = self._clock.now() + self._backoff.delay(attempt, self._rng)
            log.warning(
                "outbox entry will be retried entry_id=%s notification=%s channel=%s "
                "attempt=%d next_attempt_at=%s error=%r",
                entry.entry_id,
                entry.notification,
                entry.channel,
                attempt,
                next_attempt_at.isoformat(),
                error,
                extra=_fields(entry, "retrying", error=error),
            )
            self._outbox.mark_retry(
                entry.entry_id, worker=self.worker, error=error, next_attempt_at=next_attempt_at
            )
            report.retried += 1

    # -- for the host's back office ----------------------------------------------------------

    def failed(self) -> list[OutboxEntry]:
        """Entries given up on, oldest first."""
        return self._outbox.list(OutboxStatus.FAILED)

    def retry(self, entry_id: str) -> None:
        """Put a failed entry back in line, with a fresh attempt budget."""
        self._outbox.retry_failed(entry_id, now=self._clock.now())
