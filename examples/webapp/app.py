"""A small Flask host for quote2order: the reseller's sales board and the customer portal.

It uses only quote2order's public API. Run it from the repository root with::

    PYTHONPATH=src python examples/webapp/app.py

Storage, documents and rendering are wired in :func:`make_app`, the one place to change
them. Hosts copy examples, so it shows the safe way where it is cheap: a CSRF token on
every form (Flask-WTF), a ``SameSite=Lax`` HttpOnly session cookie (``Secure`` too when
served over HTTPS), redirects only to known local pages, 400 for malformed parameters,
and customer-link tokens masked in the access log. The board has no login and the
customer login is a demo picker: a real host puts both behind its own authentication.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import (
    Flask,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler
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
    app.config.update(
        # Lax: the browser sends the session cookie on links from other sites but not on
        # their form posts; Secure: only over HTTPS (a real host serves nothing else).
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=base_url.startswith("https://"),
    )
    CSRFProtect(app)  # every POST needs the form's csrf_token, the login included
    token = seed(service)
    app.config["DEMO_LINK"] = f"/q/{token}"
    if announce:
        print(f"Customer link: {base_url}/q/{token}")
        print(f"Sales board:   {base_url}/board")

    def customer_id() -> str | None:
        value = session.get("customer_id")
        return value if isinstance(value, str) else None

    def portal_login() -> dict[str, str]:
        """The logged-in customer of this app's one reseller, as the portal's keywords."""
        customer = customer_id()
        return {} if customer is None else {"reseller_id": RESELLER_ID, "customer_id": customer}

    @app.errorhandler(NotFound)
    def not_found(_error: NotFound) -> tuple[str, int]:
        # Every refusal in the portal arrives here alike: one page, one status code.
        return render_template("not_found.html"), 404

    @app.errorhandler(ValidationError)  # a value the library refuses, e.g. a NUL in a URL
    def refused(error: ValidationError) -> tuple[str, int]:
        return render_template("bad_request.html", reason=str(error)), 400

    @app.errorhandler(400)  # malformed parameters, and forms without a valid CSRF token
    def bad_request(error: HTTPException) -> tuple[str, int]:
        return render_template("bad_request.html", reason=error.description), 400

    def local_target(target: str | None) -> str:
        """``target`` if it is the path of one of this app's pages, else ``/``."""
        if not target or not _LOCAL_PATH.fullmatch(target):
            return "/"  # schemes, "//host", "/\\host", tabs, "%09", queries: never
        try:
            app.url_map.bind("localhost").match(target, method="GET")
        except HTTPException:
            return "/"
        return target

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
        if selected is not None and selected not in CUSTOMERS:
            abort(400, "unknown customer")
        created_from = _start_of(since, service.clock) if since else None
        if since and created_from is None:
            abort(400, "since must be a date YYYY-MM-DD")
        text = request.args.get("q") or None
        # The read side answers with counts, sums and the first page of each column.
        view = board.view(customer_id=selected, created_from=created_from, text=text)
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
        elif action in ("reject", "close_undelivered"):
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
        try:
            column = Column(request.form.get("to", ""))
        except ValueError:
            abort(400, "unknown column")
        with _flash_refusals():
            board.move(card_id, column)
        return redirect(url_for("show_board"))

    # -- the customer portal ----------------------------------------------------------------

    @app.get("/q/<token>")
    def show_quote(token: str) -> str:
        view = portal.view(token, **portal_login())
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
        version = request.form.get("version", type=_version)
        if version is None:
            abort(400, "version must be a version number")
        with _flash_refusals():
            if answer == "accept":
                view = portal.accept(token, version, **portal_login())
                flash(f"Thank you: your order {view.order_number} was placed.")
            elif answer == "decline":
                portal.decline(token, version, **portal_login())
                flash("You declined the quote.")
            else:
                raise NotFound("page", answer)
        return redirect(url_for("show_quote", token=token))

    @app.get("/q/<token>/documents/<document_id>.<fmt>")
    def download(token: str, document_id: str, fmt: str) -> Response:
        file = portal.download(token, document_id, **portal_login(), fmt=fmt)
        response = Response(file.content, content_type=file.content_type)
        response.headers["Content-Disposition"] = _inline_disposition(file.filename)
        return response

    # -- a trivial demo login for customers ---------------------------------------------------

    @app.route("/login", methods=["GET", "POST"])
    def login() -> str | BaseResponse:
        target = local_target(request.values.get("next"))
        if request.method == "POST":
            if request.form.get("customer_id") not in CUSTOMERS:
                abort(400, "unknown customer")
            session.clear()  # a new login starts a new session
            session["customer_id"] = request.form["customer_id"]
            return redirect(target)
        return render_template("login.html", customers=CUSTOMERS, next=target)

    @app.post("/logout")
    def logout() -> BaseResponse:
        session.pop("customer_id", None)
        return redirect(local_target(request.form.get("next")))

    app.extensions["quote2order"] = {"service": service, "portal": portal, "board": board}
    return app


# A path of plain segments: no scheme, no "//" or "\\", no spaces, tabs or escapes.
_LOCAL_PATH = re.compile(r"/(?:[A-Za-z0-9_.~-]+(?:/[A-Za-z0-9_.~-]+)*)?")
# A customer link's token in a request line: its first four characters are kept.
_LINK_TOKEN = re.compile(r"(/q/[^/\s?\"]{4})[^/\s?\"]*")


def _version(value: str) -> int:
    number = int(value)  # a ValueError makes request.form.get(..., type=) answer None
    if not 0 < number < 1_000_000:
        raise ValueError(value)
    return number


def mask_link_tokens(text: str) -> str:
    """``text`` with every ``/q/<token>`` shortened to ``/q/<first four>***``."""
    return _LINK_TOKEN.sub(r"\1***", text)


class TokenMaskingRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, writing customer links to the access log masked: the
    token is the customer's key to the quote and must not sit in log files."""

    def log(self, type: str, message: str, *args: Any) -> None:
        masked = tuple(mask_link_tokens(a) if isinstance(a, str) else a for a in args)
        super().log(type, mask_link_tokens(message), *masked)


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
    make_app().run(host="127.0.0.1", port=5000, request_handler=TokenMaskingRequestHandler)
