"""The machinery shared by the SQL adapters (SQLite, PostgreSQL); private to quote2order.

The adapters differ only in a :class:`Dialect`: how to connect, begin a transaction, claim
outbox rows, pass JSON and timestamps, and translate driver errors.

A unit of work reads without holding a transaction and stages its writes, like the memory
store; :meth:`SqlUnitOfWork.commit` applies them in one short transaction. Locks are held
only for the few milliseconds of a commit, and a unit of work never pins a connection, so
nested units of work in one thread (or one shared ``:memory:`` connection) work.
"""

from quote2order.adapters._sql.dialect import (
    Connection,
    Cursor,
    Dialect,
    Migration,
    load_migrations,
)
from quote2order.adapters._sql.outbox import SqlOutboxStore
from quote2order.adapters._sql.store import SqlStore
from quote2order.adapters._sql.unit_of_work import SqlUnitOfWork

__all__ = [
    "Connection",
    "Cursor",
    "Dialect",
    "Migration",
    "SqlOutboxStore",
    "SqlStore",
    "SqlUnitOfWork",
    "load_migrations",
]
