"""adr init / new / list / show through the real CLI on real files."""

from __future__ import annotations

import json
from pathlib import Path


def test_init_new_list_show(project, cli) -> None:
    root = project({})
    result = cli("init")
    assert result.exit_code == 0, result.output
    assert (root / ".adr.toml").is_file()
    assert (root / "decisions" / "DR-001-record-architecture-decisions.md").is_file()

    result = cli("new", "Use Redis for the job queue", "--tag", "infra", "--requires", "DR-001")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "decisions/DR-002-use-redis-for-the-job-queue.md"

    result = cli("list", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == 1
    assert [r["id"] for r in data["records"]] == ["DR-001", "DR-002"]
    second = data["records"][1]
    assert second["status"] == "proposed"
    assert second["tags"] == ["infra"]
    assert second["requires"] == ["DR-001"]
    assert second["format"] == "frontmatter"

    result = cli("show", "DR-002", "--format", "json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)["record"]
    assert shown["title"] == "Use Redis for the job queue"
    assert [s["heading"] for s in shown["sections"]][:2] == ["DR-002: Use Redis for the job queue", "Context"]


def test_new_supersedes_marks_old_record_minimally(project, cli) -> None:
    root = project({})
    cli("init")
    cli("new", "Use Redis")
    old = root / "decisions" / "DR-002-use-redis.md"
    before = old.read_text(encoding="utf-8")
    result = cli("new", "Use Postgres", "--supersedes", "DR-002")
    assert result.exit_code == 0, result.output
    after = old.read_text(encoding="utf-8")
    assert "status: superseded" in after
    assert "superseded_by: [DR-003]" in after
    import difflib

    changed = [
        line for line in difflib.ndiff(before.split("\n"), after.split("\n")) if line[:1] in "+-"
    ]
    assert changed == ["- status: proposed", "+ status: superseded", "+ superseded_by: [DR-003]"]
    assert after.split("---", 2)[2] == before.split("---", 2)[2]


def test_show_unknown_id_is_one_line_error(project, cli) -> None:
    project({"decisions/DR-001-x.md": "---\nid: DR-001\ntitle: X\nstatus: accepted\n---\n# X\n"})
    result = cli("show", "DR-404")
    assert result.exit_code == 1
    assert "no record 'DR-404'" in result.output
    assert "Traceback" not in result.output


def test_list_missing_folder_is_error_not_traceback(project, cli) -> None:
    project({})
    result = cli("list", "--dir", "nope")
    assert result.exit_code == 1
    assert "no decision records folder" in result.output


def test_list_table_and_csv(project, cli) -> None:
    project({"decisions/DR-001-a.md": "---\nid: DR-001\ntitle: Alpha\nstatus: Approved\ntags: [infra]\n---\n# Alpha\n"})
    result = cli("list")
    assert result.exit_code == 0, result.output
    assert "DR-001" in result.output and "accepted" in result.output and "Alpha" in result.output
    result = cli("list", "--format", "csv")
    assert result.output.splitlines()[1].startswith("DR-001,Alpha,accepted,")


def test_bad_format_is_usage_error(project, cli) -> None:
    project({"decisions/DR-001-a.md": "# A\n"})
    result = cli("list", "--format", "xml")
    assert result.exit_code == 2


def test_version(cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.output.startswith("adr ")


def test_new_in_folder_without_config_uses_default_prefix(project, cli, tmp_path: Path) -> None:
    project({"decisions/.keep": ""})
    result = cli("new", "Première décision: ../etc/passwd")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "decisions/DR-001-premiere-decision-etc-passwd.md"


def test_new_continues_adr_tools_numbering(project, cli) -> None:
    project({"doc/adr/0007-use-x.md": "# 7. Use X\n\n## Status\n\nAccepted\n"})
    result = cli("new", "Use Y", "--dir", "doc/adr")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "doc/adr/DR-008-use-y.md"
