"""Errors as RFC 9457 problem details: one stable ``type`` URI per typed error.

The ``type`` is ``urn:quote2order:problem:`` followed by the error class's name in
kebab case (``QuoteNotFound`` -> ``urn:quote2order:problem:quote-not-found``); the HTTP
status comes from the nearest class in :data:`STATUS`. Errors raised by the framework
itself (an unknown route, a body that is not JSON) get ``about:blank`` as RFC 9457 says.
"""

from __future__ import annotations

import re
from typing import Any

from quote2order import errors
from quote2order.errors import Conflict, Quote2OrderError

__all__ = [
    "PROBLEM_TYPE_PREFIX",
    "STATUS",
    "PreconditionFailed",
    "problem_body",
    "problem_type",
    "status_of",
]

PROBLEM_TYPE_PREFIX = "urn:quote2order:problem:"


class PreconditionFailed(Conflict):
    """An ``If-Match`` named a revision that is no longer the aggregate's current one."""

    def __init__(self, kind: str, object_id: str, expected: str, current: int) -> None:
        super().__init__(
            f"{kind} {object_id} is at revision {current}, the request expected {expected}"
        )
        self.kind = kind
        self.object_id = object_id
        self.expected = expected
        self.current = current


#: The HTTP status of each error class; a class not listed takes its nearest base's.
STATUS: dict[type[Quote2OrderError], int] = {
    Quote2OrderError: 500,
    errors.ValidationError: 422,
    errors.NotFound: 404,
    errors.InvalidTransition: 409,
    errors.Conflict: 409,
    errors.IdempotencyConflict: 422,
    PreconditionFailed: 412,
    errors.StorageError: 500,
    errors.ConcurrencyError: 409,
    errors.StorageUnavailable: 503,
    errors.OptimizationError: 422,
    errors.DeliveryError: 502,
}


def problem_type(error_class: type[Quote2OrderError]) -> str:
    """The stable problem ``type`` URI of an error class."""
    return PROBLEM_TYPE_PREFIX + re.sub(r"(?<!^)(?=[A-Z])", "-", error_class.__name__).lower()


def status_of(error: Quote2OrderError) -> int:
    """The HTTP status of ``error`` (its nearest class in :data:`STATUS`)."""
    for klass in type(error).__mro__:
        if klass in STATUS:
            return STATUS[klass]
    return 500  # pragma: no cover - Quote2OrderError is always in the MRO


def _title(error_class: type[Quote2OrderError]) -> str:
    doc = (error_class.__doc__ or error_class.__name__).strip().splitlines()[0]
    return doc.rstrip(".")


def _extensions(error: Quote2OrderError) -> dict[str, Any]:
    """Structured fields of the error a client can act on (never internals)."""
    if isinstance(error, errors.ValidationError):
        return {"errors": [{"loc": loc, "msg": msg} for loc, msg in error.errors]}
    if isinstance(error, errors.InvalidTransition):
        return {"state": error.state, "action": error.action, "allowed": list(error.allowed)}
    if isinstance(error, errors.SupersededVersion):
        return {"latest": error.latest}
    if isinstance(error, PreconditionFailed):
        return {"current_revision": error.current}
    return {}


def problem_body(error: Quote2OrderError, instance: str | None = None) -> dict[str, Any]:
    """The problem+json body of ``error``.

    Storage and server-side failures get a fixed detail, so no driver message (which may
    name tables or hosts) reaches a client.
    """
    status = status_of(error)
    detail = str(error) if status < 500 else _title(type(error))
    body: dict[str, Any] = {
        "type": problem_type(type(error)),
        "title": _title(type(error)),
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    body.update(_extensions(error))
    return body
