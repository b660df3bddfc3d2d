"""The dict-based decision graph against networkx, its reference, on random graphs (DR-022).

``DecisionGraph`` walks plain dicts and builds ``.nx`` only on demand; these properties
check that its components, cycles, neighbours and sub-graphs are what networkx computes,
and that the lazy ``.nx`` is the MultiDiGraph ``build_graph`` used to build eagerly.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
import networkx

from adr_tool.graph import (
    DEPENDENCY_KINDS,
    EDGE_KINDS,
    ORDER_KINDS,
    DecisionGraph,
    id_sort_key,
    sorted_ids,
    strongly_connected_components,
)

Edge = tuple[str, str, dict[str, Any]]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[str], list[Edge]]:
    """Node ids and deduplicated typed edges (self-loops and parallel kinds included)."""
    count = draw(st.integers(min_value=0, max_value=14))
    ids = [f"DR-{n}" for n in draw(st.permutations(range(1, count + 1)))]
    if not ids:
        return ids, []
    raw = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids),
                                  st.sampled_from(EDGE_KINDS), st.sampled_from(["", "a", "b"])),
                        max_size=40))
    edges: list[Edge] = []
    seen: set[tuple[str, str, str]] = set()
    for source, target, kind, capability in raw:
        key = f"capability:{capability}" if kind == "capability" and capability else kind
        if (source, target, key) in seen:
            continue
        seen.add((source, target, key))
        attrs: dict[str, Any] = {"kind": kind, "line": len(edges) + 1, "column": 1,
                                 "origin": source}
        if kind == "capability" and capability:
            attrs["capability"] = capability
        edges.append((source, target, attrs))
    return ids, edges


def _graph(ids: list[str], edges: list[Edge]) -> DecisionGraph:
    records: dict[str, Any] = {i: SimpleNamespace(id=i, path=f"{i}.md") for i in ids}
    return DecisionGraph(records=records, edges=edges)


def _reference(ids: list[str], edges: list[Edge]) -> networkx.MultiDiGraph[str]:
    """How build_graph made its networkx graph before DR-022."""
    graph: networkx.MultiDiGraph[str] = networkx.MultiDiGraph()
    graph.add_nodes_from((i, {"record": SimpleNamespace(id=i, path=f"{i}.md")}) for i in ids)
    graph.add_edges_from(edges)
    return graph


def _order_digraph(graph: networkx.MultiDiGraph[str]) -> networkx.DiGraph[str]:
    order: networkx.DiGraph[str] = networkx.DiGraph()
    order.add_nodes_from(graph.nodes)
    order.add_edges_from((u, v) for u, v, d in graph.edges(data=True) if d["kind"] in ORDER_KINDS)
    return order


def _shape(graph: networkx.MultiDiGraph[str]) -> tuple[list[str], list[tuple[Any, ...]]]:
    nodes = sorted(graph.nodes)
    edges = sorted((u, v, k, sorted(d.items())) for u, v, k, d in graph.edges(keys=True, data=True))
    return nodes, edges


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_components_and_cycles_match_networkx(case: tuple[list[str], list[Edge]]) -> None:
    ids, edges = case
    ours = _graph(ids, edges)
    order = _order_digraph(_reference(ids, edges))
    adjacency = {n: list(order.successors(n)) for n in order.nodes}
    assert ({frozenset(c) for c in strongly_connected_components(adjacency)}
            == {frozenset(c) for c in networkx.strongly_connected_components(order)})
    cyclic = [set(c) for c in networkx.strongly_connected_components(order)
              if len(c) > 1 or order.has_edge(next(iter(c)), next(iter(c)))]
    cycles = ours.cycles()
    assert len(cycles) == len(cyclic)
    assert [c[0] for c in cycles] == sorted((min(g, key=id_sort_key) for g in cyclic),
                                            key=id_sort_key)
    for cycle in cycles:
        group = next(g for g in cyclic if cycle[0] in g)
        assert set(cycle) <= group and len(set(cycle)) == len(cycle)
        assert all(order.has_edge(a, b) for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True))
        assert len(cycle) == len(_reference_cycle(order.subgraph(group), cycle[0]))
    assert sorted(ours.order()) == sorted(ids)


def _reference_cycle(sub: networkx.DiGraph[str], start: str) -> list[str]:
    """The pre-DR-022 cycle choice (networkx shortest paths); ties may differ, lengths not."""
    best: list[str] | None = None
    for succ in sorted_ids(sub.successors(start)):
        if succ == start:
            return [start]
        path: list[str] = networkx.shortest_path(sub, succ, start)
        if best is None or len(path) + 1 < len(best):
            best = [start, *path[:-1]]
    return best or [start]


@settings(max_examples=300, deadline=None)
@given(graphs(), st.data())
def test_neighbours_subgraph_and_nx_match_networkx(case: tuple[list[str], list[Edge]],
                                                   data: st.DataObject) -> None:
    ids, edges = case
    ours = _graph(ids, edges)
    ref = _reference(ids, edges)
    assert _shape(ours.nx) == _shape(ref)
    assert list(ours.nx.nodes) == list(ref.nodes)
    assert list(ours.nx.edges(keys=True, data=True)) == list(ref.edges(keys=True, data=True))
    assert ours.number_of_edges() == ref.number_of_edges()
    for ident in ids:
        assert ours.dependencies(ident) == sorted_ids(
            {v for _, v, d in ref.out_edges(ident, data=True) if d["kind"] in DEPENDENCY_KINDS})
        assert ours.dependents(ident) == sorted_ids(
            {u for u, _, d in ref.in_edges(ident, data=True) if d["kind"] in DEPENDENCY_KINDS})
    keep = data.draw(st.sets(st.sampled_from(ids)) if ids else st.just(set()))
    sub = ours.subgraph(keep)
    assert _shape(sub.nx) == _shape(ref.subgraph(keep).copy())
    assert sub.edges() == [e for e in ours.edges() if e["source"] in keep and e["target"] in keep]
    if ids:
        start = data.draw(st.sampled_from(ids))
        depth = data.draw(st.integers(min_value=0, max_value=3))
        near = networkx.single_source_shortest_path_length(ref.to_undirected(), start, depth)
        assert sorted(ours.neighbourhood(start, depth).ids()) == sorted(near)


@given(graphs())
@settings(max_examples=50, deadline=None)
def test_graph_built_from_a_networkx_graph_mirrors_it(case: tuple[list[str], list[Edge]]) -> None:
    ids, edges = case
    ref = _reference(ids, edges)
    mirrored = DecisionGraph(nx=ref)
    assert mirrored.nx is ref
    assert mirrored.ids() == list(ref.nodes)
    assert mirrored.edges() == _graph(ids, edges).edges()
    assert mirrored.cycles() == _graph(ids, edges).cycles()


def test_deep_chain_does_not_recurse() -> None:
    ids = [f"DR-{n}" for n in range(1, 5001)]
    edges: list[Edge] = [(a, b, {"kind": "requires", "line": 1, "column": 1, "origin": a})
                         for a, b in zip(ids, [*ids[1:], ids[0]], strict=True)]
    cycles = _graph(ids, edges).cycles()
    assert cycles == [ids]
