"""Work run in separate processes by the concurrency tests (importable by spawn)."""

from __future__ import annotations

from typing import Any

from quote2order import Quote2Order


def open_store(spec: tuple[str, ...]) -> Any:
    """A store from a picklable spec: ("sqlite", path) or ("postgres", conninfo, schema)."""
    if spec[0] == "sqlite":
        from quote2order.adapters.sqlite import SqliteStore

        return SqliteStore(spec[1], migrate=False)
    from quote2order.adapters.postgres import PostgresStore

    return PostgresStore(spec[1], spec[2], migrate=False)


def accept_with_key(spec: tuple[str, ...], token: str, key: str) -> str:
    """Accept version 1 through the link with idempotency ``key``; returns the order id."""
    store = open_store(spec)
    try:
        app = Quote2Order(store)
        order = app.with_retry(lambda: app.accept_quote(token, 1, idempotency_key=key), attempts=20)
        return order.order_id
    finally:
        store.close()


def take_numbers(spec: tuple[str, ...], count: int) -> list[int]:
    """``count`` numbers of the "order" sequence, each in its own unit of work."""
    store = open_store(spec)
    try:
        numbers = []
        for _ in range(count):
            with store.unit_of_work() as uow:
                numbers.append(uow.sequences.next("order"))
        return numbers
    finally:
        store.close()
