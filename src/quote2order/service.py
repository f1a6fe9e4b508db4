"""The service: one object a host application builds with its adapters and calls.

Each command runs in one unit of work: load, act, record events, run the event handlers
(which may add outbox entries or documents in the same unit of work), commit. Either all
of it is stored or none of it.

Standard-library modules that cost import time (hashlib, hmac, json, random, secrets,
uuid) are imported where they are used, so ``import quote2order`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from quote2order.errors import (
    ConcurrencyError,
    Conflict,
    IdempotencyConflict,
    InvalidTransition,
    NotFound,
    QuoteNotFound,
    ValidationError,
)
from quote2order.events import CartCheckedOut, DomainEvent
from quote2order.lifecycle import ORDER_LIFECYCLE, OrderStatus, QuoteStatus
from quote2order.orders import Order, Shipment
from quote2order.ports import Clock, DocumentRecord, IdempotencyRecord, IdGenerator, UnitOfWork
from quote2order.positions import Position
from quote2order.purchasing import procurement as _procurement
from quote2order.purchasing.cart import Allocation, Cart
from quote2order.purchasing.checkout import CheckoutResult, UncoveredLine
from quote2order.purchasing.checkout import checkout as _check_out
from quote2order.purchasing.offers import OfferSource
from quote2order.purchasing.procurement import AddedToCart, Selection
from quote2order.purchasing.purchase_orders import PurchaseOrder
from quote2order.purchasing.strategies import AllocationStrategy, CheapestInStock
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


@attrs.frozen
class CreatedQuote:
    """A new quote and its link token: the only time the raw token is available."""

    quote: Quote
    link_token: str


def _fingerprint(command: str, args: Any) -> str:
    import hashlib
    import json

    text = json.dumps([command, args], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class Quote2Order:
    """The quote-to-order use cases, one method per action.

    ``unit_of_work`` is a factory of units of work (a store such as ``MemoryStore()`` or
    ``SqliteStore(path)`` is one). ``handlers`` run for every event inside the unit of work
    of the command that caused it. The ``*_number_format`` strings number quotes, orders,
    pro-forma invoices and purchase orders from their own sequences (``{year}``,
    ``{number}``).
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

    def _order_command(
        self,
        command: str,
        order_id: str,
        act: Callable[[UnitOfWork, Order, datetime], list[DomainEvent]],
        idempotency_key: str | None,
        args: Any = None,
    ) -> Order:
        def body(uow: UnitOfWork, now: datetime) -> tuple[Order, list[DomainEvent]]:
            order = uow.orders.get(order_id)
            events = act(uow, order, now)
            uow.orders.save(order)
            return order, events

        return self._run(
            command,
            body,
            idempotency_key=idempotency_key,
            args=[order_id, args],
            replay=lambda uow, result: uow.orders.get(result),
            result_id=lambda order: order.order_id,
        )

    def _quote_command(self, quote_id: str, act: Callable[[Quote, datetime], DomainEvent]) -> Quote:
        def body(uow: UnitOfWork, now: datetime) -> tuple[Quote, list[DomainEvent]]:
            quote = uow.quotes.get(quote_id)
            event = act(quote, now)
            uow.quotes.save(quote)
            return quote, [event]

        return self._run("quote", body)

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
                number=self._quote_number_format.format(
                    year=now.year, number=uow.sequences.next("quote")
                ),
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
        )

    def send_quote(self, quote_id: str, *, actor: str = "reseller") -> Quote:
        """Send the draft version to the customer; it is frozen from now on."""
        return self._quote_command(quote_id, lambda q, now: q.send(now=now, actor=actor))

    def _win(
        self,
        command: str,
        load: Callable[[UnitOfWork], Quote],
        win: Callable[[Quote, str, datetime], DomainEvent],
        actor: str,
        idempotency_key: str | None,
        args: Any,
    ) -> Order:
        def body(uow: UnitOfWork, now: datetime) -> tuple[Order, list[DomainEvent]]:
            quote = load(uow)
            order_id = self._ids.new_id("order")
            won = win(quote, order_id, now)
            number = self._order_number_format.format(
                year=now.year, number=uow.sequences.next("order")
            )
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
            replay=lambda uow, result: uow.orders.get(result),
            result_id=lambda order: order.order_id,
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
            [hash_link_token(link_token), version],
        )

    def mark_quote_won(
        self, quote_id: str, *, actor: str = "reseller", idempotency_key: str | None = None
    ) -> Order:
        """The reseller records the latest sent version as won: the one order is created."""
        return self._win(
            "mark_quote_won",
            lambda uow: uow.quotes.get(quote_id),
            lambda q, order_id, now: q.mark_won(order_id=order_id, now=now, actor=actor),
            actor,
            idempotency_key,
            [quote_id],
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
        self, quote_id: str, *, expires_at: datetime | None = None, actor: str = "reseller"
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
        )
        return token

    def revoke_link(self, quote_id: str, *, actor: str = "reseller") -> Quote:
        """Stop the customer link from resolving (``rotate_link`` issues a new one)."""
        return self._quote_command(quote_id, lambda q, now: q.revoke_link(now=now, actor=actor))

    def set_link_expiry(
        self, quote_id: str, expires_at: datetime | None, *, actor: str = "reseller"
    ) -> Quote:
        """Let the customer link expire at ``expires_at`` (None: never)."""
        return self._quote_command(
            quote_id, lambda q, now: q.set_link_expiry(expires_at=expires_at, now=now, actor=actor)
        )

    def mark_quote_lost(self, quote_id: str, *, actor: str = "reseller") -> Quote:
        """The reseller records the sent quote as lost."""
        return self._quote_command(quote_id, lambda q, now: q.mark_lost(now=now, actor=actor))

    def reopen_quote(self, quote_id: str, *, actor: str = "reseller") -> Quote:
        """Set a lost or expired quote back to draft: creates version N+1."""
        return self._quote_command(quote_id, lambda q, now: q.reopen(now=now, actor=actor))

    def expire_quotes(self, *, actor: str = "system") -> list[str]:
        """Mark every sent quote past its validity date as expired; returns their ids.

        A host's job runner calls this, e.g. once a night.
        """
        today = self.clock.now().date()
        with self._uow() as uow:
            due = [
                q.quote_id
                for q in uow.quotes.list()
                if q.status is QuoteStatus.SENT and q.latest.valid_until < today
            ]
        expired: list[str] = []
        for quote_id in due:
            try:
                self.with_retry(
                    lambda quote_id=quote_id: self._quote_command(  # type: ignore[misc]
                        quote_id, lambda q, now: q.expire(now=now, actor=actor)
                    )
                )
            except (InvalidTransition, ValidationError):
                continue  # accepted, declined or re-dated since the listing: nothing to expire
            expired.append(quote_id)
        return expired

    # -- orders --------------------------------------------------------------------------

    def confirm_order(
        self, order_id: str, *, actor: str = "reseller", idempotency_key: str | None = None
    ) -> Order:
        """Confirm the order (the customer's order confirmation follows, if enabled)."""
        return self._order_command(
            "confirm_order",
            order_id,
            lambda uow, order, now: [order.confirm(now=now, actor=actor)],
            idempotency_key,
        )

    def reject_order(self, order_id: str, *, reason: str = "", actor: str = "reseller") -> Order:
        """Reject the order to renegotiate: its quote becomes lost and can be reopened."""

        def act(uow: UnitOfWork, order: Order, now: datetime) -> list[DomainEvent]:
            rejected = order.reject(reason=reason, now=now, actor=actor)
            quote = uow.quotes.get(order.quote_id)
            lost = quote.reject(order_id=order.order_id, now=now, actor=actor)
            uow.quotes.save(quote)
            return [rejected, lost]

        return self._order_command("reject_order", order_id, act, None)

    def complete_order(
        self,
        order_id: str,
        shipments: Sequence[Shipment] = (),
        *,
        actor: str = "reseller",
        idempotency_key: str | None = None,
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
        )

    def invoice_order(
        self, order_id: str, *, actor: str = "reseller", idempotency_key: str | None = None
    ) -> Order:
        """Mark the order invoiced (final); its pro-forma invoice gets its own number."""

        def act(uow: UnitOfWork, order: Order, now: datetime) -> list[DomainEvent]:
            # Check first, so that a refused invoice does not use up a pro-forma number.
            ORDER_LIFECYCLE.check(order, "invoice")
            number = self._proforma_number_format.format(
                year=now.year, number=uow.sequences.next("proforma")
            )
            return [order.invoice(proforma_number=number, now=now, actor=actor)]

        return self._order_command("invoice_order", order_id, act, idempotency_key)

    # -- queries -------------------------------------------------------------------------

    def _by_token(self, uow: UnitOfWork, link_token: str) -> Quote:
        token_hash = hash_link_token(link_token)
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

    def get_quote(self, quote_id: str) -> Quote:
        """The quote with ``quote_id``."""
        with self._uow() as uow:
            return uow.quotes.get(quote_id)

    def get_order(self, order_id: str) -> Order:
        """The order with ``order_id``."""
        with self._uow() as uow:
            return uow.orders.get(order_id)

    def list_quotes(self, *, reseller_id: str | None = None) -> Sequence[Quote]:
        """All quotes (of one reseller)."""
        with self._uow() as uow:
            return uow.quotes.list(reseller_id=reseller_id)

    def list_orders(self, *, reseller_id: str | None = None) -> Sequence[Order]:
        """All orders (of one reseller)."""
        with self._uow() as uow:
            return uow.orders.list(reseller_id=reseller_id)

    def documents(self, kind: str, aggregate_id: str) -> Sequence[DocumentRecord]:
        """The documents of a quote or order ("quote"/"order"), oldest first."""
        with self._uow() as uow:
            return uow.documents.for_aggregate(kind, aggregate_id)

    def get_document(self, document_id: str) -> DocumentRecord:
        """The document with ``document_id``, or raise NotFound."""
        with self._uow() as uow:
            return uow.documents.get(document_id)

    def history(self, kind: str, aggregate_id: str) -> Sequence[DomainEvent]:
        """What happened to a quote or order ("quote"/"order"), when and by whom."""
        with self._uow() as uow:
            return uow.events.for_aggregate(kind, aggregate_id)

    # -- purchasing ----------------------------------------------------------------------

    def _orders_of(self, uow: UnitOfWork, allocations: Sequence[Allocation]) -> dict[str, Order]:
        return {
            order_id: uow.orders.get(order_id)
            for order_id in dict.fromkeys(a.order_id for a in allocations)
        }

    def _release_from_cart(
        self, uow: UnitOfWork, order: Order, now: datetime, actor: str
    ) -> list[DomainEvent]:
        if not any(record.in_cart for record in order.procurement):
            return []
        cart = uow.carts.get(order.reseller_id)
        events = _procurement.release_order(cart, order, now=now, actor=actor)
        uow.carts.save(cart)
        return events

    def add_to_cart(
        self, order_id: str, positions: Selection = None, *, actor: str = "reseller"
    ) -> AddedToCart:
        """Add positions of a confirmed (or in-procurement) order to the reseller's cart.

        ``positions``: None for every procurable position's open quantity, position ids for
        their open quantities, or position id -> quantity. Free-text positions and custom
        products are skipped and listed in the result; the order goes into procurement.
        """

        def body(uow: UnitOfWork, now: datetime) -> tuple[AddedToCart, list[DomainEvent]]:
            order = uow.orders.get(order_id)
            cart = uow.carts.get(order.reseller_id)
            result, events = _procurement.add_to_cart(cart, order, positions, now=now, actor=actor)
            uow.carts.save(cart)
            uow.orders.save(order)
            return result, events

        return self._run("add_to_cart", body)

    def _cart_line_command(
        self,
        reseller_id: str,
        line_id: str,
        act: Callable[[Cart, dict[str, Order], datetime], list[DomainEvent]],
    ) -> Cart:
        def body(uow: UnitOfWork, now: datetime) -> tuple[Cart, list[DomainEvent]]:
            cart = uow.carts.get(reseller_id)
            orders = self._orders_of(uow, cart.line(line_id).allocations)
            events = act(cart, orders, now)
            uow.carts.save(cart)
            for order in orders.values():
                uow.orders.save(order)
            return cart, events

        return self._run("cart_line", body)

    def change_cart_line(
        self, reseller_id: str, line_id: str, quantity: object, *, actor: str = "reseller"
    ) -> Cart:
        """Set a cart line's quantity (less releases, more takes open order quantities)."""
        return self._cart_line_command(
            reseller_id,
            line_id,
            lambda cart, orders, now: _procurement.change_cart_line(
                cart, orders, line_id, quantity, now=now, actor=actor
            ),
        )

    def remove_cart_line(self, reseller_id: str, line_id: str, *, actor: str = "reseller") -> Cart:
        """Remove a cart line; its quantities are not procured again."""
        return self._cart_line_command(
            reseller_id,
            line_id,
            lambda cart, orders, now: _procurement.remove_cart_line(
                cart, orders, line_id, now=now, actor=actor
            ),
        )

    def checkout(
        self,
        reseller_id: str,
        offers: OfferSource,
        *,
        line_ids: Sequence[str] | None = None,
        strategy: AllocationStrategy | None = None,
        actor: str = "reseller",
        idempotency_key: str | None = None,
    ) -> CheckoutResult:
        """Turn the cart (or the lines ``line_ids``) into purchase orders, one per supplier.

        ``strategy`` plans which supplier delivers what (default :class:`CheapestInStock`);
        lines it cannot cover stay in the cart with their reason. The same
        ``idempotency_key`` returns the first checkout's result and never orders twice.
        """
        chosen: AllocationStrategy = strategy or CheapestInStock()

        def body(uow: UnitOfWork, now: datetime) -> tuple[CheckoutResult, list[DomainEvent]]:
            cart = uow.carts.get(reseller_id)
            selected = cart.lines if line_ids is None else [cart.line(i) for i in line_ids]
            orders = self._orders_of(uow, [a for line in selected for a in line.allocations])

            def new_purchase_order() -> tuple[str, str]:
                number = self._purchase_order_number_format.format(
                    year=now.year, number=uow.sequences.next("purchase_order")
                )
                return self._ids.new_id("purchase_order"), number

            result, events = _check_out(
                cart,
                orders,
                offers,
                chosen,
                line_ids=line_ids,
                checkout_id=self._ids.new_id("checkout"),
                new_purchase_order=new_purchase_order,
                now=now,
                actor=actor,
            )
            uow.carts.save(cart)
            for order in orders.values():
                uow.orders.save(order)
            for purchase_order in result.purchase_orders:
                uow.purchase_orders.add(purchase_order)
            return result, events

        def replay(uow: UnitOfWork, checkout_id: str) -> CheckoutResult:
            for event in uow.events.for_aggregate("cart", reseller_id):
                if isinstance(event, CartCheckedOut) and event.checkout_id == checkout_id:
                    uncovered = tuple(
                        UncoveredLine(line_id, product_id, Decimal(quantity), reason)
                        for line_id, product_id, quantity, reason in zip(
                            event.uncovered_line_ids,
                            event.uncovered_product_ids,
                            event.uncovered_quantities,
                            event.uncovered_reasons,
                            strict=True,
                        )
                    )
                    return CheckoutResult(
                        checkout_id,
                        tuple(uow.purchase_orders.get(i) for i in event.purchase_order_ids),
                        uncovered,
                        uow.carts.get(reseller_id),
                    )
            raise NotFound("checkout", checkout_id)

        return self._run(
            "checkout",
            body,
            idempotency_key=idempotency_key,
            args=[
                reseller_id,
                None if line_ids is None else list(line_ids),
                type(chosen).__qualname__,
            ],
            replay=replay,
            result_id=lambda result: result.checkout_id,
        )

    def _purchase_order_command(
        self,
        purchase_order_id: str,
        act: Callable[[PurchaseOrder, datetime], tuple[DomainEvent, Sequence[Allocation]]],
        shift: Callable[[Order, Allocation], None],
    ) -> PurchaseOrder:
        def body(uow: UnitOfWork, now: datetime) -> tuple[PurchaseOrder, list[DomainEvent]]:
            purchase_order = uow.purchase_orders.get(purchase_order_id)
            event, moved = act(purchase_order, now)
            events = [event]
            orders = self._orders_of(uow, moved)
            for allocation in moved:
                order = orders[allocation.order_id]
                # An invoiced order is final: goods arriving for it (or a cancellation)
                # only change the purchase order; they become the reseller's stock.
                if order.status is not OrderStatus.INVOICED:
                    shift(order, allocation)
            for order in orders.values():
                if order.procurable:
                    events.extend(order.sync_procurement(now=now, actor=event.actor))
                if order.status is not OrderStatus.INVOICED:
                    uow.orders.save(order)
            uow.purchase_orders.save(purchase_order)
            return purchase_order, events

        return self._run("purchase_order", body)

    def send_purchase_order(
        self, purchase_order_id: str, *, actor: str = "reseller"
    ) -> PurchaseOrder:
        """Record that the draft purchase order went to its supplier."""
        return self._purchase_order_command(
            purchase_order_id,
            lambda po, now: (po.send(now=now, actor=actor), ()),
            lambda order, allocation: None,
        )

    def receive_purchase_order(
        self,
        purchase_order_id: str,
        quantities: Mapping[str, object] | None = None,
        *,
        actor: str = "reseller",
    ) -> PurchaseOrder:
        """Record goods received, per purchase-order line id (None: everything outstanding)."""
        return self._purchase_order_command(
            purchase_order_id,
            lambda po, now: po.receive(quantities, now=now, actor=actor),
            lambda order, a: order.shift_procurement(
                a.position_id, ordered=-a.quantity, received=a.quantity
            ),
        )

    def cancel_purchase_order(
        self, purchase_order_id: str, *, actor: str = "reseller"
    ) -> PurchaseOrder:
        """Cancel a draft or sent purchase order; its quantities are not procured again."""
        return self._purchase_order_command(
            purchase_order_id,
            lambda po, now: po.cancel(now=now, actor=actor),
            lambda order, a: order.shift_procurement(a.position_id, ordered=-a.quantity),
        )

    def get_cart(self, reseller_id: str) -> Cart:
        """The reseller's purchasing cart (empty if it has none yet)."""
        with self._uow() as uow:
            return uow.carts.get(reseller_id)

    def get_purchase_order(self, purchase_order_id: str) -> PurchaseOrder:
        """The purchase order with ``purchase_order_id``."""
        with self._uow() as uow:
            return uow.purchase_orders.get(purchase_order_id)

    def list_purchase_orders(self, *, reseller_id: str | None = None) -> Sequence[PurchaseOrder]:
        """All purchase orders (of one reseller)."""
        with self._uow() as uow:
            return uow.purchase_orders.list(reseller_id=reseller_id)
