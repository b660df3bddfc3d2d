"""The site's content cache: flat entry folders, pruning that touches only entries, and
the signed pack of intermediate entries (bodies, scores, drawings)."""

from __future__ import annotations

from collections.abc import Callable
import os
from pathlib import Path
import shutil
import struct

import pytest

from adr_tool.repository import load_repository
import adr_tool.signing
from adr_tool.site import SiteOptions, build_site
from adr_tool.site.cache import PACK, PACKED, ContentCache, content_key
import adr_tool.site.writer

FIXTURE = Path(__file__).parent / "fixtures" / "site_project"


def test_entries_live_in_one_flat_folder_per_namespace(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path / "cache")
    key = content_key("a page")
    path = cache.store("pages", key, b"<p>a page</p>")
    assert path == str(tmp_path / "cache" / "pages" / key)
    assert cache.get("pages", key) == b"<p>a page</p>"
    assert cache.lookup("pages", key) == path


def packed_build(root: Path, entries: dict[tuple[str, str], bytes]) -> ContentCache:
    """A build that stores *entries* and saves the pack as ``build_site`` does."""
    cache = ContentCache(root)
    for (namespace, key), data in entries.items():
        assert cache.get(namespace, key) is None
        cache.store(namespace, key, data)
    cache.prune()
    cache.save_pack()
    return cache


def some_entries(n: int = 3) -> dict[tuple[str, str], bytes]:
    return {(namespace, content_key(namespace, str(i))): f"{namespace} {i} \0 ü".encode() * (i + 1)
            for namespace in sorted(PACKED) for i in range(n)}


@pytest.mark.parametrize("searches", [64, 2, 0], ids=["searched", "then a dict", "a dict"])
def test_intermediate_entries_go_to_one_pack_that_the_next_build_reads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, searches: int) -> None:
    monkeypatch.setattr("adr_tool.site.cache._SEARCHES", searches)
    root = tmp_path / "cache"
    entries = some_entries()
    packed_build(root, entries)
    assert sorted(p.name for p in root.iterdir()) == [PACK]  # no file per entry, no folder
    assert oct((root / PACK).stat().st_mode & 0o777) == "0o600"
    second = ContentCache(root)
    for (namespace, key), data in entries.items():
        assert second.get(namespace, key) == data
    assert sum(second.hits.values()) == len(entries) and not second.misses
    with pytest.raises(AssertionError):
        second.lookup("bodies", next(iter(entries))[1])  # a packed entry has no file to link


def test_the_pack_keeps_what_a_build_used_and_drops_the_rest(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    entries = some_entries()
    packed_build(root, entries)
    (kept_ns, kept), (dropped_ns, dropped) = list(entries)[:2]
    new = ("svg", content_key("new"))
    second = ContentCache(root)
    assert second.get(kept_ns, kept) == entries[kept_ns, kept]
    second.store(*new, b"<svg/>")
    second.prune()
    second.save_pack()
    third = ContentCache(root)
    assert third.get(kept_ns, kept) == entries[kept_ns, kept]
    assert third.get(*new) == b"<svg/>"
    assert third.get(dropped_ns, dropped) is None


def test_an_unchanged_pack_is_not_written_again(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    entries = some_entries()
    packed_build(root, entries)
    before = (root / PACK).stat().st_ino
    second = ContentCache(root)
    for namespace, key in entries:
        second.get(namespace, key)
    second.save_pack()
    assert (root / PACK).stat().st_ino == before


def test_large_packs_are_written_through_a_temp_file_that_a_failed_build_removes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("adr_tool.site.cache._PACK_FLUSH", 10)
    root = tmp_path / "cache"
    entries = some_entries(20)
    packed_build(root, entries)
    assert all(ContentCache(root).get(ns, key) == data for (ns, key), data in entries.items())
    failed = ContentCache(root)
    failed.store("bodies", content_key("lost"), b"x" * 100)
    assert [p.name for p in root.iterdir() if p.name != PACK]  # the temp pack
    failed.discard_pack()
    assert [p.name for p in root.iterdir()] == [PACK]


def damage_flip(data: bytes) -> bytes:
    return data[:40] + bytes([data[40] ^ 1]) + data[41:]


def damage_swap(data: bytes) -> bytes:
    """Swap the keys of the first two index rows: each entry now claims the other's key."""
    at, _count, _end = struct.unpack("<QI8s", data[-20:])
    row = 45
    first, second = data[at:at + row], data[at + row:at + 2 * row]
    first, second = second[:33] + first[33:], first[:33] + second[33:]
    return data[:at] + first + second + data[at + 2 * row:]


@pytest.mark.parametrize("damage", [
    lambda data: b"garbage",
    lambda data: data[:-7],
    lambda data: data[: len(data) // 2] + data[len(data) // 2 + 1:],
    damage_flip,
    damage_swap,
    lambda data: data[:-20] + struct.pack("<QI8s", 16, 10**6, b"adr-pk1\n"),
], ids=["garbage", "truncated", "a byte gone", "a byte changed", "keys swapped", "bad footer"])
def test_a_damaged_pack_is_a_miss(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    root = tmp_path / "cache"
    entries = some_entries()
    packed_build(root, entries)
    pack = root / PACK
    pack.write_bytes(damage(pack.read_bytes()))
    cache = ContentCache(root)
    found = {entry: cache.get(*entry) for entry in entries}
    assert all(data is None or data == entries[entry] for entry, data in found.items())
    assert None in found.values()
    cache.save_pack()  # and the next build starts from what verified


def test_a_pack_signed_with_another_key_is_never_read(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "cache"
    entries = some_entries()
    with monkeypatch.context() as m:
        m.setattr(adr_tool.signing, "user_key", lambda: b"k" * 32)
        packed_build(root, entries)  # planted: a valid pack made with someone else's key
    cache = ContentCache(root)
    assert all(cache.get(*entry) is None for entry in entries)


def test_without_a_user_key_intermediate_entries_are_files(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(adr_tool.signing, "user_key", lambda: None)
    root = tmp_path / "cache"
    entries = some_entries()
    packed_build(root, entries)
    assert not (root / PACK).exists()
    cache = ContentCache(root)
    assert all(cache.get(*entry) == data for entry, data in entries.items())


def test_prune_removes_entry_files_of_the_layout_before_the_pack(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    (root / "bodies").mkdir(parents=True)
    (root / "bodies" / content_key("old")).write_bytes(b"old body")
    (root / f".{PACK}.tmp-stale").write_bytes(b"left by a killed build")
    os.utime(root / f".{PACK}.tmp-stale", (1, 1))
    packed_build(root, some_entries())
    assert sorted(p.name for p in root.iterdir()) == [PACK]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("threshold", ["1", "1000000"], ids=["pool", "serial"])
def test_site_builds_whatever_happens_to_the_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  threshold: str) -> None:
    """Cold, warm, with a planted pack, and with the cache deleted half-way: the same site."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    monkeypatch.chdir(project)
    monkeypatch.setenv("ADR_PARALLEL_PAGES", threshold)
    cache = tmp_path / "cache"

    def build(out: str, cache_dir: Path | bool = cache) -> dict[str, bytes]:
        repo = load_repository(project / "decisions")
        result = build_site(repo, SiteOptions(out=project / out), cache_dir=cache_dir)
        assert result.records >= 7
        return tree(project / out)

    reference = build("reference", cache_dir=False)
    assert build("site") == reference
    assert (cache / PACK).is_file() and not (cache / "bodies").exists()
    warm = ContentCache(cache)
    assert warm.pack() is not None and warm.pack()._all()  # type: ignore[union-attr]
    assert build("site") == reference
    # a planted pack: the keys are right but nothing verifies
    data = (cache / PACK).read_bytes()
    (cache / PACK).chmod(0o600)
    (cache / PACK).write_bytes(data[:100] + bytes([data[100] ^ 0x20]) + data[101:])
    shutil.rmtree(cache / "pages")  # so every body is read again
    (cache / "plans.manifest").unlink()
    assert build("site") == reference
    # the whole cache folder deleted while the pages are written
    real = adr_tool.site.writer.SiteWriter.write_site

    def deleting(self: adr_tool.site.writer.SiteWriter, model: object) -> None:
        shutil.rmtree(cache)
        real(self, model)  # type: ignore[arg-type]

    with monkeypatch.context() as m:
        m.setattr(adr_tool.site.writer.SiteWriter, "write_site", deleting)
        with pytest.raises(OSError):
            build("site")  # linking pages from a cache that is gone fails: no site is swapped in
    assert build("site") == reference
    # deleted after the site was swapped in, before the pack is saved
    real_prune = ContentCache.prune

    def deleting_prune(self: ContentCache) -> int:
        shutil.rmtree(cache)
        return real_prune(self)

    with monkeypatch.context() as m:
        m.setattr(ContentCache, "prune", deleting_prune)
        assert build("site") == reference
    assert build("site") == reference
    assert build("site") == reference


def test_prune_removes_unused_entries_and_old_shards_but_not_other_files(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    first = ContentCache(root)
    kept, dropped = content_key("kept"), content_key("dropped")
    first.store("pages", kept, b"kept")
    first.store("pages", dropped, b"dropped")
    old_shard = root / "pages" / "ab"
    old_shard.mkdir()
    (old_shard / ("ab" + "0" * 62)).write_bytes(b"old layout")
    bytecode = root / "templates" / "__jinja2_x.cache"
    bytecode.parent.mkdir()
    bytecode.write_bytes(b"bytecode")

    second = ContentCache(root)
    assert second.get("pages", kept) == b"kept"
    assert second.prune() == 1
    assert sorted(p.name for p in (root / "pages").iterdir()) == [kept]
    assert bytecode.read_bytes() == b"bytecode"


def test_an_unknown_namespace_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AssertionError):
        ContentCache(tmp_path).store("templates", content_key("x"), b"x")
