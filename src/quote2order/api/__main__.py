"""``python -m quote2order.api [FILE]``: write the API's OpenAPI document (to stdout or FILE).

The document is the one of :func:`reference_app`: every route (checkout included), with no
authentication parameters; a host's ``auth`` dependency adds its own (a header, a
cookie, a security scheme) to the document its app serves.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from quote2order.api import Principal, create_app, openapi_document

__all__ = ["document_text", "main", "reference_app"]


def reference_app() -> Any:
    """An app over an empty memory store with every route, as the document describes."""
    from quote2order.adapters.memory import MemoryStore
    from quote2order.purchasing import StaticOfferSource
    from quote2order.service import Quote2Order

    def no_auth() -> Principal:  # pragma: no cover - never called, only described
        raise AssertionError("the reference app serves no requests")

    return create_app(
        Quote2Order(MemoryStore()), auth=no_auth, offers=lambda _: StaticOfferSource([], [])
    )


def document_text() -> str:
    """The committed form of the document: sorted keys, two-space indent, final newline."""
    return json.dumps(openapi_document(reference_app()), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = document_text()
    if args:
        with open(args[0], "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
