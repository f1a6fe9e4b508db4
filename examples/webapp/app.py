"""A small Flask host for quote2order: the reseller's sales board and the customer portal.

It uses only quote2order's public API. Run it from the repository root with::

    PYTHONPATH=src python examples/webapp/app.py

Storage, documents and rendering are wired in :func:`make_app`, the one place to change
them. It is a demo: the board has no login and no CSRF protection; a real host adds its
own authentication, CSRF tokens and HTTPS.
"""

from __future__ import annotations

import contextlib
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from quote2order import (
    CatalogProduct,
    Conflict,
    Customer,
    InvalidTransition,
    Money,
    NotFound,
    Position,
    PositionKind,
    Quote2Order,
    Shipment,
    ValidationError,
    VatRate,
)
from quote2order.adapters.html import HtmlRenderer
from quote2order.adapters.pdf import PdfRenderer
from quote2order.adapters.sqlite import SqliteStore
from quote2order.board import Board, Column
from quote2order.notifications import (
    NotificationRecorder,
    Renderer,
    Seller,
    StaticSellerDirectory,
    StaticSettings,
    document_view,
)
from quote2order.portal import Portal
from quote2order.ports import Clock, UnitOfWork
from quote2order.queries import ReadFilter
from quote2order.service import UuidGenerator

#: The example's database (created on first start; delete it to start over).
DATABASE = Path(__file__).with_name("webapp.sqlite3")
RESELLER_ID = "reseller-demo"
VAT = VatRate(Decimal(19))

#: The demo's customers; the login page lets a visitor act as one of them.
CUSTOMERS = {
    "cust-muster": Customer(
        "cust-muster", "Erika Mustermann", "einkauf@muster.example", company="Muster GmbH"
    ),
    "cust-beispiel": Customer(
        "cust-beispiel", "Max Beispiel", "it@beispiel.example", company="Beispiel AG"
    ),
}

#: The demo reseller's letterhead, printed on every document.
SELLER = Seller(
    RESELLER_ID,
    "Systemhaus Demo GmbH",
    "vertrieb@systemhaus-demo.example",
    address=("Musterstraße 12", "10115 Berlin"),
    vat_id="DE123456789",
)


def catalog(position_id: str, name: str, part_number: str, quantity: int, price: str) -> Position:
    """A catalog position in EUR at 19 % VAT."""
    product = CatalogProduct(f"sku-{position_id}", part_number, name)
    return Position(
        position_id, PositionKind.CATALOG, name, Decimal(quantity), Money(Decimal(price), "EUR"),
        VAT, product=product,
    )  # fmt: skip


def apple_pencil() -> Position:
    """The position the reseller adds in version 2 of the demo quote."""
    return catalog("pencil", "Apple Pencil 2nd Generation", "MU8F2ZM/A", 2, "129.00")


def seed(service: Quote2Order) -> str:
    """Two sent demo quotes on an empty store; returns the first one's customer link token.

    On a store that already holds the demo (a file database), the first quote's link is
    rotated instead: the raw token is never stored, so a fresh one is the only way to print it.
    """
    existing = service.queries.quotes(
        RESELLER_ID, filter=ReadFilter(customer_id="cust-muster"), page_size=1
    ).items
    if existing:
        return service.rotate_link(existing[0].quote_id)
    valid_until = service.clock.now().date() + timedelta(days=30)
    first = service.create_quote(
        reseller_id=RESELLER_ID,
        customer=CUSTOMERS["cust-muster"],
        title="Workplace refresh 2026",
        positions=[
            catalog("macbook", 'MacBook Air 13" M3', "MRXN3D/A", 2, "1199.00"),
            catalog("ipad", 'iPad Air 11" M2', "MUWD3NF/A", 2, "699.00"),
        ],
        valid_until=valid_until,
    )
    service.send_quote(first.quote.quote_id)
    second = service.create_quote(
        reseller_id=RESELLER_ID,
        customer=CUSTOMERS["cust-beispiel"],
        title="Meeting room displays",
        positions=[catalog("display", 'Samsung 65" QM65C', "LH65QMCEBGCXEN", 3, "1349.00")],
        valid_until=valid_until,
    )
    service.send_quote(second.quote.quote_id)
    return first.link_token


def make_app(
    store: Callable[[], UnitOfWork] | None = None,
    *,
    base_url: str = "http://127.0.0.1:5000",
    announce: bool = True,
) -> Flask:
    """The demo application: all wiring happens here."""
    # Storage: the embedded default, an SQLite file beside this module.
    unit_of_work = store or SqliteStore(str(DATABASE))
    ids = UuidGenerator()
    # Documents: recorded with each state change, rendered on download in these formats.
    recorder = NotificationRecorder(StaticSettings(), StaticSellerDirectory(SELLER), ids)
    service = Quote2Order(unit_of_work, ids=ids, handlers=[recorder])
    renderers: list[Renderer] = [HtmlRenderer(), PdfRenderer()]
    portal = Portal(service, renderers=renderers)
    board = Board(service, reseller_id=RESELLER_ID)

    app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))
    app.secret_key = secrets.token_hex(32)  # demo sessions do not survive a restart
    token = seed(service)
    app.config["DEMO_LINK"] = f"/q/{token}"
    if announce:
        print(f"Customer link: {base_url}/q/{token}")
        print(f"Sales board:   {base_url}/board")

    def customer_id() -> str | None:
        value = session.get("customer_id")
        return value if isinstance(value, str) else None

    @app.errorhandler(NotFound)
    def not_found(_error: NotFound) -> tuple[str, int]:
        # Every refusal in the portal arrives here alike: one page, one status code.
        return render_template("not_found.html"), 404

    @app.after_request
    def protect_links(response: Response) -> Response:
        if request.path.startswith("/q/"):
            # The token is in the URL: keep it out of Referer headers and shared caches.
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/")
    def index() -> BaseResponse:
        return redirect(url_for("show_board"))

    # -- the reseller's sales board ---------------------------------------------------------

    @app.get("/board")
    def show_board() -> str:
        selected = request.args.get("customer") or None
        since = request.args.get("since") or None
        text = request.args.get("q") or None
        # The read side answers with counts, sums and the first page of each column.
        view = board.view(
            customer_id=selected,
            created_from=_start_of(since, service.clock) if since else None,
            text=text,
        )
        return render_template(
            "board.html",
            board=view,
            columns=Column,
            customers=CUSTOMERS,
            selected=selected,
            since=since or "",
            text=text or "",
        )

    @app.post("/board/<card_id>/<action>")
    def act(card_id: str, action: str) -> BaseResponse:
        arguments: dict[str, Any] = {}
        if action == "complete":
            arguments["shipments"] = [
                Shipment(request.form.get("carrier", ""), request.form.get("tracking_number", ""))
            ]
        elif action == "reject":
            arguments["reason"] = request.form.get("reason", "")
        elif action == "add_pencil":
            action = "edit"
            quote = service.get_quote(card_id)
            arguments["positions"] = [*quote.latest.positions, apple_pencil()]
        with _flash_refusals():
            board.perform(card_id, action, **arguments)
        return redirect(url_for("show_board"))

    @app.post("/board/<card_id>/move")
    def move(card_id: str) -> BaseResponse:
        with _flash_refusals():
            board.move(card_id, Column(request.form["to"]))
        return redirect(url_for("show_board"))

    # -- the customer portal ----------------------------------------------------------------

    @app.get("/q/<token>")
    def show_quote(token: str) -> str:
        view = portal.view(token, customer_id=customer_id())
        # Each document's title as printed on it, in the customer's language.
        titles = {
            d.document_id: document_view(service.get_document(d.document_id)).title
            for d in view.documents
        }
        return render_template(
            "portal.html",
            view=view,
            token=token,
            logged_in=customer_id() is not None,
            titles=titles,
            formats=[r.extension for r in renderers],
        )

    @app.post("/q/<token>/<answer>")
    def answer(token: str, answer: str) -> BaseResponse:
        version = int(request.form.get("version", "0"))
        with _flash_refusals():
            if answer == "accept":
                view = portal.accept(token, version)
                flash(f"Thank you: your order {view.order_number} was placed.")
            elif answer == "decline":
                portal.decline(token, version)
                flash("You declined the quote.")
            else:
                raise NotFound("page", answer)
        return redirect(url_for("show_quote", token=token))

    @app.get("/q/<token>/documents/<document_id>.<fmt>")
    def download(token: str, document_id: str, fmt: str) -> Response:
        file = portal.download(token, document_id, customer_id=customer_id(), fmt=fmt)
        response = Response(file.content, content_type=file.content_type)
        response.headers["Content-Disposition"] = _inline_disposition(file.filename)
        return response

    # -- a trivial demo login for customers ---------------------------------------------------

    @app.route("/login", methods=["GET", "POST"])
    def login() -> str | BaseResponse:
        target = request.values.get("next", "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"  # no open redirects
        if request.method == "POST" and request.form.get("customer_id") in CUSTOMERS:
            session["customer_id"] = request.form["customer_id"]
            return redirect(target)
        return render_template("login.html", customers=CUSTOMERS, next=target)

    @app.post("/logout")
    def logout() -> BaseResponse:
        session.pop("customer_id", None)
        target = request.form.get("next", "/")
        return redirect(target if target.startswith("/") and not target.startswith("//") else "/")

    app.extensions["quote2order"] = {"service": service, "portal": portal, "board": board}
    return app


@contextlib.contextmanager
def _flash_refusals() -> Iterator[None]:
    """Shows a refused action (illegal move, conflict, bad input) as a message, not a 500."""
    try:
        yield
    except (InvalidTransition, Conflict, ValidationError, NotImplementedError) as error:
        flash(str(error), "error")


def _inline_disposition(filename: str) -> str:
    """Content-Disposition for ``filename``, with an RFC 6266 ``filename*`` if not ASCII.

    Document file names are in the customer's language ("Auftragsbestätigung_...pdf").
    """
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = fallback.replace("\\", "_").replace('"', "_")
    if fallback == filename:
        return f'inline; filename="{filename}"'
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def _start_of(day: str, clock: Clock) -> datetime | None:
    """The start of ``day`` (YYYY-MM-DD) in the clock's timezone; None if it is no date."""
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return None
    return datetime.combine(parsed, time.min, tzinfo=clock.now().tzinfo)


if __name__ == "__main__":
    make_app().run(host="127.0.0.1", port=5000)
