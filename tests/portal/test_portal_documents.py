"""Documents in the portal: only the quote's own logged-in customer sees and downloads them."""

from __future__ import annotations

import itertools

import pytest

from quote2order import ValidationError
from quote2order.notifications import RenderedDocument
from quote2order.portal import Download, Portal
from quote2order.ports import DocumentRecord

from .conftest import TextRenderer, World, assert_not_found


def test_the_logged_in_customer_sees_the_delivery_note_and_proforma_invoice(
    world: World,
) -> None:
    _, token, _ = world.invoiced(1)
    kinds = [
        d.kind
        for d in world.portal.documents(token, reseller_id="reseller-1", customer_id="cust-1")
    ]
    assert kinds == ["delivery_note", "proforma_invoice"]
    assert [
        d.kind
        for d in world.portal.view(token, reseller_id="reseller-1", customer_id="cust-1").documents
    ] == kinds


def test_without_login_the_view_lists_no_documents_and_listing_is_not_found(
    world: World,
) -> None:
    _, token, _ = world.invoiced(1)
    assert world.portal.view(token).documents == ()
    assert_not_found(lambda: world.portal.documents(token))


def test_a_download_is_the_renderer_s_file_with_a_utf_8_text_content_type(world: World) -> None:
    _, token, _ = world.invoiced(1)
    [note, _] = world.portal.documents(token, reseller_id="reseller-1", customer_id="cust-1")
    download = world.portal.download(
        token, note.document_id, reseller_id="reseller-1", customer_id="cust-1", fmt="txt"
    )
    assert download.filename == f"{note.number}.txt"
    assert download.content_type == "text/plain; charset=utf-8"
    assert download.content.startswith(b"delivery_note")


class BinaryRenderer:
    """A non-text format: its media type passes through unchanged."""

    media_type = "application/pdf"
    extension = "pdf"

    def render(self, document: DocumentRecord) -> RenderedDocument:
        return RenderedDocument(f"{document.number}.pdf", self.media_type, b"%PDF-fake")


class CsvRenderer:
    """A text format that names its charset itself."""

    media_type = "text/csv; charset=utf-8"
    extension = "csv"

    def render(self, document: DocumentRecord) -> RenderedDocument:
        return RenderedDocument(f"{document.number}.csv", self.media_type, b"kind\n")


def test_the_format_picks_the_renderer_with_that_extension(world: World) -> None:
    portal = Portal(world.service, renderers=[TextRenderer(), BinaryRenderer(), CsvRenderer()])
    _, token, _ = world.invoiced(1)
    [_, invoice] = portal.documents(token, reseller_id="reseller-1", customer_id="cust-1")
    downloads = {
        fmt: portal.download(
            token, invoice.document_id, reseller_id="reseller-1", customer_id="cust-1", fmt=fmt
        )
        for fmt in ("txt", "pdf", "csv")
    }
    assert {fmt: d.content_type for fmt, d in downloads.items()} == {
        "txt": "text/plain; charset=utf-8",
        "pdf": "application/pdf",
        "csv": "text/csv; charset=utf-8",
    }
    assert downloads["pdf"] == Download(f"{invoice.number}.pdf", "application/pdf", b"%PDF-fake")
    assert downloads["txt"].content.startswith(b"proforma_invoice")


def test_two_renderers_for_one_format_are_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="'txt'"):
        Portal(world.service, renderers=[TextRenderer(), TextRenderer()])


def test_an_unknown_document_or_format_is_not_found(world: World) -> None:
    _, token, _ = world.invoiced(1)
    [note, _] = world.portal.documents(token, reseller_id="reseller-1", customer_id="cust-1")
    assert_not_found(
        lambda: world.portal.download(
            token, "doc-999", reseller_id="reseller-1", customer_id="cust-1", fmt="txt"
        )
    )
    for fmt in ("exe", "html", "TXT", ""):  # html: this portal has no HTML renderer
        assert_not_found(
            world.portal.download,
            token,
            note.document_id,
            reseller_id="reseller-1",
            customer_id="cust-1",
            fmt=fmt,
        )


def test_a_portal_without_renderers_lists_documents_but_serves_no_download(world: World) -> None:
    portal = Portal(world.service)
    _, token, _ = world.invoiced(1)
    [note, _] = portal.documents(token, reseller_id="reseller-1", customer_id="cust-1")
    for fmt in ("html", "pdf", "txt"):
        assert_not_found(
            portal.download,
            token,
            note.document_id,
            reseller_id="reseller-1",
            customer_id="cust-1",
            fmt=fmt,
        )


def file_document(world: World, document_id: str, kind: str, aggregate: tuple[str, str]) -> None:
    with world.store.unit_of_work() as uow:
        uow.documents.add(
            DocumentRecord(
                document_id, kind, *aggregate, document_id.upper(), "de_DE", {}, world.clock.now()
            )
        )
        uow.commit()


def test_the_quote_s_documents_and_those_of_a_rejected_order_are_listed(world: World) -> None:
    quote_id, token = world.sent_quote(1)
    file_document(world, "doc-q", "quote", ("quote", quote_id))
    order = world.service.accept_quote(token, 1)
    world.clock.advance()
    file_document(world, "doc-c", "order_confirmation", ("order", order.order_id))
    world.service.reject_order(order.order_id)
    listed = world.portal.documents(token, reseller_id="reseller-1", customer_id="cust-1")
    assert [d.document_id for d in listed] == ["doc-q", "doc-c"]


@pytest.fixture
def three_customers(world: World) -> dict[str, tuple[str, list[str]]]:
    """customer id -> (link token, ids of that customer's documents)."""
    owned = {}
    for number in (1, 2, 3):
        _, token, _ = world.invoiced(number)
        docs = world.portal.documents(token, reseller_id="reseller-1", customer_id=f"cust-{number}")
        owned[f"cust-{number}"] = (token, [d.document_id for d in docs])
    return owned


def test_every_token_and_identity_against_every_quote_s_documents(
    world: World, three_customers: dict[str, tuple[str, list[str]]]
) -> None:
    """Only matching token, identity and document succeed; all else is not found."""
    identities: list[str | None] = [*three_customers, None, ""]
    all_documents = [(owner, d) for owner, (_, docs) in three_customers.items() for d in docs]
    allowed = refused = 0
    for (token_owner, (token, _)), identity in itertools.product(
        three_customers.items(), identities
    ):
        login = {} if identity is None else {"reseller_id": "reseller-1", "customer_id": identity}
        if identity == token_owner:
            assert world.portal.documents(token, **login)
        else:
            assert_not_found(world.portal.documents, token, **login)
            if identity is None:  # the link alone shows the quote, without documents
                assert world.portal.view(token).documents == ()
            else:  # logged in as someone else: another customer's link is not found
                assert_not_found(world.portal.view, token, **login)
        for doc_owner, document_id in all_documents:
            if identity == token_owner == doc_owner:
                world.portal.download(token, document_id, **login, fmt="txt")
                allowed += 1
            else:
                assert_not_found(world.portal.download, token, document_id, **login, fmt="txt")
                refused += 1
    assert (allowed, refused) == (6, 3 * 5 * 6 - 6)


def test_a_document_kept_out_of_the_portal_by_the_settings_is_neither_listed_nor_served(
    world: World,
) -> None:
    """``snapshot["published"] = False`` (portal channel off) hides it like any unknown one."""
    quote_id, token, _ = world.invoiced(1)
    hidden = DocumentRecord(
        document_id="doc-hidden",
        kind="order_confirmation",
        aggregate_kind="quote",
        aggregate_id=quote_id,
        number="hidden-1",
        locale="de_DE",
        snapshot={"published": False},
        created_at=world.clock.now(),
    )
    with world.store.unit_of_work() as uow:
        uow.documents.add(hidden)
        uow.commit()
    listed = [
        d.document_id
        for d in world.portal.documents(token, reseller_id="reseller-1", customer_id="cust-1")
    ]
    assert "doc-hidden" not in listed
    assert len(listed) == 2
    assert_not_found(
        lambda: world.portal.download(
            token, "doc-hidden", reseller_id="reseller-1", customer_id="cust-1", fmt="txt"
        )
    )
