"""Find record files and read them into SourceFile values (the only place records are read)."""

from __future__ import annotations

from dataclasses import dataclass, field
import fnmatch
from functools import lru_cache
import os
from pathlib import Path
import re
import stat

from adr_tool.diagnostics import Diagnostic, error, info, warning

MAX_BYTES = 8 * 1024 * 1024
"""Records larger than this are refused with a diagnostic instead of parsed (bounded time)."""

SKIP_NAMES = (
    "readme.md", "index.md", "template.md", "adr-template.md", "_template.md", "changelog.md",
    "contributing.md", "license.md", "code_of_conduct.md", "security.md",
)
SKIP_GLOBS = ("template*.md", "*-template.md", "*_template.md", "*.j2")
SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", "site", "_site", ".adr-cache"}
VISIBLE_HIDDEN_DIRS = {".planning"}
"""Hidden folders that hold records by convention (GSD keeps plans in .planning/)."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The decoded text of one file plus anything wrong with its bytes."""

    path: Path
    display: str
    """Path as shown to users (relative to the current directory when possible)."""
    text: str
    """Decoded text: BOM removed, CRLF/CR normalised to LF."""
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    readable: bool = True
    """False when the file could not be read or decoded at all (binary, too large...)."""


def display_path(path: Path | str) -> str:
    """Show *path* relative to the working directory when it is below it.

    Called once per record on every load: the common case (a file below the working
    directory) is a prefix cut, ~10x cheaper than ``os.path.relpath``.
    """
    try:
        absolute = os.path.abspath(path)
        cwd = os.getcwd()
    except (OSError, ValueError):
        absolute, cwd = os.fspath(path), ""
    prefix = cwd.rstrip(os.sep) + os.sep
    if cwd and absolute.startswith(prefix) and len(absolute) > len(prefix):
        rel = absolute[len(prefix):]
    else:
        try:
            rel = os.path.relpath(path)
        except (OSError, ValueError):
            rel = os.fspath(path)
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


def decode_bytes(raw: bytes, shown: str) -> tuple[str, list[Diagnostic], bool]:
    """Decode file bytes to text, turning every encoding problem into a diagnostic."""
    diags: list[Diagnostic] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # before the NUL check: UTF-16 text is full of NUL bytes
        try:
            raw = raw.decode("utf-16").encode("utf-8")
            diags.append(info("ADR103", shown, 1, 1, "file is UTF-16; read it as such",
                              "Save records as UTF-8."))
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:8192]:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return "", [*diags, error("ADR102", shown, line, 1, "binary file: it contains NUL bytes",
                                  "Decision records are Markdown text files.")], False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = raw[: exc.start]
        line = prefix.count(b"\n") + 1
        col = len(prefix[prefix.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        diags.append(error("ADR103", shown, line, col,
                           f"invalid UTF-8 byte 0x{raw[exc.start]:02x}; read with replacement characters",
                           "Re-save the file as UTF-8."))
        text = raw.decode("utf-8", "replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, diags, True


def _too_large(shown: str, size: int) -> Diagnostic:
    return error("ADR104", shown, 1, 1,
                 f"file is {size // 1024 // 1024} MB, over the {MAX_BYTES // 1024 // 1024} MB limit; "
                 "not parsed", "Split the record or move large content out of it.")


def _read_bounded(path: Path) -> bytes | int | str:
    """Read a regular file, at most MAX_BYTES + 1 bytes; a size when too large, a reason when odd.

    Opened non-blocking and checked with fstat, so a FIFO or device named ``x.md`` (or a
    symlink to /dev/zero) neither blocks nor streams forever, and a file growing between
    stat and read cannot push past the limit.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info_ = os.fstat(fd)
        if not stat.S_ISREG(info_.st_mode):
            return "not a regular file"
        if info_.st_size > MAX_BYTES:
            return int(info_.st_size)
        chunks: list[bytes] = []
        left = MAX_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        raw = b"".join(chunks)
        if len(raw) > MAX_BYTES:
            return max(len(raw), int(os.fstat(fd).st_size))
        return raw
    finally:
        os.close(fd)


def read_source(path: Path, shown: str | None = None) -> SourceFile:
    """Read one file; never raises for bad content, only reports it."""
    shown = shown or display_path(path)
    got = read_raw(path, shown)
    return got if isinstance(got, SourceFile) else source_from_bytes(path, shown, got)


def read_raw(path: Path, shown: str) -> bytes | SourceFile:
    """A file's bytes, or an unreadable SourceFile saying why (the parse cache keys on bytes)."""
    try:
        got = _read_bounded(path)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        return SourceFile(path, shown, "", (error("ADR101", shown, 1, 1, f"cannot read file: {reason}"),),
                          readable=False)
    if isinstance(got, int):
        return SourceFile(path, shown, "", (_too_large(shown, got),), readable=False)
    if isinstance(got, str):
        return SourceFile(path, shown, "", (error("ADR101", shown, 1, 1, f"cannot read file: {got}",
                                                  "Records must be regular files."),), readable=False)
    return got


def source_from_bytes(path: Path, shown: str, raw: bytes) -> SourceFile:
    """Decode bytes read by ``read_raw``."""
    text, diags, ok = decode_bytes(raw, shown)
    return SourceFile(path, shown, text, tuple(diags), readable=ok)


def is_skipped_name(name: str, extra_globs: tuple[str, ...] | list[str] = ()) -> bool:
    """Tell whether a file name is an obvious non-record (README, index, template)."""
    low = name.casefold()
    if low in SKIP_NAMES:
        return True
    return _skip_pattern(tuple(extra_globs)).match(low) is not None


@lru_cache(maxsize=32)
def _skip_pattern(extra_globs: tuple[str, ...]) -> re.Pattern[str]:
    """All skip globs as one compiled pattern (fnmatch per glob per file added up at 10,000)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in (*SKIP_GLOBS, *extra_globs)))


def discover(root: Path, extra_ignore: tuple[str, ...] | list[str] = ()) -> tuple[list[Path], list[Diagnostic]]:
    """Find record files under *root*, sorted; skipped files are reported as info notes.

    Walks like ``os.walk(root, followlinks=False)`` (top-down, folders and files in name
    order, unreadable folders left out) but with ``os.scandir`` entries kept: whether an
    entry is a folder or a symlink comes with the listing, so only symlinked records cost
    a ``resolve`` (at 10,000 files, one ``lstat`` each was most of the walk).
    """
    files, notes = discover_files(root, extra_ignore)
    return [Path(file) for file in files], notes


def discover_files(root: Path, extra_ignore: tuple[str, ...] | list[str] = ()) -> tuple[list[str], list[Diagnostic]]:
    """``discover``, giving each file as ``str(path)``: a patch build only compares the list
    with the last one, and making a ``Path`` of each file was most of the walk (DR-020)."""
    notes: list[Diagnostic] = []
    found: list[str] = []
    root_real = root.resolve()
    skip = _skip_pattern(tuple(extra_ignore))
    stack = [os.fspath(root)]
    while stack:
        dirpath = stack.pop()
        try:
            with os.scandir(dirpath) as listing:
                entries = list(listing)
        except OSError:
            continue
        folders: list[tuple[str, bool]] = []
        files: list[tuple[str, bool]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            try:
                link = entry.is_symlink()
            except OSError:
                link = False
            (folders if is_dir else files).append((entry.name, link))
        for name, link in sorted(files):
            low = name.casefold()
            if not low.endswith(".md"):
                continue
            # what str(Path(...)) of the joined path gives: only a root of "." differs
            path = name if dirpath == "." else os.path.join(dirpath, name)
            if low in SKIP_NAMES or skip.match(low) is not None:
                notes.append(info("ADR100", display_path(path), 1, 1, "skipped: not a decision record (README, index or template)"))
                continue
            if link:
                try:
                    target = Path(path).resolve(strict=True)
                except (OSError, RuntimeError):
                    notes.append(warning("ADR101", display_path(path), 1, 1, "broken or looping symlink; skipped"))
                    continue
                if not target.is_relative_to(root_real):
                    notes.append(warning("ADR101", display_path(path), 1, 1,
                                         "symlink points outside the records folder; skipped"))
                    continue
            found.append(path)
        # a symlinked folder is listed but never entered (os.walk's followlinks=False)
        stack.extend(name if dirpath == "." else os.path.join(dirpath, name)
                     for name, link in sorted(folders, reverse=True)
                     if not link and name not in SKIP_DIRS
                     and (not name.startswith(".") or name in VISIBLE_HIDDEN_DIRS))
    if os.sep == "/":
        found.sort()  # Path.as_posix() is str() here
    else:
        found.sort(key=lambda p: p.replace(os.sep, "/"))
    return found, notes
