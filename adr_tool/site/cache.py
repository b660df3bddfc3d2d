"""Content-hash cache for incremental builds (DR-014).

Namespaces: ``bodies`` (record Markdown -> safe highlighted HTML), ``pages`` (a page's
template context + template sources -> the rendered file) and ``blobs`` (any output file,
by the hash of its bytes). A key is the SHA-256 of everything that can change the output, so
a hit is always correct and nothing needs invalidating by hand; deleting the cache folder
only makes the next build slower.

Output files are stored once in the cache and hard-linked into the staging folder: linking a
file costs ~30 µs, and that is what makes a rebuild of 1,000 records fast. Each namespace is
one flat folder: on ext4 a file created in one of 256 ``key[:2]`` shard folders cost
0.25-0.5 ms against 0.04 ms in a single folder (htree-indexed, so 50,000 entries still
look up in constant time), and each shard folder cost ~0.8 ms to create. Cache files are read-only (0444) so an in-place
edit of a published file cannot corrupt the cache through the shared inode. Entries are
written with temp file + rename, so a crash never leaves half an entry.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
import contextlib
from functools import lru_cache
import hashlib
import itertools
import os
from pathlib import Path
import shutil
import tempfile

from adr_tool import __version__
from adr_tool.writes import atomic_write_bytes

CACHE_VERSION = "3"
"""Bump when the cached formats or the rendering code change in a way keys do not capture."""


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Name, size and mtime of every module of the package, hashed.

    Keys are made from inputs (a record body, its tables), so a key made by other code
    (a newer parser, another renderer) must not match: this makes any code change a miss.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with contextlib.suppress(OSError):
                    stat = os.stat(path)
                    digest.update(f"{os.path.relpath(path, root)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _key_base() -> hashlib._Hash:
    return hashlib.sha256(f"{CACHE_VERSION}\0{__version__}\0{code_fingerprint()}\0".encode())


def content_key(*parts: str | bytes) -> str:
    """SHA-256 over *parts* (length-prefixed, so part boundaries matter) and the code version."""
    digest = _key_base().copy()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


NAMESPACES = frozenset({"bodies", "pages", "blobs", "svg", "scores", "relations"})
"""The entry folders ``prune`` sweeps; the cache root also holds other things (the Jinja
bytecode of ``templates/``, the snapshot, the plans manifest) that are not entries."""

_TEMP_NUMBERS = itertools.count()
_MEMO: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
_MEMO_LIMIT = 8192
"""Entries of ``get`` kept in memory across builds of one process (``adr serve``)."""


def default_cache_dir(out: Path) -> Path:
    """The page cache of one output folder, in the user's cache folder (deletable at any time).

    Never beside the site: cached bodies are trusted HTML, so a cache folder that a pull
    request could add to the repository would put unsanitised markup on the site (DR-018).
    """
    from adr_tool.parse.cache import cache_base, path_tag

    return cache_base() / "site" / f"{out.name}-{path_tag(out)}"


class ContentCache:
    """A folder of ``<namespace>/<key>`` files plus hit/miss counters.

    With ``folder=None`` nothing is kept: every lookup misses and ``store`` returns None.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._root = str(folder) if folder is not None else ""
        self.hits: Counter[str] = Counter()
        self.misses: Counter[str] = Counter()
        self._used: set[tuple[str, str]] = set()
        self._made: set[str] = set()
        self.recording: list[tuple[str, str]] | None = None
        """When a list, every entry used is appended to it (what a reused page depends on)."""

    def use(self, namespace: str, key: str) -> None:
        """Mark an entry as used by this build (kept by ``prune``)."""
        self._used.add((namespace, key))
        if self.recording is not None:
            self.recording.append((namespace, key))

    def reset_counts(self) -> tuple[set[tuple[str, str]], Counter[str], Counter[str]]:
        """Start counting afresh; return what was counted (entries used, hits, misses)."""
        counted = self._used, self.hits, self.misses
        self._used, self.hits, self.misses = set(), Counter(), Counter()
        return counted

    def adopt(self, used: set[tuple[str, str]], hits: Counter[str], misses: Counter[str]) -> None:
        """Add what ``reset_counts`` returned in a pool worker."""
        self._used |= used
        self.hits.update(hits)
        self.misses.update(misses)

    def lookup(self, namespace: str, key: str) -> str | None:
        """Path of the cached file for *key*, or None (counted as hit or miss)."""
        self.use(namespace, key)
        if self.folder is not None:
            path = os.path.join(self._root, namespace, key)
            if os.path.isfile(path):
                self.hits[namespace] += 1
                return path
        self.misses[namespace] += 1
        return None

    def get(self, namespace: str, key: str) -> bytes | None:
        """Cached bytes for *key*, or None (memoised in memory for the next build)."""
        memo_key = (self._root, namespace, key)
        data = _MEMO.get(memo_key) if self.folder is not None else None
        if data is not None:
            self.use(namespace, key)
            self.hits[namespace] += 1
            _MEMO.move_to_end(memo_key)
            return data
        self.use(namespace, key)
        if self.folder is None:
            self.misses[namespace] += 1
            return None
        try:  # open, not isfile + open: one system call less per entry
            with open(os.path.join(self._root, namespace, key), "rb") as fh:
                data = fh.read()
        except OSError:
            self.misses[namespace] += 1
            return None
        self.hits[namespace] += 1
        _remember(memo_key, data)
        return data

    def store(self, namespace: str, key: str, data: bytes) -> str | None:
        """Write an entry (temp file + rename, read-only) and return its path."""
        assert namespace in NAMESPACES, namespace  # anything else would never be pruned
        self.use(namespace, key)
        if self.folder is None:
            return None
        folder = os.path.join(self._root, namespace)
        path = os.path.join(folder, key)
        if folder not in self._made:
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        # a name of our own, created read-only: no mkstemp name search, no chmod (~25 % of
        # a store, and a cold build of 10,000 records makes 50,000 entries)
        tmp = os.path.join(folder, f".tmp-{key[:16]}-{os.getpid()}-{next(_TEMP_NUMBERS)}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o444)
        except FileExistsError:  # left by a crashed process that had our pid
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
            os.chmod(tmp, 0o444)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return path

    def prune(self) -> int:
        """Delete entries this build did not use; return how many."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        removed = 0
        used = self._used
        for namespace_dir in os.scandir(self._root):
            if namespace_dir.name not in NAMESPACES or not namespace_dir.is_dir(follow_symlinks=False):
                continue
            namespace = namespace_dir.name
            for entry in os.scandir(namespace_dir.path):
                if entry.is_dir(follow_symlinks=False):  # a shard folder of the old layout
                    shutil.rmtree(entry.path, ignore_errors=True)
                elif (namespace, entry.name) not in used:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                        removed += 1
        return removed

    def clear(self) -> None:
        """Delete the whole cache folder."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


class Manifest:
    """Small entries kept together in one file of the cache folder.

    One read and one write per build instead of a file per entry: a cold build of 1,000
    records saves 1,000 file creations, a warm one 1,000 opens. Entries not read or written
    by a build are dropped when it saves. Values may not contain the two separator bytes
    (JSON never does: it escapes control characters).
    """

    MAGIC = b"adr-manifest-1\n"

    def __init__(self, cache: ContentCache, name: str) -> None:
        self.path = os.path.join(cache._root, name) if cache.folder is not None else None
        self._old: dict[str, bytes] = {}
        self._new: dict[str, bytes] = {}
        self._changed = False
        if self.path is None:
            return
        try:
            with open(self.path, "rb") as fh:
                data = fh.read()
        except OSError:
            return
        if not data.startswith(self.MAGIC):
            return
        for chunk in data[len(self.MAGIC):].split(b"\x1e"):
            key, sep, value = chunk.partition(b"\x1f")
            if sep:
                self._old[key.decode("ascii", "replace")] = value

    def get(self, key: str) -> bytes | None:
        """The value stored under *key* (kept for the next build), or None."""
        value = self._old.get(key)
        if value is not None:
            self._new[key] = value
        return value

    def __contains__(self, key: str) -> bool:
        """Whether the last build left *key* (without keeping it, unlike ``get``)."""
        return key in self._old

    def put(self, key: str, value: bytes) -> None:
        """Store *value* under *key* (written by ``save``)."""
        if self.path is None or b"\x1e" in value or b"\x1f" in value:
            return
        self._new[key] = value
        self._changed = True

    def save(self) -> None:
        """Write the entries of this build, if they differ from the ones read (temp + rename)."""
        if self.path is None or (not self._changed and self._new.keys() == self._old.keys()):
            return
        data = self.MAGIC + b"\x1e".join(key.encode("ascii") + b"\x1f" + value
                                          for key, value in self._new.items())
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        atomic_write_bytes(Path(self.path), data, fsync=False)


def _remember(memo_key: tuple[str, str, str], data: bytes) -> None:
    _MEMO[memo_key] = data
    if len(_MEMO) > _MEMO_LIMIT:
        _MEMO.popitem(last=False)


def blob_key(data: bytes) -> str:
    """Key of an output file in the ``blobs`` namespace: the hash of its bytes."""
    return hashlib.sha256(data).hexdigest()
