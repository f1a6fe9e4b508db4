"""The HTTP conventions: ETag / If-Match, Idempotency-Key, problem+json, cursor paging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quote2order import errors
from quote2order.api import STATUS, PreconditionFailed, problem_type
from tests.api.conftest import QUOTE

OPENAPI_FILE = Path(__file__).parents[2] / "docs" / "openapi.json"


def _sent_quote(client) -> tuple[str, str]:
    created = client.post("/quotes", json=QUOTE).json()
    quote_id = created["quote"]["quote_id"]
    client.post(f"/quotes/{quote_id}/send").raise_for_status()
    return quote_id, created["link_token"]


def test_stale_if_match_is_412_and_changes_nothing(api) -> None:
    client, service, _ = api
    quote_id = client.post("/quotes", json=QUOTE).json()["quote"]["quote_id"]
    etag = client.get(f"/quotes/{quote_id}").headers["ETag"]
    assert client.patch(f"/quotes/{quote_id}", json={"title": "A"}, headers={"If-Match": etag})
    stale = client.patch(f"/quotes/{quote_id}", json={"title": "B"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["type"] == "urn:quote2order:problem:precondition-failed"
    assert service.get_quote(quote_id).latest.title == "A"
    fresh = client.get(f"/quotes/{quote_id}").headers["ETag"]
    ok = client.patch(f"/quotes/{quote_id}", json={"title": "C"}, headers={"If-Match": fresh})
    assert ok.status_code == 200
    assert ok.headers["ETag"] != fresh


def test_if_match_is_checked_inside_the_command(api) -> None:
    """A write that lands between the client's read and the command still makes it 412:
    the check runs on the revision the command itself loaded."""
    client, service, _ = api
    quote_id, _ = _sent_quote(client)
    etag = client.get(f"/quotes/{quote_id}").headers["ETag"]
    original = service.get_quote

    def read_then_someone_writes(quote_id: str, **scope: str):  # the tenant check reads first
        quote = original(quote_id, **scope)
        service.get_quote = original  # type: ignore[method-assign]
        service.rotate_link(quote_id)  # a concurrent writer
        return quote

    service.get_quote = read_then_someone_writes  # type: ignore[method-assign]
    response = client.post(f"/quotes/{quote_id}/lost", headers={"If-Match": etag})
    assert response.status_code == 412, response.text
    assert service.get_quote(quote_id).status.value == "sent"


def test_idempotency_key_replays_the_first_response(api) -> None:
    client, service, _ = api
    headers = {"Idempotency-Key": "create-42"}
    first = client.post("/quotes", json=QUOTE, headers=headers)
    again = client.post("/quotes", json=QUOTE, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(service.list_quotes(reseller_id="R-1")) == 1
    other = client.post("/quotes", json={**QUOTE, "title": "Other"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"] == "urn:quote2order:problem:idempotency-conflict"


def test_idempotency_keys_of_two_tenants_never_meet(api) -> None:
    client, _, _ = api
    headers = {"Idempotency-Key": "same"}
    client.post("/quotes", json=QUOTE, headers=headers).raise_for_status()
    other = client.post("/quotes", json=QUOTE, headers={**headers, "X-Reseller": "R-2"})
    assert other.status_code == 201
    assert other.json()["quote"]["reseller_id"] == "R-2"


def test_service_idempotency_survives_a_new_process(api) -> None:
    """Confirm passes the key to the service: a second app (another worker, or after a
    restart, with an empty response cache) replays from the store instead of failing."""
    client, service, _ = api
    quote_id, _ = _sent_quote(client)
    order = client.post(f"/quotes/{quote_id}/won").json()
    headers = {"Idempotency-Key": "confirm-1"}
    assert client.post(f"/orders/{order['order_id']}/confirm", headers=headers).status_code == 200
    from fastapi.testclient import TestClient

    from quote2order.api import Principal, create_app

    second = create_app(service, auth=lambda: Principal("R-1"))
    with TestClient(second) as other:
        again = other.post(f"/orders/{order['order_id']}/confirm", headers=headers)
        assert again.status_code == 200, again.text
        plain = other.post(f"/orders/{order['order_id']}/confirm")
        assert plain.status_code == 409
        assert plain.json()["type"] == "urn:quote2order:problem:invalid-transition"


def test_every_typed_error_has_one_stable_type_and_status() -> None:
    leaves = [getattr(errors, name) for name in errors.__all__] + [PreconditionFailed]
    types = {problem_type(klass) for klass in leaves}
    assert len(types) == len(leaves)
    assert problem_type(errors.QuoteNotFound) == "urn:quote2order:problem:quote-not-found"
    assert errors.Quote2OrderError in STATUS


def test_bad_input_is_a_problem_with_each_broken_rule(api) -> None:
    client, _, _ = api
    bad = client.post("/quotes", json={**QUOTE, "currency": "EURO", "title": ""})
    assert bad.status_code == 422
    body = bad.json()
    assert body["type"] == "urn:quote2order:problem:validation-error"
    assert {e["loc"] for e in body["errors"]} >= {"body.currency", "body.title"}
    unknown = client.get("/nowhere")
    assert (unknown.status_code, unknown.json()["type"]) == (404, "about:blank")


def test_lists_page_by_cursor_without_repeats(api) -> None:
    client, _, _ = api
    made = {client.post("/quotes", json=QUOTE).json()["quote"]["quote_id"] for _ in range(7)}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get("/quotes", params=params).json()
        seen += [q["quote_id"] for q in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        # newest first: a quote created meanwhile goes before the cursor, shifting nothing
        client.post("/quotes", json=QUOTE).raise_for_status()
    assert sorted(seen) == sorted(made)
    assert len(seen) == 7
    bad = client.get("/quotes", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422


def test_committed_openapi_document_is_current() -> None:
    """docs/openapi.json is what the app serves (regenerate: python -m quote2order.api FILE)."""
    from quote2order.api.__main__ import document_text, reference_app

    served = reference_app().openapi()
    assert served["openapi"].startswith("3.1")
    assert json.loads(document_text()) == served
    if OPENAPI_FILE.read_text(encoding="utf-8") != document_text():
        pytest.fail("docs/openapi.json is stale: run `python -m quote2order.api docs/openapi.json`")


def test_api_all_is_sorted_and_exactly_the_public_names() -> None:
    import types

    import quote2order.api as api

    public = {
        name
        for name, value in vars(api).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and getattr(value, "__module__", "quote2order.api").startswith("quote2order.api")
    }
    assert public == set(api.__all__)
    assert api.__all__ == sorted(api.__all__, key=lambda n: (not n.isupper(), n[0].islower(), n))


def test_datetimes_are_iso_8601_text_only(api) -> None:
    """A number is not a date (pydantic would read it as a Unix time; the document says
    ISO 8601): refused, as the OpenAPI document promises."""
    client, _, _ = api
    assert client.get("/board", params={"created_until": "0.5"}).status_code == 422
    ok = client.get("/board", params={"created_until": "2026-03-02T10:00:00+00:00"})
    assert ok.status_code == 200
    naive = client.get("/board", params={"created_until": "2026-03-02T10:00:00"})
    assert naive.status_code == 422
