"""Quotes and their versions.

A quote has one customer, one link token (only its hash is kept here) and a list of
versions. Only the latest version can be a draft; sending freezes it with a content
hash. Reopening a lost or expired quote appends version N+1, a copy of the latest one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

import attrs

from quote2order.errors import (
    AlreadyAccepted,
    CurrencyMismatch,
    PastValidity,
    SupersededVersion,
    ValidationError,
)
from quote2order.events import (
    QuoteAccepted,
    QuoteCreated,
    QuoteDeclined,
    QuoteEdited,
    QuoteExpired,
    QuoteLinkExpirySet,
    QuoteLinkRevoked,
    QuoteLinkRotated,
    QuoteMarkedLost,
    QuoteMarkedWon,
    QuoteRejected,
    QuoteSent,
    QuoteVersionCreated,
)
from quote2order.lifecycle import QUOTE_LIFECYCLE, QuoteStatus
from quote2order.money import DocumentTotals, document_totals
from quote2order.positions import Position

__all__ = ["Customer", "PositionChange", "Quote", "QuoteVersion", "diff_positions"]


@attrs.frozen
class Customer:
    """The business customer a quote is for, as recorded on the quote."""

    customer_id: str
    name: str
    email: str
    locale: str = "de_DE"
    company: str = ""
    address: tuple[str, ...] = ()
    vat_id: str = ""


@attrs.frozen
class QuoteVersion:
    """One version of a quote. Frozen values: editing a draft replaces it with a new one."""

    number: int
    title: str
    positions: tuple[Position, ...]
    valid_until: date
    created_at: datetime
    notes: str = ""
    sent_at: datetime | None = None
    content_hash: str | None = None

    @property
    def is_sent(self) -> bool:
        """True once the version was sent (and so frozen)."""
        return self.sent_at is not None

    def totals(self, currency: str) -> DocumentTotals:
        """Net, VAT per rate and gross of this version."""
        return document_totals(((p.net_amount, p.vat_rate) for p in self.positions), currency)

    def compute_hash(self) -> str:
        """SHA-256 of the version's content (not of when it was sent)."""
        content = {
            "number": self.number,
            "title": self.title,
            "valid_until": self.valid_until.isoformat(),
            "notes": self.notes,
            "positions": [_position_fields(p) for p in self.positions],
        }
        import hashlib  # imported here: it is slow to import and needed only on send
        import json

        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _position_fields(position: Position) -> dict[str, str | None]:
    product = position.product
    return {
        "position_id": position.position_id,
        "kind": position.kind.value,
        "name": position.name,
        "description": position.description,
        "quantity": str(position.quantity),
        "unit_price": str(position.unit_price),
        "vat_rate": str(position.vat_rate.percent),
        "discount": str(position.discount),
        "product_id": product.product_id if product else None,
        "manufacturer_part_number": product.manufacturer_part_number if product else None,
        "product_name": product.name if product else None,
        "purchase_price": str(product.purchase_price)
        if product and product.purchase_price
        else None,
    }


_COMPARED = ("name", "description", "quantity", "unit_price", "vat_rate", "discount", "product")


@attrs.frozen
class PositionChange:
    """How one position differs between a version and the one before it."""

    change: Literal["added", "removed", "changed"]
    position_id: str
    name: str
    fields: tuple[str, ...] = ()  # for "changed": which fields differ
    before: Position | None = None
    after: Position | None = None


def diff_positions(
    before: Sequence[Position], after: Sequence[Position]
) -> tuple[PositionChange, ...]:
    """The positions added, removed and changed from ``before`` to ``after`` (by id)."""
    old = {p.position_id: p for p in before}
    new = {p.position_id: p for p in after}
    changes: list[PositionChange] = []
    for position in after:
        previous = old.get(position.position_id)
        if previous is None:
            changes.append(
                PositionChange("added", position.position_id, position.name, after=position)
            )
        elif previous != position:
            fields = tuple(f for f in _COMPARED if getattr(previous, f) != getattr(position, f))
            changes.append(
                PositionChange(
                    "changed", position.position_id, position.name, fields, previous, position
                )
            )
    changes.extend(
        PositionChange("removed", p.position_id, p.name, before=p)
        for p in before
        if p.position_id not in new
    )
    return tuple(changes)


def _check_positions(positions: Sequence[Position], currency: str) -> tuple[Position, ...]:
    seen: set[str] = set()
    for position in positions:
        if position.unit_price.currency != currency:
            raise CurrencyMismatch(currency, position.unit_price.currency)
        if position.position_id in seen:
            raise ValidationError(f"position id {position.position_id!r} appears twice")
        seen.add(position.position_id)
    return tuple(positions)


@attrs.define
class Quote:
    """A quote: customer, link-token hash, versions, and the status of the latest version.

    ``revision`` counts saved changes; stores use it for optimistic locking.
    """

    quote_id: str
    reseller_id: str
    customer: Customer
    currency: str
    link_token_hash: str
    versions: list[QuoteVersion]
    created_at: datetime
    status: QuoteStatus = QuoteStatus.DRAFT
    order_id: str | None = None  # the order of the won version, while it is won
    number: str = ""  # e.g. "AN-2026-00001"; empty for quotes stored before numbering
    link_expires_at: datetime | None = None  # None: the link does not expire
    link_revoked_at: datetime | None = None  # set: the link no longer resolves
    revision: int = 0

    @property
    def lifecycle_id(self) -> str:
        return self.quote_id

    @classmethod
    def create(
        cls,
        *,
        quote_id: str,
        reseller_id: str,
        customer: Customer,
        currency: str,
        link_token_hash: str,
        title: str,
        positions: Sequence[Position],
        valid_until: date,
        notes: str = "",
        number: str = "",
        now: datetime,
        actor: str,
    ) -> tuple[Quote, QuoteCreated]:
        """A new quote whose version 1 is a draft."""
        version = QuoteVersion(
            1, title, _check_positions(positions, currency), valid_until, now, notes
        )
        quote = cls(
            quote_id,
            reseller_id,
            customer,
            currency,
            link_token_hash,
            [version],
            now,
            number=number,
        )
        event = QuoteCreated(
            aggregate_id=quote_id,
            occurred_at=now,
            actor=actor,
            version=1,
            customer_id=customer.customer_id,
        )
        return quote, event

    def copy(self) -> Quote:
        """An independent copy (versions are frozen, so the list is all that is copied)."""
        return attrs.evolve(self, versions=list(self.versions))

    @property
    def latest(self) -> QuoteVersion:
        """The newest version (a draft while the quote is being edited)."""
        return self.versions[-1]

    @property
    def latest_sent(self) -> QuoteVersion | None:
        """The newest version that was sent: what the customer's link shows."""
        for version in reversed(self.versions):
            if version.is_sent:
                return version
        return None

    def version(self, number: int) -> QuoteVersion:
        """Version ``number`` (1-based)."""
        if not 1 <= number <= len(self.versions):
            raise ValidationError(f"quote {self.quote_id} has no version {number}")
        return self.versions[number - 1]

    def changes(self, number: int) -> tuple[PositionChange, ...]:
        """What changed in version ``number`` against the version before it."""
        if number == 1:
            return diff_positions((), self.version(1).positions)
        return diff_positions(self.version(number - 1).positions, self.version(number).positions)

    def allowed_actions(self) -> frozenset[str]:
        """The lifecycle actions legal now."""
        return QUOTE_LIFECYCLE.allowed_actions(self.status)

    # -- actions -------------------------------------------------------------------------

    def edit(
        self,
        *,
        title: str | None = None,
        positions: Sequence[Position] | None = None,
        valid_until: date | None = None,
        notes: str | None = None,
        now: datetime,
        actor: str,
    ) -> QuoteEdited:
        """Change the draft version; only a draft can be edited."""
        QUOTE_LIFECYCLE.check(self, "edit")
        draft = self.latest
        changed = attrs.evolve(
            draft,
            title=draft.title if title is None else title,
            positions=draft.positions
            if positions is None
            else _check_positions(positions, self.currency),
            valid_until=draft.valid_until if valid_until is None else valid_until,
            notes=draft.notes if notes is None else notes,
        )
        QUOTE_LIFECYCLE.fire(self, "edit")
        self.versions[-1] = changed
        return QuoteEdited(
            aggregate_id=self.quote_id, occurred_at=now, actor=actor, version=draft.number
        )

    def send(self, *, now: datetime, actor: str) -> QuoteSent:
        """Send the draft to the customer; the version is frozen with its content hash."""
        QUOTE_LIFECYCLE.check(self, "send")
        draft = self.latest
        if not draft.positions:
            raise ValidationError(
                f"quote {self.quote_id}: a quote without positions cannot be sent"
            )
        if draft.valid_until < now.date():
            raise PastValidity(self.quote_id, draft.valid_until)
        content_hash = draft.compute_hash()
        QUOTE_LIFECYCLE.fire(self, "send")
        self.versions[-1] = attrs.evolve(draft, sent_at=now, content_hash=content_hash)
        return QuoteSent(
            aggregate_id=self.quote_id,
            occurred_at=now,
            actor=actor,
            version=draft.number,
            content_hash=content_hash,
        )

    def _check_acceptable(self, version: int, now: datetime) -> None:
        latest = self.latest.number
        if version != latest:
            raise SupersededVersion(self.quote_id, version, latest)
        if self.status is QuoteStatus.WON:
            raise AlreadyAccepted(self.quote_id, version, self.order_id)
        if self.status is QuoteStatus.SENT and self.latest.valid_until < now.date():
            raise PastValidity(self.quote_id, self.latest.valid_until)

    def accept(self, *, version: int, order_id: str, now: datetime, actor: str) -> QuoteAccepted:
        """The customer accepts ``version``; it must be the latest, sent and still valid."""
        self._check_acceptable(version, now)
        QUOTE_LIFECYCLE.fire(self, "accept")
        self.order_id = order_id
        return QuoteAccepted(
            aggregate_id=self.quote_id, occurred_at=now, actor=actor, version=version
        )

    def mark_won(self, *, order_id: str, now: datetime, actor: str) -> QuoteMarkedWon:
        """The reseller records the latest sent version as won."""
        self._check_acceptable(self.latest.number, now)
        QUOTE_LIFECYCLE.fire(self, "mark_won")
        self.order_id = order_id
        return QuoteMarkedWon(
            aggregate_id=self.quote_id, occurred_at=now, actor=actor, version=self.latest.number
        )

    def decline(self, *, version: int, now: datetime, actor: str) -> QuoteDeclined:
        """The customer declines ``version`` (the latest one)."""
        if version != self.latest.number:
            raise SupersededVersion(self.quote_id, version, self.latest.number)
        QUOTE_LIFECYCLE.fire(self, "decline")
        return QuoteDeclined(
            aggregate_id=self.quote_id, occurred_at=now, actor=actor, version=version
        )

    def mark_lost(self, *, now: datetime, actor: str) -> QuoteMarkedLost:
        """The reseller records the quote as lost."""
        QUOTE_LIFECYCLE.fire(self, "mark_lost")
        return QuoteMarkedLost(
            aggregate_id=self.quote_id, occurred_at=now, actor=actor, version=self.latest.number
        )

    def expire(self, *, now: datetime, actor: str) -> QuoteExpired:
        """The sent version passed its validity date."""
        QUOTE_LIFECYCLE.check(self, "expire")
        if self.latest.valid_until >= now.date():
            raise ValidationError(f"quote {self.quote_id} is valid until {self.latest.valid_until}")
        QUOTE_LIFECYCLE.fire(self, "expire")
        return QuoteExpired(
            aggregate_id=self.quote_id, occurred_at=now, actor=actor, version=self.latest.number
        )

    def reject(self, *, order_id: str, now: datetime, actor: str) -> QuoteRejected:
        """Its order was rejected: the won quote becomes lost and can be reopened."""
        QUOTE_LIFECYCLE.fire(self, "reject")
        self.order_id = None
        return QuoteRejected(
            aggregate_id=self.quote_id,
            occurred_at=now,
            actor=actor,
            version=self.latest.number,
            order_id=order_id,
        )

    def reopen(self, *, now: datetime, actor: str) -> QuoteVersionCreated:
        """Set a lost or expired quote back to draft: version N+1, a copy of version N."""
        QUOTE_LIFECYCLE.check(self, "reopen")
        previous = self.latest
        number = previous.number + 1
        draft = QuoteVersion(
            number, previous.title, previous.positions, previous.valid_until, now, previous.notes
        )
        QUOTE_LIFECYCLE.fire(self, "reopen")
        self.versions.append(draft)
        return QuoteVersionCreated(
            aggregate_id=self.quote_id, occurred_at=now, actor=actor, version=number
        )

    # -- the customer link ---------------------------------------------------------------

    def link_is_active(self, now: datetime) -> bool:
        """True while the customer link resolves: not revoked and not past its expiry."""
        if self.link_revoked_at is not None:
            return False
        return self.link_expires_at is None or now < self.link_expires_at

    def rotate_link(
        self, *, token_hash: str, expires_at: datetime | None, now: datetime, actor: str
    ) -> QuoteLinkRotated:
        """Replace the link token's hash: the old link stops resolving, the new one works."""
        import hmac

        if hmac.compare_digest(token_hash, self.link_token_hash):
            raise ValidationError(f"quote {self.quote_id}: a rotated link needs a new token")
        if expires_at is not None and expires_at.tzinfo is None:
            raise ValidationError("a link expiry needs a timezone-aware datetime")
        self.link_token_hash = token_hash
        self.link_expires_at = expires_at
        self.link_revoked_at = None
        return QuoteLinkRotated(
            aggregate_id=self.quote_id,
            occurred_at=now,
            actor=actor,
            version=self.latest.number,
            expires_at=_iso(expires_at),
        )

    def revoke_link(self, *, now: datetime, actor: str) -> QuoteLinkRevoked:
        """Stop the customer link from resolving (rotating issues a new one)."""
        self.link_revoked_at = self.link_revoked_at or now
        return QuoteLinkRevoked(
            aggregate_id=self.quote_id, occurred_at=now, actor=actor, version=self.latest.number
        )

    def set_link_expiry(
        self, *, expires_at: datetime | None, now: datetime, actor: str
    ) -> QuoteLinkExpirySet:
        """Let the customer link expire at ``expires_at`` (None: never)."""
        if expires_at is not None and expires_at.tzinfo is None:
            raise ValidationError("a link expiry needs a timezone-aware datetime")
        self.link_expires_at = expires_at
        return QuoteLinkExpirySet(
            aggregate_id=self.quote_id,
            occurred_at=now,
            actor=actor,
            version=self.latest.number,
            expires_at=_iso(expires_at),
        )


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()
