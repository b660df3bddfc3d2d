"""1xx findings whose inputs cannot live in a text fixture, and lint over the real data."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import REPO_ROOT
import pytest


def _shared() -> Path:
    """ADR_SHARED_DIR, else ../shared from the checkout or from a worktree's parents."""
    if os.environ.get("ADR_SHARED_DIR"):
        return Path(os.environ["ADR_SHARED_DIR"])
    for folder in REPO_ROOT.parents:
        if (folder / "shared" / "seeds").is_dir() or (folder / "shared" / "corpora").is_dir():
            return folder / "shared"
    return REPO_ROOT.parent / "shared"


SEEDS = _shared() / "seeds"
CORPORA = _shared() / "corpora"


def corpora_dirs() -> list[Path]:
    return sorted(p for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.is_dir() else []


def _lint_dir(root: Path, **kwargs):
    from adr_tool.config import load_config
    from adr_tool.lint import run_lint
    from adr_tool.repository import load_repository

    config = load_config(root)
    return run_lint(load_repository(root / config.dir, config=config), **kwargs)


def test_unreadable_file_is_reported(project) -> None:
    from adr_tool.config import load_config
    from adr_tool.lint import run_lint
    from adr_tool.repository import Repository
    from adr_tool.sources import read_source

    root = project({})
    folder = root / "decisions" / "DR-001-x.md"
    folder.mkdir(parents=True)  # a directory where a record file should be: reading fails
    source = read_source(folder)
    repo = Repository(root=root / "decisions", config=load_config(root),
                      diagnostics=list(source.diagnostics))
    result = run_lint(repo)
    assert [(d.code, d.path, d.line) for d in result.diagnostics] == [
        ("ADR101", "decisions/DR-001-x.md", 1)]
    assert result.failed()


def test_too_large_file_is_reported(project) -> None:
    root = project({"decisions/DR-002-ok.md": "---\nid: DR-002\n---\n# DR-002: Fine\n"})
    big = root / "decisions" / "DR-001-big.md"
    big.write_bytes(b"# Big\n" + b"x" * (8 * 1024 * 1024 + 10))
    result = _lint_dir(root, select=["ADR104"])
    assert [(d.code, d.path) for d in result.diagnostics] == [("ADR104", "decisions/DR-001-big.md")]


def test_huge_frontmatter_is_reported(project) -> None:
    filler = "".join(f"k{i}: {'v' * 60}\n" for i in range(9000))
    root = project({"decisions/DR-001-x.md": f"---\nid: DR-001\n{filler}---\n# X\n",
                    "decisions/DR-002-ok.md": "---\nid: DR-002\n---\n# DR-002: Fine\n"})
    result = _lint_dir(root, select=["ADR112"])
    assert [(d.code, d.path, d.line) for d in result.diagnostics] == [
        ("ADR112", "decisions/DR-001-x.md", 2)]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is absent")
def test_seeds_yaml_error_in_004_and_nothing_false_on_003(cli, project) -> None:
    project({})
    seeds = sorted(str(p) for p in SEEDS.glob("*.txt"))
    result = cli("lint", "--format", "json", *seeds)
    import json

    payload = json.loads(result.output)
    found = [(Path(d["path"]).name, d["line"], d["code"]) for d in payload["diagnostics"]]
    assert ("004_453a25bed291d1e3.txt", 26, "ADR110") in found, result.output
    assert not [f for f in found if f[0].startswith("003_")], result.output
    assert result.exit_code == 1


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is absent")
@pytest.mark.parametrize("corpus", corpora_dirs(), ids=lambda p: p.name)
def test_corpus_lints_without_crash_and_every_finding_has_a_position(corpus: Path) -> None:
    from adr_tool.config import load_config
    from adr_tool.lint import run_lint
    from adr_tool.repository import load_repository

    target = corpus / ".planning" if (corpus / ".planning").is_dir() else corpus
    config = load_config(target, ignore=["SOURCE.md"])
    result = run_lint(load_repository(target, config=config))
    assert result.records
    for diag in result.diagnostics:
        assert diag.path and diag.line >= 1 and diag.column >= 1, diag
        assert diag.code.startswith("ADR") and diag.message, diag
