"""``adr new`` numbering: the one-pass name scan finds what matching names one by one finds."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
import re
import shutil
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from adr_tool.lifecycle import highest_number


def reference_highest(folder: Path, prefix: str) -> int:
    """The scan as it was before it joined the names: one regular expression per entry."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)(?:[-_. ]|$)", re.IGNORECASE)
    bare = re.compile(r"^(\d{1,5})[-_]")
    best = 0
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            match = pattern.match(entry.name) or bare.match(entry.name)
            if match:
                best = max(best, int(match[1]))
            elif entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                best = max(best, reference_highest(Path(entry.path), prefix))
    return best


PIECES = st.sampled_from(["DR-", "dr-", "Dr-", "ADR-", "0", "7", "12", "007", "123456", "٣",
                          "-", "_", ".", " ", "x", "md", "\n", ".hidden", "2024-01-01"])
NAMES = st.lists(PIECES, min_size=1, max_size=5).map("".join).filter(
    lambda n: n not in (".", "..") and "/" not in n)


@settings(max_examples=120, deadline=None)
@given(files=st.lists(NAMES, max_size=12, unique=True),
       folders=st.lists(st.tuples(NAMES, st.lists(NAMES, max_size=3, unique=True)), max_size=3),
       prefix=st.sampled_from(["DR-", "ADR-", "", "X."]))
def test_joined_scan_equals_one_by_one(files: list[str], folders: list[tuple[str, list[str]]],
                                       prefix: str) -> None:
    root = Path(tempfile.mkdtemp())
    try:
        for name in files:
            (root / name).write_text("x", encoding="utf-8")
        for name, inner in folders:
            sub = root / name
            if sub.exists():
                continue
            sub.mkdir()
            for child in inner:
                (sub / child).write_text("x", encoding="utf-8")
        assert highest_number(root, prefix) == reference_highest(root, prefix)
    finally:
        shutil.rmtree(root)


def test_missing_folder_is_zero(tmp_path: Path) -> None:
    assert highest_number(tmp_path / "nope", "DR-") == 0


def test_symlinked_folder_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "DR-900-far.md").write_text("x", encoding="utf-8")
    (tmp_path / "decisions").mkdir()
    (tmp_path / "decisions" / "DR-002-b.md").write_text("x", encoding="utf-8")
    (tmp_path / "decisions" / "link").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "decisions" / "sub").mkdir()
    (tmp_path / "decisions" / "sub" / "DR-005-c.md").write_text("x", encoding="utf-8")
    assert highest_number(tmp_path / "decisions", "DR-") == 5
