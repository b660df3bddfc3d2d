"""``adr score`` through the real CLI on real files: every format, what-if, --table, --all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "test_scoring"


def shared_dir() -> Path:
    """../shared from the main checkout, or ../../shared from a worktree under wt/."""
    root = Path(__file__).resolve().parent.parent
    for candidate in (root.parent / "shared", root.parent.parent / "shared"):
        if candidate.is_dir():
            return candidate
    return root.parent / "shared"


SEED = shared_dir() / "seeds" / "003_ccb0f5bf810d0e21.txt"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture
def records(project) -> Path:
    return project({
        "decisions/DR-001-hosting.md": fixture("DR-001-hosting.md"),
        "decisions/ADR-007-broker.md": fixture("ADR-007-broker.md"),
        "decisions/ADR-008-cache.md": fixture("ADR-008-cache.md"),
        "decisions/DR-002-no-table.md": "---\nid: DR-002\ntitle: Plain\nstatus: accepted\n---\n# Plain\n",
        "notes/hosting.txt": fixture("DR-001-hosting.md"),
    })


def test_text_output(records, cli, file_regression) -> None:
    result = cli("score", "DR-001")
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert "Winner: Render (100.0 %)" in result.stdout
    assert "Disqualified: Railway fails the gate 'Built-in Worker Support'." in result.stdout
    file_regression.check(result.stdout, extension=".txt")


def test_json_output(records, cli, data_regression) -> None:
    result = cli("score", "DR-001", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    table = data["tables"][0]
    assert (data["schema"], data["record"], table["winner"], table["agrees"]) == (
        1, "DR-001", "Render", True)
    assert {o["name"]: (o["percent"], o["rank"], o["disqualified"]) for o in table["options"]} == {
        "Render": (100.0, 1, False), "AWS": (47.5, 2, False), "Railway": (60.0, 3, True)}
    assert table["robustness"]["flip"] is None
    data_regression.check(data)


def test_markdown_output(records, cli, file_regression) -> None:
    result = cli("score", "ADR-008", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "| **Weighted total** |" in result.stdout
    assert "`ADR405` line 9, column 32" in result.stdout
    file_regression.check(result.stdout, extension=".md")


def test_diagnostics_go_to_stderr_with_positions(records, cli) -> None:
    result = cli("score", "ADR-008")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        line for line in result.stderr.splitlines() if line.startswith("decisions/ADR-008-cache.md:")
    ]
    assert [line.split(": ")[1].split()[0] for line in result.stderr.splitlines()] == [
        "ADR406", "ADR405", "ADR405", "ADR404"]
    assert "decisions/ADR-008-cache.md:9:32: ADR405 error" in result.stderr


def test_what_if_weight_and_cell(records, cli) -> None:
    result = cli("score", "DR-001", "--format", "json", "--weight", "Predictable Pricing=5",
                 "--set", "Railway:Built-in Worker Support=✅")
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)["tables"][0]
    railway = next(o for o in table["options"] if o["name"] == "Railway")
    assert (railway["disqualified"], railway["score"], railway["max_score"], railway["rank"]) == (
        False, 17, 22, 2)
    assert table["what_if"] is True
    assert (records / "decisions/DR-001-hosting.md").read_text(encoding="utf-8") == fixture(
        "DR-001-hosting.md")  # nothing edited


def test_what_if_can_change_the_winner(records, cli) -> None:
    result = cli("score", "ADR-007", "--set", "Broker B:Throughput=5", "--set",
                 "Broker A:Throughput=1")
    assert result.exit_code == 0, result.output
    assert "Winner: Broker B" in result.stdout
    assert "Recorded decision: Broker A: disagrees." in result.stdout
    assert "What-if:" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("score", "DR-404"), 1, "no record 'DR-404'"),
        (("score", "DR-002"), 1, "DR-002 has no criteria table"),
        (("score", "DR-001", "--weight", "Cost=5"), 1, "no criterion 'Cost'"),
        (("score", "DR-001", "--set", "Heroku:Scalability=✅"), 1, "no option 'Heroku'"),
        (("score", "DR-001", "--table", "2"), 1, "has 1 criteria table(s), not 2"),
        (("score", "DR-001", "--weight", "Cost"), 2, "is not"),
        (("score", "DR-001", "--set", "Railway=✅"), 2, "is not"),
        (("score",), 2, "give a record id or file, or --all"),
        (("score", "DR-001", "--all"), 2, "--all takes no REF"),
        (("score", "DR-001", "--format", "html"), 2, "'html' is not one of"),
    ],
)
def test_errors(records, cli, args: tuple[str, ...], code: int, message: str) -> None:
    result = cli(*args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_table_option_selects_one_table(project, cli) -> None:
    project({"decisions/DR-003-two.md": (
        "---\nid: DR-003\ntitle: Two tables\n---\n## Evaluation\n\n"
        "| Criterion | Weight | X | Y |\n|---|---|---|---|\n| a | 1 | ✅ | ❌ |\n\n"
        "## Shortlist\n\n| Factor | Priority | P | Q |\n|---|---|---|---|\n| b | 2 | ❌ | ??? |\n")})
    both = json.loads(cli("score", "DR-003", "--format", "json").stdout)
    assert [t["winner"] for t in both["tables"]] == ["X", "P"]
    assert [d["code"] for d in both["diagnostics"]] == ["ADR403"]
    first = json.loads(cli("score", "DR-003", "--format", "json", "--table", "1").stdout)
    assert ([t["index"] for t in first["tables"]], first["diagnostics"]) == ([1], [])
    second = json.loads(cli("score", "DR-003", "--format", "json", "--table", "2").stdout)
    assert [d["code"] for d in second["diagnostics"]] == ["ADR403"]


def test_a_file_with_any_extension(records, cli) -> None:
    result = cli("score", "notes/hosting.txt", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tables"][0]["winner"] == "Render"


def test_all_lists_one_line_per_scored_record(records, cli, file_regression) -> None:
    result = cli("score", "--all")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["ADR-007", "ADR-008", "DR-001"]
    assert lines[-1] == "3 scored records, 1 disagreeing with the recorded decision"
    file_regression.check(result.stdout, extension=".txt")


def test_all_json_and_markdown(records, cli, data_regression) -> None:
    result = cli("score", "--all", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(r["record"], r["winner"], r["agrees"], r["drift"]) for r in data["records"]] == [
        ("ADR-007", "Broker A", True, 0), ("ADR-008", "Redis", False, 3),
        ("DR-001", "Render", True, 0)]
    data_regression.check(data)
    markdown = cli("score", "--all", "--format", "markdown").stdout
    assert "| ADR-008 | Redis | +37.1 pp over Memcached | Memcached | **no** | 3 |" in markdown


def test_all_with_dir_and_no_records(project, cli) -> None:
    root = project({"elsewhere/DR-001-hosting.md": fixture("DR-001-hosting.md"),
                    "empty/README.md": "# nothing\n"})
    result = cli("score", "--all", "--dir", str(root / "elsewhere"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("DR-001  Render  +52.5 pp over AWS  agrees")
    empty = cli("score", "--all", "--dir", "empty")
    assert empty.stdout == "0 scored records, 0 disagreeing with the recorded decision\n"
    missing = cli("score", "--all", "--dir", "nowhere")
    assert missing.exit_code == 1 and "no decision records folder" in missing.stderr


@pytest.mark.skipif(not SEED.is_file(), reason="../shared/seeds absent")
def test_seed_record(cli) -> None:
    result = cli("score", str(SEED), "--format", "json")
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)["tables"][0]
    options = {o["name"]: o for o in table["options"]}
    assert (table["winner"], options["Render"]["percent"]) == ("Render", 100.0)
    assert options["Railway"]["disqualified"]
    assert options["Railway"]["failed_gate"] == "Built-in Worker Support"
    assert sorted(options, key=lambda n: -options[n]["score"])[2] == "AWS"
    assert table["robustness"]["text"].endswith("no single weight change within 0..2x flips it.")
    text = cli("score", str(SEED)).stdout
    assert "Robustness: Render leads AWS by 52.5 percentage points (10.5 points)" in text
