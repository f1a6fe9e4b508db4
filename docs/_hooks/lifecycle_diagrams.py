"""mkdocs hook: replace ``<!-- lifecycle: NAME -->`` with the machine's Mermaid diagram.

The diagrams are generated from the lifecycle machines at build time, so the pictures
in the docs can never drift from the code.
"""

from __future__ import annotations

import re
from typing import Any

from quote2order import lifecycle

_MARKER = re.compile(r"<!-- lifecycle: (\w+) -->")


def diagram(name: str) -> str:
    """The Mermaid block for lifecycle ``name`` (``quote``, ``order``, ...)."""
    machine = getattr(lifecycle, f"{name.upper()}_LIFECYCLE")
    return f"```mermaid\n{machine.mermaid()}```"


def on_page_markdown(markdown: str, **_kwargs: Any) -> str:
    return _MARKER.sub(lambda m: diagram(m.group(1)), markdown)
