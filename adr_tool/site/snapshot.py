"""Patch builds: a warm rebuild that re-renders only the records whose files changed (DR-020).

Every build with a cache leaves a *snapshot* beside its page cache (in the user's cache
folder, never in the repository or beside ``--out``): the stat signature of every record
file, what other pages show of each record (its *summary*, hashed), each record's page
model without its body parts, and which cache file every output file is a link to. The
next ``adr build`` stats the files first; when only a few changed and their summaries did
not, nothing another page shows changed, so it re-parses just those files, re-renders their
pages, splices their items into the search index (and the feed) and links every other file
from the cache, without loading the other records or building the site model. The tree it
replaces is kept in the cache folder and patched by the next patch build (``_swap``,
``StagingDir.adopt`` and ``settle``).

Anything else (a summary, the file list, config, templates, options, code, a linked media
file, the snapshot itself) sends the build down the full path, whose output the patch
build must equal byte for byte. The snapshot is a pickle, so it is signed with the same
user key as the parse cache (DR-018): a planted or damaged one is ignored.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
import hashlib
import os
from pathlib import Path
import pickle
import re
import stat
import tempfile
import time
from typing import TYPE_CHECKING, Any

from adr_tool.signing import verified
from adr_tool.site.cache import ContentCache, content_key
from adr_tool.site.spool import ParentFile
from adr_tool.writes import AtomicFile, atomic_write_bytes, replace_tree

if TYPE_CHECKING:
    from collections.abc import Sequence

    from adr_tool.config import Config
    from adr_tool.models import Record
    from adr_tool.repository import Repository
    from adr_tool.site.context import FeedEntry
    from adr_tool.site.model import SiteInfo, SiteModel
    from adr_tool.site.options import BuildResult, SiteOptions

SNAPSHOT = "site.snapshot"
"""File of the snapshot in the page cache folder."""
SKELETONS = "site.skeletons"
"""The page skeletons, one after the other (each checked against its hash in the snapshot)."""
MAGIC = b"ADRSITE2\n"
RACY_NS = 2_000_000_000
"""Files modified this close to the load are not trusted to be what was read (coarse clocks,
two-second file systems): the next build re-reads them."""
PATCH_LIMIT = 16
"""Above this many changed files the full build is about as cheap: take it."""
SEARCH_HEAD = b"window.ADR_SEARCH_INDEX = ["
SEARCH_TAIL = b"];\n"
COMMA = ord(",")
SEARCH_INDEX = "search-index.js"
SPARE = "spare"
"""Folder in the page cache folder holding the output tree a patch build replaced."""
CONFIG = "config"
"""``Snapshot.extra`` key of (``settings_key``, the ``Config`` validated from those settings):
a patch build whose settings have that key uses the config without validating it."""
_SOURCE = re.compile(r"(?:pages|blobs)/[0-9a-f]{64}")
"""Where a snapshot may say an output file comes from: a cache entry, nothing else."""

Signature = tuple[int, ...]


@dataclass(slots=True)
class RecordState:
    """One record file as the last build saw it."""

    sig: Signature
    summary: str
    """``record_summary``: what pages other than the record's own show of it."""
    problems: int
    """Load diagnostics of the file."""
    page: str = ""
    """Site path of its page; empty when it has none (a repeated id)."""
    plan: str = ""
    """Plan key of its page (empty after a patch build, which does not compute it)."""
    skeleton: tuple[int, int, str] | None = None
    """Where its pickled ``RecordPage`` without body_html, scores and summary lies in the
    skeletons file: (offset, length, SHA-256), so a patch build reads only its own."""
    links: tuple[tuple[str, bool], ...] = ()
    resolved: tuple[tuple[str | None, bool], ...] = ()
    doc_len: int = 0
    """Length of its item in the search index."""
    scored: bool = False

    def __reduce__(self) -> tuple[type[RecordState], tuple[Any, ...]]:
        # pickled as a constructor call: a third of the time of the generic slots protocol,
        # and a snapshot holds one per record
        return RecordState, (self.sig, self.summary, self.problems, self.page, self.plan,
                             self.skeleton, self.links, self.resolved, self.doc_len, self.scored)


@dataclass(slots=True)
class Snapshot:
    """What a patch build needs of the last build (see the module docstring)."""

    inputs: str
    files: list[str]
    """Record files as ``discover`` listed them."""
    states: dict[str, RecordState]
    search_order: list[str]
    """Files whose items make up the search index, in its order."""
    tree: dict[str, str]
    """Site path -> cache entry (``pages/..`` or ``blobs/..``) it is a link to."""
    probes: list[tuple[str, tuple[Signature | None, Signature | None]]]
    info: SiteInfo
    feed: list[tuple[str, FeedEntry]]
    pages: int
    other_problems: int
    used_graph_module: bool
    extra: dict[str, Any] = field(default_factory=dict)


class _Doubt(Exception):
    """The patch build cannot be sure: take the full path."""


def record_summary(record: Record) -> str:
    """Hash of every record field any page may show (all but the body) and its body link URLs.

    Other pages show a record's entry, relations and backlinks; the URLs decide whom it
    links to (backlinks) and which media are copied. Equal summaries mean only the record's
    own page, its search item and its feed summary can differ.
    """
    links = [(url, image) for url, _text, _line, _col, image in record._part(1)  # links only
             if not url.startswith(("https://", "http://", "#"))]
    fields = (record.id, record.title, record.status, record.status_raw, record.date, record.date_raw,
              record.owner, record.deciders, record.tags,
              [(r.kind.value, r.target, r.provides) for r in record.requires], record.provides,
              record.affects, record.supersedes, record.superseded_by, record.related,
              record.review_date, record.review_date_raw, record.decision, record.phase, record.plan,
              [(h.date, h.status, h.note) for h in record.history],
              sorted(record.extra.items(), key=repr), record.format.value, record.path,
              record.has_frontmatter, record.body_line, links)
    return content_key("site-summary", repr(fields))


def file_sig(path: str) -> Signature:
    """Size, times, inode and device of a file: an edit changes at least one."""
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def probe_sig(path: str) -> tuple[Signature | None, Signature | None]:
    """A link target's lstat and stat signatures (None when missing)."""
    out: list[Signature | None] = []
    for call in (os.lstat, os.stat):
        try:
            st = call(path)
        except (OSError, ValueError):
            out.append(None)
        else:
            out.append((st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev))
    return out[0], out[1]


def inputs_key(config: Config, root: Path, options: SiteOptions, out: Path, templates_key: str) -> str:
    """Everything besides the record files that shapes the site (the code version too)."""
    from adr_tool.site.relations import has_module
    from adr_tool.site.scores import scoring_available

    return content_key("site-inputs", repr(config), repr(options), str(out), str(root.resolve()),
                       os.getcwd(), os.environ.get("SOURCE_DATE_EPOCH", ""), templates_key,
                       str(scoring_available()), str(has_module("adr_tool.graph")))


# -- reading and writing ---------------------------------------------------------------------

def _key() -> bytes | None:
    from adr_tool.signing import user_key

    return user_key()


def load_snapshot(folder: Path) -> Snapshot | None:
    """The signed snapshot in *folder*, or None (missing, foreign, damaged: all the same)."""
    try:
        with open(folder / SNAPSHOT, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    payload = verified(_key(), MAGIC, data)
    if payload is None:
        return None
    try:
        loaded = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a damaged snapshot is a miss, whatever unpickling raised
        return None
    return loaded if isinstance(loaded, Snapshot) else None


def drop_snapshot(folder: Path) -> None:
    """Remove the snapshot (a build that cannot leave a true one leaves none)."""
    with contextlib.suppress(OSError):
        os.unlink(folder / SNAPSHOT)


class SkeletonSpool(ParentFile):
    """The skeletons file of the next snapshot, written while the pages are made.

    A full build of 10,000 records makes ~38 MB of skeletons; held until the snapshot is
    written they were ~8% of its peak memory (DR-013, 2026-12-03). Each goes to a temp file
    in *folder* as its page is finished; ``save_snapshot`` renames it in, ``discard`` drops
    it. Where each one is (offset, length, SHA-256) goes into the signed snapshot as before.
    """

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self._file: AtomicFile | None = None

    def add(self, skeleton: bytes) -> tuple[int, int, str] | None:
        """Write one skeleton; where it is, or None when the file cannot be written (or this
        is a forked worker: the parent owns the file)."""
        offset = self.append(skeleton)
        if offset is None:
            return None
        return offset, len(skeleton), hashlib.sha256(skeleton).hexdigest()

    def _write(self, data: bytes) -> None:
        if self._file is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._file = AtomicFile(self.folder / SKELETONS)
        self._file.file.write(data)

    def _lost(self) -> None:
        self.discard()

    def flush(self) -> None:
        """Empty the write buffer (before a fork: a child must not inherit pending bytes)."""
        if self._file is not None:
            try:
                self._file.file.flush()
            except OSError:
                self.discard()
                self._failed = True

    def commit(self) -> None:
        """Put the skeletons file in place (raises OSError when it cannot be)."""
        if self._file is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._file = AtomicFile(self.folder / SKELETONS)
        out, self._file = self._file, None
        out.commit(fsync=False, private=True)

    def discard(self) -> None:
        """Remove the temp file (a failed build, or one that leaves no snapshot)."""
        if self._file is not None and self.owner():
            self._file.discard()
            self._file = None


def save_snapshot(folder: Path, snap: Snapshot,
                  skeletons: bytes | Sequence[bytes] | SkeletonSpool | None = None) -> None:
    """Write *snap* signed (and *skeletons*, when given: bytes, pieces written one after the
    other, or the spool they were written to) with temp file + rename; a snapshot that
    cannot be kept is no error."""
    key = _key()
    if key is None:
        if isinstance(skeletons, SkeletonSpool):
            skeletons.discard()
        return
    from adr_tool.parse.cache import SignedWriter

    try:
        folder.mkdir(parents=True, exist_ok=True)
        # pickled straight into the signed temp file: no payload in memory (~10 MB at
        # 10,000 records, at the build's peak)
        out = SignedWriter(folder / SNAPSHOT, key, MAGIC)
        try:
            pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(snap)
            if isinstance(skeletons, SkeletonSpool):
                skeletons.commit()
            elif skeletons is not None:
                atomic_write_bytes(folder / SKELETONS, skeletons, fsync=False, private=True)
            out.commit()
        except BaseException:
            out.discard()
            raise
    except (OSError, pickle.PicklingError, RecursionError):
        return
    finally:
        if isinstance(skeletons, SkeletonSpool):
            skeletons.discard()  # nothing left to drop once it was put in place


def load_skeletons(folder: Path, snap: Snapshot) -> dict[str, bytes]:
    """Plan key -> skeleton of the pages of *snap* (for a full build to carry over)."""
    try:
        with open(folder / SKELETONS, "rb") as fh:
            data = fh.read()
    except OSError:
        return {}
    out: dict[str, bytes] = {}
    for state in snap.states.values():
        if state.plan and state.skeleton is not None:
            offset, length, digest = state.skeleton
            skeleton = data[offset:offset + length]
            # checked here too: the next snapshot signs whatever is carried over
            if hashlib.sha256(skeleton).hexdigest() == digest:
                out[state.plan] = skeleton
    return out


def read_skeleton(folder: Path, where: tuple[int, int, str]) -> bytes:
    """One skeleton, checked against the hash the signed snapshot holds for it."""
    offset, length, digest = where
    with open(folder / SKELETONS, "rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    if hashlib.sha256(data).hexdigest() != digest:
        raise _Doubt
    return data


def snapshot_of(repo: Repository, options: SiteOptions, out: Path, templates_key: str,
                model: SiteModel, cache_root: Path, sources: dict[str, str] | None,
                loaded_at: int) -> tuple[Snapshot, list[bytes]] | None:
    """The snapshot of a full build and its skeletons file (as the pieces to write one after
    the other), or None when one cannot describe it exactly.

    A file modified less than ``RACY_NS`` before *loaded_at* (or after) may have changed
    after it was read: it gets no signature, so the next build parses it again.
    """
    from adr_tool.sources import discover, display_path

    if sources is None or not repo.root.is_dir():
        return None
    paths, _ = discover(repo.root, repo.config.ignore)
    files = [str(p) for p in paths]
    if [display_path(p) for p in paths] != [r.path for r in repo.records]:
        return None  # unreadable files, or records not loaded from this folder's files
    file_of = {r.path: f for r, f in zip(repo.records, files, strict=True)}
    problems: dict[str, int] = {}
    for diag in repo.diagnostics:
        problems[diag.path] = problems.get(diag.path, 0) + 1
    states: dict[str, RecordState] = {}
    for record, path in zip(repo.records, files, strict=True):
        try:
            sig = file_sig(path)
        except OSError:
            return None
        if sig[1] >= loaded_at - RACY_NS or sig[2] >= loaded_at - RACY_NS:
            sig = ()  # never equal to a real signature
        states[path] = RecordState(sig=sig, summary=record_summary(record),
                                   problems=problems.get(record.path, 0))
    order: list[str] = []
    skeletons: list[bytes] = []
    offset = 0
    for page in model.records:
        path = file_of.get(page.source, "")
        state = states.get(path)
        if state is None or state.page:
            return None
        state.page, state.plan = page.entry.path, page.plan
        if page.skeleton_at is not None:
            state.skeleton = page.skeleton_at  # already in the spool's file
        elif page.skeleton is not None:
            skeleton = page.skeleton
            state.skeleton = (offset, len(skeleton), hashlib.sha256(skeleton).hexdigest())
            skeletons.append(skeleton)
            offset += len(skeleton)
        state.links, state.resolved = page.links, page.resolved
        state.doc_len, state.scored = page.search_len, page.scored
        order.append(path)
    tree = _tree(sources, cache_root)
    if tree is None:
        return None
    probes = list(model.probes)
    if model.mermaid_source is not None:
        probes.append(str(model.mermaid_source))
    from adr_tool.site.writer import feed_items

    feed = [(file_of[page.source], item) for page, item in feed_items(model)]
    counted = sum(problems.get(r.path, 0) for r in repo.records)
    settings = repo.config.loaded_key()
    return Snapshot(
        inputs=inputs_key(repo.config, repo.root, options, out, templates_key), files=files,
        states=states, search_order=order, tree=tree,
        probes=[(p, probe_sig(p)) for p in probes], info=model.info, feed=feed,
        pages=len(model.records) + len(model.list_pages) + 6,
        other_problems=len(repo.diagnostics) - counted,
        used_graph_module=model.used_graph_module,
        extra={CONFIG: (settings, repo.config)} if settings is not None else {}), skeletons


def _tree(sources: dict[str, str] | None, cache_root: Path) -> dict[str, str] | None:
    """Output files as cache entries relative to *cache_root*, or None if one is not an entry."""
    if sources is None:
        return None
    root = os.path.join(str(cache_root), "")
    tree: dict[str, str] = {}
    for site_path, source in sources.items():
        rel = source.removeprefix(root).replace(os.sep, "/")
        if not _SOURCE.fullmatch(rel):
            return None
        tree[site_path] = rel
    return tree


# -- the patch build ---------------------------------------------------------------------------

def patch_build(settings: str, root: Path, options: SiteOptions) -> tuple[BuildResult, int] | None:
    """Rebuild from the snapshot when only record bodies changed; None means "take the full path".

    *settings* is the ``settings_key`` of the configuration as ``load_config`` would read it
    now: the last full build's config is used when it was validated from the same settings.
    Returns the build result and the number of load problems (what ``adr build`` reports).
    """
    from adr_tool.site.cache import default_cache_dir
    from adr_tool.site.paths import check_out_dir

    started = time.perf_counter()
    if not root.is_dir():
        return None
    out = check_out_dir(options.out, root)
    folder = default_cache_dir(out)
    snap = load_snapshot(folder)
    if snap is None:
        return None
    from adr_tool.config import Config

    loaded = snap.extra.get(CONFIG)
    if not isinstance(loaded, tuple) or loaded[0] != settings or not isinstance(loaded[1], Config):
        return None
    config = loaded[1]
    try:
        return _patch(config, root, options, out, folder, snap, started)
    except Exception:  # noqa: BLE001 - any surprise means the full path, which reports it properly
        return None


def _patch(config: Config, root: Path, options: SiteOptions, out: Path, folder: Path,
           snap: Snapshot, started: float) -> tuple[BuildResult, int] | None:
    from adr_tool.site.options import BuildResult
    from adr_tool.sources import discover_files

    files, _ = discover_files(root, config.ignore)
    if files != snap.files:
        return None
    changed = [f for f in files if file_sig(f) != snap.states[f].sig]
    if len(changed) > PATCH_LIMIT:
        return None
    if any(probe_sig(path) != sig for path, sig in snap.probes):
        return None
    from adr_tool.site.writer import SiteWriter, StagingDir, make_environment, remove_tree

    cache = ContentCache(folder)
    env = make_environment(config.root, folder / "templates")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging_path = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        staging = StagingDir(staging_path, cache)
        if _take_spare(folder / SPARE, staging_path):
            staging.adopt({snap.states[p].page for p in changed} | {SEARCH_INDEX, "feed.xml"})
        writer = SiteWriter(env, staging, cache)
        if inputs_key(config, root, options, out, writer.fingerprint) != snap.inputs:
            raise _Doubt
        states = dict(snap.states)
        docs: dict[str, bytes] = {}
        summaries: dict[str, str] = {}
        problems = sum(s.problems for s in states.values()) + snap.other_problems
        for path in changed:
            state, doc, summary, count = _patch_record(config, cache, writer, snap, path, folder)
            problems += count - states[path].problems
            states[path] = state
            docs[path] = doc
            summaries[path] = summary
        replaced = {states[p].page for p in changed}
        if docs:
            staging.write(SEARCH_INDEX, _search_index(snap, folder, docs))
            replaced.add(SEARCH_INDEX)
        if any(p in summaries and item["summary"] != summaries[p] for p, item in snap.feed):
            _write_feed(writer, snap, summaries)
            replaced.add("feed.xml")
        root_dir = os.path.join(str(folder), "")
        links: list[tuple[str, str]] = []
        for site_path, source in snap.tree.items():
            if site_path in replaced:
                continue
            if not _SOURCE.fullmatch(source):
                raise _Doubt
            links.append((site_path, root_dir + source))
        staging.settle(links)
        staging_path.chmod(0o755)
        _swap(staging_path, out, folder / SPARE)
    except _Doubt:
        remove_tree(staging_path)
        return None
    except BaseException:
        remove_tree(staging_path)
        raise
    if len(changed) > 1:
        # else the last snapshot serves the next build just as well: it re-renders the one
        # file changed since, as this one did, and rewriting ~1 MB of snapshot costs more
        # than that (DR-020, 2026-12-03). Two or more: take them in, so that at most one
        # record is ever rendered again for nothing.
        sources = staging.sources
        fresh = _tree({p: sources[p] for p in replaced if p in sources}, folder) if sources else None
        if fresh is None or fresh.keys() != replaced:
            drop_snapshot(folder)
        else:
            feed = [(p, _with_summary(item, summaries.get(p))) for p, item in snap.feed]
            save_snapshot(folder, replace(snap, states=states, tree={**snap.tree, **fresh}, feed=feed))
    records = len(snap.search_order)
    result = BuildResult(
        out=out, index=out / "index.html", pages=snap.pages, files=staging.files, records=records,
        rendered=writer.rendered, reused=records - len(changed) + writer.reused,
        rendered_paths=tuple(writer.rendered_paths), bodies_rendered=cache.misses["bodies"],
        bodies_reused=records - len(changed) + cache.hits["bodies"],
        seconds=time.perf_counter() - started, used_graph_module=snap.used_graph_module,
        scored_records=sum(1 for p in snap.search_order if states[p].scored))
    return result, problems


def _take_spare(spare: Path, staging: Path) -> bool:
    """Move the output tree the last patch build replaced (kept in the cache folder) to
    *staging*, an empty folder: True when there was one to patch instead of linking anew."""
    try:
        if not stat.S_ISDIR(os.lstat(spare).st_mode):
            return False
        os.rename(spare, staging)  # over the empty folder; fails across file systems
    except OSError:
        return False
    return True


def _swap(staging: Path, out: Path, spare: Path) -> None:
    """``writes.replace_tree``, but the replaced tree becomes the next patch build's spare
    (moved into the cache folder, where only this user's builds look) instead of being
    deleted, when it can be moved there: removing ~2,000 hard links and linking as many
    again was a third of a patch build, while the next one finds all but a few files of the
    spare already right (``StagingDir.adopt`` and ``settle`` check each)."""
    replace_tree(staging, out, spare)


def _patch_record(config: Config, cache: ContentCache, writer: Any, snap: Snapshot,
                  path: str, folder: Path) -> tuple[RecordState, bytes, str, int]:
    """Re-parse one changed file and render its page; raise ``_Doubt`` unless only its body changed."""
    from adr_tool.parse import parse_source
    from adr_tool.repository import parse_options
    from adr_tool.site.body import LinkTarget, plain_text, render_body, rewrite_links
    from adr_tool.site.model import SEARCH_BODY_CHARS, RecordPage, _search_doc, _summary
    from adr_tool.site.scores import cached_scores
    from adr_tool.sources import SourceFile, display_path, read_raw, source_from_bytes

    state = snap.states[path]
    if not state.page or state.skeleton is None:
        raise _Doubt
    file = Path(path)
    shown = display_path(file)
    read_at = time.time_ns()
    raw = read_raw(file, shown)
    if isinstance(raw, SourceFile):
        raise _Doubt
    result = parse_source(source_from_bytes(file, shown, raw), parse_options(config))
    record = result.record
    if record is None or record_summary(record) != state.summary:
        raise _Doubt
    skeleton_data = read_skeleton(folder, state.skeleton)
    skeleton = pickle.loads(skeleton_data)
    if not isinstance(skeleton, RecordPage) or skeleton.entry.path != state.page:
        raise _Doubt
    # the body as ``_Builder.body_html`` makes it, with links placed as the last build placed them
    mermaid = bool(config.site.get("mermaid_script"))
    key = content_key("body", record.body, str(mermaid))
    cached = cache.get("bodies", key)
    if cached is not None:
        html, _, text = cached.decode("utf-8").partition("\0")
    else:
        html = render_body(record.body, mermaid=mermaid)
        text = plain_text(html)
        cache.store("bodies", key, f"{html}\0{text}".encode())
    known = dict(zip(state.links, state.resolved, strict=True))
    used: list[tuple[str, bool]] = []

    def resolve(url: str, image: bool) -> LinkTarget:
        if url.startswith(("https://", "http://")):
            return LinkTarget(url, external=True)
        if url.startswith("#"):
            return LinkTarget(url)
        found = known.get((url, image))
        if found is None:
            raise _Doubt
        used.append((url, image))
        return LinkTarget(found[0], external=found[1])

    if "<a href=" in html or "<img src=" in html:
        html = rewrite_links(html, resolve)
    if tuple(dict.fromkeys(used)) != state.links:
        raise _Doubt  # a link gone may take a media file with it
    scores = tuple(cached_scores(record, config, cache))
    page = replace(skeleton, body_html=html, scores=scores, summary=_summary(text))
    doc = _search_doc(skeleton.entry, text[:SEARCH_BODY_CHARS])
    writer.render_record(page, snap.info, content_key("record-patch", snap.inputs, repr(snap.info),
                                                       skeleton_data, html, repr(scores), page.summary))
    sig = file_sig(path)
    if sig[1] >= read_at - RACY_NS or sig[2] >= read_at - RACY_NS:
        sig = ()  # may have changed after it was read: parse it again next time
    new = replace(state, sig=sig, plan="", doc_len=len(doc), scored=bool(scores),
                  problems=len(result.diagnostics))
    return new, doc.encode("ascii"), page.summary, len(result.diagnostics)


def _search_index(snap: Snapshot, folder: Path, docs: dict[str, bytes]) -> bytes:
    """The last search index with the items of *docs* replaced.

    Copied once, in a few large pieces (a ``memoryview`` slice copies nothing): the index
    of 1,000 records is ~5 MB, and joining it item by item took ~20 ms.
    """
    source = snap.tree.get(SEARCH_INDEX, "")
    if not _SOURCE.fullmatch(source):
        raise _Doubt
    with open(folder / source, "rb") as fh:
        data = fh.read()
    order = snap.search_order
    lengths = [snap.states[p].doc_len for p in order]
    body = len(data) - len(SEARCH_HEAD) - len(SEARCH_TAIL)
    if (not data.startswith(SEARCH_HEAD) or not data.endswith(SEARCH_TAIL)
            or body != sum(lengths) + max(len(order) - 1, 0)):
        raise _Doubt
    view = memoryview(data)
    pieces: list[bytes | memoryview] = []
    kept = 0  # data before this offset is in pieces
    at = len(SEARCH_HEAD)
    for number, (path, length) in enumerate(zip(order, lengths, strict=True)):
        if number and data[at - 1] != COMMA:
            raise _Doubt  # items are joined by commas, and nothing else
        doc = docs.get(path)
        if doc is not None:
            pieces += (view[kept:at], doc)
            kept = at + length
        at += length + 1
    pieces.append(view[kept:])
    return b"".join(pieces)


def _write_feed(writer: Any, snap: Snapshot, summaries: dict[str, str]) -> None:
    """Render the feed again with the new summaries (as ``SiteWriter._feeds`` does)."""
    from adr_tool.site.context import FeedContext

    items = [_with_summary(item, summaries.get(path)) for path, item in snap.feed]
    site_url = snap.info.base_url
    writer.page("feed.xml", "feed.xml.j2", FeedContext(
        site=snap.info, feed_url=site_url + "feed.xml", site_url=site_url, items=items))


def _with_summary(item: FeedEntry, summary: str | None) -> FeedEntry:
    """A feed item with its summary replaced (when *summary* is not None)."""
    if summary is None:
        return item
    from adr_tool.site.context import FeedEntry

    return FeedEntry(entry=item["entry"], url=item["url"], updated=item["updated"], summary=summary)
