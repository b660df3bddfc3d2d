"""Content-hash cache for incremental builds (DR-014).

Namespaces: ``bodies`` (record Markdown -> safe highlighted HTML), ``pages`` (a page's
template context + template sources -> the rendered file) and ``blobs`` (any output file,
by the hash of its bytes), ``svg``, ``scores`` and ``relations``. The intermediate ones
that are never published (``bodies``, ``scores``, ``svg``: ``PACKED``) live in one signed
pack file, ``entries.pack`` (``EntryPack``), not a file each. A key is the SHA-256 of everything that can change the output, so
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
from collections.abc import Iterable
import contextlib
from functools import lru_cache
import hashlib
import hmac
import itertools
import os
from pathlib import Path
import shutil
import struct
import tempfile
import time

from adr_tool import __version__
from adr_tool.site.spool import Spooled
from adr_tool.writes import AtomicFile

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
"""The entry namespaces; ``prune`` sweeps their folders. The cache root also holds other
things (the Jinja bytecode of ``templates/``, the snapshot, the plans manifest, the pack)
that are not entries."""

PACKED = frozenset({"bodies", "scores", "svg"})
"""Namespaces kept in the pack, not as files: read by the build, never linked into the site."""

PACK = "entries.pack"
"""The pack's file name in the cache folder."""

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
        self._pack: EntryPack | bool | None = folder is not None
        """The pack of ``PACKED`` entries: made on first use; None without a user key."""
        self._stored: list[tuple[str, str, bytes]] | None = None
        """In a pool worker: packed entries made, for the parent to add (``log_stores``)."""

    def use(self, namespace: str, key: str) -> None:
        """Mark an entry as used by this build (kept by ``prune``)."""
        self._used.add((namespace, key))
        if self.recording is not None:
            self.recording.append((namespace, key))

    def reset_counts(self) -> tuple[set[tuple[str, str]], Counter[str], Counter[str],
                                    list[tuple[str, str, bytes]]]:
        """Start counting afresh; return what was counted (entries used, hits, misses) and
        the packed entries stored meanwhile (in a pool worker, see ``log_stores``)."""
        counted = self._used, self.hits, self.misses, self._stored or []
        self._used, self.hits, self.misses = set(), Counter(), Counter()
        if self._stored is not None:
            self._stored = []
        return counted

    def adopt(self, used: set[tuple[str, str]], hits: Counter[str], misses: Counter[str],
              stored: list[tuple[str, str, bytes]]) -> None:
        """Add what ``reset_counts`` returned in a pool worker."""
        self._used |= used
        self.hits.update(hits)
        self.misses.update(misses)
        pack = self.pack()
        if pack is not None:
            for namespace, key, data in stored:
                pack.add(namespace, key, data)

    def log_stores(self) -> None:
        """In a forked pool worker: keep packed entries for the parent, which owns the pack."""
        self._stored = []

    def pack(self) -> EntryPack | None:
        """The pack of ``PACKED`` entries (None without a cache folder or a user key)."""
        pack = self._pack
        if pack is True:
            from adr_tool.signing import user_key

            secret = user_key()
            pack = self._pack = EntryPack(self._root, secret) if secret is not None else None
        return pack if isinstance(pack, EntryPack) else None

    def save_pack(self) -> None:
        """Write the pack of the packed entries this build used (after a successful build)."""
        pack = self.pack()
        if pack is not None:
            pack.save({(ns, key) for ns, key in self._used if ns in PACKED})

    def discard_pack(self) -> None:
        """Drop what this build would have packed (a failed build)."""
        pack = self.pack() if self._pack is not True else None
        if pack is not None:
            pack.discard()

    def lookup(self, namespace: str, key: str) -> str | None:
        """Path of the cached file for *key*, or None (counted as hit or miss)."""
        assert namespace not in PACKED or self.pack() is None, namespace  # packed: no file
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
        if namespace in PACKED:
            pack = self.pack()
            if pack is not None:
                self.use(namespace, key)
                data = pack.get(namespace, key)
                if data is None:
                    self.misses[namespace] += 1
                else:
                    self.hits[namespace] += 1
                return data
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

    def store(self, namespace: str, key: str, data: bytes | Iterable[bytes]) -> str | None:
        """Write an entry (temp file + rename, read-only) and return its path; *data*
        may be chunks, written one after the other (iterated once).

        A ``PACKED`` entry goes to the pack (written by ``save_pack``) and has no path.
        """
        assert namespace in NAMESPACES, namespace  # anything else would never be pruned
        self.use(namespace, key)
        if self.folder is None:
            return None
        if namespace in PACKED:
            data = data if isinstance(data, bytes) else b"".join(
                (data,) if isinstance(data, bytearray | memoryview) else data)
            if self._stored is not None:
                self._stored.append((namespace, key, data))
                return None
            pack = self.pack()
            if pack is not None:
                pack.add(namespace, key, data)
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
                for chunk in (data,) if isinstance(data, bytes | bytearray | memoryview) else data:
                    view = memoryview(chunk)
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
        packing = self.pack() is not None
        for namespace_dir in os.scandir(self._root):
            if namespace_dir.name.startswith(_PACK_TEMP) and namespace_dir.is_file(follow_symlinks=False):
                _remove_stale(namespace_dir.path)  # left by a build that was killed
                continue
            if namespace_dir.name not in NAMESPACES or not namespace_dir.is_dir(follow_symlinks=False):
                continue
            namespace = namespace_dir.name
            if packing and namespace in PACKED:  # files of the layout before the pack
                shutil.rmtree(namespace_dir.path, ignore_errors=True)
                continue
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
        self._new: dict[str, bytes | tuple[bytes | Spooled, ...]] = {}
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

    def put(self, key: str, value: bytes | tuple[bytes | Spooled, ...]) -> None:
        """Store *value* (bytes, or pieces written one after the other) under *key*
        (written by ``save``). Pieces are kept as they are: no copy of a large value, and a
        spooled one (``spool.Spooled``) is read back only when the file is written."""
        pieces = value if isinstance(value, tuple) else (value,)
        if self.path is None or any(
                not piece.clean if isinstance(piece, Spooled) else b"\x1e" in piece or b"\x1f" in piece
                for piece in pieces):
            return
        self._new[key] = value
        self._changed = True

    def save(self) -> None:
        """Write the entries of this build, if they differ from the ones read (temp + rename)."""
        if self.path is None or (not self._changed and self._new.keys() == self._old.keys()):
            return
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        out = AtomicFile(Path(self.path))  # as atomic_write_bytes, spooled pieces read one by one
        try:
            for chunk in self._chunks():
                out.file.write(chunk.read() if isinstance(chunk, Spooled) else chunk)
        except BaseException:
            out.discard()
            raise
        out.commit(fsync=False)

    def _chunks(self) -> list[bytes | Spooled]:
        """The file as a list of chunks (written in order; never joined in memory)."""
        chunks: list[bytes | Spooled] = [self.MAGIC]
        for key, value in self._new.items():
            chunks += (key.encode("ascii"), b"\x1f")
            if isinstance(value, tuple):
                chunks += value
            else:
                chunks.append(value)
            chunks.append(b"\x1e")
        if self._new:
            chunks.pop()
        return chunks


_PACK_MAGIC = b"adr-site-pack-1\n"
_PACK_TEMP = f".{PACK}.tmp-"
_PACK_FOOT = struct.Struct("<QI8s")
"""Index offset, entry count, end mark."""
_PACK_END = b"adr-pk1\n"
_PACK_ROW = struct.Struct("<B32sQI")
"""Namespace code, key (32 raw bytes), offset of the entry, its length (MAC included)."""
_PACK_CODES = {"bodies": 1, "scores": 2, "svg": 3}
_PACK_FLUSH = 4 << 20
"""Bytes of new entries held in memory before they go to the temp file (a pack at 10,000
records is ~170 MB: a build must not hold it)."""
_STALE_SECONDS = 3600
_SEARCHES = 64
"""Lookups made by searching the pack's sorted index before it is read into a dict."""
assert set(_PACK_CODES) == PACKED


class EntryPack:
    """The ``PACKED`` entries of the last build, in one file, and the next one being written.

    A cold build of 1,000 records made ~2,850 of these entries, a file each: creating them
    cost ~1.4 s of system time. Layout: a magic line, then entries (an HMAC-SHA256 with the
    user key over namespace, key and data, then the data), then an index of (namespace, key,
    offset, length) rows and a footer. Every entry carries its own MAC, so a lookup reads
    the index and one entry (a patch build reads a body or two, not the whole pack) and
    needs no trust in the index: bodies are trusted HTML, and an entry someone else wrote,
    or moved to another key, does not verify and is a miss (DR-014, DR-018). Anything
    malformed is an empty pack.

    The parent process owns the file: new entries (a pool worker's come through
    ``ContentCache.adopt``) are buffered and appended to a temp file next to the pack,
    ``save`` adds the last pack's entries this build used, writes the index and renames it
    over the pack. Deleting the pack at any time only costs misses.
    """

    def __init__(self, root: str, secret: bytes) -> None:
        self.path = os.path.join(root, PACK)
        self._secret = secret
        self._fd = -1
        self._rows = b""
        """The last pack's index rows, sorted by name (code byte + raw key)."""
        self._data_end = 0
        self._loaded = False
        self._index: dict[bytes, tuple[int, int]] | None = None
        """Name -> (offset, length) in the last pack, once ``_SEARCHES`` lookups were made."""
        self._searches = 0
        self._new: dict[bytes, tuple[int, int]] = {}
        """The same for entries of this build, offsets in the temp file (after ``_buffer``)."""
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._size = len(_PACK_MAGIC)
        """Bytes of the new pack so far (flushed and buffered)."""
        self._temp: str | None = None
        self._temp_fd = -1
        self._pid = os.getpid()

    # -- reading the last pack ------------------------------------------------------------

    def _load(self) -> None:
        """Open the last pack and read its index rows (no entry yet)."""
        self._loaded = True
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return
        try:
            size = os.fstat(fd).st_size
            foot = _PACK_FOOT.size
            if size < len(_PACK_MAGIC) + foot or os.pread(fd, len(_PACK_MAGIC), 0) != _PACK_MAGIC:
                os.close(fd)
                return
            at, count, end = _PACK_FOOT.unpack(os.pread(fd, foot, size - foot))
            rows = os.pread(fd, count * _PACK_ROW.size, at) if end == _PACK_END else b""
            if (end != _PACK_END or at < len(_PACK_MAGIC) or at + count * _PACK_ROW.size + foot != size
                    or len(rows) != count * _PACK_ROW.size):
                os.close(fd)
                return
        except (OSError, struct.error):
            os.close(fd)
            return
        self._fd, self._rows, self._data_end = fd, rows, at

    def _row(self, code: int, raw: bytes, offset: int, length: int) -> tuple[int, int] | None:
        """(offset, length) of a row that points inside the entries, else None."""
        if length >= 32 and len(_PACK_MAGIC) <= offset and offset + length <= self._data_end:
            return offset, length
        return None

    def _all(self) -> dict[bytes, tuple[int, int]]:
        """Every entry of the last pack by name (made once; a full build looks up thousands)."""
        if not self._loaded:
            self._load()
        if self._index is None:
            index: dict[bytes, tuple[int, int]] = {}
            for code, raw, offset, length in _PACK_ROW.iter_unpack(self._rows):
                where = self._row(code, raw, offset, length)
                if where is not None:
                    index[bytes((code,)) + raw] = where
            self._index = index
        return self._index

    def _where(self, name: bytes) -> tuple[int, int] | None:
        """Where the entry *name* is in the last pack.

        The first lookups search the sorted rows (a patch build asks for a body or two: the
        index of 10,000 records is ~30,000 rows, ~30 ms to put in a dict); from
        ``_SEARCHES`` on, the dict is made.
        """
        if self._index is None:
            self._searches += 1
            if self._searches <= _SEARCHES:
                if not self._loaded:
                    self._load()
                rows, size = self._rows, _PACK_ROW.size
                lo, hi = 0, len(rows) // size
                while lo < hi:
                    mid = (lo + hi) // 2
                    found = rows[mid * size:mid * size + 33]
                    if found == name:
                        _code, _raw, offset, length = _PACK_ROW.unpack_from(rows, mid * size)
                        return self._row(_code, _raw, offset, length)
                    if found < name:
                        lo = mid + 1
                    else:
                        hi = mid
                return None
        return self._all().get(name)

    def _name(self, namespace: str, key: str) -> bytes | None:
        try:
            raw = bytes.fromhex(key)
        except ValueError:
            return None
        return bytes((_PACK_CODES[namespace],)) + raw if len(raw) == 32 else None

    def _mac(self, name: bytes, data: bytes | memoryview) -> bytes:
        return hmac.digest(self._secret, name + data, "sha256")

    def get(self, namespace: str, key: str) -> bytes | None:
        """The entry's data, if the last pack holds it under this key and it verifies."""
        name = self._name(namespace, key)
        if name is not None and name in self._new and os.getpid() == self._pid:
            return self._own(name)
        where = self._where(name) if name is not None else None
        if where is None or name is None:
            return None
        return self._verified(self._fd, name, *where)

    def _own(self, name: bytes) -> bytes | None:
        """An entry this build added (a record met twice in one build): flushed, read back."""
        if self._buffer:
            self._flush()
        return self._verified(self._temp_fd, name, *self._new[name])

    def _verified(self, fd: int, name: bytes, offset: int, length: int) -> bytes | None:
        """The data of the entry at *offset* in *fd*, if it is whole and its MAC verifies."""
        try:
            entry = os.pread(fd, length, offset)
        except OSError:
            return None
        data = entry[32:]
        if len(entry) != length or not hmac.compare_digest(entry[:32], self._mac(name, data)):
            return None
        return data

    # -- writing the next one -------------------------------------------------------------

    def add(self, namespace: str, key: str, data: bytes) -> None:
        """Put an entry of this build into the next pack (buffered; the parent process only)."""
        name = self._name(namespace, key)
        if name is None or name in self._new or os.getpid() != self._pid:
            return
        self._append(name, self._mac(name, data) + data)

    def _append(self, name: bytes, entry: bytes) -> None:
        self._new[name] = (self._size, len(entry))
        self._size += len(entry)
        self._buffer.append(entry)
        self._buffered += len(entry)
        if self._buffered >= _PACK_FLUSH:
            self._flush()

    def _flush(self) -> None:
        if self._temp_fd < 0:
            folder = os.path.dirname(self.path)
            os.makedirs(folder, exist_ok=True)
            self._temp_fd, self._temp = tempfile.mkstemp(prefix=_PACK_TEMP, dir=folder)
            self._buffer.insert(0, _PACK_MAGIC)
        data = b"".join(self._buffer)
        self._buffer, self._buffered = [], 0
        view = memoryview(data)
        while view:
            view = view[os.write(self._temp_fd, view):]

    def save(self, used: set[tuple[str, str]]) -> None:
        """Write the entries of this build and those of the last pack it *used*; rename it in.

        Nothing is written when the pack would hold just what it holds.
        """
        if os.getpid() != self._pid:
            return
        index = self._all()
        wanted = {name for name in (self._name(ns, key) for ns, key in used) if name is not None}
        if not self._new and wanted >= index.keys():
            self.discard()
            self.close()
            return
        try:
            for name in sorted(wanted - self._new.keys()):
                where = index.get(name)
                if where is not None:
                    entry = os.pread(self._fd, where[1], where[0])
                    if len(entry) == where[1]:
                        self._append(name, entry)  # verified when it is read
            if not self._new:
                self.discard()
                with contextlib.suppress(OSError):
                    os.unlink(self.path)
                return
            at = self._size
            self._buffer.append(b"".join(_PACK_ROW.pack(name[0], name[1:], offset, length)  # sorted
                                         for name, (offset, length) in sorted(self._new.items())))
            self._buffer.append(_PACK_FOOT.pack(at, len(self._new), _PACK_END))
            self._flush()
            assert self._temp is not None
            os.close(self._temp_fd)
            self._temp_fd = -1
            os.chmod(self._temp, 0o600)
            os.replace(self._temp, self.path)
            self._temp = None
        except OSError:
            self.discard()  # a cache that cannot be written is a cache that misses
        finally:
            self._new = {}
            self.close()

    def preload(self) -> None:
        """Read the last pack's index now (before a pool forks: workers share it)."""
        self._all()

    def close(self) -> None:
        """Close the last pack (its entries can no longer be read)."""
        if self._fd >= 0 and os.getpid() == self._pid:
            os.close(self._fd)
        self._fd = -1
        self._loaded, self._rows, self._index = True, b"", {}

    def discard(self) -> None:
        """Forget the new entries and remove the temp file."""
        if os.getpid() != self._pid:
            return
        self._buffer, self._buffered, self._new = [], 0, {}
        if self._temp_fd >= 0:
            os.close(self._temp_fd)
            self._temp_fd = -1
        if self._temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._temp)
            self._temp = None


def _remove_stale(path: str) -> None:
    """Remove a temp pack no build has written to for an hour (a killed build's)."""
    with contextlib.suppress(OSError):
        if os.stat(path).st_mtime < time.time() - _STALE_SECONDS:
            os.unlink(path)


def _remember(memo_key: tuple[str, str, str], data: bytes) -> None:
    _MEMO[memo_key] = data
    if len(_MEMO) > _MEMO_LIMIT:
        _MEMO.popitem(last=False)


def blob_key(data: bytes) -> str:
    """Key of an output file in the ``blobs`` namespace: the hash of its bytes."""
    return hashlib.sha256(data).hexdigest()
