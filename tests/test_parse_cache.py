"""The content-hash parse cache (DR-018): same results as a fresh parse, only changed files
re-parsed, and a planted or damaged pack is never trusted."""

from __future__ import annotations

from pathlib import Path
import pickle

import pytest
from support.projects import records_folder
from support.trap import Trap

from adr_tool.parse import ParseOptions
from adr_tool.parse.cache import MAC_SIZE, MAGIC, ParseCache, cache_root
from adr_tool.repository import load_repository, parse_files

RECORD = """---
id: DR-{n:03d}
title: Record {n}
status: accepted
date: 2024-01-0{n}
requires: [DR-001]
---

# DR-{n:03d}: Record {n}

## Context

Café ✅ text with a [link](DR-001-a.md) and `code`.

## Decision Criteria

| Criterion | Weight | A | B |
|---|---|---|---|
| Cost | High | ✅ | ❌ |

## Consequences

Done.
"""


pytestmark = pytest.mark.usefixtures("own_user_cache")


def _folder(tmp_path: Path, count: int = 3) -> Path:
    folder = records_folder(tmp_path)
    for n in range(1, count + 1):
        (folder / f"DR-{n:03d}-r{n}.md").write_text(RECORD.format(n=n), encoding="utf-8")
    (folder / "DR-009-broken.md").write_text("---\nid: [unclosed\n---\n# x\n", encoding="utf-8")
    return folder


def _snapshot(folder: Path, cache: bool) -> list[object]:
    repo = load_repository(folder, cache=cache)
    out: list[object] = [d.to_json() for d in repo.diagnostics]
    for r in repo.records:
        out.append(r.to_detail())
        out.append([(s.heading, s.text, s.text_line, s.end_line) for s in r.sections])
        out.append([(link.url, link.text, link.pos.line, link.pos.column) for link in r.links])
        out.append([(t.section, [c.text for c in t.header], [[(c.text, c.pos.line, c.pos.column)
                     for c in row] for row in t.rows]) for t in r.tables])
    return out


def _cache(folder: Path) -> ParseCache:
    return ParseCache(cache_root(folder), ParseOptions())


def _files(folder: Path) -> set[Path]:
    return set(folder.parent.rglob("*"))


def _packs(folder: Path) -> list[Path]:
    return list(cache_root(folder).glob("*.pickle"))


def test_cached_load_equals_fresh_parse(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    before = _files(folder)
    fresh = _snapshot(folder, cache=False)
    assert not _packs(folder)
    first = _snapshot(folder, cache=True)
    assert len(_packs(folder)) == 1
    assert _files(folder) == before  # the cache never writes into the project
    base = tmp_path / "user-cache" / "adr-tool"
    assert (base / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    second = _snapshot(folder, cache=True)
    assert fresh == first == second


def test_only_changed_files_are_parsed_again(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    paths = sorted(folder.glob("*.md"))
    cache_folder = cache_root(folder)
    parse_files(paths, ParseOptions(), cache_folder)
    cache = _cache(folder)
    assert cache.enabled
    edited = folder / "DR-002-r2.md"
    edited.write_text(RECORD.format(n=2).replace("title: Record 2", "title: Edited"), encoding="utf-8")
    results = parse_files(paths, ParseOptions(), cache_folder)
    titles = {r.record.id: r.record.title for r in results if r.record}
    assert titles["DR-002"] == "Edited"
    assert titles["DR-001"] == "Record 1"
    warm = _cache(folder)
    for path in paths:
        from adr_tool.parse.cache import file_key
        from adr_tool.sources import display_path

        assert warm.get(file_key(display_path(path), path.read_bytes())) is not None
    assert warm.hits == len(paths)


def test_planted_pack_is_never_unpickled(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    load_repository(folder, cache=True)
    packs = _packs(folder)
    assert len(packs) == 1
    marker = tmp_path / "pwned"

    payload = pickle.dumps(Trap(marker))
    packs[0].write_bytes(MAGIC + b"\0" * MAC_SIZE + payload)
    assert _snapshot(folder, cache=True) == _snapshot(folder, cache=False)
    assert not marker.exists()


@pytest.mark.parametrize("damage", [b"", b"garbage", MAGIC, MAGIC + b"x" * 100])
def test_damaged_pack_is_a_miss(tmp_path: Path, damage: bytes) -> None:
    folder = _folder(tmp_path)
    expected = _snapshot(folder, cache=True)
    for pack in _packs(folder):
        pack.write_bytes(damage)
    assert _snapshot(folder, cache=True) == expected


def test_truncated_signed_pack_is_a_miss(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    expected = _snapshot(folder, cache=True)
    for pack in _packs(folder):
        pack.write_bytes(pack.read_bytes()[:-10])
    assert _snapshot(folder, cache=True) == expected


def test_no_cache_env_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    monkeypatch.setenv("ADR_NO_CACHE", "1")
    load_repository(folder)
    assert not _packs(folder)


def test_cache_dir_override_and_deletion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("ADR_CACHE_DIR", str(elsewhere))
    expected = _snapshot(folder, cache=True)
    assert list((elsewhere / "parse").glob("*/*.pickle"))
    assert not list((tmp_path / "user-cache").rglob("*.pickle"))
    import shutil

    shutil.rmtree(elsewhere)
    assert _snapshot(folder, cache=True) == expected


def test_unwritable_cache_folder_is_harmless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("ADR_CACHE_DIR", str(blocker / "sub"))
    assert _snapshot(folder, cache=True) == _snapshot(folder, cache=False)


def test_no_user_key_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert not _cache(folder).enabled
    before = _files(folder)
    assert _snapshot(folder, cache=True) == _snapshot(folder, cache=False)
    assert _files(folder) == before
