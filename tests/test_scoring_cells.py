"""Every cell and weight form a criteria table may hold, and the settings that change them."""

from __future__ import annotations

import pytest

from adr_tool.config import Config
from adr_tool.criteria import CellKind, ScoreSettings, has_criteria_header, read_cell, read_weight
from adr_tool.errors import ConfigError
from adr_tool.parse import parse_text
from adr_tool.scoring import RecordScore, score_record

DEFAULT = ScoreSettings.from_config({})


def table_record(rows: list[tuple[str, str, str]], options: tuple[str, str] = ("A", "B"),
                 heading: str = "Decision Criteria", header: tuple[str, str] = (
                     "Criterion", "Weight")) -> str:
    lines = [f"# DR-009: Test table\n\n## {heading}\n",
             f"| {header[0]} | {header[1]} | {options[0]} | {options[1]} |",
             "|---|---|---|---|"]
    lines += [f"| {name} | {weight} | {cell} | ✅ |" for name, weight, cell in rows]
    return "\n".join(lines) + "\n"


def score_text(text: str, config: Config | None = None, **what_if: object) -> RecordScore:
    record = parse_text(text, "DR-009.md").record
    assert record is not None
    return score_record(record, config, **what_if)  # type: ignore[arg-type]


def cell_of(text: str, config: Config | None = None) -> tuple[str, float | None, str]:
    """Score one cell (option A, weight 1) and return (kind, value 0..1, note)."""
    result = score_text(table_record([("Thing", "1", text)]), config)
    cell = result.tables[0].criteria[0].cells[0]
    return cell.kind.value, cell.value, cell.note


@pytest.mark.parametrize(
    ("text", "value", "note"),
    [
        ("✅", 1.0, ""), ("✔", 1.0, ""), ("✔️", 1.0, ""), ("✓", 1.0, ""), ("yes", 1.0, ""),
        ("Yes", 1.0, ""), ("TRUE", 1.0, ""), ("✅ Flat", 1.0, "Flat"),
        ("**✅ Yes**", 1.0, "Yes"), ("✅ - built in", 1.0, "built in"),
        ("⚠️", 0.5, ""), ("⚠", 0.5, ""), ("⚠️ Manual", 0.5, "Manual"), ("partial", 0.5, ""),
        ("Partially", 0.5, ""), ("~", 0.5, ""), ("~ via plugin", 0.5, "via plugin"),
        ("❌", 0.0, ""), ("✗", 0.0, ""), ("✘", 0.0, ""), ("no", 0.0, ""), ("false", 0.0, ""),
        ("❌ Variable", 0.0, "Variable"), ("No (requires setup)", 0.0, "(requires setup)"),
        ("4/5", 0.8, ""), ("8/10", 0.8, ""), ("8 / 10 fast", 0.8, "fast"), ("2.5/5", 0.5, ""),
        ("★★★☆☆", 0.6, ""), ("★★★★★ best", 1.0, "best"), ("☆☆☆☆☆", 0.0, ""),
        ("80%", 0.8, ""), ("100 %", 1.0, ""),
    ],
)
def test_scored_cells(text: str, value: float, note: str) -> None:
    kind, got, got_note = cell_of(text)
    assert (kind, got, got_note) == ("scored", pytest.approx(value), note)


@pytest.mark.parametrize("text", ["N/A", "n/a", "NA", "—", "–", "-", "not applicable",
                                  "N/A (on-prem only)"])
def test_not_applicable_cells(text: str) -> None:
    assert cell_of(text)[:2] == ("n/a", None)


@pytest.mark.parametrize("text", ["TBD", "?", "maybe", "6/5", "3x", "none", "nothing", "150%",
                                  "2025-01-02", "nah"])
def test_unreadable_cells_are_reported_not_guessed(text: str) -> None:
    result = score_text(table_record([("Thing", "1", text)]))
    assert result.tables[0].criteria[0].cells[0].kind is CellKind.UNREADABLE
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [("ADR403", 7, 15)]


def test_empty_cell_is_missing_with_position() -> None:
    result = score_text(table_record([("Thing", "1", " ")]))
    assert result.tables[0].criteria[0].cells[0].kind is CellKind.MISSING
    assert [(d.code, d.line) for d in result.diagnostics] == [("ADR402", 7)]


def test_short_row_is_missing_cells() -> None:
    text = "# T\n\n## Criteria\n\n| Criterion | Weight | A | B |\n|---|---|---|---|\n| X | 1 | ✅ |\n"
    result = score_text(text)
    assert [d.code for d in result.diagnostics] == ["ADR402"]
    assert result.tables[0].option("B").unscored == ("X",)


def test_written_weighted_value_is_split_from_the_rating() -> None:
    raw = read_cell("5 (20) strong", DEFAULT)
    assert (raw.kind, raw.number, raw.written, raw.note) == (CellKind.SCORED, 5, 20, "strong")


@pytest.mark.parametrize(
    ("numbers", "scale"),
    [(["1", "3", "5"], 5), (["2", "7", "10"], 10), (["40", "90", "55"], 100), (["0", "1", "1"], 1),
     (["4.5", "3"], 5)],
)
def test_bare_numbers_use_the_detected_scale(numbers: list[str], scale: float) -> None:
    rows = [(f"C{i}", "1", n) for i, n in enumerate(numbers)]
    result = score_text(table_record(rows))
    table = result.tables[0]
    assert table.table.scale == scale
    values = [c.cells[0].value for c in table.criteria]
    assert values == [pytest.approx(float(n) / scale) for n in numbers]


def test_bare_numbers_beyond_every_scale_are_unreadable() -> None:
    result = score_text(table_record([("C", "1", "250"), ("D", "1", "3")]))
    assert [d.code for d in result.diagnostics] == ["ADR403", "ADR403"]


def test_declared_scale_wins_over_detection() -> None:
    config = Config(score={"scale": 10})
    result = score_text(table_record([("C", "1", "4"), ("D", "1", "5")]), config)
    assert [c.cells[0].value for c in result.tables[0].criteria] == [0.4, 0.5]


def test_declared_scale_too_small_makes_cells_unreadable() -> None:
    config = Config(score={"scale": 5})
    result = score_text(table_record([("C", "1", "8")]), config)
    assert [d.code for d in result.diagnostics] == ["ADR403"]


@pytest.mark.parametrize(
    ("text", "value", "gate"),
    [
        ("Critical", 5, True), ("critical", 5, True), ("**High**", 3, False), ("Medium", 2, False),
        ("Low", 1, False), ("High (important)", 3, False), ("3", 3, False), ("2.5", 2.5, False),
        ("25%", 25, False), ("0", 0, False), ("4 (gate)", 4, True), ("5 - must", 5, True),
    ],
)
def test_weight_forms(text: str, value: float, gate: bool) -> None:
    assert read_weight(text, DEFAULT) == (value, gate)


@pytest.mark.parametrize("text", ["X", "", "Highest", "-1", "3x", "TBD"])
def test_unknown_weights(text: str) -> None:
    assert read_weight(text, DEFAULT) == (None, False)


def test_unknown_weight_is_ADR401_and_left_out() -> None:
    result = score_text(table_record([("C", "Huge", "✅"), ("D", "2", "❌")]))
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [("ADR401", 7, 7)]
    option = result.tables[0].option("A")
    assert (option.score, option.max_score) == (0, 2)


def test_configured_levels_gates_and_cells() -> None:
    config = Config(score={
        "weights": {"Must": 10, "Nice": 0.5},
        "gates": ["must"],
        "cells": {"👍": 1, "👎": 0, "🤷": "n/a", "meh": 0.25},
    })
    text = table_record([("A1", "Must", "👍"), ("A2", "Nice", "meh"), ("A3", "Nice", "🤷")])
    table = score_text(text, config).tables[0]
    assert [c.weight.value for c in table.criteria] == [10, 0.5, 0.5]
    assert table.criteria[0].gate
    option = table.option("A")
    assert (option.score, option.max_score, option.not_applicable) == (10.125, 10.5, ("A3",))
    gate_fail = score_text(table_record([("A1", "Must", "👎")]), config).tables[0]
    assert gate_fail.option("A").failed_gate == "A1"


@pytest.mark.parametrize(
    "score",
    [{"weights": {"High": "three"}}, {"cells": {"✅": 2}}, {"scale": 0}, {"gates": 3},
     {"section": 5}, {"gate_threshold": "x"}],
)
def test_bad_settings_stop_with_a_config_error(score: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        ScoreSettings.from_config(score)


@pytest.mark.parametrize(
    ("header", "is_criteria"),
    [
        (("Criterion", "Weight"), True), (("Criteria", "Priority"), True),
        (("Decision Driver", "Importance"), True), (("Factor", "Weight (1-5)"), True),
        (("Criterion", "Notes"), False), (("Role", "Weight"), False),
    ],
)
def test_criteria_header_detection(header: tuple[str, str], is_criteria: bool) -> None:
    result = score_text(table_record([("C", "1", "✅")], header=header))
    assert bool(result.tables) is is_criteria
    assert has_criteria_header(table_record([], header=header)) is is_criteria


def test_note_columns_are_not_options() -> None:
    text = ("# T\n\n## Criteria\n\n| Criterion | Weight | A | B | Notes |\n|---|---|---|---|---|\n"
            "| X | 1 | ✅ | ❌ | why |\n")
    assert score_text(text).tables[0].table.options == ("A", "B")
