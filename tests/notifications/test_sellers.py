"""Seller master data: validation, legal particulars, payment terms and Skonto, on documents."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quote2order import Money, ValidationError
from quote2order.demo import SELLER as DEMO_SELLER
from quote2order.notifications import (
    BankAccount,
    DocumentTexts,
    Logo,
    PaymentTerms,
    document_view,
    iban_is_valid,
)
from quote2order.schemas import SellerIn, parse

from .conftest import World

# The demo's seller (full master data), with terms and texts of its own for these tests.
FULL = attrs.evolve(
    DEMO_SELLER,
    reseller_id="reseller-1",
    bank_accounts=(BankAccount("DE89 3704 0044 0532 0130 00", "COBADEFFXXX", "Commerzbank"),),
    payment_terms=PaymentTerms(30, Decimal(2), 10),
    delivery_terms="Lieferung frei Haus",
    texts={
        "quote": DocumentTexts("Gerne bieten wir an:", "Wir freuen uns auf Ihren Auftrag."),
        "proforma_invoice": DocumentTexts("Bitte zahlen Sie vorab.", "Danke!"),
        "delivery_note": DocumentTexts("Ihre Lieferung:", "Bitte prüfen."),
        "order_confirmation": DocumentTexts("Danke für den Auftrag.", "Bis bald."),
    },
)


@pytest.mark.parametrize(
    "iban",
    ["DE89370400440532013000", "de89 3704 0044 0532 0130 00", "GB82WEST12345698765432"],
)
def test_a_valid_iban_is_accepted_and_stored_compact(iban: str) -> None:
    account = BankAccount(iban)
    assert account.iban == "".join(iban.split()).upper()
    assert iban_is_valid(iban)


@pytest.mark.parametrize(
    ("iban", "why"),
    [
        ("DE89370400440532013001", "checksum"),
        ("DE8937040044053201300", "length for DE"),
        ("XX", "form"),
        ("DE89-3704-0044-0532-0130-00", "characters"),
    ],
)
def test_an_invalid_iban_is_refused(iban: str, why: str) -> None:
    assert not iban_is_valid(iban), why
    with pytest.raises(ValidationError, match="not a valid IBAN"):
        BankAccount(iban)


@given(st.text("0123456789", min_size=18, max_size=18))
def test_exactly_one_check_number_makes_a_german_iban_valid(bban: str) -> None:
    valid = [n for n in range(100) if iban_is_valid(f"DE{n:02d}{bban}")]
    assert len(valid) == 1
    assert 2 <= valid[0] <= 98


def test_a_bic_has_eight_or_eleven_characters() -> None:
    with pytest.raises(ValidationError, match="BIC"):
        BankAccount("DE89370400440532013000", "COBADE")


@pytest.mark.parametrize(
    "missing", ["registered_office", "register_court", "register_number", "managing_directors"]
)
def test_a_gmbh_must_state_its_legal_particulars(missing: str) -> None:
    with pytest.raises(ValidationError, match=missing):
        attrs.evolve(FULL, **{missing: () if missing == "managing_directors" else ""})


def test_skonto_date_and_amount_are_exact_with_the_money_rounding_rule() -> None:
    terms = PaymentTerms(days=30, discount_percent=Decimal(2), discount_days=10)
    discount = terms.discount(Money("3712.48", "EUR"), date(2026, 12, 6))
    assert discount is not None
    assert discount.until == date(2026, 12, 16)
    assert discount.amount == Money("74.25", "EUR")  # 74.2496 rounded half-up
    assert discount.pay == Money("3638.23", "EUR")
    assert terms.due_date(date(2026, 12, 6)) == date(2027, 1, 5)
    half = PaymentTerms(14, Decimal("2.5"), 7).discount(Money("0.20", "EUR"), date(2026, 1, 1))
    assert half is not None
    assert half.amount == Money("0.01", "EUR")  # 0.005 rounds up
    assert PaymentTerms(14).discount(Money("10", "EUR"), date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"days": -1},
        {"days": 400},
        {"discount_percent": Decimal(100), "discount_days": 5},
        {"discount_percent": Decimal(2), "discount_days": 0},
        {"days": 10, "discount_percent": Decimal(2), "discount_days": 20},
    ],
)
def test_impossible_payment_terms_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        PaymentTerms(**kwargs)


def test_a_logo_is_png_or_svg_by_its_content() -> None:
    Logo("image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    with pytest.raises(ValidationError):
        Logo("image/png", b"<svg/>")
    with pytest.raises(ValidationError):
        Logo("image/gif", b"GIF89a")


def _seller_json(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reseller_id": "reseller-1",
        "name": "Systemhaus Nord GmbH",
        "email": "auftrag@nord.example",
        "legal_form": "GmbH",
        "registered_office": "Hamburg",
        "register_court": "Amtsgericht Hamburg",
        "register_number": "HRB 123456",
        "managing_directors": ["Jana Petersen"],
        "bank_accounts": [{"iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX"}],
        "payment_terms": {"days": 14, "discount_percent": "2", "discount_days": 7},
        "texts": {"quote": {"intro": "Gerne:"}},
    }
    data.update(changes)
    return data


def test_seller_master_data_is_validated_at_the_boundary() -> None:
    seller = parse(SellerIn, _seller_json()).to_domain()
    assert seller.bank_accounts[0].iban == "DE89370400440532013000"
    assert seller.payment_terms == PaymentTerms(14, Decimal(2), 7)
    assert seller.texts_for("quote").intro == "Gerne:"


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"bank_accounts": [{"iban": "DE89370400440532013001"}]}, "bank_accounts.0.iban"),
        ({"payment_terms": {"days": 14, "discount_percent": 2.0}}, "discount_percent"),
        ({"texts": {"invoice": {"intro": "x"}}}, "texts"),
        ({"name": "Nord\r\nBcc: x@y.example"}, "name"),
        ({"email": "auftrag@nord.example,victim@evil.example"}, "email"),
        ({"email": "=?utf-8?q?a=0D=0ABcc=3A_x?=@nord.example"}, "email"),
        ({"name": "=?utf-8?q?Nord=0D=0AReply-To=3A_x@evil.example?="}, "name"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_master_data_is_refused_naming_the_field(changes: dict[str, Any], where: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse(SellerIn, _seller_json(**changes))
    assert any(where in location for location, _ in refused.value.errors)


def test_a_gmbh_without_register_number_is_refused_by_to_domain() -> None:
    with pytest.raises(ValidationError, match="register_number"):
        parse(SellerIn, _seller_json(register_number="")).to_domain()


def test_a_logo_arrives_base64_encoded() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    logo = {"media_type": "image/svg+xml", "content_base64": base64.b64encode(svg).decode()}
    assert parse(SellerIn, _seller_json(logo=logo)).to_domain().logo == Logo("image/svg+xml", svg)
    with pytest.raises(ValidationError):
        parse(SellerIn, _seller_json(logo={**logo, "content_base64": "!!"})).to_domain()


# -- on the documents ---------------------------------------------------------------------


@pytest.fixture
def full_world() -> World:
    world = World(seller=FULL)
    world.invoiced_order()
    return world


def _views(world: World) -> dict[str, Any]:
    return {d.kind: document_view(d) for d in world.documents().values()}


def test_every_document_kind_carries_the_legal_particulars_and_its_texts(
    full_world: World,
) -> None:
    views = _views(full_world)
    assert set(views) == {"quote", "order_confirmation", "delivery_note", "proforma_invoice"}
    for kind, view in views.items():
        footer = "\n".join(view.footer)
        for particular in (
            "Sitz der Gesellschaft: Hamburg",
            "Registergericht: Amtsgericht Hamburg, HRB 123456",
            "Geschäftsführung: Jana Petersen, Ole Hansen",
            "USt-IdNr.: DE811234567",
            "Steuernummer: 27/123/45678",
            "IBAN DE89 3704 0044 0532 0130 00",
        ):
            assert particular in footer, (kind, particular)
        texts = FULL.texts_for(kind)
        assert view.intro.startswith(texts.intro), kind
        assert view.closing == texts.closing, kind


def test_quotes_and_confirmations_state_payment_and_delivery_terms(full_world: World) -> None:
    views = _views(full_world)
    for kind in ("quote", "order_confirmation"):
        assert views[kind].terms == (
            "Zahlungsbedingungen: 2 % Skonto innerhalb von 10 Tagen, 30 Tage netto.",
            "Lieferbedingungen: Lieferung frei Haus",
        )
    assert ("Gültig bis", "31.03.2026") in views["quote"].facts


def test_the_proforma_states_amount_due_date_account_reference_and_skonto(
    full_world: World,
) -> None:
    view = _views(full_world)["proforma_invoice"]
    gross = view.totals[-1][1]
    assert dict(view.payment) == {
        "Zahlbetrag": gross,
        "Fällig am": "17.02.2026",
        "Verwendungszweck": "PF-2026-00001",
        "Kontoinhaber": "Systemhaus Nord GmbH",
        "IBAN": "DE89 3704 0044 0532 0130 00",
        "BIC": "COBADEFFXXX",
        "Bank": "Commerzbank",
    }
    assert view.payment_note.startswith("Bei Zahlung bis 28.01.2026 ziehen Sie 2 % Skonto")


def test_english_documents_say_the_same_in_english(full_world: World) -> None:
    document = next(d for d in full_world.documents().values() if d.kind == "proforma_invoice")
    view = document_view(attrs.evolve(document, locale="en_GB"))
    assert "Register court: Amtsgericht Hamburg, HRB 123456" in view.footer[1]
    assert "Managing directors: Jana Petersen, Ole Hansen" in view.footer[1]
    assert dict(view.payment)["Due date"] == "17 Feb 2026"


def test_every_e_mail_is_signed_with_the_legal_particulars(full_world: World) -> None:
    from quote2order.testing import RecordingNotifier

    notifier = RecordingNotifier()
    full_world.dispatcher(notifier).run_until_empty()
    emails = [m for m in notifier.sent if m.channel == "email"]
    assert len(emails) == 3  # confirmation, delivery note, pro-forma (version 1: no token)
    for message in emails:
        signature = message.text.split("\n-- \n", 1)[1]
        assert "Registergericht: Amtsgericht Hamburg, HRB 123456" in signature
        assert "Geschäftsführung: Jana Petersen, Ole Hansen" in signature
        assert "Sitz der Gesellschaft: Hamburg" in signature


@pytest.mark.parametrize("media_type", ["image/png", "image/svg+xml"])
def test_a_logo_is_drawn_on_the_pdf_and_embedded_in_the_html(media_type: str) -> None:
    import io

    from PIL import Image

    from quote2order.adapters.html import HtmlRenderer
    from quote2order.adapters.pdf import PdfRenderer

    if media_type == "image/png":
        buffer = io.BytesIO()
        Image.new("RGB", (120, 40), (0, 90, 160)).save(buffer, format="PNG")
        content = buffer.getvalue()
    else:
        content = (
            b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
            b'<rect width="120" height="40" fill="#005aa0"/></svg>'
        )
    world = World(seller=attrs.evolve(FULL, logo=Logo(media_type, content)))
    world.invoiced_order()
    document = next(d for d in world.documents().values() if d.kind == "proforma_invoice")
    pdf = PdfRenderer().render(document).content
    if media_type == "image/png":
        assert b"/Subtype /Image" in pdf
    else:  # fpdf2 draws an SVG as paths on the page: the logo's fill colour is there
        from pypdf import PdfReader

        page = PdfReader(io.BytesIO(pdf)).pages[0].get_contents()
        assert page is not None
        assert b"0 0.3529 0.6275 rg" in page.get_data()
    html = HtmlRenderer().render(document).content.decode()
    assert f'src="data:{media_type};base64,{base64.b64encode(content).decode()}"' in html
