"""The documented limits of the optimizer: what it refuses, and how long it searches.

The exact path hands amounts to HiGHS as binary floats. A float holds an integer exactly only
up to 2**53, and HiGHS's tolerances are relative, so amounts, quantities and the value of a whole
cart are bounded to keep every plan's score an exact multiple of the objective grid that HiGHS
can still tell apart (see docs/optimizer.md, "Limits"). Input beyond a bound is refused with a
:class:`~quote2order.errors.ValidationError`; nothing is planned from it.
"""

from __future__ import annotations

from decimal import Decimal

#: Largest unit price, shipping cost, threshold or minimum order value (in the currency).
MAX_AMOUNT = Decimal(10) ** 9
#: Decimal places allowed beyond the currency's minor unit (EUR: 2 + 4 = 6 places).
EXTRA_PLACES = 4
#: Largest quantity of a cart line and largest stock of an offer.
MAX_UNITS = 10**9
#: Largest value of a cart (every line at its dearest offer, plus all shipping costs) counted
#: in steps of the objective grid (0.01 for cent prices: 10 billion EUR).
MAX_GRID_STEPS = 10**12
#: Size caps (lines, suppliers with offers, offers, line-offer pairs, cart file bytes).
MAX_LINES = 5_000
MAX_SUPPLIERS = 500
MAX_OFFERS = 500_000
MAX_ARCS = 1_000_000
MAX_FILE_BYTES = 64 * 2**20
#: Seconds the optimizer searches when no time limit is given (``time_limit=None`` lifts it).
DEFAULT_TIME_LIMIT = 60.0
