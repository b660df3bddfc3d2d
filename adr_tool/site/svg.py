"""Server-rendered SVG: the decision graph, score bar charts and status badges.

Everything is drawn as text with escaped labels and CSS classes (colours live in the
stylesheet so the dark theme applies; no inline ``style`` so a strict CSP holds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from adr_tool.site.layout import GAP_Y, NODE_H, NODE_W, layered_layout
from adr_tool.site.relations import LAYERING_KINDS, Edge


def _x(text: str) -> str:
    return escape(text, quote=True)


def truncate(text: str, limit: int) -> str:
    """Shorten *text* to *limit* characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A node as drawn: id, label, status class and page-relative link."""

    id: str
    title: str
    status_class: str
    status_label: str
    href: str
    current: bool = False


def graph_svg(nodes: Sequence[GraphNode], edges: Sequence[Edge], *, label: str,
              marker_id: str = "arrow") -> str:
    """Draw *nodes* and *edges* in a layered layout; every node links to its record page."""
    ids = [n.id for n in nodes]
    known = set(ids)
    drawn = [e for e in edges if e.source in known and e.target in known]
    layout = layered_layout(
        ids,
        [(e.source, e.target) for e in drawn if e.kind in LAYERING_KINDS],
        [(e.source, e.target) for e in drawn if e.kind not in LAYERING_KINDS],
    )
    w, h = layout.width, layout.height
    out = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" viewBox="0 0 {w} {h}" '
         f'width="{w}" height="{h}" role="img" aria-label="{_x(label)}">'),
        (f'<defs><marker id="{marker_id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
         f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
         f'class="arrow-head"/></marker></defs>'),
        '<g class="edges">',
    ]
    ports = _ports(drawn, layout.positions)
    for edge in drawn:
        (x1, y1), (x2, y2) = ports[edge]
        if y1 == y2:  # same row: arc above both nodes
            path = f"M{x1},{y1} C{x1},{y1 - 40} {x2},{y2 - 40} {x2},{y2}"
        elif abs(y2 - y1) > NODE_H + GAP_Y * 1.5:  # skips a row: swing round the nodes between
            sx, tx = layout.positions[edge.source][0], layout.positions[edge.target][0]
            side = min(sx, tx) - 90 if edge.kind == "related" else max(sx, tx) + NODE_W + 90
            dy = (y2 - y1) / 3
            path = f"M{x1},{y1} C{side},{y1 + dy:g} {side},{y2 - dy:g} {x2},{y2}"
        else:
            dy = (y2 - y1) / 2
            path = f"M{x1},{y1} C{x1},{y1 + dy:g} {x2},{y2 - dy:g} {x2},{y2}"
        marker = "" if edge.kind == "related" else f' marker-end="url(#{marker_id})"'
        out.append(f'<path class="edge edge-{_x(edge.kind)}" d="{path}"{marker}>'
                   f"<title>{_x(edge.source)} {_x(edge.kind)} {_x(edge.target)}</title></path>")
    out.append('</g><g class="nodes">')
    for node in nodes:
        x, y = layout.positions[node.id]
        cls = f"node status-{node.status_class}" + (" current" if node.current else "")
        out.append(
            f'<a href="{_x(node.href)}" class="{cls}">'
            f"<title>{_x(node.id)}: {_x(node.title)} ({_x(node.status_label)})</title>"
            f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="6"/>'
            f'<text x="{x + 8}" y="{y + 16}" class="node-id">'
            f"{_x(truncate(node.id, max(8, 27 - len(node.status_label))))}"
            f" · {_x(truncate(node.status_label, 12))}</text>"
            f'<text x="{x + 8}" y="{y + 33}" class="node-title">{_x(truncate(node.title, 26))}</text>'
            f"</a>"
        )
    out.append("</g></svg>")
    return "".join(out)


def _ports(edges: Sequence[Edge], positions: dict[str, tuple[int, int]]
           ) -> dict[Edge, tuple[tuple[int, int], tuple[int, int]]]:
    """Spread edge ends along each node's top or bottom side, ordered by the other end's x."""
    sides: dict[tuple[str, str], list[tuple[float, Edge, int]]] = {}
    for edge in edges:
        (sx, sy), (tx, ty) = positions[edge.source], positions[edge.target]
        if sy > ty:
            ends = (("top", tx), ("bottom", sx))
        elif sy < ty:
            ends = (("bottom", tx), ("top", sx))
        else:
            ends = (("top", tx), ("top", sx))
        sides.setdefault((edge.source, ends[0][0]), []).append((ends[0][1], edge, 0))
        sides.setdefault((edge.target, ends[1][0]), []).append((ends[1][1], edge, 1))
    found: dict[Edge, list[tuple[int, int]]] = {e: [(0, 0), (0, 0)] for e in edges}
    for (node, side), items in sides.items():
        items.sort(key=lambda item: (item[0], item[1]))
        x, y = positions[node]
        for index, (_, edge, end) in enumerate(items):
            px = x + round(NODE_W * (index + 1) / (len(items) + 1))
            found[edge][end] = (px, y if side == "top" else y + NODE_H)
    return {e: (p[0], p[1]) for e, p in found.items()}


@dataclass(frozen=True, slots=True)
class Bar:
    """One option of a criteria table as a bar."""

    name: str
    percent: float
    value: str
    """Label shown after the bar (``42 / 50``)."""
    winner: bool = False
    disqualified: bool = False


BAR_H = 22
LABEL_W = 170
BAR_W = 260


def bar_chart_svg(bars: Sequence[Bar], *, label: str) -> str:
    """A horizontal bar chart of option scores (percent of the maximum)."""
    height = len(bars) * (BAR_H + 8) + 8
    width = LABEL_W + BAR_W + 110
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="score-chart" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-label="{_x(label)}">')]
    y = 8
    for bar in bars:
        pct = min(max(bar.percent, 0.0), 100.0)
        length = round(BAR_W * pct / 100, 1)
        cls = "bar" + (" winner" if bar.winner else "") + (" disqualified" if bar.disqualified else "")
        out.append(
            f'<g class="{cls}"><title>{_x(bar.name)}: {_x(bar.value)} ({pct:.0f}%)</title>'
            f'<text x="{LABEL_W - 8}" y="{y + 15}" class="bar-label" text-anchor="end">'
            f"{_x(truncate(bar.name, 24))}</text>"
            f'<rect x="{LABEL_W}" y="{y}" width="{BAR_W}" height="{BAR_H}" class="bar-track" rx="3"/>'
            f'<rect x="{LABEL_W}" y="{y}" width="{length:g}" height="{BAR_H}" class="bar-fill" rx="3"/>'
            f'<text x="{LABEL_W + BAR_W + 8}" y="{y + 15}" class="bar-value">{_x(bar.value)}</text></g>'
        )
        y += BAR_H + 8
    out.append("</svg>")
    return "".join(out)


STATUS_COLOURS = {
    "accepted": "#2e7d32", "proposed": "#b26a00", "rejected": "#c62828",
    "deprecated": "#6a1b9a", "superseded": "#546e7a", "unknown": "#757575",
}
"""Badge colours (badges are standalone files embedded elsewhere, so colours are inline)."""


def _text_width(text: str) -> int:
    return 10 + sum(7 if c.isupper() or c in "mwMW" else 6 for c in text)


def badge_svg(left: str, right: str, colour: str) -> str:
    """A flat two-part badge (``status | accepted``) for embedding in READMEs."""
    lw, rw = _text_width(left), _text_width(right)
    w = lw + rw
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" '
        f'aria-label="{_x(left)}: {_x(right)}"><title>{_x(left)}: {_x(right)}</title>'
        f'<rect width="{lw}" height="20" fill="#555"/>'
        f'<rect x="{lw}" width="{rw}" height="20" fill="{_x(colour)}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">'
        f'<text x="{lw / 2:g}" y="14">{_x(left)}</text>'
        f'<text x="{lw + rw / 2:g}" y="14">{_x(right)}</text></g></svg>\n'
    )
