"""A PDF Renderer with fpdf2 (the ``pdf`` extra).

Text is set in DejaVu Sans, embedded as a subset of the glyphs used, so Latin with its
extensions, Greek and Cyrillic print and extract unchanged; a host adds fonts for other
scripts (see :mod:`quote2order.adapters.pdf_fonts`). A character no font covers is
refused with :class:`~quote2order.errors.UnsupportedCharacter` before anything is laid
out, never replaced. The creation date is the document's own date, so the same record
gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime

from fpdf import FPDF

from quote2order.adapters.pdf_fonts import DEFAULT_FONT, FontSet, PdfFont
from quote2order.notifications.documents import RenderedDocument, document_filename
from quote2order.notifications.views import DocumentView, document_view
from quote2order.ports import DocumentRecord

__all__ = ["PdfFont", "PdfRenderer"]

_FONT = DEFAULT_FONT.family
_LINE = 4.6  # mm per text line at 9 pt
# Relative widths of the priced table (pos, description, quantity, unit, discount, VAT, net)
# and of the delivery note's (pos, description, ordered, shipped).
_PRICED = (8, 74, 14, 24, 14, 14, 26)
_DELIVERY = (8, 130, 18, 18)


_FOOTER_LINE = 3.0  # mm per line of the legal particulars at 6.5 pt
_FOOTER_LINES = 8  # at most: the particulars must leave the page room for content
_PARTY_LINES = 16  # at most per party (seller, buyer) at the top of the first page
_LABEL_WIDTH = 62.0  # mm for a fact's label ("Proforma-Rechnungsnummer" in DejaVu Sans Bold)


def _text(value: str) -> str:
    """``value`` as shown: every character was checked against the fonts before layout."""
    return value


def _view_texts(view: DocumentView) -> Iterator[str]:
    """Every string the document shows, for the font coverage check."""
    yield view.title
    yield from view.seller
    yield from view.seller_contact
    yield from view.buyer
    for pair in (*view.facts, *view.totals, *view.payment):
        yield from pair
    yield from (view.intro, view.notice, view.notes, view.closing, view.payment_note)
    for row in (*view.rows, *view.shipments):
        yield from row
    yield from (*view.columns, *view.shipment_columns, *view.labels.values())
    yield from (*view.changes, view.changes_heading, view.shipments_heading)
    yield from (*view.terms, *view.services, *view.outstanding, *view.not_delivered)
    yield from view.footer


class _Page(FPDF):
    def __init__(self, view: DocumentView, fonts: FontSet, used: frozenset[int]) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.view = view
        fonts.install(self, used)
        self.set_auto_page_break(auto=False, margin=18)
        self.set_margins(18, 16, 18)
        self.alias_nb_pages()
        self.footer_lines = self._wrapped_footer()

    def _wrapped_footer(self) -> list[str]:
        """The legal particulars wrapped to the page width, at most ``_FOOTER_LINES``."""
        self.set_font(_FONT, size=6.5)
        return _wrap_lines(
            self.view.footer, self.epw - 2 * self.c_margin, _Measure(self), _FOOTER_LINES
        )

    def footer(self) -> None:
        # The legal particulars on every page (business-letter rules), then the page number.
        self.set_y(-12 - len(self.footer_lines) * _FOOTER_LINE)
        self.set_text_color(110)
        self.set_font(_FONT, size=6.5)
        for line in self.footer_lines:
            self.cell(0, _FOOTER_LINE, line, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_y(-12)
        self.set_font(_FONT, size=7)
        label = _text(f"{self.view.title} · {self.view.labels['page']} {self.page_no()}/{{nb}}")
        self.cell(0, 4, label, align="C")
        self.set_text_color(0)


class PdfRenderer:
    """Renders a document record as an A4 PDF.

    ``fonts``: the host's own fonts, used where DejaVu Sans has no glyph (CJK, Arabic).
    """

    media_type = "application/pdf"
    extension = "pdf"

    def __init__(self, fonts: Sequence[PdfFont] = ()) -> None:
        self._fonts = FontSet(fonts)

    def render(self, document: DocumentRecord) -> RenderedDocument:
        """``document`` as PDF; raises UnsupportedCharacter for text no font can show."""
        view = document_view(document)
        used = self._fonts.check(_view_texts(view))
        pdf = _Page(view, self._fonts, used)
        pdf.set_creation_date(_fixed(document.created_at))
        pdf.set_title(_text(view.title))
        pdf.set_author(_text(view.seller[0] if view.seller else ""))
        pdf.set_lang(view.language)
        pdf.add_page()
        _logo(pdf, view)
        _parties(pdf, view)
        _heading(pdf, view)
        _positions(pdf, view)
        _totals(pdf, view)
        _shipments(pdf, view)
        _closing_sections(pdf, view)
        return RenderedDocument(
            document_filename(view.title, self.extension), self.media_type, bytes(pdf.output())
        )


def _fixed(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _bottom(pdf: FPDF) -> float:
    """Where content ends on a page: above the footer with the legal particulars."""
    footer: list[str] = getattr(pdf, "footer_lines")  # noqa: B009 - _Page's, typed as FPDF here
    return pdf.h - 18 - len(footer) * _FOOTER_LINE


def _room(pdf: FPDF, height: float) -> bool:
    """Start a new page if ``height`` does not fit; True if it did."""
    if pdf.get_y() + height > _bottom(pdf):
        pdf.add_page()
        return True
    return False


def _paragraph(pdf: FPDF, text: str, *, bold: bool = False, size: float = 9) -> None:
    pdf.set_font(_FONT, style="B" if bold else "", size=size)
    lines = _wrap(_text(text), pdf.epw - 2 * pdf.c_margin, _Measure(pdf))
    _room(pdf, len(lines) * _LINE)  # kept on one page when it fits on one
    for line in lines:
        _room(pdf, _LINE)  # a longer paragraph flows onto the next page
        pdf.cell(pdf.epw, _LINE, line, new_x="LMARGIN", new_y="NEXT")


def _parties(pdf: FPDF, view: DocumentView) -> None:
    top = pdf.get_y()
    half = pdf.epw / 2
    # A long address line wraps inside its own column instead of running into the other
    # one or off the page; 2 mm keep the columns apart.
    room = half - 2 * pdf.c_margin - 2
    measure = _Measure(pdf)
    rows = 0
    for index, (label, lines) in enumerate(
        (
            (view.labels["seller"], view.seller + view.seller_contact),
            (view.labels["buyer"], view.buyer),
        )
    ):
        pdf.set_xy(pdf.l_margin + index * half, top)
        pdf.set_font(_FONT, style="B", size=7)
        pdf.set_text_color(110)
        pdf.cell(half, _LINE, _text(label.upper()), new_x="LEFT", new_y="NEXT")
        pdf.set_text_color(0)
        pdf.set_font(_FONT, size=9)
        wrapped = _wrap_lines(map(_text, lines), room, measure, _PARTY_LINES)
        for part in wrapped:
            pdf.cell(half, _LINE, part, new_x="LEFT", new_y="NEXT")
        rows = max(rows, len(wrapped))
    pdf.set_xy(pdf.l_margin, top + (rows + 2) * _LINE)


def _heading(pdf: FPDF, view: DocumentView) -> None:
    pdf.set_font(_FONT, style="B", size=15)
    pdf.cell(0, 9, _text(view.title), new_x="LMARGIN", new_y="NEXT")
    for label, value in view.facts:
        pdf.set_font(_FONT, style="B", size=9)
        pdf.cell(_LABEL_WIDTH, _LINE, _text(label))
        pdf.set_font(_FONT, size=9)
        pdf.cell(0, _LINE, _text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if view.intro:
        _paragraph(pdf, view.intro)
    if view.notice:
        pdf.set_draw_color(190, 0, 0)
        pdf.set_font(_FONT, style="B", size=9)
        pdf.multi_cell(
            pdf.epw,
            _LINE,
            _text(view.notice),
            border=1,
            padding=1,
            align="L",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_draw_color(0)
    if view.changes:
        pdf.ln(1)
        _paragraph(pdf, view.changes_heading, bold=True)
        for change in view.changes:
            _paragraph(pdf, f"- {change}")
    pdf.ln(2)


def _widths(pdf: FPDF, relative: tuple[int, ...]) -> list[float]:
    scale = pdf.epw / sum(relative)
    return [w * scale for w in relative]


_ELLIPSIS = "..."
# A millionth of a millimetre: summed character widths and fpdf2's own measure of the same
# text may differ in the last bits (Python 3.12's sum() of floats is compensated), and a
# text measured to fit exactly must still fit.
_SLACK = 1e-6


class _Measure:
    """Widths of text in the font set at the time of the call, whatever font that is.

    fpdf2 measures unshaped text as the sum of its characters' widths (with character
    spacing and stretching), so each distinct character is measured once per font and size
    and strings are summed from that: a few dictionary look-ups instead of fpdf2's full
    measuring path per string. With text shaping on (kerning, ligatures) a string is not
    that sum, and each string is measured whole.
    """

    def __init__(self, pdf: FPDF) -> None:
        self._pdf = pdf
        self._widths: dict[tuple[str, str, float], dict[str, float]] = {}
        self._shown: dict[int, set[str]] = {}

    def __call__(self, text: str) -> float:
        pdf = self._pdf
        if pdf.text_shaping:
            return float(pdf.get_string_width(text))
        font = (pdf.font_family, pdf.font_style, pdf.font_size_pt)
        widths = self._widths.setdefault(font, {})
        try:
            return sum(map(widths.__getitem__, text), 0.0)
        except KeyError:
            for char in set(text).difference(widths):
                widths[char] = pdf.get_string_width(char)
            return sum(map(widths.__getitem__, text), 0.0)

    def in_current_font(self, text: str) -> bool:
        """Whether the font set has a glyph for every character of ``text`` (a built-in
        font has no character map and shows what it can)."""
        font = self._pdf.current_font
        cmap = getattr(font, "cmap", None)
        if cmap is None:
            return True
        shown = self._shown.setdefault(id(font), set())
        unchecked = set(text).difference(shown)
        if all(ord(char) in cmap for char in unchecked):
            shown.update(unchecked)
            return True
        return False


def _longest_prefix(
    text: str, room: float, measure: Callable[[str], float], suffix: str = ""
) -> tuple[int, float]:
    """The longest prefix of ``text`` that fits ``room`` with ``suffix`` appended, as its
    length and width (length 0 if none does).

    Widths grow with length, so the prefix is found by doubling a probe until it no longer
    fits, then halving the gap: O(log k) measurements of at most 2k characters, k being
    what fits (bounded by the room, not by the length of ``text``).
    """
    length = len(text)
    fitting, width, too_long, probe = 0, -1.0, length + 1, 16
    if length <= 64:  # most cells: one measurement of the whole text decides
        probe = length
    while probe < too_long:
        probe = min(probe, length)
        probe_width = measure(text[:probe] + suffix)
        if probe_width > room + _SLACK:
            too_long = probe
        elif probe == length:
            return length, probe_width
        else:
            fitting, width, probe = probe, probe_width, probe * 2
    while too_long - fitting > 1:
        middle = (fitting + too_long) // 2
        middle_width = measure(text[:middle] + suffix)
        if middle_width <= room + _SLACK:
            fitting, width = middle, middle_width
        else:
            too_long = middle
    return fitting, width if width >= 0 else measure(text[:fitting] + suffix)


def _fit(text: str, room: float, measure: Callable[[str], float]) -> tuple[str, float]:
    """``text``, or its longest prefix with "..." that fits ``room``, and its width."""
    length, width = _longest_prefix(text, room, measure)
    if length == len(text):
        return text, width
    # With the ellipsis the prefix can only be shorter: search within what fitted without.
    length, width = _longest_prefix(text[:length], room, measure, _ELLIPSIS)
    return text[:length] + _ELLIPSIS, width


def _wrap(text: str, room: float, measure: Callable[[str], float]) -> list[str]:
    """``text`` broken into lines that fit ``room``: at spaces, and inside a word only
    where the word alone is wider than a line."""
    lines: list[str] = []
    for source in text.split("\n"):
        line = ""
        for word in source.split(" "):
            candidate = f"{line} {word}" if line else word
            if measure(candidate) <= room + _SLACK:
                line = candidate
                continue
            if line:
                lines.append(line)
            while True:
                length, _ = _longest_prefix(word, room, measure)
                if length == len(word):
                    line = word
                    break
                length = max(length, 1)  # a character wider than the room still moves on
                lines.append(word[:length])
                word = word[length:]
        lines.append(line)
    return lines


def _wrap_lines(
    lines: Iterable[str], room: float, measure: Callable[[str], float], most: int
) -> list[str]:
    """``lines`` wrapped to ``room``, at most ``most`` of them: then the last one shown
    ends in "..." (it and the next did not fit on one line)."""
    wrapped = [part for line in lines for part in _wrap(line, room, measure)]
    if len(wrapped) > most:
        wrapped[most - 1] = _fit(f"{wrapped[most - 1]} {wrapped[most]}", room, measure)[0]
        del wrapped[most:]
    return wrapped


def _row_lines(
    pdf: FPDF, row: tuple[str, ...], widths: list[float], max_lines: int, measure: _Measure
) -> list[list[tuple[str, float]]]:
    """Each cell's lines fitted to its width, with their widths: the first line at 8 pt,
    the others at 7 pt, at most ``max_lines`` per cell, so a row never outgrows a page."""
    cells = [cell.split("\n", max_lines) for cell in row]
    for lines in cells:
        if len(lines) > max_lines:
            lines[max_lines - 1 :] = [_ELLIPSIS]
    fitted: list[list[tuple[str, float]]] = [[] for _ in cells]
    for first, size in ((True, 8), (False, 7)):  # one font change per size, not per line
        pdf.set_font(_FONT, size=size)
        for lines, width, out in zip(cells, widths, fitted, strict=True):
            room = width - 2 * pdf.c_margin
            out += [
                _fit(_text(line), room, measure) for line in (lines[:1] if first else lines[1:])
            ]
    return fitted


def _header_row(pdf: FPDF, view: DocumentView, widths: list[float]) -> None:
    pdf.set_font(_FONT, style="B", size=8)
    pdf.set_fill_color(235)
    for index, (column, width) in enumerate(zip(view.columns, widths, strict=True)):
        align = "R" if index in view.numeric_columns else "L"
        pdf.cell(width, 6, _text(column), border="B", align=align, fill=True)
    pdf.ln(6)


def _positions(pdf: FPDF, view: DocumentView) -> None:
    widths = _widths(pdf, _PRICED if len(view.columns) == len(_PRICED) else _DELIVERY)
    _room(pdf, 6 + _LINE * 2)
    _header_row(pdf, view, widths)
    measure = _Measure(pdf)
    max_lines = int((_bottom(pdf) - pdf.t_margin - 7) // _LINE)
    for row in view.rows:
        cells = _row_lines(pdf, row, widths, max_lines, measure)
        height = max(len(lines) for lines in cells) * _LINE + 1
        if _room(pdf, height):
            _header_row(pdf, view, widths)
        top = pdf.get_y()
        for first, size in ((True, 8), (False, 7)):
            pdf.set_font(_FONT, size=size)
            x = pdf.l_margin
            for index, (lines, width) in enumerate(zip(cells, widths, strict=True)):
                right = index in view.numeric_columns
                for number, (line, line_width) in enumerate(lines):
                    if (number == 0) != first or not line:
                        continue
                    if measure.in_current_font(line):
                        # text() at cell()'s position: cell() costs ten times as much.
                        baseline = top + 0.5 + (number + 0.5) * _LINE + 0.3 * pdf.font_size
                        left = x + width - pdf.c_margin - line_width if right else x + pdf.c_margin
                        pdf.text(left, baseline, line)
                    else:  # only cell() falls back to the host's fonts for other scripts
                        pdf.set_xy(x, top + 0.5 + number * _LINE)
                        pdf.cell(width, _LINE, line, align="R" if right else "L")
                x += width
        pdf.set_draw_color(220)
        pdf.line(pdf.l_margin, top + height, pdf.l_margin + pdf.epw, top + height)
        pdf.set_draw_color(0)
        pdf.set_xy(pdf.l_margin, top + height)


def _totals(pdf: FPDF, view: DocumentView) -> None:
    if not view.totals:
        return
    pdf.ln(2)
    _room(pdf, len(view.totals) * _LINE + 2)
    label_width, value_width = 60.0, 32.0
    for index, (label, value) in enumerate(view.totals):
        last = index == len(view.totals) - 1
        pdf.set_font(_FONT, style="B" if last else "", size=9)
        pdf.set_x(pdf.l_margin + pdf.epw - label_width - value_width)
        pdf.cell(label_width, _LINE + 0.5, _text(label), border="T" if last else 0)
        pdf.cell(
            value_width,
            _LINE + 0.5,
            _text(value),
            border="T" if last else 0,
            align="R",
            new_x="LMARGIN",
            new_y="NEXT",
        )


def _shipments(pdf: FPDF, view: DocumentView) -> None:
    if not view.shipments:
        return
    pdf.ln(3)
    _paragraph(pdf, view.shipments_heading, bold=True)
    widths = _widths(pdf, (40, 45, 95))
    pdf.set_font(_FONT, style="B", size=8)
    for column, width in zip(view.shipment_columns, widths, strict=True):
        pdf.cell(width, 6, _text(column), border="B")
    pdf.ln(6)
    pdf.set_font(_FONT, size=8)
    for row in view.shipments:
        _room(pdf, _LINE)
        for cell, width in zip(row, widths, strict=True):
            pdf.cell(width, _LINE + 0.5, _fit(_text(cell), width - 2, pdf.get_string_width)[0])
        pdf.ln(_LINE + 0.5)


def _logo(pdf: FPDF, view: DocumentView) -> None:
    """The seller's logo (PNG or SVG), top right, at most 50 x 16 mm."""
    if view.logo is None:
        return
    top = pdf.get_y()
    pdf.image(
        io.BytesIO(view.logo[1]),
        x=pdf.l_margin + pdf.epw - 50,
        y=top,
        w=0,
        h=16,
        keep_aspect_ratio=True,
    )
    pdf.set_y(top + 18)


def _lines(pdf: FPDF, heading: str, lines: Sequence[str]) -> None:
    if not lines:
        return
    pdf.ln(2)
    _paragraph(pdf, heading, bold=True)
    for line in lines:
        _paragraph(pdf, line)


def _closing_sections(pdf: FPDF, view: DocumentView) -> None:
    """What follows the positions: services, outstanding, payment, terms, notes, closing."""
    _lines(pdf, view.labels["services"], view.services)
    _lines(pdf, view.labels["outstanding"], view.outstanding)
    _lines(pdf, view.labels["not_delivered"], view.not_delivered)
    if view.payment:
        pdf.ln(2)
        _paragraph(pdf, view.labels["payment"], bold=True)
        _room(pdf, len(view.payment) * _LINE)
        for label, value in view.payment:
            pdf.set_font(_FONT, style="B", size=9)
            pdf.cell(_LABEL_WIDTH, _LINE, label)
            pdf.set_font(_FONT, size=9)
            pdf.cell(0, _LINE, value, new_x="LMARGIN", new_y="NEXT")
        if view.payment_note:
            _paragraph(pdf, view.payment_note)
    if view.terms:
        pdf.ln(2)
        for line in view.terms:
            _paragraph(pdf, line)
    if view.notes:
        pdf.ln(2)
        _paragraph(pdf, view.labels["notes"], bold=True)
        _paragraph(pdf, view.notes)
    if view.closing:
        pdf.ln(2)
        _paragraph(pdf, view.closing)
