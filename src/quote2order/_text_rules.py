"""What untrusted single-line text and e-mail addresses may contain: one rule, two users.

The schemas refuse such text at the boundary; the e-mail adapter checks again, because a
host may build core objects without the schemas. Both read the rules from here.
"""

from __future__ import annotations

import re

__all__ = ["EMAIL_ADDRESS", "single_line_problem"]

# C0/C1 controls (CR and LF included) and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# An RFC 2047 encoded word: the e-mail library decodes it while parsing a header, so its
# payload (CR LF included) could reach the generator (CVE-2024-6923). No name, title or
# address needs the sequence "=?...?=".
_ENCODED_WORD = re.compile(r"=\?.*\?=", re.DOTALL)
# Characters that change how text is shown without being seen: bidi embeddings, overrides
# and isolates, direction marks, zero-width space, word joiner, invisible operators, BOM
# and the tag block (invisible copies of ASCII). ZWJ and ZWNJ (U+200C/D) are allowed:
# Persian, Indic scripts and emoji sequences need them.
_INVISIBLE = re.compile(
    "[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)

_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
#: An e-mail address as the library accepts it: a dot-atom local part and a host name of
#: letter/digit labels. No quoted local parts, comments, IP literals, commas or spaces:
#: what remains cannot be read as two addresses or as a display name.
EMAIL_ADDRESS = re.compile(rf"[\w.!#$%&'*+/=?^`{{|}}~-]{{1,64}}@{_LABEL}(?:\.{_LABEL})*")


def single_line_problem(text: str) -> str | None:
    """Why ``text`` is not acceptable as single-line text, or None if it is."""
    if _CONTROL.search(text):
        return "control characters (including line breaks) are not allowed here"
    if _ENCODED_WORD.search(text):
        return "encoded-word sequences (=?...?=) are not allowed here"
    if _INVISIBLE.search(text):
        return "invisible bidi and zero-width control characters are not allowed here"
    return None
