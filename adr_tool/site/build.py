"""``build_site``: model (phase 1), write to a sibling temp folder (phase 2), swap it in."""

from __future__ import annotations

import gc
from pathlib import Path
import tempfile
import time
from typing import TYPE_CHECKING

from adr_tool.site.cache import ContentCache, Manifest, default_cache_dir
from adr_tool.site.model import PLANS, Progress, SiteModel, build_model
from adr_tool.site.options import BuildResult, SiteOptions
from adr_tool.site.paths import check_out_dir
from adr_tool.site.snapshot import (
    SkeletonSpool,
    drop_snapshot,
    load_skeletons,
    load_snapshot,
    save_snapshot,
    snapshot_of,
)
from adr_tool.site.spool import DocSpool
from adr_tool.site.writer import SiteWriter, StagingDir, make_environment, remove_tree
from adr_tool.writes import replace_tree

if TYPE_CHECKING:
    from adr_tool.repository import Repository

# default_cache_dir (now in cache) and BuildResult (now in options) are still importable
# from here, their old home


def build_site(
    repo: Repository,
    options: SiteOptions,
    *,
    cache_dir: Path | bool | None = True,
    progress: Progress | None = None,
    loaded_at: int | None = None,
) -> BuildResult:
    """Build the static site of *repo* into ``options.out``, atomically.

    *cache_dir*: a folder, ``True`` for the default next to the output, or ``False``/None
    to build without a cache. *loaded_at*: ``time.time_ns()`` from before *repo* was read;
    only with it is a snapshot left for patch builds (a file changed since then must not
    be taken for what the site shows).
    """
    started = time.perf_counter()
    # the loaded records are only read from here on: out of the collector's full passes,
    # each of which walked all of them (~1.5 s of garbage collection at 10,000 records)
    outer_freeze = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        return _build_site(repo, options, cache_dir, progress, loaded_at, started)
    finally:
        if not outer_freeze:
            gc.unfreeze()


def _build_site(repo: Repository, options: SiteOptions, cache_dir: Path | bool | None,
                progress: Progress | None, loaded_at: int | None, started: float) -> BuildResult:
    out = check_out_dir(options.out, repo.root)
    folder = default_cache_dir(out) if cache_dir is True else (cache_dir or None)
    cache = ContentCache(folder if isinstance(folder, Path) else None)
    env = make_environment(repo.config.root, folder / "templates" if isinstance(folder, Path) else None)
    out.parent.mkdir(parents=True, exist_ok=True)
    skeletons: dict[str, bytes] | None = None
    if cache.folder is not None:
        # what the last snapshot knew of pages that will be reused; a build that fails
        # half-way must not leave a snapshot of the site before it
        last = load_snapshot(cache.folder)
        skeletons = load_skeletons(cache.folder, last) if last is not None else {}
        drop_snapshot(cache.folder)
    # skeletons go to their file as pages are made, not kept for the snapshot (DR-013)
    spool = SkeletonSpool(cache.folder) if cache.folder is not None and loaded_at is not None else None
    staging_path = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    # search-index items too, in a scratch file next to the output (DR-013)
    docs = DocSpool(out.parent)
    try:
        try:
            staging = StagingDir(staging_path, cache)
            writer = SiteWriter(env, staging, cache, progress)
            plans = Manifest(cache, PLANS)
            model = build_model(repo, options, cache, progress, templates_key=writer.fingerprint,
                                render=writer.render_record, plans=plans, skeletons=skeletons,
                                capture=writer, spool=spool, docs=docs)
            writer.write_site(model)
            staging_path.chmod(0o755)
            replace_tree(staging_path, out)
        except BaseException:
            remove_tree(staging_path)
            cache.discard_pack()
            raise
        plans.save()
        if cache.folder is not None and loaded_at is not None and not (spool and spool.failed):
            made = snapshot_of(repo, options, out, writer.fingerprint, model, cache.folder,
                               staging.sources, loaded_at)
            if made is not None:
                snap, pieces = made
                save_snapshot(cache.folder, snap, spool if spool is not None else pieces)
    finally:
        if spool is not None:
            spool.discard()  # unless it was put in place
        docs.close()
    cache.prune()
    cache.save_pack()
    return BuildResult(
        out=out, index=out / "index.html", pages=_html_pages(model), files=staging.files,
        records=len(model.records), rendered=writer.rendered, reused=writer.reused,
        rendered_paths=tuple(writer.rendered_paths),
        bodies_rendered=cache.misses["bodies"],
        bodies_reused=cache.hits["bodies"] + sum(r.reused for r in model.records),
        seconds=time.perf_counter() - started, used_graph_module=model.used_graph_module,
        scored_records=model.scored_records,
    )


def _html_pages(model: SiteModel) -> int:
    return len(model.records) + len(model.list_pages) + 6  # index, tags, graph, timeline, search, 404
