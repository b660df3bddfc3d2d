"""Create records and move them through their lifecycle, safely.

``adr new`` must stay fast in a folder of 10,000 records, so the next id comes from file
names alone (no parsing), allocated under a directory lock plus O_EXCL creation.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
import contextlib
from dataclasses import dataclass
import datetime as dt
import os
from pathlib import Path
import re
from typing import Any

from adr_tool.config import Config
from adr_tool.errors import AdrError, NotFoundError
from adr_tool.parse.normalize import slugify
from adr_tool.templates_loader import find_record_template
from adr_tool.writes import create_exclusive


@dataclass(frozen=True, slots=True)
class NewRecord:
    """What ``adr new`` created."""

    id: str
    path: Path
    title: str


def today() -> dt.date:
    """Today's date, or the date of SOURCE_DATE_EPOCH when set (reproducible output)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def highest_number(folder: Path, prefix: str) -> int:
    """Highest record number among file names in *folder* (``DR-012-x.md`` -> 12)."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)(?:[-_. ]|$)", re.IGNORECASE)
    bare = re.compile(r"^(\d+)[-_]")
    best = 0
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            match = pattern.match(entry.name) or (bare.match(entry.name) if not prefix else None)
            if match:
                best = max(best, int(match[1]))
            elif entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                best = max(best, highest_number(Path(entry.path), prefix))
    return best


def format_id(prefix: str, number: int, width: int) -> str:
    """``DR-`` + zero-padded number."""
    return f"{prefix}{number:0{width}d}"


_SAFE_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$|^$")


def check_prefix(prefix: str) -> str:
    """Refuse an id prefix that could leave the records folder (it comes from a config file)."""
    if not _SAFE_PREFIX.match(prefix) or ".." in prefix:
        raise AdrError(f"invalid id prefix {prefix!r} in the configuration",
                       "Use letters, digits, '-', '_' or '.', e.g. prefix = \"DR-\".")
    return prefix


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive flock on the folder itself (no lock file left behind)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: O_EXCL retry alone
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def render_record(template: str, config: Config, context: dict[str, Any]) -> str:
    """Render a record template with Jinja2 (autoescape off: this is Markdown, not HTML)."""
    import jinja2

    from adr_tool.edit import yaml_scalar, yaml_value

    path = find_record_template(template, config.root)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(path.parent)),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["yaml"] = yaml_value
    env.filters["yaml_scalar"] = yaml_scalar
    return env.get_template(path.name).render(**context)


def new_record(
    title: str,
    config: Config,
    folder: Path | None = None,
    *,
    template: str | None = None,
    status: str = "proposed",
    tags: Sequence[str] = (),
    requires: Sequence[str] = (),
    supersedes: Sequence[str] = (),
    owner: str | None = None,
) -> NewRecord:
    """Write a new record from a template with the next free id; never overwrites."""
    title = " ".join(title.split())
    if not title:
        raise AdrError("a record needs a title", 'Example: adr new "Use Redis for the job queue"')
    if "\x00" in title:
        raise AdrError("the title contains a NUL character")
    check_prefix(config.prefix)
    folder = folder or config.records_dir()
    folder.mkdir(parents=True, exist_ok=True)
    slug = slugify(title)
    status = status.casefold()
    if status not in config.statuses:
        raise AdrError(f"unknown status {status!r}", "Known statuses: " + ", ".join(config.statuses))
    base_context: dict[str, Any] = {
        "title": title,
        "status": status,
        "date": today().isoformat(),
        "owner": owner or "",
        "tags": list(tags),
        "requires": list(requires),
        "supersedes": list(supersedes),
        "prefix": config.prefix,
    }
    with folder_lock(folder):
        number = highest_number(folder, config.prefix) + 1
        for _attempt in range(1000):
            record_id = format_id(config.prefix, number, config.width)
            text = render_record(template or config.template, config, {**base_context, "id": record_id})
            path = folder / f"{record_id}-{slug}.md"
            if path.parent.resolve() != folder.resolve():  # belt and braces: never outside
                raise AdrError(f"refusing to write {path}: outside {folder}")
            if create_exclusive(path, text):
                return NewRecord(id=record_id, path=path, title=title)
            number += 1
    raise AdrError("could not allocate a free record id after 1000 attempts")


def find_record_file(folder: Path, record_id: str) -> Path:
    """Locate the file of *record_id* by name (fast path) before falling back to parsing."""
    low = record_id.casefold()
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        name = entry.name.casefold()
        if name.endswith(".md") and (name == f"{low}.md" or name.startswith(f"{low}-")):
            return Path(entry.path)
    raise NotFoundError(f"no record {record_id} in {folder}")


def set_status_text(text: str, path: str, new_status: str, extra: dict[str, Any] | None = None,
                    display_status: str | None = None) -> str:
    """Rewrite a record's status (and optional extra frontmatter keys) minimally.

    Frontmatter records get their keys set; header-style records (bold field, Nygard
    ``## Status``) get their status line rewritten in place, body untouched otherwise.
    """
    from adr_tool.edit import replace_line_value, set_frontmatter_keys
    from adr_tool.parse import parse_text

    result = parse_text(text, path)
    record = result.record
    changes: dict[str, Any] = {"status": new_status, **(extra or {})}
    if record is None or record.has_frontmatter or "status" not in record.positions:
        return set_frontmatter_keys(text, changes)
    pos = record.positions["status"]
    shown = display_status or new_status.capitalize()
    lines = text.split("\n")
    line = lines[pos.line - 1] if pos.line - 1 < len(lines) else ""
    raw = record.status_raw or ""
    col = line.find(raw) + 1 if raw and raw in line else pos.column
    if extra and extra.get("superseded_by"):
        shown += " by " + ", ".join(str(t) for t in extra["superseded_by"])
    return replace_line_value(text, pos.line, col, shown)


def mark_superseded(path: Path, by_id: str) -> None:
    """Mark the record at *path* superseded by *by_id* (atomic, minimal rewrite)."""
    from adr_tool.parse import parse_text
    from adr_tool.sources import read_source
    from adr_tool.writes import atomic_write

    source = read_source(path)
    if not source.readable:
        raise AdrError(f"cannot read {path}")
    raw = path.read_bytes()  # bytes: read_text would turn CRLF into LF before we look
    crlf = b"\r\n" in raw
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    text = source.text
    record = parse_text(text, str(path)).record
    existing = list(record.superseded_by) if record else []
    by = [*existing, by_id] if by_id not in existing else existing
    new_text = set_status_text(text, str(path), "superseded", {"superseded_by": by})
    if crlf:
        new_text = new_text.replace("\n", "\r\n")
    atomic_write(path, bom + new_text)
