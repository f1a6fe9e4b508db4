"""A FastAPI host: quote2order's routes mounted in the host's own app, under its login.

Run: ``uvicorn examples.integrations.fastapi_host:app`` (needs quote2order[api]). The host
keeps its own routes and security scheme; the library's routes live under ``/q2o`` and
share the host's OpenAPI document.
"""

from __future__ import annotations

import sys
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from quote2order import Quote2Order
from quote2order.adapters.memory import MemoryStore
from quote2order.api import Principal, add_problem_handlers, create_router

#: The host's users: token -> (reseller, user name). A real host checks a JWT or session.
USERS = {"token-anna": ("R-1", "anna"), "token-ben": ("R-2", "ben")}
bearer = HTTPBearer()


def current_user(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> Principal:
    """The host's login, reused as quote2order's ``auth`` dependency."""
    user = USERS.get(credentials.credentials)
    if user is None:
        raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
    reseller_id, name = user
    return Principal(reseller_id, actor=name)


def make_app() -> FastAPI:
    service = Quote2Order(MemoryStore())
    app = FastAPI(title="My shop")

    @app.get("/me")
    def me(user: Annotated[Principal, Depends(current_user)]) -> dict[str, str]:
        """One of the host's own routes."""
        return {"reseller": user.reseller_id, "name": user.actor}

    app.include_router(create_router(service, auth=current_user), prefix="/q2o")
    add_problem_handlers(app)  # problem+json for the library's errors
    return app


app = make_app()


def main() -> int:
    from fastapi.testclient import TestClient

    client = TestClient(app)
    anna = {"Authorization": "Bearer token-anna"}
    assert client.get("/me", headers=anna).json() == {"reseller": "R-1", "name": "anna"}
    assert client.get("/q2o/quotes", headers=anna).json() == {"items": [], "next_cursor": None}
    assert client.get("/q2o/quotes").status_code == 401  # the host's security applies
    missing = client.get("/q2o/orders/nope", headers=anna)
    assert missing.headers["content-type"] == "application/problem+json"
    paths = app.openapi()["paths"]
    assert "/me" in paths
    assert "/q2o/quotes/{quote_id}/send" in paths
    print(f"{len(paths)} paths in the host's OpenAPI document, /q2o among them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
