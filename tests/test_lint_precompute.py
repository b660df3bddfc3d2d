"""Per-file results computed beside the parse, in the loader's pool (DR-021, cold runs).

``adr lint`` hands the loader a hook (``PerFileLint``) that runs the per-file rules where
each file is parsed; the run then takes those values instead of computing them. ``adr
score --all`` does the same with its summaries (``SummaryHook``). Whatever the pool, the
cache or the hook do, the results must be those of a plain serial run.
"""

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

import pytest
from support.projects import records_folder

from adr_tool import repository
from adr_tool.config import load_config
from adr_tool.lint import run_lint
from adr_tool.lint.engine import PerFileLint, per_file_hook
from adr_tool.parse import ParseOptions
from adr_tool.parse.cache import cache_root
from adr_tool.repository import load_repository, parse_files

RECORD = """---
id: DR-{n:03d}
title: Record {n}
status: accepted
date: 2024-01-01
decision: {decision}
---

# DR-{n:03d}: Record {n}

## Context

Text with a [link](DR-001-r1.md) and {{short title of solved problem}}.

## Decision Criteria

| Criterion | Weight | A | B |
|---|---|---|---|
| Cost | {weight} | ✅ | ❌ |
| Speed | 2 | ⚠️ | {cell} |
| **Total** | | 9 | 1 |

## Decision

What is the change that we're proposing and/or doing?

## Consequences
{consequences}
"""

MADR = """# Use a broker

## Context and Problem Statement

Why.

## Considered Options

* A
* B

## Decision Outcome

Chosen option: "A".
"""


pytestmark = pytest.mark.usefixtures("own_user_cache")


def _folder(tmp_path: Path, count: int = 12) -> Path:
    """Records that trip every per-file rule, plus files that parse badly or not at all."""
    folder = records_folder(tmp_path)
    for n in range(1, count + 1):
        (folder / f"DR-{n:03d}-r{n}.md").write_text(RECORD.format(
            n=n, decision="AB"[n % 2], weight=("High", "Huge", "3")[n % 3],
            cell=("✅", "cheap-ish", "")[n % 3],
            consequences="" if n % 4 == 0 else "\nDone.\n"), encoding="utf-8")
    (folder / "0013-use-a-broker.md").write_text(MADR, encoding="utf-8")
    (folder / "DR-014-broken.md").write_text("---\nid: [unclosed\n---\n# x\n", encoding="utf-8")
    (folder / "DR-015-plain.md").write_text("# DR-015: no table\n\nText.\n", encoding="utf-8")
    (folder / "DR-016-empty.md").write_text("", encoding="utf-8")
    (folder / "DR-017-latin1.md").write_bytes(b"---\nid: DR-017\ntitle: caf\xe9\n---\n# x\n")
    (folder / "DR-018-nul.md").write_bytes(b"\x00\x01binary\x00")
    (folder / "DR-019-tables.md").write_text(
        "---\nid: DR-019\ntitle: t\nstatus: accepted\n---\n\n## Decision\n\n"
        "| Criterion | Weight | A |\n|---|---|---|\n| x |\n\n"
        "| Criterion | Weight |\n|---|---|\n| y | 1 |\n", encoding="utf-8")
    return folder


def _lint(folder: Path, *, cache: bool, pool: bool, hook: bool,
          monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    monkeypatch.setattr(repository, "PARALLEL_THRESHOLD", 1 if pool else 10**9)
    shutil.rmtree(cache_root(folder), ignore_errors=True)  # cold
    config = load_config(folder.parent)
    repo = load_repository(folder, config=config, cache=cache,
                           hook=per_file_hook(config) if hook else None)
    assert bool(repo.precomputed) == (pool and hook)
    return [d.to_json() for d in run_lint(repo).all_diagnostics]


def test_worker_results_give_the_serial_findings(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    serial = _lint(folder, cache=False, pool=False, hook=False, monkeypatch=monkeypatch)
    codes = {d["code"] for d in serial}
    assert {"ADR401", "ADR403", "ADR404", "ADR405", "ADR502", "ADR503"} <= codes
    for cache in (False, True):
        for pool in (False, True):
            for hook in (False, True):
                found = _lint(folder, cache=cache, pool=pool, hook=hook, monkeypatch=monkeypatch)
                assert found == serial, (cache, pool, hook)


def test_run_takes_the_worker_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the pool's values at hand the run scores and scans nothing itself, cold or warm
    (the cold run keeps them in the per-file pack)."""
    from adr_tool import scoring
    from adr_tool.lint.rules import body

    folder = _folder(tmp_path)
    expected = _lint(folder, cache=False, pool=False, hook=False, monkeypatch=monkeypatch)
    monkeypatch.setattr(repository, "PARALLEL_THRESHOLD", 1)
    config = load_config(folder.parent)
    cold = load_repository(folder, config=config, hook=per_file_hook(config))
    # the results decide nothing that the parse did not: the parse is done, so these
    # patches only reach the run itself

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("computed again in the run")

    with monkeypatch.context() as patched:
        patched.setattr(scoring, "score_record", refuse)
        patched.setattr(body, "_placeholder_findings", refuse)
        patched.setattr(body, "_section_missing", refuse)
        patched.setattr(body, "_section_empty", refuse)
        assert [d.to_json() for d in run_lint(cold).all_diagnostics] == expected
        assert list((cache_root(folder) / "lint").glob("*.pickle"))
        monkeypatch.setattr(repository, "PARALLEL_THRESHOLD", 10**9)
        warm = load_repository(folder, config=config)
        assert not warm.precomputed
        assert [d.to_json() for d in run_lint(warm).all_diagnostics] == expected


def test_hook_leaves_a_failure_to_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule that fails in the hook hands back nothing; the run fails the same way itself."""
    from adr_tool.lint.rules import body

    folder = _folder(tmp_path, count=2)
    config = load_config(folder.parent)
    hook = per_file_hook(config)
    assert isinstance(hook, PerFileLint)
    results = parse_files(sorted(folder.glob("DR-00*.md")), ParseOptions())
    assert all(hook(result) for result in results)

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(body, "_placeholder_findings", broken)
    assert [hook(result) for result in results] == [None, None]
    monkeypatch.setattr(repository, "PARALLEL_THRESHOLD", 1)
    repo = load_repository(folder, config=config, cache=False, hook=hook)
    assert repo.precomputed  # the files the rule does not scan still got theirs
    assert not [p for p in repo.precomputed if p.endswith(("r1.md", "r2.md"))]
    with pytest.raises(RuntimeError, match="boom"):
        run_lint(repo)


def test_hook_follows_the_rule_choice(tmp_path: Path) -> None:
    folder = _folder(tmp_path, count=1)
    config = load_config(folder.parent)
    assert per_file_hook(config, select=["ADR2"]) is None  # no per-file rule runs
    assert per_file_hook(config, select=["no-such-rule"]) is None  # run_lint reports it
    only = per_file_hook(config, select=["ADR503"])
    assert only is not None and only.codes == ("ADR503",)
    result = parse_files([folder / "DR-001-r1.md"], ParseOptions())[0]
    entry = only(result)
    assert entry is not None and "placeholder" in entry and "score" not in entry


def test_pool_keeps_the_order_and_the_serial_results(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool gives the serial results, in input order."""
    folder = _folder(tmp_path, count=40)
    paths = sorted(folder.iterdir())

    def parsed() -> list[tuple[object, list[object]]]:
        return [(r.record.to_detail() if r.record is not None else None,
                 [d.to_json() for d in r.diagnostics])
                for r in parse_files(paths, ParseOptions())]

    monkeypatch.setattr(repository, "PARALLEL_THRESHOLD", 10**9)
    serial = parsed()
    monkeypatch.setattr(repository, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(repository, "_cores", lambda: 2)
    assert parsed() == serial


def _summaries(folder: Path, *, cache: bool, pool: bool,
               monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any]]:
    from adr_tool.criteria import load_candidate_paths
    from adr_tool.scoring import load_score_summaries
    from adr_tool.sources import discover

    monkeypatch.setattr(repository, "PARALLEL_THRESHOLD", 1 if pool else 10**9)
    config = load_config(folder.parent)
    paths, _ = discover(folder, config.ignore)
    summaries, diags = load_score_summaries(load_candidate_paths(paths), config,
                                            folder if cache else None)
    return [s.to_json() for s in summaries], [d.to_json() for d in diags]


def test_score_summaries_from_the_pool_are_the_serial_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adr_tool import scoring

    folder = _folder(tmp_path)
    serial = _summaries(folder, cache=False, pool=False, monkeypatch=monkeypatch)
    assert len(serial[0]) >= 12
    assert _summaries(folder, cache=False, pool=True, monkeypatch=monkeypatch) == serial
    shutil.rmtree(cache_root(folder), ignore_errors=True)
    assert _summaries(folder, cache=True, pool=True, monkeypatch=monkeypatch) == serial
    # the pool's entries went into the summary pack: a warm run scores nothing
    with monkeypatch.context() as patched:
        patched.setattr(scoring, "score_record", lambda *a, **k: 1 / 0)
        assert _summaries(folder, cache=True, pool=False, monkeypatch=monkeypatch) == serial


def test_summary_hook_leaves_a_failure_to_the_caller(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from adr_tool import scoring
    from adr_tool.criteria import ScoreSettings

    folder = _folder(tmp_path, count=1)
    result = parse_files([folder / "DR-001-r1.md"], ParseOptions())[0]
    hook = scoring.SummaryHook(ScoreSettings.from_config(None))
    entry = hook(result)
    assert entry is not None and entry[1] is not None
    monkeypatch.setattr(scoring, "score_record", lambda *a, **k: 1 / 0)
    assert hook(result) is None


def test_cli_loader_passes_the_hook_when_switched_on(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from adr_tool.cli import lint as cli_lint

    folder = _folder(tmp_path)
    monkeypatch.chdir(folder.parent)  # display paths are relative to the working folder
    expected = _lint(folder, cache=False, pool=False, hook=False, monkeypatch=monkeypatch)
    monkeypatch.setattr(repository, "PARALLEL_THRESHOLD", 1)
    for on in (False, True):
        shutil.rmtree(cache_root(folder), ignore_errors=True)
        monkeypatch.setattr(cli_lint, "PER_FILE_IN_POOL", on)
        repo, focus = cli_lint._load_for_lint(None, None)
        assert focus is None and bool(repo.precomputed) == on
        assert [d.to_json() for d in run_lint(repo).all_diagnostics] == expected
        repo, _ = cli_lint._load_for_lint(None, None, every=False)  # --diff-base: never
        assert not repo.precomputed
