"""adr migrate: every source format to DR frontmatter, body kept byte-for-byte; corpora round trip."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
import shutil

import pytest

from adr_tool.migrate import body_of
from tests.conftest import corpora_dirs as _conftest_corpora


def corpora_dirs() -> list[Path]:
    """Corpora next to the repo (../shared), or where ADR_SHARED_DIR points (worktrees)."""
    import os

    found = _conftest_corpora()
    shared = os.environ.get("ADR_SHARED_DIR")
    if not found and shared and (Path(shared) / "corpora").is_dir():
        found = sorted(p for p in (Path(shared) / "corpora").iterdir() if p.is_dir())
    return found

ADR_TOOLS_1 = """# 1. Record architecture decisions

Date: 2019-03-04

## Status

Superseded by [2. Use ADRs with tooling](0002-use-adrs-with-tooling.md)

## Context

We need to record decisions.
"""

ADR_TOOLS_2 = """# 2. Use ADRs with tooling

Date: 05/04/2019

## Status

Accepted

Supersedes [1. Record architecture decisions](0001-record-architecture-decisions.md)

## Context

Tooling helps. See ADR 1 for history.
"""

MADR2 = """# Use Plain JUnit5 for testing

* Status: accepted
* Deciders: Ann, Bo
* Date: 2021-04-01

Technical Story: the tests are slow.

## Context and Problem Statement

Which framework?

## Considered Options

* JUnit5
* Spock

## Decision Outcome

Chosen option: "JUnit5", because it is plain.
"""

MADR3 = """---
status: proposed
date: 2023-05-06
decision-makers: [Cy]
---
# Use YAML front matter

## Context and Problem Statement

Metadata should be machine readable.

## Decision Outcome

Chosen option: "front matter", because tools read it.
"""

LOG4BRAINS = """# Use Next.js for static site generation

- Status: accepted
- Date: 2020-09-25
- Tags: frontend, web

## Context and Problem Statement

We need a static site.
"""

BOLD = """# DR-007: Cache layer

**Status:** ✅ **Accepted**
**Date:** 2024-02-03
**Owner:** platform-team
**Depends on:** DR-001

## Context

Reads are slow.
"""

TABLE = """# Subject naming

| Metadata | Value |
|----------|-------|
| Date     | 2021-07-01 |
| Author   | @derek |
| Status   | Implemented |
| Tags     | server, client |

## Context

Naming matters.
"""

GSD_PLAN = """---
phase: 02-api
plan: 01
type: execute
requires:
  - phase: 01-core
    provides: models
provides: [rest-api]
---

<objective>
Build the API.
</objective>
"""

CRLF = "# 9. Windows record\r\n\r\nDate: 2020-01-01\r\n\r\n## Status\r\n\r\nProposed\r\n\r\n## Context\r\n\r\nCRLF.\r\n"

FIELDS = ("id", "title", "status", "date", "owner", "deciders", "tags", "requires", "supersedes",
          "superseded_by", "related", "review_date")


def listing(cli, folder: str) -> dict[str, dict]:
    result = cli("list", "--dir", folder, "--format", "json")
    assert result.exit_code == 0, result.output
    return {r["path"].split("/")[-1]: {k: r[k] for k in FIELDS} for r in json.loads(result.output)["records"]}


@pytest.fixture
def legacy(project):
    root = project({
        "adr/0001-record-architecture-decisions.md": ADR_TOOLS_1,
        "adr/0002-use-adrs-with-tooling.md": ADR_TOOLS_2,
        "adr/0003-use-plain-junit5.md": MADR2,
        "adr/0004-use-yaml-front-matter.md": MADR3,
        "adr/20200925-use-nextjs.md": LOG4BRAINS,
        "adr/DR-007-cache-layer.md": BOLD,
        "adr/ADR-12.md": TABLE,
        "adr/phases/02-api/02-01-PLAN.md": GSD_PLAN,
        "adr/README.md": "# Index\n\n- [Record](0001-record-architecture-decisions.md)\n",
    })
    (root / "adr/0009-windows-record.md").write_bytes(CRLF.encode())
    return root / "adr"


def test_dry_run_prints_a_diff_per_file_and_writes_nothing(legacy, cli) -> None:
    before = {p: p.read_bytes() for p in legacy.rglob("*.md")}
    result = cli("migrate", "--dir", "adr")
    assert result.exit_code == 0, result.output
    assert "--- a/adr/0001-record-architecture-decisions.md\n+++ b/adr/0001-record-architecture-decisions.md\n" \
        in result.output
    assert '+id: "0001"\n+title: Record architecture decisions\n+status: superseded\n+date: 2019-03-04\n' \
        in result.output
    assert "would convert 9 record(s)" in result.output
    assert {p: p.read_bytes() for p in legacy.rglob("*.md")} == before


def test_write_converts_every_format_and_keeps_every_field_and_body(legacy, cli) -> None:
    originals = {p: p.read_bytes() for p in legacy.rglob("*.md")}
    fields_before = listing(cli, "adr")
    result = cli("migrate", "--dir", "adr", "--write")
    assert result.exit_code == 0, result.output
    assert "converted 9 record(s)" in result.output
    assert listing(cli, "adr") == fields_before
    formats = {r["path"].split("/")[-1]: r["format"] for r in
               json.loads(cli("list", "--dir", "adr", "--format", "json").output)["records"]}
    assert formats.pop("02-01-PLAN.md") == "gsd"  # GSD keys keep it a GSD record, with DR keys added
    assert formats.pop("0004-use-yaml-front-matter.md") == "madr"  # decision-makers keeps MADR 3 shape
    assert set(formats.values()) == {"frontmatter"}
    for path, before in originals.items():
        after = path.read_bytes()
        if path.name == "README.md":
            assert after == before
        elif path.name in ("0004-use-yaml-front-matter.md", "02-01-PLAN.md"):
            assert body_of(after.decode()) == body_of(before.decode())
        else:
            assert after.endswith(before), path.name  # the whole original text, byte for byte
            assert after.startswith(b"---")
    crlf = (legacy / "0009-windows-record.md").read_bytes()
    assert crlf.startswith(b'---\r\nid: "0009"\r\n') and b"\n" not in crlf.replace(b"\r\n", b"")
    table = (legacy / "ADR-12.md").read_text()
    assert table.startswith("---\nid: ADR-12\ntitle: Subject naming\nstatus: accepted\ndate: 2021-07-01\n"
                            "owner: \"@derek\"\ntags: [server, client]\n---\n# Subject naming")
    madr3 = (legacy / "0004-use-yaml-front-matter.md").read_text()
    assert madr3.startswith("---\nstatus: proposed\ndate: 2023-05-06\ndecision-makers: [Cy]\n"
                            'id: "0004"\ntitle: Use YAML front matter\n---\n')
    bold = (legacy / "DR-007-cache-layer.md").read_text()
    assert "owner: platform-team" in bold and "requires" not in bold.split("---")[1]
    again = cli("migrate", "--dir", "adr", "-v")
    assert "would convert 0 record(s)" in again.output
    assert "already has DR frontmatter" in again.output


def test_from_selects_one_source_format(legacy, cli) -> None:
    result = cli("migrate", "--dir", "adr", "--from", "adr-tools", "--write", "-v")
    assert result.exit_code == 0, result.output
    assert "converted 3 record(s)" in result.output
    assert "detected as bold-field, not adr-tools" in result.output
    assert (legacy / "DR-007-cache-layer.md").read_text() == BOLD
    assert cli("migrate", "--dir", "adr", "--from", "rst").exit_code == 2


def test_renumber_gives_dr_ids_and_rewrites_links(legacy, cli) -> None:
    result = cli("migrate", "--dir", "adr", "--write", "--renumber")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in legacy.glob("*.md"))
    # numbers follow the dates because not every old id has a number (log4brains)
    assert names == ["DR-001-record-architecture-decisions.md", "DR-002-use-adrs-with-tooling.md",
                     "DR-003-windows-record.md", "DR-004-use-nextjs.md", "DR-005-use-plain-junit5.md",
                     "DR-006-subject-naming.md", "DR-007-use-yaml-front-matter.md",
                     "DR-008-cache-layer.md", "README.md"]
    assert (legacy / "phases/02-api/02-01-PLAN.md").read_text().startswith("---\nphase: 02-api\n")
    records = {r["id"]: r for r in json.loads(cli("list", "--dir", "adr", "--format", "json").output)["records"]}
    assert records["DR-001"]["superseded_by"] == ["DR-002"]
    assert records["DR-002"]["supersedes"] == ["DR-001"]
    second = (legacy / "DR-002-use-adrs-with-tooling.md").read_text()
    assert "Supersedes [1. Record architecture decisions](DR-001-record-architecture-decisions.md)" in second
    assert "See ADR 1 for history." in second  # prose is not rewritten by migrate
    assert "(DR-001-record-architecture-decisions.md)" in (legacy / "README.md").read_text()


def test_broken_frontmatter_is_skipped_not_rewritten(project, cli) -> None:
    root = project({"adr/0001-x.md": "---\nphase: [unclosed\nplan: 1\n---\n# X\n\n## Status\n\nAccepted\n"})
    before = (root / "adr/0001-x.md").read_bytes()
    result = cli("migrate", "--dir", "adr", "--write", "-v")
    assert result.exit_code == 0
    assert (root / "adr/0001-x.md").read_bytes() == before


# ------------------------------------------------------------------ corpora round trip

CORPUS_DIRS = {"d44b__pulltrace": ".planning"}


def _loaded(folder: Path):
    from adr_tool.config import load_config
    from adr_tool.repository import load_repository

    return load_repository(folder, config=load_config(folder))


def _fields(record) -> dict:
    data = record.model_dump(include={"id", "title", "status", "date", "owner", "deciders", "tags",
                                      "supersedes", "superseded_by", "related", "review_date"})
    data["requires"] = [r.target for r in record.requires]
    return data


@pytest.mark.skipif(not corpora_dirs(), reason="../shared/corpora is absent")
@pytest.mark.parametrize("corpus", corpora_dirs(), ids=lambda p: p.name)
def test_corpus_round_trip(corpus: Path, tmp_path: Path, monkeypatch, cli) -> None:
    """After --write into a copy: no new load diagnostics, same fields, bodies unchanged."""
    copy = tmp_path / corpus.name
    shutil.copytree(corpus, copy)
    monkeypatch.chdir(copy)
    folder = copy / CORPUS_DIRS.get(corpus.name, ".")
    before = _loaded(folder)
    texts = {Path(r.path).resolve(): Path(r.path).read_bytes() for r in before.records}
    result = cli("migrate", "--dir", str(folder), "--write")
    assert result.exit_code == 0, result.output
    after = _loaded(folder)
    assert {(d.code, d.path, d.line - d.line) for d in after.diagnostics} <= \
        {(d.code, d.path, 0) for d in before.diagnostics}
    old = {Path(r.path).resolve(): r for r in before.records}
    converted = 0
    for record in after.records:
        key = Path(record.path).resolve()
        assert _fields(record) == _fields(old[key]), record.path
        now = key.read_bytes()
        if now != texts[key]:
            converted += 1
            if old[key].has_frontmatter:
                lf = [t.decode().replace("\r\n", "\n") for t in (now, texts[key])]
                assert body_of(lf[0]) == body_of(lf[1])
            else:
                assert now.endswith(texts[key])
    assert converted >= 10 or (corpus.name == "d44b__pulltrace" and converted > 0)


@pytest.mark.skipif(not corpora_dirs(), reason="../shared/corpora is absent")
@pytest.mark.skipif(importlib.util.find_spec("adr_tool.lint") is None, reason="adr_tool.lint not merged yet")
@pytest.mark.parametrize("corpus", corpora_dirs(), ids=lambda p: p.name)
def test_corpus_migration_adds_no_lint_errors(corpus: Path, tmp_path: Path, monkeypatch, cli) -> None:
    from adr_tool.lint import run_lint  # type: ignore[import-not-found,unused-ignore]

    copy = tmp_path / corpus.name
    shutil.copytree(corpus, copy)
    monkeypatch.chdir(copy)
    folder = copy / CORPUS_DIRS.get(corpus.name, ".")

    def errors() -> set[tuple[str, str]]:
        result = run_lint(_loaded(folder))
        return {(d.code, d.path) for d in result.diagnostics if d.severity.value == "error"}

    before = errors()
    assert cli("migrate", "--dir", str(folder), "--write").exit_code == 0
    assert errors() - before == set()
