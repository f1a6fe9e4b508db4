"""The public surface: a sorted, complete __all__, a light import, and the demo command."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import quote2order
from quote2order.demo import run_demo

SRC = str(Path(quote2order.__file__).resolve().parent.parent)
OPTIONAL = ("pydantic", "jinja2", "fpdf", "psycopg", "highspy", "babel", "fastapi", "starlette")


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, *args, "-c", code] if code else [sys.executable, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def _isort_style(name: str) -> tuple[int, str]:
    """Constants first, then classes, then functions, each alphabetical (ruff's RUF022)."""
    if name.isupper() and len(name) > 1:
        return (0, name)
    return (1, name) if name[0].isupper() else (2, name)


def test_all_is_sorted_and_every_name_exists() -> None:
    names = quote2order.__all__
    assert names == sorted(names, key=_isort_style)
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(quote2order, name), name


def test_all_lists_every_public_name_the_package_defines() -> None:
    """Nothing public is exported by accident: every non-module public attribute is in __all__."""
    import types

    public = {
        name
        for name, value in vars(quote2order).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(quote2order.__all__)


def test_import_loads_no_adapter_and_no_optional_dependency() -> None:
    code = "import sys, quote2order\nprint('\\n'.join(sorted(sys.modules)))\n"
    result = _python(code)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert "quote2order" in loaded
    offending = sorted(
        m
        for m in loaded
        if m.split(".")[0] in OPTIONAL
        or m.startswith(
            (
                "quote2order.adapters",
                "quote2order.api",
                "quote2order.schemas",
                "quote2order.testing",
            )
        )
        or m in ("quote2order.demo", "sqlite3")
    )
    assert offending == []


def test_python_m_quote2order_demo_tells_the_story_and_writes_mail_and_documents(
    tmp_path: Path,
) -> None:
    result = _python("", "-m", "quote2order", "demo", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Version 2" in out
    assert "Apple Pencil 2nd Generation" in out
    assert "added: Apple Pencil 2nd Generation" in out
    assert "JJD000390007763456, JJD000390007763457" in out
    assert "pro-forma invoice PF-" in out
    assert "invoiced" in out
    assert "PO-2026" in out or "PO-20" in out  # purchase orders per supplier
    assert str(tmp_path) in out  # says where the output is
    assert list((tmp_path / "mail").glob("*.eml"))
    documents = {p.name for p in (tmp_path / "documents").iterdir()}
    if importlib.util.find_spec("fpdf") is None:  # without quote2order[pdf] (nox tests_core)
        assert "PDF documents need quote2order[pdf]; skipped" in out
    else:
        assert any(n.startswith("Proforma-Rechnung") and n.endswith(".pdf") for n in documents)
    if importlib.util.find_spec("jinja2") is None:
        assert "HTML documents need quote2order[html]; skipped" in out
    else:
        assert any(n.startswith("Lieferschein") and n.endswith(".html") for n in documents)


def test_run_demo_returns_the_invoiced_order(tmp_path: Path) -> None:
    lines: list[str] = []
    order = run_demo(lines.append, out=tmp_path)
    assert order.status is quote2order.OrderStatus.INVOICED
    assert order.quote_version == 2
    assert order.proforma_number is not None
    assert order.proforma_number.startswith("PF-")
    assert order.tracking_numbers == ("JJD000390007763456", "JJD000390007763457")
    assert any("Apple Pencil 2nd Generation" in line for line in lines)


def test_the_command_line_needs_a_command() -> None:
    result = _python("", "-m", "quote2order")
    assert result.returncode != 0
    assert "demo" in result.stderr


def test_the_package_is_typed() -> None:
    assert (Path(quote2order.__file__).parent / "py.typed").exists()


def test_the_example_script_tells_the_same_story(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[2] / "examples" / "quote_to_cash.py"
    result = _python("", str(script), str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Apple Pencil 2nd Generation" in result.stdout
    assert result.stdout.rstrip().endswith("is invoiced.")
    assert (tmp_path / "quote2order.db").exists()
