"""Relations between records for the site: from ``adr_tool.graph`` when present, else our own.

The graph module (issue: graph engineer) is the source of truth for edges, areas and
relations. Until it is installed this module derives the same shapes from record fields,
so every page works without it (``importlib.util.find_spec`` decides, once per build).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
import importlib
import importlib.util
import json
from pathlib import PurePosixPath
import posixpath
from typing import TYPE_CHECKING, Any

from adr_tool.models import RequirementKind
from adr_tool.site.cache import ContentCache, content_key

if TYPE_CHECKING:
    from adr_tool.models import Record
    from adr_tool.repository import Repository

RELATION_KEYS = ("requires", "required by", "provides", "affects", "supersedes",
                 "superseded by", "related")
"""Keys of ``relations_of`` (graph interface), in display order."""

LAYERING_KINDS = frozenset({"requires", "capability", "supersedes"})
"""Edge kinds that order the layered graph (source below target)."""


@dataclass(frozen=True, slots=True, order=True, repr=False)
class Edge:
    """A directed edge between two record ids; source is the dependent or newer record."""

    source: str
    target: str
    kind: str

    def __repr__(self) -> str:
        # cache keys repr every edge of the graph; the generated repr is ~5x slower
        return f"Edge({self.source!r}, {self.target!r}, {self.kind!r})"


@dataclass(slots=True)
class Relations:
    """Everything the site needs to know about links between records."""

    edges: list[Edge] = field(default_factory=list)
    by_record: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """Record id -> relation key -> ids (or capability/area names for provides/affects)."""
    areas: dict[str, list[str]] = field(default_factory=dict)
    from_graph_module: bool = False


@lru_cache(maxsize=8)
def has_module(name: str) -> bool:
    """Tell whether an optional sibling module (graph, scoring) is installed."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def build_relations(repo: Repository, cache: ContentCache | None = None) -> Relations:
    """Relations from the graph module when installed, else derived from record fields.

    With a *cache*, the result is kept under a key made of every record field the graph
    reads (never the body), so a rebuild after a body edit neither imports networkx nor
    rebuilds the graph.
    """
    use_graph = has_module("adr_tool.graph")
    key = ""
    if cache is not None:
        key = content_key("relations", str(use_graph), repr([_graph_inputs(r) for r in repo.records]))
        cached = cache.get("relations", key)
        if cached is not None:
            data = json.loads(cached)
            return Relations(edges=[Edge(*e) for e in data["edges"]], by_record=data["by_record"],
                             areas=data["areas"], from_graph_module=data["from_graph_module"])
    relations = _from_graph_module(repo) if use_graph else _fallback(repo)
    if cache is not None:
        data = {"edges": [[e.source, e.target, e.kind] for e in relations.edges],
                "by_record": relations.by_record, "areas": relations.areas,
                "from_graph_module": relations.from_graph_module}
        cache.store("relations", key, json.dumps(data).encode("utf-8"))
    return relations


def _graph_inputs(record: Record) -> tuple[Any, ...]:
    """What the graph (and ``repo.get``) may read of a record: everything but the body."""
    return (record.id, record.title, record.status, record.date, record.path, record.format,
            record.phase, record.plan, record.tags, record.provides, record.affects,
            record.supersedes, record.superseded_by, record.related,
            [(r.kind, r.target, r.provides) for r in record.requires])


def _from_graph_module(repo: Repository) -> Relations:
    graph_mod: Any = importlib.import_module("adr_tool.graph")
    graph = graph_mod.build_graph(repo)
    ids = {r.id for r in repo.records}
    edges = sorted({
        Edge(str(edge["source"]), str(edge["target"]), str(edge.get("kind", "requires")))
        for edge in graph.edges()  # the graph's own edge list: building .nx imports networkx
        if str(edge["source"]) in ids and str(edge["target"]) in ids
        and edge["source"] != edge["target"]
    })
    by_record: dict[str, dict[str, list[str]]] = {}
    empty: dict[str, list[str]] = {key: [] for key in RELATION_KEYS}
    for record in repo.records:
        # one graph for the whole site: relations_of() would rebuild it per record (O(n^2))
        raw = graph.relations(record.id) if record.id in graph else empty
        by_record.setdefault(record.id, {
            key: [str(v) for v in raw.get(key, [])] for key in RELATION_KEYS
        })
    areas = {str(k): sorted(str(i) for i in v) for k, v in graph.areas().items()}
    return Relations(edges=edges, by_record=by_record, areas=dict(sorted(areas.items())),
                     from_graph_module=True)


def _fallback(repo: Repository) -> Relations:
    """Derive edges and both-way relations from requires/provides/supersedes/related."""
    providers: dict[str, list[str]] = defaultdict(list)
    for record in repo.records:
        for capability in record.provides:
            providers[capability.casefold()].append(record.id)
    edges: set[Edge] = set()

    def resolve(ref: str) -> str | None:
        found = repo.get(ref)
        return found.id if found is not None else None

    for record in repo.records:
        for req in record.requires:
            target = None
            if req.kind is not RequirementKind.CAPABILITY:
                target = resolve(req.target)
            if target is not None:
                edges.add(Edge(record.id, target, "requires"))
                continue
            for provider in providers.get(req.target.casefold(), []):
                edges.add(Edge(record.id, provider, "capability"))
        for old in record.supersedes:
            target = resolve(old)
            if target is not None:
                edges.add(Edge(record.id, target, "supersedes"))
        for new in record.superseded_by:
            source = resolve(new)
            if source is not None:
                edges.add(Edge(source, record.id, "supersedes"))
        for other in record.related:
            target = resolve(other)
            if target is not None:
                a, b = sorted((record.id, target))
                edges.add(Edge(a, b, "related"))
    edges_sorted = sorted(e for e in edges if e.source != e.target)
    by_record: dict[str, dict[str, list[str]]] = {
        r.id: {key: [] for key in RELATION_KEYS} for r in repo.records
    }
    for edge in edges_sorted:
        src, dst = by_record.get(edge.source), by_record.get(edge.target)
        if src is None or dst is None:
            continue
        if edge.kind in ("requires", "capability"):
            src["requires"].append(edge.target)
            dst["required by"].append(edge.source)
        elif edge.kind == "supersedes":
            src["supersedes"].append(edge.target)
            dst["superseded by"].append(edge.source)
        else:
            src["related"].append(edge.target)
            dst["related"].append(edge.source)
    areas: dict[str, list[str]] = defaultdict(list)
    for record in repo.records:
        rel = by_record.setdefault(record.id, {key: [] for key in RELATION_KEYS})
        rel["provides"] = list(record.provides)
        rel["affects"] = list(record.affects)
        for area in record.affects:
            areas[area.strip().casefold()].append(record.id)
        for key in RELATION_KEYS:
            rel[key] = list(dict.fromkeys(rel[key]))
    return Relations(edges=edges_sorted, by_record=by_record,
                     areas={k: sorted(set(v)) for k, v in sorted(areas.items())})


def build_backlinks(repo: Repository, cache: ContentCache | None = None) -> dict[str, list[str]]:
    """Record id -> ids of records whose body links to its file (cached under every link)."""
    if cache is None:
        return _backlinks(repo)
    # the compact link tuples (url first): making Link objects for every record cost more
    # than the rest of a warm build's model
    inputs = "\n".join("\0".join([repr(r.path), repr(r.id), *(repr(link[0]) for link in link_tuples(r))])
                       for r in repo.records)
    key = content_key("backlinks", inputs)
    cached = cache.get("relations", key)
    if cached is not None:
        data: dict[str, list[str]] = json.loads(cached)
        return data
    found = _backlinks(repo)
    cache.store("relations", key, json.dumps(found).encode("utf-8"))
    return found


def _backlinks(repo: Repository) -> dict[str, list[str]]:
    by_path: dict[str, str] = {}
    for record in repo.records:
        by_path.setdefault(_norm(record.path), record.id)
    backlinks: dict[str, list[str]] = defaultdict(list)
    resolved: dict[tuple[str, str], str | None] = {}
    for record in repo.records:
        base = PurePosixPath(record.path).parent
        folder = str(base)
        for link in link_tuples(record):
            url = link[0]
            if url.startswith(("https://", "http://", "#")):
                continue  # never relative (resolve_relative gives None)
            key = (folder, url)
            if key in resolved:
                target = resolved[key]
            else:
                target = resolved[key] = resolve_relative(base, url)
            if target is None:
                continue
            target_id = by_path.get(target)
            if target_id is not None and target_id != record.id and record.id not in backlinks[target_id]:
                backlinks[target_id].append(record.id)
    return {k: sorted(v) for k, v in backlinks.items()}


def link_tuples(record: Record) -> Any:
    """``record.structure[1]`` (the body's links as compact tuples), decoding only that part.

    A record from a parse worker or the parse cache keeps its body structure pickled, part
    by part, until asked (DR-021); ``structure`` decodes and keeps all three parts, sections
    and tables too: ~120 MB held by a build of 10,000 records that needs only the links.
    """
    return record._part(1)


def resolve_relative(base: PurePosixPath, url: str) -> str | None:
    """Normalised path of a relative link from folder *base*, or None when not relative."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or url.startswith("/"):
        return None
    return _norm(str(base / unquote(parts.path)))


def _norm(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/"))

