"""The decision graph: what each record requires, provides, supersedes and relates to.

One node per record id; typed edges point from the dependent (or newer) record to the one it
depends on (or replaces). Requirements resolve as DR-011 describes: a plain reference is a
record id first and a provided capability second; a GSD ``- phase:`` entry is the record with
that id or phase. Anything that does not resolve is kept as a diagnostic (ADR301-305), never
dropped. The graph is plain dicts; networkx is imported only when a caller asks for
``DecisionGraph.nx`` (DR-022).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
import functools
import heapq
from pathlib import PurePosixPath
import posixpath
import re
from typing import TYPE_CHECKING, Any

from adr_tool.diagnostics import Diagnostic, Severity
from adr_tool.models import Record, Requirement, RequirementKind

if TYPE_CHECKING:
    import networkx

    from adr_tool.repository import Repository

EDGE_KINDS = ("requires", "capability", "supersedes", "related")
"""Every edge kind, in display order."""
DEPENDENCY_KINDS = frozenset({"requires", "capability"})
"""Edges that make one record depend on another (impact analysis follows these)."""
ORDER_KINDS = frozenset({"requires", "capability", "supersedes"})
"""Edges that constrain the reading order (and so can form a cycle)."""
INACTIVE_STATUSES = frozenset({"rejected", "deprecated", "superseded"})
"""Statuses an accepted record should not depend on (ADR305)."""
RELATION_KEYS = (
    "requires", "required by", "provides", "affects", "supersedes", "superseded by", "related",
)
"""Keys of :func:`relations_of`, in display order."""

RULES = {
    "ADR301": "requires-unresolved",
    "ADR302": "capability-unprovided",
    "ADR303": "dependency-cycle",
    "ADR304": "capability-multiple-providers",
    "ADR305": "requires-inactive",
}
"""The diagnostics this module produces, code -> slug."""

_PHASE_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)(?=$|[-_ ])")
_NUMERIC_REF = re.compile(r"^(\d+(?:\.\d+)?)(?:-(\d+))?$")
_NATURAL = re.compile(r"(\d+)")
_FILE_NAMES = frozenset({"dockerfile", "makefile", "procfile", "justfile", "gemfile", "jenkinsfile"})
_FILE_SUFFIX = re.compile(
    r"^[\w.-]+\.(ya?ml|json|toml|ini|cfg|conf|env|lock|txt|md|rst|py|pyi|js|mjs|cjs|ts|tsx|jsx|"
    r"go|rs|java|kt|kts|rb|php|cs|c|h|cc|cpp|hpp|swift|scala|sh|bash|ps1|tf|tfvars|hcl|sql|"
    r"html|css|scss|xml|proto|gradle|properties|dockerfile|nix|lua|ex|exs|erl|dart|vue|svelte)$",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=65536)
def id_sort_key(ident: str) -> tuple[Any, ...]:
    """Natural order for ids (``DR-9`` before ``DR-10``); ties broken by the raw text."""
    parts = tuple(
        (0, int(p), "") if p.isdigit() else (1, 0, p)
        for p in _NATURAL.split(ident.casefold()) if p
    )
    return (*parts, (-1, 0, ident))


def sorted_ids(ids: Iterable[str]) -> list[str]:
    """Sort ids naturally; the one ordering every export uses."""
    return sorted(ids, key=id_sort_key)


def is_path_pattern(entry: str) -> bool:
    """Tell a code path or glob (``src/api/**``, ``render.yaml``) from an area name (``deployment``)."""
    text = entry.strip()
    if not text or any(ch.isspace() for ch in text):
        return False
    if any(ch in text for ch in "/\\*?[") or text.startswith("."):
        return True
    return text.casefold() in _FILE_NAMES or _FILE_SUFFIX.match(text) is not None


def normalize_path(path: str) -> str:
    """Forward slashes, no ``./`` prefix, no trailing slash: how paths and patterns compare."""
    text = path.strip().replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    text = posixpath.normpath(text) if text else text
    return "" if text == "." else text.rstrip("/")


@functools.lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Translate a glob to a regex: ``**`` spans folders, ``*`` and ``?`` stay inside one."""
    text = normalize_path(pattern)
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if text.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif text.startswith("**", i):
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            end = text.find("]", i + 2)
            if end == -1:
                out.append(re.escape(ch))
                i += 1
            else:
                body = text[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end + 1
        else:
            out.append(re.escape(ch))
            i += 1
    try:
        return re.compile("".join(out) + r"\Z")
    except re.error:
        return re.compile(re.escape(text) + r"\Z")


def _literal_prefix(pattern: str) -> str:
    """The folder part of a pattern before its first wildcard (``src/api`` for ``src/api/*.py``)."""
    text = normalize_path(pattern)
    cut = min((i for i in (text.find(c) for c in "*?[") if i >= 0), default=len(text))
    return text[:cut].rsplit("/", 1)[0] if cut < len(text) else text


def path_matches(pattern: str, path: str) -> bool:
    """Whether a changed *path* falls under an ``affects`` *pattern*.

    A pattern governs the files it matches and everything below a folder it matches
    (``src/api`` covers ``src/api/x.py``); a folder given as *path* is touched by any
    pattern inside it (asking about ``src`` finds ``src/api/**``).
    """
    target = normalize_path(path)
    regex = compile_pattern(pattern)
    if not target:
        return False
    candidate = target
    while True:
        if regex.match(candidate):
            return True
        if "/" not in candidate:
            break
        candidate = candidate.rsplit("/", 1)[0]
    prefix = _literal_prefix(pattern)
    return bool(prefix) and (prefix == target or prefix.startswith(target + "/"))


@dataclass(frozen=True, slots=True)
class Resolution:
    """What one ``requires`` entry of a record turned into."""

    requirement: Requirement
    targets: tuple[str, ...]
    """Record ids it resolved to (several for a capability with several providers)."""
    via: str
    """``requires``, ``capability``, ``own-phase`` (GSD: satisfied by its own phase) or ``unresolved``."""
    capability: str | None = None


class _Index:
    """Lookup tables built once per graph, so resolution never scans the records."""

    def __init__(self, repo: Repository, records: list[Record]) -> None:
        self.repo = repo
        self.record_prefixes = {"adr", "dr", "ad", "decision", _id_prefix(repo.config.prefix)}
        self.by_fold: dict[str, str] = {}
        self.by_phase: dict[str, list[Record]] = {}
        self.by_phase_number: dict[str, list[Record]] = {}
        self.providers: dict[str, list[str]] = {}
        self.provided_as: dict[str, str] = {}
        listed: set[tuple[str, str]] = set()  # (capability, id): no list scan per provider
        for record in records:
            self.by_fold.setdefault(record.id.casefold(), record.id)
            if record.phase:
                phase = str(record.phase).strip()
                self.by_phase.setdefault(phase.casefold(), []).append(record)
                number = _phase_number(phase)
                if number is not None:
                    self.by_phase_number.setdefault(number, []).append(record)
            for provided in record.provides:
                key = provided.strip().casefold()
                if key and (key, record.id) not in listed:
                    listed.add((key, record.id))
                    self.providers.setdefault(key, []).append(record.id)
                    self.provided_as.setdefault(key, provided.strip())

    def record_id(self, ref: str) -> str | None:
        """Resolve a ``supersedes``/``related`` reference with the repository's own lookup."""
        ref = ref.strip()
        found = self.repo.get(ref) if ref else None
        return found.id if found is not None else None

    def required_id(self, ref: str) -> str | None:
        """Resolve a ``requires`` reference to a record id, strictly.

        ``repo.get`` also matches any ``word-N`` to record number N; for a requirement that
        would turn the capability ``redis-7`` into DR-007. So a match by number alone must
        carry the record's own prefix (``DR-7``), be a bare number (``7``), or use a usual
        record prefix for records whose ids are bare numbers (``ADR-0009`` -> ``0009``).
        """
        ref = ref.strip()
        found = self.repo.get(ref) if ref else None
        if found is None:
            return None
        if found.id == ref:
            return found.id
        fold = ref.casefold()
        name = PurePosixPath(found.path).name.casefold()
        if ref.isdigit() or fold in (found.id.casefold(), name, name.rsplit(".", 1)[0]):
            return found.id
        ref_prefix, id_prefix = _id_prefix(ref), _id_prefix(found.id)
        if ref_prefix == id_prefix or (not id_prefix and ref_prefix in self.record_prefixes):
            return found.id
        return None

    def capability(self, name: str, exclude: str) -> list[str]:
        """Providers of a capability (case-insensitive), excluding the asking record."""
        return [p for p in self.providers.get(name.strip().casefold(), ()) if p != exclude]

    def phase(self, record: Record, target: str) -> str | None:
        """Resolve a GSD ``- phase:`` target; ``""`` means satisfied by the record's own phase."""
        fold = target.strip().casefold()
        if not fold:
            return None
        exact = self.by_fold.get(fold)
        if exact is not None:
            return "" if exact == record.id else exact
        members = self.by_phase.get(fold)
        if members:
            return _pick_phase_member(record, members)
        numeric = _NUMERIC_REF.match(fold)
        if numeric is None:
            return None
        number = _strip_zeros(numeric[1])
        members = self.by_phase_number.get(number, [])
        if numeric[2] is None:
            return _pick_phase_member(record, members) if members else None
        plan = _strip_zeros(numeric[2])
        hits = [m for m in members if m.plan is not None and _strip_zeros(str(m.plan)) == plan
                and m.id != record.id]
        hits.sort(key=lambda m: (m.id.casefold().endswith("-summary"), id_sort_key(m.id)))
        return hits[0].id if hits else None


def _id_prefix(ident: str) -> str:
    """``DR`` for ``DR-007`` or ``dr 7``: the letters before the number."""
    return re.sub(r"[-_ ]*\d.*$", "", ident.strip()).rstrip("-_ ").casefold()


def _strip_zeros(number: str) -> str:
    return ".".join(part.lstrip("0") or "0" for part in number.split("."))


def _phase_number(phase: str) -> str | None:
    match = _PHASE_NUMBER.match(phase.strip())
    return _strip_zeros(match[1]) if match else None


def _plan_key(record: Record) -> tuple[Any, ...]:
    return id_sort_key(str(record.plan)) if record.plan is not None else ()


def _pick_phase_member(record: Record, members: list[Record]) -> str | None:
    """Pick the record that stands for a whole phase.

    A phase-level record (no plan) wins; otherwise the last plan of the phase, its summary
    preferred (the phase is done when its last plan is). A record asking for its own phase
    only looks at the plans before its own; with none, its own phase satisfies it (``""``).
    """
    own_phase = bool(record.phase) and str(record.phase).strip().casefold() == str(
        members[0].phase or "").strip().casefold()
    candidates = [m for m in members if m.id != record.id]
    if own_phase:
        if record.plan is None:
            return ""
        mine = _plan_key(record)
        candidates = [m for m in candidates if m.plan is not None and _plan_key(m) < mine]
        if not candidates:
            return ""
    if not candidates:
        return None
    whole = [m for m in candidates if m.plan is None]
    if whole:
        return min(whole, key=lambda m: id_sort_key(m.id)).id
    best = max(candidates, key=lambda m: (_plan_key(m), m.id.casefold().endswith("-summary"),
                                          id_sort_key(m.id)))
    return best.id


def _diag(code: str, severity: Severity, record: Record, line: int, column: int, message: str,
          hint: str = "", **data: Any) -> Diagnostic:
    return Diagnostic(code, severity, record.path, max(line, 1), max(column, 1), message, hint,
                      rule=RULES[code], data=data)


class DecisionGraph:
    """Records as a typed multigraph plus the graph diagnostics (ADR301-305).

    Held as plain dicts (records by id, edges in insertion order, adjacency built on first
    use): every analysis here walks them directly, so lint and ``adr graph`` never import
    networkx (~200 ms) nor build its graph (~0.6 s at 10,000 records). ``nx`` builds the
    networkx view on first access, for library users (DR-022).
    """

    __slots__ = (
        "_cycles",
        "_deps",
        "_edges",
        "_groups",
        "_nx",
        "_pred",
        "_records",
        "_succ",
        "diagnostics",
        "repo",
        "resolutions",
    )

    def __init__(self, nx: networkx.MultiDiGraph[str] | None = None,
                 diagnostics: list[Diagnostic] | None = None,
                 resolutions: dict[str, list[Resolution]] | None = None,
                 repo: Repository | None = None, *,
                 records: dict[str, Record] | None = None,
                 edges: list[tuple[str, str, dict[str, Any]]] | None = None,
                 _deps: dict[str, list[str]] | None = None) -> None:
        self.diagnostics: list[Diagnostic] = diagnostics if diagnostics is not None else []
        self.resolutions: dict[str, list[Resolution]] = (
            resolutions if resolutions is not None else {})
        """How each record's ``requires`` entries resolved, keyed by record id."""
        self.repo = repo
        self._nx = nx
        if nx is not None:  # built by a caller from a networkx graph: mirror it
            records = {n: data["record"] for n, data in nx.nodes(data=True)}
            edges = [(u, v, data) for u, v, data in nx.edges(data=True)]
        self._records: dict[str, Record] = records if records is not None else {}
        self._edges: list[tuple[str, str, dict[str, Any]]] = edges if edges is not None else []
        self._deps = _deps
        self._cycles: list[list[str]] | None = None
        self._groups: list[set[str]] | None = None
        self._succ: dict[str, dict[str, list[dict[str, Any]]]] | None = None
        self._pred: dict[str, dict[str, list[dict[str, Any]]]] | None = None

    def __repr__(self) -> str:
        return f"DecisionGraph({len(self._records)} records, {len(self._edges)} edges)"

    @property
    def nx(self) -> networkx.MultiDiGraph[str]:
        """The graph as a networkx MultiDiGraph, built on first access.

        Nodes are record ids (attribute ``record``); edges carry ``kind``, ``line``,
        ``column``, ``origin`` (and ``capability``), keyed 0, 1, ... per pair in the order
        they were declared. Changing it does not change this graph's analyses.
        """
        if self._nx is None:
            import networkx

            graph: networkx.MultiDiGraph[str] = networkx.MultiDiGraph()
            graph.add_nodes_from((ident, {"record": record}) for ident, record in self._records.items())
            graph.add_edges_from((u, v, dict(data)) for u, v, data in self._edges)
            self._nx = graph
        return self._nx

    # ----- lookups -------------------------------------------------------------------------
    def __contains__(self, ident: object) -> bool:
        return ident in self._records

    def __len__(self) -> int:
        return len(self._records)

    def ids(self) -> list[str]:
        """Record ids in graph (file) order."""
        return list(self._records)

    def number_of_edges(self) -> int:
        """How many edges (parallel edges of different kinds count separately)."""
        return len(self._edges)

    def record(self, ident: str) -> Record:
        """The record behind a node."""
        return self._records[ident]

    def records(self) -> list[Record]:
        """Every record in the graph, in natural id order."""
        return [self._records[i] for i in sorted_ids(self._records)]

    def edges(self, kinds: Iterable[str] = EDGE_KINDS) -> list[dict[str, Any]]:
        """Edges of the given kinds as dicts, sorted by source, target, kind, capability."""
        wanted = set(kinds)
        out = [{"source": u, "target": v, **data} for u, v, data in self._edges
               if data["kind"] in wanted]
        out.sort(key=lambda e: (id_sort_key(e["source"]), id_sort_key(e["target"]),
                                EDGE_KINDS.index(e["kind"]), e.get("capability") or ""))
        return out

    def _adjacency(self) -> tuple[dict[str, dict[str, list[dict[str, Any]]]],
                                  dict[str, dict[str, list[dict[str, Any]]]]]:
        """Successors and predecessors: node -> other -> edge attributes, in declared order."""
        if self._succ is None or self._pred is None:
            succ: dict[str, dict[str, list[dict[str, Any]]]] = {n: {} for n in self._records}
            pred: dict[str, dict[str, list[dict[str, Any]]]] = {n: {} for n in self._records}
            for u, v, data in self._edges:
                succ[u].setdefault(v, []).append(data)
                pred[v].setdefault(u, []).append(data)
            self._succ, self._pred = succ, pred
        return self._succ, self._pred

    def _neighbours(self, ident: str, kinds: frozenset[str], incoming: bool) -> list[str]:
        succ, pred = self._adjacency()
        adjacent = (pred if incoming else succ).get(ident, {})
        return sorted_ids(other for other, datas in adjacent.items()
                          if any(d["kind"] in kinds for d in datas))

    def _edge_data(self, source: str, target: str) -> list[dict[str, Any]]:
        """Attributes of every edge from *source* to *target*, in declared order."""
        return self._adjacency()[0].get(source, {}).get(target, [])

    def dependencies(self, ident: str) -> list[str]:
        """Records *ident* directly depends on (requires and capability edges)."""
        return self._neighbours(ident, DEPENDENCY_KINDS, incoming=False)

    def dependents(self, ident: str) -> list[str]:
        """Records that directly depend on *ident*."""
        return self._neighbours(ident, DEPENDENCY_KINDS, incoming=True)

    # ----- analyses ------------------------------------------------------------------------
    def impact(self, ident: str) -> list[tuple[str, list[str]]]:
        """Every record depending on *ident*, directly or transitively, with a shortest path.

        The path runs from the dependent record to *ident* (``[DR-7, DR-5, DR-3]``): what to
        revisit if *ident* is reversed. Nearest first, then natural id order.
        """
        if ident not in self._records:
            return []
        parent: dict[str, str] = {ident: ident}
        depth = {ident: 0}
        queue = deque([ident])
        while queue:
            node = queue.popleft()
            for dependent in self._neighbours(node, DEPENDENCY_KINDS, incoming=True):
                if dependent not in parent:
                    parent[dependent] = node
                    depth[dependent] = depth[node] + 1
                    queue.append(dependent)
        result: list[tuple[str, list[str]]] = []
        for node in sorted(parent, key=lambda n: (depth[n], id_sort_key(n))):
            if node == ident:
                continue
            path = [node]
            while path[-1] != ident:
                path.append(parent[path[-1]])
            result.append((node, path))
        return result

    def _order_edges(self) -> dict[str, list[str]]:
        """Node -> records it depends on or replaces (each once), in declared order."""
        if self._deps is None:
            out: dict[str, list[str]] = {n: [] for n in self._records}
            seen: set[tuple[str, str]] = set()
            for u, v, data in self._edges:
                if data["kind"] in ORDER_KINDS and (u, v) not in seen:
                    seen.add((u, v))
                    out[u].append(v)
            self._deps = out
        return self._deps

    def _cycle_groups(self) -> list[set[str]]:
        """Strongly connected groups holding a cycle (several records, or a self-loop).

        Records that cannot be on a cycle (nothing left to depend on, or nothing left
        depending on them) are peeled off first in linear time; Tarjan's algorithm only
        sees the rest, which is empty for an acyclic graph.
        """
        if self._groups is not None:
            return self._groups
        deps = self._order_edges()
        dependents: dict[str, list[str]] = {n: [] for n in deps}
        for u, vs in deps.items():
            for v in vs:
                dependents[v].append(u)
        alive = set(deps)
        for forward in (True, False):
            count = {n: sum(1 for m in (deps[n] if forward else dependents[n]) if m in alive)
                     for n in alive}
            queue = deque(n for n, c in count.items() if c == 0)
            while queue:
                node = queue.popleft()
                alive.discard(node)
                for other in (dependents[node] if forward else deps[node]):
                    if other in alive:
                        count[other] -= 1
                        if count[other] == 0:
                            queue.append(other)
        rest = {u: [v for v in deps[u] if v in alive] for u in deps if u in alive}
        self._groups = [group for group in strongly_connected_components(rest)
                        if len(group) > 1 or next(iter(group)) in rest[next(iter(group))]]
        return self._groups

    def cycles(self) -> list[list[str]]:
        """One cycle per strongly connected group of records, starting at its smallest id.

        Follows requires, capability and supersedes edges. Each strongly connected group
        yields one concrete cycle (enumerating all simple cycles can explode).
        """
        if self._cycles is None:
            deps = self._order_edges()
            found: list[list[str]] = []
            for group in self._cycle_groups():
                sub = {u: [v for v in deps[u] if v in group] for u in group}
                found.append(_cycle_from(sub, min(group, key=id_sort_key)))
            found.sort(key=lambda c: id_sort_key(c[0]))
            self._cycles = found  # the graph is not mutated after build_graph
        return [list(c) for c in self._cycles]

    def order(self) -> list[str]:
        """A reading order: what a record depends on (or replaces) comes before it.

        Ties go to the smaller id; records on a cycle are kept together, in id order, where
        their group belongs.
        """
        deps = self._order_edges()
        head = {n: n for n in deps}
        members = {n: [n] for n in deps}
        for group in self._cycle_groups():
            first = min(group, key=id_sort_key)
            for node in group:
                head[node] = first
                members.pop(node, None)
            members[first] = sorted_ids(group)
        rank = {ident: i for i, ident in enumerate(sorted_ids(deps))}
        waiting: dict[str, set[str]] = {h: set() for h in members}
        unblocks: dict[str, set[str]] = {h: set() for h in members}
        for u, vs in deps.items():
            for v in vs:
                if head[u] != head[v]:
                    waiting[head[u]].add(head[v])
                    unblocks[head[v]].add(head[u])
        ready = [(rank[h], h) for h, w in waiting.items() if not w]
        heapq.heapify(ready)
        out: list[str] = []
        while ready:
            _, current = heapq.heappop(ready)
            out.extend(members[current])
            for later in unblocks[current]:
                waiting[later].discard(current)
                if not waiting[later]:
                    heapq.heappush(ready, (rank[later], later))
        return out

    def areas(self) -> dict[str, list[str]]:
        """Area name (lower case) -> ids of the records whose ``affects`` names it."""
        grouped: dict[str, set[str]] = {}
        for ident in self._records:
            for entry in self.record(ident).affects:
                if entry.strip() and not is_path_pattern(entry):
                    grouped.setdefault(entry.strip().casefold(), set()).add(ident)
        return {area: sorted_ids(grouped[area]) for area in sorted(grouped)}

    def which_matches(self, paths: Sequence[str]) -> list[tuple[Record, list[tuple[str, str]]]]:
        """Records whose ``affects`` paths/globs govern any of *paths*, with (path, pattern) hits.

        Accepted records come first, then proposed, then the rest; natural id order within.
        """
        found: list[tuple[Record, list[tuple[str, str]]]] = []
        wanted = [normalize_path(p) for p in paths if normalize_path(p)]
        for record in self.records():
            patterns = [a.strip() for a in record.affects if is_path_pattern(a)]
            hits = [(p, pat) for p in wanted for pat in patterns if path_matches(pat, p)]
            if hits:
                found.append((record, hits))
        found.sort(key=lambda item: (_status_rank(item[0].status), id_sort_key(item[0].id)))
        return found

    def which(self, paths: Sequence[str]) -> list[Record]:
        """Decisions that govern *paths* (accepted first)."""
        return [record for record, _ in self.which_matches(paths)]

    # ----- sub-graphs ----------------------------------------------------------------------
    def subgraph(self, ids: Iterable[str]) -> DecisionGraph:
        """The graph restricted to *ids*, keeping only the diagnostics of those records."""
        keep = {i for i in ids if i in self._records}
        paths = {self.record(i).path for i in keep}
        return DecisionGraph(
            diagnostics=[d for d in self.diagnostics if d.path in paths],
            resolutions={i: r for i, r in self.resolutions.items() if i in keep},
            repo=self.repo,
            records={i: r for i, r in self._records.items() if i in keep},
            edges=[e for e in self._edges if e[0] in keep and e[1] in keep],
        )

    def neighbourhood(self, ident: str, depth: int) -> DecisionGraph:
        """Records within *depth* edges of *ident*, following edges either way."""
        if ident not in self._records:
            return self.subgraph([])
        succ, pred = self._adjacency()
        seen = {ident: 0}
        queue = deque([ident])
        while queue:
            node = queue.popleft()
            if seen[node] >= depth:
                continue
            for other in (*succ[node], *pred[node]):
                if other not in seen:
                    seen[other] = seen[node] + 1
                    queue.append(other)
        return self.subgraph(seen)

    def filter(self, predicate: Callable[[Record], bool], keep: Iterable[str] = ()) -> DecisionGraph:
        """Records for which *predicate* holds (plus the ids in *keep*)."""
        kept = set(keep)
        return self.subgraph(i for i in self._records if i in kept or predicate(self.record(i)))

    # ----- export --------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """Node-link JSON, schema 1, sorted and deterministic (documented in the README)."""
        nodes = [node_json(r) for r in self.records()]
        edges = []
        for edge in self.edges():
            item: dict[str, Any] = {"source": edge["source"], "target": edge["target"],
                                    "kind": edge["kind"]}
            if edge.get("capability"):
                item["capability"] = edge["capability"]
            edges.append(item)
        return {"schema": 1, "nodes": nodes, "edges": edges, "cycles": self.cycles()}

    def relations(self, ident: str) -> dict[str, list[str]]:
        """What ``adr show`` lists for one record (see :func:`relations_of`)."""
        record = self.record(ident)
        requires: list[str] = []
        for res in self.resolutions.get(ident, []):
            written = res.requirement.target
            if res.via == "unresolved":
                label = "unprovided" if res.requirement.kind is RequirementKind.CAPABILITY else (
                    "unresolved")
                requires.append(f"{written} ({label})")
            elif res.via == "own-phase":
                requires.append(f"{written} (own phase)")
            elif res.via == "capability":
                requires.extend(f"{t} (capability {res.capability})" for t in res.targets)
            else:
                requires.extend(t if t == written else f"{t} ({res.requirement.kind.value} "
                                f"{written})" for t in res.targets)
        related = sorted_ids(
            set(self._neighbours(ident, frozenset({"related"}), incoming=False))
            | set(self._neighbours(ident, frozenset({"related"}), incoming=True))
        )
        supersedes = self._neighbours(ident, frozenset({"supersedes"}), incoming=False)
        superseded_by = self._neighbours(ident, frozenset({"supersedes"}), incoming=True)
        return {
            "requires": _dedupe(requires),
            "required by": self.dependents(ident),
            "provides": list(record.provides),
            "affects": list(record.affects),
            "supersedes": supersedes + self._dangling(record.supersedes),
            "superseded by": superseded_by + self._dangling(record.superseded_by),
            "related": related + self._dangling(record.related),
        }

    def _dangling(self, refs: Iterable[str]) -> list[str]:
        if self.repo is None:
            return []
        return [f"{r} (not found)" for r in refs if r.strip() and self.repo.get(r) is None]


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _status_rank(status: str | None) -> int:
    return {"accepted": 0, "proposed": 1}.get(status or "", 2)


def _cycle_from(sub: dict[str, list[str]], start: str) -> list[str]:
    """A concrete cycle through *start* inside one strongly connected group."""
    # the shortest way back to start from any successor closes the smallest cycle through it
    best: list[str] | None = None
    for succ in sorted_ids(set(sub[start])):
        if succ == start:
            return [start]
        path = _shortest_path(sub, succ, start)
        if best is None or len(path) + 1 < len(best):
            best = [start, *path[:-1]]
    return best or [start]


def _shortest_path(adjacency: dict[str, list[str]], source: str, target: str) -> list[str]:
    """A shortest path by breadth-first search, neighbours in natural id order (deterministic);
    *target* must be reachable, as it is inside a strongly connected group."""
    parent = {source: source}
    queue = deque([source])
    while queue:
        node = queue.popleft()
        if node == target:
            break
        for other in sorted_ids(set(adjacency[node])):
            if other not in parent:
                parent[other] = node
                queue.append(other)
    path = [target]
    while path[-1] != source:
        path.append(parent[path[-1]])
    return path[::-1]


def strongly_connected_components(adjacency: dict[str, list[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (chains of 10,000 records would overflow recursion).

    *adjacency* maps every node to its successors (all of them keys). Components come out in
    reverse topological order, as networkx yields them.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []
    counter = 0
    for root, first in adjacency.items():
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[str, Iterator[str]]] = [(root, iter(first))]
        while work:
            node, successors = work[-1]
            for other in successors:
                if other not in index:
                    index[other] = low[other] = counter
                    counter += 1
                    stack.append(other)
                    on_stack.add(other)
                    work.append((other, iter(adjacency[other])))
                    break
                if other in on_stack and index[other] < low[node]:
                    low[node] = index[other]
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group: set[str] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    out.append(group)
    return out


def node_json(record: Record) -> dict[str, Any]:
    """The JSON shape of one node (schema 1)."""
    return {
        "id": record.id,
        "title": record.title,
        "status": record.status,
        "date": record.date.isoformat() if record.date else None,
        "path": record.path,
        "format": record.format.value,
        "phase": record.phase,
        "tags": list(record.tags),
        "provides": list(record.provides),
        "affects": list(record.affects),
    }


def build_graph(repo: Repository) -> DecisionGraph:
    """Assemble the decision graph of a repository and diagnose its requirements.

    One node per record id (a repeated id keeps its first record; ADR210 reports the rest).
    Cost is linear in records plus references: every lookup goes through dicts built once.
    The cyclic collector is paused meanwhile, as while loading: the build allocates tens of
    thousands of containers (about 10% of the time at 10,000 records went to collections).
    """
    from adr_tool.repository import gc_paused

    with gc_paused():
        return _build_graph(repo)


def _build_graph(repo: Repository) -> DecisionGraph:
    """``build_graph`` with the collector paused."""
    first: dict[str, Record] = {}
    for record in repo.records:
        first.setdefault(record.id, record)
    records = list(first.values())
    index = _Index(repo, records)
    diagnostics: list[Diagnostic] = []
    resolutions: dict[str, list[Resolution]] = {}

    # edges are collected in a dict (dedupe by source, target, key) and added in one batch
    pending: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add_edge(source: str, target: str, kind: str, line: int, column: int,
                 capability: str | None = None, origin: str | None = None) -> None:
        key = f"capability:{capability.casefold()}" if capability else kind
        if (source, target, key) not in pending:
            attrs: dict[str, Any] = {"kind": kind, "line": line, "column": column,
                                     "origin": origin or source}
            if capability:
                attrs["capability"] = capability
            pending[(source, target, key)] = attrs

    for record in records:
        resolved = [_resolve(record, req, index) for req in record.requires]
        resolutions[record.id] = resolved
        for res in resolved:
            req = res.requirement
            for target in res.targets:
                add_edge(record.id, target, res.via, req.pos.line, req.pos.column, res.capability)
            if res.via == "unresolved":
                diagnostics.append(_unresolved(record, req))

    for record in records:
        line, column = _field_pos(record, "supersedes")
        for ref in record.supersedes:
            older = index.record_id(ref)
            if older is not None and older != record.id:
                add_edge(record.id, older, "supersedes", line, column)
        line, column = _field_pos(record, "superseded_by")
        for ref in record.superseded_by:
            newer = index.record_id(ref)
            if newer is not None and newer != record.id:
                add_edge(newer, record.id, "supersedes", line, column, origin=record.id)
        line, column = _field_pos(record, "related")
        for ref in record.related:
            other = index.record_id(ref)
            if other is not None and other != record.id and (
                    other, record.id, "related") not in pending:
                add_edge(record.id, other, "related", line, column)

    deps: dict[str, list[str]] = {record.id: [] for record in records}
    seen: set[tuple[str, str]] = set()  # a record with thousands of edges: no list scans
    for (source, target, _), attrs in pending.items():
        if attrs["kind"] in ORDER_KINDS and (source, target) not in seen:
            seen.add((source, target))
            deps[source].append(target)
    result = DecisionGraph(diagnostics=diagnostics, resolutions=resolutions, repo=repo,
                           records={record.id: record for record in records},
                           edges=[(source, target, attrs)
                                  for (source, target, _), attrs in pending.items()],
                           _deps=deps)
    diagnostics.extend(_cycle_diagnostics(result))
    diagnostics.extend(_provider_diagnostics(result, index))
    diagnostics.extend(_inactive_diagnostics(result))
    diagnostics.sort(key=lambda d: d.sort_key)
    return result


def _field_pos(record: Record, name: str) -> tuple[int, int]:
    """Line and column of a field (top of the file when unknown), without building a model."""
    pos = record.positions.get(name)
    return (pos.line, pos.column) if pos is not None else (1, 1)


def _resolve(record: Record, req: Requirement, index: _Index) -> Resolution:
    """Resolve one requirement: DR-011's order (id first, then capability)."""
    if req.kind is RequirementKind.CAPABILITY:
        providers = index.capability(req.target, record.id)
        if providers:
            return Resolution(req, tuple(sorted_ids(providers)), "capability", req.target.strip())
        return Resolution(req, (), "unresolved")
    if req.kind is RequirementKind.PHASE:
        target = index.phase(record, req.target)
        if target == "":
            return Resolution(req, (), "own-phase")
        if target is not None:
            return Resolution(req, (target,), "requires")
        return Resolution(req, (), "unresolved")
    found = index.required_id(req.target)
    if found is not None:
        return Resolution(req, (found,), "requires")
    providers = index.capability(req.target, record.id)
    if providers:
        return Resolution(req, tuple(sorted_ids(providers)), "capability", req.target.strip())
    return Resolution(req, (), "unresolved")


def _unresolved(record: Record, req: Requirement) -> Diagnostic:
    line, column = req.pos.line, req.pos.column
    if req.kind is RequirementKind.CAPABILITY:
        return _diag("ADR302", Severity.ERROR, record, line, column,
                     f"requires capability {req.target!r}, which no record provides",
                     "Add it to the `provides` list of the record that supplies it.",
                     target=req.target)
    if req.kind is RequirementKind.PHASE:
        # GSD trees are often partial (archived or uncopied phases): a warning, see DR-011
        return _diag("ADR301", Severity.WARNING, record, line, column,
                     f"requires phase {req.target!r}, but no record has that phase or id",
                     "Load the whole planning tree, or fix the phase name.", target=req.target)
    return _diag("ADR301", Severity.ERROR, record, line, column,
                 f"requires {req.target!r}, which is neither a record id nor a provided capability",
                 "Check the id (`adr list`), or add the capability to a record's `provides`.",
                 target=req.target)


def _cycle_diagnostics(graph: DecisionGraph) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for cycle in graph.cycles():
        nxt = cycle[1] if len(cycle) > 1 else cycle[0]
        data: dict[str, Any] = next(
            (d for d in graph._edge_data(cycle[0], nxt) if d["kind"] in ORDER_KINDS),
            {"line": 1, "column": 1, "origin": cycle[0]})
        shown = " -> ".join([*cycle, cycle[0]])
        declared_in = graph.record(data["origin"])
        out.append(_diag("ADR303", Severity.ERROR, declared_in, data["line"], data["column"],
                         f"dependency cycle: {shown}",
                         "Break the cycle: one of these records should not require the next.",
                         members=list(cycle)))
    return out


def _provider_diagnostics(graph: DecisionGraph, index: _Index) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for key, providers in index.providers.items():
        accepted = sorted_ids(p for p in providers if graph.record(p).status == "accepted")
        if len(accepted) < 2:
            continue
        name = index.provided_as[key]
        for ident in accepted[1:]:
            line, column = _field_pos(graph.record(ident), "provides")
            out.append(_diag("ADR304", Severity.WARNING, graph.record(ident), line, column,
                             f"capability {name!r} is also provided by accepted record "
                             f"{accepted[0]}",
                             "Keep one provider accepted: supersede or deprecate the other.",
                             capability=name, providers=accepted))
    return out


def _inactive_diagnostics(graph: DecisionGraph) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for ident, resolved in graph.resolutions.items():
        record = graph.record(ident)
        if record.status != "accepted":
            continue
        for res in resolved:
            if not res.targets:
                continue
            statuses = [graph.record(t).status for t in res.targets]
            if not all(s in INACTIVE_STATUSES for s in statuses):
                continue
            target = res.targets[0]
            successors = graph._neighbours(target, frozenset({"supersedes"}), incoming=True)
            hint = (f"Require its successor {', '.join(successors)} instead."
                    if successors else "Require an active record instead, or revisit this one.")
            what = (f"{target}, which is {statuses[0]}" if len(res.targets) == 1
                    else f"capability {res.capability!r}, whose providers are all inactive")
            out.append(_diag("ADR305", Severity.WARNING, record, res.requirement.pos.line,
                             res.requirement.pos.column,
                             f"accepted record requires {what}", hint, target=target))
    return out


def relations_of(repo: Repository, record: Record) -> dict[str, list[str]]:
    """Relations of one record for ``adr show``: both directions, resolved to ids."""
    graph = build_graph(repo)
    if record.id not in graph:
        return {key: [] for key in RELATION_KEYS}
    return graph.relations(record.id)
