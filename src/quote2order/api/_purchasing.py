"""The purchasing routes: the reseller's cart, checkout and purchase orders."""
# No ``from __future__ import annotations``: FastAPI reads these signatures at run time.

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response

from quote2order.api._context import Context, Principal, json_response, summary_page_response
from quote2order.api._models import (
    AddedToCartOut,
    AddToCartIn,
    CartLineIn,
    CartOut,
    CheckoutIn,
    CheckoutOut,
    Page,
    PurchaseOrderOut,
    PurchaseOrderSummaryOut,
    ReceiveIn,
)
from quote2order.api._reseller import Cursor, Id, IdempotencyKey, IfMatch, Limit
from quote2order.lifecycle import PurchaseOrderStatus
from quote2order.purchasing import PurchaseOrder

__all__ = ["purchasing_routes"]


# Bodies that may be left out (frozen, so one shared default each is safe).
_DEFAULT_ADD_TO_CART = AddToCartIn()
_DEFAULT_CHECKOUT = CheckoutIn()
_DEFAULT_RECEIVE = ReceiveIn()


def purchasing_routes(ctx: Context, auth: Callable[..., Principal]) -> APIRouter:
    """The cart, checkout and purchase-order routes over ``ctx``."""
    router = APIRouter(tags=["purchasing"])
    Auth = Annotated[Principal, Depends(auth)]
    service = ctx.service

    def cart_response(principal: Principal) -> Response:
        cart = service.get_cart(principal.reseller_id)
        return json_response(CartOut.from_domain(cart), revision=cart.revision)

    @router.post("/orders/{order_id}/cart", response_model=AddedToCartOut)
    def add_to_cart(
        principal: Auth,
        order_id: Id,
        body: Annotated[AddToCartIn, Body()] = _DEFAULT_ADD_TO_CART,
        key: IdempotencyKey = None,
    ) -> Response:
        """Put positions of a confirmed order into the purchasing cart."""

        def run(_: str | None) -> Response:
            ctx.order(principal, order_id)
            result = service.add_to_cart(
                order_id, body.positions, actor=principal.actor, reseller_id=principal.reseller_id
            )
            return json_response(AddedToCartOut.from_domain(result))

        path = f"/orders/{order_id}/cart"
        return ctx.command(
            principal.reseller_id, key, ("POST", path, body.model_dump(mode="json")), run
        )

    @router.get("/cart", response_model=CartOut)
    def get_cart(principal: Auth) -> Response:
        """The reseller's purchasing cart."""
        return cart_response(principal)

    @router.patch("/cart/lines/{line_id}", response_model=CartOut)
    def change_line(
        principal: Auth,
        line_id: Id,
        body: Annotated[CartLineIn, Body()],
        key: IdempotencyKey = None,
    ) -> Response:
        """Set a cart line's quantity."""

        def run(_: str | None) -> Response:
            cart = service.change_cart_line(
                principal.reseller_id, line_id, body.quantity, actor=principal.actor
            )
            return json_response(CartOut.from_domain(cart), revision=cart.revision)

        path = f"/cart/lines/{line_id}"
        return ctx.command(
            principal.reseller_id, key, ("PATCH", path, body.model_dump(mode="json")), run
        )

    @router.delete("/cart/lines/{line_id}", response_model=CartOut)
    def remove_line(principal: Auth, line_id: Id, key: IdempotencyKey = None) -> Response:
        """Remove a cart line; its quantities are not procured again."""

        def run(_: str | None) -> Response:
            cart = service.remove_cart_line(principal.reseller_id, line_id, actor=principal.actor)
            return json_response(CartOut.from_domain(cart), revision=cart.revision)

        return ctx.command(
            principal.reseller_id, key, ("DELETE", f"/cart/lines/{line_id}", None), run
        )

    offers = ctx.offers
    if offers is not None:

        @router.post("/cart/checkout", status_code=201, response_model=CheckoutOut)
        def checkout(
            principal: Auth,
            body: Annotated[CheckoutIn, Body()] = _DEFAULT_CHECKOUT,
            key: IdempotencyKey = None,
        ) -> Response:
            """Turn the cart (or some lines) into purchase orders, one per supplier."""

            def run(service_key: str | None) -> Response:
                result = service.checkout(
                    principal.reseller_id,
                    offers(principal.reseller_id),
                    line_ids=body.line_ids,
                    strategy=ctx.strategy,
                    actor=principal.actor,
                    idempotency_key=service_key,
                )
                return json_response(CheckoutOut.from_domain(result), 201)

            return ctx.command(
                principal.reseller_id,
                key,
                ("POST", "/cart/checkout", body.model_dump(mode="json")),
                run,
            )

    @router.get("/purchase-orders", response_model=Page[PurchaseOrderSummaryOut])
    def list_purchase_orders(
        principal: Auth,
        cursor: Cursor = None,
        limit: Limit = 50,
        status: Annotated[list[PurchaseOrderStatus] | None, Query()] = None,
        supplier_id: Annotated[str | None, Query(max_length=64)] = None,
    ) -> Response:
        """The reseller's purchase orders (in any ``status`` given, to one supplier), newest
        first, one page at a time; read through the store's list query."""
        summaries = service.queries.purchase_orders(
            principal.reseller_id,
            statuses=status or (),
            supplier_id=supplier_id,
            after=cursor,
            page_size=limit,
        )
        return summary_page_response(summaries, PurchaseOrderSummaryOut.from_domain)

    def po_response(purchase_order: PurchaseOrder) -> Response:
        return json_response(
            PurchaseOrderOut.from_domain(purchase_order), revision=purchase_order.revision
        )

    @router.get("/purchase-orders/{purchase_order_id}", response_model=PurchaseOrderOut)
    def get_purchase_order(principal: Auth, purchase_order_id: Id) -> Response:
        """One purchase order; its ETag is its revision."""
        return po_response(ctx.purchase_order(principal, purchase_order_id))

    def po_command(
        principal: Principal,
        purchase_order_id: str,
        key: str | None,
        if_match: str | None,
        name: str,
        body: object,
        act: Callable[[], PurchaseOrder],
    ) -> Response:
        def run(_: str | None) -> Response:
            ctx.purchase_order(principal, purchase_order_id)
            with ctx.guard.expect("purchase_order", purchase_order_id, if_match):
                return po_response(act())

        path = f"/purchase-orders/{purchase_order_id}/{name}"
        return ctx.command(principal.reseller_id, key, ("POST", path, body), run)

    def po_action(
        name: str, summary: str, action: Callable[[str, Principal], PurchaseOrder]
    ) -> None:
        def endpoint(
            principal: Auth,
            purchase_order_id: Id,
            key: IdempotencyKey = None,
            if_match: IfMatch = None,
        ) -> Response:
            return po_command(
                principal,
                purchase_order_id,
                key,
                if_match,
                name,
                None,
                lambda: action(purchase_order_id, principal),
            )

        endpoint.__doc__ = summary
        router.add_api_route(
            f"/purchase-orders/{{purchase_order_id}}/{name}",
            endpoint,
            methods=["POST"],
            response_model=PurchaseOrderOut,
            name=f"{name}_purchase_order",
        )

    po_action(
        "send",
        "Record that the draft purchase order went to its supplier.",
        lambda po, p: service.send_purchase_order(po, actor=p.actor, reseller_id=p.reseller_id),
    )
    po_action(
        "cancel",
        "Cancel a draft or sent purchase order.",
        lambda po, p: service.cancel_purchase_order(po, actor=p.actor, reseller_id=p.reseller_id),
    )

    @router.post("/purchase-orders/{purchase_order_id}/receive", response_model=PurchaseOrderOut)
    def receive(
        principal: Auth,
        purchase_order_id: Id,
        body: Annotated[ReceiveIn, Body()] = _DEFAULT_RECEIVE,
        key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ) -> Response:
        """Record goods received, per purchase-order line (null: everything outstanding)."""
        return po_command(
            principal,
            purchase_order_id,
            key,
            if_match,
            "receive",
            body.model_dump(mode="json"),
            lambda: service.receive_purchase_order(
                purchase_order_id,
                body.quantities,
                actor=principal.actor,
                reseller_id=principal.reseller_id,
            ),
        )

    return router
