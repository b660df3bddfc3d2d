"""A project folder the cache tests fill: ``proj/.adr.toml`` and an empty ``proj/decisions``."""

from __future__ import annotations

from pathlib import Path


def records_folder(tmp_path: Path) -> Path:
    """Make ``tmp_path/proj`` with a config naming ``decisions``; return that empty folder."""
    folder = tmp_path / "proj" / "decisions"
    folder.mkdir(parents=True)
    (folder.parent / ".adr.toml").write_text('dir = "decisions"\n', encoding="utf-8")
    return folder
