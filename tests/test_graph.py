"""The decision graph model: edges, requirement resolution, diagnostics, analyses."""

from __future__ import annotations

from collections.abc import Callable
import glob
import itertools
import json
import os
from pathlib import Path
import shutil

import pytest

from adr_tool.graph import (
    RELATION_KEYS,
    RULES,
    DecisionGraph,
    build_graph,
    id_sort_key,
    is_path_pattern,
    path_matches,
    relations_of,
)
from adr_tool.repository import Repository, load_repository

FIXTURES = Path(__file__).parent / "fixtures" / "graph"

def _find_shared() -> Path:
    """ADR_SHARED_DIR, else ../shared beside the checkout (main) or the worktrees folder."""
    if os.environ.get("ADR_SHARED_DIR"):
        return Path(os.environ["ADR_SHARED_DIR"])
    here = Path(__file__).resolve().parent.parent
    for base in (here.parent, here.parent.parent):
        if (base / "shared").is_dir():
            return base / "shared"
    return here.parent / "shared"


SHARED = _find_shared()
SEEDS = SHARED / "seeds"
CORPORA = SHARED / "corpora"


def corpora_dirs() -> list[Path]:
    """Every corpus folder present in ../shared/corpora (none when absent: tests skip)."""
    return sorted(p for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.is_dir() else []


def load_fixture(name: str, tmp_path: Path) -> Repository:
    """Copy a fixture project into tmp_path and load it as the CLI would."""
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    if (target / ".planning").is_dir():
        return load_repository(target, files=[target / ".planning"])
    return load_repository(target / "decisions")


def make(project: Callable[[dict[str, str]], Path], records: dict[str, str]) -> DecisionGraph:
    """Write records (id -> frontmatter lines) and build their graph."""
    files = {
        f"decisions/{ident}.md": f"---\nid: {ident}\ntitle: Title of {ident}\n{body}---\n\n# {ident}\n"
        for ident, body in records.items()
    }
    root = project(files)
    return build_graph(load_repository(root / "decisions"))


def codes(graph: DecisionGraph) -> list[tuple[str, str, int, int]]:
    return [(d.code, Path(d.path).name, d.line, d.column) for d in graph.diagnostics]


def edge_set(graph: DecisionGraph) -> set[tuple[str, str, str]]:
    return {(e["source"], e["target"], e["kind"]) for e in graph.edges()}


# ----- the basic fixture: every edge kind -------------------------------------------------


@pytest.fixture
def basic(tmp_path: Path) -> DecisionGraph:
    return build_graph(load_fixture("basic", tmp_path))


def test_every_edge_kind_is_built(basic: DecisionGraph) -> None:
    assert edge_set(basic) == {
        ("DR-002", "DR-001", "requires"),
        ("DR-003", "DR-002", "requires"),
        ("DR-004", "DR-002", "requires"),
        ("DR-004", "DR-003", "requires"),
        # a bare string that is no record id resolves to the capability's providers
        ("DR-005", "DR-004", "capability"),
        ("DR-005", "DR-007", "capability"),
        # `capability:` with two providers: one edge to each
        ("DR-005", "DR-003", "capability"),
        ("DR-005", "DR-006", "capability"),
        ("DR-006", "DR-002", "capability"),
        ("DR-006", "DR-008", "capability"),
        # supersedes declared on both sides (supersedes + superseded_by) is one edge
        ("DR-006", "DR-003", "supersedes"),
        # related declared on both sides is one edge
        ("DR-004", "DR-005", "related"),
    }
    assert basic.nx.number_of_edges() == 12
    assert basic.record("DR-001").title == "Record architecture decisions"


def test_capability_edges_name_their_capability(basic: DecisionGraph) -> None:
    caps = {(e["source"], e["target"]): e["capability"] for e in basic.edges(["capability"])}
    assert caps[("DR-005", "DR-004")] == "job-queue"
    assert caps[("DR-006", "DR-008")] == "primary-database"


def test_diagnostics_are_positioned(basic: DecisionGraph) -> None:
    assert codes(basic) == [
        ("ADR305", "DR-004-job-queue.md", 8, 5),
        ("ADR301", "DR-008-sessions.md", 7, 5),
        ("ADR302", "DR-008-sessions.md", 8, 5),
        ("ADR304", "DR-008-sessions.md", 9, 11),
    ]
    by_code = {d.code: d for d in basic.diagnostics}
    assert by_code["ADR301"].severity == "error"
    assert by_code["ADR301"].rule == "requires-unresolved"
    assert "DR-404" in by_code["ADR301"].message
    assert "session-store" in by_code["ADR302"].message
    assert "DR-002" in by_code["ADR304"].message
    # the hint names the successor of the superseded record
    assert "DR-006" in by_code["ADR305"].hint


def test_rejected_second_provider_is_not_a_conflict(basic: DecisionGraph) -> None:
    # job-queue is provided by DR-004 (accepted) and DR-007 (rejected): no ADR304 for it
    assert not [d for d in basic.diagnostics if d.code == "ADR304" and "job-queue" in d.message]


def test_impact_lists_transitive_dependents_with_paths(basic: DecisionGraph) -> None:
    assert basic.impact("DR-001") == [
        ("DR-002", ["DR-002", "DR-001"]),
        ("DR-003", ["DR-003", "DR-002", "DR-001"]),
        ("DR-004", ["DR-004", "DR-002", "DR-001"]),
        ("DR-006", ["DR-006", "DR-002", "DR-001"]),
        ("DR-005", ["DR-005", "DR-003", "DR-002", "DR-001"]),
    ]
    assert basic.impact("DR-005") == []
    assert basic.impact("DR-999") == []


def test_order_puts_dependencies_and_predecessors_first(basic: DecisionGraph) -> None:
    order = basic.order()
    assert sorted(order) == sorted(basic.nx.nodes)
    position = {ident: i for i, ident in enumerate(order)}
    for edge in basic.edges(["requires", "capability", "supersedes"]):
        assert position[edge["target"]] < position[edge["source"]], edge
    assert order[0] == "DR-001"


def test_areas_group_names_and_skip_paths(basic: DecisionGraph) -> None:
    assert basic.areas() == {
        "data": ["DR-002", "DR-008"],
        "deployment": ["DR-003", "DR-006"],
        "infrastructure": ["DR-004", "DR-005", "DR-007"],  # "Infrastructure" folds in
        "notifications": ["DR-005"],
        "process": ["DR-001"],
    }


def test_which_puts_accepted_first(basic: DecisionGraph) -> None:
    found = basic.which_matches(["deploy/paas.yaml", "deploy/k8s/api/service.yaml"])
    assert [(r.id, hits) for r, hits in found] == [
        ("DR-006", [("deploy/k8s/api/service.yaml", "deploy/k8s/**")]),
        ("DR-003", [("deploy/paas.yaml", "deploy/paas.yaml")]),
    ]
    assert [r.id for r in basic.which(["src/jobs/send.py"])] == ["DR-004"]
    assert basic.which(["src/jobs/nested/send.py"]) == []  # `*` stays in one folder
    assert [r.id for r in basic.which(["./docs/decisions/DR-001.md"])] == ["DR-001"]
    assert [r.id for r in basic.which(["deploy"])] == ["DR-006", "DR-003"]  # a folder
    assert basic.which(["README.md"]) == []


def test_neighbourhood(basic: DecisionGraph) -> None:
    assert sorted(basic.neighbourhood("DR-001", 1).nx.nodes) == ["DR-001", "DR-002"]
    two = basic.neighbourhood("DR-001", 2)
    assert sorted(two.nx.nodes) == ["DR-001", "DR-002", "DR-003", "DR-004", "DR-006"]
    assert sorted(basic.neighbourhood("DR-001", 0).nx.nodes) == ["DR-001"]
    assert len(basic.neighbourhood("DR-999", 3)) == 0
    # diagnostics follow their records into the sub-graph
    assert {d.code for d in basic.neighbourhood("DR-008", 0).diagnostics} == {
        "ADR301", "ADR302", "ADR304"}


def test_relations_of_for_show(tmp_path: Path) -> None:
    repo = load_fixture("basic", tmp_path)
    rel = relations_of(repo, repo.get("DR-006"))  # type: ignore[arg-type]
    assert list(rel) == list(RELATION_KEYS)
    assert rel == {
        "requires": ["DR-002 (capability primary-database)", "DR-008 (capability primary-database)"],
        "required by": ["DR-005"],
        "provides": ["api-hosting"],
        "affects": ["deployment", "deploy/k8s/**"],
        "supersedes": ["DR-003"],
        "superseded by": [],
        "related": [],
    }
    rel = relations_of(repo, repo.get("DR-003"))  # type: ignore[arg-type]
    assert rel["superseded by"] == ["DR-006"]
    assert rel["required by"] == ["DR-004", "DR-005"]
    rel = relations_of(repo, repo.get("DR-008"))  # type: ignore[arg-type]
    assert rel["requires"] == ["DR-404 (unresolved)", "session-store (unprovided)"]
    assert relations_of(repo, repo.get("DR-005"))["related"] == ["DR-004"]  # type: ignore[arg-type]


def test_to_json_is_node_link_and_sorted(basic: DecisionGraph) -> None:
    data = basic.to_json()
    assert data["schema"] == 1
    assert [n["id"] for n in data["nodes"]] == [f"DR-00{i}" for i in range(1, 9)]
    assert {"id", "title", "status"} <= set(data["nodes"][0])
    assert all(set(e) <= {"source", "target", "kind", "capability"} for e in data["edges"])
    keys = [(e["source"], e["target"]) for e in data["edges"]]
    assert keys == sorted(keys)
    assert json.loads(json.dumps(data)) == data


# ----- resolution rules -------------------------------------------------------------------


def test_record_id_wins_over_capability(project) -> None:
    graph = make(project, {
        "DR-001": "status: accepted\n",
        "DR-002": "status: accepted\nprovides: [DR-001]\n",
        "DR-003": "status: accepted\nrequires: [DR-001]\n",
    })
    assert edge_set(graph) == {("DR-003", "DR-001", "requires")}


def test_capability_match_is_case_insensitive(project) -> None:
    graph = make(project, {
        "DR-001": "status: accepted\nprovides: [Redis Broker]\n",
        "DR-002": "status: accepted\nrequires:\n  - capability: redis broker\n  - REDIS BROKER\n",
    })
    assert edge_set(graph) == {("DR-002", "DR-001", "capability")}
    assert graph.diagnostics == []


def test_reference_by_number_or_file_name(project) -> None:
    graph = make(project, {
        "DR-001": "status: accepted\n",
        "DR-002": "status: accepted\nrequires: [DR-001.md, dr-1]\nrelated: ['1']\n",
    })
    assert edge_set(graph) == {("DR-002", "DR-001", "requires"), ("DR-002", "DR-001", "related")}


def test_usual_prefix_reaches_records_with_bare_number_ids(project) -> None:
    root = project({
        "doc/adr/0009-use-make.md": "# 9. Use make\n\nDate: 2024-01-01\n\n## Status\n\nAccepted\n",
        "doc/adr/0010-use-just.md": ("---\nrequires: [ADR-0009, 9, Tool-9]\n---\n"
                                     "# 10. Use just\n\n## Status\n\nAccepted\n"),
    })
    graph = build_graph(load_repository(root / "doc" / "adr"))
    assert sorted(graph.nx.nodes) == ["0009", "0010"]
    assert edge_set(graph) == {("0010", "0009", "requires")}
    assert [d.data["target"] for d in graph.diagnostics] == ["Tool-9"]


def test_word_with_a_number_is_a_capability_not_a_record_number(project) -> None:
    graph = make(project, {
        "DR-001": "status: accepted\n",
        "DR-002": "status: accepted\nprovides: [redis-1]\n",
        "DR-003": "status: accepted\nrequires: [redis-1, python-1]\n",
    })
    assert edge_set(graph) == {("DR-003", "DR-002", "capability")}
    assert [d.message for d in graph.diagnostics] == [
        "requires 'python-1', which is neither a record id nor a provided capability"]


def test_requires_inactive_only_when_every_provider_is_inactive(project) -> None:
    graph = make(project, {
        "DR-001": "status: rejected\nprovides: [queue]\n",
        "DR-002": "status: deprecated\nprovides: [queue]\n",
        "DR-003": "status: accepted\nrequires:\n  - capability: queue\n",
        "DR-004": "status: accepted\nprovides: [cache]\n",
        "DR-005": "status: deprecated\nprovides: [cache]\n",
        "DR-006": "status: accepted\nrequires:\n  - capability: cache\n",
        "DR-007": "status: proposed\nrequires: [DR-001]\n",  # only accepted records are checked
    })
    assert [(c, f) for c, f, _, _ in codes(graph)] == [("ADR305", "DR-003.md")]
    assert "capability 'queue'" in graph.diagnostics[0].message


def test_unknown_supersedes_and_related_are_left_to_lint(project) -> None:
    graph = make(project, {"DR-001": "status: accepted\nsupersedes: [DR-077]\nrelated: [DR-078]\n"})
    assert graph.diagnostics == [] and edge_set(graph) == set()
    rel = graph.relations("DR-001")
    assert rel["supersedes"] == ["DR-077 (not found)"]
    assert rel["related"] == ["DR-078 (not found)"]


def test_duplicate_ids_keep_the_first_record(project) -> None:
    root = project({
        "decisions/a.md": "---\nid: DR-001\ntitle: First\nstatus: accepted\n---\n",
        "decisions/b.md": "---\nid: DR-001\ntitle: Second\nstatus: accepted\nrequires: [DR-404]\n---\n",
    })
    graph = build_graph(load_repository(root / "decisions"))
    assert len(graph) == 1 and graph.record("DR-001").title == "First"
    assert graph.diagnostics == []


def test_empty_repository(project) -> None:
    root = project({"decisions/.keep": ""})
    graph = build_graph(load_repository(root / "decisions"))
    assert len(graph) == 0
    assert graph.order() == [] and graph.cycles() == [] and graph.areas() == {}
    assert graph.to_json() == {"schema": 1, "nodes": [], "edges": [], "cycles": []}


# ----- cycles -----------------------------------------------------------------------------


def test_cycles_are_reported_with_members(project) -> None:
    graph = make(project, {
        "DR-001": "status: accepted\nrequires: [DR-002]\n",
        "DR-002": "status: accepted\nrequires: [DR-003]\n",
        "DR-003": "status: accepted\nrequires: [DR-001]\n",
        "DR-004": "status: accepted\nrequires: [DR-004]\n",
        "DR-005": "status: accepted\nsupersedes: [DR-006]\n",
        "DR-006": "status: accepted\nsupersedes: [DR-005]\n",
        "DR-007": "status: accepted\nrequires: [DR-001]\n",
    })
    assert graph.cycles() == [["DR-001", "DR-002", "DR-003"], ["DR-004"], ["DR-005", "DR-006"]]
    cycle_diags = [d for d in graph.diagnostics if d.code == "ADR303"]
    assert [(Path(d.path).name, d.line, d.column) for d in cycle_diags] == [
        ("DR-001.md", 5, 12), ("DR-004.md", 5, 12), ("DR-005.md", 5, 13)]
    assert cycle_diags[0].message == "dependency cycle: DR-001 -> DR-002 -> DR-003 -> DR-001"
    assert cycle_diags[0].data["members"] == ["DR-001", "DR-002", "DR-003"]
    order = graph.order()
    assert sorted(order) == [f"DR-00{i}" for i in range(1, 8)]
    # the cycle is kept together, and what depends on it comes after it
    assert order.index("DR-007") > max(order.index(f"DR-00{i}") for i in (1, 2, 3))


def test_cycle_through_a_capability(project) -> None:
    graph = make(project, {
        "DR-001": "status: accepted\nprovides: [a]\nrequires:\n  - capability: b\n",
        "DR-002": "status: accepted\nprovides: [b]\nrequires:\n  - capability: a\n",
    })
    assert graph.cycles() == [["DR-001", "DR-002"]]


def test_cycle_reported_in_the_file_that_declares_the_edge(project) -> None:
    graph = make(project, {
        "DR-001": "status: accepted\nsuperseded_by: [DR-002]\n",
        "DR-002": "status: accepted\nsuperseded_by: [DR-001]\n",
    })
    [diag] = [d for d in graph.diagnostics if d.code == "ADR303"]
    # edge DR-001 -> DR-002 (DR-001 supersedes DR-002) is written in DR-002's file
    assert Path(diag.path).name == "DR-002.md"


# ----- GSD-shaped requirements ------------------------------------------------------------


@pytest.fixture
def gsd(tmp_path: Path) -> DecisionGraph:
    return build_graph(load_fixture("gsd", tmp_path))


def test_gsd_phase_requirements_resolve(gsd: DecisionGraph) -> None:
    assert edge_set(gsd) == {
        # own phase: the earlier plan of the same phase
        ("01-02-summary", "01-01-summary", "requires"),
        # another phase: its last plan (the phase is done when that plan is)
        ("02-01-summary", "01-02-summary", "requires"),
        # a plan id (`02-01`) with only a summary on disk: the summary of that plan
        ("02-02-summary", "02-01-summary", "requires"),
    }


def test_gsd_missing_phases_are_warnings_and_affects_is_not_checked(gsd: DecisionGraph) -> None:
    assert [(d.code, d.severity.value, Path(d.path).name, d.line, d.column)
            for d in gsd.diagnostics] == [
        ("ADR301", "warning", "02-02-SUMMARY.md", 8, 5),
        ("ADR301", "warning", "003-SUMMARY.md", 6, 5),
    ]
    # `affects: [03-future-phase]` names no record and is not diagnosed: it is an area
    assert "03-future-phase" in gsd.areas()


def test_gsd_relations_show_how_a_phase_resolved(gsd: DecisionGraph) -> None:
    assert gsd.relations("02-01-summary")["requires"] == ["01-02-summary (phase 01-setup)"]
    assert gsd.relations("02-02-summary")["requires"] == [
        "02-01-summary (phase 02-01)", "07-billing (unresolved)"]
    assert gsd.relations("01-01-summary")["required by"] == ["01-02-summary"]


def test_gsd_which_and_areas(gsd: DecisionGraph) -> None:
    assert [r.id for r in gsd.which([".github/workflows/ci.yml"])] == ["01-02-summary"]
    assert gsd.areas()["backend"] == ["02-01-summary", "02-02-summary"]


def test_phase_number_target_and_own_phase(project) -> None:
    root = project({
        ".planning/a.md": "---\nphase: 04-deploy\nplan: 01\ncompleted: 2025-01-01\n---\n# A\n",
        ".planning/b.md": "---\nphase: 04-deploy\nplan: 02\ncompleted: 2025-01-02\n---\n# B\n",
        ".planning/c.md": ("---\nphase: 05-ops\nplan: 01\nrequires:\n  - phase: 4\n"
                           "  - phase: 05-ops\n---\n# C\n"),
    })
    graph = build_graph(load_repository(root, files=[root / ".planning"]))
    # `phase: 4` -> the last plan of phase 04; its own phase with no earlier plan: satisfied
    assert edge_set(graph) == {("05-01", "04-02-summary", "requires")}
    assert graph.diagnostics == []
    assert graph.relations("05-01")["requires"] == ["04-02-summary (phase 4)",
                                                    "05-ops (own phase)"]


# ----- paths and globs --------------------------------------------------------------------


@pytest.mark.parametrize(("entry", "is_path"), [
    ("deployment", False), ("infrastructure", False), ("03-release", False),
("two words/with slash", False), ("v0.1", False),
    ("src/api/**", True), ("backend/render.yaml", True), ("render.yaml", True),
    ("Dockerfile", True), (".github", True), ("*.tf", True), ("docs\\adr", True),
])
def test_is_path_pattern(entry: str, is_path: bool) -> None:
    assert is_path_pattern(entry) is is_path


@pytest.mark.parametrize(("pattern", "path", "hit"), [
    ("src/api/**", "src/api/routes.py", True),
    ("src/api/**", "src/api/v1/deep/x.py", True),
    ("src/api/**", "src/apiary/x.py", False),
    ("src/**/test_*.py", "src/test_a.py", True),
    ("src/**/test_*.py", "src/a/b/test_a.py", True),
    ("src/**/test_*.py", "src/a/b/a_test.py", False),
    ("src/*.py", "src/a.py", True),
    ("src/*.py", "src/pkg/a.py", False),
    ("src/?.py", "src/a.py", True),
    ("src/[ab].py", "src/b.py", True),
    ("src/[!ab].py", "src/b.py", False),
    ("backend/render.yaml", "backend/render.yaml", True),
    ("backend/render.yaml", "./backend/render.yaml", True),
    ("backend", "backend/render.yaml", True),  # a folder covers what is inside
    ("backend/", "backend/app/main.py", True),
    ("backend/render.yaml", "backend", True),  # asking about a folder finds files in it
    ("backend/*.yaml", "backend", True),
    ("backend/render.yaml", "back", False),
    ("**", "anything/at/all", True),
    ("src/[broken", "src/[broken", True),
    ("docs\\adr\\*.md", "docs/adr/0001.md", True),
])
def test_path_matches(pattern: str, path: str, hit: bool) -> None:
    assert path_matches(pattern, path) is hit


def test_natural_id_order() -> None:
    ids = ["DR-10", "DR-9", "01-01-summary", "01-01", "dr-2", "ADR-100"]
    assert sorted(ids, key=id_sort_key) == ["01-01", "01-01-summary", "ADR-100", "dr-2", "DR-9",
                                            "DR-10"]


# ----- scale ------------------------------------------------------------------------------


def _generate(root: Path, count: int) -> None:
    """A deterministic corpus: each record requires up to two earlier ones, some capabilities."""
    folder = root / "decisions"
    folder.mkdir(parents=True)
    for i in range(1, count + 1):
        requires = [f"DR-{j:04d}" for j in sorted({(i * 7) % i + 1, i // 2}) if 0 < j < i]
        if i % 10 == 0:
            requires.append(f"capability-{i // 10 - 1}" if i > 10 else "DR-0001")
        lines = [
            "---", f"id: DR-{i:04d}", f"title: Generated decision {i}",
            f"status: {'superseded' if i % 97 == 0 else 'accepted'}",
            f"requires: [{', '.join(requires)}]",
            f"provides: [capability-{i // 10}]" if i % 10 == 5 else "provides: []",
            f"affects: [area-{i % 5}, src/module{i % 3}/**]",
            f"related: [DR-{max(i - 3, 1):04d}]" if i % 4 == 0 else "related: []",
            f"supersedes: [DR-{i - 1:04d}]" if i % 97 == 1 and i > 1 else "supersedes: []",
            "---", "", f"# DR-{i:04d}: Generated decision {i}", "",
        ]
        (folder / f"DR-{i:04d}-generated.md").write_text("\n".join(lines), encoding="utf-8")


def test_generated_thousand_record_corpus(tmp_path: Path) -> None:
    _generate(tmp_path, 1000)
    repo = load_repository(tmp_path / "decisions")
    graph = build_graph(repo)
    assert len(graph) == 1000
    kinds = {k: len(graph.edges([k])) for k in ("requires", "capability", "supersedes", "related")}
    assert kinds["capability"] == 99 and kinds["supersedes"] == 10 and kinds["related"] == 250
    assert graph.cycles() == []
    assert {d.code for d in graph.diagnostics} <= {"ADR305"}
    order = graph.order()
    position = {ident: i for i, ident in enumerate(order)}
    assert len(order) == 1000
    for edge in graph.edges(["requires", "capability", "supersedes"]):
        assert position[edge["target"]] < position[edge["source"]]
    impact = dict(graph.impact("DR-0001"))
    assert len(impact) == 999  # everything eventually rests on the first record
    for dependent, path in impact.items():
        assert path[0] == dependent and path[-1] == "DR-0001"
        for a, b in itertools.pairwise(path):
            assert b in graph.dependencies(a)
    assert len(graph.areas()) == 5
    assert len(graph.which(["src/module1/x.py"])) == 334  # i % 3 == 1 for i in 1..1000
    assert len(json.dumps(graph.to_json())) > 100_000


# ----- real data --------------------------------------------------------------------------


def _record_folders(corpus: Path) -> list[Path]:
    """The corpus folder plus hidden planning folders discovery skips (`.planning`)."""
    hidden = [p for p in corpus.iterdir() if p.is_dir() and p.name.startswith(".")]
    return [corpus, *hidden]


@pytest.mark.parametrize("corpus", corpora_dirs(), ids=lambda p: p.name)
def test_every_corpus_builds(corpus: Path) -> None:
    repo = load_repository(corpus, files=_record_folders(corpus))
    graph = build_graph(repo)
    assert len(graph) == len({r.id for r in repo.records})
    for diag in graph.diagnostics:
        assert diag.code in RULES and diag.line >= 1 and diag.column >= 1, diag
        assert diag.path in {r.path for r in repo.records}
    assert sorted(graph.order()) == sorted(graph.nx.nodes)
    json.dumps(graph.to_json())
    for ident in list(graph.nx.nodes)[:50]:
        graph.relations(ident)
        graph.impact(ident)


def test_gsd_corpus_requirements_all_resolve() -> None:
    corpus = CORPORA / "d44b__pulltrace"
    if not corpus.is_dir():
        pytest.skip("corpus d44b__pulltrace absent")
    graph = build_graph(load_repository(corpus, files=[corpus / ".planning"]))
    # `affects` there names phases that do not exist; they must not be reported
    assert [d.code for d in graph.diagnostics] == []
    assert ("04-02-summary", "04-01", "requires") in edge_set(graph)
    assert graph.edges(["requires"]) and graph.cycles() == []


def test_seed_phase_requirements_are_unresolved_warnings() -> None:
    seeds = sorted(glob.glob(str(SEEDS / "*.txt")))
    if not seeds:
        pytest.skip("seeds absent")
    graph = build_graph(load_repository(None, files=seeds))
    found = [(d.code, d.severity.value, Path(d.path).name[:3], d.line) for d in graph.diagnostics]
    assert found == [
        ("ADR301", "warning", "001", 9),
        ("ADR301", "warning", "004", 9), ("ADR301", "warning", "004", 11),
        ("ADR301", "warning", "004", 13), ("ADR301", "warning", "004", 15),
    ]
    assert "deployment" in graph.areas()
