"""The Renderer port, rendered documents, and where a dispatcher reads documents from."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

import attrs

from quote2order.ports import DocumentRecord, UnitOfWork

__all__ = [
    "DocumentSource",
    "RenderedDocument",
    "Renderer",
    "UnitOfWorkDocuments",
    "document_filename",
]


@attrs.frozen
class RenderedDocument:
    """A document in one format."""

    filename: str  # "Proforma-Rechnung_PF-2026-00001.pdf"
    media_type: str
    content: bytes


class Renderer(Protocol):
    """Turns a stored document record into a file (HTML, PDF, ...).

    Rendering reads only ``document.snapshot`` and ``document.locale``, so the same
    record renders the same content every time.
    """

    media_type: str
    extension: str

    def render(self, document: DocumentRecord) -> RenderedDocument:
        """``document`` in this renderer's format."""
        ...


class DocumentSource(Protocol):
    """Reads stored documents outside a command (the dispatcher's view)."""

    def get(self, document_id: str, *, reseller_id: str | None = None) -> DocumentRecord:
        """The document (of ``reseller_id``), or raise NotFound."""
        ...


class UnitOfWorkDocuments:
    """A DocumentSource over any store's units of work (each read is its own unit)."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork]) -> None:
        self._unit_of_work = unit_of_work

    def get(self, document_id: str, *, reseller_id: str | None = None) -> DocumentRecord:
        with self._unit_of_work() as uow:
            return uow.documents.get(document_id, reseller_id=reseller_id)


_UNSAFE = re.compile(r"[^\w.-]+")


def document_filename(title: str, extension: str) -> str:
    """A portable file name from a document's title (``"Lieferschein_AB-2026-00001.pdf"``)."""
    return f"{_UNSAFE.sub('_', title).strip('_') or 'document'}.{extension}"
