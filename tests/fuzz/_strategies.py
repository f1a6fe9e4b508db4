"""Hostile values for the fuzzers: arbitrary JSON, and strings that broke parsers before."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

NASTY = [
    "",
    " ",
    "0",
    "-0",
    "1e999",
    "-1e999",
    "NaN",
    "Infinity",
    "1_000",
    "١٢٣",  # Arabic-Indic digits
    "0x10",
    "99999999999999999999999999999",
    "12.3456789",
    "=?utf-8?q?Bob=0D=0ABcc=3A_victim@evil.example?=",
    "Bob\r\nBcc: victim@evil.example",
    "a@b.c,d@e.f",
    "\u202eevil",
    "\u200b",
    "\x00",
    "\ud800",
    "<script>alert(1)</script>",
    "'; DROP TABLE quotes; --",
    "../../etc/passwd",
    "%00",
    "A" * 5000,
    "\n" * 100,
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.sampled_from(NASTY),
)
#: Any JSON value, nested a few levels.
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw: Any, document: Any) -> Any:
    """``document`` (a JSON value) with one to three places replaced by hostile values."""
    for _ in range(draw(st.integers(1, 3))):
        document = _replace(draw, document)
    return document


def _replace(draw: Any, value: Any) -> Any:
    if isinstance(value, dict) and value and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(value)))
        choice = draw(st.integers(0, 9))
        copy = dict(value)
        if choice == 0:
            del copy[key]
        elif choice == 1:
            copy[draw(st.text(max_size=10))] = draw(json_values)
        else:
            copy[key] = _replace(draw, value[key])
        return copy
    if isinstance(value, list) and value and draw(st.booleans()):
        index = draw(st.integers(0, len(value) - 1))
        copy = list(value)
        copy[index] = _replace(draw, value[index])
        if draw(st.integers(0, 9)) == 0:
            copy = copy * draw(st.integers(2, 600))  # past the list limits
        return copy
    return draw(json_values)
