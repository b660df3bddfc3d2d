"""The parse pack written as a stream of segments (DR-018, 2026-12-03): a pool load keeps
its workers' pickled chunks as they are, the next load reads them back, and a pack whose
signature does not cover what is in it is never unpickled."""

from __future__ import annotations

from pathlib import Path
import pickle

import pytest
from support.projects import records_folder
from support.trap import Trap

from adr_tool import repository
from adr_tool.parse import ParseOptions
from adr_tool.parse.cache import MAC_SIZE, MAGIC, ParseCache, cache_root, file_key
from adr_tool.repository import load_repository, parse_files
from adr_tool.sources import display_path

RECORD = """---
id: DR-{n:03d}
title: Record {n}
status: accepted
date: 2024-01-01
---

# DR-{n:03d}: Record {n}

## Context

Café ✅ text {n}, see [the first](DR-001-r1.md).
"""
COUNT = 40


@pytest.fixture(autouse=True)
def _pool_on_small_folders(own_user_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repository, "PARALLEL_THRESHOLD", 8)  # the pool path, on small folders
    monkeypatch.setattr(repository, "_cores", lambda: 2)


def _folder(tmp_path: Path) -> Path:
    folder = records_folder(tmp_path)
    for n in range(1, COUNT + 1):
        (folder / f"DR-{n:03d}-r{n}.md").write_text(RECORD.format(n=n), encoding="utf-8")
    return folder


def _loaded(folder: Path, cache: bool) -> list[object]:
    repo = load_repository(folder, cache=cache)
    return [d.to_json() for d in repo.diagnostics] + [r.to_detail() for r in repo.records]


def _pack(folder: Path) -> Path:
    packs = list(cache_root(folder).glob("*.pickle"))
    assert len(packs) == 1
    return packs[0]


def _segments(pack: Path) -> int:
    """How many pickles follow the header (the signature is checked by the tests that load)."""
    with pack.open("rb") as fh:
        fh.seek(len(MAGIC) + MAC_SIZE)
        end = pack.stat().st_size
        count = 0
        while fh.tell() < end:
            pickle.load(fh)
            count += 1
    return count


def _hits(folder: Path) -> int:
    cache = ParseCache(cache_root(folder), ParseOptions())
    for path in sorted(folder.glob("*.md")):
        cache.get(file_key(display_path(path), path.read_bytes()))
    return cache.hits


def test_pool_load_streams_a_pack_that_reads_back(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    fresh = _loaded(folder, cache=False)
    assert _loaded(folder, cache=True) == fresh
    data = _pack(folder).read_bytes()
    assert data.startswith(MAGIC)
    assert _segments(_pack(folder)) == 3  # one per chunk of 16 files, as the workers made them
    assert _hits(folder) == COUNT
    assert _loaded(folder, cache=True) == fresh
    assert not [p for p in cache_root(folder).iterdir() if p.name.endswith(".tmp")]


def test_pack_of_streamed_and_kept_entries(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    paths = sorted(folder.glob("*.md"))
    parse_files(paths, ParseOptions(), cache_root(folder))
    # nine edits: parsed in the pool (streamed), the other 31 kept from the last pack
    for path in paths[:9]:
        path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    results = parse_files(paths, ParseOptions(), cache_root(folder))
    assert all(r.record is not None and r.record.body.endswith("Edited.\n") for r in results[:9])
    assert _segments(_pack(folder)) == 2  # the pool's chunk, then the entries kept
    assert _hits(folder) == COUNT
    assert _loaded(folder, cache=True) == _loaded(folder, cache=False)


@pytest.mark.parametrize("at", [0, 1, -1])
def test_tampered_streamed_pack_is_ignored(tmp_path: Path, at: int) -> None:
    folder = _folder(tmp_path)
    fresh = _loaded(folder, cache=True)
    pack = _pack(folder)
    data = bytearray(pack.read_bytes())
    head = len(MAGIC) + MAC_SIZE
    spot = {0: head + 10, 1: (head + len(data)) // 2, -1: len(data) - 1}[at]
    data[spot] ^= 0x01
    pack.write_bytes(bytes(data))
    assert _hits(folder) == 0
    assert _loaded(folder, cache=True) == fresh


def test_segment_appended_without_a_signature_is_never_unpickled(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    fresh = _loaded(folder, cache=True)
    marker = tmp_path / "pwned"

    pack = _pack(folder)
    pack.write_bytes(pack.read_bytes() + pickle.dumps([(b"k" * 20, Trap(marker))]))
    assert _hits(folder) == 0
    assert _loaded(folder, cache=True) == fresh
    assert not marker.exists()


def test_failed_pool_load_leaves_the_last_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    _loaded(folder, cache=True)
    before = _pack(folder).read_bytes()
    for path in sorted(folder.glob("*.md"))[:20]:
        path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    calls: list[int] = []
    real = ParseCache.add_segment

    def failing(self: ParseCache, segment: bytes, keys: list[bytes]) -> None:
        real(self, segment, keys)
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("stop")

    monkeypatch.setattr(ParseCache, "add_segment", failing)
    with pytest.raises(RuntimeError):
        load_repository(folder, cache=True)
    assert _pack(folder).read_bytes() == before
    assert not [p for p in cache_root(folder).iterdir() if p.name.endswith(".tmp")]
