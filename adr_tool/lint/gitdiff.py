"""What a branch changed since a base ref, read with git (``adr lint --diff-base REF``).

Three questions are answered with a handful of git calls, whatever the folder's size:
which record files were added or changed since the merge-base (tracked and untracked),
which ids the base ref's tip already uses (ADR601), and how changed records looked at the
merge-base (ADR602). Blob contents are fetched in one ``git cat-file --batch`` call.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
import os
from pathlib import Path
import subprocess
from typing import TYPE_CHECKING

from adr_tool.errors import AdrError

if TYPE_CHECKING:
    from adr_tool.models import Record
    from adr_tool.repository import Repository


@dataclass(slots=True)
class DiffInfo:
    """Files a branch added or changed since its merge-base with *ref*, plus base facts."""

    ref: str
    merge_base: str
    toplevel: Path
    changed: set[str] = field(default_factory=set)
    """Absolute paths of files added or modified (including untracked files)."""
    added: set[str] = field(default_factory=set)
    """Absolute paths of files that did not exist at the merge-base."""
    base_ids: dict[str, list[str]] = field(default_factory=dict)
    """Case-folded id -> absolute paths of the records using it at the tip of *ref*."""
    base_records: dict[str, Record] = field(default_factory=dict)
    """Absolute path -> the record as it was at the merge-base (modified records only)."""
    changed_files: list[str] = field(default_factory=list)
    """Every changed file, relative to the git top level (for pr-comment's "governed by")."""

    def is_changed(self, path: str) -> bool:
        """Tell whether the file at display path *path* changed on the branch."""
        return os.path.realpath(path) in self.changed

    def is_added(self, path: str) -> bool:
        """Tell whether the file at display path *path* is new on the branch."""
        return os.path.realpath(path) in self.added


def _git(args: list[str], cwd: Path, *, data: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True,
                              check=False, timeout=120)
    except FileNotFoundError:
        raise AdrError("--diff-base needs git, which was not found on PATH") from None
    except subprocess.TimeoutExpired:
        raise AdrError(f"git {args[0]} took too long") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().split("\n")[0]
        raise AdrError(f"git {args[0]} failed: {message}")
    return done.stdout


def _split_z(raw: bytes) -> list[str]:
    return [p for p in raw.decode("utf-8", "surrogateescape").split("\0") if p]


def _cat_blobs(specs: list[str], cwd: Path) -> list[str | None]:
    """Read many blobs (``rev:path`` or shas) with one ``git cat-file --batch``, in order."""
    if not specs:
        return []
    out = _git(["cat-file", "--batch"], cwd, data=("\n".join(specs) + "\n").encode())
    result: list[str | None] = []
    pos = 0
    for _spec in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].decode("utf-8", "replace").split(" ")
        pos = end + 1
        if len(header) < 3 or header[-1] == "missing" or not header[2].isdigit():
            result.append(None)
            continue
        size = int(header[2])
        result.append(out[pos : pos + size].decode("utf-8", "replace"))
        pos += size + 1
    return result


def load_diff(repo: Repository, ref: str) -> DiffInfo:
    """Ask git what changed since the merge-base of *ref* and HEAD, for the records folder."""
    from adr_tool.parse import parse_text
    from adr_tool.repository import parse_options

    root = repo.root if repo.root.is_dir() else repo.root.parent
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], root).decode().strip())
    except AdrError:
        raise AdrError(f"--diff-base: {root} is not inside a git repository") from None
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    except AdrError:
        raise AdrError(f"--diff-base: unknown git ref {ref!r}",
                       "Fetch it first (e.g. git fetch origin main) or name a branch.") from None
    base = _git(["merge-base", ref, "HEAD"], top).decode().strip()
    info = DiffInfo(ref=ref, merge_base=base, toplevel=top)

    entries = _split_z(_git(["diff", "--name-status", "-z", "-M", base], top))
    deleted: set[str] = set()
    modified_from: dict[str, str] = {}  # new path -> path at merge-base
    index = 0
    while index < len(entries):
        status = entries[index]
        if status[0] in "RC":
            old, new = entries[index + 1], entries[index + 2]
            index += 3
            info.changed_files.append(new)
            info.changed.add(str(top / new))
            if status[0] == "R":
                deleted.add(str(top / old))
            modified_from[str(top / new)] = old
            continue
        path = entries[index + 1]
        index += 2
        absolute = str(top / path)
        if status[0] == "D":
            deleted.add(absolute)
            info.changed_files.append(path)
            continue
        info.changed_files.append(path)
        info.changed.add(absolute)
        if status[0] == "A":
            info.added.add(absolute)
        else:
            modified_from[absolute] = path
    for path in _split_z(_git(["ls-files", "--others", "--exclude-standard", "-z"], top)):
        info.changed_files.append(path)
        info.changed.add(str(top / path))
        info.added.add(str(top / path))
    info.changed_files.sort()

    try:
        folder = os.path.relpath(root.resolve(), top.resolve())
    except ValueError:
        folder = "."
    options = parse_options(repo.config)
    current = {os.path.realpath(r.path): r for r in repo.records}

    # ids used at the tip of REF (ADR601): reuse what is on disk when the blob is identical
    listing = _split_z(_git(["ls-tree", "-r", "-z", ref, "--", folder], top))
    head_listing = _split_z(_git(["ls-tree", "-r", "-z", "HEAD", "--", folder], top))
    head_blobs = {line.split("\t", 1)[1]: line.split()[2] for line in head_listing if "\t" in line}
    wanted: list[tuple[str, str]] = []  # (blob sha, path)
    ids: dict[str, list[str]] = defaultdict(list)
    for line in listing:
        meta, _, path = line.partition("\t")
        parts = meta.split()
        if len(parts) < 3 or parts[1] != "blob" or not path.casefold().endswith(".md"):
            continue
        absolute = str(top / path)
        if absolute in deleted and absolute not in info.changed:
            continue  # the branch deleted or renamed it: its id is free again here
        mine = current.get(absolute)
        if mine is not None and head_blobs.get(path) == parts[2] and absolute not in info.changed:
            ids[mine.id.casefold()].append(absolute)
        else:
            wanted.append((parts[2], path))
    texts = _cat_blobs([sha for sha, _ in wanted], top)
    for (_sha, path), text in zip(wanted, texts, strict=True):
        parsed = parse_text(text, path, options).record if text is not None else None
        if parsed is not None:
            ids[parsed.id.casefold()].append(str(top / path))
    info.base_ids = dict(ids)

    # merge-base versions of modified records (ADR602)
    pairs = [(new, old) for new, old in modified_from.items() if new in current]
    texts = _cat_blobs([f"{base}:{old}" for _, old in pairs], top)
    for (new, old), text in zip(pairs, texts, strict=True):
        parsed = parse_text(text, old, options).record if text is not None else None
        if parsed is not None:
            info.base_records[new] = parsed
    return info
