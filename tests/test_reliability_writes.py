"""Writers: atomic under SIGKILL, safe under 20 concurrent ``adr new``, minimal edits."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from adr_tool.parse import parse_text

WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from adr_tool.writes import atomic_write
    path, size = Path(sys.argv[1]), int(sys.argv[2])
    n = int(path.read_text(encoding="utf-8").split()[1])
    while True:
        n += 1
        atomic_write(path, f"VERSION {n}\\n" + chr(65 + n % 26) * size + f"\\nEND {n}\\n")
        print(n, flush=True)
""")


def version_of(text: str, size: int) -> int:
    """The version number of a complete file; fails on a partial or mixed one."""
    head = text.partition("\n")[0]
    number = int(head.split()[1])
    assert text == f"VERSION {number}\n" + chr(65 + number % 26) * size + f"\nEND {number}\n", (
        f"partial or mixed file: {len(text)} chars, starts {text[:20]!r}, ends {text[-20:]!r}")
    return number


def test_sigkill_during_atomic_write_leaves_old_or_new(tmp_path: Path) -> None:
    size = 8 * 1024 * 1024
    target = tmp_path / "DR-001-x.md"
    target.write_text("VERSION 0\n" + "A" * size + "\nEND 0\n", encoding="utf-8")
    rng = random.Random(8)
    seen = 0
    kills = 25
    for _ in range(kills):
        before = version_of(target.read_text(encoding="utf-8"), size)
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(size)],
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        child.stdout.readline()  # at least one write finished: the next one is in flight
        time.sleep(rng.uniform(0, 0.15))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        after = version_of(target.read_text(encoding="utf-8"), size)
        assert after > before
        seen += 1
    assert seen == kills
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p != target)
    # a killed writer can leave its hidden temp file; nothing else, and never under the real name
    assert all(name.startswith(".DR-001-x.md.") and name.endswith(".tmp") for name in leftovers), leftovers


def test_stale_temp_files_are_swept(tmp_path: Path) -> None:
    from adr_tool.writes import STALE_TEMP_SECONDS, atomic_write

    target = tmp_path / "DR-001-x.md"
    stale = tmp_path / ".DR-001-x.md.abc123.tmp"
    fresh = tmp_path / ".DR-001-x.md.def456.tmp"
    other = tmp_path / ".DR-002-y.md.ghi789.tmp"
    for path in (stale, fresh, other):
        path.write_text("half", encoding="utf-8")
    old = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    atomic_write(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert not stale.exists()  # a dead writer's leftover for this file
    assert fresh.exists()  # may belong to a writer still running
    assert other.exists()  # another file's business


def run_new(folder: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1", "ADR_DEBUG": "1"}
    return subprocess.Popen([sys.executable, "-m", "adr_tool", "new", *args, "--dir", "decisions"],
                            cwd=folder.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_twenty_concurrent_adr_new(tmp_path: Path) -> None:
    folder = tmp_path / "decisions"
    folder.mkdir()
    (folder / "DR-001-first.md").write_text(
        "---\nid: DR-001\ntitle: First\nstatus: accepted\n---\n# DR-001: First\n", encoding="utf-8")
    procs = [run_new(folder, f"Concurrent decision {i}") for i in range(20)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 20, [err for _, err in outputs]
    printed = sorted(out.strip() for out, _ in outputs)
    assert len(set(printed)) == 20
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 21, files
    ids, titles = [], []
    for path in folder.iterdir():
        record = parse_text(path.read_text(encoding="utf-8"), path.name).record
        assert record is not None
        ids.append(record.id)
        titles.append(record.title)
        assert path.name.startswith(record.id + "-")
    assert sorted(ids) == [f"DR-{n:03d}" for n in range(1, 22)]
    assert sorted(titles) == sorted(["First", *(f"Concurrent decision {i}" for i in range(20))])


def test_killed_adr_new_never_leaves_a_partial_record(tmp_path: Path) -> None:
    folder = tmp_path / "decisions"
    folder.mkdir()
    rng = random.Random(3)
    for i in range(10):
        proc = run_new(folder, f"Killed {i}")
        time.sleep(rng.uniform(0.2, 1.0))
        proc.kill()
        proc.communicate(timeout=30)
    for path in folder.glob("DR-*.md"):
        text = path.read_text(encoding="utf-8")
        assert text.rstrip().endswith("What becomes easier or more difficult to do because of this change?"), path
    numbers = sorted(int(p.name[3:6]) for p in folder.glob("DR-*.md"))
    assert numbers == list(range(1, len(numbers) + 1))


OLD_RECORD = """\
---
# Decision record kept by hand; comments must survive.
title: 'Use Redis: for the queue'   # quoted on purpose
id: DR-002
status: accepted  # was proposed until March
tags:
  - infra   # the main one
  - queue
date: 2024-01-05
custom_key: {a: 1, b: [x, y]}
---

# DR-002: Use Redis

---
status: not frontmatter, a thematic break and a line in the body
---

Trailing spaces here:   \t
No newline at the end"""


@pytest.mark.parametrize(("newline", "bom"), [("\n", ""), ("\r\n", ""), ("\r\n", "\ufeff")])
def test_supersede_rewrites_only_the_changed_keys(tmp_path: Path, newline: str, bom: str,
                                                  monkeypatch: pytest.MonkeyPatch, cli: object) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "decisions"
    folder.mkdir()
    old = folder / "DR-002-use-redis.md"
    old.write_bytes((bom + OLD_RECORD.replace("\n", newline)).encode())
    result = cli("new", "Use Postgres", "--supersedes", "DR-002", "--dir", "decisions")  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    after = old.read_bytes().decode()
    before = bom + OLD_RECORD.replace("\n", newline)
    changed = [line for line in difflib.ndiff(before.split(newline), after.split(newline))
               if line[:1] in "+-"]
    assert changed == ["- status: accepted  # was proposed until March",
                       "+ status: superseded  # was proposed until March", "+ superseded_by: [DR-003]"]
    body_start = before.index("# DR-002")
    assert after[after.index("# DR-002"):] == before[body_start:]  # body byte-for-byte


@pytest.mark.parametrize(("text", "status_line"), [
    ("# DR-002: Use Redis\n\n**Status:** ✅ **Accepted**\n**Date:** 2024-01-05\n\n## Context\n\nx\n",
     "**Status:**"),
    ("# 2. Use Redis\n\nDate: 2024-01-05\n\n## Status\n\nAccepted\n\n## Context\n\nx\n", "Superseded"),
])
def test_supersede_header_records_changes_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   cli: object, text: str, status_line: str) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "decisions"
    folder.mkdir()
    old = folder / "DR-002-use-redis.md"
    old.write_text(text, encoding="utf-8")
    result = cli("new", "Use Postgres", "--supersedes", "DR-002", "--dir", "decisions")  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    after = old.read_text(encoding="utf-8").split("\n")
    before = text.split("\n")
    assert len(after) == len(before)
    differing = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert len(differing) == 1, differing
    changed = differing[0][1]
    assert changed.startswith(status_line) and "Superseded" in changed and "DR-003" in changed, changed
