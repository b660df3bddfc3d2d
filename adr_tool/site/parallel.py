"""Record pages made in a process pool: the site stage of a cold build on every core.

A page takes ~5-10 ms of CPU (Markdown, Pygments, sanitising, the neighbourhood graph,
Jinja), all of it in pure Python, so threads would not help. Workers are forked once the
model's lookups (slugs, relations, plan keys) are made, so they share them without pickling;
each makes a chunk of pages in order and sends back, per page, the finished ``DonePage`` and
every side effect the parent must see: cache entries used, media paths handed out, files
probed, and the writer's links into the staging folder (``PageCapture``). The parent applies
them in page order, so the site, the cache manifest and the snapshot are those of a serial
build. Workers write only cache entries (temp file + rename, as in one process).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING

from adr_tool.errors import AdrError

if TYPE_CHECKING:
    from adr_tool.models import Record
    from adr_tool.site.model import DonePage, PageCapture, PagePlan, PageStep, Progress, RecordEntry

MAX_WORKERS = 4
CHUNK = 64


@dataclass(slots=True)
class _Made:
    """One page made by a worker, with its side effects."""

    page: DonePage
    plan: PagePlan | None
    page_key: str | None
    media: list[tuple[Path, str]]
    probes: list[str]
    used: set[tuple[str, str]]
    hits: Counter[str]
    misses: Counter[str]
    stored: list[tuple[str, str, bytes]]
    """Packed cache entries made (the parent writes the pack)."""
    captured: object


_Work = tuple["PageStep", "list[Record]", "dict[str, RecordEntry]", "list[str]", "PageCapture"]
_WORK: _Work | None = None
"""Set in the parent just before the pool forks; read by the workers."""


def pool_workers() -> int:
    """Worker processes for a pool build: 0 when there is one core or no ``fork``."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    return workers if workers >= 2 and hasattr(os, "fork") else 0


def make_pages(step: PageStep, ordered: list[Record], entry_of: dict[str, RecordEntry],
               keys: list[str], capture: PageCapture, progress: Progress | None) -> list[DonePage]:
    """Every record page of *ordered*, made by ``pool_workers()`` forked workers."""
    global _WORK
    import concurrent.futures
    import multiprocessing

    workers = pool_workers()
    total = len(ordered)
    pages: list[DonePage] = []
    # the first page is made here: what every page needs and is made on first use (the
    # record template compiled, Markdown, Pygments and scoring imported) is then made
    # once, before the fork, not once per worker
    if total:
        pages.append(step.finish(*step.make(ordered[0], entry_of[ordered[0].id], keys[0])))
        if progress is not None:
            progress("records", 1, total)
    # ~4 chunks per worker, but at most CHUNK pages: a chunk's results (pages, cache
    # entries) wait in the parent until the chunks before it are applied
    size = min(max((total - 1) // (workers * 4), 8), CHUNK)
    bounds = [(lo, min(lo + size, total)) for lo in range(1, total, size)]
    _WORK = (step, ordered, entry_of, keys, capture)
    pack = step.builder.cache.pack()
    if pack is not None:
        pack.preload()  # once, not in every worker
    if step.spool is not None:
        step.spool.flush()  # no buffered bytes for the workers to inherit
    # what exists now is only read by the workers: kept out of their garbage collections,
    # which would otherwise write to (and so copy) every page of the parent's memory
    outer_freeze = gc.get_freeze_count() > 0  # ``build_site`` froze the loaded records
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for chunk in pool.map(_chunk, bounds):
                if isinstance(chunk, tuple):
                    raise AdrError(*chunk)
                for made in chunk:
                    i = len(pages)
                    pages.append(_apply(step, capture, made, ordered[i], entry_of, keys[i]))
                    if progress is not None:
                        progress("records", len(pages), total)
    finally:
        if not outer_freeze:
            gc.unfreeze()
        _WORK = None
    return pages


def _apply(step: PageStep, capture: PageCapture, made: _Made, record: Record,
           entry_of: dict[str, RecordEntry], key: str) -> DonePage:
    """Take one worker's page in the parent; one whose media paths differ is made again here."""
    builder = step.builder
    if not builder.adopt_media(made.media):
        return step.finish(*step.make(record, entry_of[record.id], key))
    for probe in made.probes:
        builder.probes[probe] = None
    cache = builder.cache
    cache.adopt(made.used, made.hits, made.misses, made.stored)
    capture.apply(made.captured)
    entry = entry_of[record.id]
    # equal always, by construction: the parent's own entry is kept, not a copy per page
    return step.finish(made.page, made.plan, made.page_key,
                       entry if made.page.entry == entry else None)


def _chunk(bounds: tuple[int, int]) -> list[_Made] | tuple[str, str]:
    """In a worker: make the pages of *bounds*, each with its own side effects.

    An ``AdrError`` (a template error) comes back as its message and hint: its pickle would
    lose the hint.
    """
    assert _WORK is not None
    step, ordered, entry_of, keys, capture = _WORK
    builder = step.builder
    cache = builder.cache
    made: list[_Made] = []
    cache.log_stores()  # the parent owns the pack
    try:
        for i in range(*bounds):
            record = ordered[i]
            builder.media_log = []
            builder.probes = {}
            cache.reset_counts()  # the parent counted what came before the fork
            capture.start()
            page, plan, page_key = step.make(record, entry_of[record.id], keys[i])
            made.append(_Made(page, plan, page_key, builder.media_log, list(builder.probes),
                              *cache.reset_counts(), capture.take()))
    except AdrError as exc:
        return (exc.message, exc.hint)
    return made
