"""Each output format of ``adr lint`` against a golden file, and SARIF's required shape."""

from __future__ import annotations

import json

import pytest

from adr_tool import __version__

FILES = {
    ".adr.toml": 'dir = "decisions"\n',
    "decisions/DR-001-postgres.md": (
        "---\nid: DR-001\ntitle: Use Postgres\nstatus: accepted\ndate: 2024-01-01\n---\n"
        "# DR-001: Use Postgres\n\n## Context\n\nWe need a database, see [DR-002](DR-002-old.md).\n\n"
        "## Decision\n\nPostgres.\n\n## Consequences\n\n![schema](img/schema.png)\n"),
    "decisions/DR-002-cache.md": (
        "---\nid: DR-002\ntitle: \"Cache: Redis, for now\"\nstatus: maybe\ndate: 2024-01-01\n"
        "review_date: 2025-06-01\n---\n# DR-002: Cache\n\n## Context\n\nWhy.\n\n## Decision\n\n"
        "Redis.\n\n## Consequences\n\n"),
    "decisions/DR-003-queue.md": (
        "---\nid: DR-003\ntitle: Use Kafka\nstatus: proposed\ndate: 2024-02-01\n---\n"
        "# DR-003: Use Kafka\n\n## Context\n\nEvents.\n\n## Decision\n\nKafka.\n\n"
        "## Consequences\n\nOps work.\n"),
}


@pytest.fixture
def reported(project, cli):
    project(FILES)

    def run(*args: str) -> tuple[int, str]:
        result = cli("lint", *args)
        return result.exit_code, result.output.replace(__version__, "VERSION")

    return run


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "pr-comment"])
def test_format_golden(fmt: str, reported, file_regression) -> None:
    code, out = reported("--format", fmt)
    assert code == 1, out
    extension = {"json": ".json", "sarif": ".sarif", "pr-comment": ".md"}.get(fmt, ".txt")
    file_regression.check(out, extension=extension, basename=f"report_{fmt.replace('-', '_')}")


def test_text_report_shape(reported) -> None:
    _, out = reported()
    lines = out.splitlines()
    assert lines[0] == ("decisions/DR-001-postgres.md:11:25: ADR307 error link to record file "
                        "'DR-002-old.md', which does not exist")
    assert lines[1] == "    hint: Did you mean DR-002-cache.md?"
    assert "" in lines  # files are separated by a blank line
    assert lines[-1] == "Found 2 errors, 3 warnings in 2 files (3 files checked)."
    assert "\x1b[" not in out


def test_text_report_colour_only_on_a_tty() -> None:
    from adr_tool.diagnostics import error
    from adr_tool.lint.engine import LintResult
    from adr_tool.render.report import render_text

    result = LintResult(diagnostics=[error("ADR205", "a.md", 1, 1, "x", "h")], records=[],
                        files=1, rules=[])
    assert "\x1b[31merror\x1b[0m" in render_text(result, color=True)
    assert "\x1b[" not in render_text(result, color=False)


def test_json_report_schema(reported) -> None:
    _, out = reported("--format", "json")
    payload = json.loads(out)
    assert payload["schema"] == 1
    assert set(payload["summary"]) >= {"errors", "warnings", "files"}
    for diag in payload["diagnostics"]:
        assert {"code", "severity", "path", "line", "column", "message"} <= set(diag)


def test_github_annotations_escape_their_data(reported) -> None:
    _, out = reported("--format", "github")
    line = next(l for l in out.splitlines() if "ADR205" in l)
    assert line.startswith("::error file=decisions/DR-002-cache.md,line=4,col=9,title=ADR205::")
    assert "%0A" in line  # the hint is on a second line of the annotation


def test_github_is_the_default_on_github_actions(reported, monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _, out = reported()
    assert out.startswith("::error file=")
    _, out = reported("--format", "text")
    assert out.startswith("decisions/")


SARIF_REQUIRED = {
    # the parts of the SARIF 2.1.0 schema that GitHub code scanning relies on
    "log": {"version", "runs"},
    "run": {"tool", "results"},
    "driver": {"name", "rules"},
    "rule": {"id", "shortDescription", "fullDescription", "help", "defaultConfiguration"},
    "result": {"ruleId", "level", "message", "locations"},
}


def test_sarif_has_the_required_structure(reported) -> None:
    _, out = reported("--format", "sarif")
    log = json.loads(out)
    assert SARIF_REQUIRED["log"] <= set(log) and log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    assert SARIF_REQUIRED["run"] <= set(run)
    driver = run["tool"]["driver"]
    assert SARIF_REQUIRED["driver"] <= set(driver)
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule in driver["rules"]:
        assert SARIF_REQUIRED["rule"] <= set(rule), rule["id"]
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in {"none", "note", "warning", "error"}
    assert run["results"]
    for result in run["results"]:
        assert SARIF_REQUIRED["result"] <= set(result)
        assert result["level"] in {"none", "note", "warning", "error"}
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert isinstance(result["message"]["text"], str) and result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"].startswith("decisions/")
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert result["partialFingerprints"]


def test_sarif_validates_against_a_schema_subset_when_jsonschema_is_installed(reported) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    _, out = reported("--format", "sarif")
    text = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
    schema = {
        "type": "object", "required": ["version", "runs"],
        "properties": {
            "version": {"const": "2.1.0"},
            "runs": {"type": "array", "items": {
                "type": "object", "required": ["tool"],
                "properties": {
                    "tool": {"type": "object", "required": ["driver"], "properties": {
                        "driver": {"type": "object", "required": ["name"], "properties": {
                            "rules": {"type": "array", "items": {
                                "type": "object", "required": ["id"],
                                "properties": {"shortDescription": text, "fullDescription": text,
                                               "help": text}}}}}}},
                    "results": {"type": "array", "items": {
                        "type": "object", "required": ["message"],
                        "properties": {
                            "message": text,
                            "level": {"enum": ["none", "note", "warning", "error"]},
                            "ruleIndex": {"type": "integer", "minimum": -1},
                            "locations": {"type": "array", "items": {"type": "object"}}}}}}}},
        },
    }
    jsonschema.validate(json.loads(out), schema)
