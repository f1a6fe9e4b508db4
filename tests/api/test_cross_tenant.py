"""A reseller reaches nothing of another over HTTP: every route, every id kind."""

from __future__ import annotations

import re

from tests.api.conftest import QUOTE

BODIES = {
    "/quotes/{quote_id}": {"title": "taken over"},
    "/orders/{order_id}/complete": {"shipments": []},
    "/orders/{order_id}/ship": {"shipment": {"carrier": "DHL", "tracking_number": "1"}},
    "/orders/{order_id}/close-undelivered": {"reason": "out of stock"},
    "/orders/{order_id}/cart": {},
    "/board/cards/{card_id}/move": {"to_column": "lost"},
    "/cart/lines/{line_id}": {"quantity": "1"},
}


def _tenant_one(client) -> dict[str, str]:
    """R-1's ids of every kind: a sent quote, a confirmed order in procurement, a purchase
    order, a cart line and a document."""
    created = client.post("/quotes", json=QUOTE).json()
    quote_id = created["quote"]["quote_id"]
    client.post(f"/quotes/{quote_id}/send").raise_for_status()
    second = client.post("/quotes", json=QUOTE).json()["quote"]["quote_id"]
    client.post(f"/quotes/{second}/send").raise_for_status()
    order_id = client.post(f"/quotes/{second}/won").json()["order_id"]
    client.post(f"/orders/{order_id}/confirm").raise_for_status()
    client.post(f"/orders/{order_id}/cart", json={"positions": {"P1": "1"}}).raise_for_status()
    checkout = client.post("/cart/checkout", json={}).json()
    client.post(f"/orders/{order_id}/cart", json={}).raise_for_status()
    line_id = client.get("/cart").json()["lines"][0]["line_id"]
    document_id = client.get(f"/orders/{order_id}/documents").json()[0]["document_id"]
    return {
        "quote_id": quote_id,
        "card_id": quote_id,
        "order_id": order_id,
        "purchase_order_id": checkout["purchase_orders"][0]["purchase_order_id"],
        "line_id": line_id,
        "document_id": document_id,
        "token": created["link_token"],
    }


def test_no_route_reaches_another_resellers_data(api) -> None:
    client, _, _ = api
    ids = _tenant_one(client)
    before = client.get("/board").json(), client.get("/cart").json()
    tried = 0
    for template, operations in client.app.openapi()["paths"].items():
        names = re.findall(r"{(\w+)}", template)
        if not names or "token" in names:
            continue
        aggregate = ids["order_id" if template.startswith("/orders/") else "quote_id"]
        path = template
        for name in names:
            path = path.replace(f"{{{name}}}", aggregate if name == "aggregate_id" else ids[name])
        for method in (m.upper() for m in operations):
            body = BODIES.get(template, {}) if method in ("POST", "PATCH") else None
            response = client.request(method, path, json=body, headers={"X-Reseller": "R-2"})
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["type"].endswith("not-found"), (method, path)
            tried += 1
    assert tried >= 25
    assert (client.get("/board").json(), client.get("/cart").json()) == before
    # Lists and the board of the other reseller are empty.
    other = {"X-Reseller": "R-2"}
    assert client.get("/quotes", headers=other).json()["items"] == []
    assert client.get("/orders", headers=other).json()["items"] == []
    assert client.get("/purchase-orders", headers=other).json()["items"] == []
    assert all(c["count"] == 0 for c in client.get("/board", headers=other).json()["columns"])


def test_a_not_found_across_tenants_reads_as_an_unknown_id(api) -> None:
    """Another reseller's id and a made-up id answer alike, so ids cannot be probed."""
    client, _, _ = api
    ids = _tenant_one(client)
    other = {"X-Reseller": "R-2"}
    theirs = client.get(f"/orders/{ids['order_id']}", headers=other).json()
    unknown = client.get("/orders/order-999", headers=other).json()
    assert theirs["type"] == unknown["type"]
    assert theirs["detail"].replace(ids["order_id"], "X") == unknown["detail"].replace(
        "order-999", "X"
    )
