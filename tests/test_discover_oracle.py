"""``sources.discover`` (one ``os.scandir`` walk) against the ``os.walk`` version it replaced.

Random trees of records, skipped names, hidden and ignored folders, and symlinks (inside,
outside, broken, looping, to folders) must give the same paths and the same notes, in the
same order (DR-022).
"""

from __future__ import annotations

import os
from pathlib import Path
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from adr_tool.diagnostics import Diagnostic, info, warning
from adr_tool.sources import (
    SKIP_DIRS,
    VISIBLE_HIDDEN_DIRS,
    discover,
    discover_files,
    display_path,
    is_skipped_name,
)

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt",
                                reason="needs POSIX symlinks")


def reference_discover(root: Path, extra_ignore: tuple[str, ...] | list[str] = ()
                       ) -> tuple[list[Path], list[Diagnostic]]:
    """The implementation before DR-022, verbatim."""
    notes: list[Diagnostic] = []
    found: list[Path] = []
    root_real = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in SKIP_DIRS and (not d.startswith(".") or d in VISIBLE_HIDDEN_DIRS)
        )
        for name in sorted(filenames):
            if not name.casefold().endswith(".md"):
                continue
            path = Path(dirpath) / name
            if is_skipped_name(name, extra_ignore):
                notes.append(info("ADR100", display_path(path), 1, 1,
                                  "skipped: not a decision record (README, index or template)"))
                continue
            if path.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    notes.append(warning("ADR101", display_path(path), 1, 1,
                                         "broken or looping symlink; skipped"))
                    continue
                if not target.is_relative_to(root_real):
                    notes.append(warning("ADR101", display_path(path), 1, 1,
                                         "symlink points outside the records folder; skipped"))
                    continue
            found.append(path)
    found.sort(key=lambda p: p.as_posix())
    return found, notes


FOLDERS = ["", "a", "a/b", "B", ".planning", ".hidden", "node_modules", "site", "a/.git", "z z"]
NAMES = ["0001-x.md", "DR-2.MD", "README.md", "template.md", "x-template.md", "notes.txt",
         "b.md", "A.md", "keep.j2", "custom-skip.md", "ünï.md"]
LINKS = ["inside-file", "outside-file", "broken", "loop", "folder", "outside-folder"]


@st.composite
def trees(draw: st.DrawFn) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    files = draw(st.lists(st.tuples(st.sampled_from(FOLDERS), st.sampled_from(NAMES)),
                          max_size=25, unique=True))
    links = draw(st.lists(st.tuples(st.sampled_from(FOLDERS),
                                    st.sampled_from(["l.md", "m.md", "dir.md", "lk"]),
                                    st.sampled_from(LINKS)),
                          max_size=6, unique_by=lambda t: (t[0], t[1])))
    return files, links


def _build(base: Path, files: list[tuple[str, str]], links: list[tuple[str, str, str]]) -> Path:
    root = base / "records"
    outside = base / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "secret.md").write_text("# secret\n")
    root.mkdir()
    (root / "real").mkdir()
    (root / "real" / "target.md").write_text("# t\n")
    for folder, name in files:
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_text(f"# {name}\n")
    for folder, name, kind in links:
        where = root / folder
        where.mkdir(parents=True, exist_ok=True)
        link = where / name
        if link.exists() or link.is_symlink():
            continue
        target = {
            "inside-file": root / "real" / "target.md",
            "outside-file": outside / "secret.md",
            "broken": root / "missing.md",
            "loop": link,
            "folder": root / "real",
            "outside-folder": outside / "sub",
        }[kind]
        link.symlink_to(target)
    return root


@settings(max_examples=120, deadline=None)
@given(trees(), st.booleans(), st.sampled_from(["absolute", "relative", "dot"]))
def test_discover_matches_os_walk_version(tree: tuple[list[tuple[str, str]],
                                                      list[tuple[str, str, str]]],
                                          extra: bool, where: str) -> None:
    files, links = tree
    ignore = ("custom-*.md",) if extra else ()
    with tempfile.TemporaryDirectory() as tmp:
        root = _build(Path(tmp), files, links)
        cwd = os.getcwd()
        try:
            if where == "relative":
                os.chdir(tmp)
                root = Path("records")
            elif where == "dot":
                os.chdir(root)
                root = Path(".")
            found = discover(root, ignore)
            assert found == reference_discover(root, ignore)
            # the patch build's string form (DR-020): str() of each path, same notes
            assert discover_files(root, ignore) == ([str(p) for p in found[0]], found[1])
        finally:
            os.chdir(cwd)


def test_unreadable_folder_is_left_out_like_os_walk(tmp_path: Path) -> None:
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "1.md").write_text("# one\n")
    closed = tmp_path / "closed"
    closed.mkdir()
    (closed / "2.md").write_text("# two\n")
    closed.chmod(0)
    try:
        assert discover(tmp_path) == reference_discover(tmp_path)
    finally:
        closed.chmod(0o755)


def test_missing_root_finds_nothing(tmp_path: Path) -> None:
    assert discover(tmp_path / "nope") == ([], []) == reference_discover(tmp_path / "nope")
