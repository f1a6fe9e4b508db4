"""The service: one object a host application builds with its adapters and calls.

:class:`Quote2Order` has one method per action. Each command runs in one unit of work
(see :mod:`quote2order._runner`); the purchasing commands are written in
:mod:`quote2order._purchasing_commands`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from quote2order._arguments import checked
from quote2order._purchasing_commands import PurchasingCommands
from quote2order._runner import (
    EventHandler,
    SystemClock,
    UuidGenerator,
    check_owner,
    hash_link_token,
    new_link_token,
)
from quote2order.errors import (
    ConcurrencyError,
    InvalidTransition,
    NotFound,
    OrderNotFound,
    QuoteNotFound,
    ValidationError,
)
from quote2order.events import DomainEvent
from quote2order.lifecycle import ORDER_LIFECYCLE, OrderStatus
from quote2order.orders import Order, Shipment
from quote2order.ports import DocumentRecord, UnitOfWork
from quote2order.positions import Position
from quote2order.quotes import Customer, Quote

__all__ = [
    "CreatedQuote",
    "EventHandler",
    "Quote2Order",
    "SystemClock",
    "UuidGenerator",
    "hash_link_token",
    "new_link_token",
]

# Due quotes expired per unit of work: one commit (a disk flush) for many, while the
# transaction, and the board totals' row locks its triggers take, stays short.
_EXPIRY_BATCH = 50


@attrs.frozen
class CreatedQuote:
    """A new quote and its link token: the only time the raw token is available."""

    quote: Quote
    link_token: str


@checked
class Quote2Order(PurchasingCommands):
    """The quote-to-order use cases, one method per action.

    ``unit_of_work`` is a factory of units of work (a store such as ``MemoryStore()`` or
    ``SqliteStore(path)`` is one). ``queries`` answers the reads of screens and jobs
    (:mod:`quote2order.queries`); by default the store's own ``queries``. ``handlers`` run for every event inside the unit of work
    of the command that caused it. The ``*_number_format`` strings number quotes, orders,
    pro-forma invoices and purchase orders from their own series per reseller (``{year}``,
    ``{number}``; a format with ``{year}`` starts again at 1 each year).
    """

    # -- plumbing ------------------------------------------------------------------------

    def _order_command(
        self,
        command: str,
        order_id: str,
        act: Callable[[UnitOfWork, Order, datetime], list[DomainEvent]],
        idempotency_key: str | None,
        args: Any = None,
        reseller_id: str | None = None,
    ) -> Order:
        def load(uow: UnitOfWork, order_id: str) -> Order:
            order = uow.orders.get(order_id, reseller_id=reseller_id)
            check_owner(order.reseller_id, reseller_id, OrderNotFound, order_id)
            return order

        def body(uow: UnitOfWork, now: datetime) -> tuple[Order, list[DomainEvent]]:
            order = load(uow, order_id)
            events = act(uow, order, now)
            uow.orders.save(order)
            return order, events

        return self._run(
            command,
            body,
            idempotency_key=idempotency_key,
            args=[order_id, args],
            replay=load,
            result_id=lambda order: order.order_id,
            tenant=lambda uow: reseller_id or load(uow, order_id).reseller_id,
        )

    def _quote_command(
        self,
        quote_id: str,
        act: Callable[[Quote, datetime], DomainEvent],
        reseller_id: str | None = None,
    ) -> Quote:
        def body(uow: UnitOfWork, now: datetime) -> tuple[Quote, list[DomainEvent]]:
            quote = uow.quotes.get(quote_id, reseller_id=reseller_id)
            check_owner(quote.reseller_id, reseller_id, QuoteNotFound, quote_id)
            event = act(quote, now)
            uow.quotes.save(quote)
            return quote, [event]

        return self._run("quote", body)

    # -- quotes --------------------------------------------------------------------------

    def create_quote(
        self,
        *,
        reseller_id: str,
        customer: Customer,
        title: str,
        positions: Sequence[Position],
        valid_until: date,
        currency: str = "EUR",
        notes: str = "",
        actor: str = "reseller",
    ) -> CreatedQuote:
        """Create a quote whose version 1 is a draft; returns it with its link token."""
        token = new_link_token()

        def body(uow: UnitOfWork, now: datetime) -> tuple[CreatedQuote, list[DomainEvent]]:
            quote, event = Quote.create(
                quote_id=self._ids.new_id("quote"),
                reseller_id=reseller_id,
                customer=customer,
                currency=currency,
                link_token_hash=hash_link_token(token),
                title=title,
                positions=positions,
                valid_until=valid_until,
                notes=notes,
                now=now,
                actor=actor,
            )
            # Numbered once the input passed its checks: a refused create uses up no number.
            quote.number = self._next_number(uow, "quote", reseller_id, now)
            uow.quotes.add(quote)
            return CreatedQuote(quote, token), [event]

        return self._run("create_quote", body)

    def edit_quote(
        self,
        quote_id: str,
        *,
        title: str | None = None,
        positions: Sequence[Position] | None = None,
        valid_until: date | None = None,
        notes: str | None = None,
        actor: str = "reseller",
        reseller_id: str | None = None,
    ) -> Quote:
        """Change the draft version (title, positions, validity, notes)."""
        return self._quote_command(
            quote_id,
            lambda quote, now: quote.edit(
                title=title,
                positions=positions,
                valid_until=valid_until,
                notes=notes,
                now=now,
                actor=actor,
            ),
            reseller_id,
        )

    def send_quote(
        self,
        quote_id: str,
        *,
        link_token: str | None = None,
        actor: str = "reseller",
        reseller_id: str | None = None,
    ) -> Quote:
        """Send the draft version to the customer; it is frozen from now on.

        With ``link_token`` (the raw token from ``create_quote`` or ``rotate_link``), the
        notification e-mail carries the customer's link; the token must be the quote's
        current one. It is kept only in that e-mail's outbox entry, until it is sent.
        """

        def send(quote: Quote, now: datetime) -> DomainEvent:
            if link_token is None:
                return quote.send(now=now, actor=actor)
            import hmac

            if not hmac.compare_digest(quote.link_token_hash, hash_link_token(link_token)):
                raise ValidationError(f"quote {quote_id}: not the quote's current link token")
            return attrs.evolve(quote.send(now=now, actor=actor), link_token=link_token)

        return self._quote_command(quote_id, send, reseller_id)

    def _win(
        self,
        command: str,
        load: Callable[[UnitOfWork], Quote],
        win: Callable[[Quote, str, datetime], DomainEvent],
        actor: str,
        idempotency_key: str | None,
        args: Any,
        guard: Callable[[UnitOfWork], Quote],
    ) -> Order:
        def replay(uow: UnitOfWork, order_id: str) -> Order:
            # A replay resolves the quote again: a revoked, expired or rotated link is dead.
            return uow.orders.get(order_id, reseller_id=guard(uow).reseller_id)

        def body(uow: UnitOfWork, now: datetime) -> tuple[Order, list[DomainEvent]]:
            quote = load(uow)
            order_id = self._ids.new_id("order")
            won = win(quote, order_id, now)
            number = self._next_number(uow, "order", quote.reseller_id, now)
            order, created = Order.from_quote(
                quote, order_id=order_id, order_number=number, now=now, actor=actor
            )
            uow.quotes.save(quote)
            uow.orders.add(order)
            return order, [won, created]

        return self._run(
            command,
            body,
            idempotency_key=idempotency_key,
            args=args,
            replay=replay,
            result_id=lambda order: order.order_id,
            tenant=lambda uow: guard(uow).reseller_id,
        )

    def accept_quote(
        self,
        link_token: str,
        version: int,
        *,
        actor: str = "customer",
        idempotency_key: str | None = None,
    ) -> Order:
        """The customer accepts ``version`` through the link: the one order is created.

        Accepting again, or accepting a superseded version, raises and creates nothing.
        """
        return self._win(
            "accept_quote",
            lambda uow: self._by_token(uow, link_token),
            lambda q, order_id, now: q.accept(
                version=version, order_id=order_id, now=now, actor=actor
            ),
            actor,
            idempotency_key,
            [_token_hash(link_token), version],
            guard=lambda uow: self._by_token(uow, link_token),
        )

    def mark_quote_won(
        self,
        quote_id: str,
        *,
        actor: str = "reseller",
        idempotency_key: str | None = None,
        reseller_id: str | None = None,
    ) -> Order:
        """The reseller records the latest sent version as won: the one order is created."""

        def load(uow: UnitOfWork) -> Quote:
            quote = uow.quotes.get(quote_id, reseller_id=reseller_id)
            check_owner(quote.reseller_id, reseller_id, QuoteNotFound, quote_id)
            return quote

        return self._win(
            "mark_quote_won",
            load,
            lambda q, order_id, now: q.mark_won(order_id=order_id, now=now, actor=actor),
            actor,
            idempotency_key,
            [quote_id],
            guard=load,
        )

    def decline_quote(self, link_token: str, version: int, *, actor: str = "customer") -> Quote:
        """The customer declines the latest version through the link."""

        def body(uow: UnitOfWork, now: datetime) -> tuple[Quote, list[DomainEvent]]:
            quote = self._by_token(uow, link_token)
            event = quote.decline(version=version, now=now, actor=actor)
            uow.quotes.save(quote)
            return quote, [event]

        return self._run("decline_quote", body)

    def rotate_link(
        self,
        quote_id: str,
        *,
        expires_at: datetime | None = None,
        actor: str = "reseller",
        reseller_id: str | None = None,
    ) -> str:
        """Issue a new customer-link token (returned, never stored); the old one stops working.

        Also lifts a revocation and sets the new link's expiry (None: never).
        """
        token = new_link_token()
        self._quote_command(
            quote_id,
            lambda q, now: q.rotate_link(
                token_hash=hash_link_token(token), expires_at=expires_at, now=now, actor=actor
            ),
            reseller_id,
        )
        return token

    def revoke_link(
        self, quote_id: str, *, actor: str = "reseller", reseller_id: str | None = None
    ) -> Quote:
        """Stop the customer link from resolving (``rotate_link`` issues a new one)."""
        return self._quote_command(
            quote_id, lambda q, now: q.revoke_link(now=now, actor=actor), reseller_id
        )

    def set_link_expiry(
        self,
        quote_id: str,
        expires_at: datetime | None,
        *,
        actor: str = "reseller",
        reseller_id: str | None = None,
    ) -> Quote:
        """Let the customer link expire at ``expires_at`` (None: never)."""
        return self._quote_command(
            quote_id,
            lambda q, now: q.set_link_expiry(expires_at=expires_at, now=now, actor=actor),
            reseller_id,
        )

    def mark_quote_lost(
        self, quote_id: str, *, actor: str = "reseller", reseller_id: str | None = None
    ) -> Quote:
        """The reseller records the sent quote as lost."""
        return self._quote_command(
            quote_id, lambda q, now: q.mark_lost(now=now, actor=actor), reseller_id
        )

    def reopen_quote(
        self, quote_id: str, *, actor: str = "reseller", reseller_id: str | None = None
    ) -> Quote:
        """Set a lost or expired quote back to draft: creates version N+1."""
        return self._quote_command(
            quote_id, lambda q, now: q.reopen(now=now, actor=actor), reseller_id
        )

    def expire_quotes(
        self, *, reseller_id: str | None = None, actor: str = "system", page_size: int = 500
    ) -> list[str]:
        """Mark every sent quote past its validity date as expired; returns their ids.

        A host's job runner calls this, e.g. once a night, for one reseller or (None) for
        every reseller of the store. The due quotes are read a page at a time from the
        read side, so the job's cost follows the quotes due, not all quotes.
        """
        today = self.clock.now().date()
        expired: list[str] = []
        after: str | None = None
        while True:
            page = self.queries.quotes_due_for_expiry(
                today=today, reseller_id=reseller_id, after=after, page_size=page_size
            )
            # Each due quote with its reseller: every load names the tenant.
            due = [(q.quote_id, q.reseller_id) for q in page.items]
            for start in range(0, len(due), _EXPIRY_BATCH):
                batch = due[start : start + _EXPIRY_BATCH]
                try:
                    expired += self._expire_together(batch, actor)
                except ConcurrencyError:  # one of them changed meanwhile: one at a time
                    expired += self._expire_each(batch, actor)
            if page.next_cursor is None:
                return expired
            after = page.next_cursor

    def _expire_together(self, due: Sequence[tuple[str, str]], actor: str) -> list[str]:
        """Expire the ``due`` quotes (id, reseller) in one unit of work (one commit, not one
        each)."""

        def body(uow: UnitOfWork, now: datetime) -> tuple[list[str], list[DomainEvent]]:
            done: list[str] = []
            events: list[DomainEvent] = []
            for quote_id, reseller_id in due:
                quote = uow.quotes.get(quote_id, reseller_id=reseller_id)
                try:
                    events.append(quote.expire(now=now, actor=actor))
                except (InvalidTransition, ValidationError):
                    continue  # accepted, declined or re-dated since the listing
                uow.quotes.save(quote)
                done.append(quote_id)
            return done, events

        return self._run("expire_quotes", body)

    def _expire_each(self, due: Sequence[tuple[str, str]], actor: str) -> list[str]:
        """Expire the ``due`` quotes (id, reseller) one command each, retrying conflicts."""
        expired = []
        for quote_id, reseller_id in due:
            try:
                self.with_retry(
                    lambda quote_id=quote_id, reseller_id=reseller_id: self._quote_command(  # type: ignore[misc]
                        quote_id, lambda q, now: q.expire(now=now, actor=actor), reseller_id
                    )
                )
            except (InvalidTransition, ValidationError):
                continue  # accepted, declined or re-dated since the listing
            expired.append(quote_id)
        return expired

    # -- orders --------------------------------------------------------------------------

    def confirm_order(
        self,
        order_id: str,
        *,
        actor: str = "reseller",
        idempotency_key: str | None = None,
        reseller_id: str | None = None,
    ) -> Order:
        """Confirm the order (the customer's order confirmation follows, if enabled)."""
        return self._order_command(
            "confirm_order",
            order_id,
            lambda uow, order, now: [order.confirm(now=now, actor=actor)],
            idempotency_key,
            reseller_id=reseller_id,
        )

    def reject_order(
        self,
        order_id: str,
        *,
        reason: str = "",
        actor: str = "reseller",
        reseller_id: str | None = None,
    ) -> Order:
        """Reject the order to renegotiate: its quote becomes lost and can be reopened."""

        def act(uow: UnitOfWork, order: Order, now: datetime) -> list[DomainEvent]:
            rejected = order.reject(reason=reason, now=now, actor=actor)
            quote = uow.quotes.get(order.quote_id, reseller_id=order.reseller_id)
            lost = quote.reject(order_id=order.order_id, now=now, actor=actor)
            uow.quotes.save(quote)
            return [rejected, lost]

        return self._order_command("reject_order", order_id, act, None, reseller_id=reseller_id)

    def complete_order(
        self,
        order_id: str,
        shipments: Sequence[Shipment] = (),
        *,
        actor: str = "reseller",
        idempotency_key: str | None = None,
        reseller_id: str | None = None,
    ) -> Order:
        """Complete the order with its shipments (carrier + tracking number, entered by hand).

        Quantities of the order still in the purchasing cart leave the cart: the reseller
        shipped without buying them. Quantities already ordered stay on their purchase orders.
        """

        def act(uow: UnitOfWork, order: Order, now: datetime) -> list[DomainEvent]:
            ORDER_LIFECYCLE.check(order, "complete")
            released = self._release_from_cart(uow, order, now, actor)
            return [*released, order.complete(shipments=shipments, now=now, actor=actor)]

        return self._order_command(
            "complete_order",
            order_id,
            act,
            idempotency_key,
            [attrs.asdict(s) for s in shipments],
            reseller_id,
        )

    def ship_order(
        self,
        order_id: str,
        shipment: Shipment,
        *,
        actor: str = "reseller",
        idempotency_key: str | None = None,
        reseller_id: str | None = None,
    ) -> Order:
        """Record one parcel of a partial delivery with the goods in it (see Order.ship).

        The order is partly shipped until the parcel with the last outstanding goods
        completes it; then, as on completion, its quantities still in the cart leave it.
        """

        def act(uow: UnitOfWork, order: Order, now: datetime) -> list[DomainEvent]:
            events: list[DomainEvent] = list(order.ship(shipment, now=now, actor=actor))
            if order.status is OrderStatus.COMPLETED:
                events[-1:-1] = self._release_from_cart(uow, order, now, actor)
            return events

        return self._order_command(
            "ship_order", order_id, act, idempotency_key, attrs.asdict(shipment), reseller_id
        )

    def close_undelivered(
        self,
        order_id: str,
        *,
        reason: str,
        actor: str = "reseller",
        idempotency_key: str | None = None,
        reseller_id: str | None = None,
    ) -> Order:
        """Close the goods still outstanding of a partly shipped order as not delivered.

        The order becomes complete; its pro-forma invoice bills only what was delivered
        (plus services) and names what was not, with ``reason``.
        """

        def act(uow: UnitOfWork, order: Order, now: datetime) -> list[DomainEvent]:
            closed = order.close_undelivered(reason=reason, now=now, actor=actor)
            return [*self._release_from_cart(uow, order, now, actor), closed]

        return self._order_command(
            "close_undelivered", order_id, act, idempotency_key, reason, reseller_id
        )

    def invoice_order(
        self,
        order_id: str,
        *,
        actor: str = "reseller",
        idempotency_key: str | None = None,
        reseller_id: str | None = None,
    ) -> Order:
        """Mark the order invoiced (final); its pro-forma invoice gets its own number."""

        def act(uow: UnitOfWork, order: Order, now: datetime) -> list[DomainEvent]:
            # Check first, so that a refused invoice does not use up a pro-forma number.
            ORDER_LIFECYCLE.check(order, "invoice")
            number = self._next_number(uow, "proforma", order.reseller_id, now)
            return [order.invoice(proforma_number=number, now=now, actor=actor)]

        return self._order_command(
            "invoice_order", order_id, act, idempotency_key, reseller_id=reseller_id
        )

    # -- queries -------------------------------------------------------------------------

    def _by_token(self, uow: UnitOfWork, link_token: str) -> Quote:
        token_hash = _token_hash(link_token)
        quote = uow.quotes.get_by_token_hash(token_hash)
        import hmac

        if not hmac.compare_digest(quote.link_token_hash, token_hash):
            raise QuoteNotFound("(link token)")
        if not quote.link_is_active(self.clock.now()):
            # An expired or revoked link must look exactly like an unknown one.
            raise QuoteNotFound("(link token)")
        return quote

    def quote_for_link(self, link_token: str) -> Quote:
        """The quote behind a customer link (its ``latest_sent`` is what the link shows)."""
        with self._uow() as uow:
            quote = self._by_token(uow, link_token)
        if quote.latest_sent is None:
            raise QuoteNotFound("(link token)")
        return quote

    def get_quote(self, quote_id: str, *, reseller_id: str | None = None) -> Quote:
        """The quote with ``quote_id`` (of ``reseller_id``: another's is not found)."""
        with self._uow() as uow:
            self._check_tenant(uow, "quote", quote_id, reseller_id)
            return uow.quotes.get(quote_id, reseller_id=reseller_id)

    def get_order(self, order_id: str, *, reseller_id: str | None = None) -> Order:
        """The order with ``order_id`` (of ``reseller_id``: another's is not found)."""
        with self._uow() as uow:
            self._check_tenant(uow, "order", order_id, reseller_id)
            return uow.orders.get(order_id, reseller_id=reseller_id)

    def list_quotes(self, *, reseller_id: str | None = None) -> Sequence[Quote]:
        """All quotes (of one reseller)."""
        with self._uow() as uow:
            return uow.quotes.list(reseller_id=reseller_id)

    def list_orders(
        self, *, reseller_id: str | None = None, quote_id: str | None = None
    ) -> Sequence[Order]:
        """All orders (of one reseller, made from one quote), oldest first."""
        with self._uow() as uow:
            return uow.orders.list(reseller_id=reseller_id, quote_id=quote_id)

    def documents(
        self, kind: str, aggregate_id: str, *, reseller_id: str | None = None
    ) -> Sequence[DocumentRecord]:
        """The documents of a quote or order ("quote"/"order"), oldest first.

        With ``reseller_id``, another reseller's quote or order is not found.
        """
        with self._uow() as uow:
            self._check_tenant(uow, kind, aggregate_id, reseller_id)
            return uow.documents.for_aggregate(kind, aggregate_id, reseller_id=reseller_id)

    def get_document(self, document_id: str, *, reseller_id: str | None = None) -> DocumentRecord:
        """The document with ``document_id``, or raise NotFound (also: another reseller's)."""
        with self._uow() as uow:
            record = uow.documents.get(document_id, reseller_id=reseller_id)
            try:
                self._check_tenant(uow, record.aggregate_kind, record.aggregate_id, reseller_id)
            except NotFound:
                raise NotFound("document", document_id) from None
            return record

    def history(
        self, kind: str, aggregate_id: str, *, reseller_id: str | None = None
    ) -> Sequence[DomainEvent]:
        """What happened to a quote, order, cart or purchase order, when and by whom.

        ``kind`` is "quote", "order", "cart" or "purchase_order"; with ``reseller_id``,
        another reseller's is not found.
        """
        with self._uow() as uow:
            self._check_tenant(uow, kind, aggregate_id, reseller_id)
            return uow.events.for_aggregate(kind, aggregate_id, reseller_id=reseller_id)


def _token_hash(link_token: object) -> str:
    """The hash of a link token; anything that is no token at all is "not found" too."""
    if not isinstance(link_token, str):
        raise QuoteNotFound("(link token)")
    try:
        return hash_link_token(link_token)
    except UnicodeEncodeError:  # a lone surrogate: no link was ever made of it
        raise QuoteNotFound("(link token)") from None
