"""Layered layout of the decision graph (pure; deterministic for a given input order).

Longest-path layering puts foundations (records that require nothing) on top and their
dependents below; barycentre sweeps then order each layer to reduce
crossings. Cycles are broken by ignoring back edges met in a depth-first walk. Records with
no edge at all go to a grid under the layered part. See DR-014.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NODE_W = 190
NODE_H = 42
GAP_X = 18
GAP_Y = 56
MARGIN = 16
MAX_ROW = 8
"""Layers wider than this wrap onto several rows (keeps the page phone-scrollable)."""
GRID_COLUMNS = 6
"""Records with no edge at all are drawn in a grid this wide."""
SWEEPS = 6


@dataclass(frozen=True, slots=True)
class Layout:
    """Top-left corner of every node, plus the drawing size."""

    positions: dict[str, tuple[int, int]]
    width: int
    height: int


def compute_layers(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layer of each node: 0 for nodes that depend on nothing."""
    succ: dict[str, list[str]] = defaultdict(list)
    known = set(nodes)
    for source, target in edges:
        if source in known and target in known and source != target:
            succ[source].append(target)
    layer: dict[str, int] = {}
    state: dict[str, int] = {}  # 1 = on stack, 2 = done
    for start in nodes:
        if start in state:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        state[start] = 1
        while stack:
            node, index = stack[-1]
            children = succ.get(node, [])
            if index < len(children):
                stack[-1] = (node, index + 1)
                child = children[index]
                if child not in state:
                    state[child] = 1
                    stack.append((child, 0))
                continue  # on-stack child = back edge (cycle): ignored
            stack.pop()
            state[node] = 2
            below = [layer[c] for c in children if state.get(c) == 2 and c in layer]
            layer[node] = 1 + max(below) if below else 0
    return layer


def layered_layout(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str]],
    extra_edges: Sequence[tuple[str, str]] = (),
) -> Layout:
    """Place *nodes*: *edges* (source depends on target) order layers; *extra_edges* only pull."""
    connected = {n for e in (*edges, *extra_edges) for n in e}
    layered_nodes = [n for n in nodes if n in connected]
    isolated = [n for n in nodes if n not in connected]
    layer = compute_layers(layered_nodes, edges)
    layers: dict[int, list[str]] = defaultdict(list)
    for node in layered_nodes:
        layers[layer.get(node, 0)].append(node)
    rows = [layers[i] for i in sorted(layers)]
    rows = _order(rows, [*edges, *extra_edges])
    wrapped: list[list[str]] = []
    for row in rows:
        wrapped.extend(row[i:i + MAX_ROW] for i in range(0, len(row), MAX_ROW))
    if isolated:
        columns = GRID_COLUMNS
        wrapped.extend(isolated[i:i + columns] for i in range(0, len(isolated), columns))
    widest = max((len(r) for r in wrapped), default=0)
    width = MARGIN * 2 + widest * NODE_W + max(widest - 1, 0) * GAP_X
    positions: dict[str, tuple[int, int]] = {}
    y = MARGIN
    for row in wrapped:
        row_width = len(row) * NODE_W + (len(row) - 1) * GAP_X
        x = (width - row_width) // 2
        for node in row:
            positions[node] = (x, y)
            x += NODE_W + GAP_X
        y += NODE_H + GAP_Y
    height = (y - GAP_Y + MARGIN) if wrapped else MARGIN * 2
    return Layout(positions=positions, width=max(width, NODE_W + 2 * MARGIN), height=height)


def _order(rows: list[list[str]], edges: Sequence[tuple[str, str]]) -> list[list[str]]:
    """Barycentre sweeps: sort each row by the mean position of its neighbours."""
    neighbours: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        if a != b:
            neighbours[a].append(b)
            neighbours[b].append(a)
    row_of = {n: i for i, row in enumerate(rows) for n in row}
    rows = [list(r) for r in rows]
    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        order = range(1, len(rows)) if down else range(len(rows) - 2, -1, -1)
        pos = {n: i - (len(row) - 1) / 2 for row in rows for i, n in enumerate(row)}
        for index in order:
            row = rows[index]
            keyed = []
            for i, node in enumerate(row):
                near = [pos[m] for m in neighbours.get(node, ())
                        if m in row_of and (row_of[m] < index if down else row_of[m] > index)]
                bary = sum(near) / len(near) if near else pos[node]
                keyed.append((bary, i, node))
            keyed.sort()
            rows[index] = [node for _, _, node in keyed]
            pos.update({n: i - (len(rows[index]) - 1) / 2 for i, n in enumerate(rows[index])})
    return rows
