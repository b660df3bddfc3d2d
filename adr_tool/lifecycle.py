"""Create records and move them through their lifecycle, safely.

Every operation here *plans* file changes (``edit.FileChange``) and never writes by itself
except ``new_record``/``mark_superseded``; the CLI shows the plan as a diff or applies it
all-or-nothing with ``edit.apply_changes``.

``adr new`` must stay fast in a folder of 10,000 records, so the next id comes from file
names alone (no parsing), allocated under a directory lock plus O_EXCL creation, and the
module imports no pydantic, YAML or Markdown parser: ``new_record`` takes any
``RecordConfig`` (the full ``Config`` or ``configfile.RecordSettings``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
import contextlib
from dataclasses import dataclass
import datetime as dt
import os
from pathlib import Path
import re
import stat
from typing import TYPE_CHECKING, Any

from adr_tool.errors import AdrError, NotFoundError
from adr_tool.parse.normalize import slugify
from adr_tool.templates_loader import find_record_template, shipped_templates_dir
from adr_tool.writes import create_exclusive

if TYPE_CHECKING:
    from adr_tool.config import Config
    from adr_tool.configfile import RecordConfig
    from adr_tool.edit import FileChange, RecordText
    from adr_tool.models import Record
    from adr_tool.repository import Repository


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
    """Highest record number among file names in *folder* (``DR-012-x.md`` -> 12).

    Names are joined into one string and read by one regular expression: at 10,000
    records that is several times faster than matching them one by one. Names that are
    not records are looked into when they are folders (not hidden ones).
    """
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return 0
    joined = "\n".join(names)
    if joined.count("\n") != max(len(names) - 1, 0):  # a name with a newline: one by one
        return max((_highest_in(folder, name, prefix) for name in names), default=0)
    best = 0
    for number, bare, other in _name_scanner(prefix).findall(f"\n{joined}\n"):
        if other:
            best = max(best, _highest_in(folder, other, prefix))
        elif number or bare:
            best = max(best, int(number or bare))
    return best


def _name_scanner(prefix: str) -> re.Pattern[str]:
    """One line per name: ``PREFIX<number>`` / bare ``0007-`` numbers, else the whole name."""
    return re.compile(rf"\n(?:(?i:{re.escape(prefix)})(\d+)(?=[-_. \n])|(\d{{1,5}})[-_]|([^\n]+))")


def _highest_in(folder: Path, name: str, prefix: str) -> int:
    """The number of one name, or the highest inside it when it is a (non-hidden) folder."""
    match = (re.match(rf"^{re.escape(prefix)}(\d+)(?:[-_. ]|$)", name, re.IGNORECASE)
             or re.match(r"^(\d{1,5})[-_]", name))  # adr-tools 0007-x.md; never 8-digit dates
    if match:
        return int(match[1])
    if name.startswith("."):
        return 0
    path = folder / name
    try:
        is_dir = stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return 0
    return highest_number(path, prefix) if is_dir else 0


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


def render_record(template: str, config: RecordConfig, context: dict[str, Any]) -> str:
    """Render a record template as Jinja2 would (autoescape off: this is Markdown, not HTML).

    A shipped template is rendered without importing Jinja2 when it keeps to the simple
    subset of ``record_template`` (they all do); the output is the same. A user's own
    template (``templates/record/NAME.md.j2`` in the project) always goes to Jinja2.
    """
    path = find_record_template(template, config.root)
    if path.parent.parent == shipped_templates_dir():
        from adr_tool.record_template import render_simple

        text = render_simple(path.read_text(encoding="utf-8"), context, record_filters())
        if text is not None:
            return text
    return render_with_jinja(path, context)


def record_filters() -> dict[str, Callable[[Any], str]]:
    """Filters record templates get on top of Jinja2's: ``yaml`` and ``yaml_scalar``."""
    from adr_tool.edit import yaml_scalar, yaml_value

    return {"yaml": yaml_value, "yaml_scalar": yaml_scalar}


def render_with_jinja(path: Path, context: dict[str, Any]) -> str:
    """Render the template file at *path* with Jinja2, undefined names refused."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(path.parent)),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(record_filters())
    return env.get_template(path.name).render(**context)


def new_record(
    title: str,
    config: RecordConfig,
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


# --------------------------------------------------------------------------- status lines

_SYMBOLS = ("So", "Sk", "Mn", "Cf")


def _case_like(sample: str, word: str) -> str:
    if sample.isupper() and len(sample) > 1:
        return word.upper()
    if sample[:1].isupper():
        return word.capitalize()
    return word.lower()


def restyle_status(raw: str, old: str | None, new: str) -> str:
    """Write *new* the way the author wrote the old status (case, emphasis), minus emoji.

    ``✅ **Accepted**`` -> ``**Deprecated**``; ``ACCEPTED`` -> ``DEPRECATED``; an alias such as
    ``Approved`` becomes ``Deprecated``. Trailing words (dates, "by ...") are dropped: they
    described the old status.
    """
    import unicodedata

    match = re.search(re.escape(old), raw, re.IGNORECASE) if old else None
    if match is None:
        words = re.search(r"[A-Za-z][A-Za-z -]*[A-Za-z]|[A-Za-z]", raw)
        if words is None:
            return new.capitalize()
        match = words
    prefix = "".join(ch for ch in raw[: match.start()]
                     if unicodedata.category(ch) not in _SYMBOLS).lstrip()
    suffix = re.match(r"[*_`~]*", raw[match.end():])
    return prefix + _case_like(match.group(), new) + (suffix.group() if suffix else "")


def _status_target(text: str, path: str, body_offset: int = 0) -> tuple[int, int, int, Any] | None:
    """Where a header-style status is written: (line, column, length, record), file lines."""
    from adr_tool.parse import parse_text

    record = parse_text(text, path).record
    if record is None or "status" not in record.positions or not record.status_raw:
        return None
    pos = record.positions["status"]
    lines = text.split("\n")
    raw = record.status_raw
    # the reported line can be a blank line early for "## Status" sections: look a little on
    for line_no in range(pos.line, min(pos.line + 3, len(lines)) + 1):
        line = lines[line_no - 1]
        start = line.find(raw, max(pos.column - 1, 0) if line_no == pos.line else 0)
        if start < 0 and line_no == pos.line:
            start = line.find(raw)
        if start >= 0:
            return line_no + body_offset, start + 1, len(raw), record
    return None


def set_status_text(text: str, path: str, new_status: str, extra: dict[str, Any] | None = None,
                    display_status: str | None = None) -> str:
    """Rewrite a record's status (and optional extra frontmatter keys) minimally.

    Frontmatter records get their keys set, and a status mirrored in the body (``## Status``
    of an adr-tools record that was migrated, the nygard template) is kept in step; header
    style records (bold field, Nygard ``## Status``, metadata table) get just the status
    text rewritten in place, keeping the author's case and emphasis.
    """
    from adr_tool.edit import replace_line_value, set_frontmatter_keys
    from adr_tool.parse import parse_text
    from adr_tool.parse.frontmatter import split

    record = parse_text(text, path).record
    changes: dict[str, Any] = {"status": new_status, **(extra or {})}
    if record is None or record.has_frontmatter or "status" not in record.positions:
        old = record.status if record else None
        result = set_frontmatter_keys(text, changes)
        after = split(result)
        if after is None or old is None:
            return result
        body_start = after[2]
        body = "\n".join(result.split("\n")[body_start - 1 :])
        target = _status_target(body, path, body_start - 1)
        if target is not None and target[3].status == old and not target[3].has_frontmatter:
            line, col, length, mirror = target
            shown = display_status or restyle_status(mirror.status_raw or "", old, new_status)
            result = replace_line_value(result, line, col, shown, length)
        return result
    target = _status_target(text, path)
    if target is None:
        return set_frontmatter_keys(text, changes)
    line, col, length, _record = target
    shown = display_status or restyle_status(record.status_raw or "", record.status, new_status)
    if display_status is None and extra and extra.get("superseded_by"):
        shown += " by " + ", ".join(str(t) for t in extra["superseded_by"])
    return replace_line_value(text, line, col, shown, length)


def mark_superseded(path: Path, by_id: str) -> None:
    """Mark the record at *path* superseded by *by_id* (atomic, minimal rewrite)."""
    from adr_tool.edit import read_record_text
    from adr_tool.parse import parse_text
    from adr_tool.writes import atomic_write

    source = read_record_text(path)
    record = parse_text(source.text, str(path)).record
    existing = list(record.superseded_by) if record else []
    by = [*existing, by_id] if by_id not in existing else existing
    display = None
    if record is not None and not record.has_frontmatter:
        # adr-tools style "Superseded by [DR-009](DR-009-x.md)": the parser reads link targets
        with contextlib.suppress(OSError, AdrError):
            target = find_record_file(path.parent, by_id)
            display = (restyle_status(record.status_raw or "", record.status, "superseded")
                       + f" by [{by_id}]({target.name})")
    new_text = set_status_text(source.text, str(path), "superseded", {"superseded_by": by}, display)
    atomic_write(path, source.encode(new_text))


# --------------------------------------------------------------------------- transitions

DEFAULT_TRANSITIONS: dict[str, list[str]] = {
    "proposed": ["accepted", "rejected"],
    "accepted": ["deprecated", "superseded"],
    "rejected": ["proposed"],
    "deprecated": [],
    "superseded": [],
}
"""Allowed status moves; anything else needs ``--force``. Override with
``[tool.adr.lifecycle] transitions = { proposed = ["accepted", "rejected"], ... }``."""

def load_transitions(config: Config) -> dict[str, list[str]]:
    """The state machine: configured transitions (validated) or the defaults."""
    from adr_tool.errors import ConfigError

    configured = config.lifecycle.get("transitions")
    if configured is None:
        return {k: list(v) for k, v in DEFAULT_TRANSITIONS.items() if k in config.statuses}
    if not isinstance(configured, dict):
        raise ConfigError("[tool.adr.lifecycle] transitions must be a table of status = [statuses]")
    out: dict[str, list[str]] = {}
    for source, targets in configured.items():
        items = [targets] if isinstance(targets, str) else targets
        if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
            raise ConfigError(f"[tool.adr.lifecycle] transitions.{source} must be a list of statuses")
        for name in (source, *items):
            if name.casefold() not in config.statuses:
                raise ConfigError(f"[tool.adr.lifecycle] transitions: unknown status {name!r}",
                                  "Known statuses: " + ", ".join(config.statuses))
        out[source.casefold()] = [t.casefold() for t in items]
    return out


def check_transition(current: str | None, target: str, config: Config, *, force: bool = False,
                     record_id: str = "the record") -> None:
    """Refuse a status move the state machine does not allow (unless forced)."""
    if target not in config.statuses:
        raise AdrError(f"unknown status {target!r}", "Known statuses: " + ", ".join(config.statuses))
    if force or current is None:
        return
    allowed = load_transitions(config).get(current, [])
    if target not in allowed:
        options = ", ".join(allowed) if allowed else "nothing (final status)"
        raise AdrError(f"{record_id} is {current}; {current} -> {target} is not an allowed transition",
                       f"From {current} it can go to: {options}. Use --force to override.")


# --------------------------------------------------------------------------- planning helpers


def find_record(repo: Repository, ref: str) -> Record:
    """The record named by *ref* (id, number or file name), or a one-line error."""
    record = repo.get(ref)
    if record is None:
        raise NotFoundError(f"no record {ref!r} in {repo.root}", "List ids with `adr list`.")
    return record


def _read(record: Record) -> tuple[Path, RecordText]:
    from adr_tool.edit import read_record_text

    path = Path(record.path)
    source = read_record_text(path)
    if source.mixed:
        raise AdrError(f"{record.path} mixes CRLF and LF line endings; not editing it",
                       "Normalise the line endings (e.g. `dos2unix`) and run the command again.")
    return path, source


def _reparse(text: str, record: Record, config: Config) -> Record:
    from adr_tool.parse import parse_text
    from adr_tool.repository import parse_options

    parsed = parse_text(text, record.path, parse_options(config)).record
    if parsed is None:  # pragma: no cover - parse_text always returns a record for text
        raise AdrError(f"{record.path}: the edited record could not be read back")
    return parsed


@dataclass(frozen=True, slots=True)
class StatusPlan:
    """What ``adr status`` will do to one record."""

    record: Record
    old: str | None
    new: str
    change: FileChange
    history: bool
    """Whether a dated history entry was added (frontmatter records only)."""


def plan_status(repo: Repository, ref: str, status: str, *, force: bool = False,
                note: str | None = None, superseded_by: Sequence[str] = (),
                display_status: str | None = None) -> StatusPlan:
    """Plan a status change: transition check, status + history in the frontmatter."""
    from adr_tool.edit import FileChange, append_history

    config = repo.config
    record = find_record(repo, ref)
    target = status.casefold()
    target = config.aliases().get(target, target)
    path, source = _read(record)
    if record.status == target and not superseded_by:
        unchanged = FileChange(path, source.original, source.original)
        return StatusPlan(record, record.status, target, unchanged, False)
    check_transition(record.status, target, config, force=force, record_id=record.id)
    extra: dict[str, Any] = {}
    if superseded_by:
        existing = list(record.superseded_by)
        extra["superseded_by"] = existing + [s for s in superseded_by if s not in existing]
    text = set_status_text(source.text, record.path, target, extra or None, display_status)
    history = record.has_frontmatter
    if history:
        entry = {"date": today().isoformat(), "status": target}
        if note:
            entry["note"] = note
        text = append_history(text, entry)
    after = _reparse(text, record, config)
    if after.status != target:
        raise AdrError(f"{record.path}: could not rewrite the status safely; file left untouched")
    return StatusPlan(record, record.status, target,
                      FileChange(path, source.original, source.encode(text)), history)


# --------------------------------------------------------------------------- supersede


def _link_to(src: Record, dst: Record) -> str:
    """A Markdown link from *src*'s file to *dst*'s file, adr-tools style text."""
    rel = Path(os.path.relpath(Path(dst.path), Path(src.path).parent)).as_posix()
    label = f"{int(dst.id)}. {dst.title}" if dst.id.isdigit() else f"{dst.id}: {dst.title}"
    return f"[{label.replace(']', ')')}]({rel})"


def _add_supersedes_line(text: str, record: Record, old: Record) -> str:
    """Record "supersedes" in a header-style record, next to its status line."""
    from adr_tool.edit import insert_lines_after

    target = _status_target(text, record.path)
    if target is None:
        raise AdrError(f"{record.path} has no status line to put 'Supersedes' next to",
                       "Convert it with `adr migrate --write` first.")
    line_no = target[0]
    line = text.split("\n")[line_no - 1]
    link = _link_to(record, old)
    fmt = record.format.value
    bold = re.match(r"^(\s*(?:[-*+]\s+)?)\*\*", line)
    bullet = re.match(r"^(\s*[-*+]\s+)", line)
    if line.lstrip().startswith("|"):
        new = [f"| Supersedes | {old.id} |"]
    elif bold:
        new = [f"{bold[1]}**Supersedes:** {link}"]
    elif bullet:
        new = [f"{bullet[1]}Supersedes: {link}"]
    elif fmt in ("nygard", "plain"):
        new = ["", f"Supersedes {link}"]
    else:
        raise AdrError(f"cannot record 'supersedes' in {record.path} ({fmt})",
                       "Convert it with `adr migrate --write` first.")
    return insert_lines_after(text, line_no, new)


def plan_supersede(repo: Repository, old_ref: str, new_ref: str, *, force: bool = False,
                   note: str | None = None) -> list[FileChange]:
    """Plan both sides of a supersession: old -> superseded (+ superseded_by), new -> supersedes."""
    from adr_tool.edit import FileChange, edit_frontmatter_list

    old = find_record(repo, old_ref)
    new = find_record(repo, new_ref)
    if old.path == new.path:
        raise AdrError(f"{old.id} cannot supersede itself")
    if old.status == "superseded" and new.id in old.superseded_by and old.id in new.supersedes:
        return []
    if old.status != "superseded":
        check_transition(old.status, "superseded", repo.config, force=force, record_id=old.id)
    display = None
    if not old.has_frontmatter:
        display = restyle_status(old.status_raw or "", old.status, "superseded") + " by " + _link_to(old, new)
    old_plan = plan_status(repo, old.id, "superseded", force=True, note=note or f"superseded by {new.id}",
                           superseded_by=[new.id], display_status=display) \
        if old.status != "superseded" or new.id not in old.superseded_by else None
    changes: list[FileChange] = [old_plan.change] if old_plan else []
    if old.id not in new.supersedes:
        path, source = _read(new)
        if new.has_frontmatter:
            text = edit_frontmatter_list(source.text, "supersedes", add=[old.id])
        else:
            text = _add_supersedes_line(source.text, new, old)
        after = _reparse(text, new, repo.config)
        if old.id not in after.supersedes:
            raise AdrError(f"{new.path}: could not record 'supersedes {old.id}' safely")
        changes.append(FileChange(path, source.original, source.encode(text)))
    return changes


# --------------------------------------------------------------------------- links

LINK_KINDS = ("requires", "provides", "related", "supersedes", "affects")
"""Frontmatter lists ``adr link`` edits; ids are checked for requires/related/supersedes."""


def plan_link(repo: Repository, ref: str, kind: str, targets: Sequence[str], *,
              remove: bool = False) -> FileChange:
    """Add (or remove) items of one frontmatter list of a record; unknown ids are refused."""
    from adr_tool.edit import FileChange, edit_frontmatter_list

    if kind not in LINK_KINDS:
        raise AdrError(f"unknown link kind {kind!r}", "Use one of: " + ", ".join(LINK_KINDS))
    record = find_record(repo, ref)
    if not record.has_frontmatter:
        raise AdrError(f"{record.id} has no frontmatter to hold '{kind}'",
                       "Convert it with `adr migrate --write` first.")
    items: list[str] = []
    for target in targets:
        target = target.strip()
        if not target:
            continue
        if kind in ("requires", "related", "supersedes") and not remove:
            found = repo.get(target)
            if found is None and not (kind == "requires" and _is_capability(repo, target)):
                raise NotFoundError(f"no record {target!r}: refusing to link {record.id} {kind} it",
                                    "Check the id with `adr list`.")
            if found is not None:
                if found.path == record.path:
                    raise AdrError(f"{record.id} cannot {kind.rstrip('s')} itself")
                target = found.id
        items.append(target)
    path, source = _read(record)
    if remove:
        text = edit_frontmatter_list(source.text, kind, remove=items)
    else:
        text = edit_frontmatter_list(source.text, kind, add=items)
    return FileChange(path, source.original, source.encode(text))


def _is_capability(repo: Repository, name: str) -> bool:
    low = name.casefold()
    return any(low in (p.casefold() for p in r.provides) for r in repo.records)


# --------------------------------------------------------------------------- renumber


def walk_markdown(root: Path) -> list[Path]:
    """Every Markdown file under *root* (READMEs and indexes included), sorted."""
    from adr_tool.sources import SKIP_DIRS

    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        found.extend(Path(dirpath) / n for n in filenames if n.casefold().endswith((".md", ".markdown")))
    return sorted(found, key=lambda p: p.as_posix())


def reference_pattern(old_id: str, prefixes: Sequence[str] = ("ADR", "DR")) -> re.Pattern[str]:
    """Mentions of *old_id*: the id itself, and ``ADR 7`` / ``ADR-007`` / ``DR-7`` forms.

    Word-boundary safe: ``DR-0070``, ``DR-17`` and ``XDR-007`` never match ``DR-007``.
    """
    from adr_tool.parse.normalize import number_of

    number = number_of(old_id)
    names = sorted({p.strip("-_ ") for p in prefixes if p.strip("-_ ")}, key=len, reverse=True)
    parts = []
    if number is not None and names:
        parts.append(rf"(?P<pre>{'|'.join(re.escape(n) for n in names)})(?P<sep>[- ]?)(?P<num>0*{number})")
    parts.append(rf"(?P<tok>{re.escape(old_id)})")
    return re.compile(rf"(?<![0-9A-Za-z])(?:{'|'.join(parts)})(?![0-9A-Za-z])", re.IGNORECASE)


def rewrite_references(text: str, old_id: str, new_id: str, prefixes: Sequence[str] = ("ADR", "DR")) -> str:
    """Replace every mention of *old_id* with *new_id* (number style kept for ``ADR 7``)."""
    from adr_tool.parse.normalize import number_of

    pattern = reference_pattern(old_id, prefixes)
    new_number = number_of(new_id)

    def swap(match: re.Match[str]) -> str:
        if match["tok"] is not None:
            return new_id
        num = match["num"]
        if new_number is None:
            return new_id
        if match["pre"].casefold() + match["sep"] + num == old_id.casefold():
            return new_id if match["pre"] == match["pre"].upper() else new_id.lower()
        width = len(num) if num.startswith("0") and len(num) > 1 else 1
        return f"{match['pre']}{match['sep']}{new_number:0{width}d}"

    return pattern.sub(swap, text)


def plan_renumber(repo: Repository, old_ref: str, new_id: str) -> list[FileChange]:
    """Rename a record's file and rewrite every reference to it in the records folder."""
    from adr_tool.edit import FileChange, read_record_text
    from adr_tool.parse.normalize import number_of

    config = repo.config
    record = find_record(repo, old_ref)
    if new_id.isdigit():
        # a bare number keeps the old id's shape: 0007 -> 0012, ADR-7 -> ADR-12, DR-007 -> DR-012
        shape = re.match(r"^(.*?)(\d+)$", record.id)
        if shape is None:
            new_id = format_id(config.prefix, int(new_id), config.width)
        else:
            width = len(shape[2]) if shape[2].startswith("0") else 1
            new_id = f"{shape[1]}{int(new_id):0{width}d}"
    if number_of(new_id) is None:
        raise AdrError(f"{new_id!r} is not a record id", "Example: adr renumber DR-007 DR-012")
    if new_id.casefold() == record.id.casefold():
        raise AdrError(f"{record.id} already has that id")
    taken = repo.get(new_id)
    if taken is not None:
        raise AdrError(f"{new_id} already exists ({taken.path}); choose a free id")
    folder = Path(repo.root)
    low = new_id.casefold()
    for path in walk_markdown(folder):
        name = path.name.casefold()
        if name.startswith((low + "-", low + ".", low + "_")):
            raise AdrError(f"{new_id} is already used by the file {path}")
    prefixes = tuple({"ADR", "DR", config.prefix, re.sub(r"[-_ ]?\d+$", "", record.id)})
    own = Path(record.path).resolve()
    number = number_of(record.id)
    changes: list[FileChange] = []
    for path in walk_markdown(folder):
        source = read_record_text(path)
        text = rewrite_references(source.text, record.id, new_id, prefixes)
        new_path = None
        if path.resolve() == own:
            if number is not None and number_of(new_id) is not None:
                # adr-tools headings carry the bare number: "# 7. Title"
                text = re.sub(rf"^(#\s+)0*{number}(\.\s)", rf"\g<1>{number_of(new_id)}\g<2>", text,
                              count=1, flags=re.MULTILINE)
            name = rewrite_references(path.name, record.id, new_id, prefixes)
            if name == path.name:
                name = f"{new_id}-{path.name}"
            new_path = path.with_name(name)
        change = FileChange(path, source.original, source.encode(text), new_path)
        if change.changed:
            changes.append(change)
    return changes


# --------------------------------------------------------------------------- index

INDEX_START = "<!-- adr:index:start (generated by `adr index --write`; do not edit) -->"
INDEX_END = "<!-- adr:index:end -->"
_START_RE = re.compile(r"^<!-- adr:index:start\b.*-->[ \t]*$", re.MULTILINE)
_END_RE = re.compile(r"^<!-- adr:index:end\b.*-->[ \t]*$", re.MULTILINE)


def record_sort_key(record: Record) -> tuple[int, int, str]:
    """Order records by number, then id (ids without a number last)."""
    from adr_tool.parse.normalize import number_of

    number = number_of(record.id)
    return (0 if number is not None else 1, number or 0, record.id.casefold())


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_index(records: Sequence[Record], base: Path) -> str:
    """A Markdown table of *records* (id linked to its file relative to *base*), sorted by id."""
    from urllib.parse import quote

    rows = ["| ID | Title | Status | Date |", "| --- | --- | --- | --- |"]
    for record in sorted(records, key=record_sort_key):
        rel = Path(os.path.relpath(Path(record.path).resolve(), base.resolve())).as_posix()
        status = record.status or (record.status_raw or "")
        date = record.date.isoformat() if record.date else ""
        rows.append(f"| [{_cell(record.id)}]({quote(rel)}) | {_cell(record.title)} | "
                    f"{_cell(status)} | {date} |")
    return "\n".join(rows) + "\n"


def merge_index(existing: str | None, table: str, title: str = "Architecture decisions") -> str:
    """Put *table* between the index markers, keeping every hand-written line around them."""
    block = f"{INDEX_START}\n{table}{INDEX_END}"
    if existing is None or not existing.strip():
        return f"# {title}\n\n{block}\n"
    start = _START_RE.search(existing)
    end = _END_RE.search(existing, start.end()) if start else None
    if start and end:
        return existing[: start.start()] + block + existing[end.end():]
    sep = "" if existing.endswith("\n\n") else ("\n" if existing.endswith("\n") else "\n\n")
    return existing + sep + block + "\n"


# --------------------------------------------------------------------------- review


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """An accepted decision that is due for review, and why."""

    record: Record
    due: dt.date
    reason: str
    days_overdue: int

    def to_json(self) -> dict[str, Any]:
        """Stable JSON shape of one review item (schema 1)."""
        r = self.record
        return {
            "id": r.id,
            "title": r.title,
            "status": r.status,
            "owner": r.owner,
            "deciders": list(r.deciders),
            "date": r.date.isoformat() if r.date else None,
            "review_date": r.review_date.isoformat() if r.review_date else None,
            "due": self.due.isoformat(),
            "days_overdue": self.days_overdue,
            "reason": self.reason,
            "path": r.path,
        }


def review_after_days(config: Config) -> int:
    """Age after which an accepted decision is due for review (lifecycle table wins)."""
    value = config.lifecycle.get("review_after_days", config.review_after_days)
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        from adr_tool.errors import ConfigError

        raise ConfigError(f"review_after_days must be a number of days, not {value!r}") from None


def find_reviews(records: Sequence[Record], on: dt.date, after_days: int) -> list[ReviewItem]:
    """Accepted records whose review date has come, or that are older than *after_days*."""
    out: list[ReviewItem] = []
    for record in records:
        if record.status != "accepted":
            continue
        if record.review_date is not None:
            due, reason = record.review_date, "review date reached"
        elif record.date is not None:
            due, reason = record.date + dt.timedelta(days=after_days), f"older than {after_days} days"
        else:
            continue
        if due <= on:
            out.append(ReviewItem(record, due, reason, (on - due).days))
    return sorted(out, key=lambda i: (i.due, record_sort_key(i.record)))
