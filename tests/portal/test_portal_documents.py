"""Documents in the portal: only the quote's own logged-in customer sees and downloads them."""

from __future__ import annotations

import itertools

import pytest

from quote2order.ports import DocumentRecord

from .conftest import World, assert_not_found


def test_the_logged_in_customer_sees_the_delivery_note_and_proforma_invoice(
    world: World,
) -> None:
    _, token, _ = world.invoiced(1)
    kinds = [d.kind for d in world.portal.documents(token, customer_id="cust-1")]
    assert kinds == ["delivery_note", "proforma_invoice"]
    assert [d.kind for d in world.portal.view(token, customer_id="cust-1").documents] == kinds


def test_without_login_the_view_lists_no_documents_and_listing_is_not_found(
    world: World,
) -> None:
    _, token, _ = world.invoiced(1)
    assert world.portal.view(token).documents == ()
    assert_not_found(lambda: world.portal.documents(token, customer_id=None))


def test_a_download_is_rendered_with_a_filename_and_content_type(world: World) -> None:
    _, token, _ = world.invoiced(1)
    [note, _] = world.portal.documents(token, customer_id="cust-1")
    download = world.portal.download(token, note.document_id, customer_id="cust-1", fmt="txt")
    assert download.filename == f"delivery_note-{note.number}.txt"
    assert download.content_type == "text/plain; charset=utf-8"
    assert download.content.startswith(b"delivery_note")


def test_an_unknown_document_or_format_is_not_found(world: World) -> None:
    _, token, _ = world.invoiced(1)
    [note, _] = world.portal.documents(token, customer_id="cust-1")
    assert_not_found(lambda: world.portal.download(token, "doc-999", customer_id="cust-1"))
    assert_not_found(
        lambda: world.portal.download(token, note.document_id, customer_id="cust-1", fmt="exe")
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
    listed = world.portal.documents(token, customer_id="cust-1")
    assert [d.document_id for d in listed] == ["doc-q", "doc-c"]


@pytest.fixture
def three_customers(world: World) -> dict[str, tuple[str, list[str]]]:
    """customer id -> (link token, ids of that customer's documents)."""
    owned = {}
    for number in (1, 2, 3):
        _, token, _ = world.invoiced(number)
        docs = world.portal.documents(token, customer_id=f"cust-{number}")
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
        if identity == token_owner:
            assert world.portal.documents(token, customer_id=identity)
        else:
            assert_not_found(world.portal.documents, token, customer_id=identity)
            assert world.portal.view(token, customer_id=identity).documents == ()
        for doc_owner, document_id in all_documents:
            if identity == token_owner == doc_owner:
                world.portal.download(token, document_id, customer_id=identity)
                allowed += 1
            else:
                assert_not_found(world.portal.download, token, document_id, customer_id=identity)
                refused += 1
    assert (allowed, refused) == (6, 3 * 5 * 6 - 6)
