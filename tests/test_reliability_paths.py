"""Path safety: titles, ids, prefixes, template names and references stay inside their folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from adr_tool.config import Config
from adr_tool.errors import AdrError
from adr_tool.lifecycle import new_record


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp/outside/ and tmp/project/decisions/; the test runs in project/."""
    (tmp_path / "outside").mkdir()
    project = tmp_path / "project"
    (project / "decisions").mkdir(parents=True)
    monkeypatch.chdir(project)
    return tmp_path


@pytest.mark.parametrize("title", [
    "../../outside/evil", "/etc/passwd", "..", "../..", "./.", "a/b\\c", "~/x", "C:\\Windows\\x",
    "%2e%2e%2fescape", "..\u2215..\u2215x", "\u202e../evil", "CON", ".hidden", "-rf /", "x" * 5000,
    "\n\n../x\r\n", "決定/../../x",
])
def test_titles_cannot_escape(sandbox: Path, cli: object, title: str) -> None:
    result = cli("new", "--", title)  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    created = Path(result.output.strip())
    assert created.parent == Path("decisions")
    assert created.name.startswith("DR-001-") and created.suffix == ".md"
    assert len(created.name.encode()) <= 255
    assert files_under(sandbox / "outside") == set()
    assert files_under(sandbox / "project") == {"decisions/" + created.name}


@pytest.mark.parametrize("title", ["a\x00b", "\x00", "   ", ""])
def test_bad_titles_are_refused(sandbox: Path, cli: object, title: str) -> None:
    result = cli("new", "--", title)  # type: ignore[operator]
    assert result.exit_code == 1
    assert files_under(sandbox / "project") == set()


@pytest.mark.parametrize("template", [
    "../../etc/passwd", "/etc/passwd", "..", "../record/dr", "dr/../../x", "dr\x00", "~root",
    "%2e%2e/x", ".hidden", "dr.md.j2/../../../x",
])
def test_template_names_cannot_escape(sandbox: Path, cli: object, template: str) -> None:
    result = cli("new", "T", "--template", template)  # type: ignore[operator]
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert files_under(sandbox / "project") == set()


@pytest.mark.parametrize("prefix", ["../../outside/pwn-", "/tmp/pwn-", "..", "a/b-", "a\\b-", "x\x00-",
                                    "../", ".", "-"])
def test_config_prefix_cannot_escape(sandbox: Path, prefix: str) -> None:
    config = Config(prefix=prefix, root=sandbox / "project")
    with pytest.raises(AdrError, match="prefix"):
        new_record("T", config, Path("decisions"))
    assert files_under(sandbox) == set()


def test_prefix_from_a_config_file_is_refused_by_the_cli(sandbox: Path, cli: object) -> None:
    (sandbox / "project" / ".adr.toml").write_text('prefix = "../../outside/pwn-"\n', encoding="utf-8")
    result = cli("new", "Escape")  # type: ignore[operator]
    assert result.exit_code == 1
    assert "invalid id prefix" in result.output
    assert files_under(sandbox / "outside") == set()


@pytest.mark.parametrize("ref", ["../../outside/victim", "/etc/passwd", "../outside/victim.md", "DR-9\x00"])
def test_supersedes_reference_cannot_reach_outside(sandbox: Path, cli: object, ref: str) -> None:
    victim = sandbox / "outside" / "victim.md"
    victim.write_text("---\nid: victim\ntitle: V\nstatus: accepted\n---\n# V\n", encoding="utf-8")
    before = victim.read_bytes()
    result = cli("new", "T", "--supersedes", ref)  # type: ignore[operator]
    assert result.exit_code == 1, result.output
    assert victim.read_bytes() == before
    assert files_under(sandbox / "project") == set()


def test_ids_with_path_characters_do_not_name_files(sandbox: Path, cli: object) -> None:
    """A record's id is data: show/list print it, nothing builds a path from it."""
    (sandbox / "project" / "decisions" / "DR-001-x.md").write_text(
        "---\nid: ../../outside/pwn\ntitle: X\nstatus: accepted\n---\n# X\n", encoding="utf-8")
    result = cli("list", "--format", "json")  # type: ignore[operator]
    assert result.exit_code == 0
    result = cli("new", "Next")  # type: ignore[operator]
    assert result.exit_code == 0
    assert Path(result.output.strip()).parent == Path("decisions")
    assert files_under(sandbox / "outside") == set()
