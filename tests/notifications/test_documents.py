"""HTML and PDF rendering of the four documents, from stored snapshots."""

from __future__ import annotations

import io
import json
from pathlib import Path

import attrs
import pytest
from pypdf import PdfReader

from quote2order import Customer
from quote2order.adapters.html import HtmlRenderer
from quote2order.adapters.pdf import PdfRenderer
from quote2order.ports import DocumentRecord

from .conftest import CUSTOMER, World, position

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _documents(world: World) -> dict[str, DocumentRecord]:
    return {d.kind: d for d in world.documents().values()}


@pytest.fixture
def documents(world: World) -> dict[str, DocumentRecord]:
    world.invoiced_order()
    return _documents(world)


def _stored(document: DocumentRecord) -> DocumentRecord:
    """The record as a store gives it back: the snapshot through JSON."""
    return attrs.evolve(document, snapshot=json.loads(json.dumps(document.snapshot)))


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize(
    "kind", ["quote", "order_confirmation", "delivery_note", "proforma_invoice"]
)
def test_rendering_a_stored_record_again_gives_the_same_html_bytes(
    documents: dict[str, DocumentRecord], kind: str
) -> None:
    renderer = HtmlRenderer()
    assert (
        renderer.render(documents[kind]).content
        == renderer.render(_stored(documents[kind])).content
    )


@pytest.mark.parametrize(
    "kind", ["quote", "order_confirmation", "delivery_note", "proforma_invoice"]
)
def test_rendering_a_stored_record_again_gives_the_same_pdf_bytes(
    documents: dict[str, DocumentRecord], kind: str
) -> None:
    renderer = PdfRenderer()
    first = renderer.render(documents[kind]).content
    assert first.startswith(b"%PDF-")
    assert first == renderer.render(_stored(documents[kind])).content


def test_proforma_html_states_title_parties_figures_and_that_it_is_no_tax_invoice(
    documents: dict[str, DocumentRecord],
) -> None:
    html = HtmlRenderer().render(documents["proforma_invoice"]).content.decode()
    assert "<title>Proforma-Rechnung PF-2026-00001</title>" in html
    assert "keine Rechnung im Sinne des Umsatzsteuergesetzes" in html
    for text in (
        "Systemhaus Müller GmbH",
        "USt-IdNr.: DE123456789",
        "USt-IdNr.: DE987654321",
        "Königsallee 5",
        "AB-2026-00001",
        "18.01.2026",
        "15.01.2026",
    ):
        assert text in html
    for figure in (
        "2.509,10\xa0€",
        "39,98\xa0€",
        "2,80\xa0€",
        "469,13\xa0€",
        "471,93\xa0€",
        "2.981,03\xa0€",
        "19\xa0%",
        "7\xa0%",
    ):
        assert figure in html


def test_proforma_pdf_text_holds_the_figures(documents: dict[str, DocumentRecord]) -> None:
    text = _pdf_text(PdfRenderer().render(documents["proforma_invoice"]).content)
    assert "Proforma-Rechnung PF-2026-00001" in text
    assert "keine Rechnung im Sinne des Umsatzsteuergesetzes" in text.replace("\n", " ")
    for figure in (
        "2.509,10 €",
        "2,80 €",
        "469,13 €",
        "471,93 €",
        "2.981,03 €",
        "1.234,56 €",
        "Düsseldorf",
        "DE987654321",
    ):
        assert figure in text.replace("\xa0", " ")


def test_english_customers_get_english_documents() -> None:
    world = World(customer=attrs.evolve(CUSTOMER, locale="en_GB"))
    world.invoiced_order()
    proforma = _documents(world)["proforma_invoice"]
    html = HtmlRenderer().render(proforma).content.decode()
    assert "Pro forma invoice PF-2026-00001" in html
    assert "is not a tax invoice" in html
    assert "€2,981.03" in html
    assert "Proforma-Rechnung" not in html
    assert "Pro forma invoice PF-2026-00001" in _pdf_text(PdfRenderer().render(proforma).content)


def test_delivery_note_lists_shipped_quantities_carrier_and_tracking_number(
    documents: dict[str, DocumentRecord],
) -> None:
    text = _pdf_text(PdfRenderer().render(documents["delivery_note"]).content)
    assert "Lieferschein AB-2026-00001" in text
    assert "DHL" in text
    assert "00340434161094042557" in text
    assert "€" not in text  # a delivery note shows no prices
    html = HtmlRenderer().render(documents["delivery_note"]).content.decode()
    assert "Sendungsnummer" in html
    assert "Geliefert" in html


def test_a_quote_version_document_shows_its_version_and_changes(world: World) -> None:
    quote_id = world.sent_quote()
    world.service.mark_quote_lost(quote_id)
    world.service.reopen_quote(quote_id)
    world.service.edit_quote(
        quote_id,
        positions=[position(1, quantity="3"), position(3, name="Apple Pencil 2nd Generation")],
    )
    world.service.send_quote(quote_id)
    (version_2,) = [d for d in world.documents().values() if d.snapshot["version"] == 2]
    html = HtmlRenderer().render(version_2).content.decode()
    assert "Änderungen gegenüber Version 1" in html
    assert "Neu: Apple Pencil 2nd Generation" in html
    assert "Geändert: Notebook Größe 1 (Menge)" in html
    assert "Entfernt: Notebook Größe 2" in html
    text = _pdf_text(PdfRenderer().render(version_2).content)
    assert "Neu: Apple Pencil 2nd Generation" in text


def test_markup_in_free_text_is_escaped_in_html(world: World) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    world.customer = Customer("K-2", "<b>Mallory</b>", "m@example.com", company=evil)
    world.invoiced_order([position(1, name=evil)])
    html = HtmlRenderer().render(_documents(world)["proforma_invoice"]).content.decode()
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in html


def test_fifty_positions_flow_onto_more_pages_with_the_totals_at_the_end(world: World) -> None:
    world.invoiced_order([position(n, price="10.00", quantity="1") for n in range(1, 51)])
    content = PdfRenderer().render(_documents(world)["proforma_invoice"]).content
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 2
    last = reader.pages[-1].extract_text().replace("\xa0", " ")
    assert "595,00 €" in last  # gross: 500.00 + 19 % VAT
    assert "Notebook Größe 50" in _pdf_text(content)


def test_a_record_of_the_first_snapshot_schema_still_renders(
    documents: dict[str, DocumentRecord],
) -> None:
    """Records stored before master data and partial deliveries keep rendering."""
    new_keys = ("terms", "texts", "delivery", "payment")
    seller_keys = ("legal_form", "registered_office", "register_court", "register_number")
    seller_keys += ("managing_directors", "tax_number", "bank_accounts", "logo")
    for document in documents.values():
        old = json.loads(json.dumps(document.snapshot))
        old["schema"] = 1
        for key in new_keys:
            old.pop(key, None)
        for key in seller_keys:
            old["seller"].pop(key)
        for line in old["positions"]:
            line.pop("service", None)
        record = attrs.evolve(document, snapshot=old)
        assert b"Systemhaus M" in HtmlRenderer().render(record).content
        assert PdfRenderer().render(record).content.startswith(b"%PDF")
