"""Phase 1 of the site build: the complete ``SiteModel``, in memory, nothing written (DR-013).

Every URL a page shows is computed here, relative to the page it appears on (``paths.href``);
templates only prefix site-root paths with the page's ``root`` (``""`` or ``"../"``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
import dataclasses
from dataclasses import dataclass, field
import datetime as dt
from functools import lru_cache
import json
from operator import attrgetter
import os
from pathlib import Path, PurePosixPath
import pickle
import re
import stat
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import unquote, urlsplit

from adr_tool import __version__
from adr_tool.site.body import LinkTarget, is_safe_url, plain_text, render_body, rewrite_links
from adr_tool.site.cache import ContentCache, Manifest, content_key
from adr_tool.site.options import SiteOptions  # still importable from here, its old home
from adr_tool.site.parallel import make_pages, pool_workers
from adr_tool.site.paths import SlugAllocator, href, slugify
from adr_tool.site.relations import (
    RELATION_KEYS,
    Edge,
    Relations,
    build_backlinks,
    build_relations,
)
from adr_tool.site.scores import ScoreTableView, cached_scores, scoring_available
from adr_tool.site.svg import STATUS_COLOURS, GraphNode, badge_svg, graph_svg

_T = TypeVar("_T")

if TYPE_CHECKING:
    from adr_tool.models import Record
    from adr_tool.repository import Repository
    from adr_tool.site.snapshot import SkeletonSpool
    from adr_tool.site.spool import DocSpool, Spooled

UNKNOWN = "unknown"
IMAGE_EXTS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".bmp", ".ico"})
FILE_EXTS = IMAGE_EXTS | {".pdf", ".txt", ".csv", ".json", ".yaml", ".yml", ".drawio", ".puml"}
"""Files inside the records folder that links may point at and that get copied (never html/js)."""
SEARCH_BODY_CHARS = 20_000
_HEX_KEY = re.compile(r"[0-9a-f]{64}")
PLANS = "plans.manifest"
"""Cache file of the record page plans (see ``Manifest``)."""
FEED_ENTRIES = 50
_SVG_ACTIVE = re.compile(rb"<script|\son[a-z]+\s*=|javascript:|<foreignobject", re.IGNORECASE)

Progress = Callable[[str, int, int], None]
"""(stage, done, total): called while the model is built (the CLI draws a progress bar)."""


def _pickled_by_fields(cls: type[_T]) -> type[_T]:
    """Pickle *cls* as ``cls(*fields)``: a frozen slotted dataclass pickles through a
    ``__getstate__`` that walks ``fields()`` per object, ~2.5x slower; every new record page
    pickles a dozen of them (its skeleton for the snapshot, its entry from a pool worker)."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    assert len(names) > 1  # attrgetter of one name returns the value, not a tuple
    get = attrgetter(*names)

    def __reduce__(self: object) -> tuple[type[_T], tuple[object, ...]]:
        return cls, get(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class LinkView:
    """A link as shown on one page (href relative to that page; None = plain text)."""

    text: str
    href: str | None = None
    status_class: str | None = None
    hint: str = ""


@dataclass(frozen=True, slots=True)
class StatusView:
    """A status with its CSS class, page and record count."""

    label: str
    css: str
    path: str
    count: int


@_pickled_by_fields
@dataclass(frozen=True, slots=True, repr=False)
class TagView:
    """A tag (or area) with its page."""

    name: str
    path: str
    count: int = 0

    def __repr__(self) -> str:
        # cache keys repr every entry's tags; the generated repr is ~5x slower
        return f"TagView({self.name!r}, {self.path!r}, {self.count!r})"


@_pickled_by_fields
@dataclass(frozen=True, slots=True, repr=False)
class RecordEntry:
    """One record as listed in tables (paths are site-root relative)."""

    id: str
    title: str
    status_label: str
    status_css: str
    date: str
    owner: str
    tags: tuple[TagView, ...]
    path: str
    badge_path: str
    sort_key: str
    """Natural sort key of the id, for the index's client-side sort."""

    def __repr__(self) -> str:
        # index, list and record page keys repr entries by the thousand
        return (f"RecordEntry({self.id!r}, {self.title!r}, {self.status_label!r}, {self.status_css!r}, "
                f"{self.date!r}, {self.owner!r}, {self.tags!r}, {self.path!r}, {self.badge_path!r}, "
                f"{self.sort_key!r})")


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class MetaRow:
    """A row of the metadata panel."""

    label: str
    items: tuple[LinkView, ...]


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class RelationGroup:
    """``requires``, ``required by``... with their targets."""

    label: str
    items: tuple[LinkView, ...]


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class RecordPage:
    """Everything a record page shows."""

    entry: RecordEntry
    body_html: str
    meta: tuple[MetaRow, ...]
    relations: tuple[RelationGroup, ...]
    backlinks: tuple[LinkView, ...]
    scores: tuple[ScoreTableView, ...]
    neighbourhood_svg: str
    edit_url: str | None
    source_path: str
    summary: str
    """Plain-text start of the body (feed and meta description)."""


@dataclass(frozen=True, slots=True)
class DonePage:
    """A record page that is finished: what the rest of the site needs of it, no more.

    Record pages are rendered as soon as they are built (or taken whole from the cache,
    see ``plan_key``), so a build holds one record's body HTML at a time, not all of them.
    """

    entry: RecordEntry
    summary: str
    page_file: str | None
    """Cached page to link into the site; None when it was rendered into it already."""
    scored: bool
    search_doc: bytes
    """This record's item of the search index (finished JSON, ASCII: the same object the
    plan manifest keeps, so 10,000 items are held once, not as text and bytes)."""
    reused: bool
    source: str = ""
    """The record's ``path`` (its file, as loaded)."""
    plan: str = ""
    """The page's plan key."""
    skeleton: bytes | None = None
    """The page model without its body parts, pickled, for a later patch build (``snapshot``)."""
    skeleton_at: tuple[int, int, str] | None = None
    """Where ``skeleton`` went instead, in the parent: its (offset, length, SHA-256) in the
    spool's file (``snapshot.SkeletonSpool``)."""
    links: tuple[tuple[str, bool], ...] = ()
    """Distinct (url, is image) of the body links that depend on files (``PagePlan.links``)."""
    resolved: tuple[tuple[str | None, bool], ...] = ()
    search_at: Spooled | None = None
    """Where ``search_doc`` went instead (then empty), in the parent: ``spool.DocSpool``."""

    def search_item(self) -> bytes:
        """This record's item of the search index, wherever it is kept."""
        return self.search_at.read() if self.search_at is not None else self.search_doc

    @property
    def search_len(self) -> int:
        """Length of ``search_item()``, without reading it."""
        return self.search_at.length if self.search_at is not None else len(self.search_doc)


@dataclass(slots=True)
class PagePlan:
    """What a rendered record page leaves in the cache so the next build can reuse it."""

    key: str
    links: list[tuple[str, bool]]
    """Distinct (url, is image) of the body links whose target depends on files."""
    resolved: list[tuple[str | None, bool]]
    """Where each of ``links`` went: (href, external)."""
    search_doc: bytes
    summary: str
    scored: bool
    deps: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class ListPage:
    """A page listing records: one per tag, status or area."""

    path: str
    kind: str
    """``tag``, ``status`` or ``area``."""
    name: str
    entries: tuple[RecordEntry, ...]


@dataclass(frozen=True, slots=True)
class TimelineGroup:
    """Records of one year, newest first."""

    label: str
    entries: tuple[RecordEntry, ...]


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """Site-wide values every page can show."""

    title: str
    base_url: str
    build_date: str
    build_timestamp: str
    version: str
    record_count: int
    mermaid_script: str | None
    live_reload: bool
    repo_url: str | None


@dataclass(slots=True)
class SiteModel:
    """The whole site as values; phase 2 only turns this into files."""

    info: SiteInfo
    entries: list[RecordEntry]
    records: list[DonePage]
    statuses: list[StatusView]
    tags: list[TagView]
    areas: list[TagView]
    list_pages: list[ListPage]
    timeline: list[TimelineGroup]
    graph_svg: str
    graph_edge_count: int
    badges: dict[str, str]
    media: dict[str, Path] = field(default_factory=dict)
    """Site path -> source file to copy."""
    mermaid_source: Path | None = None
    used_graph_module: bool = False
    scored_records: int = 0
    probes: list[str] = field(default_factory=list)
    """Files the body links were resolved against that are not records (media, dead links)."""


@lru_cache(maxsize=65536)
def natural_key(text: str) -> str:
    """A sort key that orders ``DR-2`` before ``DR-10`` (zero-padded digit runs)."""
    return re.sub(r"\d+", lambda m: m.group(0).zfill(12), text.casefold())


def build_datetime(records: list[Record]) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set, else the newest record date: never the clock (DR-013)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    dates = [r.date for r in records if r.date is not None]
    newest = max(dates) if dates else dt.date(1970, 1, 1)
    return dt.datetime(newest.year, newest.month, newest.day, tzinfo=dt.UTC)


class _Builder:
    """Holds the lookups used while building views (one instance per build)."""

    def __init__(self, repo: Repository, options: SiteOptions, cache: ContentCache,
                 progress: Progress | None) -> None:
        self.repo = repo
        self.config = repo.config
        self.options = options
        self.cache = cache
        self.progress = progress
        self.records_root = repo.root.resolve()
        self.slugs = SlugAllocator()
        self.tag_slugs = SlugAllocator()
        self.area_slugs = SlugAllocator()
        self.known_areas: set[str] = set()
        """Areas that get a page (path-like ``affects`` entries do not)."""
        self.status_slugs = SlugAllocator()
        self.media: dict[str, Path] = {}
        self.media_by_source: dict[Path, str] = {}
        records = repo.records
        self.record_path: dict[str, str] = {}
        for record in records:
            if record.id not in self.record_path:
                self.record_path[record.id] = f"records/{self.slugs.get(record.id)}.html"
        self._real_folders: dict[str, str] = {}
        self._known_real: set[str] = set()
        """Folders known to be fully resolved (no symlink, no ``..``)."""
        self.abs_path: dict[str, Path] = {r.path: self._abs(r.path) for r in records}
        self.folder_of: dict[str, str] = {p: str(a.parent) for p, a in self.abs_path.items()}
        """Record path -> its resolved folder, as a string (links are resolved from it)."""
        self.by_file: dict[str, Record] = {}
        for record in records:
            self.by_file.setdefault(str(self.abs_path[record.path]), record)
        self.project_root = self.config.root.resolve()
        self.edges_of: dict[str, list[Edge]] = defaultdict(list)
        self.search_text: dict[str, str] = {}
        self.mermaid = bool(self.config.site.get("mermaid_script"))
        self._links: dict[tuple[int, str, str, bool], LinkTarget] = {}
        self.body_links: list[tuple[str, bool]] = []
        """(url, is image) of every link of the last body, in order (for ``PagePlan``)."""
        self._refs: dict[str, str] = {}
        self.plans = Manifest(ContentCache(None), PLANS)
        """Record page plans (``plan_key`` -> ``store_plan`` data); set by ``build_model``."""
        self.probes: dict[str, None] = {}
        """Non-record files body links were resolved against (a patch build re-checks them)."""
        self.media_log: list[tuple[Path, str]] | None = None
        """When a list, every media path handed out is appended (a pool worker's pages)."""

    def _abs(self, path: str) -> Path:
        """``Path(path).resolve()``, with each folder resolved once (~5x cheaper per record)."""
        folder, name = os.path.split(path)
        real_folder = self._real_folders.get(folder)
        if real_folder is None:
            try:
                real_folder = str(Path(folder or ".").resolve())
            except (OSError, RuntimeError):
                real_folder = ""
            self._real_folders[folder] = real_folder
        found = _child(real_folder, name) if real_folder else None
        if found is not None:
            self._known_real.add(real_folder)
            return Path(found)
        try:
            return Path(path).resolve()
        except (OSError, RuntimeError):
            return Path(os.path.abspath(path))

    # -- small lookups -------------------------------------------------------------

    def page_of(self, record: Record) -> str:
        return self.record_path[record.id]

    def status_of(self, record: Record) -> tuple[str, str]:
        label = record.status or UNKNOWN
        return label, self.status_slugs.get(label)

    def tag_path(self, tag: str) -> str:
        return f"tags/{self.tag_slugs.get(tag)}.html"

    def area_path(self, area: str) -> str:
        return f"areas/{self.area_slugs.get(area)}.html"

    def entry(self, record: Record) -> RecordEntry:
        label, css = self.status_of(record)
        path = self.page_of(record)
        return RecordEntry(
            id=record.id, title=record.title, status_label=label, status_css=css,
            date=record.date.isoformat() if record.date else "", owner=record.owner or "",
            tags=tuple(TagView(t, self.tag_path(t)) for t in dict.fromkeys(record.tags)),
            path=path, badge_path=f"badges/{path.removeprefix('records/').removesuffix('.html')}.svg",
            sort_key=natural_key(record.id),
        )

    # -- bodies ----------------------------------------------------------------------

    def body_html(self, record: Record) -> tuple[str, str]:
        """Safe body HTML with links placed in the site, and its plain text (for search)."""
        key = content_key("body", record.body, str(self.mermaid))
        cached = self.cache.get("bodies", key)
        if cached is not None:
            html, _, text = cached.decode("utf-8").partition("\0")
        else:
            html = render_body(record.body, mermaid=self.mermaid)
            text = plain_text(html)
            self.cache.store("bodies", key, f"{html}\0{text}".encode())
        self.body_links = []
        if "<a href=" not in html and "<img src=" not in html:
            return html, text
        page = self.page_of(record)
        base = self.folder_of[record.path]
        links = self.body_links

        def resolve(url: str, image: bool) -> LinkTarget:
            links.append((url, image))
            return self.resolve_link(page, base, url, image)

        html = rewrite_links(html, resolve)
        return html, text

    def resolve_link(self, page: str, base: str, url: str, image: bool) -> LinkTarget:
        """Where a body link goes, memoised: records link to the same few files again and again."""
        if url.startswith(("https://", "http://")):
            return LinkTarget(url, external=True)  # what the general path below gives, sooner
        key = (page.count("/"), base, url, image)
        found = self._links.get(key)
        if found is None:
            found = self._links[key] = self._resolve_link(page, base, url, image)
        return found

    def _resolve_link(self, page: str, base: str, url: str, image: bool) -> LinkTarget:
        if url.startswith("#"):
            return LinkTarget(url)
        parts = urlsplit(url)
        if parts.scheme or url.startswith("//"):
            if not is_safe_url(url):
                return LinkTarget(None)
            return LinkTarget(url, external=True)
        if not parts.path:
            return LinkTarget(None)
        if parts.path.startswith("/"):
            return LinkTarget(None)
        relative = unquote(parts.path)
        target = _child(base, relative) if base in self._known_real else None
        if target is None:
            try:
                target = str((Path(base) / relative).resolve())
            except (OSError, RuntimeError, ValueError):
                return LinkTarget(None)
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        record = self.by_file.get(target)
        if record is not None and not image:
            return LinkTarget(href(page, self.page_of(record)) + fragment)
        self.probes[target] = None
        media = self.add_media(Path(target), image)
        if media is None:
            return LinkTarget(None)
        return LinkTarget(href(page, media) + fragment)

    def add_media(self, source: Path, image: bool) -> str | None:
        """Copy a file from inside the records folder into ``media/`` (or refuse: None)."""
        if source in self.media_by_source:
            if self.media_log is not None:
                self.media_log.append((source, self.media_by_source[source]))
            return self.media_by_source[source]
        suffix = source.suffix.casefold()
        if suffix not in (IMAGE_EXTS if image else FILE_EXTS):
            return None
        if not source.is_relative_to(self.records_root) or not source.is_file():
            return None
        if suffix == ".svg":
            try:
                if _SVG_ACTIVE.search(source.read_bytes()):
                    return None  # an SVG that could run script when opened is not published
            except OSError:
                return None
        site_path = self.media_slot(source)
        self.media[site_path] = source
        self.media_by_source[source] = site_path
        if self.media_log is not None:
            self.media_log.append((source, site_path))
        return site_path

    def media_slot(self, source: Path) -> str:
        """The first free ``media/`` path for *source* (order-dependent: see ``adopt_media``)."""
        suffix = source.suffix.casefold()
        rel = source.relative_to(self.records_root)
        stem = "/".join([*(slugify(p) for p in rel.parts[:-1]), slugify(rel.stem)])
        site_path = f"media/{stem}{suffix}"
        n = 1
        while site_path in self.media:
            n += 1
            site_path = f"media/{stem}-{n}{suffix}"
        return site_path

    def adopt_media(self, used: list[tuple[Path, str]]) -> bool:
        """Take the media paths a pool worker gave one page, in page order.

        A worker allocated them without the pages of other chunks, so two files with the
        same slug could have got another suffix than in a serial build: False then (the
        page is made again here; what was adopted so far is what a serial build has).
        """
        for source, site_path in used:
            known = self.media_by_source.get(source)
            if known is None:
                known = self.media_slot(source)
                self.media[known] = source
                self.media_by_source[source] = known
            if known != site_path:
                return False
        return True

    # -- record pages ------------------------------------------------------------------

    def record_page(self, record: Record, relations: Relations, backlinks: dict[str, list[str]],
                    entry: RecordEntry) -> RecordPage:
        page = entry.path
        body, text = self.body_html(record)
        rel = relations.by_record.get(record.id, {})
        groups = []
        for key in RELATION_KEYS:
            values = rel.get(key, [])
            if not values:
                continue
            items = tuple(self.relation_item(page, key, v) for v in values)
            groups.append(RelationGroup(label=key, items=items))
        back = tuple(self.record_link(page, ref) for ref in backlinks.get(record.id, []))
        scores = tuple(cached_scores(record, self.config, self.cache))
        self.search_text[record.id] = text[:SEARCH_BODY_CHARS]
        return RecordPage(
            entry=entry, body_html=body, meta=tuple(self.meta_rows(record, page)),
            relations=tuple(groups), backlinks=back, scores=scores,
            neighbourhood_svg=self.neighbourhood(record, relations, page),
            edit_url=self.edit_url(record), source_path=self.source_path(record),
            summary=_summary(text),
        )

    # -- reusing whole record pages ----------------------------------------------------

    def ref_info(self, ref: str) -> str:
        """What a page shows of the record *ref* names (and the slug calls it makes)."""
        info = self._refs.get(ref)
        if info is None:
            found = self.repo.get(ref)
            if found is None:
                info = repr((ref,))
            else:
                label, css = self.status_of(found)
                info = repr((ref, found.id, found.title, label, css, self.page_of(found)))
            self._refs[ref] = info
        return info

    def plan_key(self, record: Record, entry: RecordEntry, relations: Relations,
                 backlinks: dict[str, list[str]], site_key: str) -> str:
        """Key of everything a record page is made from, except where its body links go.

        That is: the record's fields and body, its entry (slugs), what it shows of every
        record it names (relations, backlinks, neighbourhood), its area links, and
        *site_key* (site info, templates, config, code version). Body links depend on
        files and are checked apart (``reuse``). The slug calls are made in the order
        ``record_page`` makes them, so reusing a page never changes another one's slugs.
        """
        rel = relations.by_record.get(record.id, {})
        shown: list[str] = []  # reprs, so "\n".join is unambiguous
        for group in RELATION_KEYS:
            for value in rel.get(group, ()):
                if group == "affects":
                    area = value.strip().casefold()
                    shown.append(repr((value, self.area_path(area) if area in self.known_areas else None)))
                elif group == "provides":
                    shown.append(repr(value))
                else:
                    shown.append(self.ref_info(value))
        back = backlinks.get(record.id, [])
        shown.extend(self.ref_info(ref) for ref in back)
        shown.append(repr(self.status_of(record)))
        edges = self.edges_of.get(record.id, [])
        if edges:
            ids = sorted({record.id} | {e.source for e in edges} | {e.target for e in edges},
                         key=natural_key)
            shown.extend(self.ref_info(rid) for rid in ids)
        fields = (record.id, record.title, record.status, record.status_raw, record.date,
                  record.date_raw, record.owner, record.deciders, record.tags, record.decision,
                  record.review_date, record.phase, record.plan, record.format.value, record.path,
                  sorted(record.extra.items(), key=repr), str(self.abs_path[record.path]))
        return content_key("record-page", site_key, record.body, repr(fields), repr(entry),
                           repr(rel), repr(back), repr(edges), "\n".join(shown))

    def reuse(self, record: Record, entry: RecordEntry, key: str) -> DonePage | None:
        """The cached page for *key* when its body links still resolve as they did."""
        cached = self.plans.get(key)
        if cached is None:
            return None
        head, _, doc = cached.partition(b"\0")
        try:
            page_key, links, resolved, summary, scored, deps = json.loads(head)
            if len(links) != len(resolved):
                return None
            page = entry.path
            base = self.folder_of[record.path]
            for (url, image), (href_, external) in zip(links, resolved, strict=True):
                target = self.resolve_link(page, base, url, image)
                if target.href != href_ or target.external != external:
                    return None
            if not doc.isascii():
                return None
        except (ValueError, TypeError):
            return None
        if not (isinstance(page_key, str) and _HEX_KEY.fullmatch(page_key)):
            return None  # a key is a file name in the cache: never a path from a damaged entry
        page_file = self.cache.lookup("pages", page_key)
        if page_file is None:
            return None
        for namespace, dep in deps:
            self.cache.use(str(namespace), str(dep))
        return DonePage(entry=entry, summary=summary, page_file=page_file, scored=scored,
                        search_doc=doc, reused=True, source=record.path, plan=key,
                        links=tuple((str(u), bool(i)) for u, i in links),
                        resolved=tuple((h, bool(e)) for h, e in resolved))

    def record_link(self, page: str, ref: str) -> LinkView:
        found = self.repo.get(ref)
        if found is None:
            return LinkView(text=ref, hint="not found")
        label, css = self.status_of(found)
        return LinkView(text=f"{found.id}: {found.title}", href=href(page, self.page_of(found)),
                        status_class=css, hint=label)

    def relation_item(self, page: str, key: str, value: str) -> LinkView:
        if key == "affects":
            area = value.strip().casefold()
            if area not in self.known_areas:
                return LinkView(text=value)  # a path or glob: shown, not an area page
            return LinkView(text=value, href=href(page, self.area_path(area)))
        if key == "provides":
            return LinkView(text=value)
        return self.record_link(page, value)

    def meta_rows(self, record: Record, page: str) -> list[MetaRow]:
        rows: list[MetaRow] = []

        def add(label: str, *values: str) -> None:
            items = tuple(LinkView(v) for v in values if v)
            if items:
                rows.append(MetaRow(label, items))

        label, css = self.status_of(record)
        rows.append(MetaRow("Status", (LinkView(label, href(page, f"status/{css}.html"), css),)))
        if record.status_raw and record.status_raw.strip().casefold() != label:
            add("Status as written", record.status_raw)
        add("Date", record.date.isoformat() if record.date else (record.date_raw or ""))
        add("Owner", record.owner or "")
        add("Deciders", *record.deciders)
        if record.tags:
            rows.append(MetaRow("Tags", tuple(LinkView(t, href(page, self.tag_path(t)))
                                              for t in dict.fromkeys(record.tags))))
        add("Decision", record.decision or "")
        add("Review by", record.review_date.isoformat() if record.review_date else "")
        add("Phase", record.phase or "")
        add("Plan", record.plan or "")
        add("Format", record.format.value)
        return rows

    def neighbourhood(self, record: Record, relations: Relations, page: str) -> str:
        edges = self.edges_of.get(record.id, [])
        if not edges:
            return ""
        ids = sorted({record.id} | {e.source for e in edges} | {e.target for e in edges},
                     key=natural_key)
        nodes = [n for n in (self.graph_node(rid, page, current=rid == record.id) for rid in ids)
                 if n is not None]
        label = f"Decisions linked to {record.id}"
        key = content_key("neighbourhood", repr(nodes), repr(edges), label)
        cached = self.cache.get("svg", key)
        if cached is not None:
            return cached.decode("utf-8")
        svg = graph_svg(nodes, edges, label=label, marker_id="arrow-n")
        self.cache.store("svg", key, svg.encode("utf-8"))
        return svg

    def graph_node(self, rid: str, page: str, current: bool = False) -> GraphNode | None:
        found = self.repo.get(rid)
        if found is None or found.id != rid:
            return None
        label, css = self.status_of(found)
        return GraphNode(id=found.id, title=found.title, status_class=css, status_label=label,
                         href=href(page, self.page_of(found)), current=current)

    def edit_url(self, record: Record) -> str | None:
        template = self.config.site.get("edit_url")
        try:
            rel = self.abs_path[record.path].relative_to(self.project_root).as_posix()
        except ValueError:
            return None
        if isinstance(template, str) and "{path}" in template:
            url = template.replace("{path}", rel)
        elif self.config.repo_url:
            url = f"{self.config.repo_url.rstrip('/')}/edit/{self.config.edit_branch}/{rel}"
        else:
            return None
        return url if url.startswith(("https://", "http://")) and is_safe_url(url) else None

    def source_path(self, record: Record) -> str:
        try:
            return self.abs_path[record.path].relative_to(self.project_root).as_posix()
        except ValueError:
            return PurePosixPath(record.path).name


def _child(real_folder: str, name: str) -> str | None:
    """``str(Path(real_folder, name).resolve())`` for a plain file name, or None to do it the long way.

    *real_folder* is already resolved, so the result is the joined path unless *name* is
    itself a symlink (one ``lstat``); names with a slash, ``.``, ``..`` or NUL are left to
    ``resolve``.
    """
    if not name or "/" in name or "\0" in name or name in (".", ".."):
        return None
    joined = os.path.join(real_folder, name)
    try:
        if stat.S_ISLNK(os.lstat(joined).st_mode):
            return None
    except OSError:
        pass  # missing: resolve() keeps the name as it is too
    return joined


def _summary(text: str, limit: int = 280) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build_model(repo: Repository, options: SiteOptions, cache: ContentCache,
                progress: Progress | None = None, templates_key: str = "",
                render: Callable[[RecordPage, SiteInfo, str], str] | None = None,
                plans: Manifest | None = None,
                skeletons: Mapping[str, bytes] | None = None,
                capture: PageCapture | None = None,
                spool: SkeletonSpool | None = None,
                docs: DocSpool | None = None) -> SiteModel:
    """Phase 1: turn the repository into a complete SiteModel (reads only).

    *templates_key* fingerprints the page templates; with it, record pages whose inputs
    did not change are taken whole from the cache; the others go to *render* (which
    writes the page and returns its key in the ``pages`` namespace) as soon as they are
    built, so only one record's page model is alive at a time. *skeletons* (plan key ->
    pickled page model without its body, from the last snapshot) are carried over for
    reused pages, so the next snapshot has one for every page. With *capture* (what
    *render* does besides returning a key), many new pages are made in a process pool
    (``parallel``), with the same result. With *spool* (and *skeletons*), each page's
    skeleton is written to it as the page is finished, not kept in memory; with *docs*,
    each page's search-index item (the pages then read it from there until *docs* is closed).
    """
    builder = _Builder(repo, options, cache, progress)
    builder.plans = plans if plans is not None else Manifest(cache, PLANS)
    records = _unique(repo.records)
    relations = build_relations(repo, cache)
    builder.known_areas = set(relations.areas)
    for edge in relations.edges:
        builder.edges_of[edge.source].append(edge)
        if edge.target != edge.source:
            builder.edges_of[edge.target].append(edge)
    backlinks = build_backlinks(repo, cache)
    entries = sorted((builder.entry(r) for r in records), key=lambda e: (e.sort_key, e.id))
    entry_of = {e.id: e for e in entries}
    info = _site_info(repo, options, records, builder)
    site_key = content_key(repr(info), templates_key, str(builder.mermaid), str(scoring_available()),
                           repr(sorted(builder.config.score.items(), key=repr)),
                           repr(sorted(builder.config.site.items(), key=repr)),
                           repr((builder.config.repo_url, builder.config.edit_branch)),
                           str(builder.project_root), str(builder.records_root))
    ordered = sorted(records, key=lambda r: (natural_key(r.id), r.id))
    # every plan key first: they make the slug calls in the order the pages would
    keys = [builder.plan_key(r, entry_of[r.id], relations, backlinks, site_key) for r in ordered]
    step = PageStep(builder, relations, backlinks, info, templates_key, render, skeletons,
                    spool if skeletons is not None else None, docs)
    fresh = sum(1 for k in keys if k not in builder.plans) if templates_key else len(keys)
    if (render is not None and capture is not None and fresh >= parallel_threshold()
            and pool_workers()):
        pages = make_pages(step, ordered, entry_of, keys, capture, progress)
    else:
        pages = []
        for done, (record, key) in enumerate(zip(ordered, keys, strict=True), 1):
            pages.append(step.finish(*step.make(record, entry_of[record.id], key)))
            if progress is not None:
                progress("records", done, len(ordered))
    statuses = _status_views(builder, entries)
    tag_members: dict[str, list[RecordEntry]] = defaultdict(list)
    for entry in entries:
        for tag in entry.tags:
            tag_members[tag.name].append(entry)
    tags = [TagView(t, builder.tag_path(t), len(m))
            for t, m in sorted(tag_members.items(), key=lambda kv: natural_key(kv[0]))]
    areas = [TagView(a, builder.area_path(a), len(ids)) for a, ids in relations.areas.items()]
    list_pages = [ListPage(s.path, "status", s.label, tuple(e for e in entries if e.status_css == s.css))
                  for s in statuses]
    list_pages += [ListPage(t.path, "tag", t.name, tuple(tag_members[t.name])) for t in tags]
    list_pages += [ListPage(a.path, "area", a.name,
                            tuple(entry_of[i] for i in sorted(relations.areas[a.name], key=natural_key)
                                  if i in entry_of)) for a in areas]
    graph = _whole_graph(builder, entries, relations)
    badges = {e.badge_path: badge_svg("status", e.status_label,
                                      STATUS_COLOURS.get(e.status_css, STATUS_COLOURS[UNKNOWN]))
              for e in entries}
    counts = ", ".join(f"{s.count} {s.label}" for s in statuses) or "no records"
    badges["badges/log.svg"] = badge_svg("decisions", counts, "#1565c0")
    mermaid = _mermaid_source(repo)
    return SiteModel(
        info=info, entries=entries, records=pages, statuses=statuses, tags=tags, areas=areas,
        list_pages=list_pages, timeline=_timeline(records, entry_of), graph_svg=graph,
        graph_edge_count=len(relations.edges), badges=badges,
        media=dict(sorted(builder.media.items())), mermaid_source=mermaid,
        used_graph_module=relations.from_graph_module,
        scored_records=sum(1 for p in pages if p.scored),
        probes=list(builder.probes),
    )


PARALLEL_PAGES = 200
"""Pages to make (not reused) from which a build makes them in a process pool."""


def parallel_threshold() -> int:
    """``PARALLEL_PAGES``, or ``ADR_PARALLEL_PAGES`` (tests force the pool with 1)."""
    try:
        return int(os.environ.get("ADR_PARALLEL_PAGES", PARALLEL_PAGES))
    except ValueError:
        return PARALLEL_PAGES


class PageCapture(Protocol):
    """What *render* does besides returning a key, held back in a pool worker and done
    by the parent in page order (the writer's links into the staging folder, its counts)."""

    def start(self) -> None: ...

    def take(self) -> object: ...

    def apply(self, taken: object) -> None: ...


@dataclass(slots=True)
class PageStep:
    """Makes one record page (reused or rendered): the loop body of ``build_model``."""

    builder: _Builder
    relations: Relations
    backlinks: dict[str, list[str]]
    info: SiteInfo
    templates_key: str
    render: Callable[[RecordPage, SiteInfo, str], str] | None
    skeletons: Mapping[str, bytes] | None
    spool: SkeletonSpool | None = None
    """Where finished pages' skeletons go (in the parent), instead of staying in memory."""
    docs: DocSpool | None = None
    """Where finished pages' search-index items go (in the parent), the same way."""

    def make(self, record: Record, entry: RecordEntry,
             key: str) -> tuple[DonePage, PagePlan | None, str | None]:
        """The page of *record*; a new page's plan and ``pages`` key when it was rendered."""
        builder = self.builder
        reused = builder.reuse(record, entry, key) if self.templates_key else None
        if reused is not None:
            if self.skeletons is not None:
                reused = dataclasses.replace(reused, skeleton=self.skeletons.get(key))
            return reused, None, None
        cache = builder.cache
        deps: list[tuple[str, str]] = []
        cache.recording = deps
        try:
            page = builder.record_page(record, self.relations, self.backlinks, entry)
        finally:
            cache.recording = None
        # http(s) and #fragment links resolve from the URL alone: nothing to check later
        links = list(dict.fromkeys(link for link in builder.body_links
                                   if not link[0].startswith(("https://", "http://", "#"))))
        resolved = [builder.resolve_link(entry.path, builder.folder_of[record.path], u, i)
                    for u, i in links]
        plan = PagePlan(
            key=key, links=links, resolved=[(t.href, t.external) for t in resolved],
            search_doc=_search_doc(entry, builder.search_text.pop(record.id, "")).encode("ascii"),
            summary=page.summary, scored=bool(page.scores),
            deps=list(dict.fromkeys(deps)))
        page_key = None
        if self.render is not None:
            # the plan key and where every body link went determine the page
            every_link = [(u, i, t.href, t.external) for u, i in dict.fromkeys(builder.body_links)
                          for t in (builder.resolve_link(entry.path, builder.folder_of[record.path], u, i),)]
            page_key = self.render(page, self.info, content_key(key, repr(every_link)))
        skeleton = pickle.dumps(dataclasses.replace(page, body_html="", scores=(), summary=""),
                                protocol=pickle.HIGHEST_PROTOCOL) if self.skeletons is not None else None
        done = DonePage(entry=entry, summary=page.summary, page_file=None,
                        scored=plan.scored, search_doc=plan.search_doc, reused=False,
                        source=record.path, plan=key, skeleton=skeleton,
                        links=tuple(plan.links), resolved=tuple(plan.resolved))
        return done, plan, page_key

    def finish(self, page: DonePage, plan: PagePlan | None, page_key: str | None,
               entry: RecordEntry | None = None) -> DonePage:
        """Remember a rendered page's plan (in the parent process: the manifest is saved there),
        send its skeleton to the spool, and give it *entry* (the parent's own, for a page
        made in a pool worker: not a copy per page). Its search-index item goes to the docs
        spool: the page and the plan manifest keep where it is, not a copy of it."""
        doc = (self.docs.add(page.search_doc)
               if self.docs is not None and page.search_doc and page.search_at is None else None)
        if plan is not None and page_key is not None:
            store_plan(self.builder.plans, plan, page_key, doc)
        elif page.reused:
            self.builder.plans.get(page.plan)  # kept for the next build
        where = (self.spool.add(page.skeleton)
                 if self.spool is not None and page.skeleton is not None else None)
        changes: dict[str, Any] = {}
        if where is not None:
            changes.update(skeleton=None, skeleton_at=where)
        if entry is not None:
            changes["entry"] = entry
        if doc is not None:
            changes.update(search_doc=b"", search_at=doc)
        return dataclasses.replace(page, **changes) if changes else page


def store_plan(plans: Manifest, plan: PagePlan, page_key: str, doc: Spooled | None = None) -> None:
    """Remember how a record page was made, under its plan key, once it is rendered (its
    search-index item from *doc*, where it was spooled, when given)."""
    head = [page_key, plan.links, plan.resolved, plan.summary, plan.scored, plan.deps]
    plans.put(plan.key, (json.dumps(head, ensure_ascii=False).encode("utf-8") + b"\0",
                         doc if doc is not None else plan.search_doc))


def _whole_graph(builder: _Builder, entries: list[RecordEntry], relations: Relations) -> str:
    """The graph page's SVG (cached: the layout is the costly part of a warm build)."""
    nodes = [n for n in (builder.graph_node(e.id, "graph.html") for e in entries) if n is not None]
    label = f"Decision graph of {len(entries)} records"
    key = content_key("graph", repr(nodes), repr(relations.edges), label)
    cached = builder.cache.get("svg", key)
    if cached is not None:
        return cached.decode("utf-8")
    svg = graph_svg(nodes, relations.edges, label=label)
    builder.cache.store("svg", key, svg.encode("utf-8"))
    return svg


def _unique(records: list[Record]) -> list[Record]:
    """First record per id (duplicates are a lint finding, not a second page)."""
    seen: set[str] = set()
    out = []
    for record in records:
        if record.id not in seen:
            seen.add(record.id)
            out.append(record)
    return out


def _status_views(builder: _Builder, entries: list[RecordEntry]) -> list[StatusView]:
    counts = Counter(e.status_label for e in entries)
    configured = [s for s in builder.config.statuses if s in counts]
    others = sorted(s for s in counts if s not in configured and s != UNKNOWN)
    order = configured + others + ([UNKNOWN] if UNKNOWN in counts else [])
    views = []
    for label in order:
        css = builder.status_slugs.get(label)
        views.append(StatusView(label, css, f"status/{css}.html", counts[label]))
    return views


def _site_info(repo: Repository, options: SiteOptions, records: list[Record],
               builder: _Builder) -> SiteInfo:
    when = build_datetime(records)
    base = options.base_url or "/"
    if not base.endswith("/"):
        base += "/"
    repo_url = repo.config.repo_url if repo.config.repo_url and is_safe_url(repo.config.repo_url) else None
    return SiteInfo(
        title=options.title or repo.config.title, base_url=base,
        build_date=when.date().isoformat(), build_timestamp=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        version=__version__, record_count=len(records),
        mermaid_script="assets/mermaid.js" if builder.mermaid else None,
        live_reload=options.live_reload, repo_url=repo_url,
    )


def _mermaid_source(repo: Repository) -> Path | None:
    configured = repo.config.site.get("mermaid_script")
    if not isinstance(configured, str) or not configured:
        return None
    from adr_tool.errors import ConfigError

    path = (repo.config.root / configured).resolve()
    if not path.is_file() or path.suffix.casefold() not in (".js", ".mjs"):
        raise ConfigError(f"[tool.adr.site] mermaid_script: no JavaScript file at {configured}",
                          "Point it at a mermaid.min.js kept in your repository.")
    return path


def _timeline(records: list[Record], entry_of: dict[str, RecordEntry]) -> list[TimelineGroup]:
    dated = sorted((r for r in records if r.date is not None),
                   key=lambda r: (r.date, natural_key(r.id)), reverse=True)
    groups: dict[str, list[RecordEntry]] = {}
    for record in dated:
        assert record.date is not None
        groups.setdefault(str(record.date.year), []).append(entry_of[record.id])
    out = [TimelineGroup(label, tuple(items)) for label, items in groups.items()]
    undated = [entry_of[r.id] for r in sorted(records, key=lambda r: natural_key(r.id)) if r.date is None]
    if undated:
        out.append(TimelineGroup("Undated", tuple(undated)))
    return out


SEARCH_HEAD = b"window.ADR_SEARCH_INDEX = ["
SEARCH_TAIL = b"];\n"


class SearchChunks:
    """The search index as a script (loaded by <script src>, which works on file://; DR-013),
    as the chunks to write one after the other (each iteration makes them again).

    A JSON list is its items' JSON joined by commas, so each record's item is made once
    (and kept in its plan, or spooled) and a rebuild only writes them again, never joined
    in memory (~50 MB at 10,000 records).
    """

    def __init__(self, pages: list[DonePage]) -> None:
        self.pages = pages

    def __iter__(self) -> Iterator[bytes]:
        yield SEARCH_HEAD
        for i, page in enumerate(self.pages):
            if i:
                yield b","
            yield page.search_item()
        yield SEARCH_TAIL


def search_js(pages: list[DonePage]) -> SearchChunks:
    """The search index of *pages* (``SearchChunks``)."""
    return SearchChunks(pages)


def _search_doc(e: RecordEntry, text: str) -> str:
    """One record's item of the search index, as JSON with markup characters escaped."""
    data = json.dumps({
        "id": e.id, "title": e.title, "status": e.status_label, "date": e.date,
        "tags": [t.name for t in e.tags], "url": e.path, "text": text,
    }, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    # the page reads it with textContent only; escaping markup characters is defence in depth
    return data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
