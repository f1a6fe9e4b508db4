"""``If-Match`` and ``Idempotency-Key``: the two request preconditions of every command.

``If-Match`` is checked inside the command's own unit of work: :class:`RevisionGuard` is an
event handler that compares the revision the command loaded with the one the client
named. The store's optimistic lock then guarantees that nothing changed between that
load and the commit, so a stale ``If-Match`` can never write.

``Idempotency-Key`` replays the first response to a repeated request. Commands the service
makes idempotent itself (accept, mark won, confirm, complete, invoice, checkout) also pass
the key on, so their replay survives restarts and works across processes; the responses
of the others are kept by an :class:`IdempotencyStore` (the default keeps them in memory,
per process; a host with several processes passes a shared one).
"""

from __future__ import annotations

import contextvars
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import attrs

from quote2order.api._problems import PreconditionFailed
from quote2order.events import DomainEvent
from quote2order.ports import UnitOfWork

__all__ = [
    "IdempotencyStore",
    "MemoryIdempotencyStore",
    "RevisionGuard",
    "StoredResponse",
    "etag",
]


def etag(revision: int) -> str:
    """The strong ETag of an aggregate at ``revision``."""
    return f'"{revision}"'


def _matches(if_match: str, revision: int) -> bool:
    tags = [t.strip() for t in if_match.split(",")]
    return "*" in tags or etag(revision) in tags or f"W/{etag(revision)}" in tags


@attrs.frozen
class _Expectation:
    kind: str
    aggregate_id: str
    if_match: str


class RevisionGuard:
    """An event handler that refuses a command whose aggregate is not at the expected revision.

    :func:`quote2order.api.create_router` installs one on the service; a request sets
    its expectation with :meth:`expect` around the command.
    """

    def __init__(self) -> None:
        self._expected: contextvars.ContextVar[_Expectation | None] = contextvars.ContextVar(
            "quote2order_if_match", default=None
        )

    @contextmanager
    def expect(self, kind: str, aggregate_id: str, if_match: str | None) -> Iterator[None]:
        """Within this block, commands on (kind, aggregate_id) need ``if_match`` to match."""
        if if_match is None:
            yield
            return
        reset = self._expected.set(_Expectation(kind, aggregate_id, if_match))
        try:
            yield
        finally:
            self._expected.reset(reset)

    def __call__(self, uow: UnitOfWork, event: DomainEvent) -> None:
        expected = self._expected.get()
        if expected is None or (event.aggregate_kind, event.aggregate_id) != (
            expected.kind,
            expected.aggregate_id,
        ):
            return
        # The unit of work hands back the aggregate it loaded; its revision is the one
        # the commit's optimistic lock will insist on.
        if expected.kind == "quote":
            revision = uow.quotes.get(expected.aggregate_id).revision
        elif expected.kind == "order":
            revision = uow.orders.get(expected.aggregate_id).revision
        else:
            revision = uow.purchase_orders.get(expected.aggregate_id).revision
        if not _matches(expected.if_match, revision):
            raise PreconditionFailed(
                expected.kind, expected.aggregate_id, expected.if_match, revision
            )


@attrs.frozen
class StoredResponse:
    """A response kept for replay, with the fingerprint of the request that caused it."""

    fingerprint: str
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


class IdempotencyStore(Protocol):
    """Keeps responses to requests that carried an ``Idempotency-Key``.

    ``scope`` separates tenants (and portal links), so two clients' keys never meet.
    """

    def get(self, scope: str, key: str) -> StoredResponse | None:
        """The response recorded for ``key``, if any."""
        ...

    def put(self, scope: str, key: str, response: StoredResponse) -> None:
        """Record the response to ``key``."""
        ...

    def lock(self, scope: str, key: str) -> threading.Lock:
        """A lock held while a request with ``key`` runs, so a duplicate waits for it."""
        ...


class MemoryIdempotencyStore:
    """The newest ``max_entries`` responses, in this process's memory."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._max = max_entries
        self._responses: OrderedDict[tuple[str, str], StoredResponse] = OrderedDict()
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._mutex = threading.Lock()

    def get(self, scope: str, key: str) -> StoredResponse | None:
        with self._mutex:
            return self._responses.get((scope, key))

    def put(self, scope: str, key: str, response: StoredResponse) -> None:
        with self._mutex:
            self._responses[(scope, key)] = response
            self._responses.move_to_end((scope, key))
            while len(self._responses) > self._max:
                old, _ = self._responses.popitem(last=False)
                self._locks.pop(old, None)

    def lock(self, scope: str, key: str) -> threading.Lock:
        with self._mutex:
            return self._locks.setdefault((scope, key), threading.Lock())
