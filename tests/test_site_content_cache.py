"""The site's content cache: flat entry folders, pruning that touches only entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from adr_tool.site.cache import ContentCache, content_key


def test_entries_live_in_one_flat_folder_per_namespace(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path / "cache")
    key = content_key("a body")
    path = cache.store("bodies", key, b"<p>a body</p>")
    assert path == str(tmp_path / "cache" / "bodies" / key)
    assert cache.get("bodies", key) == b"<p>a body</p>"
    assert cache.lookup("bodies", key) == path


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
