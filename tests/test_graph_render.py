"""Rendering the decision graph: golden files per format, escaping, Graphviz validity."""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
import re
import shutil
import subprocess

import pytest

from adr_tool.graph import DecisionGraph, build_graph
from adr_tool.render import graph as render
from adr_tool.repository import load_repository

FIXTURES = Path(__file__).parent / "fixtures" / "graph"
HOSTILE_TITLE = 'Quote " back\\slash {brace} <b>bold</b> | pipe #hash; `tick` & end\tTAB'


def _fixture_graph(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DecisionGraph:
    shutil.copytree(FIXTURES / name, tmp_path / name)
    monkeypatch.chdir(tmp_path / name)  # paths in the output are relative, as users see them
    if name == "gsd":
        return build_graph(load_repository(Path("."), files=[Path(".planning")]))
    return build_graph(load_repository(Path("decisions")))


@pytest.fixture
def basic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DecisionGraph:
    return _fixture_graph("basic", tmp_path, monkeypatch)


@pytest.fixture
def gsd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DecisionGraph:
    return _fixture_graph("gsd", tmp_path, monkeypatch)


@pytest.fixture
def hostile(project: Callable[[dict[str, str]], Path]) -> DecisionGraph:
    title = HOSTILE_TITLE.replace("\\", "\\\\").replace('"', '\\"')
    root = project({
        "decisions/DR-001.md": f'---\nid: DR-001\ntitle: "{title}"\nstatus: accepted\n'
                               'provides: ["cap \\"quoted\\" | x"]\n---\n',
        "decisions/DR-002.md": ('---\nid: "end"\ntitle: "graph subgraph -> node"\n'
                                'requires:\n  - capability: cap "quoted" | x\n---\n'),
    })
    return build_graph(load_repository(root / "decisions"))


# ----- goldens ----------------------------------------------------------------------------


def test_text_golden(basic: DecisionGraph, file_regression) -> None:
    file_regression.check(render.render_text(basic) + "\n", extension=".txt")


def test_text_golden_gsd(gsd: DecisionGraph, file_regression) -> None:
    file_regression.check(render.render_text(gsd) + "\n", extension=".txt")


def test_dot_golden(basic: DecisionGraph, file_regression) -> None:
    file_regression.check(render.render_dot(basic) + "\n", extension=".dot")


def test_mermaid_golden(basic: DecisionGraph, file_regression) -> None:
    file_regression.check(render.render_mermaid(basic) + "\n", extension=".md")


def test_json_golden(basic: DecisionGraph, data_regression) -> None:
    data = json.loads(render.render_json(basic))
    assert data == basic.to_json()
    data_regression.check(data)


def test_json_golden_gsd(gsd: DecisionGraph, data_regression) -> None:
    data_regression.check(json.loads(render.render_json(gsd)))


def test_impact_order_areas_goldens(basic: DecisionGraph, file_regression) -> None:
    text = "\n\n".join([
        render.render_impact_text(basic, "DR-002"),
        render.render_impact_text(basic, "DR-005"),
        render.render_order_text(basic),
        render.render_areas_text(basic),
        render.render_which_text(basic.which_matches(["deploy/k8s/a.yaml", "src/jobs/x.py"])),
    ])
    file_regression.check(text + "\n", extension=".txt")


def test_escaping_goldens(hostile: DecisionGraph, file_regression) -> None:
    text = "\n".join([render.render_dot(hostile), render.render_mermaid(hostile),
                      render.render_text(hostile)])
    file_regression.check(text + "\n", extension=".txt")


def test_json_is_deterministic(basic: DecisionGraph, tmp_path: Path) -> None:
    again = build_graph(load_repository(Path("decisions")))
    assert render.render_json(again) == render.render_json(basic)
    assert render.render_dot(again) == render.render_dot(basic)


# ----- structure and escaping -------------------------------------------------------------


def test_text_marks_repeats_cycles_and_unresolved(project) -> None:
    root = project({
        "decisions/DR-001.md": "---\nid: DR-001\ntitle: A\nrequires: [DR-002]\n---\n",
        "decisions/DR-002.md": "---\nid: DR-002\ntitle: B\nrequires: [DR-001, DR-404]\n---\n",
    })
    text = render.render_text(build_graph(load_repository(root / "decisions")))
    assert text.splitlines() == [
        "DR-001  A  [no status]",
        "└── requires DR-002  B  [no status]",
        "    ├── requires DR-001  A  [no status]  (cycle)",
        "    └── requires DR-404  (unresolved)",
        "",
        "2 records, 2 edges",
    ]


def test_text_handles_a_long_chain_without_recursion(project) -> None:
    files = {
        f"decisions/DR-{i:04d}.md": (
            f"---\nid: DR-{i:04d}\ntitle: T{i}\nrequires: [{f'DR-{i - 1:04d}' if i > 1 else ''}]\n---\n"
        )
        for i in range(1, 1201)
    }
    root = project(files)
    text = render.render_text(build_graph(load_repository(root / "decisions")))
    assert text.splitlines()[0] == "DR-1200  T1200  [no status]"
    assert len(text.splitlines()) == 1200 + 2


def test_dot_escapes_labels(hostile: DecisionGraph) -> None:
    dot = render.render_dot(hostile)
    assert '\\"' in dot and "back\\\\slash" in dot
    assert "\t" not in dot
    # every statement line is balanced: an even number of unescaped quotes
    for line in dot.splitlines():
        assert len(re.findall(r'(?<!\\)"', line.replace("\\\\", ""))) % 2 == 0, line


def test_mermaid_escapes_labels(hostile: DecisionGraph) -> None:
    text = render.render_mermaid(hostile)
    lines = text.splitlines()
    assert lines[0] == "```mermaid" and lines[-1] == "```"
    node_lines = [ln for ln in lines if re.match(r"^  n\d+\[", ln)]
    assert len(node_lines) == 2
    for line in node_lines:
        assert re.fullmatch(r'  n\d+\["[^"<>`|\n]*"\]', line), line
    assert "#quot;" in text and "#lt;b#gt;" in text and "#124;" in text and "#35;hash" in text
    edge = next(ln for ln in lines if "-.->" in ln)
    assert re.fullmatch(r'  n\d+ -\.->\|"[^"|]*"\| n\d+', edge), edge
    # a record called "end" cannot clash with Mermaid's keyword: nodes use generated ids
    assert "end:" in text and not re.search(r"^\s+end\b", text, re.MULTILINE)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")
@pytest.mark.parametrize("which", ["basic", "hostile"])
def test_dot_renders_with_graphviz(which: str, request: pytest.FixtureRequest) -> None:
    graph: DecisionGraph = request.getfixturevalue(which)
    source = render.render_dot(graph, focus=graph.records()[0].id)
    done = subprocess.run(["dot", "-Tsvg"], input=source, capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "<svg" in done.stdout
    for record in graph.records():
        assert f">{record.id.replace('-', '&#45;')}<" in done.stdout  # the label's first line
    if which == "hostile":
        assert "&lt;b&gt;bold&lt;/b&gt;" in done.stdout
