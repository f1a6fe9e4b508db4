"""Fitting table text in the PDF: few measurements per cell, the same result as trimming
one character at a time, and rows that never run off the page."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from quote2order.adapters import pdf as pdf_module
from quote2order.adapters.pdf import PdfRenderer

from .conftest import CUSTOMER, SELLER, World, position

LONG = ("Vor-Ort-Service am nächsten Arbeitstag, Datenübernahme und Einweisung " * 60)[:4000]


def _font(size: float = 8) -> Any:
    page = pdf_module.FPDF(unit="mm")
    page.core_fonts_encoding = "windows-1252"
    page.set_font("Helvetica", size=size)
    return page


def _trimmed_one_by_one(text: str, room: float, width: Any) -> str:
    """What the renderer did before: drop the last character and measure again."""
    if width(text) <= room:
        return text
    while text and width(text + "...") > room:
        text = text[:-1]
    return text + "..."


def _proforma_pdf(world: World) -> bytes:
    (document,) = [d for d in world.documents().values() if d.kind == "proforma_invoice"]
    return PdfRenderer().render(document).content


def test_a_4000_character_description_costs_a_handful_of_measurements_per_cell(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0
    measure = pdf_module.FPDF.get_string_width

    def counting(self: Any, text: str, *args: Any, **kwargs: Any) -> float:
        nonlocal calls
        calls += 1
        return measure(self, text, *args, **kwargs)

    world.invoiced_order([attrs.evolve(position(n), description=LONG) for n in range(1, 11)])
    monkeypatch.setattr(pdf_module.FPDF, "get_string_width", counting)
    _proforma_pdf(world)
    # Trimming one character at a time measured each long description about 4,000 times.
    assert calls < 1000


def test_fitting_needs_logarithmically_many_measurements() -> None:
    page = _font()
    calls: list[int] = []

    def measure(text: str) -> float:
        calls.append(len(text))
        return float(page.get_string_width(text))

    fitted, width = pdf_module._fit(LONG, 60.0, measure)
    assert fitted.endswith("...")
    assert width <= 60.0
    assert len(calls) <= 24  # twice: doubling up to the fitting length, then halving
    assert max(calls) <= 2 * len(fitted) + 16  # never the whole 4,000 characters


@given(
    text=st.text(st.characters(codec="cp1252", exclude_categories=("Cc",)), max_size=300),
    room=st.floats(min_value=0, max_value=120),
    size=st.sampled_from([7, 8]),
)
def test_fitting_gives_what_trimming_one_by_one_gave(text: str, room: float, size: int) -> None:
    page = _font(size)
    measure = pdf_module._Measure(page)
    fitted, width = pdf_module._fit(text, room, measure)
    assert fitted == _trimmed_one_by_one(text, room, page.get_string_width)
    assert width == pytest.approx(page.get_string_width(fitted), abs=1e-9)


def _dejavu() -> Any:
    from quote2order.adapters.pdf_fonts import FontSet

    page = pdf_module.FPDF(unit="mm")
    FontSet().install(page, frozenset())
    page.set_font(pdf_module._FONT, size=8)
    return page


DEJAVU = _dejavu()


@given(st.text(st.characters(codec="cp1252", exclude_categories=("Cc",)), max_size=200))
def test_summed_character_widths_equal_the_fonts_own_measure(text: str) -> None:
    page = _font()
    measure = pdf_module._Measure(page)
    assert measure(text) == pytest.approx(page.get_string_width(text), abs=1e-9)
    page.set_font("Helvetica", style="B", size=9)
    assert measure(text) == pytest.approx(page.get_string_width(text), abs=1e-9)


def test_a_description_of_thousands_of_lines_stays_on_the_page(world: World) -> None:
    world.invoiced_order([attrs.evolve(position(1), description="Zeile\n" * 1999 + "Ende")])
    reader = PdfReader(io.BytesIO(_proforma_pdf(world)))
    heights: list[float] = []
    for page in reader.pages:
        page.extract_text(
            visitor_text=lambda text, cm, tm, font, size: heights.append(tm[5]) if text else None
        )
    assert min(heights) >= 0  # a PDF's y runs up from the bottom edge: below 0 is off the page
    assert len(reader.pages) <= 3


def test_a_text_that_fits_whole_is_kept_even_where_a_shorter_prefix_with_dots_would_not() -> None:
    page = _font()
    text = "a" * 17  # "a" * 16 + "..." is wider than "a" * 17
    room = page.get_string_width(text)
    assert pdf_module._fit(text, room, pdf_module._Measure(page))[0] == text


@given(
    text=st.text(st.characters(codec="cp1252", exclude_categories=("Cc",)), max_size=400)
    | st.lists(st.sampled_from(["Wort", "x" * 90, " ", "\n", "ä"]), max_size=60).map("".join),
    room=st.floats(min_value=5, max_value=180),
)
def test_wrapped_lines_fit_and_keep_every_character(text: str, room: float) -> None:
    page = _font(9)
    measure = pdf_module._Measure(page)
    lines = pdf_module._wrap(text, room, measure)
    assert all(measure(line) <= room or len(line) == 1 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    assert len(lines) >= text.count("\n") + 1


def test_notes_of_thousands_of_lines_flow_over_pages_and_stay_on_them(world: World) -> None:
    created = world.service.create_quote(
        reseller_id="reseller-1",
        customer=world.customer,
        title="Lange Notizen",
        positions=[position(1)],
        valid_until=date(2026, 3, 31),
        notes="Zeile\n" * 1999 + "Ende",
    )
    world.service.send_quote(created.quote.quote_id)
    (document,) = world.documents().values()
    reader = PdfReader(io.BytesIO(PdfRenderer().render(document).content))
    heights: list[float] = []
    for page in reader.pages:
        page.extract_text(
            visitor_text=lambda text, cm, tm, font, size: heights.append(tm[5]) if text else None
        )
    assert min(heights) >= 0
    assert "Ende" in reader.pages[-1].extract_text()


@given(
    st.text(
        st.characters(min_codepoint=0x20, max_codepoint=0x4FF, exclude_categories=("Cc", "Cs")),
        max_size=200,
    ).filter(lambda t: all(ord(c) in DEJAVU.current_font.cmap for c in t))
)
def test_with_the_embedded_truetype_font_summed_widths_equal_its_own_measure(text: str) -> None:
    """The fitting measures with whatever font is set: here DejaVu Sans (Latin, Greek,
    Cyrillic), the renderer's default."""
    measure = pdf_module._Measure(DEJAVU)
    assert measure(text) == pytest.approx(DEJAVU.get_string_width(text), abs=1e-9)


def _runs(pdf: bytes, size: float) -> list[tuple[float, str]]:
    """Each text run of font ``size`` on every page: its left edge in mm and its text."""
    runs: list[tuple[float, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, font_size: float) -> None:
        if text.strip() and font_size == size:
            runs.append((tm[4] * 25.4 / 72, text.strip()))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return runs


def _renderers_page(size: float) -> Any:
    page = _dejavu()
    page.set_margins(18, 16, 18)  # the renderer's page
    page.set_font(pdf_module._FONT, size=size)
    return page


def test_long_address_lines_wrap_inside_their_own_column() -> None:
    """A 200-character street or company line stays in its half of the page: it neither
    runs into the other party's column nor past the right margin, and nothing is lost."""
    street = "Gewerbepark Nord, Gebäude C, Aufgang 3, " * 5
    customer = attrs.evolve(CUSTOMER, address=(street.strip(), "40212 Düsseldorf"))
    seller = attrs.evolve(SELLER, address=(street.strip(), "80331 München"))
    world = World(customer=customer, seller=seller)
    world.invoiced_order()
    runs = _runs(_proforma_pdf(world), 9)
    page = _renderers_page(9)
    middle, right = page.l_margin + page.epw / 2, page.l_margin + page.epw
    for x, text in runs:
        if "Gewerbepark" in text or "Aufgang" in text or "Gebäude" in text:
            column_end = middle if x < middle else right
            assert x + page.get_string_width(text) <= column_end + 0.01, text
    shown = "".join(text for _, text in runs).replace(" ", "")
    assert shown.count(street.replace(" ", "")) == 2  # seller's and buyer's, whole


def test_the_legal_particulars_wrap_to_the_page_and_stay_bounded() -> None:
    """The footer repeats the seller's address: a long line wraps within the margins, and
    a hostile one of thousands of characters takes at most eight lines, ending in "..."."""
    page = _renderers_page(6.5)
    street = "Gewerbepark Nord, Gebäude C, Aufgang 3, " * 5
    for address in (street.strip(), "Halle " * 2000):
        world = World(seller=attrs.evolve(SELLER, address=(address, "80331 München")))
        world.invoiced_order()
        pdf = _proforma_pdf(world)
        runs = _runs(pdf, 6.5)
        assert 2 <= len(runs) // len(PdfReader(io.BytesIO(pdf)).pages) <= 8
        for x, text in runs:
            assert x >= page.l_margin - 0.01, text
            assert x + page.get_string_width(text) <= page.l_margin + page.epw + 0.01, text
    assert runs[7][1].endswith("...")


def test_a_hostile_address_takes_a_bounded_block_and_leaves_the_page_its_content() -> None:
    world = World(seller=attrs.evolve(SELLER, address=("Halle " * 2000, "80331 München")))
    world.invoiced_order()
    reader = PdfReader(io.BytesIO(_proforma_pdf(world)))
    first = reader.pages[0]
    heights: dict[str, float] = {}
    first.extract_text(
        visitor_text=lambda text, cm, tm, font, size: heights.setdefault(text.strip(), tm[5])
    )
    party_lines = [t for t in heights if t.startswith("Halle") and len(t) > 40]
    assert len(party_lines) <= 16 + 8  # the seller block and the footer, each bounded
    # The heading and the positions still start on the first page, above the footer.
    assert "Proforma-Rechnung PF-2026-00001" in heights
    assert heights["Proforma-Rechnung PF-2026-00001"] > 20 * 72 / 25.4 + 8 * 3.0 * 72 / 25.4
