"""The ``optimize`` command on the example cart file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from quote2order.optimize.cli import main
from quote2order.optimize.generate import random_problem

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cart.json"


def test_text_output_shows_table_total_and_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "proven optimal" in out
    assert "total 3075.50 EUR" in out
    assert "Why:" in out
    assert "bundled at alpha" in out


def test_json_output_is_only_json_with_string_amounts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(EXAMPLE), "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["total"] == "3075.50"
    assert plan["method"] == "milp"
    assert plan["optimal"] is True
    assert {s["id"]: s["shipping"] for s in plan["suppliers"]}["alpha"] == "0.00"
    assert plan["uncovered"] == []


def test_heuristic_method_is_selectable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(EXAMPLE), "--json", "--method", "heuristic", "--time-limit", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["method"] == "heuristic"


def test_float_money_in_the_file_is_refused_with_its_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(EXAMPLE.read_text())
    data["offers"][0]["unit_price"] = 1149.5
    cart = tmp_path / "cart.json"
    cart.write_text(json.dumps(data))
    assert main([str(cart)]) == 2
    err = capsys.readouterr().err
    assert "offers[0].unit_price" in err
    assert "float" in err


def _cart(tmp_path: Path, data: object | None = None, raw: bytes | None = None) -> str:
    cart = tmp_path / "cart.json"
    cart.write_bytes(raw if raw is not None else json.dumps(data).encode())
    return str(cart)


def _example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return data


def test_partner_must_be_a_json_boolean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _example()
    data["offers"][0]["partner"] = "no"
    assert main([_cart(tmp_path, data)]) == 2
    assert "offers[0].partner must be true or false, got 'no'" in capsys.readouterr().err
    data = _example()
    data["constraints"] = {"no_split": 1}
    assert main([_cart(tmp_path, data)]) == 2
    assert "constraints.no_split must be true or false" in capsys.readouterr().err


def test_a_file_that_is_not_utf8_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = EXAMPLE.read_text().replace('"alpha"', '"\u00e4lpha"').encode("latin-1")
    assert main([_cart(tmp_path, raw=raw)]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_deeply_nested_json_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([_cart(tmp_path, raw=b"[" * 100_000 + b"]" * 100_000)]) == 2
    assert "nested too deeply" in capsys.readouterr().err


def test_a_utf8_byte_order_mark_is_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([_cart(tmp_path, raw=b"\xef\xbb\xbf" + EXAMPLE.read_bytes()), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == "3075.50"


def test_suppliers_must_be_a_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _example()
    data["suppliers"] = {s["id"]: s for s in data["suppliers"]}
    assert main([_cart(tmp_path, data)]) == 2
    assert "suppliers must be a JSON list, not an object" in capsys.readouterr().err


def test_each_broken_rule_is_printed_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _example()
    data["lines"].append(dict(data["lines"][0]))
    assert main([_cart(tmp_path, data)]) == 2
    err = capsys.readouterr().err
    assert err.count("duplicate key") == 1
    assert err.startswith("error: invalid cart:\n  lines: duplicate key")


def test_an_offer_from_an_unlisted_supplier_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _example()
    data["offers"][0]["supplier"] = "alpah"
    assert main([_cart(tmp_path, data)]) == 2
    assert "offers[0].supplier 'alpah' is not in the suppliers list" in capsys.readouterr().err


def test_excess_decimal_places_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _example()
    data["offers"][0]["unit_price"] = "1e-30"
    assert main([_cart(tmp_path, data)]) == 2
    assert "more than 6 decimal places" in capsys.readouterr().err


def test_zero_amounts_print_with_the_minor_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _example()
    for supplier in data["suppliers"]:
        supplier["shipping_cost"] = 0
    assert main([_cart(tmp_path, data), "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["shipping_cost"] == "0.00"
    assert {s["shipping"] for s in plan["suppliers"]} == {"0.00"}


def test_output_into_a_closed_pipe_ends_quietly() -> None:
    # `quote2order optimize cart.json | head -1`: head exits after the first line.
    command = [sys.executable, "-m", "quote2order", "optimize", str(EXAMPLE)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as p:
        assert p.stdout is not None
        assert p.stderr is not None
        p.stdout.close()  # the reader is gone before anything was written
        err = p.stderr.read().decode()
        assert p.wait() == 0
    assert "Traceback" not in err
    assert err == ""


def test_a_supplier_cap_under_a_short_time_limit_prints_the_best_plan_so_far(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The cap makes HiGHS solve a coverage stage first; the limit stops it before the cost
    # stage finds a plan of its own (this ended in a RuntimeError traceback).
    problem = random_problem(300, 50, "accessories", seed=1)
    data = {
        "currency": "EUR",
        "lines": [
            {"id": x.line_id, "product": x.product_id, "quantity": x.quantity}
            for x in problem.lines
        ],
        "offers": [
            {"supplier": o.supplier_id, "product": o.product_id,
             "unit_price": str(o.unit_price), "stock": o.stock}
            for o in problem.offers
        ],
        "suppliers": [{"id": t.supplier_id, "shipping_cost": str(t.shipping_cost)}
                      for t in problem.terms],
        "constraints": {"max_suppliers": 3},
    }  # fmt: skip
    assert main([_cart(tmp_path, data), "--time-limit", "0.2", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["optimal"] is False
    assert len(plan["suppliers"]) <= 3
    assert plan["uncovered"]  # three suppliers cannot carry every product


def test_a_file_above_the_size_cap_is_refused_before_it_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import quote2order.optimize.cli as cli

    monkeypatch.setattr(cli, "MAX_FILE_BYTES", 100)
    assert main([str(EXAMPLE)]) == 2
    assert "bytes: above the limit of 100" in capsys.readouterr().err
