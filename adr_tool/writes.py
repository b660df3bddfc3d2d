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
    one). Every file this tool writes goes through here.
    """
    path = Path(path)
    chunks = (data,) if isinstance(data, bytes | bytearray | memoryview) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
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
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if fsync:
        _fsync_dir(path.parent)
    sweep_stale_temps(path)


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
