"""Phase 2 of the site build: render templates for a SiteModel into a staging folder.

The Jinja environment autoescapes everything and uses StrictUndefined, so a template typo
fails the build instead of printing an empty string. A user's ``templates/site/`` overrides
any shipped page template or static asset (ChoiceLoader, user first). Only the body HTML and
our own SVG drawings are marked safe in templates (``|safe``), and both were escaped when
they were made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
import contextlib
import dataclasses
import hashlib
import os
from pathlib import Path
import re
import shutil
from typing import TYPE_CHECKING, Any, cast

from adr_tool.errors import AdrError
from adr_tool.site.cache import ContentCache, blob_key, content_key
from adr_tool.site.context import (
    BaseContext,
    FeedContext,
    FeedEntry,
    GraphContext,
    IndexContext,
    ListContext,
    RecordContext,
    SitemapContext,
    TagsContext,
    TimelineContext,
)
from adr_tool.site.model import FEED_ENTRIES, DonePage, RecordPage, SiteInfo, SiteModel, search_js
from adr_tool.site.paths import SITE_MARKER, root_prefix
from adr_tool.templates_loader import template_dirs

MAGIC_BYTECODE = b"ADRJINJA1\n"
"""First bytes of a signed template bytecode file (then the MAC, then the bytecode)."""

if TYPE_CHECKING:
    import jinja2

STATIC_ASSETS = ("style.css", "site.js", "search.js", "favicon.svg")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'")
CSP_MERMAID = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
"""Mermaid draws with inline styles; only sites that opt into it relax style-src."""


_UNSAFE_PATH = re.compile(r"\A\Z|\A/|//|/\Z|[\\\0]|(?:\A|/)\.\.?(?:/|\Z)")
"""What ``StagingDir.target`` refuses, in one search: empty, absolute, an empty, ``.`` or
``..`` part, a backslash or NUL (tests/test_site_security.py checks that both agree)."""


class StagingDir:
    """The temporary folder a site is written into; refuses any path that leaves it.

    Files come from the cache by hard link when it is enabled (see ``cache``), else they
    are written directly. No fsync: the folder becomes visible only through the atomic swap.
    """

    def __init__(self, folder: Path, cache: ContentCache) -> None:
        self.folder = folder.resolve()
        self._root = str(self.folder)
        self._prefix = os.path.join(self._root, "")
        self.cache = cache
        self.files = 0
        self._made: set[str] = set()
        self._small: dict[bytes, str] = {}
        self.sources: dict[str, str] | None = {}
        """Site path -> the cache file it is a link to (None once a file was written directly)."""
        self.deferred: list[tuple[str, str, str | bytes]] | None = None
        """When a list (in a pool worker), ``link`` and ``write`` are kept here for ``replay``."""
        self._held: dict[str, int] | None = None
        """Files of an earlier output tree this folder is (``adopt``), not yet settled, and
        their inode numbers."""
        self._held_dirs: set[str] = set()
        self._written: set[str] = set()
        """Site paths placed in an adopted folder before ``settle``."""

    def target(self, site_path: str) -> str:
        """Absolute path for *site_path*, checked to stay inside the folder.

        Site paths are built from slugs, so this never fails in practice; it is the guard
        that makes "nothing is written outside --out" hold whatever a record contains. The
        staging folder is new and ours, so no symlink inside it can redirect a write.
        """
        parts = site_path.split("/")
        if (site_path.startswith("/") or "\\" in site_path or "\0" in site_path
                or "" in parts or "." in parts or ".." in parts):
            raise AdrError(f"internal: unsafe site path {site_path!r}")
        if self._held is not None:
            if site_path in self._held:  # would write through a hard link into a cache entry
                raise AdrError(f"internal: {site_path!r} of the adopted folder was not cleared")
            self._written.add(site_path)
        # os.path.join spelled out for "/" (a patch build places ~2,000 files)
        path = self._prefix + site_path if os.sep == "/" else os.path.join(self._root, *parts)
        parent = os.path.dirname(path)
        if parent not in self._made:
            os.makedirs(parent, exist_ok=True)
            self._made.add(parent)
        return path

    def write(self, site_path: str, data: bytes) -> None:
        """Write one file (through the blob cache when there is one)."""
        if self.deferred is not None:
            self.deferred.append(("write", site_path, data))
            return
        cached = self._small.get(data)
        if cached is None:
            key = blob_key(data)
            cached = self.cache.lookup("blobs", key) or self.cache.store("blobs", key, data)
            if cached is not None and len(data) <= 4096:
                self._small[data] = cached  # badges: a thousand files, a few contents
        self._place(site_path, cached, (data,))

    def write_chunks(self, site_path: str, chunks: Iterable[bytes]) -> None:
        """Write one file made of *chunks*, never joined in memory (the search index is
        ~50 MB at 10,000 records); *chunks* may be iterated more than once (``SearchChunks``
        reads its items back from the spool each time)."""
        if self.deferred is not None:
            self.write(site_path, b"".join(chunks))
            return
        digest = hashlib.sha256()
        for chunk in chunks:
            digest.update(chunk)
        key = digest.hexdigest()  # blob_key of the joined bytes
        cached = self.cache.lookup("blobs", key) or self.cache.store("blobs", key, chunks)
        self._place(site_path, cached, chunks)

    def _place(self, site_path: str, cached: str | None, chunks: Iterable[bytes]) -> None:
        if cached is None:
            with open(self.target(site_path), "wb") as fh:
                fh.writelines(chunks)
            self.files += 1
            self.sources = None
        else:
            self.link(site_path, cached)

    def link(self, site_path: str, source: str) -> None:
        """Place a cached file at *site_path* (hard link; a copy across file systems)."""
        if self.deferred is not None:
            self.deferred.append(("link", site_path, source))
            return
        target = self.target(site_path)
        if self.sources is not None:
            self.sources[site_path] = source
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
            os.chmod(target, 0o644)
        self.files += 1

    def link_all(self, pairs: list[tuple[str, str]]) -> None:
        """``link`` each (site path, cached file) of *pairs*: the same checks and outcome in
        one loop (a patch build places ~2,000 files, and the calls were a third of it)."""
        if self.deferred is not None or os.sep != "/":
            for site_path, source in pairs:
                self.link(site_path, source)
            return
        prefix, made, sources, link = self._prefix, self._made, self.sources, os.link
        for site_path, source in pairs:
            if _UNSAFE_PATH.search(site_path) is not None:
                raise AdrError(f"internal: unsafe site path {site_path!r}")
            target = prefix + site_path
            parent = target[:target.rfind("/")]
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            if sources is not None:
                sources[site_path] = source
            try:
                link(source, target)
            except OSError:
                shutil.copyfile(source, target)
                os.chmod(target, 0o644)
        self.files += len(pairs)

    def adopt(self, clear: Iterable[str]) -> None:
        """Take the folder as an earlier output tree to patch instead of linking every file again.

        Anything but folders and regular files (symlinks above all) is removed first, so no
        path below can lead out of the folder; the files at *clear* are removed too, as they
        are about to be written (a write must never go through a hard link into a cache
        entry). ``settle`` then keeps the files that already are the right cache entries and
        removes everything else.
        """
        held: dict[str, int] = {}
        stack = [("", self._root)]
        while stack:
            rel, path = stack.pop()
            with os.scandir(path) as listing:
                for entry in listing:
                    name = rel + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        self._held_dirs.add(name)
                        stack.append((name + "/", entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        held[name] = entry.inode()
                    else:
                        os.unlink(entry.path)
        self._made.add(self._root)
        self._made.update(self._prefix + name for name in self._held_dirs)
        for site_path in clear:
            if site_path in held:
                os.unlink(self.target(site_path))
                del held[site_path]
        self._held = held

    def settle(self, pairs: list[tuple[str, str]]) -> None:
        """``link_all(pairs)`` in an adopted folder: a file that already is the same inode as
        its cache entry stays, every other one is linked, and files and folders that are
        neither in *pairs* nor written by this build are removed."""
        held = self._held
        if held is None:
            self.link_all(pairs)
            return
        self._held = None
        prefix, sources = self._prefix, self.sources
        # inode numbers from the folder listings, of the adopted files (``adopt``) and of the
        # cache entries: no call per file. Files of one folder are on its device.
        entries = _listed_inodes({source[:source.rfind("/")] for _, source in pairs},
                                 os.stat(self._root).st_dev)
        missing: list[tuple[str, str]] = []
        needed: set[str] = set()
        for site_path, source in pairs:
            if _UNSAFE_PATH.search(site_path) is not None:
                raise AdrError(f"internal: unsafe site path {site_path!r}")
            cut = site_path.rfind("/")
            if cut > 0:
                needed.add(site_path[:cut])
            have = held.pop(site_path, None)
            if have is not None:
                if have == entries.get(source):
                    if sources is not None:
                        sources[site_path] = source
                    self.files += 1
                    continue
                os.unlink(prefix + site_path)
            missing.append((site_path, source))
        self.link_all(missing)
        for site_path in held:  # neither listed nor written by this build
            os.unlink(prefix + site_path)
        for written in self._written:
            cut = written.rfind("/")
            if cut > 0:
                needed.add(written[:cut])
        for folder in list(needed):
            while "/" in folder:
                folder = folder[:folder.rfind("/")]
                needed.add(folder)
        for folder in sorted(self._held_dirs - needed):
            parent = folder[:folder.rfind("/")] if "/" in folder else ""
            if not parent or parent in needed:
                shutil.rmtree(prefix + folder)

    def replay(self, ops: list[tuple[str, str, str | bytes]]) -> None:
        """Do what a pool worker deferred, in its order."""
        for kind, site_path, value in ops:
            if kind == "link" and isinstance(value, str):
                self.link(site_path, value)
            elif isinstance(value, bytes):
                self.write(site_path, value)

    def copy(self, site_path: str, source: Path) -> None:
        """Copy a media file (content only, no metadata: deterministic output)."""
        self.write(site_path, source.read_bytes())


def _listed_inodes(folders: set[str], device: int) -> dict[str, int]:
    """Path -> inode number of the regular files in *folders* that are on *device* (one
    listing per folder, no call per file)."""
    found: dict[str, int] = {}
    for folder in folders:
        try:
            if os.stat(folder).st_dev != device:
                continue
            with os.scandir(folder) as listing:
                for entry in listing:
                    if entry.is_file(follow_symlinks=False):
                        found[entry.path] = entry.inode()
        except OSError:
            continue
    return found


def make_environment(project_root: Path | None, bytecode_dir: Path | None = None) -> jinja2.Environment:
    """Jinja environment over ``templates/site`` (user's first), autoescaped and strict.

    With *bytecode_dir* (in the user's cache folder), compiled templates are kept there,
    signed: compiling the record page's templates is ~0.1 s of a warm build.
    """
    import jinja2

    loaders: list[jinja2.BaseLoader] = [
        jinja2.FileSystemLoader(str(d / "site")) for d in template_dirs(project_root)
        if (d / "site").is_dir()
    ]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one environment per build: no mtime check per page
        bytecode_cache=_signed_bytecode_cache(bytecode_dir) if bytecode_dir is not None else None,
    )
    from adr_tool.site import fragments  # imports markupsafe: not at module load (startup)

    env.globals.update(fragments.GLOBALS)
    return env


def _signed_bytecode_cache(folder: Path) -> jinja2.BytecodeCache | None:
    """A Jinja bytecode cache whose files carry a MAC made with the user's key (DR-018).

    Bytecode is code: a file nobody signed (planted in a shared or restored cache folder)
    is ignored and the template compiled from source, as without a cache.
    """
    import jinja2

    from adr_tool.signing import signed, user_key, verified
    from adr_tool.writes import atomic_write_bytes

    found = user_key()
    if found is None:
        return None
    secret: bytes = found

    class SignedBytecodeCache(jinja2.BytecodeCache):
        def _path(self, bucket: jinja2.bccache.Bucket) -> str:
            return os.path.join(folder, f"{bucket.key}.jinja")

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                with open(self._path(bucket), "rb") as fh:
                    data = fh.read()
            except OSError:
                return
            payload = verified(secret, MAGIC_BYTECODE, data)
            if payload is not None:
                bucket.bytecode_from_string(bytes(payload))

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            with contextlib.suppress(OSError):
                os.makedirs(folder, exist_ok=True)
                atomic_write_bytes(Path(self._path(bucket)),
                                   signed(secret, MAGIC_BYTECODE, bucket.bytecode_to_string()),
                                   fsync=False, private=True)

    return SignedBytecodeCache()


class SiteWriter:
    """Renders pages (through the cache) and copies assets into a StagingDir."""

    def __init__(self, env: jinja2.Environment, staging: StagingDir, cache: ContentCache,
                 progress: Callable[[str, int, int], None] | None = None) -> None:
        self.env = env
        self.staging = staging
        self.cache = cache
        self.progress = progress
        self.rendered = 0
        self.reused = 0
        self.rendered_paths: list[str] = []
        self._fingerprint = self._templates_fingerprint()

    # -- PageCapture: record pages made in a pool worker (``parallel``) -----------------

    def start(self) -> None:
        """In a worker, before a page: defer staging writes, count from zero."""
        self.staging.deferred = []
        self.rendered = self.reused = 0
        self.rendered_paths = []

    def take(self) -> object:
        """In a worker, after a page: what ``apply`` must do in the parent."""
        ops, self.staging.deferred = self.staging.deferred or [], None
        return (ops, self.rendered, self.reused, self.rendered_paths)

    def apply(self, taken: object) -> None:
        """In the parent, in page order: place the worker's page and add its counts."""
        ops, rendered, reused, paths = cast("tuple[list[tuple[str, str, str | bytes]], int, int, list[str]]",
                                            taken)
        self.staging.replay(ops)
        self.rendered += rendered
        self.reused += reused
        self.rendered_paths.extend(paths)

    @property
    def fingerprint(self) -> str:
        """Key of every template and asset source (user overrides included)."""
        return self._fingerprint

    def _templates_fingerprint(self) -> str:
        loader = self.env.loader
        assert loader is not None
        parts = []
        for name in sorted(self.env.list_templates()):
            source = loader.get_source(self.env, name)[0]
            parts.append(f"{name}\0{source}")
        return content_key(*parts)

    def source(self, name: str) -> str:
        """Text of a template or static asset, user's copy first."""
        loader = self.env.loader
        assert loader is not None
        text: str = loader.get_source(self.env, name)[0]
        return text

    def page(self, site_path: str, template: str, context: Mapping[str, Any],
             large: str = "", key: str = "") -> str:
        """Render *template* with *context* to *site_path*, reusing a cached identical render.

        The cache key is the repr of the context (frozen dataclasses: stable and fast). A
        *large* context value (a record body) may be named so it is hashed instead; a caller
        that knows a complete key of the page's inputs passes it as *key*. Returns the key
        (the page's entry in the ``pages`` namespace).
        """
        if key:
            key = content_key("page", template, self._fingerprint, key)
        else:
            items = sorted(context.items())
            big = ""
            if large:
                value = context[large]
                body = getattr(value, "body_html", "")
                big = blob_key(body.encode("utf-8", "replace"))
                items = [(k, dataclasses.replace(v, body_html="") if k == large else v) for k, v in items]
            key = content_key("page", template, self._fingerprint, big, repr(items))
        cached = self.cache.lookup("pages", key)
        if cached is not None:
            self.reused += 1
            self.staging.link(site_path, cached)
            return key
        import jinja2

        try:
            text = self.env.get_template(template).render(**context)
        except jinja2.TemplateError as exc:
            where = f" line {exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) else ""
            raise AdrError(
                f"template {template}{where} failed while rendering {site_path}: {exc}",
                "Check your templates/site/ overrides against the shipped templates.",
            ) from None
        data = text.encode("utf-8", "replace")
        self.rendered += 1
        self.rendered_paths.append(site_path)
        stored = self.cache.store("pages", key, data)
        if stored is None:
            self.staging.write(site_path, data)
        else:
            self.staging.link(site_path, stored)
        return key

    def write_site(self, model: SiteModel) -> None:
        """Write every page, asset, badge and media file of *model*.

        Record pages were rendered while the model was built (``render_record``); reused
        ones are linked here.
        """
        info = model.info

        def base(path: str, title: str, nav: str) -> BaseContext:
            return _base(info, path, title, nav)

        total = len(model.records)
        for done, record in enumerate(model.records, 1):
            if record.page_file is not None:
                self.reused += 1
                self.staging.link(record.entry.path, record.page_file)
            if self.progress is not None:
                self.progress("pages", done, total)
        self.page("index.html", "index.html.j2", IndexContext(
            **base("index.html", "Decisions", "records"), entries=model.entries,
            statuses=model.statuses, tags=model.tags))
        for listing in model.list_pages:
            title = {"tag": "Tag", "status": "Status", "area": "Area"}[listing.kind]
            self.page(listing.path, "list.html.j2", ListContext(
                **base(listing.path, f"{title}: {listing.name}", "tags"), listing=listing))
        self.page("tags/index.html", "tags.html.j2", TagsContext(
            **base("tags/index.html", "Tags, statuses and areas", "tags"), tags=model.tags,
            areas=model.areas, statuses=model.statuses))
        self.page("graph.html", "graph.html.j2", GraphContext(
            **base("graph.html", "Decision graph", "graph"), graph_svg=model.graph_svg,
            statuses=model.statuses, edge_count=model.graph_edge_count,
            record_count=len(model.entries)))
        self.page("timeline.html", "timeline.html.j2", TimelineContext(
            **base("timeline.html", "Timeline", "timeline"), groups=model.timeline))
        self.page("search.html", "search.html.j2", base("search.html", "Search", "search"))
        not_found = base("404.html", "Page not found", "")
        not_found["root"] = info.base_url  # served for any missing path: links must be rooted
        self.page("404.html", "404.html.j2", not_found)
        self._feeds(model)
        self.staging.write_chunks("search-index.js", search_js(model.records))
        for path, svg in model.badges.items():
            self.staging.write(path, svg.encode("utf-8", "replace"))
        self._assets(model)
        for site_path, source in model.media.items():
            self.staging.copy(site_path, source)
        self.staging.write(SITE_MARKER, b"built by adr; this folder is replaced on every build\n")

    def render_record(self, record: RecordPage, info: SiteInfo, key: str) -> str:
        """Render one record page into the staging folder; return its ``pages`` key.

        *key* covers every input of the page (``model.page_key``), so the context is not
        repr'd to make one.
        """
        path = record.entry.path
        return self.page(path, "record.html.j2", RecordContext(
            **_base(info, path, f"{record.entry.id}: {record.entry.title}", "records"), record=record),
            key=key)

    def _feeds(self, model: SiteModel) -> None:
        info = model.info
        site_url = info.base_url  # absolute when --base-url is a full URL (feeds want one)
        items = [item for _, item in feed_items(model)]
        self.page("feed.xml", "feed.xml.j2", FeedContext(
            site=info, feed_url=site_url + "feed.xml", site_url=site_url, items=items))
        pages = ["index.html", "graph.html", "timeline.html", "search.html", "tags/index.html"]
        pages += [r.entry.path for r in model.records] + [p.path for p in model.list_pages]
        self.page("sitemap.xml", "sitemap.xml.j2", SitemapContext(
            site=info, urls=[site_url + p for p in pages]))

    def _assets(self, model: SiteModel) -> None:
        names = list(STATIC_ASSETS)
        if model.info.live_reload:
            names.append("reload.js")
        if model.mermaid_source is not None:
            names.append("mermaid-init.js")
            self.staging.copy("assets/mermaid.js", model.mermaid_source)
        for name in names:
            self.staging.write(f"assets/{name}", self.source(f"static/{name}").encode("utf-8", "replace"))
        self.staging.write("assets/highlight.css", highlight_css().encode("utf-8", "replace"))


def feed_items(model: SiteModel) -> list[tuple[DonePage, FeedEntry]]:
    """The newest records, as the feed lists them, with the page each item comes from."""
    info = model.info
    site_url = info.base_url  # absolute when --base-url is a full URL (feeds want one)
    dated = sorted(model.records, key=lambda r: (r.entry.date, r.entry.sort_key), reverse=True)
    return [(r, FeedEntry(entry=r.entry, url=site_url + r.entry.path,
                          updated=(f"{r.entry.date}T00:00:00Z" if r.entry.date else info.build_timestamp),
                          summary=r.summary)) for r in dated[:FEED_ENTRIES]]


def _base(info: SiteInfo, path: str, title: str, nav: str) -> BaseContext:
    """The context every page shares."""
    return BaseContext(site=info, root=root_prefix(path), page_path=path, page_title=title,
                       csp=CSP_MERMAID if info.mermaid_script else CSP, nav_current=nav)


def highlight_css() -> str:
    """Pygments colours for code blocks: a light style, and a dark one under the media query."""
    from pygments.formatters import HtmlFormatter

    light: str = HtmlFormatter(style="default").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    dark: str = HtmlFormatter(style="monokai").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    # our stylesheet owns the block background (it follows the theme); keep token colours only
    skip = (".highlight {", "pre {", "td.linenos", "span.linenos")
    light = "\n".join(line for line in light.splitlines() if not line.startswith(skip))
    indented = "\n".join("  " + line for line in dark.splitlines() if not line.startswith(skip))
    return (f"/* generated by adr from Pygments styles */\n{light}\n"
            f"@media (prefers-color-scheme: dark) {{\n{indented}\n}}\n")


def remove_tree(folder: Path) -> None:
    """Delete a staging folder left by a failed build."""
    shutil.rmtree(folder, ignore_errors=True)
