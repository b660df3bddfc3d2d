"""Atomic writes: every file this tool writes goes through here (temp file + fsync + rename)."""

from __future__ import annotations

from collections.abc import Sequence
import contextlib
import os
from pathlib import Path
import shutil
import tempfile
import time

STALE_TEMP_SECONDS = 3600
"""A ``.NAME.*.tmp`` sibling older than this belongs to a writer that was killed; it is removed."""


def atomic_write(path: Path, text: str) -> None:
    """Replace *path* with *text* so readers see the old or the new file, never half of one."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes | Sequence[bytes], *, fsync: bool = True,
                       private: bool = False) -> None:
    """Replace *path* with *data* (bytes, or chunks written in order) through a temp file.

    Readers see the old or the new file, never half of one. ``fsync=False`` skips the
    flushes to disk, for caches whose loss costs only a slower next run. A *private* file
    keeps the temp file's mode 0600; otherwise the old file's mode is kept (0644 for a new
    one). Every file this tool writes goes through here (or ``AtomicFile``).
    """
    chunks = (data,) if isinstance(data, bytes | bytearray | memoryview) else data
    out = AtomicFile(path)
    try:
        for chunk in chunks:
            out.file.write(chunk)
    except BaseException:
        out.discard()
        raise
    out.commit(fsync=fsync, private=private)


class AtomicFile:
    """A file written piece by piece into a temp file and renamed over *path* by ``commit``.

    For what is too large to hold in memory as one piece (a parse cache of 10,000 records
    is ~85 MB): the same guarantees as ``atomic_write_bytes``, of which it is the body.
    ``discard`` (or any failure in ``commit``) removes the temp file.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                         dir=self.path.parent)
        self.file = os.fdopen(fd, "w+b")
        """The temp file, open for writing (and seeking back)."""

    def commit(self, *, fsync: bool = True, private: bool = False) -> None:
        """Put the file in place (see ``atomic_write_bytes`` for *fsync* and *private*)."""
        path, tmp = self.path, self._tmp
        try:
            with self.file as fh:
                if fsync:
                    fh.flush()
                    os.fsync(fh.fileno())
            if not private:
                with contextlib.suppress(OSError):
                    if path.exists():
                        os.chmod(tmp, path.stat().st_mode & 0o7777)
                    else:
                        os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            self.discard()
            raise
        if fsync:
            _fsync_dir(path.parent)
        sweep_stale_temps(path)

    def discard(self) -> None:
        """Drop the temp file: *path* stays as it was."""
        with contextlib.suppress(OSError):
            self.file.close()
        with contextlib.suppress(OSError):
            os.unlink(self._tmp)


def sweep_stale_temps(path: Path) -> None:
    """Remove temp files a killed writer left for *path* (hidden, never read, older than an hour).

    SIGKILL gives no chance to clean up; the next successful write of the same file does.
    Younger ones are kept: they may belong to a writer that is still running.
    """
    cutoff = time.time() - STALE_TEMP_SECONDS
    prefix = f".{path.name}."
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            if entry.name.startswith(prefix) and entry.name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                        os.unlink(entry.path)


def create_exclusive(path: Path, text: str) -> bool:
    """Create *path* only if it does not exist (O_EXCL); return False if it already does.

    The content is written to a temp file first and hard-linked into place, so the new
    name never exists half-written and an existing file is never overwritten.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:
            # file systems without hard links: fall back to O_EXCL create + write
            try:
                out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(out, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        _fsync_dir(path.parent)
        return True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def replace_tree(staging: Path, target: Path, spare: Path | None = None) -> None:
    """Swap a fully built folder *staging* into *target*, keeping the old one until the end.

    With *spare*, the replaced tree is moved there instead of deleted when it can be (not
    when *spare* exists already, or is on another device).
    """
    target = Path(target)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        if spare is not None:
            try:
                os.rename(old, spare)
                return
            except OSError:
                pass
        shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
