"""The list endpoints read through the store's list queries: summaries, filters, paging."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import QUOTE, build_app


@pytest.fixture
def lists_api(new_store: Callable[[], Any]) -> Iterator[tuple[TestClient, Any, Any]]:
    """The API over each store kind (the SQL stores' list queries are SQL)."""
    app, service, clock = build_app(new_store())
    with TestClient(app, headers={"X-Reseller": "R-1"}) as client:
        yield client, service, clock


def _create(client, **changes) -> str:
    created = client.post("/quotes", json={**QUOTE, **changes})
    assert created.status_code == 201, created.text
    return created.json()["quote"]["quote_id"]


def _win(client, quote_id: str) -> str:
    client.post(f"/quotes/{quote_id}/send").raise_for_status()
    won = client.post(f"/quotes/{quote_id}/won")
    assert won.status_code == 201, won.text
    return won.json()["order_id"]


def test_lists_never_load_aggregates(api, monkeypatch) -> None:
    from quote2order.adapters import memory

    client, _, _ = api
    quote_id = _create(client)
    order_id = _win(client, quote_id)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a list endpoint loaded every aggregate")

    monkeypatch.setattr(memory._Quotes, "list", refuse)
    monkeypatch.setattr(memory._Orders, "list", refuse)
    quotes = client.get("/quotes")
    orders = client.get("/orders", params={"quote_id": quote_id})
    assert quotes.status_code == 200, quotes.text
    assert orders.status_code == 200, orders.text
    [quote] = quotes.json()["items"]
    assert (quote["quote_id"], quote["status"], quote["order_id"]) == (quote_id, "won", order_id)
    assert quote["net"] == {"amount": "2682.00", "currency": "EUR"}
    assert quote["gross"] == {"amount": "3191.58", "currency": "EUR"}
    [order] = orders.json()["items"]
    assert (order["order_id"], order["quote_id"], order["status"]) == (order_id, quote_id, "open")
    assert (order["title"], order["customer"]) == (QUOTE["title"], "Berger Architekten GmbH")


def test_lists_show_newest_activity_first(lists_api) -> None:
    client, _, clock = lists_api
    first = _create(client, title="First")
    clock.advance(timedelta(minutes=1))
    second = _create(client, title="Second")
    clock.advance(timedelta(minutes=1))
    client.post(f"/quotes/{first}/send").raise_for_status()  # first changed last
    assert [q["quote_id"] for q in client.get("/quotes").json()["items"]] == [first, second]


def test_lists_filter_by_status_customer_created_and_text(lists_api) -> None:
    client, _, clock = lists_api
    draft = _create(client, title="Notebooks for accounting")
    clock.advance(timedelta(hours=1))
    other_customer = {**QUOTE["customer"], "customer_id": "C-2002", "company": "Kranich KG"}
    sent = _create(client, customer=other_customer)
    client.post(f"/quotes/{sent}/send").raise_for_status()
    clock.advance(timedelta(hours=1))
    won = _create(client)
    order_id = _win(client, won)

    def quote_ids(**params: object) -> list[str]:
        answer = client.get("/quotes", params=params)
        assert answer.status_code == 200, answer.text
        return sorted(q["quote_id"] for q in answer.json()["items"])

    assert quote_ids(status="draft") == [draft]
    assert quote_ids(status=["draft", "sent"]) == sorted([draft, sent])
    assert quote_ids(customer_id="C-2002") == [sent]
    assert quote_ids(text="kranich") == [sent]
    assert quote_ids(text="NOTEBOOKS") == [draft]
    assert quote_ids(created_from="2026-03-02T10:00:00+00:00") == sorted([sent, won])
    assert quote_ids(created_until="2026-03-02T10:00:00+00:00") == [draft]

    def order_ids(**params: object) -> list[str]:
        answer = client.get("/orders", params=params)
        assert answer.status_code == 200, answer.text
        return [o["order_id"] for o in answer.json()["items"]]

    assert order_ids(status="open") == [order_id]
    assert order_ids(status=["confirmed", "invoiced"]) == []
    assert order_ids(customer_id="C-2002") == []
    assert order_ids(quote_id=draft) == []
    assert order_ids(text="ipads") == [order_id]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/quotes", {"cursor": "not-a-cursor"}),
        ("/quotes", {"cursor": "2026-13-01T00:00:00+00:00|Q-1"}),
        ("/quotes", {"cursor": "2026-03-01T00:00:00|Q-1"}),
        ("/orders", {"cursor": "|"}),
        ("/quotes", {"status": "shipped"}),
        ("/orders", {"status": "draft"}),
        ("/quotes", {"created_from": "yesterday"}),
        ("/orders", {"created_until": "2026-03-01T09:00:00"}),
        ("/quotes", {"text": ""}),
        ("/quotes", {"limit": 0}),
        ("/orders", {"limit": 201}),
    ],
)
def test_malformed_list_parameters_are_problems(lists_api, path, params) -> None:
    client, _, _ = lists_api
    _win(client, _create(client))
    answer = client.get(path, params=params)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


def _purchase_orders(service: Any, clock: Any) -> list[str]:
    """Purchase orders of R-1 (three suppliers, three states, a minute apart) and one of R-2."""
    from quote2order.testing.contract import make_purchase_order

    made = []
    for i, (supplier, reseller) in enumerate(
        [("alpha", "R-1"), ("beta", "R-1"), ("alpha", "R-1"), ("gamma", "R-1"), ("alpha", "R-2")]
    ):
        clock.advance(timedelta(minutes=1))
        po = make_purchase_order(f"po-{i}", reseller_id=reseller, supplier_id=supplier)
        po.created_at = clock.now()
        if i in (1, 2):
            po.send(now=clock.now(), actor="reseller")
        if i == 2:
            po.cancel(now=clock.now(), actor="reseller")
        with service._uow() as uow:
            uow.purchase_orders.add(po)
            uow.commit()
        made.append(po.purchase_order_id)
    return made


def test_purchase_orders_list_pages_filters_and_never_loads_aggregates(
    lists_api, monkeypatch
) -> None:
    from quote2order.adapters import memory
    from quote2order.adapters._sql import unit_of_work

    client, service, clock = lists_api
    made = _purchase_orders(service, clock)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the list endpoint loaded every purchase order")

    monkeypatch.setattr(memory._PurchaseOrders, "list", refuse)
    monkeypatch.setattr(unit_of_work._PurchaseOrders, "list", refuse)

    def ids(**params: object) -> list[str]:
        shown: list[str] = []
        page: dict[str, object] = {"limit": 2}
        while True:
            answer = client.get("/purchase-orders", params={**params, **page})
            assert answer.status_code == 200, answer.text
            shown += [p["purchase_order_id"] for p in answer.json()["items"]]
            page["cursor"] = answer.json()["next_cursor"]
            if page["cursor"] is None:
                return shown

    assert ids() == made[3::-1]  # newest first; R-2's is not shown
    assert ids(status="draft") == [made[3], made[0]]
    assert ids(status=["sent", "cancelled"]) == [made[2], made[1]]
    assert ids(supplier_id="alpha") == [made[2], made[0]]
    assert ids(supplier_id="alpha", status="cancelled") == [made[2]]
    assert ids(supplier_id="nobody") == []
    first = client.get("/purchase-orders", params={"limit": 1}).json()["items"][0]
    assert first == {
        "purchase_order_id": made[3],
        "number": "PO-2026-po-3",
        "supplier_id": "gamma",
        "partner": True,
        "status": "draft",
        "total": {"amount": "3488.87", "currency": "EUR"},
        "lines": 2,
        "created_at": first["created_at"],
        "sent_at": None,
        "received_at": None,
        "cancelled_at": None,
    }
    whole = client.get(f"/purchase-orders/{made[3]}").json()
    assert (whole["total"], whole["created_at"]) == (first["total"], first["created_at"])


@pytest.mark.parametrize(
    "params",
    [{"cursor": "not-a-cursor"}, {"status": "shipped"}, {"limit": 0}, {"supplier_id": "x" * 65}],
)
def test_malformed_purchase_order_list_parameters_are_problems(lists_api, params) -> None:
    client, _, _ = lists_api
    answer = client.get("/purchase-orders", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
