"""The purchasing names are public, and importing the package pulls in no adapter."""

from __future__ import annotations

import subprocess
import sys

import quote2order
import quote2order.purchasing as purchasing


def test_every_purchasing_name_resolves_and_the_lists_are_sorted() -> None:
    for module in (quote2order, purchasing):
        assert all(hasattr(module, name) for name in module.__all__)
    assert purchasing.__all__ == sorted(purchasing.__all__, key=lambda n: (n[0].islower(), n))
    shared = set(purchasing.__all__) - {n for n in purchasing.__all__ if n[0].islower()}
    assert shared - {"Selection"} <= set(quote2order.__all__)


def test_importing_quote2order_imports_no_adapter() -> None:
    code = (
        "import sys, quote2order; "
        "print(sorted(m for m in sys.modules if m.startswith('quote2order.adapters')))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
