"""Score every criteria table in ../shared/corpora and ../shared/seeds: no crash, real findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from adr_tool.parse import parse_text
from adr_tool.scoring import score_record


def shared_dir() -> Path:
    """../shared from the main checkout, or ../../shared from a worktree under wt/."""
    root = Path(__file__).resolve().parent.parent
    for candidate in (root.parent / "shared", root.parent.parent / "shared"):
        if candidate.is_dir():
            return candidate
    return root.parent / "shared"


SHARED = shared_dir()
PHOENIX = SHARED / "corpora" / "phoenixvc__azure-infrastructure" / "docs" / "adr"


def all_files() -> list[Path]:
    found: list[Path] = []
    for folder in (SHARED / "corpora", SHARED / "seeds"):
        if folder.is_dir():
            found.extend(p for p in sorted(folder.rglob("*"))
                         if p.is_file() and p.suffix in (".md", ".txt"))
    return found


FILES = all_files()


@pytest.mark.skipif(not FILES, reason="../shared/corpora and seeds absent")
def test_every_table_scores_without_error_and_findings_point_inside_the_file() -> None:
    tables = 0
    for path in FILES:
        text = path.read_text(encoding="utf-8", errors="replace")
        record = parse_text(text, str(path)).record
        if record is None:
            continue
        result = score_record(record)
        tables += len(result.tables)
        lines = text.count("\n") + 1
        for diag in result.diagnostics:
            assert diag.code in {"ADR401", "ADR402", "ADR403", "ADR404", "ADR405", "ADR406"}
            assert 1 <= diag.line <= lines, diag
            assert diag.column >= 1
        for table in result.tables:
            for option in table.options:
                assert 0 <= option.percent <= 100
        result.to_json()
    assert tables >= 15  # 14 phoenixvc matrices + the template + the seed


@pytest.mark.skipif(not PHOENIX.is_dir(), reason="phoenixvc corpus absent")
def test_phoenixvc_matrices_verdicts() -> None:
    verdicts = {}
    for path in sorted(PHOENIX.glob("0*.md")):
        record = parse_text(path.read_text(encoding="utf-8"), path.name).record
        assert record is not None
        result = score_record(record)
        if not result.tables:
            continue
        table = result.tables[0]
        # the authors' arithmetic is consistent: every written value and total checks out
        assert not [d for d in result.diagnostics if d.code in ("ADR405", "ADR406")], path
        assert all(o.written_total == o.score for o in table.options)
        verdicts[record.id] = (table.winner, table.agrees, table.ties)
    assert len(verdicts) == 14
    assert {k for k, (_, agrees, _) in verdicts.items() if agrees is False} == {
        "ADR-004", "ADR-006", "ADR-008", "ADR-014", "ADR-015"}
    assert verdicts["ADR-005"] == ("Bicep", True, [["Terraform", "Pulumi"]])
    assert verdicts["ADR-014"] == (".NET", False, [["Python", "Node.js"]])
    assert verdicts["ADR-008"][0] == "AI Foundry"
    assert verdicts["ADR-016"] == ("Azure", None, [])
