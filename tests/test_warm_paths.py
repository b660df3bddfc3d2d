"""Warm paths (DR-021): the lean record pickle, the score summary pack and atomic_write_bytes
give the same results as the slow ways, and a planted summary pack is never unpickled."""

from __future__ import annotations

import os
from pathlib import Path
import pickle
import stat

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest
from support.projects import records_folder
from support.trap import Trap

from adr_tool.config import load_config
from adr_tool.criteria import load_candidate_paths
from adr_tool.parse import ParseOptions
from adr_tool.parse.cache import MAC_SIZE, MAGIC, cache_root, file_key
from adr_tool.repository import load_repository, parse_files
from adr_tool.scoring import load_score_summaries
from adr_tool.sources import discover, display_path
from adr_tool.writes import atomic_write, atomic_write_bytes

RECORD = """---
id: DR-{n:03d}
title: Record {n}
status: accepted
date: 2024-01-0{n}
decision: {decision}
requires: [DR-001]
---

# DR-{n:03d}: Record {n}

## Context

Text with a [link](DR-001-a.md) and ![img](x.png).

## Decision Criteria

| Criterion | Weight | A | B |
|---|---|---|---|
| Cost | High | ✅ | ❌ |
| Speed | 2 | ⚠️ | {cell} |

## Consequences

Done.
"""


pytestmark = pytest.mark.usefixtures("own_user_cache")


def _folder(tmp_path: Path, count: int = 4) -> Path:
    folder = records_folder(tmp_path)
    for n in range(1, count + 1):
        (folder / f"DR-{n:03d}-r{n}.md").write_text(
            RECORD.format(n=n, decision="A", cell="✅"), encoding="utf-8")
    (folder / "DR-009-broken.md").write_text("---\nid: [unclosed\n---\n# x\n", encoding="utf-8")
    (folder / "DR-010-plain.md").write_text("# DR-010: no table\n\nText.\n", encoding="utf-8")
    return folder


def _summaries(folder: Path, cached: bool) -> tuple[list[object], list[object]]:
    config = load_config(folder.parent)
    paths, _ = discover(folder, config.ignore)
    summaries, diags = load_score_summaries(load_candidate_paths(paths), config,
                                            folder if cached else None)
    return [s.to_json() for s in summaries], [d.to_json() for d in diags]


def _score_packs(folder: Path) -> list[Path]:
    return list((cache_root(folder) / "score").glob("*.pickle"))


def test_summary_pack_gives_the_uncached_summaries(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    fresh = _summaries(folder, cached=False)
    assert not _score_packs(folder)
    assert _summaries(folder, cached=True) == fresh
    assert len(_score_packs(folder)) == 1
    assert _summaries(folder, cached=True) == fresh  # now from the pack
    edited = folder / "DR-002-r2.md"
    edited.write_text(RECORD.format(n=2, decision="B", cell="✅"), encoding="utf-8")
    changed = _summaries(folder, cached=True)
    assert changed == _summaries(folder, cached=False)
    assert changed != fresh


def test_summary_of_a_few_files_keeps_the_parse_pack(tmp_path: Path) -> None:
    """Re-scoring one edited file must not prune the other files' parse results."""
    folder = _folder(tmp_path, count=3)
    load_repository(folder, cache=True)
    _summaries(folder, cached=True)
    (folder / "DR-003-r3.md").write_text(RECORD.format(n=3, decision="B", cell="❌"),
                                         encoding="utf-8")
    _summaries(folder, cached=True)
    from adr_tool.parse.cache import ParseCache

    cache = ParseCache(cache_root(folder), ParseOptions())
    for path in sorted(folder.glob("DR-00[12]*.md")):
        assert cache.get(file_key(display_path(path), path.read_bytes())) is not None


def test_planted_summary_pack_is_never_unpickled(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    expected = _summaries(folder, cached=True)
    marker = tmp_path / "pwned"

    for pack in _score_packs(folder):
        pack.write_bytes(MAGIC + b"\0" * MAC_SIZE + pickle.dumps(Trap(marker)))
    assert _summaries(folder, cached=True) == expected
    assert not marker.exists()


def test_lean_record_pickle_round_trips(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    for result in parse_files(sorted(folder.glob("*.md")), ParseOptions()):
        record = result.record
        assert record is not None
        copy = pickle.loads(pickle.dumps(record))
        assert copy.to_detail() == record.to_detail()
        assert copy.model_fields_set == record.model_fields_set
        assert copy.tables == record.tables  # one part decoded on its own
        assert copy.structure == record.structure
        assert copy.sections == record.sections
        assert copy.links == record.links
        again = pickle.loads(pickle.dumps(copy))  # re-pickled while still packed
        assert again.structure == record.structure
        assert again.has_tables == bool(record.tables)


@settings(max_examples=30, deadline=None)
@given(chunks=st.lists(st.binary(max_size=64), max_size=5), fsync=st.booleans())
def test_atomic_write_bytes_writes_the_chunks_in_order(tmp_path_factory: pytest.TempPathFactory,
                                                       chunks: list[bytes], fsync: bool) -> None:
    target = tmp_path_factory.mktemp("w") / "file.bin"
    atomic_write_bytes(target, chunks, fsync=fsync)
    assert target.read_bytes() == b"".join(chunks)
    atomic_write_bytes(target, b"whole")
    assert target.read_bytes() == b"whole"
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def test_atomic_write_modes(tmp_path: Path) -> None:
    private = tmp_path / "pack"
    atomic_write_bytes(private, b"x", fsync=False, private=True)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    public = tmp_path / "page.txt"
    atomic_write(public, "café\n")
    assert public.read_bytes() == "café\n".encode()
    assert stat.S_IMODE(public.stat().st_mode) == 0o644
    os.chmod(public, 0o640)
    atomic_write_bytes(public, b"y")
    assert stat.S_IMODE(public.stat().st_mode) == 0o640


@settings(max_examples=400, deadline=None)
@given(path=st.text(alphabet=st.sampled_from(list("ab.-_/ßMDdmkTX\\ ")), max_size=20)
       | st.from_regex(r"(\./)?([a-z]+/){0,3}[A-Za-z0-9-]+(\.html)?\.(md|MD|markdown|txt|x)",
                       fullmatch=True))
def test_name_and_stem_match_pathlib(path: str) -> None:
    from adr_tool.parse.normalize import stem_of
    from adr_tool.repository import name_and_stem

    assert name_and_stem(path) == (Path(path).name, stem_of(path))


def _lint(folder: Path, cache: bool) -> list[object]:
    from adr_tool.lint import run_lint

    repo = load_repository(folder, cache=cache)
    return [d.to_json() for d in run_lint(repo).all_diagnostics]


def test_lint_score_pack_gives_the_uncached_findings(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "DR-003-r3.md").write_text(
        RECORD.format(n=3, decision="B", cell="cheap-ish"), encoding="utf-8")
    fresh = _lint(folder, cache=False)
    assert {"ADR403", "ADR404"} <= {d["code"] for d in fresh}  # type: ignore[index]
    assert _lint(folder, cache=True) == fresh
    packs = list((cache_root(folder) / "lint").glob("*.pickle"))
    assert len(packs) == 1
    assert _lint(folder, cache=True) == fresh  # now from the pack
    (folder / "DR-003-r3.md").write_text(RECORD.format(n=3, decision="A", cell="✅"),
                                         encoding="utf-8")
    assert _lint(folder, cache=True) == _lint(folder, cache=False) != fresh
    marker = tmp_path / "pwned"

    packs[0].write_bytes(MAGIC + b"\0" * MAC_SIZE + pickle.dumps(Trap(marker)))
    assert _lint(folder, cache=True) == _lint(folder, cache=False)
    assert not marker.exists()


def test_lint_pack_follows_the_placeholder_settings(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    config = folder.parent / ".adr.toml"
    before = _lint(folder, cache=True)
    assert _lint(folder, cache=True) == before == _lint(folder, cache=False)
    config.write_text('dir = "decisions"\n\n[lint]\nplaceholders = ["Done."]\n',
                      encoding="utf-8")
    after = _lint(folder, cache=True)
    assert after == _lint(folder, cache=False)
    assert "ADR503" in {d["code"] for d in after}  # type: ignore[index]
    assert "ADR503" not in {d["code"] for d in before}  # type: ignore[index]


def test_lint_pack_section_findings_follow_edits_and_settings(tmp_path: Path) -> None:
    """ADR501/502 and the format profile come from the pack on warm runs (DR-022)."""
    folder = _folder(tmp_path)
    record = folder / "DR-002-r2.md"
    text = RECORD.format(n=2, decision="A", cell="✅")
    record.write_text(text.replace("## Consequences\n\nDone.\n", "## Consequences\n"),
                      encoding="utf-8")
    fresh = _lint(folder, cache=False)
    assert "ADR502" in {d["code"] for d in fresh}  # type: ignore[index]
    assert _lint(folder, cache=True) == fresh
    assert _lint(folder, cache=True) == fresh  # from the pack
    record.write_text(text.replace("## Consequences\n\nDone.\n", ""), encoding="utf-8")
    edited = _lint(folder, cache=True)
    assert edited == _lint(folder, cache=False)
    assert "ADR501" in {d["code"] for d in edited}  # type: ignore[index]
    # a MADR heading switches the profile (and so the required sections) of that file only
    record.write_text(text.replace("## Context\n", "## Context and Problem Statement\n"),
                      encoding="utf-8")
    assert _lint(folder, cache=True) == _lint(folder, cache=False)
    config = folder.parent / ".adr.toml"
    config.write_text('dir = "decisions"\n\n[lint]\nrequired_sections = ["Context", "Rollout"]\n',
                      encoding="utf-8")
    after = _lint(folder, cache=True)
    assert after == _lint(folder, cache=False)
    assert any("Rollout" in d["message"] for d in after)  # type: ignore[index]
