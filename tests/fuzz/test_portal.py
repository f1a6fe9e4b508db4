"""The customer portal, fed arbitrary tokens, versions, customers, document ids and formats.

Every answer is a view, a download or a typed error; a wrong guess never tells apart
"no such quote" from "not yours" (both are QuoteNotFound).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quote2order import Quote2OrderError, QuoteNotFound
from quote2order.notifications import RenderedDocument
from quote2order.portal import Portal
from quote2order.ports import DocumentRecord
from tests.notifications.conftest import World, position

from ._strategies import NASTY
from ._tally import count
from .conftest import FUZZ


class _Text:
    media_type = "text/plain"
    extension = "txt"

    def render(self, document: DocumentRecord) -> RenderedDocument:
        return RenderedDocument(f"{document.number}.txt", self.media_type, b"document")


def _world() -> tuple[World, Portal, str, list[str]]:
    world = World()
    world.invoiced_order()
    token = world.link
    world.service.create_quote(
        reseller_id="reseller-1",
        customer=world.customer,
        title="Second",
        positions=[position(9)],
        valid_until=date(2026, 3, 31),
    )
    documents = list(world.documents())
    return world, Portal(world.service, renderers=[_Text()]), token, documents


WORLD, PORTAL, TOKEN, DOCUMENTS = _world()

texts = st.text(max_size=60) | st.sampled_from(NASTY)
tokens = st.just(TOKEN) | st.just(TOKEN[:-1] + "A") | texts
customers = st.none() | st.just(WORLD.customer.customer_id) | texts
versions = st.integers(-(2**70), 2**70) | st.sampled_from([0, 1, 2, 3])
document_ids = st.sampled_from(DOCUMENTS) | texts
formats = st.sampled_from(["txt", "html", "pdf"]) | texts


def _answer(action: Any) -> None:
    try:
        action()
    except Quote2OrderError as error:
        count("portal", f"refused ({type(error).__name__})")
        return
    count("portal", "answered")


@FUZZ
@given(
    call=st.sampled_from(["view", "documents", "download", "accept", "decline"]),
    token=tokens,
    customer=customers,
    version=versions,
    document_id=document_ids,
    fmt=formats,
)
def test_the_portal_answers_or_refuses_with_a_typed_error(
    call: str, token: str, customer: str | None, version: int, document_id: str, fmt: str
) -> None:
    # A logged-in customer is the reseller's id and the customer's id together.
    login = {} if customer is None else {"reseller_id": "reseller-1", "customer_id": customer}
    actions = {
        "view": lambda: PORTAL.view(token, **login),
        "documents": lambda: PORTAL.documents(token, **login),
        "download": lambda: PORTAL.download(token, document_id, **login, fmt=fmt),
        "accept": lambda: PORTAL.accept(token, version),
        "decline": lambda: PORTAL.decline(token, version),
    }
    _answer(actions[call])


def test_a_token_with_a_lone_surrogate_is_not_found() -> None:
    """Found by the fuzzer: hashing such a token raised UnicodeEncodeError."""
    with pytest.raises(QuoteNotFound):
        PORTAL.view("\ud800")
    with pytest.raises(QuoteNotFound):
        PORTAL.accept("abc\udfff", 1)
