"""Render record lists and single records for ``adr list`` / ``adr show``."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adr_tool.diagnostics import Diagnostic
    from adr_tool.models import Record

LIST_COLUMNS = ("id", "status", "date", "title", "tags")


def list_json(records: list[Record], diagnostics: list[Diagnostic]) -> str:
    """Stable JSON (schema 1): records and load diagnostics."""
    payload = {
        "schema": 1,
        "records": [r.to_summary() for r in records],
        "diagnostics": [d.to_json() for d in sorted(diagnostics, key=lambda d: d.sort_key)],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True)


def list_csv(records: list[Record]) -> str:
    """CSV with one row per record (lists joined with ';')."""
    out = io.StringIO()
    fields = ["id", "title", "status", "date", "owner", "tags", "path", "format"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for record in records:
        row = record.to_summary()
        writer.writerow({k: (";".join(row[k]) if isinstance(row[k], list) else row[k] or "") for k in fields})
    return out.getvalue()


def list_table(records: list[Record], console: Any) -> None:
    """A rich table: id, status, date, title, tags."""
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold", expand=False)
    for column in LIST_COLUMNS:
        table.add_column(column, overflow="fold", no_wrap=column in ("id", "date"))
    for record in records:
        table.add_row(
            _escape(record.id),
            _status_markup(record.status, record.status_raw),
            record.date.isoformat() if record.date else "",
            _escape(record.title),
            _escape(", ".join(record.tags)),
        )
    console.print(table)
    console.print(f"{len(records)} record{'s' if len(records) != 1 else ''}")


STATUS_STYLE = {
    "accepted": "green", "proposed": "yellow", "rejected": "red", "deprecated": "magenta",
    "superseded": "dim",
}


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _status_markup(status: str | None, raw: str | None) -> str:
    if status is None:
        return f"[red]?{_escape(raw or '')}[/]" if raw else ""
    style = STATUS_STYLE.get(status, "")
    return f"[{style}]{status}[/]" if style else status


def show_text(record: Record, relations: dict[str, list[str]] | None = None) -> str:
    """Plain-text view of one record: metadata, relations, sections with line ranges."""
    lines = [f"{record.id}: {record.title}", ""]

    def field(name: str, value: object) -> None:
        if value in (None, "", []):
            return
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        lines.append(f"  {name:<14} {value}")

    field("status", record.status or (f"? ({record.status_raw})" if record.status_raw else None))
    if record.status_raw and record.status and record.status_raw.casefold() != record.status:
        field("written as", record.status_raw)
    field("date", record.date.isoformat() if record.date else record.date_raw)
    field("owner", record.owner)
    field("deciders", record.deciders)
    field("tags", record.tags)
    field("decision", record.decision)
    field("review date", record.review_date.isoformat() if record.review_date else record.review_date_raw)
    field("format", record.format.value)
    field("path", record.path)
    if relations is None:
        field("requires", [r.target for r in record.requires])
        field("provides", record.provides)
        field("affects", record.affects)
        field("supersedes", record.supersedes)
        field("superseded by", record.superseded_by)
        field("related", record.related)
    else:
        for name, values in relations.items():
            field(name, values)
    if record.extra:
        keys = ", ".join(sorted(str(k) for k in record.extra))
        field("other keys", keys)
    if record.sections:
        lines += ["", "Sections:"]
        for section in record.sections:
            indent = "  " * max(section.level - 1, 0)
            lines.append(f"  {indent}{section.heading}  (lines {section.line}-{section.end_line})")
    return "\n".join(lines)


def show_json(record: Record, relations: dict[str, list[str]] | None = None) -> str:
    """Full JSON view of one record (schema 1)."""
    payload = {"schema": 1, "record": record.to_detail()}
    if relations is not None:
        payload["relations"] = relations
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True)
