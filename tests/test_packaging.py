"""Packaging: licence, metadata, one version, dependency groups that nox installs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import quote2order

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_licence_file_is_the_mit_licence_the_metadata_names() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    assert "LICENSE" in PYPROJECT["project"]["license-files"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_the_version_has_one_source() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project
    assert "version" in project["dynamic"]
    path = PYPROJECT["tool"]["hatch"]["version"]["path"]
    text = (ROOT / path).read_text(encoding="utf-8")
    assert re.findall(r'^__version__ = "([^"]+)"$', text, re.M) == [quote2order.__version__]


def test_classifiers_name_every_python_that_nox_tests() -> None:
    classifiers = PYPROJECT["project"]["classifiers"]
    for version in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
        assert f'"{version}"' in (ROOT / "noxfile.py").read_text(encoding="utf-8")
    assert set(PYPROJECT["project"]["urls"]) >= {"Homepage", "Source", "Issues", "Changelog"}


def test_test_docs_and_lint_are_dependency_groups_not_extras() -> None:
    assert set(PYPROJECT["dependency-groups"]) >= {"test", "docs", "lint"}
    assert "test" not in PYPROJECT["project"]["optional-dependencies"]
    noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    for group in ("test", "docs", "lint"):
        assert f'dependency_groups(PYPROJECT, "{group}")' in noxfile
