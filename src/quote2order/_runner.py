"""The command runner under the service: one unit of work per command, idempotency, retry.

Each command runs in one unit of work: load, act, record events, run the event handlers
(which may add outbox entries or documents in the same unit of work), commit. Either all
of it is stored or none of it.

Standard-library modules that cost import time (hashlib, hmac, json, random, secrets,
uuid) are imported where they are used, so ``import quote2order`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from quote2order.errors import ConcurrencyError, Conflict, IdempotencyConflict
from quote2order.events import DomainEvent
from quote2order.ports import Clock, IdempotencyRecord, IdGenerator, UnitOfWork

__all__ = [
    "CommandRunner",
    "EventHandler",
    "SystemClock",
    "UuidGenerator",
    "hash_link_token",
    "new_link_token",
]

T = TypeVar("T")

#: Called for every event of a command, inside its unit of work, before the commit.
EventHandler = Callable[[UnitOfWork, DomainEvent], None]


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class UuidGenerator:
    """Random UUID4 ids, as 32 hex digits."""

    def new_id(self, kind: str) -> str:
        import uuid

        return uuid.uuid4().hex


def new_link_token() -> str:
    """A customer-link token: 256 random bits from :mod:`secrets`, URL-safe (43 chars)."""
    import secrets

    return secrets.token_urlsafe(32)


def hash_link_token(token: str) -> str:
    """The SHA-256 of a link token; only this is stored."""
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


def _fingerprint(command: str, args: Any) -> str:
    import hashlib
    import json

    text = json.dumps([command, args], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class CommandRunner:
    """What every command shares: the wiring, one unit of work per command, idempotency
    keys and retries. :class:`~quote2order.service.Quote2Order` is built on it.
    """

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        *,
        clock: Clock | None = None,
        ids: IdGenerator | None = None,
        handlers: Sequence[EventHandler] = (),
        order_number_format: str = "AB-{year}-{number:05d}",
        proforma_number_format: str = "PF-{year}-{number:05d}",
        quote_number_format: str = "AN-{year}-{number:05d}",
        purchase_order_number_format: str = "PO-{year}-{number:05d}",
    ) -> None:
        self._uow = unit_of_work
        self.clock: Clock = clock or SystemClock()
        self._ids: IdGenerator = ids or UuidGenerator()
        self._handlers = tuple(handlers)
        self._order_number_format = order_number_format
        self._proforma_number_format = proforma_number_format
        self._quote_number_format = quote_number_format
        self._purchase_order_number_format = purchase_order_number_format

    def add_handler(self, handler: EventHandler) -> None:
        """Run ``handler`` for every event from now on, after the handlers given so far."""
        self._handlers = (*self._handlers, handler)

    # -- plumbing ------------------------------------------------------------------------

    def _run(
        self,
        command: str,
        body: Callable[[UnitOfWork, datetime], tuple[T, list[DomainEvent]]],
        *,
        idempotency_key: str | None = None,
        args: Any = None,
        replay: Callable[[UnitOfWork, str], T] | None = None,
        result_id: Callable[[T], str] | None = None,
    ) -> T:
        fingerprint = "" if idempotency_key is None else _fingerprint(command, args)
        try:
            with self._uow() as uow:
                if idempotency_key is not None:
                    record = self._recorded(uow, idempotency_key, command, fingerprint)
                    if record is not None:
                        assert replay is not None
                        return replay(uow, record.result_id)
                now = self.clock.now()
                result, events = body(uow, now)
                if idempotency_key is not None:
                    assert result_id is not None
                    uow.idempotency.add(
                        IdempotencyRecord(idempotency_key, command, fingerprint, result_id(result))
                    )
                uow.events.append(events)
                for event in events:
                    for handler in self._handlers:
                        handler(uow, event)
                uow.commit()
                return result
        except (Conflict, ConcurrencyError):
            if idempotency_key is None:
                raise
            # A request with the same key may have committed first (then our writes clash
            # with its effect): answer as it did, or re-raise if it was something else.
            with self._uow() as uow:
                record = self._recorded(uow, idempotency_key, command, fingerprint)
                if record is None:
                    raise
                assert replay is not None
                return replay(uow, record.result_id)

    @staticmethod
    def _recorded(
        uow: UnitOfWork, key: str, command: str, fingerprint: str
    ) -> IdempotencyRecord | None:
        """The first use of ``key``, if any; a use with other arguments is a conflict."""
        record = uow.idempotency.get(key)
        if record is not None and (record.command, record.fingerprint) != (command, fingerprint):
            raise IdempotencyConflict(key)
        return record

    def with_retry(
        self,
        command: Callable[[], T],
        *,
        attempts: int = 5,
        base_delay: float = 0.002,
        max_delay: float = 0.5,
    ) -> T:
        """Run ``command`` and run it again (up to ``attempts`` times) on ConcurrencyError.

        Each command reloads what it changes, so running it again after a conflict acts on
        the newest state. Waits grow exponentially with jitter between attempts, each at
        most ``max_delay`` seconds (so that many attempts stay bounded in time).
        """
        for attempt in range(1, attempts + 1):
            try:
                return command()
            except ConcurrencyError:
                if attempt == attempts:
                    raise
                delay = min(max_delay, base_delay * 2 ** (attempt - 1))
                import random
                import time

                time.sleep(delay * (0.5 + random.random()))
        raise AssertionError("unreachable")  # pragma: no cover
