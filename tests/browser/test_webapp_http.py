"""The example web application over HTTP (Flask's test client, no browser)."""

from __future__ import annotations

from typing import Any

import pytest

from quote2order import Shipment
from quote2order.board import Column


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def test_every_refused_portal_request_is_the_same_404_page(app: Any, client: Any) -> None:
    link = app.config["DEMO_LINK"]
    service = app.extensions["quote2order"]["service"]
    unknown = client.get("/q/" + "A" * 43)
    assert unknown.status_code == 404
    no_login = client.get(f"{link}/documents/anything.html")
    quote = service.quote_for_link(link.removeprefix("/q/"))
    service.revoke_link(quote.quote_id)
    revoked = client.get(link)
    assert {no_login.status_code, revoked.status_code} == {404}
    assert unknown.data == no_login.data == revoked.data


def test_portal_pages_keep_the_token_out_of_referers_and_caches(app: Any, client: Any) -> None:
    response = client.get(app.config["DEMO_LINK"])
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_an_illegal_board_action_is_shown_as_a_message(app: Any, client: Any) -> None:
    board = app.extensions["quote2order"]["board"]
    card = board.view().column(Column.SENT).cards[0]
    response = client.post(f"/board/{card.card_id}/invoice", follow_redirects=True)
    assert response.status_code == 200
    assert b"cannot invoice quote" in response.data


def test_login_redirects_only_within_the_site(client: Any) -> None:
    response = client.post("/login", data={"customer_id": "cust-muster", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_second_start_on_the_same_store_prints_a_fresh_working_link(webapp: Any) -> None:
    from quote2order.adapters.memory import MemoryStore

    store = MemoryStore()
    first = webapp.make_app(store, announce=False)
    second = webapp.make_app(store, announce=False)
    assert first.config["DEMO_LINK"] != second.config["DEMO_LINK"]
    assert second.test_client().get(second.config["DEMO_LINK"]).status_code == 200
    assert first.test_client().get(first.config["DEMO_LINK"]).status_code == 404
    assert len(second.extensions["quote2order"]["service"].list_quotes()) == 2


def test_moving_a_card_performs_the_move_s_action(app: Any, client: Any) -> None:
    board = app.extensions["quote2order"]["board"]
    card = board.view().column(Column.SENT).cards[0]
    client.post(f"/board/{card.card_id}/move", data={"to": "lost"})
    assert board.card(card.card_id).column is Column.LOST


def test_the_logged_in_customer_downloads_the_proforma_invoice_as_pdf_and_html(
    app: Any, client: Any
) -> None:
    """Each listed document links to its HTML and PDF file, titled as on the document."""
    service = app.extensions["quote2order"]["service"]
    portal = app.extensions["quote2order"]["portal"]
    token = app.config["DEMO_LINK"].removeprefix("/q/")
    order = service.accept_quote(token, 1)
    service.confirm_order(order.order_id)
    service.complete_order(order.order_id, [Shipment("DHL", "00340434161234567890")])
    order = service.invoice_order(order.order_id)
    invoice = portal.documents(token, reseller_id="reseller-demo", customer_id="cust-muster")[-1]
    link = f"{app.config['DEMO_LINK']}/documents/{invoice.document_id}"
    client.post("/login", data={"customer_id": "cust-muster"})
    page = client.get(app.config["DEMO_LINK"]).get_data(as_text=True)
    assert f"Proforma-Rechnung {order.proforma_number}" in page
    assert f'href="{link}.pdf"' in page
    assert f'href="{link}.html"' in page
    pdf = client.get(f"{link}.pdf")
    assert (pdf.status_code, pdf.content_type) == (200, "application/pdf")
    assert pdf.data.startswith(b"%PDF")
    assert f"Proforma-Rechnung_{order.proforma_number}.pdf" in pdf.headers["Content-Disposition"]
    html = client.get(f"{link}.html")
    assert html.content_type == "text/html; charset=utf-8"
    [confirmation] = [
        d
        for d in portal.documents(token, reseller_id="reseller-demo", customer_id="cust-muster")
        if d.kind == "order_confirmation"
    ]
    umlaut = client.get(f"{app.config['DEMO_LINK']}/documents/{confirmation.document_id}.pdf")
    assert umlaut.headers["Content-Disposition"] == (
        f'inline; filename="Auftragsbestatigung_{order.order_number}.pdf"; '
        f"filename*=UTF-8''Auftragsbest%C3%A4tigung_{order.order_number}.pdf"
    )
    client.post("/logout")
    assert client.get(f"{link}.pdf").status_code == 404
