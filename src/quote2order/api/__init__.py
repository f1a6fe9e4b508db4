"""The HTTP API (``pip install quote2order[api]``): the service over HTTP, for any host.

Built on FastAPI (see docs/http-api.md for why). :func:`create_app` returns a complete
ASGI application; :func:`create_router` returns the routes alone, for a host that mounts
them in its own FastAPI application (it then calls :func:`add_problem_handlers` on it).

Authentication is the host's: ``auth`` is a FastAPI dependency returning the
:class:`Principal` (reseller and actor) of the request. The tenant is never read from
the URL or the body; the customer portal's routes are authenticated by the link token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from quote2order.api import _models, _portal, _purchasing, _reseller
from quote2order.api._context import Context as _Context
from quote2order.api._context import CustomerLogin, Principal
from quote2order.api._preconditions import (
    IdempotencyStore,
    MemoryIdempotencyStore,
    StoredResponse,
)
from quote2order.api._preconditions import RevisionGuard as _RevisionGuard
from quote2order.api._problems import (
    PROBLEM_TYPE_PREFIX,
    STATUS,
    PreconditionFailed,
    problem_type,
)
from quote2order.api._problems import problem_body as _problem_body
from quote2order.errors import Quote2OrderError as _Quote2OrderError
from quote2order.errors import ValidationError as _ValidationError
from quote2order.notifications.documents import Renderer as _Renderer
from quote2order.portal import Portal as _Portal
from quote2order.purchasing import AllocationStrategy as _AllocationStrategy
from quote2order.purchasing import OfferSource as _OfferSource
from quote2order.service import Quote2Order as _Quote2Order

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_TYPE_PREFIX",
    "STATUS",
    "CustomerLogin",
    "IdempotencyStore",
    "MemoryIdempotencyStore",
    "PreconditionFailed",
    "Principal",
    "StoredResponse",
    "add_problem_handlers",
    "create_app",
    "create_router",
    "openapi_document",
    "problem_type",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
_log = logging.getLogger("quote2order.api")


def create_router(
    service: _Quote2Order,
    *,
    auth: Callable[..., Principal],
    portal_customer: Callable[..., CustomerLogin | None] | None = None,
    renderers: Sequence[_Renderer] = (),
    offers: Callable[[str], _OfferSource] | None = None,
    strategy: _AllocationStrategy | None = None,
    idempotency: IdempotencyStore | None = None,
) -> APIRouter:
    """The API's routes over a configured ``service``.

    ``auth`` is the host's FastAPI dependency returning the request's :class:`Principal`
    (raise ``HTTPException(401)`` in it to refuse). ``portal_customer`` returns the
    logged-in customer (a :class:`CustomerLogin`, or None) for the portal's documents. ``renderers`` serve
    document downloads, one per format (``HtmlRenderer()``, ``PdfRenderer()``).
    ``offers(reseller_id)`` answers checkout's supplier offers (without it there is no
    checkout route); ``strategy`` plans checkouts. ``idempotency`` keeps responses for
    ``Idempotency-Key`` replays (default: in this process's memory).

    The router installs an event handler on ``service`` that checks ``If-Match`` inside
    each command's unit of work.
    """
    guard = _RevisionGuard()
    service.add_handler(guard)
    by_format: dict[str, _Renderer] = {}
    for renderer in renderers:
        if renderer.extension in by_format:
            raise _ValidationError(f"two renderers for the format {renderer.extension!r}")
        by_format[renderer.extension] = renderer
    ctx = _Context(
        service,
        guard,
        idempotency if idempotency is not None else MemoryIdempotencyStore(),
        by_format,
        offers,
        strategy,
    )
    problem = {"model": _models.ProblemOut, "description": "A problem (RFC 9457)"}
    router = APIRouter(responses={"default": problem})
    router.include_router(_reseller.reseller_routes(ctx, auth))
    router.include_router(_purchasing.purchasing_routes(ctx, auth))
    portal = _Portal(service, renderers=renderers)
    router.include_router(_portal.portal_routes(ctx, portal, portal_customer))
    return router


def _problem(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _allowed_methods(app: FastAPI, path: str) -> list[str]:
    import re

    root = app.root_path or ""
    found: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(root + template))
        if re.fullmatch(pattern, path):
            found.update(method.upper() for method in operations)
    return sorted(found)


def add_problem_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` as ``application/problem+json`` (RFC 9457)."""

    async def library_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, _Quote2OrderError)
        body = _problem_body(error, request.url.path)
        if body["status"] >= 500:
            _log.error("request failed: %s %s", request.method, request.url.path, exc_info=error)
        return _problem(body["status"], body)

    async def invalid_request(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        problems = [
            {"loc": ".".join(str(p) for p in e.get("loc", ())), "msg": str(e.get("msg", ""))}
            for e in error.errors()
        ]
        body = {
            "type": problem_type(_ValidationError),
            "title": "Input that breaks a rule; nothing was changed",
            "status": 422,
            "detail": "; ".join(f"{p['loc']}: {p['msg']}" for p in problems),
            "instance": request.url.path,
            "errors": problems,
        }
        return _problem(422, body)

    async def http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        body = {
            "type": "about:blank",
            "title": str(error.detail),
            "status": error.status_code,
            "detail": str(error.detail),
            "instance": request.url.path,
        }
        headers = dict(error.headers or {})
        if error.status_code == 405:
            # Starlette names only the matched route's method; list every documented one.
            headers["Allow"] = ", ".join(_allowed_methods(app, request.url.path))
        return _problem(error.status_code, body, headers)

    app.add_exception_handler(_Quote2OrderError, library_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app``: errors are problem+json, 422 included."""
    from quote2order import __version__

    document = get_openapi(
        title=app.title,
        version=app.version if app.version != "0.1.0" else __version__,
        description=app.description,
        routes=app.routes,
    )
    problem_ref = {"$ref": "#/components/schemas/ProblemOut"}
    for path in document.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status in [s for s in responses if s == "default" or s.startswith(("4", "5"))]:
                described = responses[status].get("description", "A problem (RFC 9457)")
                responses[status] = {
                    "description": described,
                    "content": {PROBLEM_MEDIA_TYPE: {"schema": problem_ref}},
                }
            if "422" in responses:
                responses["422"]["description"] = "Invalid input (RFC 9457 problem)"
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def create_app(
    service: _Quote2Order,
    *,
    auth: Callable[..., Principal],
    title: str = "quote2order",
    **options: Any,
) -> FastAPI:
    """A FastAPI application serving :func:`create_router`'s routes (``options`` are its
    keyword arguments), answering errors as problem+json, with the OpenAPI document at
    ``/openapi.json``."""
    from quote2order import __version__

    app = FastAPI(title=title, version=__version__)
    app.include_router(create_router(service, auth=auth, **options))
    add_problem_handlers(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
