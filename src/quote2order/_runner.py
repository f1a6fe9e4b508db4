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

from quote2order._arguments import checked
from quote2order._read_scan import queries_over_repositories
from quote2order.errors import (
    ConcurrencyError,
    Conflict,
    IdempotencyConflict,
    NotFound,
    OrderNotFound,
    PurchaseOrderNotFound,
    QuoteNotFound,
    ValidationError,
)
from quote2order.events import DomainEvent
from quote2order.ports import Clock, IdempotencyRecord, IdGenerator, UnitOfWork
from quote2order.queries import ReadQueries

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


def _number_format(kind: str, fmt: str) -> tuple[str, bool]:
    """A checked number format and whether it holds ``{year}``."""
    import string

    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(fmt) if name is not None}
        fmt.format(year=2026, number=1)
    except (ValueError, KeyError, IndexError, AttributeError, TypeError) as exc:
        raise ValidationError(f"{kind} number format {fmt!r} is not usable: {exc}") from None
    if "number" not in fields:
        raise ValidationError(f"{kind} number format {fmt!r} has no {{number}}")
    return fmt, "year" in fields


def _check_retry(command: object, attempts: object, base: object, cap: object) -> None:
    """Refuse a retry budget that is no budget (before anything runs)."""
    if not callable(command):
        raise ValidationError(f"with_retry needs a callable, not {type(command).__name__}")
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise ValidationError(f"attempts must be a whole number >= 1, not {attempts!r}")
    for name, value in (("base_delay", base), ("max_delay", cap)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 3600:
            raise ValidationError(f"{name} must be seconds in [0, 3600), not {value!r}")


def _fingerprint(command: str, args: Any) -> str:
    import hashlib
    import json

    text = json.dumps([command, args], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@checked
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
        queries: ReadQueries | None = None,
    ) -> None:
        self._uow = unit_of_work
        if queries is None:
            # The library's stores answer reads themselves; another unit of work factory
            # gets answers built from its repositories (correct, but it loads everything).
            queries = getattr(unit_of_work, "queries", None) or queries_over_repositories(
                unit_of_work
            )
        #: the read side (board, lists, expiry, by-number lookups); see quote2order.queries
        self.queries: ReadQueries = queries
        self.clock: Clock = clock or SystemClock()
        self._ids: IdGenerator = ids or UuidGenerator()
        self._handlers = tuple(handlers)
        self._number_formats = {
            kind: _number_format(kind, fmt)
            for kind, fmt in (
                ("quote", quote_number_format),
                ("order", order_number_format),
                ("proforma", proforma_number_format),
                ("purchase_order", purchase_order_number_format),
            )
        }

    def add_handler(self, handler: EventHandler) -> None:
        """Run ``handler`` for every event from now on, after the handlers given so far."""
        self._handlers = (*self._handlers, handler)

    # -- plumbing ------------------------------------------------------------------------

    def _next_number(self, uow: UnitOfWork, kind: str, reseller_id: str, now: datetime) -> str:
        """The next number of ``kind`` ("quote", "order", "proforma", "purchase_order").

        Each reseller has its own series; a format with ``{year}`` starts a new series each
        year. The series name is ``kind|year|reseller_id`` (``*`` for the year of a format
        without one): kind and year hold no ``|``, so names of two resellers never meet.
        """
        fmt, yearly = self._number_formats[kind]
        series = f"{kind}|{now.year if yearly else '*'}|{reseller_id}"
        return fmt.format(year=now.year, number=uow.sequences.next(series))

    def _run(
        self,
        command: str,
        body: Callable[[UnitOfWork, datetime], tuple[T, list[DomainEvent]]],
        *,
        idempotency_key: str | None = None,
        args: Any = None,
        replay: Callable[[UnitOfWork, str], T] | None = None,
        result_id: Callable[[T], str] | None = None,
        tenant: Callable[[UnitOfWork], str] | None = None,
    ) -> T:
        """Run ``body`` in a unit of work; with ``idempotency_key``, once per key.

        ``tenant`` names the reseller whose key it is (keys are unique per reseller): the
        one the caller gave, or the owner of the aggregate the command acts on.
        """
        fingerprint = "" if idempotency_key is None else _fingerprint(command, args)
        owner = ""
        try:
            with self._uow() as uow:
                if idempotency_key is not None:
                    owner = "" if tenant is None else tenant(uow)
                    record = self._recorded(uow, idempotency_key, command, fingerprint, owner)
                    if record is not None:
                        assert replay is not None
                        return replay(uow, record.result_id)
                now = self.clock.now()
                result, events = body(uow, now)
                if idempotency_key is not None:
                    assert result_id is not None
                    uow.idempotency.add(
                        IdempotencyRecord(
                            idempotency_key, command, fingerprint, result_id(result), owner
                        )
                    )
                # Handlers see the events as raised; the log keeps them without secrets.
                uow.events.append([event.without_secrets() for event in events])
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
                record = self._recorded(uow, idempotency_key, command, fingerprint, owner)
                if record is None:
                    raise
                assert replay is not None
                return replay(uow, record.result_id)

    @staticmethod
    def _check_tenant(
        uow: UnitOfWork, kind: str, aggregate_id: str, reseller_id: str | None
    ) -> None:
        """Raise the aggregate's "not found" unless it belongs to ``reseller_id`` (if given).

        Another reseller's quote, order, purchase order or cart must look exactly like one
        that does not exist.
        """
        if reseller_id is None:
            return
        not_found: dict[str, Callable[[str], NotFound]] = {
            "quote": QuoteNotFound,
            "order": OrderNotFound,
            "purchase_order": PurchaseOrderNotFound,
        }

        def make(key: str) -> NotFound:
            return not_found[kind](key) if kind in not_found else NotFound(kind, key)

        owner: str | None
        try:
            if kind == "quote":
                owner = uow.quotes.get(aggregate_id, reseller_id=reseller_id).reseller_id
            elif kind == "order":
                owner = uow.orders.get(aggregate_id, reseller_id=reseller_id).reseller_id
            elif kind == "purchase_order":
                owner = uow.purchase_orders.get(aggregate_id, reseller_id=reseller_id).reseller_id
            else:  # a cart's id is its reseller's id; nothing else has an owner
                owner = aggregate_id if kind == "cart" else None
        except NotFound:
            raise make(aggregate_id) from None
        if owner != reseller_id:
            raise make(aggregate_id)

    @staticmethod
    def _recorded(
        uow: UnitOfWork, key: str, command: str, fingerprint: str, reseller_id: str
    ) -> IdempotencyRecord | None:
        """The reseller's first use of ``key``, if any; a use with other arguments is a
        conflict."""
        record = uow.idempotency.get(key, reseller_id=reseller_id)
        if record is not None and (record.command, record.fingerprint) != (command, fingerprint):
            raise IdempotencyConflict(key)
        return record

    def with_retry(
        self,
        command: Callable[[], T],
        *,
        attempts: int = 30,
        base_delay: float = 0.01,
        max_delay: float = 0.5,
    ) -> T:
        """Run ``command`` and run it again (up to ``attempts`` runs) on ConcurrencyError.

        Each command reloads what it changes, so running it again after a conflict acts on
        the newest state. Before run n + 1 it waits a random time between 0 and
        ``base_delay * 2 ** (n - 1)`` seconds ("full jitter", so that writers who collided
        spread out), each wait at most ``max_delay`` seconds: all waits together stay
        below ``(attempts - 1) * max_delay``. The defaults absorb four processes writing
        one cart row at full speed (see benchmarks/bench_contention.py).
        """
        _check_retry(command, attempts, base_delay, max_delay)
        import random
        import time

        for attempt in range(1, attempts + 1):
            try:
                return command()
            except ConcurrencyError:
                if attempt == attempts:
                    raise
                time.sleep(random.uniform(0, min(max_delay, base_delay * 2 ** (attempt - 1))))
        raise AssertionError("unreachable")  # pragma: no cover


def check_owner(
    owner: str, reseller_id: str | None, not_found: Callable[[str], NotFound], key: str
) -> None:
    """Another reseller's quote, order or purchase order must look exactly like one that does not exist."""
    if reseller_id is not None and owner != reseller_id:
        raise not_found(key)
