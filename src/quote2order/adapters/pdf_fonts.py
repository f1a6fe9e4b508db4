"""Fonts of the PDF renderer: the shipped DejaVu Sans and the host's own (``pdf`` extra).

DejaVu Sans (Bitstream Vera licence, see ``fonts/LICENSE-DejaVu.txt``) covers Latin with
its extensions, Greek and Cyrillic: every script a European customer writes in. A host
adds fonts for other scripts (CJK, Arabic, ...) with :class:`PdfFont`; they are used
where DejaVu has no glyph. Only the glyphs a document uses are embedded (subsetting).

Parsing a TrueType file costs tens of milliseconds, so each file is parsed once per
process; every document gets its own copy of the parsed metrics and a fresh, lazily
loaded font file for subsetting (fpdf2's subsetter changes the font it is given).
"""

from __future__ import annotations

import copy
import functools
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import SubsetMap, TTFFont

from quote2order.errors import UnsupportedCharacter, ValidationError

__all__ = ["DEFAULT_FONT", "FONT_DIR", "FontSet", "PdfFont"]

FONT_DIR = Path(__file__).parent / "fonts"


def _path(value: Path | str | None) -> Path | None:
    return None if value is None else Path(value)


@attrs.frozen
class PdfFont:
    """A TrueType (or OpenType) font family for PDF documents: regular and bold files.

    Without a bold file, bold text uses the regular one.
    """

    family: str
    regular: Path = attrs.field(converter=Path)
    bold: Path | None = attrs.field(default=None, converter=_path)

    def __attrs_post_init__(self) -> None:
        for path in (self.regular, self.bold):
            if path is not None and not path.is_file():
                raise ValidationError(f"font {self.family}: no font file at {path}")
        if not self.family.isidentifier():
            raise ValidationError(f"font family names are letters and digits: {self.family!r}")


#: The font every document is set in.
DEFAULT_FONT = PdfFont("DejaVu", FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf")


@functools.lru_cache(maxsize=32)
def _parsed(path: Path) -> TTFFont:
    """The font file parsed once (metrics, character map) on a throwaway document."""
    scratch = FPDF()
    try:
        return TTFFont(scratch, path, "parsed", "")
    except Exception as exc:  # fontTools raises many kinds for a broken file
        raise ValidationError(f"not a usable TrueType font: {path} ({exc})") from exc


class _FontFile(ttLib.TTFont):  # type: ignore[misc]  # fontTools ships no types
    """A font file whose subset is written in one pass.

    fontTools writes a font twice by default to sort its tables (a recommendation, not
    a rule of the format); that doubled the time of embedding. Glyph boxes are kept as
    the file has them (``recalcBBoxes=False``): subsetting does not change a glyph.
    """

    def save(self, file: Any, reorderTables: bool | None = False) -> None:
        super().save(file, reorderTables=reorderTables)


def _install(pdf: FPDF, path: Path, family: str, style: str) -> None:
    fontkey = f"{family.lower()}{style}"
    font = copy.copy(_parsed(path))
    # What fpdf2 changes while writing one document, made fresh for this one.
    font.fontkey = fontkey
    font.emphasis = TextEmphasis.coerce(style)
    font.i = len(pdf.fonts) + 1
    font.ttfont = _FontFile(path, recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    # The descriptor is a PDF object that gets this document's object number: never shared.
    font.desc = copy.copy(font.desc)
    pdf.fonts[fontkey] = font


@functools.lru_cache(maxsize=64)
def _coverage(path: Path) -> frozenset[int]:
    return frozenset(_parsed(path).cmap)


class FontSet:
    """The default font and the host's fonts, as installed on each document."""

    def __init__(self, fonts: Sequence[PdfFont] = ()) -> None:
        self.fonts = (DEFAULT_FONT, *fonts)
        families = [f.family.lower() for f in self.fonts]
        if len(set(families)) != len(families):
            raise ValidationError(f"font families must differ: {[f.family for f in fonts]}")
        self.family = DEFAULT_FONT.family
        self._covered = frozenset().union(*(_coverage(f.regular) for f in self.fonts))

    def install(self, pdf: FPDF, used: frozenset[int] | None = None) -> None:
        """Add the fonts a document of the characters ``used`` needs to ``pdf`` (all: None).

        DejaVu always; a host's font only when the document has a character DejaVu lacks
        and that font has (every font added is embedded and subset, used or not, and a
        CJK font file is large). The host's fonts fill in where DejaVu has no glyph.
        """
        fonts = list(self.fonts)
        if used is not None:
            needed = used - _coverage(DEFAULT_FONT.regular)
            fonts = [DEFAULT_FONT, *(f for f in fonts[1:] if needed & _coverage(f.regular))]
        for font in fonts:
            _install(pdf, font.regular, font.family, "")
            _install(pdf, font.bold or font.regular, font.family, "B")
        if len(fonts) > 1:
            pdf.set_fallback_fonts([f.family for f in fonts[1:]], exact_match=False)

    def check(self, texts: Iterable[str]) -> frozenset[int]:
        """The code points of ``texts``; UnsupportedCharacter for the first no font has."""
        used = frozenset(ord(c) for text in texts for c in text)
        for codepoint in sorted(used - self._covered):
            if unicodedata.category(chr(codepoint)) not in ("Cc", "Zl", "Zp"):
                raise UnsupportedCharacter(chr(codepoint), tuple(f.family for f in self.fonts))
        return used
