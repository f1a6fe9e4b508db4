"""The ``optimize`` command on the example cart file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quote2order.optimize.cli import main

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
