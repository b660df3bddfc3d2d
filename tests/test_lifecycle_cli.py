"""adr status/verbs, supersede, link, renumber, index, review, export: real CLI, real files, git repo."""

from __future__ import annotations

import csv
import difflib
import io
import json
from pathlib import Path
import subprocess

import pytest

from adr_tool.edit import FileChange

FM = """---
id: {id}
title: {title}
status: {status}   # lifecycle state
date: {date}
tags: [infra]
requires: {requires}
---

# {id}: {title}

## Context

Mentions DR-0070 and XDR-002 and ADR 22, which are other things.
"""

NYGARD = """# 3. Use Kafka

Date: 2020-02-02

## Status

✅ **Accepted**

## Context

See [Use Redis](DR-002-use-redis.md).
"""


def record(id_: str, title: str, status: str = "proposed", date: str = "2024-01-10",
           requires: str = "[]") -> str:
    return FM.format(id=id_, title=title, status=status, date=date, requires=requires)


@pytest.fixture
def repo(project):
    """A temp git repository with four records in decisions/."""
    root = project({
        ".adr.toml": 'dir = "decisions"\nprefix = "DR-"\n',
        "decisions/DR-001-use-python.md": record("DR-001", "Use Python", "accepted", "2020-01-01"),
        "decisions/DR-002-use-redis.md": record("DR-002", "Use Redis", "accepted", "2024-06-01",
                                                "[DR-001]"),
        "decisions/DR-004-use-postgres.md": record("DR-004", "Use Postgres", "proposed", "2025-01-01",
                                                   "[DR-002]"),
        "decisions/0003-use-kafka.md": NYGARD,
    })
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    return root / "decisions"


def changes(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.split("\n"), after.split("\n")) if line[:1] in "+-"]


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def test_accept_sets_status_and_history_and_nothing_else(repo, cli) -> None:
    path = repo / "DR-004-use-postgres.md"
    before = path.read_text()
    assert ok(cli("accept", "DR-004", "--note", "arch review")).strip() == \
        "DR-004: proposed -> accepted (history +1)"
    after = path.read_text()
    assert changes(before, after) == [
        "- status: proposed   # lifecycle state",
        "+ status: accepted   # lifecycle state",
        "+ history:",
        "+   - {date: 2026-01-01, status: accepted, note: arch review}",
    ]
    shown = json.loads(ok(cli("show", "DR-004", "--format", "json")))["record"]
    assert shown["status"] == "accepted"
    assert shown["history"] == [{"date": "2026-01-01", "status": "accepted", "note": "arch review"}]


@pytest.mark.parametrize(("verb", "start", "end"), [
    ("propose", "rejected", "proposed"),
    ("reject", "proposed", "rejected"),
    ("deprecate", "accepted", "deprecated"),
])
def test_each_verb(project, cli, verb, start, end) -> None:
    project({"decisions/DR-001-x.md": record("DR-001", "X", start)})
    ok(cli(verb, "DR-001"))
    assert f"status: {end}   # lifecycle state" in Path("decisions/DR-001-x.md").read_text()


def test_forbidden_transition_needs_force(project, cli) -> None:
    project({"decisions/DR-001-x.md": record("DR-001", "X", "rejected")})
    path = Path("decisions/DR-001-x.md")
    before = path.read_text()
    result = cli("status", "DR-001", "accepted")
    assert result.exit_code == 1
    assert "rejected -> accepted is not an allowed transition" in result.output
    assert "--force" in result.output
    assert path.read_text() == before
    ok(cli("status", "DR-001", "accepted", "--force"))
    assert "status: accepted" in path.read_text()


def test_transitions_are_configurable(project, cli) -> None:
    project({
        ".adr.toml": '[lifecycle]\ntransitions = { proposed = ["accepted"], accepted = ["rejected"] }\n',
        "decisions/DR-001-x.md": record("DR-001", "X", "accepted"),
    })
    assert cli("deprecate", "DR-001").exit_code == 1
    ok(cli("reject", "DR-001"))
    bad = Path(".adr.toml")
    bad.write_text('[lifecycle]\ntransitions = { proposed = ["approvedd"] }\n')
    result = cli("accept", "DR-001")
    assert result.exit_code == 1 and "unknown status 'approvedd'" in result.output


def test_same_status_is_a_no_op(repo, cli) -> None:
    path = repo / "DR-001-use-python.md"
    before = path.read_bytes()
    assert "already accepted" in ok(cli("accept", "DR-001"))
    assert path.read_bytes() == before


def test_unknown_status_and_unknown_record(repo, cli) -> None:
    result = cli("status", "DR-001", "frozen")
    assert result.exit_code == 1 and "unknown status 'frozen'" in result.output
    result = cli("accept", "DR-404")
    assert result.exit_code == 1 and "no record 'DR-404'" in result.output
    assert "Traceback" not in result.output


def test_status_of_nygard_record_rewrites_its_status_line_only(repo, cli) -> None:
    path = repo / "0003-use-kafka.md"
    ok(cli("deprecate", "0003"))
    assert changes(NYGARD, path.read_text()) == ["- ✅ **Accepted**", "+ **Deprecated**"]


def test_crlf_record_stays_crlf(project, cli) -> None:
    root = project({})
    path = root / "decisions" / "DR-001-x.md"
    path.parent.mkdir()
    original = record("DR-001", "X").replace("\n", "\r\n").encode()
    path.write_bytes(original)
    ok(cli("accept", "DR-001"))
    data = path.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.replace(b"status: accepted", b"status: proposed").startswith(original.split(b"---\r\n\r\n")[0])
    assert data.endswith(original.split(b"---\r\n", 2)[2])


def test_dry_run_shows_diff_and_writes_nothing(repo, cli) -> None:
    path = repo / "DR-004-use-postgres.md"
    before = path.read_text()
    out = ok(cli("accept", "DR-004", "--dry-run"))
    assert "-status: proposed   # lifecycle state\n+status: accepted   # lifecycle state" in out
    assert path.read_text() == before


def test_supersede_updates_both_records(repo, cli) -> None:
    old, new = repo / "DR-002-use-redis.md", repo / "DR-004-use-postgres.md"
    old_before, new_before = old.read_text(), new.read_text()
    ok(cli("supersede", "DR-002", "--by", "DR-004"))
    assert changes(old_before, old.read_text()) == [
        "- status: accepted   # lifecycle state",
        "+ status: superseded   # lifecycle state",
        "+ superseded_by: [DR-004]",
        "+ history:",
        "+   - {date: 2026-01-01, status: superseded, note: superseded by DR-004}",
    ]
    assert changes(new_before, new.read_text()) == ["+ supersedes: [DR-002]"]
    again = cli("supersede", "DR-002", "--by", "DR-004")
    assert "already superseded" in ok(again)


def test_supersede_of_nygard_records_uses_adr_tools_lines(project, cli) -> None:
    project({
        "doc/adr/0001-use-a.md": "# 1. Use A\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\n## Context\n\nx\n",
        "doc/adr/0002-use-b.md": "# 2. Use B\n\nDate: 2020-01-02\n\n## Status\n\nAccepted\n\n## Context\n\ny\n",
    })
    ok(cli("supersede", "1", "--by", "2", "--dir", "doc/adr"))
    old = Path("doc/adr/0001-use-a.md").read_text()
    new = Path("doc/adr/0002-use-b.md").read_text()
    assert "\nSuperseded by [2. Use B](0002-use-b.md)\n" in old
    assert "Accepted\n\nSupersedes [1. Use A](0001-use-a.md)\n\n## Context" in new
    data = json.loads(ok(cli("list", "--dir", "doc/adr", "--format", "json")))["records"]
    assert [(r["id"], r["status"], r["supersedes"], r["superseded_by"]) for r in data] == [
        ("0001", "superseded", [], ["0002"]), ("0002", "accepted", ["0001"], [])]


def test_supersede_rolls_back_the_first_file_when_the_second_write_fails(repo) -> None:
    """Failure injected through apply_changes' writer parameter (no mocks of our code)."""
    from adr_tool.edit import apply_changes
    from adr_tool.lifecycle import plan_supersede
    from adr_tool.repository import load_repository

    old, new = repo / "DR-002-use-redis.md", repo / "DR-004-use-postgres.md"
    before = {old: old.read_bytes(), new: new.read_bytes()}
    planned = plan_supersede(load_repository(repo), "DR-002", "DR-004")
    assert [c.path.name for c in planned] == [old.name, new.name]

    def full_disk_on_second(path: Path, text: str) -> None:
        if path.name == new.name:
            raise OSError(28, "No space left on device")
        from adr_tool.writes import atomic_write

        atomic_write(path, text)

    from adr_tool.errors import AdrError

    with pytest.raises(AdrError, match="rolled back"):
        apply_changes(planned, write=full_disk_on_second)
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.skipif(__import__("os").geteuid() == 0, reason="root ignores directory permissions")
def test_supersede_rolls_back_with_an_unwritable_directory(project, cli) -> None:
    root = project({
        "decisions/DR-001-a.md": record("DR-001", "A", "accepted"),
        "decisions/later/DR-002-b.md": record("DR-002", "B", "proposed"),
    })
    old = root / "decisions/DR-001-a.md"
    before = old.read_bytes()
    (root / "decisions/later").chmod(0o555)
    try:
        result = cli("supersede", "DR-001", "--by", "DR-002")
    finally:
        (root / "decisions/later").chmod(0o755)
    assert result.exit_code == 1 and "rolled back" in result.output
    assert old.read_bytes() == before


def test_link_adds_refuses_unknown_and_dedupes(repo, cli) -> None:
    path = repo / "DR-004-use-postgres.md"
    before = path.read_text()
    assert ok(cli("link", "DR-004", "requires", "DR-001")).strip() == "DR-004 requires: added DR-001"
    assert changes(before, path.read_text()) == ["- requires: [DR-002]", "+ requires: [DR-002, DR-001]"]
    assert "nothing to change" in ok(cli("link", "DR-004", "requires", "DR-001"))
    result = cli("link", "DR-004", "requires", "DR-099")
    assert result.exit_code == 1 and "no record 'DR-099'" in result.output
    result = cli("link", "DR-004", "related", "DR-004")
    assert result.exit_code == 1
    ok(cli("link", "DR-004", "provides", "postgres-db"))
    ok(cli("link", "DR-001", "requires", "postgres-db"))  # a provided capability is known
    ok(cli("link", "DR-004", "related", "1"))  # a number resolves to the canonical id
    ok(cli("link", "DR-004", "supersedes", "DR-001"))
    data = json.loads(ok(cli("show", "DR-004", "--format", "json")))["record"]
    assert data["provides"] == ["postgres-db"] and data["related"] == ["DR-001"]
    assert data["supersedes"] == ["DR-001"]
    ok(cli("unlink", "DR-004", "requires", "DR-002"))
    data = json.loads(ok(cli("show", "DR-004", "--format", "json")))["record"]
    assert [r["target"] for r in data["requires"]] == ["DR-001"]


def test_link_refuses_records_without_frontmatter(repo, cli) -> None:
    result = cli("link", "0003", "related", "DR-001")
    assert result.exit_code == 1 and "adr migrate" in result.output


def test_renumber_is_a_dry_run_diff_then_writes(repo, cli) -> None:
    (repo / "DR-005-notes.md").write_text(record("DR-005", "Notes", requires="[DR-002]") +
                                          "\nSee [Redis](DR-002-use-redis.md), DR-002, ADR 2, ADR-002 "
                                          "and dr-002; not DR-0020, DR-20 or XDR-002.\n")
    before = {p.name: p.read_text() for p in repo.iterdir()}
    out = ok(cli("renumber", "DR-002", "DR-012"))
    assert "rename from decisions/DR-002-use-redis.md\nrename to decisions/DR-012-use-redis.md" in out
    assert {p.name: p.read_text() for p in repo.iterdir()} == before  # dry run
    ok(cli("renumber", "DR-002", "DR-012", "--write"))
    assert not (repo / "DR-002-use-redis.md").exists()
    moved = (repo / "DR-012-use-redis.md").read_text()
    assert changes(before["DR-002-use-redis.md"], moved) == [
        "- id: DR-002", "+ id: DR-012", "- # DR-002: Use Redis", "+ # DR-012: Use Redis"]
    notes = (repo / "DR-005-notes.md").read_text()
    assert "requires: [DR-012]" in notes
    assert ("See [Redis](DR-012-use-redis.md), DR-012, ADR 12, ADR-012 and dr-012; "
            "not DR-0020, DR-20 or XDR-002.") in notes
    assert "[Use Redis](DR-012-use-redis.md)" in (repo / "0003-use-kafka.md").read_text()
    assert "requires: [DR-012]" in (repo / "DR-004-use-postgres.md").read_text()
    # untouched: other mentions that only look similar
    assert "DR-0070 and XDR-002 and ADR 22" in (repo / "DR-001-use-python.md").read_text()
    ids = [r["id"] for r in json.loads(ok(cli("list", "--format", "json")))["records"]]
    assert "DR-012" in ids and "DR-002" not in ids


def test_renumber_refuses_a_taken_id(repo, cli) -> None:
    result = cli("renumber", "DR-002", "DR-004")
    assert result.exit_code == 1 and "DR-004 already exists" in result.output


def test_index_writes_between_markers_and_keeps_hand_written_text(repo, cli) -> None:
    printed = ok(cli("index"))
    assert printed.splitlines()[:2] == ["| ID | Title | Status | Date |", "| --- | --- | --- | --- |"]
    readme = repo / "README.md"
    readme.write_text("# Our decisions\n\nHand-written intro.\n\n"
                      "<!-- adr:index:start -->\nstale\n<!-- adr:index:end -->\n\nFooter stays.\n")
    assert ok(cli("index", "--write", "decisions/README.md")).strip() == "wrote decisions/README.md"
    text = readme.read_text()
    assert text.startswith("# Our decisions\n\nHand-written intro.\n\n<!-- adr:index:start")
    assert text.endswith("<!-- adr:index:end -->\n\nFooter stays.\n")
    rows = [line for line in text.splitlines() if line.startswith("| [")]
    assert rows == [
        "| [DR-001](DR-001-use-python.md) | Use Python | accepted | 2020-01-01 |",
        "| [DR-002](DR-002-use-redis.md) | Use Redis | accepted | 2024-06-01 |",
        "| [0003](0003-use-kafka.md) | Use Kafka | accepted | 2020-02-02 |",
        "| [DR-004](DR-004-use-postgres.md) | Use Postgres | proposed | 2025-01-01 |",
    ]
    assert "up to date" in ok(cli("index", "--write", "decisions/README.md"))
    assert readme.read_text() == text
    ok(cli("accept", "DR-004"))
    assert cli("index", "--write", "decisions/README.md", "--check").exit_code == 1
    assert readme.read_text() == text


def test_index_creates_a_new_file(repo, cli) -> None:
    ok(cli("index", "--write", "INDEX.md"))
    text = Path("INDEX.md").read_text()
    assert text.startswith("# Architecture decisions\n\n<!-- adr:index:start")
    assert "| [DR-001](decisions/DR-001-use-python.md) |" in text


def test_review_lists_due_accepted_records_sorted_with_owners(project, cli) -> None:
    project({
        ".adr.toml": "review_after_days = 365\n",
        "decisions/DR-001-a.md": "---\nid: DR-001\ntitle: Old\nstatus: accepted\ndate: 2020-01-01\n"
                                 "owner: alice\n---\n",
        "decisions/DR-002-b.md": "---\nid: DR-002\ntitle: Review set\nstatus: accepted\ndate: 2025-12-01\n"
                                 "review_date: 2025-06-01\ndeciders: [bob, carol]\n---\n",
        "decisions/DR-003-c.md": "---\nid: DR-003\ntitle: Fresh\nstatus: accepted\ndate: 2025-11-01\n---\n",
        "decisions/DR-004-d.md": "---\nid: DR-004\ntitle: Old but rejected\nstatus: rejected\n"
                                 "date: 2019-01-01\n---\n",
        "decisions/DR-005-e.md": "---\nid: DR-005\ntitle: Later review\nstatus: accepted\ndate: 2020-01-01\n"
                                 "review_date: 2027-01-01\n---\n",
    })
    data = json.loads(ok(cli("review", "--format", "json")))
    assert data["today"] == "2026-01-01" and data["review_after_days"] == 365
    assert [(r["id"], r["due"], r["reason"], r["owner"]) for r in data["records"]] == [
        ("DR-001", "2020-12-31", "older than 365 days", "alice"),
        ("DR-002", "2025-06-01", "review date reached", "bob, carol"),
    ]
    text = ok(cli("review"))
    assert text.splitlines()[0].startswith("DR-001\tdue 2020-12-31 (1827 days ago)\talice\tOld")
    assert [r["id"] for r in json.loads(ok(cli("review", "--days", "30", "--format", "json")))["records"]] \
        == ["DR-001", "DR-002", "DR-003"]


def test_export_json_and_csv_have_a_stable_schema(repo, cli) -> None:
    data = json.loads(ok(cli("export", "--format", "json")))
    assert data["schema"] == 1
    assert [r["id"] for r in data["records"]] == ["DR-001", "DR-002", "0003", "DR-004"]
    first = data["records"][0]
    assert sorted(first) == sorted([
        "id", "title", "status", "status_raw", "date", "owner", "deciders", "tags", "requires",
        "provides", "affects", "supersedes", "superseded_by", "related", "review_date", "decision",
        "format", "path", "history"])
    assert first["path"] == "DR-001-use-python.md" and first["requires"] == []
    rows = list(csv.DictReader(io.StringIO(ok(cli("export", "--format", "csv")))))
    assert [r["id"] for r in rows] == ["DR-001", "DR-002", "0003", "DR-004"]
    assert rows[1]["requires"] == "DR-001" and rows[1]["tags"] == "infra"
    ok(cli("export", "--format", "csv", "--output", "out.csv"))
    assert Path("out.csv").read_text() == ok(cli("export", "--format", "csv"))
    assert cli("export", "--format", "xml").exit_code == 2


def test_export_csv_neutralises_formulas(project, cli) -> None:
    project({"decisions/DR-001-x.md": "---\nid: DR-001\ntitle: \"=HYPERLINK(1)\"\nstatus: accepted\n---\n"})
    rows = list(csv.DictReader(io.StringIO(ok(cli("export", "--format", "csv")))))
    assert rows[0]["title"] == "'=HYPERLINK(1)"


def test_change_plan_objects_are_plain_values(tmp_path: Path) -> None:
    change = FileChange(tmp_path / "a.md", "x", "x")
    assert not change.changed and change.target == tmp_path / "a.md"


def test_status_refuses_a_record_with_broken_yaml(project, cli) -> None:
    project({"decisions/DR-001-x.md": "---\nid: DR-001\ntags: [a, b[c]]\nstatus: proposed\n---\n# X\n"})
    path = Path("decisions/DR-001-x.md")
    before = path.read_bytes()
    result = cli("accept", "DR-001")
    assert result.exit_code == 1 and "not valid YAML" in result.output
    assert path.read_bytes() == before


def test_renumber_with_a_bare_number_keeps_the_id_shape(project, cli) -> None:
    project({
        "doc/adr/0007-use-a.md": "# 7. Use A\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n",
        "doc/adr/0008-use-b.md": "# 8. Use B\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\n"
                                 "Amends [7. Use A](0007-use-a.md)\n",
    })
    result = cli("renumber", "7", "12", "--dir", "doc/adr", "--write")
    assert result.exit_code == 0, result.output
    assert Path("doc/adr/0012-use-a.md").read_text().startswith("# 12. Use A\n")
    assert "Amends [7. Use A](0012-use-a.md)" in Path("doc/adr/0008-use-b.md").read_text()


def test_new_supersedes_an_adr_tools_record_with_a_link(project, cli) -> None:
    project({"decisions/0001-use-a.md": "# 1. Use A\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\n## Context\n"})
    result = cli("new", "Use B", "--supersedes", "0001", "--dir", "decisions")
    assert result.exit_code == 0, result.output
    new_id = Path(result.output.strip()).name.split("-use-b")[0]
    text = Path("decisions/0001-use-a.md").read_text()
    assert f"\nSuperseded by [{new_id}]({new_id}-use-b.md)\n" in text
    data = json.loads(ok(cli("show", "0001", "--dir", "decisions", "--format", "json")))["record"]
    assert data["status"] == "superseded" and data["superseded_by"] == [new_id]
