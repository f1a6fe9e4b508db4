"""The customer portal's routes: authenticated by the link token alone.

The token is the credential of the link; no host login is asked for to view, accept or
decline. Documents follow the portal's rule: only the quote's own customer, logged in
with the host (the ``portal_customer`` dependency returns that :class:`CustomerLogin`),
sees them; a login of another customer makes every portal route "not found".
"""
# No ``from __future__ import annotations``: FastAPI reads these signatures at run time.

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Response

from quote2order._runner import hash_link_token
from quote2order.api._context import (
    DOCUMENT_RESPONSES,
    Context,
    CustomerLogin,
    attachment,
    json_list,
    json_response,
)
from quote2order.api._models import PortalAnswerIn, PortalDocumentOut, PortalViewOut
from quote2order.api._reseller import Id, IdempotencyKey
from quote2order.portal import Portal

__all__ = ["portal_routes"]

Token = Annotated[str, Path(min_length=1, max_length=128, description="the link's token")]


def _no_customer() -> CustomerLogin | None:
    return None


def _login(login: CustomerLogin | None) -> dict[str, str | None]:
    if login is None:
        return {"reseller_id": None, "customer_id": None}
    return {"reseller_id": login.reseller_id, "customer_id": login.customer_id}


def portal_routes(
    ctx: Context, portal: Portal, customer: Callable[..., CustomerLogin | None] | None
) -> APIRouter:
    """The portal routes; ``customer`` is the host's dependency for a logged-in customer."""
    router = APIRouter(prefix="/portal/{token}", tags=["portal"])
    Customer = Annotated[CustomerLogin | None, Depends(customer or _no_customer)]

    def scope(token: str) -> str:
        return "portal:" + hash_link_token(token)

    @router.get("", response_model=PortalViewOut)
    def view(token: Token, login: Customer) -> Response:
        """What the link shows: the current version, earlier ones, what may be done."""
        return json_response(PortalViewOut.from_domain(portal.view(token, **_login(login))))

    def answer(name: str, summary: str, status: int) -> None:
        def endpoint(
            token: Token,
            body: Annotated[PortalAnswerIn, Body()],
            login: Customer,
            key: IdempotencyKey = None,
        ) -> Response:
            def run(service_key: str | None) -> Response:
                if name == "accept":
                    shown = portal.accept(
                        token, body.version, idempotency_key=service_key, **_login(login)
                    )
                else:
                    shown = portal.decline(token, body.version, **_login(login))
                return json_response(PortalViewOut.from_domain(shown), status)

            request = ("POST", f"/portal/{name}", body.model_dump(mode="json"))
            return ctx.command(scope(token), key, request, run)

        endpoint.__doc__ = summary
        router.add_api_route(
            f"/{name}",
            endpoint,
            methods=["POST"],
            status_code=status,
            response_model=PortalViewOut,
            name=f"portal_{name}",
        )

    answer("accept", "Accept the latest version: the one order is created.", 201)
    answer("decline", "Decline the latest version.", 200)

    @router.get("/documents", response_model=list[PortalDocumentOut])
    def documents(token: Token, login: Customer) -> Response:
        """The documents of the quote and its orders, for its own logged-in customer."""
        return json_list(
            PortalDocumentOut.from_domain(d) for d in portal.documents(token, **_login(login))
        )

    @router.get(
        "/documents/{document_id}",
        response_class=Response,
        responses=DOCUMENT_RESPONSES,
    )
    def download(
        token: Token,
        document_id: Id,
        login: Customer,
        format: Annotated[str, Query(pattern=r"^[a-z]{1,10}$")] = "html",
    ) -> Response:
        """One document, rendered, for the quote's own logged-in customer."""
        got = portal.download(token, document_id, fmt=format, **_login(login))
        return Response(
            got.content,
            media_type=got.content_type,
            headers=attachment(got.filename),
        )

    return router
