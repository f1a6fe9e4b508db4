"""The API reference (docs/reference/, mkdocstrings) documents every public name.

Public modules are those whose dotted path has no ``_`` part; their public names are their
``__all__``. The static checks always run; the built-site check runs where mkdocs and
mkdocstrings are installed (the docs dependency group), and CI insists on it.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import quote2order

ROOT = Path(__file__).resolve().parent.parent
DIRECTIVE = re.compile(r"^::: ([\w.]+)\s*$", re.M)


def _public_modules() -> list[str]:
    names = ["quote2order"]
    for info in pkgutil.walk_packages(quote2order.__path__, "quote2order."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def _documented_modules() -> set[str]:
    found: set[str] = set()
    for page in (ROOT / "docs" / "reference").glob("*.md"):
        found.update(DIRECTIVE.findall(page.read_text(encoding="utf-8")))
    return found


def test_every_public_module_has_a_reference_entry() -> None:
    missing = sorted(set(_public_modules()) - _documented_modules())
    assert missing == [], f"add `::: NAME` to a page in docs/reference/ for {missing}"


def test_every_public_class_and_function_has_a_docstring() -> None:
    undocumented = []
    for name in _public_modules():
        try:
            module = importlib.import_module(name)
        except ImportError:  # an optional dependency is missing: its docs are built elsewhere
            continue
        for exported in getattr(module, "__all__", ()):
            value = getattr(module, exported)
            if (inspect.isclass(value) or inspect.isfunction(value)) and not inspect.getdoc(value):
                undocumented.append(f"{name}.{exported}")
    assert undocumented == []


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        import mkdocs  # noqa: F401
        import mkdocstrings  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI needs the docs dependency group (mkdocs, mkdocstrings)")
        pytest.skip("mkdocs or mkdocstrings not installed")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def test_the_built_reference_has_an_entry_for_every_exported_name(site: Path) -> None:
    html = "".join(
        page.read_text(encoding="utf-8") for page in (site / "reference").glob("*/index.html")
    )
    anchors = set(re.findall(r'id="(quote2order[\w.]*)"', html))
    missing = []
    for name in _public_modules():
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        missing += [
            f"{name}.{exported}"
            for exported in getattr(module, "__all__", ())
            if f"{name}.{exported}" not in anchors
        ]
    assert missing == []


def test_the_diagrams_render_offline(site: Path) -> None:
    """Mermaid comes from the site itself; every lifecycle (purchasing too) is drawn."""
    assert (site / "assets" / "javascripts" / "mermaid.min.js").stat().st_size > 1_000_000
    lifecycles = (site / "lifecycles" / "index.html").read_text(encoding="utf-8")
    assert 'src="../assets/javascripts/mermaid.min.js"' in lifecycles
    assert lifecycles.count('class="mermaid"') >= 3
    purchasing = (site / "purchasing" / "index.html").read_text(encoding="utf-8")
    assert 'class="mermaid"' in purchasing
    assert "unpkg.com" not in lifecycles.replace("assets/javascripts/bundle", "")


def test_every_diagram_is_generated_from_a_machine() -> None:
    """No page carries a hand-drawn Mermaid block: diagrams come from `<!-- lifecycle: -->`
    markers, filled from the machines at build time (purchase orders included)."""
    for page in (ROOT / "docs").rglob("*.md"):
        assert "```mermaid" not in page.read_text(encoding="utf-8"), page.name
    purchasing = (ROOT / "docs" / "purchasing.md").read_text(encoding="utf-8")
    assert "<!-- lifecycle: purchase_order -->" in purchasing


def test_the_portal_page_describes_add_to_cart_as_it_works() -> None:
    page = (ROOT / "docs" / "portal.md").read_text(encoding="utf-8")
    assert "NotImplementedError" not in page
    assert "can_add_to_cart" not in page
