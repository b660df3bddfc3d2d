"""`adr graph`, `adr which` and the relations in `adr show`, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
import shutil

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "graph"


@pytest.fixture
def basic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "basic", root)
    monkeypatch.chdir(root)
    return root


def run(cli, *args: str) -> tuple[int, str, str]:
    result = cli(*args)
    return result.exit_code, result.stdout, result.stderr


def test_graph_text_tree_and_diagnostics_on_stderr(cli, basic: Path) -> None:
    code, out, err = run(cli, "graph")
    assert code == 0, err
    assert out.startswith("DR-005  Send mail through a provider  [proposed]\n")
    assert "├── capability job-queue -> DR-004  Queue background jobs in Redis  [accepted]" in out
    assert out.rstrip().endswith("8 records, 12 edges")
    assert err.splitlines() == [
        ("decisions/DR-004-job-queue.md:8:5: ADR305 warning accepted record requires DR-003, "
        "which is superseded"),
        ("decisions/DR-008-sessions.md:7:5: ADR301 error requires 'DR-404', which is neither a "
        "record id nor a provided capability"),
        ("decisions/DR-008-sessions.md:8:5: ADR302 error requires capability 'session-store', "
        "which no record provides"),
        ("decisions/DR-008-sessions.md:9:11: ADR304 warning capability 'primary-database' is also "
        "provided by accepted record DR-002"),
    ]


@pytest.mark.parametrize("fmt", ["json", "dot", "mermaid"])
def test_graph_machine_formats_keep_stderr_clean(cli, basic: Path, fmt: str) -> None:
    code, out, err = run(cli, "graph", "--format", fmt)
    assert (code, err) == (0, "")
    if fmt == "json":
        data = json.loads(out)
        assert data["schema"] == 1 and len(data["nodes"]) == 8 and len(data["edges"]) == 12
    elif fmt == "dot":
        assert out.startswith("digraph decisions {") and out.rstrip().endswith("}")
    else:
        assert out.startswith("```mermaid\nflowchart BT\n")


def test_graph_json_matches_library(cli, basic: Path) -> None:
    from adr_tool.graph import build_graph
    from adr_tool.repository import load_repository

    _, out, _ = run(cli, "graph", "-f", "json")
    assert json.loads(out) == build_graph(load_repository(Path("decisions"))).to_json()


def test_graph_dir_option_and_paths_argument(cli, basic: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(cli, "graph", "--dir", str(basic / "decisions"), "-f", "json")
    assert code == 0 and len(json.loads(out)["nodes"]) == 8
    code, out, _ = run(cli, "graph", str(basic / "decisions" / "DR-001-record-architecture-decisions.md"),
                       str(basic / "decisions" / "DR-002-postgres.md"), "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert [n["id"] for n in data["nodes"]] == ["DR-001", "DR-002"]
    assert data["edges"] == [{"kind": "requires", "source": "DR-002", "target": "DR-001"}]


def test_graph_gsd_planning_tree(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(FIXTURES / "gsd", tmp_path / "gsd")
    monkeypatch.chdir(tmp_path / "gsd")
    code, out, err = run(cli, "graph", ".planning")
    assert code == 0
    assert "└── requires 07-billing  (unresolved)" in out
    assert [line.split(": ")[1].split()[0] for line in err.splitlines()] == ["ADR301", "ADR301"]


def test_focus_and_depth(cli, basic: Path) -> None:
    _, out, _ = run(cli, "graph", "--focus", "DR-001", "--depth", "1", "-f", "json")
    data = json.loads(out)
    assert [n["id"] for n in data["nodes"]] == ["DR-001", "DR-002"]
    _, out, _ = run(cli, "graph", "--focus", "DR-001", "-f", "json")  # default depth 2
    assert [n["id"] for n in json.loads(out)["nodes"]] == [
        "DR-001", "DR-002", "DR-003", "DR-004", "DR-006"]
    _, out, _ = run(cli, "graph", "--focus", "1", "--depth", "0", "-f", "json")  # by number
    assert [n["id"] for n in json.loads(out)["nodes"]] == ["DR-001"]
    _, out, _ = run(cli, "graph", "--focus", "DR-006", "--depth", "1", "-f", "dot")
    assert '"DR-006" [label=' in out and "penwidth=2" in out
    _, out, _ = run(cli, "graph", "--focus", "DR-006", "--depth", "1", "-f", "mermaid")
    assert "classDef focus" in out


def test_text_diagnostics_only_for_the_records_shown(cli, basic: Path) -> None:
    code, out, err = run(cli, "graph", "--focus", "DR-001", "--depth", "1")
    assert (code, err) == (0, "")
    assert out.splitlines()[:2] == [
        "DR-002  Use PostgreSQL as the primary store  [accepted]",
        "└── requires DR-001  Record architecture decisions  [accepted]",
    ]
    _, _, err = run(cli, "graph", "--focus", "DR-008", "--depth", "0")
    assert [line.split(": ")[1].split()[0] for line in err.splitlines()] == [
        "ADR301", "ADR302", "ADR304"]


def test_focus_unknown_is_one_line_error(cli, basic: Path) -> None:
    code, out, err = run(cli, "graph", "--focus", "DR-404")
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == "adr: error: no record 'DR-404' for --focus"


@pytest.mark.parametrize("args", [
    ("--depth", "2"),
    ("--format", "svg"),
    ("--order", "--areas"),
    ("--impact", "DR-001", "--order"),
    ("--order", "--format", "dot"),
    ("--areas", "--format", "mermaid"),
    ("--focus", "DR-001", "--depth", "-1"),
])
def test_usage_errors_exit_2(cli, basic: Path, args: tuple[str, ...]) -> None:
    code, out, _ = run(cli, "graph", *args)
    assert code == 2 and out == ""


def test_status_and_area_filters(cli, basic: Path) -> None:
    _, out, _ = run(cli, "graph", "--status", "accepted", "-f", "json")
    data = json.loads(out)
    assert [n["id"] for n in data["nodes"]] == ["DR-001", "DR-002", "DR-004", "DR-006", "DR-008"]
    assert {n["status"] for n in data["nodes"]} == {"accepted"}
    assert all(e["source"] in {"DR-001", "DR-002", "DR-004", "DR-006", "DR-008"} for e in data["edges"])
    _, out, _ = run(cli, "graph", "--area", "Deployment", "-f", "json")
    assert [n["id"] for n in json.loads(out)["nodes"]] == ["DR-003", "DR-006"]
    _, out, _ = run(cli, "graph", "--area", "deployment", "--status", "accepted", "-f", "json")
    assert [n["id"] for n in json.loads(out)["nodes"]] == ["DR-006"]
    code, out, _ = run(cli, "graph", "--area", "nowhere")
    assert code == 0 and out.strip() == "0 records, 0 edges"


def test_impact(cli, basic: Path) -> None:
    code, out, _ = run(cli, "graph", "--impact", "DR-002")
    assert code == 0
    assert out.splitlines()[:3] == [
        "Impact of DR-002  Use PostgreSQL as the primary store  [accepted]",
        "  4 records depend on it:",
        "  DR-003  Host the API on a managed PaaS  [superseded]",
    ]
    assert "      DR-005 -> DR-003 -> DR-002" in out
    _, out, _ = run(cli, "graph", "--impact", "DR-002", "-f", "json")
    data = json.loads(out)
    assert data["id"] == "DR-002"
    assert [(d["id"], d["depth"], d["path"]) for d in data["dependents"]] == [
        ("DR-003", 1, ["DR-003", "DR-002"]),
        ("DR-004", 1, ["DR-004", "DR-002"]),
        ("DR-006", 1, ["DR-006", "DR-002"]),
        ("DR-005", 2, ["DR-005", "DR-003", "DR-002"]),
    ]
    _, out, _ = run(cli, "graph", "--impact", "DR-002", "-f", "dot")
    assert '"DR-001"' not in out and '"DR-005" -> "DR-003"' in out
    _, out, _ = run(cli, "graph", "--impact", "DR-002", "--status", "accepted", "-f", "json")
    assert [d["id"] for d in json.loads(out)["dependents"]] == ["DR-004", "DR-006"]
    _, out, _ = run(cli, "graph", "--impact", "DR-005")
    assert "nothing depends on it" in out
    code, _, err = run(cli, "graph", "--impact", "DR-404")
    assert code == 1 and "no record 'DR-404' for --impact" in err


def test_order(cli, basic: Path) -> None:
    code, out, _ = run(cli, "graph", "--order")
    assert code == 0
    assert out.splitlines()[0] == "1. DR-001  Record architecture decisions  [accepted]"
    _, out, _ = run(cli, "graph", "--order", "-f", "json")
    data = json.loads(out)
    assert data["order"][0] == "DR-001" and data["order"][-1] == "DR-005"
    assert data["cycles"] == []


def test_order_reports_cycles(cli, project) -> None:
    project({
        "decisions/DR-001.md": "---\nid: DR-001\ntitle: A\nrequires: [DR-002]\n---\n",
        "decisions/DR-002.md": "---\nid: DR-002\ntitle: B\nrequires: [DR-001]\n---\n",
    })
    code, out, err = run(cli, "graph", "--order")
    assert code == 0
    assert out.splitlines()[-2:] == [
        "1 cycle (records on a cycle are listed together):", "  DR-001 -> DR-002 -> DR-001"]
    assert "ADR303 error dependency cycle: DR-001 -> DR-002 -> DR-001" in err
    _, out, _ = run(cli, "graph", "--order", "-f", "json")
    assert json.loads(out)["cycles"] == [["DR-001", "DR-002"]]


def test_areas(cli, basic: Path) -> None:
    code, out, _ = run(cli, "graph", "--areas")
    assert code == 0
    assert out.splitlines()[:3] == [
        "data (2)",
        "  DR-002  Use PostgreSQL as the primary store  [accepted]",
        "  DR-008  Keep sessions in the database  [accepted]",
    ]
    _, out, _ = run(cli, "graph", "--areas", "-f", "json")
    assert json.loads(out)["areas"]["deployment"] == ["DR-003", "DR-006"]
    _, out, _ = run(cli, "graph", "--areas", "--status", "accepted", "-f", "json")
    assert json.loads(out)["areas"]["deployment"] == ["DR-006"]


def test_which(cli, basic: Path) -> None:
    code, out, _ = run(cli, "which", "deploy/paas.yaml", "deploy/k8s/svc.yaml")
    assert code == 0
    assert out.splitlines() == [
        "DR-006  Run the API on Kubernetes  [accepted]",
        "    deploy/k8s/svc.yaml  (deploy/k8s/**)",
        "DR-003  Host the API on a managed PaaS  [superseded]",
        "    deploy/paas.yaml  (deploy/paas.yaml)",
    ]
    _, out, _ = run(cli, "which", "src/jobs/send.py", "--format", "json")
    assert json.loads(out) == {"schema": 1, "records": [{
        "id": "DR-004", "title": "Queue background jobs in Redis", "status": "accepted",
        "path": "decisions/DR-004-job-queue.md",
        "matches": [{"path": "src/jobs/send.py", "pattern": "src/jobs/*.py"}],
    }]}
    code, out, _ = run(cli, "which", "README.md")
    assert (code, out.strip()) == (0, "no decision governs these paths")


def test_which_paths_are_relative_to_the_project_root(cli, basic: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (basic / "src" / "jobs").mkdir(parents=True)
    monkeypatch.chdir(basic / "src")
    _, out, _ = run(cli, "which", "jobs/send.py", "--format", "json")
    assert [r["id"] for r in json.loads(out)["records"]] == ["DR-004"]
    _, out, _ = run(cli, "which", str(basic / "deploy" / "paas.yaml"), "-f", "json")
    assert [r["id"] for r in json.loads(out)["records"]] == ["DR-003"]


def test_which_needs_a_path(cli, basic: Path) -> None:
    code, _, _ = run(cli, "which")
    assert code == 2


def test_show_lists_relations(cli, basic: Path) -> None:
    code, out, _ = run(cli, "show", "DR-006")
    assert code == 0
    assert "  requires       DR-002 (capability primary-database), DR-008 (capability " \
           "primary-database)" in out
    assert "  required by    DR-005" in out
    assert "  supersedes     DR-003" in out
    _, out, _ = run(cli, "show", "DR-003", "--format", "json")
    relations = json.loads(out)["relations"]
    assert relations["superseded by"] == ["DR-006"]
    assert relations["required by"] == ["DR-004", "DR-005"]
    assert set(relations) == {"requires", "required by", "provides", "affects", "supersedes",
                              "superseded by", "related"}


def test_help_lists_every_option(cli) -> None:
    out = cli("graph", "--help").stdout
    for option in ("--dir", "--format", "--focus", "--depth", "--status", "--area", "--impact",
                   "--order", "--areas"):
        assert option in out
    assert "Example: adr which" in cli("which", "--help").stdout
