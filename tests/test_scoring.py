"""Scoring: totals, percentages, ranks, gates, ties, robustness, agreement, drift (issue 5)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from adr_tool.errors import AdrError
from adr_tool.parse import parse_text
from adr_tool.render.score import chart_bars
from adr_tool.scoring import RecordScore, TableScore, match_decision, score_record, summarise

HERE = Path(__file__).parent / "test_scoring"


def score_file(name: str, **what_if: object) -> RecordScore:
    record = parse_text((HERE / name).read_text(encoding="utf-8"), name).record
    assert record is not None
    return score_record(record, **what_if)  # type: ignore[arg-type]


def score_text(text: str, **what_if: object) -> RecordScore:
    record = parse_text(text, "DR-050.md").record
    assert record is not None
    return score_record(record, **what_if)  # type: ignore[arg-type]


def matrix(rows: list[tuple[str, str, list[str]]], options: list[str],
           decision: str | None = None) -> str:
    """A criteria table record from rows of (criterion, weight, cells)."""
    head = "---\nid: DR-050\ntitle: T\n" + (f"decision: {decision}\n" if decision else "") + "---\n"
    lines = [head, "## Decision Criteria", "",
             "| Criterion | Weight | " + " | ".join(options) + " |",
             "|---|---|" + "---|" * len(options)]
    lines += [f"| {name} | {weight} | " + " | ".join(cells) + " |" for name, weight, cells in rows]
    return "\n".join(lines) + "\n"


# --- the DR-001 shape ----------------------------------------------------------------------


def test_hosting_record_render_wins_railway_fails_the_critical_gate() -> None:
    result = score_file("DR-001-hosting.md")
    (table,) = result.tables
    render, railway, aws = (table.option(n) for n in ("Render", "Railway", "AWS"))
    assert table.winner == "Render"
    assert (render.score, render.max_score, render.percent, render.rank) == (20, 20, 100, 1)
    assert railway.disqualified and railway.failed_gate == "Built-in Worker Support"
    assert (railway.score, railway.percent) == (12, 60)
    # AWS has the fewest points (third by score); qualified options rank before the
    # disqualified Railway, so its standing is 2 and Railway's 3.
    assert (aws.score, aws.percent, aws.disqualified) == (9.5, 47.5, False)
    assert sorted(table.options, key=lambda o: -o.score)[2].name == "AWS"
    assert [o.name for o in table.ranking()] == ["Render", "AWS", "Railway"]
    assert table.recorded_decision == "Render" and table.agrees is True
    robust = table.robustness
    assert robust is not None
    assert (robust.runner_up, robust.margin_points, robust.flip) == ("AWS", 10.5, None)
    assert "no single weight change within 0..2x flips it" in robust.text
    assert result.diagnostics == []


def test_what_if_lifts_the_gate_and_changes_a_weight() -> None:
    result = score_file("DR-001-hosting.md", weights={"predictable pricing": "5"},
                        cells={("RAILWAY", "Built-in Worker Support"): "✅"})
    table = result.tables[0]
    railway = table.option("Railway")
    assert not railway.disqualified
    assert (railway.score, railway.max_score, railway.rank) == (17, 22, 2)
    assert table.table.overridden
    crit = table.criteria[1]
    assert (crit.weight.value, crit.weight.overridden) == (5, True)


def test_what_if_unknown_names_are_refused() -> None:
    with pytest.raises(AdrError, match="no criterion 'Cost'"):
        score_file("DR-001-hosting.md", weights={"Cost": "5"})
    with pytest.raises(AdrError, match="no option 'Heroku'"):
        score_file("DR-001-hosting.md", cells={("Heroku", "Scalability"): "✅"})


# --- hand-computed tables --------------------------------------------------------------------


def test_hand_computed_matrix_total_row_and_ties() -> None:
    result = score_file("ADR-007-broker.md")
    table = result.tables[0]
    assert [c.name for c in table.criteria] == ["Throughput", "Cost", "Operations"]  # no Total
    assert table.table.scale == 5
    assert [(o.name, o.score, o.written_total) for o in table.options] == [
        ("Broker A", 49, 49), ("Broker B", 46, 46), ("Broker C", 46, 46)]
    assert table.ties == [["Broker B", "Broker C"]]
    assert not table.tie and table.winner == "Broker A"
    assert table.option("Broker B").rank == table.option("Broker C").rank == 2
    assert table.agrees is True and table.recorded_decision == "Broker A"
    assert result.diagnostics == []


def test_drift_is_found_with_line_and_column() -> None:
    result = score_file("ADR-008-cache.md")
    found = [(d.code, d.line, d.column) for d in result.diagnostics]
    assert found == [("ADR406", 7, 24), ("ADR405", 9, 15), ("ADR405", 9, 32), ("ADR404", 13, 3)]
    messages = [d.message for d in result.diagnostics]
    assert "should be 16 = weight 4 x rating 4" in messages[0]
    assert "weights sum to 7" in messages[1]
    assert "says 26, but ratings x weights give 22" in messages[2]
    assert "computed winner is 'Redis'" in messages[3]


def test_what_if_skips_drift_checks_of_the_changed_table() -> None:
    result = score_file("ADR-008-cache.md", weights={"Speed": "4"})
    assert [d.code for d in result.diagnostics] == ["ADR404"]


# --- gates, ties, n/a --------------------------------------------------------------------------


def test_top_tie_has_no_winner() -> None:
    table = score_text(matrix([("X", "2", ["✅", "✅", "❌"])], ["A", "B", "C"],
                              decision="B")).tables[0]
    assert (table.winner, table.tie, table.tied) == (None, True, ["A", "B"])
    assert table.agrees is True  # B is one of the tied top options
    assert table.robustness is None


def test_every_option_failing_a_gate_leaves_no_winner() -> None:
    table = score_text(matrix([("Must", "Critical", ["❌", "❌"]), ("Nice", "Low", ["✅", "❌"])],
                              ["A", "B"], decision="A")).tables[0]
    assert table.winner is None and not table.tie
    assert [o.rank for o in table.options] == [1, 2]
    assert all(o.disqualified for o in table.options)
    assert table.agrees is None


def test_partial_on_a_gate_passes_by_default_and_threshold_is_configurable() -> None:
    from adr_tool.config import Config

    text = matrix([("Must", "Critical", ["⚠️", "✅"]), ("Nice", "Low", ["✅", "❌"])], ["A", "B"])
    record = parse_text(text, "x.md").record
    assert record is not None
    assert not score_record(record).tables[0].option("A").disqualified
    strict = score_record(record, Config(score={"gate_threshold": 0.5}))
    assert strict.tables[0].option("A").failed_gate == "Must"


def test_not_applicable_is_left_out_of_the_maximum() -> None:
    table = score_text(matrix([("X", "3", ["✅", "✅"]), ("Y", "2", ["N/A", "❌"])],
                              ["A", "B"])).tables[0]
    a, b = table.option("A"), table.option("B")
    assert (a.score, a.max_score, a.percent, a.not_applicable) == (3, 3, 100, ("Y",))
    assert (b.score, b.max_score, b.percent) == (3, 5, 60)
    assert table.winner == "A"


def test_several_tables_are_scored_separately_and_the_criteria_section_is_primary() -> None:
    text = ("# T\n\n## Background\n\n| Factor | Weight | X | Y |\n|---|---|---|---|\n"
            "| a | 1 | ✅ | ❌ |\n\n## Evaluation Matrix\n\n"
            "| Criterion | Weight | P | Q |\n|---|---|---|---|\n| b | 2 | ❌ | ✅ |\n\n"
            "## Decision\n\n**Q** it is.\n")
    result = score_text(text)
    assert [(t.index, t.winner, t.primary) for t in result.tables] == [
        (1, "X", False), (2, "Q", True)]
    assert [t.agrees for t in result.tables] == [False, True]
    assert result.diagnostics == []  # ADR404 only for the primary table
    summary = summarise(result)
    assert summary is not None and (summary.winner, summary.tables) == ("Q", 2)
    narrowed = result.only(1)
    assert [t.index for t in narrowed.tables] == [1]


def test_record_can_name_its_criteria_section() -> None:
    text = ("---\nid: DR-051\ntitle: T\ncriteria-section: Shortlist\n---\n"
            "## Evaluation\n\n| Criterion | Weight | X | Y |\n|---|---|---|---|\n| a | 1 | ✅ | ❌ |\n\n"
            "## Shortlist\n\n| Criterion | Weight | P | Q |\n|---|---|---|---|\n| b | 2 | ❌ | ✅ |\n")
    assert [t.primary for t in score_text(text).tables] == [False, True]


# --- robustness ----------------------------------------------------------------------------------


def brute_force_flip(table: TableScore, winner: str, rival: str) -> float | None:
    """Smallest relative weight change (scan of 0..2x in 0.1 % steps) that puts rival ahead."""
    best = None
    for row, criterion in enumerate(table.criteria):
        w = criterion.weight.value
        if not w:
            continue
        for step in range(1, 1001):
            for sign in (1, -1):
                new = w * (1 + sign * step / 1000)
                if _percent_with(table, winner, row, new) < _percent_with(table, rival, row, new):
                    rel = step / 1000
                    best = rel if best is None else min(best, rel)
                    break
            else:
                continue
            break
    return best


def _percent_with(table: TableScore, option: str, row: int, weight: float) -> float:
    column = table.table.options.index(option)
    score = max_score = 0.0
    for i, criterion in enumerate(table.criteria):
        cell = criterion.cells[column]
        w = weight if i == row else criterion.weight.value
        if w is None or cell.value is None:
            continue
        score += w * cell.value
        max_score += w
    return score / max_score if max_score else 0.0


def test_robustness_flip_matches_a_brute_force_scan() -> None:
    table = score_text(matrix(
        [("Speed", "4", ["5", "3"]), ("Cost", "3", ["2", "4"]), ("Ops", "2", ["3", "3"])],
        ["A", "B"])).tables[0]
    robust = table.robustness
    assert table.winner == "A" and robust is not None and robust.flip is not None
    assert robust.flip.criterion == "Speed"  # -25 % beats raising Cost by +33 %
    expected = brute_force_flip(table, "A", "B")
    assert expected is not None
    assert abs(robust.flip.change_percent) / 100 == pytest.approx(expected, abs=0.002)
    assert robust.flip.to_weight == pytest.approx(3.0)  # A 6.4 vs B 6.0; each unit of Speed: 0.4
    assert "lowering the weight of 'Speed' from 4 to 3 (-25 %)" in robust.text


def test_robustness_with_na_cells_uses_percentages() -> None:
    table = score_text(matrix(
        [("Speed", "4", ["5", "4"]), ("Cost", "3", ["2", "N/A"]), ("Ops", "2", ["4", "3"])],
        ["A", "B"])).tables[0]
    robust = table.robustness
    assert robust is not None
    expected = brute_force_flip(table, table.winner or "", robust.runner_up or "")
    if expected is None:
        assert robust.flip is None
    else:
        assert robust.flip is not None
        assert abs(robust.flip.change_percent) / 100 == pytest.approx(expected, abs=0.002)


def test_unopposed_winner() -> None:
    table = score_text(matrix([("Must", "Critical", ["✅", "❌"])], ["A", "B"])).tables[0]
    assert table.robustness is not None and table.robustness.runner_up is None
    assert "wins whatever the weights" in table.robustness.text


# --- the recorded decision -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "options", "expected"),
    [
        ("Render", ("Render", "Railway"), "Render"),
        ("render", ("Render", "Railway"), "Render"),
        ("Azure Database for PostgreSQL Flexible Server", ("PostgreSQL", "MySQL"), "PostgreSQL"),
        ("Azure Cache for Redis", ("Azure Redis", "Memcached"), "Azure Redis"),
        ("Use Railway instead of Render", ("Render", "Railway"), "Railway"),
        ("Go", ("Go", "Google Cloud"), "Go"),
        ("Tiered approach", ("API Key", "JWT"), None),
        ("Azure", ("Azure", "Azure Functions"), "Azure"),
    ],
)
def test_match_decision(decision: str, options: tuple[str, ...], expected: str | None) -> None:
    assert match_decision(decision, options) == expected


def test_chart_bars_are_best_first() -> None:
    table = score_file("DR-001-hosting.md").tables[0]
    bars = chart_bars(table)
    assert [(b["name"], b["percent"], b["winner"], b["disqualified"]) for b in bars] == [
        ("Render", 100.0, True, False), ("AWS", 47.5, False, False),
        ("Railway", 60.0, False, True)]


# --- properties ------------------------------------------------------------------------------------

CELLS = st.sampled_from(["✅", "⚠️", "❌", "N/A", "1/5", "3/5", "5/5", "★★☆☆☆", "40%", "yes",
                         "no", "partial", "", "??", "0/5"])
WEIGHTS = st.sampled_from(["Critical", "High", "Medium", "Low", "1", "2.5", "10", "30%", "0", "X"])


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[tuple[str, str, list[str]]], list[str]]:
    n_options = draw(st.integers(min_value=1, max_value=4))
    n_rows = draw(st.integers(min_value=1, max_value=6))
    options = [f"Opt{i}" for i in range(n_options)]
    rows = [(f"C{r}", draw(WEIGHTS), [draw(CELLS) for _ in options]) for r in range(n_rows)]
    return rows, options


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_percent_always_within_0_and_100(data: tuple[list[tuple[str, str, list[str]]],
                                                     list[str]]) -> None:
    rows, options = data
    result = score_text(matrix(rows, options))
    for table in result.tables:
        for option in table.options:
            assert 0.0 <= option.percent <= 100.0
            assert 0.0 <= option.score <= option.max_score + 1e-9
            assert 1 <= option.rank <= len(options)
        result.to_json()  # always serialisable


UPGRADE = {"❌": "✅", "no": "yes", "⚠️": "✅", "1/5": "5/5", "3/5": "5/5", "0/5": "3/5",
           "★★☆☆☆": "★★★★★", "40%": "90%", "partial": "yes"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.data())
def test_raising_the_winners_cell_never_lowers_its_rank(
        data: tuple[list[tuple[str, str, list[str]]], list[str]], pick: st.DataObject) -> None:
    rows, options = data
    table = score_text(matrix(rows, options)).tables[0]
    if table.winner is None:
        return
    column = options.index(table.winner)
    upgradable = [i for i, (_, _, cells) in enumerate(rows) if cells[column] in UPGRADE]
    if not upgradable:
        return
    row = pick.draw(st.sampled_from(upgradable))
    name, weight, cells = rows[row]
    raised = [*cells]
    raised[column] = UPGRADE[cells[column]]
    new_rows = [*rows]
    new_rows[row] = (name, weight, raised)
    after = score_text(matrix(new_rows, options)).tables[0]
    assert after.option(table.winner).rank == 1


FREE_TEXT = st.text(st.characters(blacklist_characters="|\n\r\\`", blacklist_categories=("Cs",)),
                    max_size=12)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(FREE_TEXT, FREE_TEXT, FREE_TEXT, FREE_TEXT), min_size=1, max_size=5))
def test_any_cell_text_scores_or_becomes_a_positioned_diagnostic(
        rows: list[tuple[str, str, str, str]]) -> None:
    text = matrix([(f"C{i} {name}", weight, [a, b]) for i, (name, weight, a, b) in enumerate(rows)],
                  ["A", "B"])
    result = score_text(text)
    last_line = text.count("\n") + 1
    for diag in result.diagnostics:
        assert 1 <= diag.line <= last_line and diag.column >= 1
    for table in result.tables:
        for option in table.options:
            assert 0.0 <= option.percent <= 100.0
