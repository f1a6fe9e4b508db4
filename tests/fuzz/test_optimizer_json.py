"""The optimizer's cart file, fed arbitrary and mutated JSON: parsed or ValidationError.

What parses is planned with the heuristic (the exact method's limits are the optimizer's
own concern); planning may refuse it only with a typed error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quote2order import Quote2OrderError, ValidationError
from quote2order.optimize import jsonio
from quote2order.optimize.optimizer import optimize

from ._strategies import json_values, mutated
from ._tally import count
from .conftest import FUZZ

CART = json.loads((Path(__file__).resolve().parents[2] / "examples" / "cart.json").read_text())


def _through(text: str) -> None:
    try:
        cart = jsonio.loads(text)
    except ValidationError:
        count("optimizer JSON", "refused (ValidationError)")
        return
    if len(cart.problem.lines) * max(1, len(cart.problem.offers)) > 400:
        count("optimizer JSON", "parsed (too large to plan here)")
        return
    try:
        optimize(cart.problem, cart.strategy, cart.constraints, time_limit=2, method="heuristic")
    except Quote2OrderError as error:
        count("optimizer JSON", f"parsed, then refused ({type(error).__name__})")
        return
    count("optimizer JSON", "parsed and planned")


@FUZZ
@given(st.data())
def test_a_mutated_cart_file_is_planned_or_refused_with_a_typed_error(data: st.DataObject) -> None:
    _through(json.dumps(data.draw(mutated(CART))))


@FUZZ
@given(json_values)
def test_arbitrary_json_is_refused_with_a_validation_error(value: Any) -> None:
    _through(json.dumps(value))


@FUZZ
@given(st.text())
def test_arbitrary_text_is_refused_with_a_validation_error(text: str) -> None:
    _through(text)


def test_suppliers_that_are_not_a_list_are_a_validation_error() -> None:
    """Found by the fuzzer: ``"suppliers": null`` ended in a TypeError."""
    with pytest.raises(ValidationError, match="suppliers"):
        jsonio.loads(json.dumps({**CART, "suppliers": None}))
