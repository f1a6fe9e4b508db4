"""Drivers load only with their adapter: the core and the SQLite store need no psycopg."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sys.modules))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(output.split())


def test_importing_the_core_loads_no_database_driver() -> None:
    loaded = _modules_after("import quote2order, quote2order.service, quote2order.ports")
    assert {"sqlite3", "psycopg", "quote2order.adapters.sqlite"}.isdisjoint(loaded)


def test_importing_the_sqlite_store_does_not_load_psycopg() -> None:
    loaded = _modules_after("import quote2order.adapters.sqlite")
    assert "sqlite3" in loaded
    assert "psycopg" not in loaded
