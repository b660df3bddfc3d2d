"""Search-index items spooled to a scratch file (``adr_tool.site.spool``) leave every file as it was.

A full build writes each finished page's search item to ``DocSpool`` and keeps only where it
is; the search index and the plan manifest are written from the file. These tests check the
spool itself, the manifest written from spooled pieces, and that a build with the spool
gives the same site and manifest as one that keeps the items in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import shutil

import pytest

from adr_tool.site import build as build_module
from adr_tool.site.cache import ContentCache, Manifest
from adr_tool.site.spool import DocSpool

FIXTURE = Path(__file__).parent / "fixtures" / "site_project"


def test_items_read_back_as_written(tmp_path: Path) -> None:
    spool = DocSpool(tmp_path)
    items = [b'{"id":"DR-001"}', b"", b'{"id":"DR-002","text":"\\u00e9"}' * 100]
    where = [spool.add(item) for item in items]
    assert all(w is not None for w in where)
    assert [w.read() for w in where if w is not None] == items
    assert [w.length for w in where if w is not None] == [len(i) for i in items]
    assert list(tmp_path.iterdir()) == []  # unnamed: nothing to clean up after a crash
    spool.close()
    with pytest.raises(OSError):
        where[0].read()  # type: ignore[union-attr]


def test_a_forked_worker_keeps_its_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the process that made the spool writes to it: in another, the item stays in memory."""
    spool = DocSpool(tmp_path)
    monkeypatch.setattr("adr_tool.site.spool.os.getpid", lambda: -1)
    assert spool.add(b"item") is None


def test_an_unwritable_spool_keeps_items_in_memory(tmp_path: Path) -> None:
    spool = DocSpool(tmp_path / "missing")
    assert spool.add(b"item") is None
    assert spool.add(b"again") is None


def test_manifest_from_spooled_pieces_is_the_same_file(tmp_path: Path) -> None:
    spool = DocSpool(tmp_path)
    files = []
    for name, spooled in (("a", False), ("b", True)):
        cache = ContentCache(tmp_path / name)
        plans = Manifest(cache, "plans.manifest")
        for n in range(3):
            doc = f'{{"id":"DR-{n}"}}'.encode()
            piece = spool.add(doc) if spooled else doc
            assert piece is not None
            plans.put(f"key{n}", (b"head\0", piece))
        plans.save()
        assert plans.path is not None
        files.append(Path(plans.path).read_bytes())
    assert files[0] == files[1]
    assert b'{"id":"DR-2"}' in files[1]


def test_a_spooled_piece_with_a_separator_is_not_stored(tmp_path: Path) -> None:
    spool = DocSpool(tmp_path)
    piece = spool.add(b"bad\x1eitem")
    assert piece is not None and not piece.clean
    plans = Manifest(ContentCache(tmp_path / "cache"), "plans.manifest")
    plans.put("key", (b"head\0", piece))
    plans.save()
    assert plans.path is not None and not Path(plans.path).exists()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    for n in range(10, 30):
        (root / "decisions" / f"DR-{n:03d}-extra-{n}.md").write_text(
            f"---\nid: DR-{n:03d}\ntitle: Extra decision {n}\nstatus: accepted\n"
            f"date: 2024-03-{n % 28 + 1:02d}\ntags: [t{n % 3}]\n---\n\n# Extra decision {n}\n\n"
            f"## Context\n\nSome <text> & more for search, number {n}.\n", encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class _NoSpool(DocSpool):
    """A spool that keeps every item in memory (the build before spooling)."""

    def add(self, data: bytes) -> None:  # type: ignore[override]
        return None


@pytest.mark.parametrize("pool", ["1", "1000000000"])
def test_spooled_build_equals_a_build_in_memory(project: Path, cli: Callable[..., object],
                                                monkeypatch: pytest.MonkeyPatch, pool: str) -> None:
    monkeypatch.setenv("ADR_PARALLEL_PAGES", pool)
    added: list[int] = []
    real_add = DocSpool.add

    def counting(self: DocSpool, data: bytes) -> object:
        where = real_add(self, data)
        added.append(where is not None)
        return where

    with monkeypatch.context() as m:
        m.setattr(DocSpool, "add", counting)
        m.setenv("ADR_CACHE_DIR", str(project.parent / "cache-spool"))
        result = cli("build", "--out", "spooled", "--quiet")
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert sum(added) >= 20  # every record's item went through the spool
    with monkeypatch.context() as m:
        m.setattr(build_module, "DocSpool", _NoSpool)
        m.setenv("ADR_CACHE_DIR", str(project.parent / "cache-memory"))
        result = cli("build", "--out", "memory", "--quiet")
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    spooled, memory = _tree(project / "spooled"), _tree(project / "memory")
    assert spooled == memory
    assert spooled["search-index.js"].startswith(b"window.ADR_SEARCH_INDEX = [")
    assert b"DR-029" in spooled["search-index.js"]
    manifests = [sorted((project.parent / c).rglob("plans.manifest")) for c in ("cache-spool", "cache-memory")]
    assert [len(m) for m in manifests] == [1, 1]
    assert manifests[0][0].read_bytes() == manifests[1][0].read_bytes()
    # a warm build reads the spooled manifest back: every page reused, the same site
    monkeypatch.setenv("ADR_CACHE_DIR", str(project.parent / "cache-spool"))
    result = cli("build", "--out", "spooled", "--quiet")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert _tree(project / "spooled") == memory
    assert not list(project.rglob(".adr-search-*"))
