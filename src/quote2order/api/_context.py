"""What every route shares: the service, the tenant checks, responses, paging, idempotency."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import attrs
from fastapi import Response
from pydantic import BaseModel

from quote2order.api._preconditions import (
    IdempotencyStore,
    RevisionGuard,
    StoredResponse,
    etag,
)
from quote2order.errors import IdempotencyConflict
from quote2order.notifications.documents import Renderer
from quote2order.orders import Order
from quote2order.purchasing import AllocationStrategy, OfferSource, PurchaseOrder
from quote2order.queries import Page as QueryPage
from quote2order.quotes import Quote
from quote2order.service import Quote2Order

__all__ = [
    "DOCUMENT_RESPONSES",
    "MAX_PAGE",
    "Context",
    "CustomerLogin",
    "Principal",
    "attachment",
    "json_list",
    "json_response",
    "summary_page_response",
]

T = TypeVar("T")

#: The most items one page of a list holds.
MAX_PAGE = 200


@attrs.frozen
class Principal:
    """Who is calling: the reseller (tenant) the request acts for, and the actor recorded
    in the history. The host's authentication dependency returns one."""

    reseller_id: str
    actor: str = "reseller"


@attrs.frozen
class CustomerLogin:
    """A customer logged in with the host (for the portal's documents): customer ids are
    unique per reseller only, so the reseller is part of the login."""

    reseller_id: str
    customer_id: str


def json_response(
    model: BaseModel, status: int = 200, *, revision: int | None = None, location: str = ""
) -> Response:
    """``model`` as JSON, with its ETag (when it has a revision) and Location."""
    headers: dict[str, str] = {}
    if revision is not None:
        headers["ETag"] = etag(revision)
    if location:
        headers["Location"] = location
    return Response(model.model_dump_json(), status, headers=headers, media_type="application/json")


def json_list(models: Iterable[BaseModel], *, revision: int | None = None) -> Response:
    """A JSON array of ``models`` (with the ETag of the aggregate they belong to)."""
    body = "[" + ",".join(m.model_dump_json() for m in models) + "]"
    headers = {} if revision is None else {"ETag": etag(revision)}
    return Response(body, headers=headers, media_type="application/json")


def attachment(filename: str) -> dict[str, str]:
    """A Content-Disposition header for ``filename`` (RFC 6266: ASCII name and UTF-8 name)."""
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return {
        "Content-Disposition": f'attachment; filename="{ascii_name}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    }


def summary_page_response(summaries: QueryPage[T], out: Callable[[T], BaseModel]) -> Response:
    """A page the read side answered, as ``{"items": [...], "next_cursor": ...}``."""
    body = ",".join(out(item).model_dump_json() for item in summaries.items)
    cursor_json = "null" if summaries.next_cursor is None else json.dumps(summaries.next_cursor)
    return Response(
        f'{{"items":[{body}],"next_cursor":{cursor_json}}}', media_type="application/json"
    )


#: The OpenAPI description of a document download.
DOCUMENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The rendered document",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@attrs.define
class Context:
    """The service and options the routes of one router share."""

    service: Quote2Order
    guard: RevisionGuard
    idempotency: IdempotencyStore
    renderers: dict[str, Renderer]
    offers: Callable[[str], OfferSource] | None
    strategy: AllocationStrategy | None

    # -- tenant scoping: the service answers another reseller's ids as unknown ones --

    def quote(self, principal: Principal, quote_id: str) -> Quote:
        return self.service.get_quote(quote_id, reseller_id=principal.reseller_id)

    def order(self, principal: Principal, order_id: str) -> Order:
        return self.service.get_order(order_id, reseller_id=principal.reseller_id)

    def purchase_order(self, principal: Principal, purchase_order_id: str) -> PurchaseOrder:
        return self.service.get_purchase_order(purchase_order_id, reseller_id=principal.reseller_id)

    # -- idempotency ---------------------------------------------------------------------

    def command(
        self,
        scope: str,
        key: str | None,
        request: tuple[str, str, Any],
        run: Callable[[str | None], Response],
    ) -> Response:
        """Run ``run`` once per (scope, key); a repeat gets the first response again.

        ``request`` (method, path, body) fingerprints the request: the same key with
        another request is an IdempotencyConflict. ``run`` receives the key to hand to
        the service (scoped, so two tenants' keys never meet), or None without a key.
        Refusals are not kept: nothing changed, so a repeat may run again.
        """
        if key is None:
            return run(None)
        method, path, body = request
        fingerprint = hashlib.sha256(
            json.dumps([method, path, body], sort_keys=True, default=str).encode()
        ).hexdigest()
        with self.idempotency.lock(scope, key):
            stored = self.idempotency.get(scope, key)
            if stored is not None:
                if stored.fingerprint != fingerprint:
                    raise IdempotencyConflict(key)
                headers = dict(stored.headers)
                headers["Idempotent-Replayed"] = "true"
                return Response(stored.body, stored.status, headers=headers)
            response = run(f"{scope}:{key}")
            kept = tuple(
                (name, value)
                for name, value in response.headers.items()
                if name.lower() in ("etag", "location", "content-type")
            )
            self.idempotency.put(
                scope,
                key,
                StoredResponse(fingerprint, response.status_code, bytes(response.body), kept),
            )
            return response
