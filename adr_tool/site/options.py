"""What a site build is asked for (``SiteOptions``) and what it reports (``BuildResult``).

Kept apart from ``model`` and ``build`` so the patch build and ``adr build``'s pre-Typer
fast path (DR-020) can name them without importing the full build machinery.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class SiteOptions:
    """What the caller chose for this build."""

    out: Path
    base_url: str = "/"
    title: str | None = None
    live_reload: bool = False
    """Add the reload script that polls ``adr serve`` for a new build."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build produced, for the summary line and for tests."""

    out: Path
    index: Path
    pages: int
    """HTML pages written."""
    files: int
    """All files written (pages, assets, badges, media, feeds)."""
    records: int
    rendered: int
    """Pages rendered by Jinja in this build."""
    reused: int
    """Pages taken unchanged from the cache."""
    rendered_paths: tuple[str, ...]
    """Site paths of the pages rendered in this build (the rest came from the cache)."""
    bodies_rendered: int
    bodies_reused: int
    """Bodies taken from the cache, alone or as part of a reused record page."""
    seconds: float
    used_graph_module: bool
    scored_records: int
