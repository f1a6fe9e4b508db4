"""Every ```python block in README.md and docs/*.md runs, in order, one namespace per file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_code_blocks_in_page_run(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's Python examples run without error (they assert what they show)."""
    blocks = BLOCK.findall(page.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for number, block in enumerate(blocks, 1):
        code = compile(block, f"{page.name} block {number}", "exec")
        exec(code, namespace)


def test_every_docs_page_is_in_the_navigation() -> None:
    """mkdocs.yml lists every page under docs/ (a page nobody can reach is a defect)."""
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in (ROOT / "docs").glob("*.md"):
        assert page.name in nav, f"{page.name} is missing from mkdocs.yml's nav"


def test_every_lifecycle_is_drawn_in_the_lifecycles_page() -> None:
    """docs/lifecycles.md has a generated diagram for each machine in quote2order.lifecycle."""
    from quote2order import lifecycle

    page = (ROOT / "docs" / "lifecycles.md").read_text(encoding="utf-8")
    names = [n[: -len("_LIFECYCLE")] for n in dir(lifecycle) if n.endswith("_LIFECYCLE")]
    assert names, "no lifecycles found"
    for name in names:
        assert f"<!-- lifecycle: {name.lower()} -->" in page, name
