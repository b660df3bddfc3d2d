"""Content-hash cache of parse results, so unchanged records are never parsed twice (DR-018).

One pack file per records folder and parser fingerprint, in the user's cache folder
(``$XDG_CACHE_HOME/adr-tool/parse/<folder hash>/``, or under ``$ADR_CACHE_DIR``), never in
the repository: pointing ``adr`` at a folder must not write into it. A pack maps the hash of
a file's bytes (and its shown path) to what ``parse_source`` returned for it. The fingerprint
covers the tool version, the parse options and the size and mtime of every module that
shapes a record, so a hit is always what a fresh parse would give; deleting the folder only
makes the next run slower.

The pack is a stream of pickled segments, each a mapping (or list of pairs) of entries: the
parse workers pickle their chunk's results once, and that very piece is both what the
parent unpickles and what it appends to the pack, so a cold load never pickles the records
again nor holds the whole pack as one bytes object (DR-018, 2026-12-03). Unpickling runs code, so a pack written by anyone else (a shared
or restored cache folder, an ``$ADR_CACHE_DIR`` inside a repository) must never be loaded:
each pack is signed with an HMAC-SHA256 whose key lives in the user's own cache folder
(``$XDG_CACHE_HOME/adr-tool/key``, mode 0600). A pack with a bad or missing signature is
ignored, as is anything that fails to load.
"""

from __future__ import annotations

from collections.abc import Iterable
import contextlib
import hashlib
import hmac
import os
from pathlib import Path
import pickle
from typing import TYPE_CHECKING, Any

from adr_tool.signing import MAC_SIZE, streaming_mac, user_cache_base, user_key
from adr_tool.writes import AtomicFile

if TYPE_CHECKING:
    from adr_tool.parse.reader import ParseOptions, ParseResult

CACHE_VERSION = "3"
"""Bump when the cached shape changes in a way the module fingerprint would not notice."""
MAGIC = b"ADRPARSE3\n"
"""Then the HMAC of everything after it, then the segments (pickles, one after the other)."""
_SHAPING_MODULES = ("models.py", "markdown.py", "markdown_fallback.py", "sources.py", "config.py",
                    "diagnostics.py", "parse/reader.py", "parse/body.py", "parse/frontmatter.py",
                    "parse/normalize.py", "parse/cache.py", "parse/fastbody.py")


def cache_disabled() -> bool:
    """``ADR_NO_CACHE=1`` turns every cache off (handy when measuring cold runs)."""
    return os.environ.get("ADR_NO_CACHE", "").strip() not in ("", "0", "false", "no")


def cache_base() -> Path:
    """``$ADR_CACHE_DIR`` when set, else ``user_cache_base()``: where every cache goes."""
    override = os.environ.get("ADR_CACHE_DIR")
    return Path(override) if override else user_cache_base()


def path_tag(folder: Path) -> str:
    """A short stable name for a folder's absolute path (one cache per folder)."""
    try:
        where = str(folder.resolve())
    except (OSError, RuntimeError):
        where = os.path.abspath(folder)
    return hashlib.blake2b(where.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


def cache_root(records_root: Path) -> Path:
    """The pack folder of one records folder: ``<cache_base()>/parse/<path tag>``."""
    return cache_base() / "parse" / path_tag(records_root)


def file_key(shown: str, raw: bytes) -> bytes:
    """The cache key of one file: its bytes and the path its diagnostics will name."""
    digest = hashlib.sha256(shown.encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    digest.update(raw)
    return digest.digest()[:20]


def fingerprint(options: ParseOptions) -> str:
    """What, besides a file's bytes, decides its parse result."""
    from adr_tool import __version__

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(digest_size=12)
    digest.update(f"{CACHE_VERSION}\0{__version__}\0{options!r}".encode())
    for name in _SHAPING_MODULES:
        with contextlib.suppress(OSError):
            info = (package / name).stat()
            digest.update(f"\0{name}:{info.st_size}:{info.st_mtime_ns}".encode())
    return digest.hexdigest()


class SignedPack:
    """A signed pickle pack of ``key -> value`` entries in *folder*, named *name*: look up,
    add, and save when something changed. Sibling packs of other names are removed on save
    (they belong to an older fingerprint)."""

    def __init__(self, folder: Path | None, name: str, *, ignore_at: Path | None = None) -> None:
        self._key = user_key() if folder is not None else None
        self.path = (folder / f"{name}.pickle"
                     if folder is not None and self._key is not None else None)
        self._ignore_at = ignore_at if ignore_at is not None else (
            folder.parent.parent if folder is not None else None)
        self._entries: dict[bytes, Any] = {}
        self._added = 0
        self._out: SignedWriter | None = None
        """The next pack, while segments are streamed into it (``add_segment``)."""
        self._written: set[bytes] = set()
        """Keys of the entries already in ``_out``."""
        self.hits = 0
        self.misses = 0
        if self.path is not None:
            self._entries = self._read(self.path)

    @property
    def enabled(self) -> bool:
        """False when there is nowhere (or no key) to keep the cache."""
        return self.path is not None

    def _read(self, path: Path) -> dict[bytes, Any]:
        """Verify the signature, then unpickle the segments straight from the file (no second
        copy in memory)."""
        if self._key is None:
            return {}
        entries: dict[bytes, Any] = {}
        try:
            with path.open("rb") as fh:
                head = fh.read(len(MAGIC) + MAC_SIZE)
                if len(head) < len(MAGIC) + MAC_SIZE or not head.startswith(MAGIC):
                    return {}
                digest = streaming_mac(self._key)
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
                if not hmac.compare_digest(head[len(MAGIC):], digest.digest()):
                    return {}
                end = fh.tell()
                fh.seek(len(head))
                while fh.tell() < end:
                    segment: Any = pickle.load(fh)
                    if not isinstance(segment, dict | list):
                        return {}
                    entries.update(segment)
        except OSError:
            return {}
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError,
                ValueError, IndexError, KeyError, MemoryError):  # a damaged pack is a miss
            return {}
        return entries

    def get(self, key: bytes) -> Any:
        """The cached result for a file key, counting hits and misses."""
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: bytes, result: Any) -> None:
        """Remember a fresh result (saved by ``save``)."""
        if self.path is not None:
            self._entries[key] = result
            self._added += 1

    def add_segment(self, segment: bytes, keys: Iterable[bytes]) -> None:
        """Append *segment*, a pickled list of (key, result) pairs for *keys*, to the next
        pack as it is (written now; ``save`` finishes the pack). Their results still go
        through ``put``, which then only counts them."""
        if self.path is None or self._key is None:
            return
        try:
            if self._out is None:
                self._out = self._open(self.path, self._key)
            self._out.write(segment)
        except OSError:
            self.discard()
            self.path = None  # nowhere to write: a slower next run, as when save fails
            return
        self._written.update(keys)

    def _open(self, path: Path, key: bytes) -> SignedWriter:
        path.parent.mkdir(parents=True, exist_ok=True)
        if self._ignore_at is not None:
            _ignore_folder(self._ignore_at)
        return SignedWriter(path, key)

    def discard(self) -> None:
        """Drop a pack being streamed (the load failed): the last one stays."""
        if self._out is not None:
            self._out.discard()
            self._out = None
        self._written = set()

    def save(self, live: Iterable[bytes]) -> None:
        """Write the pack if anything was added; entries of files gone for good are dropped.

        Entries not in *live* are kept while the pack is at most four times the live set
        plus 1,000 (so ``adr score --all``, which reads only records with tables, and
        ``adr lint``, which reads all, do not evict each other), then pruned. Entries not
        streamed already go in as one more segment, pickled straight into the file.
        """
        if self.path is None or self._key is None or not self._added:
            self.discard()
            return
        live_keys = set(live)
        entries = self._entries
        if len(entries) > 4 * len(live_keys) + 1000:
            entries = {k: v for k, v in entries.items() if k in live_keys}
        written = self._written
        if written:
            entries = {k: v for k, v in entries.items() if k not in written}
        try:
            out = self._out if self._out is not None else self._open(self.path, self._key)
            self._out = None
            try:
                if entries or not written:
                    pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(entries)
                out.commit()
            except BaseException:
                out.discard()
                raise
            for stale in self.path.parent.glob("*.pickle"):
                if stale != self.path:
                    with contextlib.suppress(OSError):
                        stale.unlink()
        except (OSError, pickle.PicklingError, RecursionError):
            return  # a cache that cannot be written is just a slower next run
        finally:
            self._written = set()


class SignedWriter:
    """A signed file (``signing.signed``'s layout) written in pieces into its temp file:
    *magic*, room for the signature, then what is written (signed as it goes); ``commit``
    puts the signature in and the file in place. Nothing as large as the file is held."""

    def __init__(self, path: Path, key: bytes, magic: bytes = MAGIC) -> None:
        self._file = AtomicFile(path)
        self._digest = streaming_mac(key)
        self._at = len(magic)
        self._file.file.write(magic + bytes(MAC_SIZE))

    def write(self, data: bytes | memoryview) -> int:
        """Append *data* (also the ``write`` a ``pickle.Pickler`` calls)."""
        self._digest.update(data)
        return self._file.file.write(data)

    def commit(self) -> None:
        """Sign and rename into place (mode 0600, no fsync: a lost cache is a slower run)."""
        fh = self._file.file
        fh.seek(self._at)
        fh.write(self._digest.digest())
        self._file.commit(fsync=False, private=True)

    def discard(self) -> None:
        """Remove the temp file."""
        self._file.discard()


def _ignore_folder(folder: Path) -> None:
    """Keep the cache out of version control, whatever the project's .gitignore says."""
    marker = folder / ".gitignore"
    if not marker.exists():
        with contextlib.suppress(OSError):
            marker.write_text("# written by adr: this folder is a cache, safe to delete\n*\n",
                              encoding="utf-8")


class ParseCache(SignedPack):
    """The parse pack of one project and fingerprint: file key -> ParseResult."""

    def __init__(self, folder: Path | None, options: ParseOptions) -> None:
        super().__init__(folder, fingerprint(options))

    def get(self, key: bytes) -> ParseResult | None:
        """The cached result for a file key, counting hits and misses."""
        found: ParseResult | None = super().get(key)
        return found
