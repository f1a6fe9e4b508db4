"""The example web app's routes fed generated paths, query strings and forms (with and
without a valid CSRF token): every answer is below 500."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.browser.conftest import load_webapp

from ._strategies import NASTY
from ._tally import count
from .conftest import FUZZ

# What an HTTP request can carry: no lone surrogates (they cannot be encoded in a URL).
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=40) | st.sampled_from(
    [n for n in NASTY if n != "\ud800"]
)


@pytest.fixture(scope="module")
def site() -> tuple[Any, str, str, list[str]]:
    """The app on a memory store, a client logged in as the demo customer, its CSRF token,
    and the ids and tokens the fuzzer may use besides random text."""
    from quote2order.adapters.memory import MemoryStore

    app = load_webapp().make_app(MemoryStore(), announce=False)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match is not None
    client.post("/login", data={"customer_id": "cust-muster", "csrf_token": match.group(1)})
    token = app.config["DEMO_LINK"].removeprefix("/q/")
    board = app.extensions["quote2order"]["board"]
    known = [token, *(c.card_id for col in board.view().columns for c in col.cards)]
    return client, match.group(1), token, known


@st.composite
def requests(draw: st.DrawFn, known: list[str]) -> tuple[str, str, dict[str, str]]:
    segment = st.sampled_from(known) | texts | st.sampled_from(["accept", "decline", "move"])

    def part() -> str:
        return quote(draw(segment), safe="")

    shapes = [
        lambda: "/",
        lambda: "/board",
        lambda: f"/board/{part()}/{part()}",
        lambda: f"/board/{part()}/move",
        lambda: f"/q/{part()}",
        lambda: f"/q/{part()}/{part()}",
        lambda: f"/q/{part()}/documents/{part()}.{part()}",
        lambda: "/login",
        lambda: "/logout",
        lambda: "/" + part(),
    ]
    path = draw(st.sampled_from(shapes))()
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD"]))
    names = st.sampled_from(
        [
            "next",
            "version",
            "to",
            "customer",
            "since",
            "customer_id",
            "carrier",
            "tracking_number",
            "reason",
        ]
    ) | st.text(max_size=10)
    data = draw(st.dictionaries(names, texts, max_size=4))
    return method, path, data


@FUZZ
@given(data=st.data(), with_token=st.booleans())
def test_every_route_answers_below_500(
    site: tuple[Any, str, str, list[str]], data: st.DataObject, with_token: bool
) -> None:
    client, csrf, _, known = site
    method, path, fields = data.draw(requests(known))
    if with_token and method == "POST":
        fields = {**fields, "csrf_token": csrf}
    if method in ("GET", "HEAD"):
        response = client.open(path, method=method, query_string=fields)
    else:
        response = client.open(path, method=method, data=fields)
    assert response.status_code < 500, (method, path, fields, response.status_code)
    count("example web app", f"{response.status_code // 100}xx")
    if response.status_code in (301, 302, 303, 307, 308):
        # Our redirects are local paths; werkzeug's own (merging "//" in a path) name the
        # request's host: neither leaves the site.
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", "localhost"), response.headers["Location"]
        assert location.path.startswith("/")
