"""PDFs in every European script: embedded DejaVu Sans, host fonts, refusals, pdftotext."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import attrs
import pytest

from quote2order import Customer, UnsupportedCharacter
from quote2order.adapters.pdf import PdfFont, PdfRenderer
from quote2order.demo import run_demo
from quote2order.ports import DocumentRecord

from .conftest import CUSTOMER, SELLER, World, position

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"

# Customers a European reseller writes to, each in their own script.
NAMES = {
    "pl": ("Zażółć Gęślą Jaźń sp. z o.o.", "Łukasz Wiśniewski", "ul. Świętokrzyska 3, Łódź"),
    "cs": ("Dvořák & Synové s.r.o.", "Jiří Dvořák", "Náměstí Míru 7, Brno-Žabovřesky"),
    "tr": ("Işık Bilişim A.Ş.", "Ayşe Çağlayan Öztürk", "İstiklal Cad. 12, İstanbul"),
    "el": ("Ελληνική Πληροφορική Α.Ε.", "Γιώργος Παπαδόπουλος", "Οδός Ερμού 25, Αθήνα"),
    "ru": ("ООО «Северный Ветер»", "Дмитрий Шостакович", "ул. Тверская 7, Москва"),
}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing in CI (apt-get install -y poppler-utils)")
        pytest.skip(f"{name} is not installed (apt-get install -y poppler-utils)")
    return path


def pdftotext(content: bytes, tmp_path: Path) -> str:
    """The text poppler extracts from ``content`` (as a reader's copy-and-paste would)."""
    pdf = tmp_path / "document.pdf"
    pdf.write_bytes(content)
    done = subprocess.run(
        [_tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode("utf-8")


def _proforma(world: World) -> DocumentRecord:
    return next(d for d in world.documents().values() if d.kind == "proforma_invoice")


@pytest.mark.parametrize("language", sorted(NAMES))
def test_names_and_addresses_in_european_scripts_come_out_of_pdftotext_unchanged(
    world: World, tmp_path: Path, language: str
) -> None:
    company, name, address = NAMES[language]
    world.customer = Customer("K-9", name, "k9@example.com", company=company, address=(address,))
    world.invoiced_order([position(1, name=f"{company} – Arbeitsplatz")])
    text = pdftotext(PdfRenderer().render(_proforma(world)).content, tmp_path)
    for expected in (company, name, address, f"{company} – Arbeitsplatz"):
        assert expected in text


def test_the_sellers_own_letterhead_keeps_its_letters(tmp_path: Path) -> None:
    world = World(seller=attrs.evolve(SELLER, name="Łódzka Informatyka Dvořák GmbH"))
    world.invoiced_order()
    text = pdftotext(PdfRenderer().render(_proforma(world)).content, tmp_path)
    assert text.count("Łódzka Informatyka Dvořák GmbH") >= 2  # letterhead and footer


def test_only_the_glyphs_used_are_embedded(world: World) -> None:
    world.invoiced_order()
    content = PdfRenderer().render(_proforma(world)).content
    assert b"/FontFile2" in content  # TrueType, embedded
    # A subset tag ("ABCDEF+DejaVuSans") and a file far below the 113 KB font file.
    assert b"+DejaVuSans" in content
    assert len(content) < 60_000


def test_a_character_no_font_has_is_refused_naming_it(world: World) -> None:
    world.invoiced_order([position(1, name="Server 中文")])
    with pytest.raises(UnsupportedCharacter) as refused:
        PdfRenderer().render(_proforma(world))
    assert refused.value.character == "中"
    assert refused.value.codepoint == "U+4E2D"
    assert "中" in str(refused.value)
    assert "U+4E2D" in str(refused.value)
    assert refused.value.fonts == ("DejaVu",)


def _cjk_font(path: Path) -> Path:
    """A tiny TrueType font with two glyphs (a box each) for 中 and 文."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    def box() -> object:
        pen = TTGlyphPen(None)
        pen.moveTo((100, 0))
        pen.lineTo((100, 700))
        pen.lineTo((900, 700))
        pen.lineTo((900, 0))
        pen.closePath()
        return pen.glyph()

    builder = FontBuilder(1000, isTTF=True)
    names = [".notdef", "zhong", "wen"]
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({0x4E2D: "zhong", 0x6587: "wen"})
    builder.setupGlyf({name: box() for name in names})
    builder.setupHorizontalMetrics(dict.fromkeys(names, (1000, 100)))
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "TestHan", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.save(str(path))
    return path


def test_a_host_registered_font_fills_in_what_dejavu_lacks(world: World, tmp_path: Path) -> None:
    font = PdfFont("TestHan", _cjk_font(tmp_path / "testhan.ttf"))
    world.invoiced_order([position(1, name="Server 中文 Łódź")])
    content = PdfRenderer(fonts=[font]).render(_proforma(world)).content
    assert b"TestHan" in content
    assert "Server 中文 Łódź" in pdftotext(content, tmp_path)


def test_a_missing_or_broken_font_file_is_refused(tmp_path: Path) -> None:
    from quote2order import ValidationError

    with pytest.raises(ValidationError, match="no font file"):
        PdfFont("Nope", tmp_path / "missing.ttf")
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    with pytest.raises(ValidationError, match="not a usable TrueType font"):
        PdfRenderer(fonts=[PdfFont("Broken", broken)])


def test_the_customer_name_is_the_same_in_html_and_pdf(world: World, tmp_path: Path) -> None:
    from quote2order.adapters.html import HtmlRenderer

    world.customer = attrs.evolve(CUSTOMER, name="Jiří Dvořák", address=("90-001 Łódź",))
    world.invoiced_order()
    document = _proforma(world)
    assert "Jiří Dvořák" in HtmlRenderer().render(document).content.decode()
    assert "Jiří Dvořák" in pdftotext(PdfRenderer().render(document).content, tmp_path)


@pytest.fixture(scope="module")
def demo_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo's PDF documents by file name."""
    out = tmp_path_factory.mktemp("demo")
    run_demo(say=lambda _: None, out=out)
    return {p.name: p for p in (out / "documents").glob("*.pdf")}


def test_the_demos_pdfs_carry_the_particulars_bank_due_date_and_the_customers_name(
    demo_pdfs: dict[str, Path], tmp_path: Path
) -> None:
    """The issue's check: read with pdftotext, as a recipient's software would."""
    texts = {name: pdftotext(path.read_bytes(), tmp_path) for name, path in demo_pdfs.items()}
    for name, text in texts.items():
        for particular in (
            "Amtsgericht Hamburg, HRB 123456",
            "Jana Petersen, Ole Hansen",
            "DE89 3704 0044 0532 0130 00",
        ):
            assert particular in text, (name, particular)
    proforma = texts["Proforma-Rechnung_PF-2026-00001.pdf"]
    for expected in ("Dr. Anna Dvořák", "90-001 Łódź", "Fällig am", "Zahlbetrag", "Skonto"):
        assert expected in proforma
    due = proforma.split("Fällig am", 1)[1].split()[0]
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", due)  # a date such as 20.12.2026
    # The two parcels' delivery notes list different goods.
    first, second = (texts[f"Lieferschein_AB-2026-00002-{n}.pdf"] for n in (1, 2))
    assert "Apple iPad Air" in first
    assert "Apple iPad Air" not in second
    assert "Apple Pencil" in second


@pytest.mark.parametrize(
    ("kind", "file"),
    [
        ("quote", "Angebot_AN-2026-00001-V2.pdf"),
        ("order_confirmation", "Auftragsbestätigung_AB-2026-00002.pdf"),
        ("delivery_note", "Lieferschein_AB-2026-00002-1.pdf"),
        ("proforma_invoice", "Proforma-Rechnung_PF-2026-00001.pdf"),
        ("quote_en", "Quote_AN-2026-00002-V1.pdf"),
    ],
)
def test_one_page_of_each_document_kind_becomes_a_png(
    demo_pdfs: dict[str, Path], kind: str, file: str
) -> None:
    """Test artifacts: the first page of each kind, as pdftoppm draws it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            _tool("pdftoppm"),
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(demo_pdfs[file]),
            str(ARTIFACTS / kind),
        ],
        check=True,
        timeout=60,
    )
    png = (ARTIFACTS / f"{kind}.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 20_000  # a page full of text, not a blank one


def test_documents_rendered_in_between_or_in_parallel_do_not_change_each_others_bytes(
    world: World,
) -> None:
    """Fonts are parsed once per process; each document still gets its own subset."""
    from concurrent.futures import ThreadPoolExecutor

    world.invoiced_order()
    first = _proforma(world)
    other = World(customer=attrs.evolve(CUSTOMER, name="Дмитрий Шостакович"))
    other.invoiced_order([position(1, name="Ελληνικά")])
    renderer = PdfRenderer()
    expected = renderer.render(first).content
    renderer.render(_proforma(other))
    assert renderer.render(first).content == expected
    with ThreadPoolExecutor(4) as pool:
        results = list(
            pool.map(lambda d: renderer.render(d).content, [first, _proforma(other)] * 4)
        )
    assert results[::2] == [expected] * 4
    assert len(set(results[1::2])) == 1


def test_a_host_font_is_embedded_only_in_documents_that_need_it(
    world: World, tmp_path: Path
) -> None:
    renderer = PdfRenderer(fonts=[PdfFont("TestHan", _cjk_font(tmp_path / "testhan.ttf"))])
    world.invoiced_order()
    assert b"TestHan" not in renderer.render(_proforma(world)).content
