"""The readers: frontmatter, bold fields, metadata tables, Nygard and MADR conventions.

Readers are tried in a fixed order; each contributes the fields it recognises:
frontmatter (DR, MADR 3/4, GSD), bold-field headers and bullets, a metadata table,
and Nygard ``## Status`` / ``Date:`` conventions. The detected format is kept on the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime as dt
from functools import lru_cache
from pathlib import PurePosixPath
import re
from typing import Any, TypeVar

from adr_tool.configfile import DEFAULT_ALIASES, DEFAULT_STATUSES
from adr_tool.diagnostics import Diagnostic
from adr_tool.models import (
    HistoryEntry,
    Pos,
    Record,
    RecordFormat,
    Requirement,
    RequirementKind,
    construct_record,
    make_pos,
    trusted,
)
from adr_tool.parse import frontmatter as fm_mod
from adr_tool.parse.body import Body, parse_body
from adr_tool.parse.normalize import (
    id_from_filename,
    normalize_status,
    parse_date,
    split_heading_id,
    split_list,
    strip_markup,
)
from adr_tool.sources import SourceFile

__all__ = ["LABELS", "ParseOptions", "ParseResult", "parse_source", "parse_text"]

LIST_FIELDS = ("deciders", "tags", "provides", "affects", "supersedes", "superseded_by", "related")

LABELS: dict[str, str] = {
    "id": "id", "decision id": "id", "record id": "id", "adr": "id", "adr id": "id", "number": "id",
    "title": "title", "name": "title",
    "status": "status", "state": "status",
    "date": "date", "decision date": "date", "created": "date", "date created": "date",
    "owner": "owner", "owners": "owner", "author": "owner", "authors": "owner",
    "decision owner": "owner",
    "deciders": "deciders", "decision-makers": "deciders", "decision makers": "deciders",
    "decision_makers": "deciders",
    "tags": "tags", "labels": "tags", "tag": "tags",
    "requires": "requires", "depends on": "requires", "depends_on": "requires",
    "depends-on": "requires", "dependencies": "requires",
    "provides": "provides", "affects": "affects",
    "supersedes": "supersedes", "replaces": "supersedes",
    "superseded by": "superseded_by", "superseded_by": "superseded_by",
    "superseded-by": "superseded_by", "replaced by": "superseded_by",
    "related": "related", "related decisions": "related", "see also": "related",
    "related-decisions": "related", "related_decisions": "related", "updates": "related",
    "review date": "review_date", "review_date": "review_date", "review-date": "review_date",
    "review by": "review_date", "next review": "review_date", "revisit": "review_date",
    "decision": "decision", "selected platform": "decision", "selected option": "decision",
    "chosen option": "decision", "selected": "decision", "winner": "decision",
    "outcome": "decision", "chosen": "decision",
    "phase": "phase", "plan": "plan",
}
ANYWHERE = {"review_date", "decision"}
"""Fields accepted from bold lines anywhere in the body, not just the header block."""

_BOLD = re.compile(r"^\s{0,3}(?:[-*+]\s+)?\*\*(?P<k>[^*\n]{1,40}?)\s*:?\s*\*\*\s*:?\s*(?P<v>.*)$")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(?P<k>[A-Za-z][A-Za-z _-]{0,30}?)\s*:\s*(?P<v>.*)$")
_BARE = re.compile(r"^(?P<k>Date|Status|Deciders|Tags|Owner|Author)\b\s*:?\s+(?P<v>\S.*)$", re.IGNORECASE)
_PLAIN_WINNER = re.compile(r"^\s{0,3}(?P<k>Winner)\s*:\s*(?P<v>\S.*)$",
                           re.IGNORECASE)
"""A plain ``Winner: Render`` line anywhere in the body (scoring compares it, issue 5)."""
_LEAD_BOLD = re.compile(r"^\s{0,3}\*\*(?P<v>[^*:\n]{1,120}?)\*\*(?:\s|:|$)")
_MADR_SECTIONS = {"considered options", "decision outcome", "context and problem statement",
                  "decision drivers", "pros and cons of the options"}


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """What the parser needs from the config."""

    statuses: tuple[str, ...] = tuple(DEFAULT_STATUSES)
    aliases: tuple[tuple[str, str], ...] = tuple(sorted(DEFAULT_ALIASES.items()))
    day_first: bool = True


@dataclass(slots=True)
class ParseResult:
    """A record (None only when the file could not be read at all) and what was wrong."""

    record: Record | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(slots=True)
class _Draft:
    values: dict[str, Any] = field(default_factory=dict)
    positions: dict[str, Pos] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    requires: list[Requirement] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)

    def put(self, name: str, value: Any, line: int, column: int = 1) -> None:
        if name in self.values or value is None or value == "" or value == []:
            return
        self.values[name] = value
        self.positions[name] = make_pos(max(line, 1), max(column, 1))


def parse_text(text: str, path: str, options: ParseOptions | None = None) -> ParseResult:
    """Parse record text as if read from *path* (handy for tests and library users)."""
    from pathlib import Path

    source = SourceFile(Path(path), path, text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff"))
    return parse_source(source, options)


def parse_source(source: SourceFile, options: ParseOptions | None = None) -> ParseResult:
    """Parse one file; any problem becomes a diagnostic and parsing goes on."""
    options = options or ParseOptions()
    diags: list[Diagnostic] = list(source.diagnostics)
    if not source.readable:
        return ParseResult(None, diags)
    text = source.text
    shown = source.display
    draft = _Draft()
    fm = fm_mod.load(text, shown)
    body_line = 1
    body_text = text
    if fm is not None:
        diags.extend(fm.diagnostics)
        body_line = fm.body_line
        body_text = _from_line(text, body_line)
        _read_frontmatter(fm, draft)
    body = parse_body(body_text, body_line, shown)
    diags.extend(body.diagnostics)
    fmt = _detect_format(fm, draft, body, shown)
    _read_bold_fields(body, draft)
    _read_metadata_table(body, draft)
    _read_nygard(body, draft)
    _read_madr_outcome(body, draft)
    record = _build(source, fm, draft, body, fmt, options, body_text, body_line)
    return ParseResult(record, diags)


def _from_line(text: str, line: int) -> str:
    """``"\\n".join(text.split("\\n")[line - 1:])`` without splitting the whole text."""
    position = 0
    for _ in range(line - 1):
        position = text.find("\n", position) + 1
        if not position:
            return ""
    return text[position:]


def _value_pos(entry: fm_mod.Entry, start_line: int) -> tuple[int, int]:
    mark = getattr(entry.node, "start_mark", None)
    if mark is None:
        return entry.key_line, entry.key_column
    return mark.line + start_line, mark.column + 1


def _read_frontmatter(fm: fm_mod.FrontMatter, draft: _Draft) -> None:
    entries = dict(fm.entries)
    nested = entries.pop("dependency-graph", None) or entries.pop("dependency_graph", None)
    if nested is not None and isinstance(nested.value, dict):
        import yaml

        node = nested.node
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = str(getattr(key_node, "value", ""))
                if key and key not in entries:
                    entries[key] = fm_mod.Entry(nested.value.get(key), value_node,
                                                key_node.start_mark.line + fm.start_line,
                                                key_node.start_mark.column + 1)
    for key, entry in entries.items():
        name = LABELS.get(key.casefold().replace("_", " ").strip()) or LABELS.get(key.casefold())
        line, column = _value_pos(entry, fm.start_line)
        if key in ("key-decisions", "decisions", "key_decisions"):
            draft.extra[key] = entry.value
            continue
        if key == "history" and isinstance(entry.value, list):
            for item in entry.value:
                if isinstance(item, dict) and "status" in item:
                    draft.history.append(_made(HistoryEntry, date=str(item.get("date", "")),
                                               status=str(item.get("status", "")),
                                               note=str(item.get("note", "") or "")))
            draft.extra[key] = entry.value
            continue
        if name is None or (name == "decision" and key.casefold() != "decision"):
            draft.extra[key] = entry.value
            # unknown keys keep their position too, so lint can point at them (ADR212)
            draft.positions.setdefault(key, make_pos(entry.key_line, entry.key_column))
            continue
        if name == "requires":
            draft.requires.extend(_requirements(entry, fm.start_line))
            draft.positions.setdefault("requires", make_pos(entry.key_line, entry.key_column))
            continue
        if name in ("id", "plan", "phase"):
            raw = fm_mod.raw_scalar(entry.node)
            draft.put(name, raw if raw is not None else _scalar_text(entry.value), line, column)
            continue
        if name in ("supersedes", "superseded_by", "related"):
            items = fm_mod.raw_items(entry.node)
            if items:
                draft.put(name, [v for v, _, _ in items], line, column)
            else:
                draft.put(name, split_list(entry.value), line, column)
            continue
        if name in LIST_FIELDS:
            draft.put(name, split_list(entry.value), line, column)
            continue
        if name in ("date", "review_date"):
            raw = fm_mod.raw_scalar(entry.node)
            draft.put(name, (entry.value, raw), line, column)
            continue
        draft.put(name, _scalar_text(entry.value), line, column)
    for key in ("completed", "created"):
        found = entries.get(key)
        if found is not None and "date" not in draft.values:
            line, column = _value_pos(found, fm.start_line)
            draft.put("date", (found.value, fm_mod.raw_scalar(found.node)), line, column)
            if key == "completed":
                draft.extra.setdefault("__completed__", True)


_Model = TypeVar("_Model", Requirement, HistoryEntry)
_TOP = Pos.model_construct(line=1)
"""``Pos(line=1)``, made without a validator."""
_EXACT: dict[str, tuple[type, ...]] = {
    "kind": (RequirementKind,), "target": (str,), "provides": (str, type(None)), "pos": (Pos,),
    "date": (str,), "status": (str,), "note": (str,)}
"""The types a ``Requirement`` or ``HistoryEntry`` field keeps unchanged through validation."""


def _made(cls: type[_Model], **given: Any) -> _Model:
    """``cls(**given)``, without a validator when every value is exactly of a type its field
    keeps (``models.trusted``): the models are ``defer_build``, and a patch build that
    validates nothing never builds their schemas (DR-020)."""
    if all(type(value) in _EXACT[name] for name, value in given.items()):
        return trusted(cls, given)
    return cls(**given)


def _scalar_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v is not None)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value).strip()


def _requirements(entry: fm_mod.Entry, start_line: int) -> list[Requirement]:
    import yaml

    node = entry.node
    out: list[Requirement] = []
    items: list[tuple[Any, Any]]
    if isinstance(node, yaml.SequenceNode) and isinstance(entry.value, list):
        items = list(zip(entry.value, node.value, strict=False))
    elif isinstance(node, yaml.ScalarNode):
        items = [(v, node) for v in split_list(entry.value)]
    else:
        items = [(entry.value, node)]
    for value, item_node in items:
        mark = getattr(item_node, "start_mark", None)
        pos = make_pos((mark.line + start_line) if mark else entry.key_line,
                       (mark.column + 1) if mark else entry.key_column)
        if isinstance(value, dict):
            lowered = {str(k).casefold(): v for k, v in value.items()}
            if "phase" in lowered:
                target = _raw_child(item_node, "phase") or str(lowered["phase"])
                provides = lowered.get("provides")
                out.append(_made(Requirement, kind=RequirementKind.PHASE, target=target,
                                       provides=_scalar_text(provides), pos=pos))
            elif "capability" in lowered:
                out.append(_made(Requirement, kind=RequirementKind.CAPABILITY,
                                       target=str(lowered["capability"]).strip(), pos=pos))
            elif "id" in lowered or "record" in lowered:
                target = _raw_child(item_node, "id") or _raw_child(item_node, "record") or str(
                    lowered.get("id") or lowered.get("record"))
                out.append(_made(Requirement, kind=RequirementKind.RECORD, target=target, pos=pos))
            else:
                text = _scalar_text(value) or ""
                out.append(_made(Requirement, kind=RequirementKind.RECORD, target=text, pos=pos))
        elif value is not None and str(value).strip():
            raw = fm_mod.raw_scalar(item_node)
            out.append(_made(Requirement, kind=RequirementKind.RECORD,
                                   target=(raw if raw is not None else str(value)).strip(), pos=pos))
    return out


def _raw_child(node: Any, key: str) -> str | None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if str(getattr(key_node, "value", "")).casefold() == key:
                return fm_mod.raw_scalar(value_node)
    return None


def _label(key: str) -> str | None:
    cleaned = strip_markup(key).strip().rstrip(":").strip().casefold()
    return LABELS.get(cleaned)


def _read_bold_fields(body: Body, draft: _Draft) -> None:
    # Only lines with ``**`` can be bold fields, and a bullet or bare field below the header
    # block is ignored anyway (a bullet line can never be a ``Winner:`` line either), so most
    # lines are settled by one anchored match or none.
    bold, bullet, bare, winner = _BOLD.match, _BULLET.match, _BARE.match, _PLAIN_WINNER.match
    for line_no, line, in_header in body.field_lines:
        match = bold(line) if "**" in line else None
        kind = "bold"
        if match is None and in_header:
            match = bullet(line)
            kind = "bullet"
            if match is None:
                match = bare(line)
                kind = "bare"
        if match is None:
            if ":" not in line or line.lstrip()[:1] not in ("W", "w"):
                continue  # what ``_PLAIN_WINNER`` needs, checked without running it on every line
            match = winner(line)
            kind = "winner"
        if match is None:
            continue
        name = _label(match["k"])
        if name is None:
            continue
        if not in_header and name not in ANYWHERE:
            continue
        if kind not in ("bold", "winner") and not in_header:
            continue
        value = match["v"].strip()
        column = match.start("v") + 1
        if name == "decision":
            value = strip_markup(value)
            value = re.split(r"\s+[(—–-]\s*|\s*\(", value, maxsplit=1)[0].strip().rstrip(".")
        if name == "requires":
            if "requires" in draft.positions and draft.positions["requires"].line < line_no:
                continue  # frontmatter already says what this record requires
            draft.positions.setdefault("requires", make_pos(line_no, column))
            for target in split_list(value):
                draft.requires.append(_made(Requirement, kind=RequirementKind.RECORD, target=target,
                                                  pos=make_pos(line_no, column)))
            continue
        if name in LIST_FIELDS:
            links = _link_targets(value)
            draft.put(name, links if links and name in ("supersedes", "superseded_by", "related")
                      else split_list(value), line_no, column)
            continue
        if name in ("date", "review_date"):
            draft.put(name, (value, value), line_no, column)
            continue
        if name == "status":
            draft.put("status", value, line_no, column)
            _status_links(value, line_no, column, draft)
            continue
        draft.put(name, strip_markup(value) if name != "title" else value, line_no, column)


_LINK_TARGET = re.compile(r"\[[^\[\]\n]*\]\(([^()\s]+)[^()\n]*\)")
"""A link and its target; no class crosses a bracket, so hostile lines stay linear."""
_ADR_REF = re.compile(r"\b((?:[A-Z]{1,6}-)\d{1,6})\b")


def _link_targets(text: str) -> list[str]:
    out = []
    for url in _LINK_TARGET.findall(text):
        if "://" in url:
            continue
        out.append(id_from_filename(PurePosixPath(url.split("#")[0]).name))
    return out


def _status_links(value: str, line: int, column: int, draft: _Draft) -> None:
    low = strip_markup(value).casefold()
    targets = _link_targets(value) or _ADR_REF.findall(value)
    if not targets:
        return
    if "superseded" in low or "replaced by" in low:
        draft.put("superseded_by", targets, line, column)
    elif low.startswith("supersedes"):
        draft.put("supersedes", targets, line, column)


def _read_metadata_table(body: Body, draft: _Draft) -> None:
    for _, header, rows, _, _ in body.table_data[:2]:
        if len(header) != 2:
            continue
        head = strip_markup(header[0][0]).casefold()
        if head not in ("metadata", "field", "key", "property", "attribute", "name") and not any(
            _label(r[0][0]) in ("status", "date") for r in rows if r
        ):
            continue
        for row in rows:
            if len(row) < 2:
                continue
            name = _label(row[0][0])
            if name is None:
                continue
            value, line, column = row[1]
            if name in ("date", "review_date"):
                draft.put(name, (value, value), line, column)
            elif name == "related" or name in LIST_FIELDS:
                draft.put(name, split_list(value), line, column)
            elif name == "status":
                draft.put(name, value, line, column)
            else:
                draft.put(name, strip_markup(value), line, column)
        return


def _read_nygard(body: Body, draft: _Draft) -> None:
    for section in body.section_data:
        key = strip_markup(section[0]).strip().rstrip(":").casefold()
        if key not in _NYGARD_KEYS:
            continue
        text = body.section_text(section)
        text_line = section[6]
        if key == "status" and "status" not in draft.values:
            lines = text.split("\n")
            for offset, line in enumerate(lines):
                if line.strip():
                    draft.put("status", line.strip(), text_line + offset, 1)
                    break
            for offset, line in enumerate(lines):
                low = strip_markup(line).strip().casefold()
                targets = _link_targets(line)
                if not targets:
                    continue
                lno = text_line + offset
                if low.startswith(("superseded by", "⌛")) or " superseded by" in low:
                    draft.put("superseded_by", targets, lno, 1)
                elif low.startswith("supersedes"):
                    draft.put("supersedes", targets, lno, 1)
                elif low.startswith(("amended by", "amends", "clarified by", "clarifies")):
                    draft.put("related", targets, lno, 1)
        elif key == "date" and "date" not in draft.values:
            for offset, line in enumerate(text.split("\n")):
                if line.strip():
                    draft.put("date", (line.strip(), line.strip()), text_line + offset, 1)
                    break
        elif key in ("deciders", "owner", "authors", "author") and "owner" not in draft.values:
            first = text.strip().split("\n")[0] if text.strip() else ""
            if first:
                draft.put("owner", strip_markup(first), text_line, 1)


_NYGARD_KEYS = frozenset({"status", "date", "deciders", "owner", "authors", "author"})


@lru_cache(maxsize=1)
def _chosen() -> re.Pattern[str]:
    """MADR's "Chosen option: ..." line, compiled on first use: the costliest pattern of
    this module (~0.6 ms) and needed only for a decision section without a decision field."""
    return re.compile(r"Chosen option:?\s*\**\s*[\"“']?(?P<v>[^\"”'\n,]+?)[\"”']?\**\s*(?:,|$|because)",
                      re.IGNORECASE)


def _read_madr_outcome(body: Body, draft: _Draft) -> None:
    if "decision" in draft.values:
        return
    for section in body.section_data:
        heading = strip_markup(section[0]).casefold()
        if heading not in ("decision outcome", "decision"):
            continue
        text = body.section_text(section)
        match = _chosen().search(text)
        if match:
            prefix = text[: match.start("v")]
            line = section[6] + prefix.count("\n")
            draft.put("decision", strip_markup(match["v"]).strip(), line, 1)
            return
        # "## Decision" opened by a bold option name (`**Azure Service Bus** as primary ...`);
        # a bold label with its own colon (`**Deployment Strategy:**`) is not a decision.
        if heading != "decision":
            continue
        for line_no, text_line, _ in body.field_lines:
            if not section[2] < line_no <= section[3] or not text_line.strip():
                continue
            lead = _LEAD_BOLD.match(text_line)
            if lead:
                draft.put("decision", lead["v"].strip(), line_no, lead.start("v") + 1)
            return


def _detect_format(fm: fm_mod.FrontMatter | None, draft: _Draft, body: Body, shown: str) -> RecordFormat:
    sections = {strip_markup(s[0]).casefold() for s in body.section_data}
    madr_body = bool(sections & _MADR_SECTIONS)
    if fm is not None:
        keys = {k.casefold() for k in fm.entries}
        if keys & {"phase", "plan", "dependency-graph", "wave", "depends_on"}:
            return RecordFormat.GSD
        if keys & {"decision-makers", "consulted", "informed"} or (madr_body and "id" not in keys):
            return RecordFormat.MADR
        if keys or fm.ok:
            return RecordFormat.FRONTMATTER
    header = [line for _, line, in_header in body.field_lines if in_header]
    if any(_BOLD.match(line) and _label(_BOLD.match(line)["k"]) for line in header):  # type: ignore[index]
        return RecordFormat.BOLD_FIELD
    if any((m := _BULLET.match(line)) and _label(m["k"]) == "status" for line in header):
        name = PurePosixPath(shown).name
        if re.match(r"^\d{8}-", name):
            return RecordFormat.LOG4BRAINS
        return RecordFormat.MADR if madr_body else RecordFormat.BOLD_FIELD
    for _, cells, _, _, _ in body.table_data[:1]:
        if len(cells) == 2 and strip_markup(cells[0][0]).casefold() == "metadata":
            return RecordFormat.TABLE
    if "status" in sections or any(_BARE.match(line) for line in header):
        return RecordFormat.NYGARD
    if madr_body:
        return RecordFormat.MADR
    return RecordFormat.PLAIN


def _date_value(draft: _Draft, name: str, day_first: bool) -> tuple[dt.date | None, str | None]:
    value = draft.values.get(name)
    if value is None:
        return None, None
    parsed, raw = value
    date = parse_date(parsed, day_first)
    raw_text = str(raw) if raw is not None else (str(parsed) if parsed is not None else None)
    return date, raw_text


def _build(source: SourceFile, fm: fm_mod.FrontMatter | None, draft: _Draft, body: Body,
           fmt: RecordFormat, options: ParseOptions, body_text: str, body_line: int) -> Record:
    values = draft.values
    positions = dict(draft.positions)
    name = source.path.name
    heading_id: str | None = None
    title = values.get("title")
    if body.h1 is not None:
        heading_id, heading_title = split_heading_id(strip_markup(body.h1[0]))
        if not title:
            title = heading_title
            positions["title"] = make_pos(body.h1[1], 1)
        elif heading_id and "id" not in values:
            pass
    record_id = values.get("id")
    if fmt is RecordFormat.GSD and not record_id:
        record_id = _gsd_id(values.get("phase"), values.get("plan"))
        if record_id and _is_gsd_summary(name, draft):
            # a plan and its summary share phase + plan; the summary is the outcome record
            record_id = f"{record_id}-summary"
        if record_id:
            positions["id"] = positions.get("plan") or positions.get("phase") or _TOP
    if not record_id and heading_id and re.match(r"^[A-Za-z]+-\d+$", heading_id):
        record_id = heading_id
        positions["id"] = make_pos(body.h1[1] if body.h1 else 1, 3)
    if not record_id:
        record_id = id_from_filename(name)
    record_id = str(record_id).strip() or id_from_filename(name)
    if not title:
        title = (_fallback_title(body_text, values, record_id) if fmt is RecordFormat.GSD
                 else _title_from_name(name))
    status_raw = values.get("status")
    statuses = list(options.statuses)
    aliases = dict(options.aliases)
    status = normalize_status(status_raw, statuses, aliases) if status_raw else None
    if status_raw and status == "superseded" and "superseded_by" not in values:
        targets = _link_targets(status_raw)
        if targets:
            values["superseded_by"] = targets
    if fmt is RecordFormat.GSD and not status_raw:
        if draft.extra.get("__completed__"):
            status, status_raw = ("accepted" if "accepted" in statuses else None), "completed"
        else:
            status = "proposed" if "proposed" in statuses else None
    draft.extra.pop("__completed__", None)
    date, date_raw = _date_value(draft, "date", options.day_first)
    review, review_raw = _date_value(draft, "review_date", options.day_first)
    owner = values.get("owner")
    deciders = values.get("deciders", [])
    if not owner and deciders:
        owner = ", ".join(deciders)
    exact_title = fm is not None and any(k.casefold() in ("title", "name") for k in fm.entries)
    final_title = (" ".join(part.strip() for part in str(title).strip().splitlines()) if exact_title
                   else strip_markup(str(title)).strip())
    fields: dict[str, Any] = {
        "id": record_id,
        "title": final_title or record_id,
        "status": status,
        "status_raw": str(status_raw).strip() if status_raw is not None else None,
        "date": date,
        "date_raw": date_raw,
        "owner": str(owner).strip() if owner else None,
        "deciders": list(deciders),
        "tags": [str(t) for t in values.get("tags", [])],
        "requires": draft.requires,
        "provides": [str(p) for p in values.get("provides", [])],
        "affects": [str(a) for a in values.get("affects", [])],
        "supersedes": [str(s) for s in values.get("supersedes", [])],
        "superseded_by": [str(s) for s in values.get("superseded_by", [])],
        "related": [str(s) for s in values.get("related", [])],
        "review_date": review,
        "review_date_raw": review_raw,
        "decision": values.get("decision"),
        "phase": values.get("phase"),
        "plan": values.get("plan"),
        "history": draft.history,
        "extra": draft.extra,
        "format": fmt,
        "path": source.display,
        "has_frontmatter": fm is not None,
        "body_line": body_line,
        "body": body_text,
        "positions": positions,
    }
    if _plain(fields):
        return construct_record(fields, body.structure)
    return Record(**fields).with_structure(body.structure)


_TEXT_FIELDS = ("id", "title", "path", "body")
_OPTIONAL_TEXT_FIELDS = ("status", "status_raw", "date_raw", "owner", "review_date_raw",
                         "decision", "phase", "plan")
_TEXT_LIST_FIELDS = ("deciders", "tags", "provides", "affects", "supersedes", "superseded_by",
                     "related")


def _plain(fields: dict[str, Any]) -> bool:
    """Whether every value already has exactly its field's type, so validating it would
    return it unchanged (str subclasses, say, would be converted: those go to pydantic)."""
    for name in _TEXT_FIELDS:
        if type(fields[name]) is not str:
            return False
    for name in _OPTIONAL_TEXT_FIELDS:
        value = fields[name]
        if value is not None and type(value) is not str:
            return False
    for name in _TEXT_LIST_FIELDS:
        value = fields[name]
        if type(value) is not list or any(type(item) is not str for item in value):
            return False
    for name in ("date", "review_date"):
        value = fields[name]
        if value is not None and type(value) is not dt.date:
            return False
    requires, history = fields["requires"], fields["history"]
    extra, positions = fields["extra"], fields["positions"]
    return (type(requires) is list and all(type(item) is Requirement for item in requires)
            and type(history) is list and all(type(item) is HistoryEntry for item in history)
            and type(extra) is dict and all(type(key) is str for key in extra)
            and type(positions) is dict
            and all(type(key) is str and type(pos) is Pos for key, pos in positions.items())
            and type(fields["format"]) is RecordFormat and type(fields["has_frontmatter"]) is bool
            and type(fields["body_line"]) is int)


def _is_gsd_summary(name: str, draft: _Draft) -> bool:
    return "summary" in name.casefold() or bool(draft.extra.get("__completed__"))


def _gsd_id(phase: str | None, plan: str | None) -> str | None:
    if phase and plan:
        match = re.match(r"^(\d+(?:\.\d+)?)", phase)
        return f"{match[1] if match else phase}-{plan}"
    return phase or plan


def _title_from_name(name: str) -> str:
    """``20200102-adr-without-title.md`` -> ``Adr without title`` (ids and dates dropped)."""
    from adr_tool.parse.normalize import stem_of

    stem = stem_of(name)
    words = re.split(r"[-_\s]+", stem)
    while words and (words[0].isdigit() or (re.fullmatch(r"[A-Za-z]{1,6}", words[0] or "") and len(words) > 1
                     and words[1].isdigit())):
        words = words[2:] if not words[0].isdigit() else words[1:]
    text = " ".join(w for w in words if w) or stem
    return text[:1].upper() + text[1:]


def _fallback_title(body_text: str, values: dict[str, Any], record_id: str) -> str:
    for line in body_text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith(("<", "```", "|", "---", "@")):
            continue
        stripped = strip_markup(stripped.lstrip("#").strip())
        if not stripped:
            continue
        return stripped if len(stripped) <= 80 else stripped[:77].rsplit(" ", 1)[0] + "..."
    if values.get("phase"):
        return f"Phase {values['phase']} plan {values.get('plan', '')}".strip()
    return record_id
