"""In a real browser: another site's form post and an open-redirect attempt are refused."""

from __future__ import annotations

from typing import Any

import pytest

from quote2order.board import Column

pytestmark = pytest.mark.browser

EVIL = "http://evil.example"


def _serve_evil_site(page: Any, html: str) -> list[str]:
    """Answer every request to evil.example with ``html``; returns the URLs it was asked."""
    visited: list[str] = []

    def answer(route: Any) -> None:
        visited.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=html)

    page.route(f"{EVIL}/**", answer)
    return visited


def test_a_form_posted_from_another_site_is_refused(
    app: Any, live_server: str, chromium: Any
) -> None:
    board = app.extensions["quote2order"]["board"]
    card = board.view().column(Column.SENT).cards[0]
    page = chromium.new_page()
    # The visitor has a session with the app (and so a CSRF token the other site lacks).
    page.goto(live_server + "/login")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(live_server + "/board")
    attack = f"""<form id="f" method="post" action="{live_server}/board/{card.card_id}/move">
        <input name="to" value="lost"></form>
        <script>document.getElementById("f").submit()</script>"""
    _serve_evil_site(page, attack)
    with page.expect_response(f"{live_server}/board/{card.card_id}/move") as posted:
        page.goto(EVIL + "/prize")
    assert posted.value.status == 400
    assert board.card(card.card_id).column is Column.SENT


def test_an_open_redirect_through_the_login_stays_on_the_site(
    live_server: str, chromium: Any
) -> None:
    page = chromium.new_page()
    visited = _serve_evil_site(page, "<h1>evil</h1>")
    for target in ("/%09/evil.example", "//evil.example", "/%5Cevil.example", EVIL):
        page.goto(f"{live_server}/login?next={target}")
        page.get_by_test_id("login-submit").click()
        page.wait_for_load_state()
        assert page.url.startswith(live_server + "/"), target
    assert visited == []
