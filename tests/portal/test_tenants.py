"""Tenant isolation: 2 resellers x 2 customers each, with colliding customer ids and numbers.

Every portal and board entry point, and every service lookup a reseller's user reaches,
is called with every tenant's identity against every tenant's data: only a tenant's own
data answers; everything else looks exactly like "not found" and changes nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from typing import Any

import attrs
import pytest

from quote2order import (
    Customer,
    Money,
    NotFound,
    Quote2Order,
    Shipment,
    StaticOfferSource,
    SupplierOffer,
)
from quote2order.board import Board, Column
from quote2order.portal import Portal
from quote2order.testing import FixedClock
from tests.stores import committed_state

from .conftest import IPAD, MACBOOK, DocumentFiler, TextRenderer, assert_not_found

RESELLERS = ("R-A", "R-B")
CUSTOMERS = ("K-1001", "K-1002")  # the same customer ids at both resellers
TENANTS = list(itertools.product(RESELLERS, CUSTOMERS))
OFFERS = StaticOfferSource(
    [
        SupplierOffer("supplier", "p-pos-1", Money("900", "EUR"), 100),
        SupplierOffer("supplier", "p-pos-2", Money("500", "EUR"), 100),
    ]
)


@attrs.define
class TenantData:
    """One (reseller, customer)'s things: a finished order and a quote still open."""

    reseller_id: str
    customer_id: str
    token: str = ""  # of the won quote
    quote_id: str = ""
    order_id: str = ""
    order_number: str = ""
    document_ids: list[str] = attrs.Factory(list)
    purchase_order_id: str = ""
    open_token: str = ""  # of a sent quote nobody answered
    open_quote_id: str = ""

    @property
    def login(self) -> dict[str, str]:
        return {"reseller_id": self.reseller_id, "customer_id": self.customer_id}


def _tenant(service: Quote2Order, reseller_id: str, customer_id: str) -> TenantData:
    data = TenantData(reseller_id, customer_id)
    customer = Customer(customer_id, f"{reseller_id} {customer_id}", f"{customer_id}@example.com")

    def sent() -> tuple[str, str]:
        created = service.create_quote(
            reseller_id=reseller_id,
            customer=customer,
            title=f"Devices of {reseller_id}/{customer_id}",
            positions=[MACBOOK, IPAD],
            valid_until=date(2026, 3, 31),
        )
        service.send_quote(created.quote.quote_id)
        return created.quote.quote_id, created.link_token

    data.quote_id, data.token = sent()
    order = service.accept_quote(data.token, 1)
    data.order_id, data.order_number = order.order_id, order.order_number
    service.confirm_order(order.order_id)
    service.add_to_cart(order.order_id)
    (purchase_order,) = service.checkout(reseller_id, OFFERS).purchase_orders
    data.purchase_order_id = purchase_order.purchase_order_id
    service.complete_order(order.order_id, [Shipment("DHL", f"{reseller_id}-{customer_id}")])
    service.invoice_order(order.order_id)
    data.document_ids = [d.document_id for d in service.documents("order", order.order_id)]
    data.open_quote_id, data.open_token = sent()
    return data


@pytest.fixture
def tenants(new_store: Callable[[], Any]) -> tuple[Quote2Order, Portal, list[TenantData]]:
    service = Quote2Order(new_store(), clock=FixedClock(), handlers=[DocumentFiler()])
    portal = Portal(service, renderers=[TextRenderer()])
    return service, portal, [_tenant(service, r, c) for r, c in TENANTS]


def test_numbers_are_per_reseller_so_orders_of_two_resellers_share_numbers(
    tenants: tuple[Quote2Order, Portal, list[TenantData]],
) -> None:
    service, _, data = tenants
    numbers = {(t.reseller_id, t.customer_id): t.order_number for t in data}
    assert numbers[("R-A", "K-1001")] == numbers[("R-B", "K-1001")] == "AB-2026-00001"
    assert numbers[("R-A", "K-1002")] == numbers[("R-B", "K-1002")] == "AB-2026-00002"
    first_quotes = [service.get_quote(t.quote_id).number for t in data if t.customer_id == "K-1001"]
    assert first_quotes == ["AN-2026-00001", "AN-2026-00001"]


def test_every_portal_entry_point_answers_only_its_own_tenant(
    tenants: tuple[Quote2Order, Portal, list[TenantData]],
) -> None:
    service, portal, data = tenants
    store = service._uow  # the store is the service's unit-of-work factory
    calls = refused = 0
    for me, target in itertools.product(data, data):
        login = me.login
        if me is target:
            assert portal.view(target.token, **login).order_number == target.order_number
            assert [d.document_id for d in portal.documents(target.token, **login)] == (
                target.document_ids
            )
            for document_id in target.document_ids:
                portal.download(target.token, document_id, **login, fmt="txt")
            calls += 2 + len(target.document_ids)
            continue
        before = committed_state(store)
        entry_points: list[tuple[Callable[..., object], tuple[object, ...]]] = [
            (portal.view, (target.token,)),
            (portal.view, (target.open_token,)),
            (portal.documents, (target.token,)),
            (portal.accept, (target.open_token, 1)),
            (portal.decline, (target.open_token, 1)),
        ]
        # Its own document ids and the target's, through the target's link and through mine.
        for token, document_id in itertools.product(
            (target.token, me.token), target.document_ids + me.document_ids
        ):
            if token == me.token and document_id in me.document_ids:
                continue  # my own document through my own link: allowed
            entry_points.append((portal.download, (token, document_id)))
        for call, args in entry_points:
            kwargs: dict[str, Any] = dict(login)
            if call is portal.download:
                kwargs["fmt"] = "txt"
            assert_not_found(call, *args, **kwargs)
            refused += 1
        assert committed_state(store) == before
    # 4 own tenants: view, documents, 2 downloads. 12 cross pairs: 5 calls and 6 downloads
    # (2 links x 4 documents, but for my own documents through my own link).
    assert (calls, refused) == (4 * 4, 12 * 11)
    # The open quotes are untouched by every cross-tenant accept and decline.
    for target in data:
        assert service.get_quote(target.open_quote_id).status.value == "sent"
        assert portal.accept(target.open_token, 1, **target.login).status == "won"


def _cross_lookups(
    service: Quote2Order, board: Board, reseller_id: str, other: TenantData
) -> list[Callable[[], object]]:
    """Every board call and service lookup of ``reseller_id`` aimed at ``other``'s data."""
    return [
        lambda: board.card(other.quote_id),
        lambda: board.card(other.open_quote_id),
        lambda: board.move(other.open_quote_id, Column.LOST),
        lambda: board.perform(other.open_quote_id, "mark_won"),
        lambda: board.perform(other.quote_id, "invoice"),
        lambda: service.get_quote(other.quote_id, reseller_id=reseller_id),
        lambda: service.get_order(other.order_id, reseller_id=reseller_id),
        lambda: service.history("quote", other.quote_id, reseller_id=reseller_id),
        lambda: service.history("order", other.order_id, reseller_id=reseller_id),
        lambda: service.history("purchase_order", other.purchase_order_id, reseller_id=reseller_id),
        lambda: service.history("cart", other.reseller_id, reseller_id=reseller_id),
        lambda: service.documents("order", other.order_id, reseller_id=reseller_id),
        lambda: service.get_purchase_order(other.purchase_order_id, reseller_id=reseller_id),
        *(
            lambda d=document_id: service.get_document(d, reseller_id=reseller_id)
            for document_id in other.document_ids
        ),
    ]


def test_every_board_entry_point_and_service_lookup_answers_only_its_own_reseller(
    tenants: tuple[Quote2Order, Portal, list[TenantData]],
) -> None:
    service, _, data = tenants
    for reseller_id in RESELLERS:
        board = Board(service, reseller_id=reseller_id)
        mine = [t for t in data if t.reseller_id == reseller_id]
        others = [t for t in data if t.reseller_id != reseller_id]
        cards = {c.card_id for column in board.view().columns for c in column.cards}
        assert cards == {t.quote_id for t in mine} | {t.open_quote_id for t in mine}
        for customer_id in CUSTOMERS:  # the customer filter stays inside the reseller
            filtered = board.view(customer_id=customer_id)
            assert {c.customer_id for col in filtered.columns for c in col.cards} == {customer_id}
            assert all(c.card_id in cards for col in filtered.columns for c in col.cards)
        cart_orders = {
            a.order_id for line in service.get_cart(reseller_id).lines for a in line.allocations
        }
        assert cart_orders <= {t.order_id for t in mine}
        assert {p.reseller_id for p in service.list_purchase_orders(reseller_id=reseller_id)} == {
            reseller_id
        }
        for own in mine:
            assert board.card(own.quote_id).order_number == own.order_number
            assert service.get_quote(own.quote_id, reseller_id=reseller_id).quote_id == own.quote_id
            assert service.get_order(own.order_id, reseller_id=reseller_id)
            assert service.history("order", own.order_id, reseller_id=reseller_id)
            assert service.documents("order", own.order_id, reseller_id=reseller_id)
            assert service.get_purchase_order(own.purchase_order_id, reseller_id=reseller_id)
        for other in others:
            lookups = _cross_lookups(service, board, reseller_id, other)
            for lookup in lookups:
                with pytest.raises(NotFound):
                    lookup()
    for target in data:  # nobody moved another reseller's card
        assert service.get_quote(target.open_quote_id).status.value == "sent"
