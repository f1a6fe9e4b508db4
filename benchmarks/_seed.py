"""Bulk seeding for the scale benchmark: a reseller's history of quotes and orders, fast.

Each quote has 10 positions; 40 % are won (their orders spread over the order states),
20 % sent (1 % of all quotes past their validity date: due for expiry), 15 % drafts and
25 % lost or expired. Customers: one per 300 quotes. Aggregates are built from a few
templates made by the domain model itself (so they are valid), then copied with their own
ids, numbers, customers and times; they are written through the store's units of work in
large batches, so the store computes every column it keeps beside the body exactly as in
normal operation.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from quote2order import Customer, Money, Order, Position, PositionKind, Quote, VatRate

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
POSITIONS = tuple(
    Position(
        f"pos-{i}",
        PositionKind.CUSTOM,
        f"Notebook Modell {i}",
        Decimal(i),
        Money(f"{1000 + 17 * i}.90", "EUR"),
        VatRate("19"),
    )
    for i in range(1, 11)
)
QUOTES_PER_CUSTOMER = 300


def _template(state: str) -> tuple[Quote, Order | None]:
    """A quote (and order) in ``state``, made by the model's own actions."""
    created = NOW - timedelta(days=30)
    quote, _ = Quote.create(
        quote_id="template",
        reseller_id="template",
        customer=Customer("c", "Name", "einkauf@example.com", company="Firma"),
        currency="EUR",
        link_token_hash="template",
        title="Arbeitsplätze",
        positions=POSITIONS,
        valid_until=TODAY + timedelta(days=60),
        number="AN-0",
        now=created,
        actor="seed",
    )
    if state == "draft":
        return quote, None
    quote.send(now=created, actor="seed")
    if state == "sent":
        return quote, None
    if state == "lost":
        quote.mark_lost(now=created, actor="seed")
        return quote, None
    if state == "expired":
        quote.expire(now=NOW + timedelta(days=90), actor="seed")
        return quote, None
    quote.mark_won(order_id="template-order", now=created, actor="seed")
    order, _ = Order.from_quote(
        quote, order_id="template-order", order_number="AB-0", now=created, actor="seed"
    )
    if state in ("confirmed", "completed", "invoiced"):
        order.confirm(now=created, actor="seed")
    if state in ("completed", "invoiced"):
        order.complete(shipments=(), now=created, actor="seed")
    if state == "invoiced":
        order.invoice(proforma_number="PF-0", now=created, actor="seed")
    return quote, order


# state -> share of all quotes (in percent); "due" are sent quotes past their validity
STATES = {
    "draft": 15,
    "sent": 19,
    "due": 1,
    "lost": 15,
    "expired": 10,
    "open": 8,
    "confirmed": 12,
    "completed": 10,
    "invoiced": 10,
}
_TEMPLATES = {state: _template("sent" if state == "due" else state) for state in STATES}


def history(reseller_id: str, count: int, *, seed: int = 1) -> Iterator[tuple[Quote, Order | None]]:
    """``count`` quotes (with their orders) of ``reseller_id``, oldest first."""
    rng = random.Random(seed)
    states = [state for state, share in STATES.items() for _ in range(share)]
    span = timedelta(days=730)
    for i in range(count):
        state = states[rng.randrange(100)]
        template, template_order = _TEMPLATES[state]
        created = NOW - span + span * i / count
        customer_no = rng.randrange(max(1, count // QUOTES_PER_CUSTOMER))
        customer = Customer(
            f"{reseller_id}-c{customer_no}",
            f"Kontakt {customer_no}",
            f"einkauf{customer_no}@example.com",
            company=f"Firma {customer_no} GmbH",
        )
        if state == "due":
            valid_until = TODAY - timedelta(days=1 + i % 20)
        elif state == "sent":  # still valid: not due
            valid_until = TODAY + timedelta(days=1 + i % 60)
        else:
            valid_until = created.date() + timedelta(days=30)
        versions = [
            attrs.evolve(v, created_at=created, valid_until=valid_until) for v in template.versions
        ]
        versions = [
            attrs.evolve(v, sent_at=created) if v.sent_at is not None else v for v in versions
        ]
        quote_id = f"{reseller_id}-q{i:07d}"
        order_id = f"{reseller_id}-o{i:07d}" if template_order is not None else None
        quote = attrs.evolve(
            template,
            quote_id=quote_id,
            reseller_id=reseller_id,
            customer=customer,
            link_token_hash=f"{reseller_id}-t{i:07d}",
            versions=versions,
            created_at=created,
            number=f"AN-{reseller_id}-{i:07d}",
            order_id=order_id,
        )
        order = None
        if template_order is not None:
            assert order_id is not None
            order = attrs.evolve(
                template_order,
                order_id=order_id,
                order_number=f"AB-{reseller_id}-{i:07d}",
                reseller_id=reseller_id,
                quote_id=quote_id,
                customer=customer,
                created_at=created,
                confirmed_at=created if template_order.confirmed_at else None,
                completed_at=created if template_order.completed_at else None,
                invoiced_at=created if template_order.invoiced_at else None,
            )
        yield quote, order


def seed(
    store: Any,
    reseller_id: str,
    count: int,
    *,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write ``count`` quotes of ``reseller_id`` through ``store``'s units of work."""
    items = history(reseller_id, count)
    done = 0
    while done < count:
        with store.unit_of_work() as uow:
            for _ in range(min(batch, count - done)):
                quote, order = next(items)
                uow.quotes.add(quote)
                if order is not None:
                    uow.orders.add(order)
                done += 1
            uow.commit()
        if progress is not None:
            progress(done)


def is_due(quote: Quote, today: date = TODAY) -> bool:
    """Whether ``quote`` is due for expiry on ``today``."""
    return quote.status.value == "sent" and quote.latest.valid_until < today
