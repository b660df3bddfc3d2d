"""Run every stage that exists on this branch over a folder: load -> lint -> score -> graph -> site.

Stages are feature-detected (importlib.util.find_spec), so the hostile-input tests written
against the foundation cover lint, scoring, graph and the site as soon as they are merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import importlib
import importlib.util
from pathlib import Path
import tempfile
from typing import Any

from adr_tool.diagnostics import Diagnostic
from adr_tool.repository import Repository, load_repository


def has_module(name: str) -> bool:
    """True when *name* can be imported (its parent package must exist too)."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def site_builder() -> Any | None:
    """The site build function (``adr_tool.site.build_site``)."""
    if not has_module("adr_tool.site"):
        return None
    from adr_tool.site.build import build_site as builder

    return builder


def build_site(repo: Repository, out: Path) -> Any:
    """Build the site of *repo* into *out* without a cache (each test starts clean)."""
    from adr_tool.site.build import build_site as builder
    from adr_tool.site.model import SiteOptions

    return builder(repo, SiteOptions(out=out), cache_dir=False)


@dataclass(slots=True)
class PipelineResult:
    """What the stages produced: the repository, every diagnostic, and which stages ran."""

    repo: Repository
    diagnostics: list[Diagnostic] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)


def run_pipeline(folder: Path, *, site: bool = True) -> PipelineResult:
    """Load *folder* and push it through every stage present; exceptions propagate (that's the test)."""
    repo = load_repository(folder)
    result = PipelineResult(repo, [*repo.diagnostics, *repo.notes], ["load"])
    if has_module("adr_tool.lint"):
        from adr_tool.lint import run_lint  # type: ignore[attr-defined]

        result.diagnostics.extend(run_lint(repo).diagnostics)
        result.stages.append("lint")
    if has_module("adr_tool.scoring"):
        from adr_tool.scoring import score_record  # type: ignore[import-not-found]

        for record in repo.records:
            result.diagnostics.extend(score_record(record, repo.config).diagnostics)
        result.stages.append("score")
    if has_module("adr_tool.graph"):
        from adr_tool.graph import build_graph  # type: ignore[import-not-found]

        graph = build_graph(repo)
        graph.to_json()
        result.diagnostics.extend(graph.diagnostics)
        result.stages.append("graph")
    result.diagnostics = list(dict.fromkeys(result.diagnostics))  # lint repeats load findings
    if site and site_builder() is not None:
        with tempfile.TemporaryDirectory(prefix="adr-site-") as out:
            build_site(repo, Path(out) / "site")
        result.stages.append("site")
    return result


def line_counts(folder: Path) -> dict[str, int]:
    """Lines per file as the tool counts them (decoded text, LF-normalised), by display path."""
    from adr_tool.sources import display_path, read_source

    counts: dict[str, int] = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            source = read_source(path)
            raw_lines = path.read_bytes().count(b"\n") + 1
            counts[display_path(path)] = max(source.text.count("\n") + 1, raw_lines)
    return counts


def misplaced(diagnostics: list[Diagnostic], folder: Path) -> list[str]:
    """Diagnostics that do not point inside their file (1 <= line <= lines + 1, column >= 1)."""
    counts = line_counts(folder)
    bad = []
    for diag in diagnostics:
        limit = counts.get(diag.path)
        if diag.column < 1 or diag.line < 1 or (limit is not None and diag.line > limit + 1):
            bad.append(f"{diag.location()} {diag.code} (file has {limit} lines): {diag.message}")
    return bad
