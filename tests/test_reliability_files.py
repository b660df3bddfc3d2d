"""Odd files in the records folder: encodings, binaries, symlinks, permissions, names.

Each becomes a diagnostic (or a note) with file and line; the rest of the folder loads.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.pipeline import misplaced, run_pipeline

from adr_tool.repository import load_repository

GOOD = "---\nid: DR-001\ntitle: Good\nstatus: accepted\n---\n# Good\n"


def record(number: int, title: str = "T") -> str:
    return f"---\nid: DR-{number:03d}\ntitle: {title}\nstatus: proposed\n---\n# {title}\n\n## Context\n\nx\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "decisions"
    path.mkdir()
    (path / "DR-001-good.md").write_text(GOOD, encoding="utf-8")
    return path


def load(folder: Path) -> tuple[list[str], dict[str, list[tuple[str, int]]]]:
    """Ids read, and diagnostics+notes by file name, after a full pipeline run."""
    result = run_pipeline(Path("decisions"))
    assert not misplaced(result.diagnostics, Path("decisions"))
    by_file: dict[str, list[tuple[str, int]]] = {}
    for diag in result.diagnostics:
        by_file.setdefault(Path(diag.path).name, []).append((diag.code, diag.line))
    # lint (when merged) reports load findings again under its rule name: compare (code, line) sets
    return sorted(r.id for r in result.repo.records), {k: sorted(set(v)) for k, v in by_file.items()}


@pytest.mark.parametrize(("content", "code", "line"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "ADR102", 3),
    (b"---\nid: DR-002\n---\n\x00\x01\x02", "ADR102", 4),
    (b"---\nid: DR-002\ntitle: caf\xe9\n---\n# T\n", "ADR103", 3),
    (b"---\nid: DR-002\n---\n# T\n\nok\n\xc3\x28 bad\n", "ADR103", 7),
    (b"\xff\xfe" + "---\nid: DR-002\ntitle: UTF-16 \u00e9\n---\n# T\n".encode("utf-16-le"), "ADR103", 1),
    (b"\xfe\xff" + "---\nid: DR-002\n---\n# T\n".encode("utf-16-be"), "ADR103", 1),
    (b"\xff\xfe\x00", "ADR102", 1),
])
def test_bad_bytes_become_diagnostics(folder: Path, content: bytes, code: str, line: int) -> None:
    (folder / "DR-002-bad.md").write_bytes(content)
    ids, diags = load(folder)
    assert "DR-001" in ids
    assert (code, line) in diags["DR-002-bad.md"]


def test_utf16_record_is_read(folder: Path) -> None:
    text = "---\nid: DR-002\ntitle: Résumé\nstatus: accepted\n---\n# Résumé\n"
    (folder / "DR-002-utf16.md").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    (folder / "DR-003-bom.md").write_bytes(b"\xef\xbb\xbf" + record(3).encode())
    (folder / "DR-004-crlf.md").write_bytes(record(4).replace("\n", "\r\n").encode())
    repo = load_repository(Path("decisions"))
    titles = {r.id: r.title for r in repo.records}
    assert titles["DR-002"] == "Résumé" and titles["DR-003"] == "T" and titles["DR-004"] == "T"


def test_symlinks_loops_outside_and_broken(folder: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\nid: SECRET-1\ntitle: outside\n---\n", encoding="utf-8")
    (folder / "DR-002-outside.md").symlink_to(secret)
    (folder / "DR-003-broken.md").symlink_to(folder / "nowhere.md")
    (folder / "DR-004-loop.md").symlink_to(folder / "DR-004-loop.md")
    (folder / "DR-005-a.md").symlink_to(folder / "DR-006-b.md")
    (folder / "DR-006-b.md").symlink_to(folder / "DR-005-a.md")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder)  # directory loop: not followed
    (folder / "etc").symlink_to("/etc")  # directory outside: not followed
    (folder / "DR-007-inside.md").symlink_to(folder / "DR-001-good.md")
    ids, diags = load(folder)
    assert "SECRET-1" not in ids
    for name in ("DR-002-outside.md", "DR-003-broken.md", "DR-004-loop.md", "DR-005-a.md",
                 "DR-006-b.md"):
        assert diags[name] == [("ADR101", 1)], name
    assert ids == ["DR-001", "DR-001"]  # a link inside the folder is read (lint flags the duplicate)


def test_fifo_device_and_directory_named_like_records(folder: Path) -> None:
    os.mkfifo(folder / "DR-002-fifo.md")
    (folder / "DR-003-zero.md").symlink_to("/dev/zero")
    (folder / "DR-004-dir.md").mkdir()
    explicit = load_repository(files=[folder / "DR-002-fifo.md", Path("/dev/zero")])
    assert [d.code for d in explicit.diagnostics] == ["ADR101", "ADR101"]
    ids, diags = load(folder)
    assert ids == ["DR-001"]
    assert diags["DR-002-fifo.md"] == [("ADR101", 1)]
    assert diags["DR-003-zero.md"] == [("ADR101", 1)]  # points outside the folder


def _root_can_read_anything() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.mark.skipif(_root_can_read_anything(),
                    reason="running as root: chmod 000 does not stop root reading (CAP_DAC_OVERRIDE)")
def test_unreadable_file_and_folder(folder: Path) -> None:
    locked = folder / "DR-002-locked.md"
    locked.write_text(record(2), encoding="utf-8")
    locked.chmod(0)
    closed = folder / "closed"
    closed.mkdir()
    (closed / "DR-003-hidden.md").write_text(record(3), encoding="utf-8")
    closed.chmod(0)
    try:
        ids, diags = load(folder)
    finally:
        locked.chmod(0o644)
        closed.chmod(0o755)
    assert ids == ["DR-001"]
    assert diags["DR-002-locked.md"] == [("ADR101", 1)]


def test_unreadable_file_as_root_is_simulated(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads chmod 000 files, so the permission error is injected at the one read."""
    (folder / "DR-002-locked.md").write_text(record(2), encoding="utf-8")
    real_open = os.open

    def deny(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path).endswith("DR-002-locked.md"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", deny)
    ids, diags = load(folder)
    assert ids == ["DR-001"]
    assert diags["DR-002-locked.md"] == [("ADR101", 1)]


@pytest.mark.parametrize("name", [
    "DR-002 with spaces.md", "DR-002-décision-ü.md", "DR-002-決定.md", "DR-002-\u202eevil.md",
    "DR-002-'quote\".md", "DR-002-semi;colon&amp.md", "DR-002-$(touch pwned).md", "DR-002-\t tab.md",
    "DR-002-" + "x" * 240 + ".md",
])
def test_odd_file_names(folder: Path, name: str) -> None:
    (folder / name).write_text(record(2, "Odd"), encoding="utf-8")
    ids, _ = load(folder)
    assert ids == ["DR-001", "DR-002"]
    assert not Path("pwned").exists()


def test_non_utf8_file_name(folder: Path) -> None:
    name = os.fsencode(folder) + b"/DR-002-\xff\xfe.md"
    with open(name, "wb") as fh:
        fh.write(record(2).encode())
    ids, _ = load(folder)
    assert ids == ["DR-001", "DR-002"]
