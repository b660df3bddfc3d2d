"""The loaded set of records plus config: what graph, scoring, lint and render consume."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
import contextlib
from dataclasses import dataclass, field
import gc
import os
from pathlib import Path
import pickle
from typing import Any

from adr_tool.config import Config, autodetect_dir, load_config
from adr_tool.diagnostics import Diagnostic
from adr_tool.errors import NotFoundError
from adr_tool.models import Record
from adr_tool.parse import ParseOptions, ParseResult, parse_source
from adr_tool.parse.normalize import number_of, stem_of
from adr_tool.sources import SourceFile, discover, display_path, read_raw, source_from_bytes

PARALLEL_THRESHOLD = 400
"""Above this many files, parsing is spread over a process pool (2 cores pay off here)."""

PerFileHook = Callable[[ParseResult], Any]
"""Work on one freshly parsed file that needs nothing else (``adr lint``'s per-file results,
``adr score --all``'s summaries): run where the file is parsed, in the pool's workers, so it
is spread over the cores with the parse (DR-021). It must be picklable (a spawned worker gets
a copy) and must not raise; None means "nothing to hand back"."""


@dataclass(slots=True)
class Repository:
    """Every record found, indexed by id, with the diagnostics met while loading."""

    root: Path
    """The folder that was scanned (or the parent of the files named explicitly)."""
    config: Config
    records: list[Record] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)
    """Informational notes (skipped files) shown in verbose mode."""
    cache_folder: Path | None = None
    """The parse cache folder the records came through (None: caching was off)."""
    file_keys: dict[str, bytes] = field(default_factory=dict)
    """Cache key of each record's file bytes, by record path: later stages key their own
    per-file caches on it (DR-021)."""
    precomputed: dict[str, Any] = field(default_factory=dict)
    """What the loader's per-file hook returned for each freshly parsed record, by record
    path (see ``PerFileHook``); empty when nothing was parsed in the pool."""
    _by_id: dict[str, Record] = field(default_factory=dict)
    _by_key: dict[str, Record] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Rebuild the id lookup tables (first record wins when ids repeat)."""
        self._by_id = {}
        self._by_key = {}
        for record in self.records:
            self._by_id.setdefault(record.id, record)
            for key in _lookup_keys(record):
                self._by_key.setdefault(key, record)

    def get(self, ref: str) -> Record | None:
        """Find a record by id, file stem/name, or number (``DR-7``, ``7``, ``0007-x.md``)."""
        if ref in self._by_id:
            return self._by_id[ref]
        for key in _ref_keys(ref):
            found = self._by_key.get(key)
            if found is not None:
                return found
        return None

    def __iter__(self) -> Any:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    @property
    def ids(self) -> list[str]:
        """Ids in file order."""
        return [r.id for r in self.records]


def _lookup_keys(record: Record) -> Iterable[str]:
    yield record.id.casefold()
    name, stem = name_and_stem(record.path)
    yield stem.casefold()
    yield name.casefold()
    number = number_of(record.id)
    if number is not None:
        yield f"#{number}"
    if record.phase and record.plan is None:
        yield f"phase:{record.phase.casefold()}"


_STEM_EXTENSIONS = (".html.md", ".md", ".markdown", ".txt")


def name_and_stem(path: str) -> tuple[str, str]:
    """``(Path(path).name, stem_of(path))`` by string operations: runs for every record on
    every load, where the two pathlib parses were ~15% of a warm ``adr graph`` (DR-021)."""
    name = path.rpartition("/")[2]
    if not name or name in (".", "..") or (os.sep != "/" and os.sep in path):
        return Path(path).name, stem_of(path)
    low = name.casefold()
    for ext in _STEM_EXTENSIONS:
        if low.endswith(ext):
            return name, name[: -len(ext)]
    return name, name.rsplit(".", 1)[0] if "." in name else name


def _ref_keys(ref: str) -> Iterable[str]:
    ref = ref.strip()
    yield ref.casefold()
    yield stem_of(ref).casefold()
    yield Path(ref).name.casefold()
    number = number_of(ref)
    if number is not None and (ref.isdigit() or ref.rstrip("0123456789").rstrip("-_ ").isalpha()):
        yield f"#{number}"


def parse_options(config: Config) -> ParseOptions:
    """The parser's view of the config."""
    return ParseOptions(
        statuses=tuple(config.statuses),
        aliases=tuple(sorted(config.aliases().items())),
        day_first=bool(config.lint.get("day_first", True)),
    )


def _parse_bytes(args: Job) -> ParseResult:
    path, shown, raw, options, _key = args
    return parse_source(source_from_bytes(Path(path), shown, raw), options)


Job = tuple[str, str, bytes, ParseOptions, bytes]
"""A file to parse: its path, shown path, bytes, the options, and its cache key (b"" without
a cache)."""
Done = tuple[ParseResult, Any]
"""A parse result and what the per-file hook made of it (None without a hook)."""
Chunk = tuple[bytes, list[Any]]
"""A pool worker's answer for a chunk of jobs: the (key, result) pairs pickled once, in order
(unpickled by the parent, and appended as they are to the parse cache: DR-018), and what the
hook made of each result."""
Segment = Callable[[bytes, list[bytes]], None]
"""Takes a chunk's pickled pairs and their keys as they come in (``SignedPack.add_segment``)."""

_worker_hook: PerFileHook | None = None
"""The hook of the pool this process works for (set by ``_start_worker``)."""


def _start_worker(hook: PerFileHook | None) -> None:
    global _worker_hook
    _worker_hook = hook


def _work(chunk: list[Job], hook: PerFileHook | None) -> Chunk:
    # the whole chunk is parsed before the hook runs over it: alternating between parser
    # and hook code on every file was measured ~20% slower than two passes
    results = [_parse_bytes(job) for job in chunk]
    extras = [None] * len(results) if hook is None else [hook(result) for result in results]
    pairs = [(job[4], result) for job, result in zip(chunk, results, strict=True)]
    return pickle.dumps(pairs, protocol=pickle.HIGHEST_PROTOCOL), extras


def _work_chunk(chunk: list[Job]) -> Chunk:
    return _work(chunk, _worker_hook)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while records are built.

    Parsing creates no reference cycles, but every few hundred allocations the collector
    rescans the records built so far: about a third of the load time on 1,000+ records
    (DR-016). Collection resumes, as it was, when the block ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_files(paths: Sequence[Path], options: ParseOptions,
                cache_folder: Path | None = None, *,
                live: Sequence[bytes] = (),
                keys_out: dict[str, bytes] | None = None,
                hook: PerFileHook | None = None,
                hooked: dict[int, Any] | None = None) -> list[ParseResult]:
    """Read and parse files, in parallel when there are many (results keep input order).

    With *cache_folder*, results are looked up by the hash of each file's bytes first and
    only the files that changed are parsed (DR-018). *live* names the file keys of other
    files still in use, so a call on a few files does not prune the rest of the pack.
    *keys_out* receives each cached file's key by its shown path. When the files are parsed
    in the pool, *hook* runs on each fresh result where it was parsed, and *hooked* receives
    what it returned by the result's index (results from the cache, or parsed below
    ``PARALLEL_THRESHOLD``, get none: the caller computes those itself).
    """
    with gc_paused():
        return _parse_files(paths, options, cache_folder, live, keys_out, hook, hooked)


def _parse_files(paths: Sequence[Path], options: ParseOptions,
                 cache_folder: Path | None, live: Sequence[bytes] = (),
                 keys_out: dict[str, bytes] | None = None,
                 hook: PerFileHook | None = None,
                 hooked: dict[int, Any] | None = None) -> list[ParseResult]:
    from adr_tool.parse.cache import ParseCache, file_key

    cache = ParseCache(cache_folder, options) if cache_folder is not None else None
    results: list[ParseResult | None] = []
    jobs: list[Job] = []
    slots: list[tuple[int, bytes]] = []
    keys: list[bytes] = []
    for path in paths:
        shown = display_path(path)
        got = read_raw(path, shown)
        if isinstance(got, SourceFile):
            results.append(parse_source(got, options))
            continue
        if cache is not None and cache.enabled:
            key = file_key(shown, got)
            keys.append(key)
            if keys_out is not None:
                keys_out[shown] = key
            found = cache.get(key)
            if found is not None:
                results.append(found)
                continue
            slots.append((len(results), key))
        else:
            slots.append((len(results), b""))
        results.append(None)
        jobs.append((str(path), shown, got, options, slots[-1][1]))
    streaming = cache is not None and cache.enabled
    try:
        done = _run(jobs, hook, cache.add_segment if cache is not None and streaming else None)
    except BaseException:
        if cache is not None:
            cache.discard()
        raise
    del jobs  # the files' bytes: not needed any more
    for (index, key), (result, extra) in zip(slots, done, strict=True):
        results[index] = result
        if extra is not None and hooked is not None:
            hooked[index] = extra
        if cache is not None and key:
            cache.put(key, result)
    if cache is not None:
        cache.save([*keys, *live])
    return [r for r in results if r is not None]  # none is left None: indexes are kept


def _cores() -> int:
    """CPUs this process may run on (the affinity mask, where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _run(jobs: list[Job], hook: PerFileHook | None = None,
         segment: Segment | None = None) -> list[Done]:
    """Parse *jobs* (in order); in a pool when there are many, the hook beside each parse.

    One worker per core while this process waits and unpickles their results; each
    chunk's pickled results go to *segment* too (the parse cache keeps them as they are).
    Tried and dropped (DR-021, 2026-12-03): one worker fewer, with this process taking
    chunks from the end, and starting the pool while files are still read; both measured
    slower.
    """
    cores = min(_cores(), 4)
    if len(jobs) < PARALLEL_THRESHOLD or cores < 2:
        return [(_parse_bytes(job), None) for job in jobs]
    import concurrent.futures
    import multiprocessing

    size = max(len(jobs) // (cores * 4), 16)
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    context = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    done: list[Done] = []
    with concurrent.futures.ProcessPoolExecutor(
            max_workers=cores, mp_context=context, initializer=_start_worker,
            initargs=(hook,)) as pool:
        for blob, extras in pool.map(_work_chunk, chunks):
            pairs: list[tuple[bytes, ParseResult]] = pickle.loads(blob)  # from our own worker
            if segment is not None:
                segment(blob, [key for key, _ in pairs])
            del blob
            done += zip((result for _, result in pairs), extras, strict=True)
    return done


def _cache_folder(root: Path, cache: bool | None) -> Path | None:
    """Where the parse cache of *root* lives, or None when caching is off (``cache=False``,
    ``ADR_NO_CACHE=1``)."""
    from adr_tool.parse.cache import cache_disabled, cache_root

    if cache is False or (cache is None and cache_disabled()):
        return None
    return cache_root(root)


def load_repository(
    path: str | Path | None = None,
    *,
    files: Sequence[str | Path] | None = None,
    config: Config | None = None,
    cache: bool | None = None,
    hook: PerFileHook | None = None,
    **overrides: Any,
) -> Repository:
    """Load records from a folder (default: configured/autodetected) or from explicit files.

    *hook* runs beside the parse of each file parsed in the pool (see ``parse_files``); what
    it returns is kept in ``Repository.precomputed`` by record path.
    """
    if config is None:
        start = Path(path) if path is not None and Path(path).is_dir() else Path.cwd()
        config = load_config(start, **overrides)
    notes: list[Diagnostic] = []
    if files:
        targets = [Path(f) for f in files]
        missing = [str(t) for t in targets if not t.exists() and not t.is_symlink()]
        if missing:
            raise NotFoundError(f"no such file: {missing[0]}")
        expanded: list[Path] = []
        for target in targets:
            if target.is_dir():
                found, skipped = discover(target, config.ignore)
                expanded.extend(found)
                notes.extend(skipped)
            else:
                expanded.append(target)
        root = Path(path) if path is not None else Path.cwd()
        paths = expanded
    else:
        root = Path(path) if path is not None else autodetect_dir(config)
        if not root.exists():
            raise NotFoundError(
                f"no decision records folder at {display_path(root)}",
                "Create one with `adr init`, or point to it with --dir.",
            )
        if root.is_file():
            paths = [root]
            root = root.parent
        else:
            paths, notes = discover(root, config.ignore)
    folder = _cache_folder(root, cache)
    keys: dict[str, bytes] = {}
    hooked: dict[int, Any] = {}
    results = parse_files(paths, parse_options(config), folder, keys_out=keys, hook=hook,
                          hooked=hooked)
    records: list[Record] = []
    diagnostics: list[Diagnostic] = []
    precomputed: dict[str, Any] = {}
    for index, result in enumerate(results):
        if result.record is not None:
            records.append(result.record)
            if index in hooked:
                precomputed[result.record.path] = hooked[index]
        diagnostics.extend(result.diagnostics)
    return Repository(root=root, config=config, records=records, diagnostics=diagnostics, notes=notes,
                      cache_folder=folder, file_keys=keys, precomputed=precomputed)
