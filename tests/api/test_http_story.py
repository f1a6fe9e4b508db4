"""The whole seed story (``python -m quote2order demo``) told over HTTP."""

from __future__ import annotations

from datetime import timedelta

from tests.api.conftest import PENCIL, QUOTE


def test_seed_story_over_http(api) -> None:
    """Quote, send, accept by link, reject, reopen as v2, accept, confirm, purchase,
    complete with shipments, invoice: every step through the API, with its history and
    documents."""
    client, _, clock = api
    created = client.post("/quotes", json=QUOTE, headers={"Idempotency-Key": "create-1"})
    assert created.status_code == 201, created.text
    quote_id = created.json()["quote"]["quote_id"]
    token = created.json()["link_token"]
    assert created.headers["ETag"] == '"0"'
    assert created.headers["Location"] == f"quotes/{quote_id}"

    sent = client.post(f"/quotes/{quote_id}/send", headers={"If-Match": created.headers["ETag"]})
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "sent"

    shown = client.get(f"/portal/{token}").json()
    assert (shown["version"], shown["can_accept"]) == (1, True)
    clock.advance(timedelta(hours=2))
    accepted = client.post(f"/portal/{token}/accept", json={"version": 1})
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["status"] == "won"
    first_order = client.get("/orders", params={"quote_id": quote_id}).json()["items"][0]

    rejected = client.post(
        f"/orders/{first_order['order_id']}/reject", json={"reason": "Apple Pencil forgotten"}
    )
    assert rejected.json()["status"] == "rejected"
    assert client.get(f"/quotes/{quote_id}").json()["status"] == "lost"

    reopened = client.post(f"/quotes/{quote_id}/reopen").json()
    positions = reopened["versions"][-1]["positions"]
    edit = {"positions": [*positions, PENCIL]}
    edited = client.patch(f"/quotes/{quote_id}", json=edit)
    assert edited.status_code == 200, edited.text
    client.post(f"/quotes/{quote_id}/send").raise_for_status()

    versions = client.get(f"/quotes/{quote_id}/versions").json()
    assert [v["version"]["number"] for v in versions] == [1, 2]
    assert [(c["change"], c["position_id"]) for c in versions[1]["changes"]] == [("added", "P4")]
    shown = client.get(f"/portal/{token}").json()
    assert shown["version"] == 2
    assert [c["position_id"] for c in shown["current"]["changes"]] == ["P4"]
    accepted = client.post(
        f"/portal/{token}/accept", json={"version": 2}, headers={"Idempotency-Key": "k1"}
    )
    assert accepted.status_code == 201, accepted.text
    order_number = accepted.json()["order_number"]
    order = next(
        o
        for o in client.get("/orders", params={"quote_id": quote_id}).json()["items"]
        if o["order_number"] == order_number
    )
    order_id = order["order_id"]

    confirmed = client.post(f"/orders/{order_id}/confirm", headers={"If-Match": '"0"'})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"

    added = client.post(f"/orders/{order_id}/cart", json={})
    assert added.status_code == 200, added.text
    assert added.json()["skipped"] == {"P2": "free_text"}
    cart = client.get("/cart").json()
    assert sorted(line["product_id"] for line in cart["lines"]) == [
        "apple-pencil-2",
        "ipad-air-13",
    ]
    checked_out = client.post("/cart/checkout", json={}, headers={"Idempotency-Key": "co-1"})
    assert checked_out.status_code == 201, checked_out.text
    purchase_orders = checked_out.json()["purchase_orders"]
    assert sorted(p["supplier_id"] for p in purchase_orders) == ["ALSO", "Ingram Micro"]
    for po in purchase_orders:
        path = f"/purchase-orders/{po['purchase_order_id']}"
        assert client.post(f"{path}/send").json()["status"] == "sent"
        assert client.post(f"{path}/receive", json={}).json()["status"] == "received"
    assert len(client.get("/purchase-orders").json()["items"]) == 2

    clock.advance(timedelta(days=2))
    shipments = [
        {"carrier": "DHL", "tracking_number": "JJD000390007763456"},
        {"carrier": "DHL", "tracking_number": "JJD000390007763457"},
    ]
    completed = client.post(f"/orders/{order_id}/complete", json={"shipments": shipments})
    assert completed.status_code == 200, completed.text
    assert [s["tracking_number"] for s in completed.json()["shipments"]] == [
        "JJD000390007763456",
        "JJD000390007763457",
    ]
    invoiced = client.post(f"/orders/{order_id}/invoice").json()
    assert invoiced["status"] == "invoiced"
    assert invoiced["proforma_number"]

    history = [e["name"] for e in client.get(f"/orders/{order_id}/history").json()]
    assert history[0] == "OrderCreated"
    assert {"OrderConfirmed", "OrderCompleted", "OrderInvoiced"} <= set(history)
    board = client.get("/board").json()
    invoiced_column = next(c for c in board["columns"] if c["column"] == "invoiced")
    assert [card["order_id"] for card in invoiced_column["cards"]] == [order_id]

    documents = client.get(f"/orders/{order_id}/documents").json()
    assert {d["kind"] for d in documents} >= {"order_confirmation", "proforma_invoice"}
    proforma = next(d for d in documents if d["kind"] == "proforma_invoice")
    html = client.get(f"/documents/{proforma['document_id']}", params={"format": "html"})
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert invoiced["proforma_number"] in html.text

    # The customer sees the documents only while logged in as the quote's customer.
    assert client.get(f"/portal/{token}/documents").status_code == 404
    listed = client.get(f"/portal/{token}/documents", headers={"X-Customer": "R-1/C-1001"})
    assert proforma["document_id"] in [d["document_id"] for d in listed.json()]


def test_partial_delivery_over_http(api) -> None:
    """Ship one parcel with part of the goods, then close the rest as undelivered."""
    client, _, _ = api
    quote_id = client.post("/quotes", json=QUOTE).json()["quote"]["quote_id"]
    client.post(f"/quotes/{quote_id}/send").raise_for_status()
    order_id = client.post(f"/quotes/{quote_id}/won").json()["order_id"]
    client.post(f"/orders/{order_id}/confirm").raise_for_status()
    parcel = {
        "carrier": "DHL",
        "tracking_number": "JJD0001",
        "items": [{"position_id": "P1", "quantity": "1"}],
    }
    shipped = client.post(f"/orders/{order_id}/ship", json={"shipment": parcel})
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["status"] == "partly_shipped"
    closed = client.post(
        f"/orders/{order_id}/close-undelivered",
        json={"reason": "discontinued"},
        headers={"If-Match": shipped.headers["ETag"]},
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "completed"


def test_portal_documents_need_the_quotes_own_customer_login(api) -> None:
    """The same customer id at another reseller is another customer: not found."""
    client, _, _ = api
    created = client.post("/quotes", json=QUOTE).json()
    client.post(f"/quotes/{created['quote']['quote_id']}/send").raise_for_status()
    token = created["link_token"]
    own = client.get(f"/portal/{token}/documents", headers={"X-Customer": "R-1/C-1001"})
    assert own.status_code == 200
    assert [d["kind"] for d in own.json()] == ["quote"]
    other = client.get(f"/portal/{token}/documents", headers={"X-Customer": "R-2/C-1001"})
    assert other.status_code == 404
    assert client.get(f"/portal/{token}", headers={"X-Customer": "R-2/C-1001"}).status_code == 404


def test_board_text_search_over_http(api) -> None:
    client, _, _ = api
    client.post("/quotes", json=QUOTE).raise_for_status()
    client.post("/quotes", json={**QUOTE, "title": "Notebooks"}).raise_for_status()
    found = client.get("/board", params={"text": "iPads"}).json()
    assert sum(c["count"] for c in found["columns"]) == 1


def test_a_board_move_is_recorded_as_the_calling_actor(api) -> None:
    client, service, _ = api
    quote_id = client.post("/quotes", json=QUOTE).json()["quote"]["quote_id"]
    client.post(f"/quotes/{quote_id}/send").raise_for_status()
    order_id = client.post(f"/quotes/{quote_id}/won").json()["order_id"]
    moved = client.post(
        f"/board/cards/{quote_id}/move",
        json={"to_column": "confirmed"},
        headers={"X-Actor": "staff:jonas"},
    )
    assert moved.status_code == 200, moved.text
    [*_, confirmed] = service.history("order", order_id)
    assert (confirmed.name, confirmed.actor) == ("OrderConfirmed", "staff:jonas")
