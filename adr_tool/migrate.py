"""Convert records from adr-tools, MADR, log4brains, bold-field and GSD to DR frontmatter.

The metadata the parser read (id, title, status, date, deciders/owner, tags, supersedes,
superseded_by, related, review date) is written as YAML frontmatter and the
original file text is kept byte-for-byte below it (DR-015): the parser prefers frontmatter,
so nothing is read twice, and no word the author wrote is lost. Records that already have
frontmatter (MADR 3/4, GSD) only get the missing keys added. Every conversion is checked
by parsing the result: if any field would read differently, that file is skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
import re
from typing import TYPE_CHECKING, Any

from adr_tool.errors import AdrError

if TYPE_CHECKING:
    from adr_tool.edit import FileChange, RecordText
    from adr_tool.models import Record
    from adr_tool.repository import Repository

SOURCES: dict[str, tuple[str, ...]] = {
    "auto": ("nygard", "madr", "log4brains", "bold-field", "gsd", "metadata-table"),
    "adr-tools": ("nygard",),
    "madr": ("madr",),
    "log4brains": ("log4brains",),
    "bold-field": ("bold-field",),
    "gsd": ("gsd",),
    "metadata-table": ("metadata-table",),
}
"""``--from`` values and the detected record formats each one converts."""

FRONTMATTER_ERRORS = {"ADR110", "ADR112", "ADR113", "ADR114", "ADR115"}

KEY_ORDER = ("id", "title", "status", "date", "deciders", "owner", "tags",
             "supersedes", "superseded_by", "related", "review_date")
"""Keys written, in this order; CHECKED are compared before/after conversion."""

CHECKED = ("id", "title", "status", "date", "owner", "deciders", "tags",
           "supersedes", "superseded_by", "related", "review_date")


@dataclass(frozen=True, slots=True)
class MigrationItem:
    """One record: its planned change, or why it is left alone."""

    record: Record
    change: FileChange | None = None
    skipped: str | None = None
    new_id: str | None = None


@dataclass(slots=True)
class MigrationPlan:
    """Every record considered, plus link rewrites in other files when renumbering."""

    items: list[MigrationItem] = field(default_factory=list)
    extra: list[FileChange] = field(default_factory=list)
    """Files that are not converted but whose links to renamed files are rewritten."""

    @property
    def changes(self) -> list[FileChange]:
        """Every file change, converted records first."""
        return [i.change for i in self.items if i.change is not None] + self.extra

    @property
    def converted(self) -> list[MigrationItem]:
        """Items that will be (or were) converted."""
        return [i for i in self.items if i.change is not None]

    @property
    def skipped(self) -> list[MigrationItem]:
        """Items left alone, with their reason."""
        return [i for i in self.items if i.skipped is not None]


def fields_of(record: Record) -> dict[str, Any]:
    """The DR frontmatter values for *record*, in KEY_ORDER, empty values left out."""
    out: dict[str, Any] = {"id": record.id, "title": record.title}
    if record.status_raw:
        out["status"] = record.status or record.status_raw
    if record.date is not None:
        out["date"] = record.date.isoformat()
    elif record.date_raw:
        out["date"] = record.date_raw
    if record.deciders:
        out["deciders"] = list(record.deciders)
    if record.owner and record.owner != ", ".join(record.deciders):
        out["owner"] = record.owner
    for name in ("tags", "supersedes", "superseded_by", "related"):
        values = list(getattr(record, name))
        if values:
            out[name] = values
    # "requires" is not copied: the parser also reads it from the kept body lines
    # (``**Depends on:**``) and would then list every dependency twice.
    if record.review_date is not None:
        out["review_date"] = record.review_date.isoformat()
    return {k: out[k] for k in KEY_ORDER if k in out}


def _present_fields(text: str) -> set[str]:
    """Record fields already given by frontmatter keys (``decision-makers`` -> deciders)."""
    from adr_tool.edit import load_frontmatter_values
    from adr_tool.parse import LABELS

    values = load_frontmatter_values(text) or {}
    present: set[str] = set()
    for key in values:
        low = str(key).casefold()
        name = LABELS.get(low.replace("_", " ").strip()) or LABELS.get(low)
        present.add(name or low)
    if "completed" in values or "created" in values:
        present.add("date")
    return present


def render_frontmatter(values: dict[str, Any]) -> str:
    """A DR frontmatter block for *values* (one ``key: value`` line each)."""
    from adr_tool.edit import yaml_value

    return "---\n" + "".join(f"{k}: {yaml_value(v)}\n" for k, v in values.items()) + "---\n"


def convert_text(text: str, record: Record, values: dict[str, Any] | None = None) -> str:
    """The converted file text: new frontmatter + the original text, or added keys."""
    return _convert(text, record, values)[0]


def _convert(text: str, record: Record, values: dict[str, Any] | None) -> tuple[str, set[str]]:
    from adr_tool.edit import set_frontmatter_keys

    values = values if values is not None else fields_of(record)
    if not record.has_frontmatter:
        return render_frontmatter(values) + text, set(values)
    present = _present_fields(text)
    missing = {k: v for k, v in values.items() if k not in present}
    if "owner" in present:
        missing.pop("deciders", None)
    if "deciders" in present:
        missing.pop("owner", None)
    if not missing:
        return text, set()
    return set_frontmatter_keys(text, missing), set(missing)


def _snapshot(record: Record, id_map: dict[str, str] | None = None,
              written: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    data = record.model_dump(include=set(CHECKED))
    if record.status is None:
        data["status_raw"] = record.status_raw
    data["requires"] = [r.target for r in record.requires]
    if id_map:
        data["id"] = id_map.get(record.id, record.id) if "id" in written else record.id
        for name in ("supersedes", "superseded_by", "related", "requires"):
            if name in written:
                data[name] = [id_map.get(v, v) for v in data[name]]
    return data


def body_of(text: str) -> str:
    """The text below the frontmatter (the whole text when there is none)."""
    from adr_tool.parse.frontmatter import split

    parts = split(text)
    if parts is None:
        return text
    return "\n".join(text.split("\n")[parts[2] - 1 :])


def plan_migration(repo: Repository, source: str = "auto", *, renumber: bool = False) -> MigrationPlan:
    """Plan the conversion of every record in *repo* written in a *source* format."""
    from adr_tool.edit import FileChange, read_record_text
    from adr_tool.lint.context import looks_like_decision
    from adr_tool.parse import parse_text
    from adr_tool.repository import parse_options

    if source not in SOURCES:
        raise AdrError(f"unknown source format {source!r}", "Use one of: " + ", ".join(SOURCES))
    wanted = SOURCES[source]
    broken = {d.path for d in repo.diagnostics if d.code in FRONTMATTER_ERRORS}
    options = parse_options(repo.config)
    candidates: list[tuple[Record, RecordText]] = []
    plan = MigrationPlan()
    for record in repo.records:
        fmt = record.format.value
        reason = None
        if fmt == "frontmatter":
            reason = "already has DR frontmatter"
        elif fmt == "plain" or not looks_like_decision(record):
            reason = "not recognised as a decision record (no status, date or known layout)"
        elif fmt not in wanted:
            reason = f"detected as {fmt}, not {source}"
        elif record.path in broken:
            reason = "its frontmatter has errors; fix them first (adr list shows them)"
        if reason is None:
            try:
                text = read_record_text(Path(record.path))
            except AdrError as exc:
                reason = exc.message
            else:
                if text.mixed:
                    reason = "mixes CRLF and LF line endings; normalise them first"
                else:
                    candidates.append((record, text))
                    continue
        plan.items.append(MigrationItem(record, skipped=reason))
    if renumber:
        counts = Counter(r.id for r, _ in candidates)
        for record, _text in candidates:
            if counts[record.id] > 1:
                plan.items.append(MigrationItem(record, skipped=(
                    "shares its id with another record; renumbering would be ambiguous "
                    "(give one a new id with `adr renumber` first)")))
        candidates = [(r, t) for r, t in candidates if counts[r.id] == 1]
    id_map, renames = _numbering(candidates, repo) if renumber else ({}, {})
    for record, text in candidates:
        values = fields_of(record)
        if record.id in id_map:
            values["id"] = id_map[record.id]
            for name in ("supersedes", "superseded_by", "related", "requires"):
                if name in values:
                    values[name] = [id_map.get(v, v) for v in values[name]]
        new_text, written = _convert(text.text, record, values)
        path = Path(record.path)
        new_path = renames.get(path)
        if renames:
            new_text = _rewrite_links(new_text, {p.name: n.name for p, n in renames.items()})
        after = parse_text(new_text, record.path if new_path is None else new_path.as_posix(), options).record
        expected = _snapshot(record, id_map, written)
        got = _snapshot(after) if after is not None else {}
        differs = [k for k in expected if expected[k] != got.get(k)]
        if new_text == text.text and new_path is None:
            plan.items.append(MigrationItem(record, skipped="nothing to convert"))
        elif differs:
            plan.items.append(MigrationItem(
                record, skipped="conversion would change " + ", ".join(differs) + "; left alone"))
        else:
            change = FileChange(path, text.original, text.encode(new_text), new_path)
            plan.items.append(MigrationItem(record, change=change,
                                            new_id=id_map.get(record.id, record.id)))
    if renames:
        converted = {i.record.path for i in plan.converted}
        plan.extra = _link_rewrites(repo, renames, converted)
    return plan


def _numbering(candidates: Sequence[tuple[Record, RecordText]], repo: Repository,
               ) -> tuple[dict[str, str], dict[Path, Path]]:
    """New ``DR-00N`` ids and file names: existing numbers kept when unique, else sequential.

    GSD plans and summaries keep their ids and names: GSD tooling finds them by file name.
    """
    from adr_tool.lifecycle import format_id
    from adr_tool.parse.normalize import number_of, slugify

    config = repo.config
    records = [r for r, _ in candidates if r.format.value != "gsd"]
    numbers = [number_of(r.id) if not re.match(r"^\d{8}-", r.id) else None for r in records]
    if all(n is not None for n in numbers) and len(set(numbers)) == len(numbers):
        order = {r.id: n for r, n in zip(records, numbers, strict=True) if n is not None}
    else:
        ranked = sorted(records, key=lambda r: (r.date.isoformat() if r.date else "9999", r.path))
        order = {r.id: index for index, r in enumerate(ranked, start=1)}
    mine = {r.path for r in records}
    taken = {r.id.casefold() for r in repo.records if r.path not in mine}
    id_map: dict[str, str] = {}
    renames: dict[Path, Path] = {}
    for record in records:
        new_id = format_id(config.prefix, order[record.id], config.width)
        if new_id.casefold() in taken:
            raise AdrError(f"renumbering would give {record.id} the id {new_id}, which is taken")
        id_map[record.id] = new_id
        path = Path(record.path)
        stem = PurePosixPath(path.name).stem
        rest = re.sub(r"^(?:\d{8}|[A-Za-z]*-?\d+)(?:[-_ .]+|$)", "", stem)
        slug = slugify(rest) if rest else slugify(record.title)
        target = path.with_name(f"{new_id}-{slug}.md")
        if target != path:
            renames[path] = target
    if len(set(renames.values())) != len(renames):
        raise AdrError("renumbering would give two records the same file name")
    return id_map, renames


_INLINE = re.compile(r"(\]\(\s*<?)([^)\s>]+)")
_REFDEF = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*<?)(\S+?)(>?(?:\s|$))", re.MULTILINE)


def _rewrite_links(text: str, renames: dict[str, str]) -> str:
    """Point relative Markdown links at renamed files (only the file-name part changes)."""
    def swap(match: re.Match[str]) -> str:
        url = match[2]
        if "://" in url or url.startswith(("#", "mailto:")):
            return match.group(0)
        path, hash_, anchor = url.partition("#")
        head, slash, name = path.rpartition("/")
        if name in renames:
            return match[1] + head + slash + renames[name] + hash_ + anchor + match.group(0)[
                len(match[1]) + len(url):]
        return match.group(0)

    return _REFDEF.sub(swap, _INLINE.sub(swap, text))


def _link_rewrites(repo: Repository, renames: dict[Path, Path], converted: set[str]) -> list[FileChange]:
    from adr_tool.edit import FileChange, read_record_text
    from adr_tool.lifecycle import walk_markdown

    names = {p.name: n.name for p, n in renames.items()}
    changes: list[FileChange] = []
    converted_paths = {Path(p).resolve() for p in converted}
    for path in walk_markdown(Path(repo.root)):
        if path.resolve() in converted_paths:
            continue
        source = read_record_text(path)
        text = _rewrite_links(source.text, names)
        if text != source.text:
            changes.append(FileChange(path, source.original, source.encode(text)))
    return changes
