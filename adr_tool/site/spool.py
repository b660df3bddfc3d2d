"""Search-index items of finished record pages, kept in a scratch file instead of memory.

A full build of 10,000 records made ~48 MB of items (one JSON object per record, with the
start of its text), held by the pages and the plan manifest until the build's end, where
its memory peaked (DR-013, 2026-12-03). ``DocSpool`` writes each item to an unnamed temp
file as its page is finished in the parent process; the page and the manifest keep a
``Spooled`` (where it is), and the search index and the manifest file are written from
the file. It is scratch, never a cache: written and read back by one build, then closed.
"""

from __future__ import annotations

from dataclasses import dataclass
import os
from pathlib import Path
import tempfile
from typing import BinaryIO

_SEPARATORS = (b"\x1e", b"\x1f")
"""The plan manifest's separators (``cache.Manifest``)."""


@dataclass(frozen=True, slots=True)
class Spooled:
    """Where one item is in its spool's file."""

    spool: DocSpool
    offset: int
    length: int
    clean: bool
    """No manifest separator byte in it: it can be a manifest value."""

    def read(self) -> bytes:
        """The item's bytes (OSError when the file cannot give them back)."""
        return self.spool.read(self.offset, self.length)


class ParentFile:
    """A file the build's parent process appends pieces to while pages are made, keeping
    only where each piece is: the bookkeeping ``DocSpool`` and ``snapshot.SkeletonSpool``
    share. A forked worker adds nothing (the parent owns the file), and once a write
    fails nothing more is added (the caller keeps that piece in memory)."""

    def __init__(self) -> None:
        self._size = 0
        self._failed = False
        self._pid = os.getpid()

    @property
    def failed(self) -> bool:
        """True when a piece could not be written."""
        return self._failed

    def owner(self) -> bool:
        """Whether this is the process that made the file."""
        return os.getpid() == self._pid

    def append(self, data: bytes) -> int | None:
        """Write *data* at the end; its offset, or None when it was not written."""
        if self._failed or not self.owner():
            return None
        try:
            self._write(data)
        except OSError:
            self._failed = True
            self._lost()
            return None
        offset = self._size
        self._size += len(data)
        return offset

    def _write(self, data: bytes) -> None:
        raise NotImplementedError

    def _lost(self) -> None:
        """What a failed write leaves to clean up (nothing, unless a subclass says so)."""


class DocSpool(ParentFile):
    """An unnamed temp file for search-index items (unbuffered: an item that was added is
    in the file, and a forked worker inherits no pending bytes)."""

    def __init__(self, folder: Path | None = None) -> None:
        super().__init__()
        self.folder = folder
        """Where the file goes (on disk: a tmpfs /tmp would hold it in memory anyway)."""
        self._file: BinaryIO | None = None

    def add(self, data: bytes) -> Spooled | None:
        """Append *data*; where it is, or None when it must stay in memory (the file cannot
        be written, or this is a forked worker: the parent owns the file)."""
        offset = self.append(data)
        if offset is None:
            return None  # what was added before stays readable
        return Spooled(self, offset, len(data), not any(s in data for s in _SEPARATORS))

    def _write(self, data: bytes) -> None:
        if self._file is None:
            # open for the whole build, closed by ``close``
            self._file = tempfile.TemporaryFile(  # noqa: SIM115
                prefix=".adr-search-", dir=self.folder, buffering=0)
        fd = self._file.fileno()
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]

    def read(self, offset: int, length: int) -> bytes:
        """*length* bytes at *offset* (OSError when they are not all there)."""
        if self._file is None:
            raise OSError("search items spool is closed")
        data = os.pread(self._file.fileno(), length, offset)
        if len(data) != length:
            raise OSError("search items spool is short")
        return data

    def close(self) -> None:
        """Drop the file (the build is over: nothing reads its items any more)."""
        if self._file is not None and self.owner():
            self._file.close()
            self._file = None
