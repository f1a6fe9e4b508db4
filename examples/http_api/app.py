"""The quote2order HTTP API as a host would run it: ``uvicorn examples.http_api.app:app``.

Storage is a SQLite file (``QUOTE2ORDER_DB``, default ``http_api.sqlite3``); the
host's login is a bearer token per reseller (``API_KEYS`` below: replace with your own
authentication, e.g. OAuth2 or a session cookie). Documents render as HTML, and as PDF
when quote2order[pdf] is installed. Checkout buys from a fixed offer list.
"""

from __future__ import annotations

import hmac
import os
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from quote2order import Money, Quote2Order
from quote2order.adapters.sqlite import SqliteStore
from quote2order.api import Principal, create_app
from quote2order.notifications import (
    NotificationRecorder,
    Seller,
    StaticSellerDirectory,
    StaticSettings,
)
from quote2order.purchasing import StaticOfferSource, SupplierOffer, SupplierTerms
from quote2order.service import UuidGenerator

#: Bearer token -> reseller. A real host checks its own login here.
API_KEYS = {"demo-key-nord": "R-1", "demo-key-sued": "R-2"}


# A security scheme (not a plain header parameter): a missing key answers 401, and the
# OpenAPI document tells clients how to authenticate.
bearer = HTTPBearer(description="The reseller's API key", auto_error=False)


def reseller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The host's authentication: the API key names the reseller; the tenant never comes
    from the URL or the body."""
    key = credentials.credentials if credentials is not None else ""
    for known, reseller_id in API_KEYS.items():
        if hmac.compare_digest(key.encode(), known.encode()):
            return Principal(reseller_id, actor=f"api:{reseller_id}")
    raise HTTPException(401, "unknown or missing API key", headers={"WWW-Authenticate": "Bearer"})


def offers(reseller_id: str) -> StaticOfferSource:
    """The supplier offers a checkout buys from (a real host asks its distributors)."""

    def eur(amount: str) -> Money:
        return Money(Decimal(amount), "EUR")

    return StaticOfferSource(
        [
            SupplierOffer("Ingram Micro", "ipad-air-13", eur("731.00"), stock=30, delivery_days=2),
            SupplierOffer("ALSO", "apple-pencil-2", eur("99.90"), stock=30, delivery_days=1),
        ],
        [SupplierTerms("Ingram Micro", eur("12.90")), SupplierTerms("ALSO", eur("9.90"))],
    )


def make_app(store: Any = None) -> Any:
    """The ASGI application over ``store`` (default: the SQLite file)."""
    store = store or SqliteStore(os.environ.get("QUOTE2ORDER_DB", "http_api.sqlite3"))
    sellers = StaticSellerDirectory(
        Seller("R-1", "Systemhaus Nord GmbH", "auftrag@nord.example", ("Hafenstraße 12",)),
        Seller("R-2", "Systemhaus Süd GmbH", "auftrag@sued.example", ("Marienplatz 1",)),
    )
    recorder = NotificationRecorder(StaticSettings(), sellers, UuidGenerator())
    service = Quote2Order(store, handlers=[recorder])
    renderers: list[Any] = []
    from quote2order.adapters.html import HtmlRenderer

    renderers.append(HtmlRenderer())
    try:
        from quote2order.adapters.pdf import PdfRenderer

        renderers.append(PdfRenderer())
    except ImportError:  # quote2order[pdf] not installed: HTML only
        pass
    return create_app(
        service, auth=reseller, renderers=renderers, offers=offers, title="quote2order example"
    )


app = make_app()

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=8000)
