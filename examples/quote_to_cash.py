"""The quote-to-cash story, end to end: ``python examples/quote_to_cash.py [OUT_DIR]``.

The same story as ``python -m quote2order demo``; its code, written against the public
API, is in ``src/quote2order/demo.py``. It runs on an SQLite file and writes the e-mails
(.eml) and documents (HTML, PDF) into OUT_DIR (default ``quote2order-demo``).
"""

from __future__ import annotations

import sys

from quote2order.demo import run_demo

if __name__ == "__main__":
    order = run_demo(out=sys.argv[1] if len(sys.argv) > 1 else "quote2order-demo")
    print(f"Done: order {order.order_number} is {order.status.value}.")
