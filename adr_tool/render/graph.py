"""Render the decision graph: a terminal tree, Graphviz DOT, Mermaid and node-link JSON.

Every renderer returns text and orders nodes and edges by natural id order, so output is
deterministic (golden files depend on it). Labels are escaped for each target language:
user-written titles never break a DOT string or a Mermaid statement.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adr_tool.graph import DecisionGraph
    from adr_tool.models import Record

FORMATS = ("text", "dot", "mermaid", "json")
"""Formats of ``adr graph``."""

STATUS_COLOURS = {
    "accepted": ("#d4edda", "#2e7d32"),
    "proposed": ("#fff3cd", "#b08900"),
    "rejected": ("#f8d7da", "#c62828"),
    "deprecated": ("#e2e3e5", "#6c757d"),
    "superseded": ("#e2e3e5", "#6c757d"),
}
"""Fill and border colour per status (DOT and Mermaid)."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TREE_KINDS = ("requires", "capability", "supersedes")


def _one_line(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


def _status(record: Record) -> str:
    return record.status or (f"?{record.status_raw}" if record.status_raw else "no status")


def _describe(record: Record) -> str:
    return f"{record.id}  {_one_line(record.title)}  [{_status(record)}]"


def _dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False)


# ----- text ------------------------------------------------------------------------------


def render_text(graph: DecisionGraph) -> str:
    """A readable tree: each record with what it requires, replaces and relates to.

    Roots are the records nothing depends on; a record already shown is referenced as
    ``(see above)``, and an edge back into the current branch is marked ``(cycle)``.
    """
    from adr_tool.graph import ORDER_KINDS, sorted_ids

    children: dict[str, list[tuple[str, str]]] = {i: [] for i in graph.ids()}
    has_parent: set[str] = set()
    for edge in graph.edges():
        kind = edge["kind"]
        label = f"capability {edge['capability']} ->" if kind == "capability" else kind
        children[edge["source"]].append((label, edge["target"]))
        if kind in ORDER_KINDS:
            has_parent.add(edge["target"])
    for ident, resolved in graph.resolutions.items():
        if ident not in children:
            continue
        for res in resolved:
            if res.via == "unresolved":
                kind = "capability" if res.requirement.kind.value == "capability" else "requires"
                children[ident].append((f"{kind} {_one_line(res.requirement.target)}", ""))

    lines: list[str] = []
    expanded: set[str] = set()
    on_path: set[str] = set()
    # explicit stack, as long chains would overflow recursion: (node, label, prefix, last, mode)
    # mode: "enter" expands a record, "leaf" only names it, "exit" closes its branch
    stack: list[tuple[str, str, str, bool, str]] = []
    order = sorted_ids(graph.ids())
    roots = [i for i in order if i not in has_parent] + [i for i in order if i in has_parent]
    for root in roots:
        if root in expanded:
            continue
        stack.append((root, "", "", True, "enter"))
        while stack:
            node, label, prefix, last, mode = stack.pop()
            if mode == "exit":
                on_path.discard(node)
                continue
            is_root = not label
            branch = "" if is_root else prefix + ("└── " if last else "├── ")
            if not node:
                lines.append(f"{branch}{label}  (unresolved)")
                continue
            text = _describe(graph.record(node))
            head = f"{branch}{label} {text}" if label else text
            if mode == "leaf":
                lines.append(head)
                continue
            if node in on_path:
                lines.append(f"{head}  (cycle)")
                continue
            if node in expanded:
                lines.append(f"{head}  (see above)")
                continue
            lines.append(head)
            expanded.add(node)
            on_path.add(node)
            stack.append((node, "", "", False, "exit"))
            child_prefix = "" if is_root else prefix + ("    " if last else "│   ")
            kids = children[node]
            for pos in range(len(kids) - 1, -1, -1):
                kid_label, target = kids[pos]
                # related records are named, not expanded: they are not dependencies
                kid_mode = "leaf" if kid_label == "related" else "enter"
                stack.append((target, kid_label, child_prefix, pos == len(kids) - 1, kid_mode))
        on_path.clear()
    edges = graph.number_of_edges()
    records = len(graph)
    summary = f"{records} record{'s' if records != 1 else ''}, {edges} edge{'s' if edges != 1 else ''}"
    return "\n".join([*lines, "", summary]) if lines else summary


def render_impact_text(graph: DecisionGraph, ident: str) -> str:
    """What depends on *ident*, nearest first, each with the chain that links it."""
    impact = graph.impact(ident)
    lines = [f"Impact of {_describe(graph.record(ident))}"]
    if not impact:
        lines.append("  nothing depends on it")
        return "\n".join(lines)
    lines.append(f"  {len(impact)} record{'s' if len(impact) != 1 else ''} depend on it:")
    for dependent, path in impact:
        lines.append(f"  {_describe(graph.record(dependent))}")
        lines.append(f"      {' -> '.join(path)}")
    return "\n".join(lines)


def impact_json(graph: DecisionGraph, ident: str) -> str:
    """JSON (schema 1) of ``adr graph --impact``."""
    dependents = [
        {"id": dep, "title": graph.record(dep).title, "status": graph.record(dep).status,
         "depth": len(path) - 1, "path": path}
        for dep, path in graph.impact(ident)
    ]
    return _dumps({"schema": 1, "id": ident, "dependents": dependents})


def render_order_text(graph: DecisionGraph) -> str:
    """Numbered reading order, then the cycles that had to be kept together."""
    order = graph.order()
    width = len(str(len(order)))
    lines = [f"{n:>{width}}. {_describe(graph.record(i))}" for n, i in enumerate(order, 1)]
    cycles = graph.cycles()
    if cycles:
        lines += ["", (f"{len(cycles)} cycle{'s' if len(cycles) != 1 else ''} "
                      "(records on a cycle are listed together):")]
        lines += [f"  {' -> '.join([*c, c[0]])}" for c in cycles]
    return "\n".join(lines) if lines else "no records"


def order_json(graph: DecisionGraph) -> str:
    """JSON (schema 1) of ``adr graph --order``."""
    return _dumps({"schema": 1, "order": graph.order(), "cycles": graph.cycles()})


def render_areas_text(graph: DecisionGraph) -> str:
    """Records grouped by the areas they affect."""
    areas = graph.areas()
    if not areas:
        return "no record names an area in `affects`"
    lines: list[str] = []
    for area, ids in areas.items():
        lines.append(f"{_one_line(area)} ({len(ids)})")
        lines += [f"  {_describe(graph.record(i))}" for i in ids]
    return "\n".join(lines)


def areas_json(graph: DecisionGraph) -> str:
    """JSON (schema 1) of ``adr graph --areas``."""
    return _dumps({"schema": 1, "areas": graph.areas()})


def render_which_text(matches: list[tuple[Record, list[tuple[str, str]]]]) -> str:
    """Decisions governing the given paths, accepted first, with the pattern that matched."""
    if not matches:
        return "no decision governs these paths"
    lines: list[str] = []
    for record, hits in matches:
        lines.append(_describe(record))
        lines += [f"    {path}  ({pattern})" for path, pattern in hits]
    return "\n".join(lines)


def which_json(matches: list[tuple[Record, list[tuple[str, str]]]]) -> str:
    """JSON (schema 1) of ``adr which``."""
    records = [
        {"id": r.id, "title": r.title, "status": r.status, "path": r.path,
         "matches": [{"path": p, "pattern": pat} for p, pat in hits]}
        for r, hits in matches
    ]
    return _dumps({"schema": 1, "records": records})


# ----- JSON ------------------------------------------------------------------------------


def render_json(graph: DecisionGraph) -> str:
    """Node-link JSON, schema 1 (see :meth:`DecisionGraph.to_json`), one node/edge per line.

    Each item goes through the C-accelerated encoder (``indent`` forces the pure-Python
    one, about 10x slower on 10,000 records), and one item per line still diffs well.
    """
    return dumps_lines(graph.to_json())


def dumps_lines(payload: dict[str, Any]) -> str:
    """JSON with sorted keys, each top-level list item on a line of its own."""
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
    parts: list[str] = []
    for key in sorted(payload):
        value = payload[key]
        if isinstance(value, list) and value:
            items = ",\n    ".join(encode(item) for item in value)
            parts.append(f"  {encode(key)}: [\n    {items}\n  ]")
        else:
            parts.append(f"  {encode(key)}: {encode(value)}")
    return "{\n" + ",\n".join(parts) + "\n}"


# ----- DOT -------------------------------------------------------------------------------


def dot_quote(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, no raw line breaks."""
    cleaned = _CONTROL.sub(" ", text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{cleaned}"'


def _dot_label(*lines: str) -> str:
    # each line escaped on its own, then joined with DOT's own line-break escape
    parts = [dot_quote(_one_line(line))[1:-1] for line in lines]
    return '"' + "\\n".join(parts) + '"'


def _wrap(title: str, width: int = 32) -> list[str]:
    return textwrap.wrap(_one_line(title), width, break_long_words=True) or [""]


_DOT_EDGE_STYLE = {
    "requires": "",
    "capability": ", style=dashed",
    "supersedes": ', style=bold, color="#6c757d"',
    "related": ", style=dotted, dir=none",
}


def render_dot(graph: DecisionGraph, focus: str | None = None) -> str:
    """Graphviz DOT (``adr graph --format dot | dot -Tsvg > graph.svg``)."""
    out = [
        "digraph decisions {",
        '  graph [rankdir=BT, fontname="Helvetica"];',
        ('  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, '
        'fillcolor="#ffffff"];'),
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for record in graph.records():
        fill, border = STATUS_COLOURS.get(record.status or "", ("#ffffff", "#999999"))
        extra = ", penwidth=2" if record.id == focus else ""
        out.append(
            f"  {dot_quote(record.id)} [label={_dot_label(record.id, *_wrap(record.title))}, "
            f'fillcolor="{fill}", color="{border}", tooltip={dot_quote(_status(record))}{extra}];'
        )
    for edge in graph.edges():
        label = edge.get("capability") or edge["kind"]
        out.append(
            f"  {dot_quote(edge['source'])} -> {dot_quote(edge['target'])} "
            f"[label={dot_quote(_one_line(label))}{_DOT_EDGE_STYLE[edge['kind']]}];"
        )
    out.append("}")
    return "\n".join(out)


# ----- Mermaid ---------------------------------------------------------------------------

_MERMAID_ESCAPES = (
    ("#", "#35;"),  # first: every later escape introduces a '#'
    ('"', "#quot;"),
    ("&", "#amp;"),
    ("<", "#lt;"),
    (">", "#gt;"),
    ("`", "#96;"),
    ("|", "#124;"),
)


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: entity codes for quotes, markup and pipes."""
    cleaned = _one_line(text)
    for raw, code in _MERMAID_ESCAPES:
        cleaned = cleaned.replace(raw, code)
    return cleaned


_MERMAID_ARROW = {
    "requires": "-->",
    "capability": "-.->",
    "supersedes": "==>",
    "related": "---",
}


def render_mermaid(graph: DecisionGraph, focus: str | None = None) -> str:
    """A fenced Mermaid flowchart that renders when pasted into GitHub Markdown.

    Node ids are generated (``n0``, ``n1``...) so record ids such as ``end`` or ``a-b`` can
    never clash with Mermaid keywords; the record id is in the label.
    """
    records = graph.records()
    ids = {record.id: f"n{i}" for i, record in enumerate(records)}
    out = ["```mermaid", "flowchart BT"]
    by_status: dict[str, list[str]] = {}
    for record in records:
        label = mermaid_text(f"{record.id}: {record.title}")
        out.append(f'  {ids[record.id]}["{label}"]')
        if record.status in STATUS_COLOURS:
            by_status.setdefault(record.status, []).append(ids[record.id])
    for edge in graph.edges():
        label = mermaid_text(edge.get("capability") or edge["kind"])
        arrow = _MERMAID_ARROW[edge["kind"]]
        out.append(f'  {ids[edge["source"]]} {arrow}|"{label}"| {ids[edge["target"]]}')
    for status, (fill, border) in STATUS_COLOURS.items():
        if status in by_status:
            out.append(f"  classDef {status} fill:{fill},stroke:{border}")
            out.append(f"  class {','.join(by_status[status])} {status}")
    if focus in ids:
        out.append("  classDef focus stroke-width:3px")
        out.append(f"  class {ids[focus]} focus")
    out.append("```")
    return "\n".join(out)


def render(graph: DecisionGraph, fmt: str, focus: str | None = None) -> str:
    """Dispatch on ``--format``."""
    if fmt == "json":
        return render_json(graph)
    if fmt == "dot":
        return render_dot(graph, focus)
    if fmt == "mermaid":
        return render_mermaid(graph, focus)
    return render_text(graph)
