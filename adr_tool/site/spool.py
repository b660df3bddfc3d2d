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


class DocSpool:
    """An unnamed temp file the parent process appends items to (unbuffered: an item that
    was added is in the file, and a forked worker inherits no pending bytes)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        """Where the file goes (on disk: a tmpfs /tmp would hold it in memory anyway)."""
        self._file: BinaryIO | None = None
        self._size = 0
        self._failed = False
        self._pid = os.getpid()

    def add(self, data: bytes) -> Spooled | None:
        """Append *data*; where it is, or None when it must stay in memory (the file cannot
        be written, or this is a forked worker: the parent owns the file)."""
        if self._failed or os.getpid() != self._pid:
            return None
        try:
            if self._file is None:
                # open for the whole build, closed by ``close``
                self._file = tempfile.TemporaryFile(  # noqa: SIM115
                    prefix=".adr-search-", dir=self.folder, buffering=0)
            fd = self._file.fileno()
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        except OSError:
            self._failed = True  # what was added stays readable; the rest stays in memory
            return None
        where = Spooled(self, self._size, len(data), not any(s in data for s in _SEPARATORS))
        self._size += len(data)
        return where

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
        if self._file is not None and os.getpid() == self._pid:
            self._file.close()
            self._file = None
