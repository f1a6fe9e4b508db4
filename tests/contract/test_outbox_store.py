"""The dispatcher's view of the outbox, run unchanged on every store (see conftest.py).

The tests live in :mod:`quote2order.testing.contract` (see test_ports.py).
"""

from __future__ import annotations

from quote2order.testing.contract import OutboxStoreContract


class TestOutboxStoreContract(OutboxStoreContract):
    """The outbox store's contract on the ``store`` fixture of conftest.py."""
