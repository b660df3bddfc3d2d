"""``adr lint`` and ``adr rules`` end to end: exit codes, options, files, README table."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO_ROOT

CLEAN = ("---\nid: {id}\ntitle: T{id}\nstatus: accepted\ndate: 2024-01-01\n{extra}---\n"
         "# {id}: T\n\n## Context\n\nC.\n\n## Decision\n\nD.\n\n## Consequences\n\nE.\n")


def rec(ident: str, extra: str = "") -> str:
    return CLEAN.format(id=ident, extra=extra)


def test_clean_folder_exits_0(project, cli) -> None:
    project({"decisions/DR-001-a.md": rec("DR-001")})
    result = cli("lint")
    assert (result.exit_code, result.output) == (0, "No problems found in 1 file.\n")


def test_warnings_pass_unless_strict(project, cli) -> None:
    project({"decisions/DR-001-a.md": rec("DR-001", "review_date: 2020-01-01\n")})
    assert cli("lint").exit_code == 0
    result = cli("lint", "--strict")
    assert result.exit_code == 1, result.output
    assert "ADR211 warning review date 2020-01-01 has passed" in result.output


def test_errors_exit_1(project, cli) -> None:
    project({"decisions/DR-001-a.md": rec("DR-001", "supersedes: [DR-404]\n")})
    result = cli("lint")
    assert result.exit_code == 1
    assert "decisions/DR-001-a.md:6:13: ADR306 error supersedes names 'DR-404'" in result.output


def test_usage_errors_exit_2_without_traceback(project, cli) -> None:
    project({"decisions/DR-001-a.md": rec("DR-001")})
    for args, words in [
        (("--format", "xml"), "'xml' is not one of"),
        (("--select", "ADR999"), "unknown rule 'ADR999'"),
        (("--dir", "nowhere"), "no decision records folder"),
        (("--baseline", "missing.json"), "baseline file not found"),
        (("--explain", "ADR999"), "no rule named 'ADR999'"),
        (("missing.md",), "no such file: missing.md"),
    ]:
        result = cli("lint", *args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_bad_config_exits_2(project, cli) -> None:
    project({"decisions/DR-001-a.md": rec("DR-001"), ".adr.toml": "[lint]\ndisable = 3\n"})
    result = cli("lint")
    assert result.exit_code == 2
    assert "disable must be a list" in result.output


def test_named_files_are_the_focus_but_references_see_the_folder(project, cli) -> None:
    project({
        "decisions/DR-001-a.md": rec("DR-001", "related: [DR-002]\n"),
        "decisions/DR-002-b.md": rec("DR-002", "status_typo: x\n").replace("accepted", "maybe"),
    })
    result = cli("lint", "decisions/DR-001-a.md")
    assert (result.exit_code, result.output) == (0, "No problems found in 1 file.\n")
    result = cli("lint", "decisions/DR-002-b.md", "--format", "json")
    assert {d["code"] for d in json.loads(result.output)["diagnostics"]} == {"ADR205", "ADR212"}


def test_output_file(project, cli) -> None:
    root = project({"decisions/DR-001-a.md": rec("DR-001", "status_typo: x\n")})
    result = cli("lint", "--format", "sarif", "--output", "out/lint.sarif")
    assert (result.exit_code, result.output) == (0, "")
    assert json.loads((root / "out/lint.sarif").read_text())["version"] == "2.1.0"


def test_write_baseline_then_gate_only_new_findings(project, cli) -> None:
    root = project({"decisions/DR-001-a.md": rec("DR-001", "supersedes: [DR-404]\n")})
    result = cli("lint", "--write-baseline", "adr-baseline.json")
    assert result.exit_code == 0
    assert "wrote 1 finding(s) to adr-baseline.json" in result.output
    stored = json.loads((root / "adr-baseline.json").read_text())
    assert stored["findings"] == [{"code": "ADR306", "count": 1, "message":
                                   "supersedes names 'DR-404', which is not a record here",
                                   "path": "decisions/DR-001-a.md"}]
    result = cli("lint", "--baseline", "adr-baseline.json")
    assert result.exit_code == 0, result.output
    assert "1 in baseline" in result.output
    (root / "decisions/DR-002-b.md").write_text(rec("DR-002", "related: [DR-405]\n"))
    result = cli("lint", "--baseline", "adr-baseline.json")
    assert result.exit_code == 1
    assert "DR-405" in result.output and "DR-404" not in result.output


def test_explain_prints_the_rule_doc(cli) -> None:
    result = cli("lint", "--explain", "status-missing")
    assert result.exit_code == 0
    assert result.output.startswith("ADR203 status-missing (error, record scope)\n\n"
                                    "The record states no status")
    assert "Failing:" in result.output


def test_rules_lists_the_catalogue(cli) -> None:
    from adr_tool.lint.registry import RULES

    result = cli("rules")
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == len(RULES)
    assert "ADR306  reference-unknown" in result.output
    payload = json.loads(cli("rules", "--format", "json").output)
    assert [r["code"] for r in payload["rules"]] == [r.code for r in RULES]


def test_help_lists_lint_and_rules(cli) -> None:
    result = cli("--help")
    assert "lint" in result.output and "rules" in result.output
    assert "--diff-base" in cli("lint", "--help").output


def _lint_section() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("<!-- section: lint -->", 1)[1].split("<!-- /section: lint -->", 1)[0]


def test_readme_rule_table_lists_every_rule() -> None:
    from adr_tool.lint.registry import RULES
    from adr_tool.render.report import render_rules

    section = _lint_section()
    for rule in RULES:
        row = f"| {rule.code} | `{rule.slug}` | {rule.severity.value} | {rule.summary} |"
        assert row in section, f"README lint table lacks: {row}"
    assert render_rules(RULES, "markdown") in section


def test_readme_documents_exit_codes_and_ci_snippets() -> None:
    section = _lint_section()
    for needle in ("adr-lint", "action.yml", "--diff-base", "--write-baseline", "exit"):
        assert needle in section, needle


def test_shipped_hook_and_action_run_adr_lint() -> None:
    hooks = (REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: adr-lint" in hooks and "entry: adr lint" in hooks
    action = (REPO_ROOT / "action.yml").read_text(encoding="utf-8")
    assert "using: composite" in action or "using: 'composite'" in action
    assert "adr lint --format github" in action and "sarif" in action


def test_records_in_other_formats_through_the_cli(project, cli) -> None:
    project({"doc/adr/0001-record-architecture-decisions.md": (
        "# 1. Record architecture decisions\n\nDate: 2024-01-01\n\n## Status\n\nAccepted\n\n"
        "## Context\n\nC.\n\n## Decision\n\nD.\n\n## Consequences\n\nE.\n")})
    result = cli("lint")
    assert (result.exit_code, result.output) == (0, "No problems found in 1 file.\n")
    assert Path("doc/adr").is_dir()
