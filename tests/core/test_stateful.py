"""Stateful tests: random sequences of quote and order actions through the service.

After every step the invariants hold: sent versions never change, the link resolves to
the latest sent version of its own quote, one order per won version and at most one per
version, an invoiced order never changes, and an action that raised changed nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from quote2order import (
    ORDER_LIFECYCLE,
    QUOTE_LIFECYCLE,
    AlreadyAccepted,
    InvalidTransition,
    Order,
    OrderStatus,
    PastValidity,
    Position,
    Quote2Order,
    Quote2OrderError,
    QuoteStatus,
    QuoteVersion,
    Shipment,
    ShipmentItem,
    SupersededVersion,
)
from quote2order.quotes import Customer
from quote2order.testing import CountingIds, FixedClock, MemoryStore
from tests.stores import examples, sequence_values

from .conftest import catalog_position, custom_position, free_text_position, store_state

START = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
CUSTOMER = Customer("C-1", "Anna Berger", "anna@example.com")
CATALOG = [
    catalog_position("P1"),
    free_text_position("P2"),
    custom_position("P3"),
    catalog_position("P4", "Apple Pencil 2nd Generation", 3, "119.00", "apple-pencil-2"),
    catalog_position("P1", quantity=5, price="799.00"),  # P1 changed
]


def _unique(positions: list[Position]) -> list[Position]:
    seen: dict[str, Position] = {}
    for position in positions:
        seen.setdefault(position.position_id, position)
    return list(seen.values())


position_lists = st.lists(st.sampled_from(CATALOG), max_size=4).map(_unique)
order_positions = st.lists(st.sampled_from(CATALOG[:4]), min_size=1, max_size=4).map(_unique)


class _ServiceMachine(RuleBasedStateMachine):
    """Service, store and the invariants shared by both lifecycles' machines."""

    def __init__(self, make_store: Callable[[], Any] = MemoryStore) -> None:
        super().__init__()
        self.store = make_store()
        self.clock = FixedClock(START)
        self.service = Quote2Order(self.store, clock=self.clock, ids=CountingIds())
        self.tokens: dict[str, str] = {}  # quote id -> link token
        self.sent: dict[tuple[str, int], QuoteVersion] = {}
        self.invoiced: dict[str, Order] = {}

    # -- helpers -------------------------------------------------------------------------

    def new_quote(self, positions: list[Position], days: int) -> str:
        created = self.service.create_quote(
            reseller_id="R-1",
            customer=CUSTOMER,
            title="Quote",
            positions=positions,
            valid_until=self.clock.now().date() + timedelta(days=days),
        )
        self.tokens[created.quote.quote_id] = created.link_token
        return created.quote.quote_id

    def attempt(
        self, command: Callable[[], Any], *, kind: str, status: Any, action: str
    ) -> Any | None:
        """Run ``command``; if it raises, the store must be exactly as before.

        An InvalidTransition must agree with the transition table; success must too.
        """
        lifecycle = QUOTE_LIFECYCLE if kind == "quote" else ORDER_LIFECYCLE
        before = store_state(self.store)
        refusal: Quote2OrderError | None = None
        try:
            result = command()
        except Quote2OrderError as error:
            refusal = error
        if refusal is None:
            assert action in lifecycle.allowed_actions(status), f"{action} allowed in {status}"
            event(f"{kind} {action} done")
            return result
        after = store_state(self.store)
        # Sequences included: a refused accept or invoice uses up no number either.
        assert after == before, f"{action} raised {refusal!r} but changed the store"
        if isinstance(refusal, InvalidTransition):
            assert action not in lifecycle.allowed_actions(status)
        event(f"{kind} {action} refused: {type(refusal).__name__}")
        return None

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def sent_versions_never_change(self) -> None:
        for quote in self.service.list_quotes():
            for version in quote.versions:
                if not version.is_sent:
                    continue
                assert version.content_hash == version.compute_hash()
                known = self.sent.setdefault((quote.quote_id, version.number), version)
                assert version == known
                assert version.positions == known.positions
                assert version.content_hash == known.content_hash
            # Only the latest version can be unsent.
            assert all(v.is_sent for v in quote.versions[:-1])

    @invariant()
    def the_link_resolves_to_the_latest_sent_version_of_its_own_quote(self) -> None:
        for quote in self.service.list_quotes():
            token = self.tokens[quote.quote_id]
            sent = [v.number for v in quote.versions if v.is_sent]
            if not sent:
                continue
            shown = self.service.quote_for_link(token)
            assert shown.quote_id == quote.quote_id
            assert shown.latest_sent is not None
            assert shown.latest_sent.number == max(sent)

    @invariant()
    def one_order_per_won_version_and_at_most_one_per_version(self) -> None:
        orders = self.service.list_orders()
        keys = [(o.quote_id, o.quote_version) for o in orders]
        assert len(keys) == len(set(keys))
        by_key = {(o.quote_id, o.quote_version): o for o in orders}
        for quote in self.service.list_quotes():
            if quote.status is QuoteStatus.WON:
                order = by_key[(quote.quote_id, quote.latest.number)]
                assert quote.order_id == order.order_id
                assert order.status is not OrderStatus.REJECTED
                assert order.positions == quote.latest.positions
            else:
                assert quote.order_id is None
                for number in range(1, len(quote.versions) + 1):
                    order = by_key.get((quote.quote_id, number))
                    assert order is None or order.status is OrderStatus.REJECTED

    @invariant()
    def an_invoiced_order_never_changes(self) -> None:
        for order in self.service.list_orders():
            if order.status is OrderStatus.INVOICED:
                known = self.invoiced.setdefault(order.order_id, order)
                assert order == known
        for order_id, known in self.invoiced.items():
            assert self.service.get_order(order_id) == known


class QuoteLifecycle(_ServiceMachine):
    """Every quote action, legal or not, in random order on a few quotes."""

    @initialize(positions=position_lists, days=st.integers(3, 40))
    def first_quote(self, positions: list[Position], days: int) -> None:
        self.create(positions, days)

    @precondition(lambda self: len(self.tokens) < 4)
    @rule(positions=position_lists, days=st.integers(3, 40))
    def create(self, positions: list[Position], days: int) -> None:
        quote_id = self.new_quote(positions, days)
        assert self.service.get_quote(quote_id).status is QuoteStatus.DRAFT

    def _pick(self, data: st.DataObject) -> tuple[str, Any]:
        quote_id = data.draw(st.sampled_from(sorted(self.tokens)))
        return quote_id, self.service.get_quote(quote_id)

    @precondition(lambda self: self.tokens)
    @rule(data=st.data(), positions=position_lists, days=st.none() | st.integers(-2, 20))
    def edit(self, data: st.DataObject, positions: list[Position], days: int | None) -> None:
        quote_id, quote = self._pick(data)
        valid_until = None if days is None else self.clock.now().date() + timedelta(days=days)
        result = self.attempt(
            lambda: self.service.edit_quote(quote_id, positions=positions, valid_until=valid_until),
            kind="quote",
            status=quote.status,
            action="edit",
        )
        if result is not None:
            assert result.latest.positions == tuple(positions)

    @precondition(lambda self: self.tokens)
    @rule(data=st.data())
    def send(self, data: st.DataObject) -> None:
        quote_id, quote = self._pick(data)
        result = self.attempt(
            lambda: self.service.send_quote(quote_id),
            kind="quote",
            status=quote.status,
            action="send",
        )
        if result is not None:
            assert result.status is QuoteStatus.SENT
            assert quote.latest.positions
            assert quote.latest.valid_until >= self.clock.now().date()

    @precondition(lambda self: self.tokens)
    @rule(data=st.data(), back=st.integers(0, 2))
    def accept(self, data: st.DataObject, back: int) -> None:
        quote_id, quote = self._pick(data)
        version = max(1, quote.latest.number - back)
        orders_before = len(self.service.list_orders())
        order = self.attempt(
            lambda: self.service.accept_quote(self.tokens[quote_id], version),
            kind="quote",
            status=quote.status,
            action="accept",
        )
        if order is None:
            assert len(self.service.list_orders()) == orders_before
        else:
            assert (order.quote_id, order.quote_version) == (quote_id, quote.latest.number)
            assert version == quote.latest.number
            assert len(self.service.list_orders()) == orders_before + 1

    @precondition(lambda self: self.tokens)
    @rule(data=st.data())
    def mark_won(self, data: st.DataObject) -> None:
        quote_id, quote = self._pick(data)
        self.attempt(
            lambda: self.service.mark_quote_won(quote_id),
            kind="quote",
            status=quote.status,
            action="mark_won",
        )

    @precondition(lambda self: self.tokens)
    @rule(data=st.data(), back=st.integers(0, 1))
    def decline(self, data: st.DataObject, back: int) -> None:
        quote_id, quote = self._pick(data)
        version = max(1, quote.latest.number - back)
        self.attempt(
            lambda: self.service.decline_quote(self.tokens[quote_id], version),
            kind="quote",
            status=quote.status,
            action="decline",
        )

    @precondition(lambda self: self.tokens)
    @rule(data=st.data())
    def mark_lost(self, data: st.DataObject) -> None:
        quote_id, quote = self._pick(data)
        self.attempt(
            lambda: self.service.mark_quote_lost(quote_id),
            kind="quote",
            status=quote.status,
            action="mark_lost",
        )

    @precondition(lambda self: self.tokens)
    @rule(data=st.data())
    def reopen(self, data: st.DataObject) -> None:
        quote_id, quote = self._pick(data)
        result = self.attempt(
            lambda: self.service.reopen_quote(quote_id),
            kind="quote",
            status=quote.status,
            action="reopen",
        )
        if result is not None:
            assert result.latest.number == quote.latest.number + 1
            assert result.latest.positions == quote.latest.positions

    @precondition(lambda self: self.tokens)
    @rule(data=st.data())
    def reject_order(self, data: st.DataObject) -> None:
        quote_id, _ = self._pick(data)
        orders = [o for o in self.service.list_orders() if o.quote_id == quote_id]
        if not orders:
            return
        order = data.draw(st.sampled_from(orders))
        result = self.attempt(
            lambda: self.service.reject_order(order.order_id),
            kind="order",
            status=order.status,
            action="reject",
        )
        if result is not None:
            assert self.service.get_quote(quote_id).status is QuoteStatus.LOST

    @precondition(lambda self: self.tokens)
    @rule(data=st.data())
    def move_forward(self, data: st.DataObject) -> None:
        """The usual next step (send, accept, reopen), so later versions are reached often."""
        quote_id, quote = self._pick(data)
        if quote.status is QuoteStatus.DRAFT:
            self.service.edit_quote(
                quote_id,
                positions=quote.latest.positions or CATALOG[:2],
                valid_until=self.clock.now().date() + timedelta(days=10),
            )
            assert self.service.send_quote(quote_id).status is QuoteStatus.SENT
        elif (
            quote.status is QuoteStatus.SENT and quote.latest.valid_until < self.clock.now().date()
        ):
            assert quote_id in self.service.expire_quotes()
        elif quote.status is QuoteStatus.SENT:
            order = self.service.accept_quote(self.tokens[quote_id], quote.latest.number)
            assert order.quote_version == quote.latest.number
        elif quote.status is QuoteStatus.WON:
            assert quote.order_id is not None
            self.service.reject_order(quote.order_id)
        else:
            assert self.service.reopen_quote(quote_id).latest.number == quote.latest.number + 1

    @rule(days=st.integers(1, 7))
    def time_passes_and_quotes_expire(self, days: int) -> None:
        self.clock.advance(timedelta(days=days))
        today = self.clock.now().date()
        due = {
            q.quote_id
            for q in self.service.list_quotes()
            if q.status is QuoteStatus.SENT and q.latest.valid_until < today
        }
        assert set(self.service.expire_quotes()) == due
        for quote_id in due:
            assert self.service.get_quote(quote_id).status is QuoteStatus.EXPIRED


class OrderLifecycle(_ServiceMachine):
    """Every order action, legal or not, on orders made from accepted quotes."""

    def __init__(self, make_store: Callable[[], Any] = MemoryStore) -> None:
        super().__init__(make_store)
        self.order_ids: list[str] = []

    @initialize(positions=order_positions)
    def first_order(self, positions: list[Position]) -> None:
        self.accept_a_new_quote(positions)

    @precondition(lambda self: len(self.order_ids) < 4)
    @rule(positions=order_positions)
    def accept_a_new_quote(self, positions: list[Position]) -> None:
        quote_id = self.new_quote(positions, 30)
        self.service.send_quote(quote_id)
        order = self.service.accept_quote(self.tokens[quote_id], 1)
        assert order.status is OrderStatus.OPEN
        self.order_ids.append(order.order_id)

    def _pick(self, data: st.DataObject) -> Order:
        return self.service.get_order(data.draw(st.sampled_from(self.order_ids)))

    @precondition(lambda self: self.order_ids)
    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        order = self._pick(data)
        self.attempt(
            lambda: self.service.confirm_order(order.order_id),
            kind="order",
            status=order.status,
            action="confirm",
        )

    @precondition(lambda self: self.order_ids)
    @rule(data=st.data())
    def reject(self, data: st.DataObject) -> None:
        order = self._pick(data)
        result = self.attempt(
            lambda: self.service.reject_order(order.order_id, reason="renegotiate"),
            kind="order",
            status=order.status,
            action="reject",
        )
        if result is not None:
            assert self.service.get_quote(order.quote_id).status is QuoteStatus.LOST

    @precondition(lambda self: self.order_ids)
    @rule(
        data=st.data(),
        parcels=st.lists(
            st.tuples(
                st.sampled_from(["JJD1", "JJD2", "1Z3", "1Z4"]),
                st.lists(
                    st.tuples(
                        st.sampled_from(["P1", "P2", "P3", "P4", "P9"]),
                        st.integers(1, 4) | st.just(1),  # mostly whole-and-partial valid shipments
                    ),
                    max_size=2,
                ),
            ),
            max_size=2,
        ),
    )
    def complete(
        self, data: st.DataObject, parcels: list[tuple[str, list[tuple[str, int]]]]
    ) -> None:
        order = self._pick(data)
        shipments = [
            Shipment("DHL", number, tuple(ShipmentItem(p, q) for p, q in items))
            for number, items in parcels
        ]
        result = self.attempt(
            lambda: self.service.complete_order(order.order_id, shipments),
            kind="order",
            status=order.status,
            action="complete",
        )
        if result is None:
            return
        assert result.shipments == tuple(shipments)
        ordered = {p.position_id: p.quantity for p in order.positions}
        for position_id, shipped in result.shipped_quantities().items():
            assert Decimal(0) < shipped <= ordered[position_id]
        assert len(set(result.tracking_numbers)) == len(result.tracking_numbers)

    @precondition(lambda self: self.order_ids)
    @rule(data=st.data(), key=st.none() | st.just("invoice-key"))
    def invoice(self, data: st.DataObject, key: str | None) -> None:
        order = self._pick(data)
        numbers_before = sequence_values(self.store).get("proforma|2026|R-1", 0)
        with self.store() as uow:
            replay = key is not None and uow.idempotency.get(key) is not None
        if replay:
            return  # replays are pinned down in test_service; here every call must act
        result = self.attempt(
            lambda: self.service.invoice_order(order.order_id, idempotency_key=key),
            kind="order",
            status=order.status,
            action="invoice",
        )
        if result is None:
            assert sequence_values(self.store).get("proforma|2026|R-1", 0) == numbers_before
        else:
            assert result.proforma_number is not None
            assert result.proforma_number.endswith(f"{numbers_before + 1:05d}")

    @precondition(lambda self: self.order_ids)
    @rule(data=st.data())
    def move_forward(self, data: st.DataObject) -> None:
        """The usual next step (confirm, complete, invoice), so deep states are reached often."""
        order = self._pick(data)
        if order.status is OrderStatus.OPEN:
            self.confirm_order(order)
        elif order.status in (OrderStatus.CONFIRMED, OrderStatus.IN_PROCUREMENT):
            done = self.service.complete_order(order.order_id, [Shipment("DHL", "JJD-fwd")])
            assert done.status is OrderStatus.COMPLETED
        elif order.status is OrderStatus.COMPLETED:
            assert self.service.invoice_order(order.order_id).status is OrderStatus.INVOICED

    def confirm_order(self, order: Order) -> None:
        assert self.service.confirm_order(order.order_id).status is OrderStatus.CONFIRMED

    @precondition(lambda self: self.order_ids)
    @rule(data=st.data())
    def accept_or_win_again(self, data: st.DataObject) -> None:
        """Accepting a won or superseded version again never makes a second order."""
        order = self._pick(data)
        quote = self.service.get_quote(order.quote_id)
        before = store_state(self.store)
        try:
            self.service.accept_quote(self.tokens[quote.quote_id], order.quote_version)
        except (AlreadyAccepted, SupersededVersion, InvalidTransition, PastValidity):
            after = store_state(self.store)
            assert after == before
        else:
            raise AssertionError("a second acceptance of a version succeeded")


@pytest.mark.parametrize("machine", [QuoteLifecycle, OrderLifecycle])
def test_lifecycle_machine_keeps_its_invariants_on_every_store(
    machine: type[_ServiceMachine], new_store: Callable[[], Any], store_kind: str
) -> None:
    """Random command sequences keep every invariant; a refused command changes nothing."""
    run_state_machine_as_test(
        lambda: machine(new_store),
        settings=settings(
            max_examples=examples(store_kind, 50), stateful_step_count=40, deadline=None
        ),
    )
