"""The error tree of quote2order.

Every error the library raises derives from :class:`Quote2OrderError`; leaves
carry structured fields and, where it helps callers, also subclass a builtin::

    Quote2OrderError
    ├── ValidationError (ValueError)            bad input at the boundary or in the model
    │   ├── MoneyError                           money rules (bad amounts, mixed currencies)
    │   │   ├── FloatMoney (TypeError)           a float given as money
    │   │   └── CurrencyMismatch
    │   ├── NotProcurable                         free text / custom products in purchasing
    │   ├── OverProcurement                       more than a position's open quantity
    │   └── UnsupportedCharacter                  no registered PDF font can show a character
    ├── InvalidTransition                         an action not allowed in the current state
    ├── NotFound (LookupError)                    an aggregate or token that does not exist
    │   ├── QuoteNotFound
    │   ├── OrderNotFound
    │   ├── CartLineNotFound
    │   └── PurchaseOrderNotFound
    ├── Conflict                                  the request contradicts recorded facts
    │   ├── AlreadyAccepted                       a version was already won / order exists
    │   ├── SupersededVersion                     a newer version replaced this one
    │   ├── PastValidity                          the quote's validity date has passed
    │   └── IdempotencyConflict                   a key reused with other arguments
    ├── StorageError                              an adapter's store failed
    │   ├── ConcurrencyError                      optimistic lock lost: reload and retry
    │   └── StorageUnavailable (ConnectionError)  the store cannot be reached
    ├── OptimizationError                         the optimizer could not produce a plan
    └── DeliveryError                             a notifier could not deliver a message
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "AlreadyAccepted",
    "CartLineNotFound",
    "ConcurrencyError",
    "Conflict",
    "CurrencyMismatch",
    "DeliveryError",
    "FloatMoney",
    "IdempotencyConflict",
    "InvalidTransition",
    "MoneyError",
    "NotFound",
    "NotProcurable",
    "OptimizationError",
    "OrderNotFound",
    "OverProcurement",
    "PastValidity",
    "PurchaseOrderNotFound",
    "Quote2OrderError",
    "QuoteNotFound",
    "StorageError",
    "StorageUnavailable",
    "SupersededVersion",
    "UnsupportedCharacter",
    "ValidationError",
]


class Quote2OrderError(Exception):
    """The root of every error raised by quote2order."""


class ValidationError(Quote2OrderError, ValueError):
    """Input that breaks a rule; nothing was changed.

    ``errors`` lists ``(location, message)`` pairs, one per broken rule.
    """

    def __init__(self, message: str, errors: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.errors: tuple[tuple[str, str], ...] = tuple(errors)


class MoneyError(ValidationError):
    """A money rule was broken (a float given as money, a bad amount)."""


class FloatMoney(MoneyError, TypeError):
    """A float was given as money; floats cannot hold cents exactly."""


class CurrencyMismatch(MoneyError):
    """Two currencies met in one sum or comparison."""

    def __init__(self, left: str, right: str) -> None:
        super().__init__(f"cannot combine {left} with {right}")
        self.left = left
        self.right = right


class NotProcurable(ValidationError):
    """A free-text position or custom product was offered to purchasing."""


class OverProcurement(ValidationError):
    """More of an order position was asked for than is still open (not procured)."""

    def __init__(
        self, order_id: str, position_id: str, requested: object, open_quantity: object
    ) -> None:
        super().__init__(
            f"order {order_id} position {position_id}: {requested} requested, "
            f"only {open_quantity} open"
        )
        self.order_id = order_id
        self.position_id = position_id
        self.requested = requested
        self.open_quantity = open_quantity


class UnsupportedCharacter(ValidationError):
    """A document holds a character that no registered font can show; nothing is rendered.

    Register a font that has it (``PdfRenderer(fonts=[PdfFont(...)])``).
    """

    def __init__(self, character: str, fonts: tuple[str, ...]) -> None:
        self.character = character
        self.codepoint = f"U+{ord(character):04X}"
        self.fonts = fonts
        super().__init__(
            f"character {character!r} ({self.codepoint}) is in no registered font "
            f"({', '.join(fonts)}); register a font that has it"
        )


class InvalidTransition(Quote2OrderError):
    """An action that the object's current state does not allow; nothing changed."""

    def __init__(
        self, kind: str, object_id: str, state: str, action: str, allowed: Iterable[str]
    ) -> None:
        self.kind = kind
        self.object_id = object_id
        self.state = state
        self.action = action
        self.allowed: tuple[str, ...] = tuple(sorted(allowed))
        allowed_text = ", ".join(self.allowed) or "none"
        super().__init__(
            f"cannot {action} {kind} {object_id} in state {state!r}; allowed now: {allowed_text}"
        )


class NotFound(Quote2OrderError, LookupError):
    """Something looked up by id or token does not exist (or must look as if it did not)."""

    def __init__(self, kind: str, key: Any) -> None:
        super().__init__(f"{kind} not found: {key}")
        self.kind = kind
        self.key = key


class QuoteNotFound(NotFound):
    """No quote with that id or link token."""

    def __init__(self, key: Any) -> None:
        super().__init__("quote", key)


class OrderNotFound(NotFound):
    """No order with that id."""

    def __init__(self, key: Any) -> None:
        super().__init__("order", key)


class CartLineNotFound(NotFound):
    """No line with that id in the reseller's purchasing cart."""

    def __init__(self, key: Any) -> None:
        super().__init__("cart line", key)


class PurchaseOrderNotFound(NotFound):
    """No purchase order with that id."""

    def __init__(self, key: Any) -> None:
        super().__init__("purchase order", key)


class Conflict(Quote2OrderError):
    """The request contradicts what is already recorded."""


class AlreadyAccepted(Conflict):
    """The version was already won; its one order exists."""

    def __init__(self, quote_id: str, version: int, order_id: str | None) -> None:
        super().__init__(
            f"quote {quote_id} version {version} was already accepted (order {order_id})"
        )
        self.quote_id = quote_id
        self.version = version
        self.order_id = order_id


class SupersededVersion(Conflict):
    """The version named is not the quote's latest one."""

    def __init__(self, quote_id: str, version: int, latest: int) -> None:
        super().__init__(f"quote {quote_id} version {version} is superseded by version {latest}")
        self.quote_id = quote_id
        self.version = version
        self.latest = latest


class PastValidity(Conflict):
    """The quote's validity date has passed; it can no longer be sent or accepted."""

    def __init__(self, quote_id: str, valid_until: object) -> None:
        super().__init__(f"quote {quote_id} was valid until {valid_until}")
        self.quote_id = quote_id
        self.valid_until = valid_until


class IdempotencyConflict(Conflict):
    """An idempotency key was reused with different arguments."""

    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was already used with other arguments")
        self.key = key


class StorageError(Quote2OrderError):
    """A store failed; the unit of work was rolled back."""


class ConcurrencyError(StorageError):
    """Another writer changed the aggregate first (optimistic lock); reload and retry."""

    def __init__(self, kind: str, object_id: str, expected_version: int) -> None:
        super().__init__(
            f"{kind} {object_id} was changed concurrently (expected version {expected_version})"
        )
        self.kind = kind
        self.object_id = object_id
        self.expected_version = expected_version


class StorageUnavailable(StorageError, ConnectionError):
    """The store cannot be reached."""


class OptimizationError(Quote2OrderError):
    """The optimizer could not produce a plan for its input."""


class DeliveryError(Quote2OrderError):
    """A notifier could not deliver a message (the outbox will retry)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
