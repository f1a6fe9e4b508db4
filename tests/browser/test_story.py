"""The product story in a real browser: accept, reject, version 2, fulfil, documents."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_the_won_quote_becomes_an_invoiced_order_through_board_and_portal(
    webapp: ModuleType, app: Any, live_server: str, chromium: Any, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    link = live_server + app.config["DEMO_LINK"]
    service = app.extensions["quote2order"]["service"]
    quote_id = next(
        q.quote_id for q in service.list_quotes() if q.customer.customer_id == "cust-muster"
    )
    customer = chromium.new_page()
    reseller = chromium.new_page()
    step = iter(range(1, 100))

    def shot(page: Any, name: str) -> None:
        page.screenshot(path=str(artifacts / f"{next(step):02d}-{name}.png"), full_page=True)

    def card() -> Any:
        return reseller.get_by_test_id(f"card-{quote_id}")

    def on_board(action: str) -> None:
        """Open the card's action menu and choose ``action``."""
        card().get_by_test_id("menu").click()
        card().get_by_test_id(f"action-{action}").click()

    # The customer opens the link and accepts version 1.
    customer.goto(link)
    expect(customer.get_by_test_id("version-banner")).to_have_text("Version 1")
    shot(customer, "customer-sees-version-1")
    customer.get_by_test_id("accept").click()
    expect(customer.get_by_test_id("status")).to_contain_text("accepted")
    shot(customer, "customer-accepted")

    # The reseller rejects the order, reopens the quote, adds the pencil and sends it.
    reseller.goto(live_server + "/board")
    expect(reseller.get_by_test_id("column-order_open").get_by_test_id(f"card-{quote_id}"))
    shot(reseller, "board-order-open")
    on_board("reject")
    expect(reseller.get_by_test_id("column-lost").get_by_test_id(f"card-{quote_id}"))
    on_board("reopen")
    expect(card().get_by_test_id("card-version")).to_have_text("Version 2")
    on_board("add-pencil")
    on_board("send")
    expect(reseller.get_by_test_id("column-sent").get_by_test_id(f"card-{quote_id}"))
    shot(reseller, "board-version-2-sent")

    # The customer opens the same link: version 2, with the change; accepts it.
    customer.goto(link)
    expect(customer.get_by_test_id("version-banner")).to_have_text("Version 2")
    expect(customer.get_by_test_id("changes")).to_contain_text("Added: Apple Pencil 2nd Generation")
    shot(customer, "customer-sees-version-2")
    customer.get_by_test_id("accept").click()
    expect(customer.get_by_test_id("status")).to_contain_text("accepted")

    # The reseller confirms, completes with a tracking number and invoices.
    reseller.goto(live_server + "/board")
    on_board("confirm")
    expect(reseller.get_by_test_id("column-confirmed").get_by_test_id(f"card-{quote_id}"))
    on_board("complete")
    dialog = card().get_by_test_id("complete-dialog")
    dialog.get_by_test_id("tracking-number").fill("00340434161234567890")
    shot(reseller, "complete-dialog")
    dialog.get_by_test_id("complete-submit").click()
    expect(reseller.get_by_test_id("column-completed").get_by_test_id(f"card-{quote_id}"))
    on_board("invoice")
    expect(reseller.get_by_test_id("column-invoiced").get_by_test_id(f"card-{quote_id}"))
    shot(reseller, "board-invoiced")

    # Not logged in, the customer sees no documents; logged in, both; logged out, none.
    # Their titles are the documents' own, in the customer's language.
    language = webapp.CUSTOMERS["cust-muster"].locale.split("_")[0]
    note_title, invoice_title = {
        "de": ("Lieferschein", "Proforma-Rechnung"),
        "en": ("Delivery note", "Pro forma invoice"),
    }[language]
    customer.goto(link)
    expect(customer.get_by_test_id("documents")).to_have_count(0)
    customer.get_by_test_id("login").click()
    customer.get_by_test_id("login-customer").select_option("cust-muster")
    customer.get_by_test_id("login-submit").click()
    documents = customer.get_by_test_id("documents")
    expect(documents.get_by_test_id("document-delivery_note")).to_contain_text(note_title)
    expect(documents.get_by_test_id("document-proforma_invoice")).to_contain_text(invoice_title)
    shot(customer, "customer-documents")
    invoice_pdf = documents.get_by_test_id("document-proforma_invoice").get_by_test_id(
        "download-pdf"
    )
    pdf_url = live_server + invoice_pdf.get_attribute("href")
    pdf = customer.request.get(pdf_url)  # the page's cookies: the logged-in session
    assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.body().startswith(b"%PDF")
    delivery_note = documents.get_by_test_id("document-delivery_note").get_by_test_id(
        "download-html"
    )
    document_url = live_server + delivery_note.get_attribute("href")
    delivery_note.click()
    expect(customer.locator("h1")).to_contain_text(note_title)
    expect(customer.locator("body")).to_contain_text("00340434161234567890")
    shot(customer, "delivery-note")
    customer.goto(link)
    customer.get_by_test_id("logout").click()
    expect(customer.get_by_test_id("version-banner")).to_have_text("Version 2")
    expect(customer.get_by_test_id("documents")).to_have_count(0)
    shot(customer, "customer-logged-out")
    assert customer.goto(document_url).status == 404
    assert customer.request.get(pdf_url).status == 404


def test_the_demo_documents_in_german_and_english_show_in_the_browser(
    chromium: Any, artifacts: Path, tmp_path: Path
) -> None:
    """The demo's documents, as the customers get them: German for Łódź, English for London."""
    from playwright.sync_api import expect

    from quote2order.demo import run_demo

    run_demo(say=lambda _: None, out=tmp_path)
    folder = tmp_path / "documents"
    page = chromium.new_page()
    shown = [
        ("Proforma-Rechnung_PF-2026-00001.html", "de", ["Dvořák", "Łódź", "HRB 123456"]),
        ("Lieferschein_AB-2026-00002-1.html", "de", ["Noch zu liefern", "Dienstleistungen"]),
        ("Lieferschein_AB-2026-00002-2.html", "de", ["Apple Pencil 2nd Generation"]),
        ("Quote_AN-2026-00002-V1.html", "en", ["Payment terms", "Managing directors"]),
        ("Order_confirmation_AB-2026-00003.html", "en", ["Delivery terms", "Register court"]),
    ]
    for name, language, texts in shown:
        page.goto((folder / name).as_uri())
        expect(page.locator("html")).to_have_attribute("lang", language)
        for text in texts:
            expect(page.locator("body")).to_contain_text(text)
        page.screenshot(
            path=str(artifacts / f"document-{language}-{name[:-5]}.png"), full_page=True
        )
