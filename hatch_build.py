"""Hatchling build hook: compile the message catalogs (.po -> .mo) into the wheel.

The .mo files are build output (ignored by git); a source checkout compiles the .po
in memory on first use instead (see quote2order.formatting.translations).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALE = Path("src/quote2order/locale")


class CatalogBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Adds ``quote2order/locale/<lang>/LC_MESSAGES/quote2order.mo`` for every .po."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        out = Path(tempfile.mkdtemp(prefix="quote2order-mo-"))
        for po_path in sorted((Path(self.root) / LOCALE).glob("*/LC_MESSAGES/*.po")):
            language = po_path.parent.parent.name
            with po_path.open("rb") as po:
                catalog = read_po(po, locale=language)
            if any(message.fuzzy for message in catalog if message.id):
                raise ValueError(f"{po_path} has fuzzy translations; fix them before building")
            mo_path = out / language / po_path.with_suffix(".mo").name
            mo_path.parent.mkdir(parents=True)
            with mo_path.open("wb") as mo:
                write_mo(mo, catalog)
            target = f"quote2order/locale/{language}/LC_MESSAGES/{mo_path.name}"
            build_data["force_include"][str(mo_path)] = target
