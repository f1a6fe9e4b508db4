"""One error contract on every store (docs/errors.md): each failure raises its typed error.

The table of docs/errors.md is walked row by row on every store; then Hypothesis feeds
every public method of the service, the portal and the board arbitrary argument values:
only ``Quote2OrderError`` subclasses may come out, and a call that raised wrote nothing.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quote2order import (
    AlreadyAccepted,
    ConcurrencyError,
    Customer,
    FloatMoney,
    IdempotencyConflict,
    InvalidTransition,
    Money,
    NotFound,
    OrderNotFound,
    PurchaseOrderNotFound,
    Quote2Order,
    Quote2OrderError,
    QuoteNotFound,
    StorageError,
    StorageUnavailable,
    SupersededVersion,
    ValidationError,
)
from quote2order.board import Board
from quote2order.portal import Portal
from quote2order.testing import CountingIds, FixedClock
from tests.stores import committed_state, examples

from .conftest import catalog_position, free_text_position

DOCS = Path(__file__).parents[2] / "docs" / "errors.md"


class Shop:
    """A service over the store under test with a sent quote and an open order."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.clock = FixedClock()
        self.service = Quote2Order(store, clock=self.clock, ids=CountingIds())
        self.portal = Portal(self.service)
        self.board = Board(self.service, reseller_id="R-1")
        self.customer = Customer("K-1001", "Kunde", "kunde@example.com")
        sent = self.quote()
        self.sent_id, self.token = sent.quote.quote_id, sent.link_token
        self.service.send_quote(self.sent_id)
        won = self.quote()
        self.service.send_quote(won.quote.quote_id)
        self.won_token = won.link_token
        self.order = self.service.accept_quote(won.link_token, 1, idempotency_key="k-accept")

    def quote(self, **changes: Any) -> Any:
        arguments: dict[str, Any] = {
            "reseller_id": "R-1",
            "customer": self.customer,
            "title": "Laptops",
            "positions": [catalog_position(), free_text_position()],
            "valid_until": date(2026, 3, 31),
        }
        arguments.update(changes)
        return self.service.create_quote(**arguments)


@pytest.fixture
def shop(store: Any) -> Shop:
    return Shop(store)


def _stale_write(shop: Shop) -> None:
    with shop.store() as first, shop.store() as second:
        mine, theirs = first.orders.get(shop.order.order_id), second.orders.get(shop.order.order_id)
        first.orders.save(mine)
        first.commit()
        second.orders.save(theirs)
        second.commit()


def _duplicate_id(shop: Shop) -> None:
    with shop.store() as uow:
        uow.quotes.add(shop.service.get_quote(shop.sent_id))  # an id stored already
        uow.commit()


def _closed_store(shop: Shop) -> None:
    if not hasattr(shop.store, "close"):
        pytest.skip("the memory store is never unavailable")
    kind = type(shop.store).__name__
    if kind == "SqliteStore":
        from quote2order.adapters.sqlite import SqliteStore

        SqliteStore("/nonexistent-folder/q.db")
    else:
        from quote2order.adapters.postgres import PostgresStore

        PostgresStore("host=127.0.0.1 port=1 dbname=test connect_timeout=1", "q2o_nowhere")


#: The rows of docs/errors.md: failure -> (error type, one call that fails so).
CONTRACT: dict[str, tuple[type[Quote2OrderError], Callable[[Shop], object]]] = {
    "unknown id": (QuoteNotFound, lambda s: s.service.get_quote("no-such-quote")),
    "unknown order id": (OrderNotFound, lambda s: s.service.confirm_order("no-such-order")),
    "unknown purchase order id": (
        PurchaseOrderNotFound,
        lambda s: s.service.send_purchase_order("no-such-po"),
    ),
    "unknown document id": (NotFound, lambda s: s.service.get_document("no-such-document")),
    "unknown, revoked, expired or rotated link": (
        QuoteNotFound,
        lambda s: s.service.accept_quote("no-such-token", 1),
    ),
    "wrong tenant": (
        QuoteNotFound,
        lambda s: s.service.get_quote(s.sent_id, reseller_id="R-2"),
    ),
    "wrong tenant in the portal": (
        QuoteNotFound,
        lambda s: s.portal.view(s.token, reseller_id="R-2", customer_id="K-1001"),
    ),
    "stale write": (ConcurrencyError, _stale_write),
    "duplicate id": (ConcurrencyError, _duplicate_id),
    "idempotency conflict": (
        IdempotencyConflict,
        lambda s: s.service.accept_quote(s.won_token, 2, idempotency_key="k-accept"),
    ),
    "second acceptance": (AlreadyAccepted, lambda s: s.service.accept_quote(s.won_token, 1)),
    "superseded version": (SupersededVersion, lambda s: s.service.accept_quote(s.token, 1)),
    "invalid transition": (
        InvalidTransition,
        lambda s: s.service.invoice_order(s.order.order_id),
    ),
    "validation": (ValidationError, lambda s: s.quote(currency="EURO")),
    "float money": (FloatMoney, lambda s: Money(1.5, "EUR")),  # type: ignore[arg-type]
    "wrong argument type": (ValidationError, lambda s: s.service.get_quote(42)),
    "storage unavailable": (StorageUnavailable, _closed_store),
}


def _supersede(shop: Shop) -> None:
    shop.service.mark_quote_lost(shop.sent_id)
    shop.service.reopen_quote(shop.sent_id)
    shop.service.send_quote(shop.sent_id)  # version 2 replaces the version 1 of the link


SETUP: dict[str, Callable[[Shop], None]] = {"superseded version": _supersede}


@pytest.mark.parametrize("failure", sorted(CONTRACT))
def test_each_failure_of_the_contract_raises_its_typed_error_and_writes_nothing(
    shop: Shop, failure: str
) -> None:
    error, call = CONTRACT[failure]
    SETUP.get(failure, lambda _: None)(shop)
    before = committed_state(shop.store)
    with pytest.raises(error) as raised:
        call(shop)
    assert isinstance(raised.value, Quote2OrderError)
    if failure == "stale write":
        return  # the first writer's save went through: only the stale one wrote nothing
    assert committed_state(shop.store) == before


def test_the_documented_table_lists_every_failure_the_test_walks() -> None:
    """docs/errors.md and CONTRACT name the same failures with the same error types."""
    rows = re.findall(r"^\| (.+?) \| `(\w+)` \|", DOCS.read_text(encoding="utf-8"), re.M)
    documented = {failure: name for failure, name in rows if failure != "Failure"}
    assert documented == {failure: error.__name__ for failure, (error, _) in CONTRACT.items()}


# -- arbitrary arguments -----------------------------------------------------------------------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.text(st.characters(codec=None, min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=3),
    st.just("\x00"),
    st.binary(max_size=10),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.just(object()),
    st.just(date(2026, 2, 1)),
    st.just(datetime(2026, 2, 1, tzinfo=UTC)),
    st.just(datetime(2026, 2, 1)),  # naive
    st.just(Decimal(-1)),
    st.sampled_from(["quote-1", "order-1", "R-1", "K-1001", "", " "]),
)


def _targets(shop: Shop) -> dict[str, Callable[..., Any]]:
    targets = {}
    for owner, obj in (("service", shop.service), ("portal", shop.portal), ("board", shop.board)):
        for name, member in inspect.getmembers(obj, inspect.ismethod):
            if not name.startswith("_"):
                targets[f"{owner}.{name}"] = member
    return targets


@pytest.mark.parametrize("owner", ["service", "portal", "board"])
def test_wrong_arguments_give_only_quote2order_errors_and_write_nothing(
    new_store: Callable[[], Any], store_kind: str, owner: str
) -> None:
    shop = Shop(new_store())
    targets = {k: v for k, v in _targets(shop).items() if k.startswith(owner + ".")}

    @settings(
        max_examples=examples(store_kind, 500),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        deadline=None,
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(targets)), label="method")
        method = targets[name]
        parameters = [
            p for p in inspect.signature(method).parameters.values() if p.kind != p.VAR_KEYWORD
        ]
        args: list[object] = []
        kwargs: dict[str, object] = {}
        for parameter in parameters:
            optional = parameter.default is not inspect.Parameter.empty
            if optional and data.draw(st.booleans(), label=f"skip {parameter.name}"):
                continue
            value = data.draw(JUNK, label=parameter.name)
            if parameter.kind == parameter.KEYWORD_ONLY:
                kwargs[parameter.name] = value
            else:
                args.append(value)
        before = committed_state(shop.store)
        try:
            method(*args, **kwargs)
        except Quote2OrderError:
            assert committed_state(shop.store) == before, f"{name} raised but wrote"
        except StorageError:  # pragma: no cover - a subclass of Quote2OrderError
            raise

    run()
