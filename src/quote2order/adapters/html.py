"""An HTML Renderer with Jinja2 (the ``html`` extra).

Autoescaping is always on: a position name such as ``<script>`` is shown as text, never
run as markup. The template adds no words; everything comes translated from the view.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from quote2order.notifications.documents import RenderedDocument, document_filename
from quote2order.notifications.views import document_view
from quote2order.ports import DocumentRecord

__all__ = ["TEMPLATE_DIR", "HtmlRenderer"]

TEMPLATE_DIR = Path(__file__).parent / "templates"


class HtmlRenderer:
    """Renders a document record as a standalone HTML page (UTF-8, inline CSS)."""

    media_type = "text/html"
    extension = "html"

    def __init__(
        self, template_dir: Path | None = None, template: str = "document.html.j2"
    ) -> None:
        self._environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(template_dir or TEMPLATE_DIR),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        self._environment.filters["b64"] = _base64
        self._template = self._environment.get_template(template)

    def render(self, document: DocumentRecord) -> RenderedDocument:
        view = document_view(document)
        html = self._template.render(view=view)
        return RenderedDocument(
            document_filename(view.title, self.extension),
            self.media_type,
            html.encode("utf-8"),
        )


def _base64(content: bytes) -> str:
    import base64

    return base64.b64encode(content).decode("ascii")
