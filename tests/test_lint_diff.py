"""``adr lint --diff-base``: a real temporary git repository with two branches."""

from __future__ import annotations

import json
import os
from pathlib import Path
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True,
                          env={**os.environ, **GIT_ENV})
    return done.stdout


def record(ident: str, title: str, status: str, decision: str, extra: str = "") -> str:
    return (f"---\nid: {ident}\ntitle: {title}\nstatus: {status}\ndate: 2024-01-01\n{extra}---\n"
            f"# {ident}: {title}\n\n## Context\n\nWhy {title}.\n\n## Decision\n\n{decision}\n\n"
            "## Consequences\n\nSome.\n")


@pytest.fixture
def repo(project) -> Path:
    """main: DR-001 (accepted), DR-002 (bad status). feature: edits and a new DR-003.
    main, after the branch was cut: its own DR-003."""
    root = project({
        ".adr.toml": 'dir = "decisions"\n',
        "decisions/DR-001-postgres.md": record("DR-001", "Use Postgres", "accepted",
                                               "We use Postgres 15."),
        "decisions/DR-002-legacy.md": record("DR-002", "Legacy", "maybe", "Old."),
        "decisions/DR-004-cache.md": record("DR-004", "Cache", "accepted", "Use Redis."),
    })
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "decisions/DR-001-postgres.md").write_text(
        record("DR-001", "Use Postgres", "accepted", "We use Postgres 16 with logical replication."))
    (root / "decisions/DR-004-cache.md").write_text(
        record("DR-004", "Cache", "superseded", "Use Redis.", "superseded_by: [DR-003]\n"))
    (root / "decisions/DR-003-kafka.md").write_text(
        record("DR-003", "Use Kafka", "proposed", "Kafka.", "supersedes: [DR-004]\nrelated: [DR-002]\n"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "feature work")
    git(root, "checkout", "-q", "main")
    (root / "decisions/DR-003-redis-streams.md").write_text(
        record("DR-003", "Use Redis streams", "accepted", "Redis streams."))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "main moves on")
    git(root, "checkout", "-q", "feature")
    return root


def findings(cli, *args: str) -> tuple[int, list[tuple[str, str]]]:
    result = cli("lint", "--format", "json", *args)
    payload = json.loads(result.output)
    return result.exit_code, [(Path(d["path"]).name, d["code"]) for d in payload["diagnostics"]]


def test_id_taken_on_base(repo: Path, cli) -> None:
    code, found = findings(cli, "--diff-base", "main")
    assert ("DR-003-kafka.md", "ADR601") in found
    assert code == 1


def test_accepted_record_edited(repo: Path, cli) -> None:
    _, found = findings(cli, "--diff-base", "main")
    assert ("DR-001-postgres.md", "ADR602") in found
    # DR-004 only changed status and gained superseded_by: that is how to supersede
    assert ("DR-004-cache.md", "ADR602") not in found


def test_only_changed_records_are_reported_but_references_resolve(repo: Path, cli) -> None:
    _, everything = findings(cli)
    assert ("DR-002-legacy.md", "ADR205") in everything
    _, focused = findings(cli, "--diff-base", "main")
    assert {name for name, _ in focused} <= {"DR-001-postgres.md", "DR-003-kafka.md",
                                             "DR-004-cache.md"}
    assert ("DR-002-legacy.md", "ADR205") not in focused
    assert not [f for f in focused if f[1] == "ADR306"], focused  # DR-002, DR-004 resolve
    # DR-003-redis-streams.md exists only on main, so no ADR210 here: ADR601 is the signal
    assert sorted(set(focused)) == [("DR-001-postgres.md", "ADR602"),
                                    ("DR-003-kafka.md", "ADR601")]


def test_untracked_and_uncommitted_changes_count(repo: Path, cli) -> None:
    (repo / "decisions/DR-005-new.md").write_text(
        record("DR-005", "New", "proposed", "New.", "related: [DR-404]\n"))
    _, found = findings(cli, "--diff-base", "main")
    assert ("DR-005-new.md", "ADR306") in found


def test_no_id_conflict_when_base_has_none(repo: Path, cli) -> None:
    git(repo, "checkout", "-q", "-b", "other", "main~1")
    (repo / "decisions/DR-009-x.md").write_text(record("DR-009", "X", "proposed", "X."))
    _, found = findings(cli, "--diff-base", "main")
    assert ("DR-009-x.md", "ADR601") not in found


def test_pr_comment_lists_changed_records(repo: Path, cli) -> None:
    result = cli("lint", "--diff-base", "main", "--format", "pr-comment")
    text = result.output
    assert "| added | DR-003 | Use Kafka | proposed |" in text
    assert "| changed | DR-001 | Use Postgres | accepted |" in text
    assert "ADR601" in text and "Legacy" not in text


def test_bad_ref_and_not_a_repo_exit_2(repo: Path, cli, tmp_path_factory) -> None:
    result = cli("lint", "--diff-base", "no-such-branch")
    assert result.exit_code == 2
    assert "unknown git ref 'no-such-branch'" in result.output
    shutil.rmtree(repo / ".git")
    result = cli("lint", "--diff-base", "main")
    assert result.exit_code == 2
    assert "not inside a git repository" in result.output


def test_pr_comment_names_decisions_governing_changed_files(project, cli) -> None:
    import importlib.util

    root = project({
        ".adr.toml": 'dir = "decisions"\n',
        "decisions/DR-001-api.md": record("DR-001", "Use FastAPI", "accepted", "FastAPI.",
                                          "affects: [src/api/**]\n"),
        "src/api/app.py": "print('v1')\n",
        "src/web/page.py": "print('v1')\n",
    })
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "src/api/app.py").write_text("print('v2')\n")
    (root / "src/web/page.py").write_text("print('v2')\n")
    result = cli("lint", "--diff-base", "main", "--format", "pr-comment")
    assert result.exit_code == 0, result.output
    if importlib.util.find_spec("adr_tool.graph") is None:
        assert "governing" not in result.output  # no graph module: the section is left out
    else:
        assert "**Decisions governing the files this pull request changes**" in result.output
        assert "- `src/api/app.py`: DR-001 Use FastAPI (accepted)" in result.output
        assert "src/web/page.py" not in result.output
