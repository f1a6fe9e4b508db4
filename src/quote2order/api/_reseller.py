"""The reseller's routes: quotes, orders, their histories and documents, and the board.

Every route takes the :class:`~quote2order.api.Principal` from the host's authentication
dependency; the tenant is never read from the URL or the body.
"""
# No ``from __future__ import annotations``: FastAPI reads these signatures at run time.

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Response

from quote2order.api._context import (
    DOCUMENT_RESPONSES,
    MAX_PAGE,
    Context,
    Principal,
    attachment,
    json_list,
    json_response,
    summary_page_response,
)
from quote2order.api._models import (
    BoardCardOut,
    BoardOut,
    CloseUndeliveredIn,
    CompleteIn,
    CreatedQuoteOut,
    DocumentOut,
    EventOut,
    IsoDateTime,
    LinkOut,
    MoveIn,
    OrderSummaryOut,
    Page,
    QuoteSummaryOut,
    RejectIn,
    RotateLinkIn,
    ShipIn,
    VersionWithChangesOut,
)
from quote2order.board import Board
from quote2order.errors import NotFound
from quote2order.lifecycle import OrderStatus, QuoteStatus
from quote2order.orders import Order
from quote2order.queries import NO_FILTER, ReadFilter
from quote2order.quotes import Quote
from quote2order.schemas import OrderOut, QuoteCreateIn, QuoteEditIn, QuoteOut

__all__ = ["IdempotencyKey", "IfMatch", "reseller_routes"]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Repeat a request with the same key to get the first response again.",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        description="The ETag the change is based on; a stale one answers 412.",
    ),
]
Id = Annotated[str, Path(min_length=1, max_length=64)]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the page before")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
CustomerId = Annotated[str | None, Query(max_length=64)]
Text = Annotated[
    str | None,
    Query(min_length=1, max_length=100, description="part of a number, title or customer name"),
]
CreatedFrom = Annotated[IsoDateTime | None, Query(description="created at or after (inclusive)")]
CreatedUntil = Annotated[IsoDateTime | None, Query(description="created before (exclusive)")]


def list_filter(
    customer_id: CustomerId = None,
    created_from: CreatedFrom = None,
    created_until: CreatedUntil = None,
    text: Text = None,
) -> ReadFilter:
    """The filter query parameters of a list (the same as the board's)."""
    return ReadFilter(customer_id, created_from, created_until, text)


Filter = Annotated[ReadFilter, Depends(list_filter)]


# Bodies that may be left out (frozen, so one shared default each is safe).
_DEFAULT_ROTATE_LINK = RotateLinkIn()
_DEFAULT_REJECT = RejectIn()
_DEFAULT_COMPLETE = CompleteIn()


def reseller_routes(ctx: Context, auth: Callable[..., Principal]) -> APIRouter:
    """The quote, order, document and board routes over ``ctx``."""
    router = APIRouter()
    Auth = Annotated[Principal, Depends(auth)]
    service = ctx.service

    def quote_response(quote: Quote, status: int = 200) -> Response:
        return json_response(QuoteOut.from_domain(quote), status, revision=quote.revision)

    def order_response(order: Order, status: int = 200) -> Response:
        return json_response(OrderOut.from_domain(order), status, revision=order.revision)

    def quote_command(
        principal: Principal,
        quote_id: str,
        key: str | None,
        if_match: str | None,
        path: str,
        body: Any,
        act: Callable[[str | None], Response],
    ) -> Response:
        def run(service_key: str | None) -> Response:
            ctx.quote(principal, quote_id)
            with ctx.guard.expect("quote", quote_id, if_match):
                return act(service_key)

        return ctx.command(principal.reseller_id, key, ("POST", path, body), run)

    def order_command(
        principal: Principal,
        order_id: str,
        key: str | None,
        if_match: str | None,
        path: str,
        body: Any,
        act: Callable[[str | None], Order],
    ) -> Response:
        def run(service_key: str | None) -> Response:
            ctx.order(principal, order_id)
            with ctx.guard.expect("order", order_id, if_match):
                return order_response(act(service_key))

        return ctx.command(principal.reseller_id, key, ("POST", path, body), run)

    # -- quotes ------------------------------------------------------------------------

    @router.post("/quotes", status_code=201, response_model=CreatedQuoteOut, tags=["quotes"])
    def create_quote(
        principal: Auth, body: Annotated[QuoteCreateIn, Body()], key: IdempotencyKey = None
    ) -> Response:
        """Create a quote (version 1, a draft); the answer holds its link token, once."""

        def run(_: str | None) -> Response:
            created = service.create_quote(
                reseller_id=principal.reseller_id, actor=principal.actor, **body.to_domain()
            )
            out = CreatedQuoteOut(
                quote=QuoteOut.from_domain(created.quote), link_token=created.link_token
            )
            quote_id = created.quote.quote_id
            return json_response(
                out, 201, revision=created.quote.revision, location=f"quotes/{quote_id}"
            )

        return ctx.command(
            principal.reseller_id, key, ("POST", "/quotes", body.model_dump(mode="json")), run
        )

    @router.get("/quotes", response_model=Page[QuoteSummaryOut], tags=["quotes"])
    def list_quotes(
        principal: Auth,
        cursor: Cursor = None,
        limit: Limit = 50,
        status: Annotated[list[QuoteStatus] | None, Query()] = None,
        filter: Filter = NO_FILTER,
    ) -> Response:
        """The reseller's quotes (in any ``status`` given), newest activity first, one page
        at a time; read through the store's list query, so a page costs the same at any
        volume."""
        summaries = service.queries.quotes(
            principal.reseller_id,
            filter=filter,
            statuses=status or (),
            after=cursor,
            page_size=limit,
        )
        return summary_page_response(summaries, QuoteSummaryOut.from_domain)

    @router.get("/quotes/{quote_id}", response_model=QuoteOut, tags=["quotes"])
    def get_quote(principal: Auth, quote_id: Id) -> Response:
        """One quote, with every version; its ETag is its revision."""
        return quote_response(ctx.quote(principal, quote_id))

    @router.patch("/quotes/{quote_id}", response_model=QuoteOut, tags=["quotes"])
    def edit_quote(
        principal: Auth,
        quote_id: Id,
        body: Annotated[QuoteEditIn, Body()],
        key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ) -> Response:
        """Change the draft version; omitted fields stay as they are."""

        def act(_: str | None) -> Response:
            currency = ctx.quote(principal, quote_id).currency
            return quote_response(
                service.edit_quote(
                    quote_id,
                    actor=principal.actor,
                    reseller_id=principal.reseller_id,
                    **body.to_domain(currency),
                )
            )

        path = f"/quotes/{quote_id}"
        return quote_command(
            principal, quote_id, key, if_match, path, body.model_dump(mode="json"), act
        )

    def quote_action(name: str, summary: str, action: Callable[[str, Principal], Quote]) -> None:
        def endpoint(
            principal: Auth, quote_id: Id, key: IdempotencyKey = None, if_match: IfMatch = None
        ) -> Response:
            path = f"/quotes/{quote_id}/{name}"
            return quote_command(
                principal,
                quote_id,
                key,
                if_match,
                path,
                None,
                lambda _: quote_response(action(quote_id, principal)),
            )

        endpoint.__doc__ = summary
        router.add_api_route(
            f"/quotes/{{quote_id}}/{name}",
            endpoint,
            methods=["POST"],
            response_model=QuoteOut,
            tags=["quotes"],
            name=f"{name}_quote",
        )

    quote_action(
        "send",
        "Send the draft version to the customer; it is frozen from now on.",
        lambda q, p: service.send_quote(q, actor=p.actor, reseller_id=p.reseller_id),
    )
    quote_action(
        "lost",
        "Record the sent quote as lost.",
        lambda q, p: service.mark_quote_lost(q, actor=p.actor, reseller_id=p.reseller_id),
    )
    quote_action(
        "reopen",
        "Set a lost or expired quote back to draft as version N+1.",
        lambda q, p: service.reopen_quote(q, actor=p.actor, reseller_id=p.reseller_id),
    )
    quote_action(
        "link/revoke",
        "Stop the customer link from resolving (rotate it to issue a new one).",
        lambda q, p: service.revoke_link(q, actor=p.actor, reseller_id=p.reseller_id),
    )

    @router.post(
        "/quotes/{quote_id}/won", status_code=201, response_model=OrderOut, tags=["quotes"]
    )
    def mark_won(
        principal: Auth, quote_id: Id, key: IdempotencyKey = None, if_match: IfMatch = None
    ) -> Response:
        """Record the latest sent version as won: the one order is created."""

        def act(service_key: str | None) -> Response:
            order = service.mark_quote_won(
                quote_id,
                actor=principal.actor,
                reseller_id=principal.reseller_id,
                idempotency_key=service_key,
            )
            return json_response(
                OrderOut.from_domain(order),
                201,
                revision=order.revision,
                location=f"orders/{order.order_id}",
            )

        path = f"/quotes/{quote_id}/won"
        return quote_command(principal, quote_id, key, if_match, path, None, act)

    @router.post("/quotes/{quote_id}/link/rotate", response_model=LinkOut, tags=["quotes"])
    def rotate_link(
        principal: Auth,
        quote_id: Id,
        body: Annotated[RotateLinkIn, Body()] = _DEFAULT_ROTATE_LINK,
        key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ) -> Response:
        """Issue a new link token (shown this once); the old one stops working."""

        def act(_: str | None) -> Response:
            token = service.rotate_link(
                quote_id,
                expires_at=body.expires_at,
                actor=principal.actor,
                reseller_id=principal.reseller_id,
            )
            quote = service.get_quote(quote_id)
            return json_response(
                LinkOut(quote_id=quote_id, link_token=token), revision=quote.revision
            )

        path = f"/quotes/{quote_id}/link/rotate"
        return quote_command(
            principal, quote_id, key, if_match, path, body.model_dump(mode="json"), act
        )

    @router.get(
        "/quotes/{quote_id}/versions",
        response_model=list[VersionWithChangesOut],
        tags=["quotes"],
    )
    def versions(principal: Auth, quote_id: Id) -> Response:
        """Every version, oldest first, with what changed against the version before."""
        quote = ctx.quote(principal, quote_id)
        return json_list(VersionWithChangesOut.all_of(quote), revision=quote.revision)

    # -- orders ------------------------------------------------------------------------

    @router.get("/orders", response_model=Page[OrderSummaryOut], tags=["orders"])
    def list_orders(
        principal: Auth,
        cursor: Cursor = None,
        limit: Limit = 50,
        quote_id: Annotated[str | None, Query(max_length=64)] = None,
        status: Annotated[list[OrderStatus] | None, Query()] = None,
        filter: Filter = NO_FILTER,
    ) -> Response:
        """The reseller's orders (of one quote, in any ``status`` given), newest activity
        first, one page at a time; read through the store's list query."""
        summaries = service.queries.orders(
            principal.reseller_id,
            filter=filter,
            statuses=status or (),
            quote_id=quote_id,
            after=cursor,
            page_size=limit,
        )
        return summary_page_response(summaries, OrderSummaryOut.from_domain)

    @router.get("/orders/{order_id}", response_model=OrderOut, tags=["orders"])
    def get_order(principal: Auth, order_id: Id) -> Response:
        """One order; its ETag is its revision."""
        return order_response(ctx.order(principal, order_id))

    def order_action(
        name: str, summary: str, action: Callable[[str, Principal, str | None], Order]
    ) -> None:
        def endpoint(
            principal: Auth, order_id: Id, key: IdempotencyKey = None, if_match: IfMatch = None
        ) -> Response:
            path = f"/orders/{order_id}/{name}"
            return order_command(
                principal,
                order_id,
                key,
                if_match,
                path,
                None,
                lambda service_key: action(order_id, principal, service_key),
            )

        endpoint.__doc__ = summary
        router.add_api_route(
            f"/orders/{{order_id}}/{name}",
            endpoint,
            methods=["POST"],
            response_model=OrderOut,
            tags=["orders"],
            name=f"{name}_order",
        )

    order_action(
        "confirm",
        "Confirm the order (the customer's order confirmation follows, if enabled).",
        lambda o, p, k: service.confirm_order(
            o, actor=p.actor, reseller_id=p.reseller_id, idempotency_key=k
        ),
    )

    @router.post("/orders/{order_id}/reject", response_model=OrderOut, tags=["orders"])
    def reject(
        principal: Auth,
        order_id: Id,
        body: Annotated[RejectIn, Body()] = _DEFAULT_REJECT,
        key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ) -> Response:
        """Reject the order to renegotiate: its quote becomes lost and can be reopened."""
        return order_command(
            principal,
            order_id,
            key,
            if_match,
            f"/orders/{order_id}/reject",
            body.model_dump(mode="json"),
            lambda _: service.reject_order(
                order_id,
                reason=body.reason,
                actor=principal.actor,
                reseller_id=principal.reseller_id,
            ),
        )

    @router.post("/orders/{order_id}/complete", response_model=OrderOut, tags=["orders"])
    def complete(
        principal: Auth,
        order_id: Id,
        body: Annotated[CompleteIn, Body()] = _DEFAULT_COMPLETE,
        key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ) -> Response:
        """Complete the order with its shipments (carrier and tracking number)."""
        return order_command(
            principal,
            order_id,
            key,
            if_match,
            f"/orders/{order_id}/complete",
            body.model_dump(mode="json"),
            lambda k: service.complete_order(
                order_id,
                [s.to_domain() for s in body.shipments],
                actor=principal.actor,
                reseller_id=principal.reseller_id,
                idempotency_key=k,
            ),
        )

    @router.post("/orders/{order_id}/ship", response_model=OrderOut, tags=["orders"])
    def ship(
        principal: Auth,
        order_id: Id,
        body: Annotated[ShipIn, Body()],
        key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ) -> Response:
        """Record one parcel of a partial delivery, with the goods in it."""
        return order_command(
            principal,
            order_id,
            key,
            if_match,
            f"/orders/{order_id}/ship",
            body.model_dump(mode="json"),
            lambda k: service.ship_order(
                order_id,
                body.shipment.to_domain(),
                actor=principal.actor,
                reseller_id=principal.reseller_id,
                idempotency_key=k,
            ),
        )

    @router.post("/orders/{order_id}/close-undelivered", response_model=OrderOut, tags=["orders"])
    def close_undelivered(
        principal: Auth,
        order_id: Id,
        body: Annotated[CloseUndeliveredIn, Body()],
        key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ) -> Response:
        """Close what a partly shipped order still owes as not delivered."""
        return order_command(
            principal,
            order_id,
            key,
            if_match,
            f"/orders/{order_id}/close-undelivered",
            body.model_dump(mode="json"),
            lambda k: service.close_undelivered(
                order_id,
                reason=body.reason,
                actor=principal.actor,
                reseller_id=principal.reseller_id,
                idempotency_key=k,
            ),
        )

    order_action(
        "invoice",
        "Mark the order invoiced (final); its pro-forma invoice gets its number.",
        lambda o, p, k: service.invoice_order(
            o, actor=p.actor, reseller_id=p.reseller_id, idempotency_key=k
        ),
    )

    # -- histories and documents -------------------------------------------------------

    def aggregate_routes(kind: str) -> None:
        def history(principal: Auth, aggregate_id: Id) -> Response:
            events = service.history(kind, aggregate_id, reseller_id=principal.reseller_id)
            return json_list(EventOut.from_domain(e) for e in events)

        def documents(principal: Auth, aggregate_id: Id) -> Response:
            records = service.documents(kind, aggregate_id, reseller_id=principal.reseller_id)
            return json_list(DocumentOut.from_domain(r) for r in records)

        history.__doc__ = f"What happened to the {kind}, oldest first: when and by whom."
        documents.__doc__ = f"The documents of the {kind}, oldest first."
        router.add_api_route(
            f"/{kind}s/{{aggregate_id}}/history",
            history,
            methods=["GET"],
            response_model=list[EventOut],
            tags=[f"{kind}s"],
            name=f"{kind}_history",
        )
        router.add_api_route(
            f"/{kind}s/{{aggregate_id}}/documents",
            documents,
            methods=["GET"],
            response_model=list[DocumentOut],
            tags=[f"{kind}s"],
            name=f"{kind}_documents",
        )

    aggregate_routes("quote")
    aggregate_routes("order")

    @router.get(
        "/documents/{document_id}",
        tags=["documents"],
        response_class=Response,
        responses=DOCUMENT_RESPONSES,
    )
    def download(
        principal: Auth,
        document_id: Id,
        format: Annotated[str, Query(pattern=r"^[a-z]{1,10}$")] = "html",
    ) -> Response:
        """A document of one of the reseller's quotes or orders, rendered as HTML or PDF."""
        record = service.get_document(document_id, reseller_id=principal.reseller_id)
        renderer = ctx.renderers.get(format)
        if renderer is None:
            raise NotFound("document format", format)
        rendered = renderer.render(record)
        return Response(
            rendered.content,
            media_type=rendered.media_type,
            headers=attachment(rendered.filename),
        )

    # -- the board ---------------------------------------------------------------------

    @router.get("/board", response_model=BoardOut, tags=["board"])
    def board(
        principal: Auth,
        customer_id: CustomerId = None,
        created_from: CreatedFrom = None,
        created_until: CreatedUntil = None,
        text: Text = None,
    ) -> Response:
        """The sales board (read through the store's board query): every column with its
        count, sums and first cards; ``text`` searches numbers, titles and customer names."""
        view = Board(service, reseller_id=principal.reseller_id).view(
            customer_id=customer_id,
            created_from=created_from,
            created_until=created_until,
            text=text,
        )
        return json_response(BoardOut.from_domain(view))

    @router.post("/board/cards/{card_id}/move", response_model=BoardCardOut, tags=["board"])
    def move(
        principal: Auth,
        card_id: Id,
        body: Annotated[MoveIn, Body()],
        key: IdempotencyKey = None,
    ) -> Response:
        """Drag a card to a column: performs the one action of that move, if legal."""

        def run(_: str | None) -> Response:
            card = Board(service, reseller_id=principal.reseller_id, actor=principal.actor).move(
                card_id, body.to_column, shipments=[s.to_domain() for s in body.shipments]
            )
            return json_response(BoardCardOut.from_domain(card))

        path = f"/board/cards/{card_id}/move"
        return ctx.command(
            principal.reseller_id, key, ("POST", path, body.model_dump(mode="json")), run
        )

    return router
