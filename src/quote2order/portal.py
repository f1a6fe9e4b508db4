"""The customer quote portal: what a customer link shows, and what it lets the customer do.

The host's web framework calls :class:`Portal` with the token from the link and, when a
customer is logged in, that customer's id. The portal answers with plain read models
(:class:`PortalView`) and never hands out anything of another customer.

A logged-in customer is a ``reseller_id`` and a ``customer_id`` together: customer ids are
unique only per reseller, so two resellers may both have a customer "K-1001".

The "not found" rule: every refused case (unknown, expired, revoked or rotated token;
a token that is no string; no sent version yet; documents without login; any call with
the login of another customer, of the same reseller or of another; a document of another
quote; an unknown format) raises the same
:class:`~quote2order.errors.QuoteNotFound` with the same message, so a caller cannot
tell which check failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

import attrs

from quote2order._arguments import checked
from quote2order.errors import NotFound, QuoteNotFound, ValidationError
from quote2order.lifecycle import QuoteStatus
from quote2order.money import Money
from quote2order.notifications.documents import Renderer
from quote2order.ports import DocumentRecord
from quote2order.positions import Position
from quote2order.quotes import PositionChange, Quote, QuoteVersion
from quote2order.service import Quote2Order

__all__ = [
    "IN_REVISION",
    "Download",
    "Portal",
    "PortalChange",
    "PortalDocument",
    "PortalPosition",
    "PortalVersion",
    "PortalView",
]

#: The customer-facing status while the reseller prepares a newer version.
IN_REVISION = "in_revision"


@attrs.frozen
class PortalPosition:
    """One line of a version as the customer sees it."""

    position_id: str
    name: str
    description: str
    quantity: Decimal
    unit_price: Money
    vat_percent: Decimal
    discount: Decimal
    net_amount: Money


@attrs.frozen
class PortalChange:
    """One position added, removed or changed against the version before."""

    change: Literal["added", "removed", "changed"]
    position_id: str
    name: str
    fields: tuple[str, ...]  # for "changed": e.g. ("quantity", "unit_price")
    quantity_before: Decimal | None
    quantity_after: Decimal | None
    unit_price_before: Money | None
    unit_price_after: Money | None


@attrs.frozen
class PortalVersion:
    """A sent version: its content, totals and what changed against the one before."""

    number: int
    title: str
    notes: str
    valid_until: date
    sent_at: datetime
    positions: tuple[PortalPosition, ...]
    net_total: Money
    vat_total: Money
    gross_total: Money
    changes: tuple[PortalChange, ...]  # empty for version 1


@attrs.frozen
class PortalDocument:
    """A document the logged-in customer may download."""

    document_id: str
    kind: str  # "quote", "order_confirmation", "delivery_note", "proforma_invoice"
    number: str
    created_at: datetime


@attrs.frozen
class PortalView:
    """Everything a customer link shows.

    ``status`` is the quote's status ("sent", "won", "lost", "expired"), or
    ``"in_revision"`` while the reseller prepares a newer version (nothing can be
    accepted then). ``documents`` is empty unless the quote's own customer is logged in.
    """

    customer_name: str
    currency: str
    status: str
    current: PortalVersion
    earlier: tuple[PortalVersion, ...]  # newest first
    can_accept: bool
    can_decline: bool
    order_number: str | None
    documents: tuple[PortalDocument, ...]

    @property
    def version(self) -> int:
        """The number of the version the link shows."""
        return self.current.number


@attrs.frozen
class Download:
    """A rendered document, ready to be sent as an HTTP response."""

    filename: str
    content_type: str
    content: bytes


def _published(record: DocumentRecord) -> bool:
    # The reseller's notification settings may keep a document out of the portal; records
    # without the flag (made by a host's own recorder) are shown.
    return bool(record.snapshot.get("published", True))


def _not_found() -> QuoteNotFound:
    # One message for every refusal, identical to the service's unknown-token error.
    return QuoteNotFound("(link token)")


@checked
class Portal:
    """The customer's side of a quote, reached through its link token.

    Built around the host's :class:`~quote2order.service.Quote2Order` (so accepting runs
    the same handlers), with the renderers (:class:`~quote2order.notifications.Renderer`)
    that serve downloads, one per format: ``[HtmlRenderer(), PdfRenderer()]``. Without
    renderers the portal lists documents, and every download is "not found" (an unknown
    format).
    """

    def __init__(self, service: Quote2Order, *, renderers: Sequence[Renderer] = ()) -> None:
        self._service = service
        self._renderers: dict[str, Renderer] = {}
        for renderer in renderers:
            if renderer.extension in self._renderers:
                raise ValidationError(f"two portal renderers for the format {renderer.extension!r}")
            self._renderers[renderer.extension] = renderer

    # -- reading ---------------------------------------------------------------------------

    def _quote(self, token: str) -> Quote:
        try:
            return self._service.quote_for_link(token)
        except NotFound:
            raise _not_found() from None

    def _scoped(self, token: str, reseller_id: str | None, customer_id: str | None) -> Quote:
        """The link's quote; with a login, only if it is that customer's own."""
        login = _login(reseller_id, customer_id)
        quote = self._quote(token)
        if login is not None and login != (quote.reseller_id, quote.customer.customer_id):
            raise _not_found()
        return quote

    def view(
        self, token: str, *, reseller_id: str | None = None, customer_id: str | None = None
    ) -> PortalView:
        """What the link shows; documents only for the quote's own logged-in customer.

        A logged-in customer is ``reseller_id`` and ``customer_id`` together (customer ids
        are unique per reseller only); another customer's link is then "not found".
        """
        quote = self._scoped(token, reseller_id, customer_id)
        documents = self._documents_of(quote) if customer_id is not None else ()
        return _view(quote, documents, self._order_number(quote), self._service.clock.now())

    def documents(
        self, token: str, *, reseller_id: str | None = None, customer_id: str | None = None
    ) -> tuple[PortalDocument, ...]:
        """The documents of the quote and its orders, for its own logged-in customer only."""
        quote = self._scoped(token, reseller_id, customer_id)
        if customer_id is None:
            raise _not_found()
        return self._documents_of(quote)

    def download(
        self,
        token: str,
        document_id: str,
        *,
        reseller_id: str | None = None,
        customer_id: str | None = None,
        fmt: str = "html",
    ) -> Download:
        """One document of this quote, rendered, for its own logged-in customer only.

        ``fmt`` is a renderer's ``extension`` ("html", "pdf"); the file name is the
        renderer's, the content type its media type (text types with ``charset=utf-8``).
        """
        quote = self._scoped(token, reseller_id, customer_id)
        renderer = self._renderers.get(fmt) if isinstance(fmt, str) else None
        if customer_id is None or renderer is None:
            raise _not_found()
        try:
            record = self._service.get_document(document_id, reseller_id=quote.reseller_id)
        except NotFound:
            raise _not_found() from None
        if (
            record.aggregate_kind,
            record.aggregate_id,
        ) not in self._aggregates(quote) or not _published(record):
            raise _not_found()
        rendered = renderer.render(record)
        return Download(rendered.filename, _content_type(rendered.media_type), rendered.content)

    # -- acting ----------------------------------------------------------------------------

    def accept(
        self,
        token: str,
        version: int,
        *,
        reseller_id: str | None = None,
        customer_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> PortalView:
        """Accept ``version`` (it must be the latest); the one order is created.

        A superseded version raises SupersededVersion; accepting twice AlreadyAccepted,
        unless the same ``idempotency_key`` is given again (a double click, a retry).
        """
        # First, so that a never-sent quote or another customer's is "not found".
        self._scoped(token, reseller_id, customer_id)
        self._service.accept_quote(token, version, idempotency_key=idempotency_key)
        return self.view(token, reseller_id=reseller_id, customer_id=customer_id)

    def decline(
        self,
        token: str,
        version: int,
        *,
        reseller_id: str | None = None,
        customer_id: str | None = None,
    ) -> PortalView:
        """Decline ``version`` (it must be the latest)."""
        self._scoped(token, reseller_id, customer_id)  # as in accept
        self._service.decline_quote(token, version)
        return self.view(token, reseller_id=reseller_id, customer_id=customer_id)

    # -- helpers ---------------------------------------------------------------------------

    def _order_ids(self, quote: Quote) -> list[str]:
        # Every order ever made from this quote (a rejected one keeps its documents),
        # from the read side: one indexed query, no order bodies.
        ids: list[str] = []
        after: str | None = None
        while True:
            page = self._service.queries.orders(
                quote.reseller_id, quote_id=quote.quote_id, after=after, page_size=100
            )
            ids += [o.order_id for o in page.items]
            if page.next_cursor is None:
                return ids
            after = page.next_cursor

    def _aggregates(self, quote: Quote) -> set[tuple[str, str]]:
        return {("quote", quote.quote_id)} | {("order", o) for o in self._order_ids(quote)}

    def _documents_of(self, quote: Quote) -> tuple[PortalDocument, ...]:
        records: list[DocumentRecord] = []
        for kind, aggregate_id in sorted(self._aggregates(quote)):
            records.extend(
                r
                for r in self._service.documents(kind, aggregate_id, reseller_id=quote.reseller_id)
                if _published(r)
            )
        records.sort(key=lambda r: (r.created_at, r.document_id))
        return tuple(PortalDocument(r.document_id, r.kind, r.number, r.created_at) for r in records)

    def _order_number(self, quote: Quote) -> str | None:
        if quote.order_id is None:
            return None
        return self._service.get_order(quote.order_id, reseller_id=quote.reseller_id).order_number


def _content_type(media_type: str) -> str:
    # Text is served as UTF-8 (HtmlRenderer's encoding) unless the renderer names a charset.
    if media_type.startswith("text/") and "charset=" not in media_type.lower():
        return f"{media_type}; charset=utf-8"
    return media_type


def _login(reseller_id: object, customer_id: object) -> tuple[object, object] | None:
    """The logged-in customer, or None; half a login is a mistake of the host."""
    if reseller_id is None and customer_id is None:
        return None
    if reseller_id is None or customer_id is None:
        raise ValidationError(
            "a logged-in customer is named by reseller_id and customer_id together"
        )
    return (reseller_id, customer_id)


def _position(position: Position) -> PortalPosition:
    return PortalPosition(
        position.position_id,
        position.name,
        position.description,
        position.quantity,
        position.unit_price,
        position.vat_rate.percent,
        position.discount,
        position.net_amount,
    )


def _change(change: PositionChange) -> PortalChange:
    before, after = change.before, change.after
    return PortalChange(
        change.change,
        change.position_id,
        change.name,
        change.fields,
        before.quantity if before else None,
        after.quantity if after else None,
        before.unit_price if before else None,
        after.unit_price if after else None,
    )


def _version(quote: Quote, version: QuoteVersion) -> PortalVersion:
    assert version.sent_at is not None
    totals = version.totals(quote.currency)
    changes = () if version.number == 1 else quote.changes(version.number)
    return PortalVersion(
        number=version.number,
        title=version.title,
        notes=version.notes,
        valid_until=version.valid_until,
        sent_at=version.sent_at,
        positions=tuple(_position(p) for p in version.positions),
        net_total=totals.net,
        vat_total=totals.vat,
        gross_total=totals.gross,
        changes=tuple(_change(c) for c in changes),
    )


def _view(
    quote: Quote, documents: Sequence[PortalDocument], order_number: str | None, now: datetime
) -> PortalView:
    shown = quote.latest_sent
    assert shown is not None  # quote_for_link refuses quotes never sent
    is_latest = shown.number == quote.latest.number
    status = quote.status.value if is_latest else IN_REVISION
    open_for_answer = (
        is_latest and quote.status is QuoteStatus.SENT and shown.valid_until >= now.date()
    )
    earlier = [v for v in quote.versions if v.number < shown.number and v.is_sent]
    return PortalView(
        customer_name=quote.customer.company or quote.customer.name,
        currency=quote.currency,
        status=status,
        current=_version(quote, shown),
        earlier=tuple(_version(quote, v) for v in reversed(earlier)),
        can_accept=open_for_answer,
        can_decline=open_for_answer,
        order_number=order_number,
        documents=tuple(documents),
    )
