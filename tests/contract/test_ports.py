"""The storage contract of every port, run unchanged on every store (see conftest.py).

The tests themselves live in :mod:`quote2order.testing.contract`, so that a host can run
them against its own store; here they run on the memory store, SQLite and PostgreSQL.
"""

from __future__ import annotations

from quote2order.testing.contract import RepositoryContract


class TestRepositoryContract(RepositoryContract):
    """Every repository's contract on the ``store`` fixture of conftest.py."""
