"""Shared fixtures: a temp project factory, a CLI runner, pinned width/colour/date."""

from __future__ import annotations

from collections.abc import Callable, Iterator
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ADR_SHARED_DIR") or REPO_ROOT.parent / "shared")
"""../shared beside the repo; ADR_SHARED_DIR overrides it (worktrees live elsewhere)."""
SEEDS = SHARED / "seeds"
CORPORA = SHARED / "corpora"


@pytest.fixture(scope="session")
def _user_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def _stable_env(monkeypatch: pytest.MonkeyPatch, _user_cache_home: Path) -> None:
    # the parse cache (DR-018) and its key live here, never in the tester's own ~/.cache
    monkeypatch.setenv("XDG_CACHE_HOME", str(_user_cache_home))
    monkeypatch.delenv("ADR_CACHE_DIR", raising=False)
    monkeypatch.delenv("ADR_NO_CACHE", raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("ADR_DEBUG", raising=False)


@pytest.fixture
def own_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user cache folder (parse cache, packs, key) of this test's own, so cache tests
    start cold and never see another test's entries."""
    home = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, str]], Path]:
    """Write a dict of relative path -> text into a temp project and chdir there."""
    monkeypatch.chdir(tmp_path)

    def make(files: dict[str, str]) -> Path:
        for rel, text in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return tmp_path

    return make


@pytest.fixture
def cli() -> Iterator[Callable[..., object]]:
    """Invoke the real Typer app; returns the click Result."""
    from adr_tool.cli import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> object:
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    yield invoke


def corpora_dirs() -> list[Path]:
    """Every corpus folder present in ../shared/corpora (empty when absent)."""
    if not CORPORA.is_dir():
        return []
    return sorted(p for p in CORPORA.iterdir() if p.is_dir())


os.environ.setdefault("ADR_TEST", "1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the long ``fuzz`` tests unless selected with ``-m fuzz`` (CI runs the quick ones)."""
    if "fuzz" in (config.getoption("markexpr", "") or ""):
        return
    skip = pytest.mark.skip(reason="long property run: select it with `pytest -m fuzz`")
    for item in items:
        if "fuzz" in item.keywords:
            item.add_marker(skip)
