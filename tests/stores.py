"""Store-agnostic helpers for tests that run on every store: what is committed, emptying."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = [
    "all_documents",
    "committed_state",
    "empty_sql_store",
    "examples",
    "recorded_statements",
    "sequence_values",
    "sql_tables",
]


def sql_tables(store: Any) -> list[str]:
    """The tables of an SQL store's schema, but for its migration record, sorted."""
    with store._connection() as conn:
        if type(store).__name__ == "PostgresStore":
            rows = conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()",
                (),
            ).fetchall()
        else:
            # Tables of rows only: the FTS5 search tables follow their rows by triggers
            # (their virtual and shadow tables must not be written directly).
            rows = [
                (row[1],)
                for row in conn.execute("PRAGMA main.table_list", ()).fetchall()
                if row[2] == "table" and not row[1].startswith("sqlite_")
            ]
    return sorted(row[0] for row in rows if row[0] != "schema_migrations")


def committed_state(store: Any) -> dict[str, object]:
    """A deep, comparable copy of everything committed in a store, of any kind."""
    from quote2order.adapters.memory import MemoryStore

    if isinstance(store, MemoryStore):
        with store.lock:
            return {
                "quotes": {k: q.copy() for k, q in store.quotes.items()},
                "quote_by_token": dict(store.quote_by_token),
                "orders": {k: o.copy() for k, o in store.orders.items()},
                "order_by_quote_version": dict(store.order_by_quote_version),
                "events": {k: list(v) for k, v in store.events.items()},
                "sequences": dict(store.sequences),
                "idempotency": dict(store.idempotency),
                "outbox": dict(store.outbox),
                "documents": dict(store.documents),
                "carts": {k: c.copy() for k, c in store.carts.items()},
                "purchase_orders": {k: p.copy() for k, p in store.purchase_orders.items()},
            }
    state: dict[str, object] = {}
    with store._connection() as conn:
        for table in sql_tables(store):
            if table == "sequences":  # as a dict, like the memory store's
                rows = conn.execute("SELECT name, value FROM sequences", ()).fetchall()
                state[table] = {name: int(value) for name, value in rows}
                continue
            rows = conn.execute(f"SELECT * FROM {table}", ()).fetchall()
            state[table] = sorted(tuple(str(v) for v in row) for row in rows)
    return state


def sequence_values(store: Any) -> dict[str, int]:
    """Every number series of a store and its last value."""
    from quote2order.adapters.memory import MemoryStore

    if isinstance(store, MemoryStore):
        with store.lock:
            return dict(store.sequences)
    with store._connection() as conn:
        rows = conn.execute("SELECT name, value FROM sequences", ()).fetchall()
    return {name: int(value) for name, value in rows}


def empty_sql_store(store: Any) -> None:
    """Delete every row of every table of an SQL store (its schema stays).

    DELETE, not TRUNCATE: on a few rows it is many times faster on PostgreSQL.
    """
    tables = sql_tables(store)
    with store._connection() as conn:
        for table in tables:
            conn.execute(f"DELETE FROM {table}", ())


def examples(store_kind: str, memory: int) -> int:
    """Hypothesis examples for a test on ``store_kind``: ``memory`` on the memory store,
    fewer on the SQL stores (each example there costs real I/O), so that the suite stays
    fast; ``HYPOTHESIS_PROFILE=thorough`` runs ten times as many everywhere."""
    scale = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1
    share = {"memory": 1.0, "sqlite": 0.2, "postgres": 0.1}[store_kind]
    return max(5, int(memory * share)) * scale


def all_documents(store: Any) -> list[Any]:
    """Every document record of a store, oldest first."""
    from quote2order.adapters._codec import document_from_dict
    from quote2order.adapters.memory import MemoryStore

    if isinstance(store, MemoryStore):
        with store.lock:
            return list(store.documents.values())
    with store._connection() as conn:
        rows = conn.execute("SELECT body FROM documents ORDER BY seq", ()).fetchall()
    return [document_from_dict(store._dialect.load_json(row[0])) for row in rows]


@contextmanager
def recorded_statements(store: Any) -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    """Every statement an SQL store runs inside the block, with its parameters."""
    statements: list[tuple[str, tuple[Any, ...]]] = []
    original = store._connection

    class Recording:
        def __init__(self, conn: Any) -> None:
            self._conn = conn

        def execute(self, sql: Any, params: Any = ()) -> Any:
            statements.append((str(sql), tuple(params)))
            return self._conn.execute(sql, params)

        def __getattr__(self, name: str) -> Any:  # transactions, savepoints
            return getattr(self._conn, name)

    @contextmanager
    def connection() -> Iterator[Any]:
        with original() as conn:
            yield Recording(conn)

    store._connection = connection
    try:
        yield statements
    finally:
        store._connection = original
