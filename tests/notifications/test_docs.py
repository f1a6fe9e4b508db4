"""Every ```python block in the notification docs runs as-is, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


@pytest.mark.parametrize("name", ["notifications.md", "documents.md"])
def test_every_python_block_in_the_page_runs(name: str) -> None:
    blocks = BLOCK.findall((DOCS / name).read_text(encoding="utf-8"))
    assert blocks, f"{name} has no python blocks"
    namespace: dict[str, object] = {"__name__": f"docs_{name.replace('.', '_')}"}
    for number, block in enumerate(blocks, start=1):
        exec(compile(block, f"{name}#block{number}", "exec"), namespace)
