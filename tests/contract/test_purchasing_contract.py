"""The storage contract of carts and purchase orders, run unchanged on every store.

The tests live in :mod:`quote2order.testing.contract` (see test_ports.py).
"""

from __future__ import annotations

from quote2order.testing.contract import PurchasingContract


class TestPurchasingContract(PurchasingContract):
    """Carts and purchase orders on the ``store`` fixture of conftest.py."""
