"""docs/portal.md: its python blocks run, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "portal.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_every_python_block_of_the_portal_guide_runs_as_is() -> None:
    blocks = BLOCK.findall(DOC.read_text())
    assert len(blocks) >= 5
    namespace: dict[str, object] = {"__name__": "portal_md"}
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"{DOC}:block {number}", "exec"), namespace)
