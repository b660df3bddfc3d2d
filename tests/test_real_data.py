"""The seeds and every corpus in ../shared load without exceptions, with sensible values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adr_tool.repository import load_repository
from tests.conftest import CORPORA, SEEDS, corpora_dirs

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is absent")


@needs_seeds
def test_seeds_load_with_clear_yaml_diagnostic(cli) -> None:
    seeds = sorted(SEEDS.glob("*.txt"))
    result = cli("list", *map(str, seeds), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    records = {Path(r["path"]).name[:3]: r for r in data["records"]}
    assert sorted(records) == ["000", "001", "002", "003", "004"]
    dr = records["003"]
    assert (dr["id"], dr["status"], dr["date"], dr["owner"], dr["format"]) == (
        "DR-001", "accepted", "2025-12-22", "TIP Team", "bold-field")
    assert dr["decision"] == "Render"
    assert records["004"]["format"] == "gsd"
    assert records["004"]["id"] == "05-04-summary"
    assert records["000"]["id"] == "quick-004"
    yaml_errors = [d for d in data["diagnostics"] if d["code"] == "ADR110"]
    assert len(yaml_errors) == 1
    err = yaml_errors[0]
    assert err["path"].endswith("004_453a25bed291d1e3.txt")
    assert (err["line"], err["column"]) == (26, 36)
    assert "uvicorn[standard]==0.27.0" in err["message"]
    assert "brackets" in err["message"]
    # nothing reported against the well-formed DR-001 record
    assert not [d for d in data["diagnostics"] if d["path"].endswith("003_ccb0f5bf810d0e21.txt")]


@needs_seeds
def test_seed_gsd_requirements_are_typed() -> None:
    repo = load_repository(None, files=sorted(SEEDS.glob("00[14]_*.txt")))
    by_name = {Path(r.path).name[:3]: r for r in repo.records}
    reqs = by_name["004"].requires
    assert [r.kind.value for r in reqs] == ["phase"] * 4
    assert reqs[0].target == "01-foundation"
    assert reqs[0].provides and reqs[0].provides.startswith("Backend FastAPI")
    assert by_name["001"].affects == ["deployment", "infrastructure"]


@pytest.mark.parametrize("corpus", corpora_dirs(), ids=lambda p: p.name)
def test_every_corpus_loads(corpus: Path) -> None:
    repo = load_repository(corpus)
    assert repo.records, f"no records found in {corpus}"
    for record in repo.records:
        assert record.id and record.id.strip() == record.id
        assert record.title
        assert "\n" not in record.title
        assert record.status is None or record.status in repo.config.statuses
    for diag in repo.diagnostics:
        assert diag.line >= 1 and diag.column >= 1
        assert diag.path


EXPECTED_FORMATS = {
    "alphagov__govuk-aws": "nygard",
    "adr__madr": "madr",
    "thomvaill__log4brains": "log4brains",
    "nats-io__nats-architecture-and-design": "metadata-table",
    "phoenixvc__azure-infrastructure": "nygard",
    "ministryofjustice__cloud-platform": "nygard",
    "d44b__pulltrace": "gsd",
}


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is absent")
@pytest.mark.parametrize(("name", "fmt"), sorted(EXPECTED_FORMATS.items()))
def test_corpus_dominant_format_and_statuses(name: str, fmt: str) -> None:
    folder = CORPORA / name
    if not folder.is_dir():
        pytest.skip(f"{name} absent")
    repo = load_repository(folder)
    formats = [r.format.value for r in repo.records]
    assert max(set(formats), key=formats.count) == fmt
    if name != "adr__madr" and name != "d44b__pulltrace":
        with_status = [r for r in repo.records if r.format.value == fmt]
        known = [r for r in with_status if r.status is not None]
        assert len(known) >= 0.8 * len(with_status), [(r.path, r.status_raw) for r in with_status if r.status is None]


@needs_seeds
def test_lint_seeds_from_inside_a_project_reports_nothing_false_on_003(project, cli) -> None:
    # a project with its own DR-001 must not make seed 003 (also DR-001) a duplicate
    project({"decisions/DR-001-own.md": "---\nid: DR-001\ntitle: Own\nstatus: accepted\ndate: 2025-01-01\n---\n# Own\n"})
    result = cli("lint", *map(str, sorted(SEEDS.glob("*.txt"))), "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert not [d for d in data["diagnostics"] if d["path"].endswith("003_ccb0f5bf810d0e21.txt")]
    errors = [(Path(d["path"]).name[:3], d["code"], d["line"], d["column"])
              for d in data["diagnostics"] if d["severity"] == "error"]
    assert errors == [("004", "ADR110", 26, 36)]
    # ADR207: the tests pin "today" to 2026-01-01 (SOURCE_DATE_EPOCH), before the GSD dates
    assert {d["code"] for d in data["diagnostics"] if d["severity"] == "warning"} <= {"ADR301", "ADR207"}
