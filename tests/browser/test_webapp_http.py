"""The example web application over HTTP (Flask's test client, no browser)."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from quote2order import Shipment
from quote2order.board import Column


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def csrf(client: Any) -> str:
    """The CSRF token of ``client``'s session, as every form of the app carries it."""
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def post(client: Any, url: str, **data: Any) -> Any:
    """A form post with the session's CSRF token, as the browser sends it."""
    return client.post(url, data={"csrf_token": csrf(client), **data}, follow_redirects=False)


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
    post(client, f"/board/{card.card_id}/invoice")
    response = client.get("/board")
    assert response.status_code == 200
    assert b"cannot invoice quote" in response.data


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\t/evil.example",
        "/%09/evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "http:/evil.example",
        "/ /evil.example",
        "/board/../../evil.example",
        "/board?x=//evil.example",
        "/no-such-page",
        "javascript:alert(1)",
        "",
    ],
)
def test_login_redirects_only_to_known_local_pages(client: Any, target: str) -> None:
    response = post(client, "/login", customer_id="cust-muster", next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    shown = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    assert 'name="next" value="/"' in shown


def test_login_and_logout_return_to_the_page_they_came_from(app: Any, client: Any) -> None:
    link = app.config["DEMO_LINK"]
    response = post(client, "/login", customer_id="cust-muster", next=link)
    assert response.headers["Location"] == link
    assert post(client, "/logout", next="/board").headers["Location"] == "/board"


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    app: Any, client: Any
) -> None:
    board = app.extensions["quote2order"]["board"]
    card = board.view().column(Column.SENT).cards[0]
    for url, data in [
        (f"/board/{card.card_id}/move", {"to": "lost"}),
        ("/login", {"customer_id": "cust-muster"}),
        (f"{app.config['DEMO_LINK']}/accept", {"version": "1"}),
        ("/logout", {}),
    ]:
        for token in ({}, {"csrf_token": "forged"}):
            response = client.post(url, data={**data, **token})
            assert response.status_code == 400, url
            assert b"CSRF" in response.data
    assert board.card(card.card_id).column is Column.SENT
    with client.session_transaction() as session:
        assert "customer_id" not in session


def test_the_session_cookie_is_http_only_and_same_site_lax(client: Any) -> None:
    response = post(client, "/login", customer_id="cust-muster")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # served over plain HTTP here; see the HTTPS test


def test_over_https_the_session_cookie_is_secure(webapp: Any) -> None:
    from quote2order.adapters.memory import MemoryStore

    app = webapp.make_app(MemoryStore(), base_url="https://shop.example", announce=False)
    client = app.test_client()
    response = post(client, "/login", customer_id="cust-muster")
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("post", "{link}/accept", {"version": "abc"}),
        ("post", "{link}/accept", {"version": "1e3"}),
        ("post", "{link}/accept", {"version": "-1"}),
        ("post", "{link}/accept", {}),
        ("post", "{link}/decline", {"version": "99999999999999999999"}),
        ("post", "/board/{card}/move", {"to": "nowhere"}),
        ("post", "/board/{card}/move", {}),
        ("post", "/login", {"customer_id": "cust-nobody"}),
        ("get", "/board?since=not-a-date", {}),
        ("get", "/board?customer=cust-nobody", {}),
    ],
)
def test_malformed_parameters_are_a_400_not_a_500(
    app: Any, client: Any, method: str, url: str, data: dict[str, str]
) -> None:
    board = app.extensions["quote2order"]["board"]
    card = board.view().column(Column.SENT).cards[0]
    url = url.format(link=app.config["DEMO_LINK"], card=card.card_id)
    response = post(client, url, **data) if method == "post" else client.get(url)
    assert response.status_code == 400
    assert board.card(card.card_id).column is Column.SENT


def test_the_access_log_masks_the_link_token(
    app: Any, live_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    from urllib.request import urlopen

    link = app.config["DEMO_LINK"]
    token = link.removeprefix("/q/")
    with caplog.at_level(logging.INFO, logger="werkzeug"), urlopen(live_server + link) as page:
        assert page.status == 200
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"GET /q/{token[:4]}*** HTTP/1.1" in logged
    assert token not in logged


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
    post(client, f"/board/{card.card_id}/move", to="lost")
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
    post(client, "/login", customer_id="cust-muster")
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
    post(client, "/logout")
    assert client.get(f"{link}.pdf").status_code == 404
