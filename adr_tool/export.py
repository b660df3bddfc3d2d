"""Export the whole repository as JSON or CSV for dashboards and spreadsheets (schema 1).

The schema is stable: fields are only ever added, never renamed or removed, and
``schema`` changes when that promise has to be broken. Paths are relative to the records
folder, records are sorted by id, JSON keys are sorted, so two exports of the same
repository are byte-identical wherever they run.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adr_tool.models import Record
    from adr_tool.repository import Repository

SCHEMA = 1

COLUMNS = ("id", "title", "status", "status_raw", "date", "owner", "deciders", "tags", "requires",
           "provides", "affects", "supersedes", "superseded_by", "related", "review_date",
           "decision", "format", "path")
"""Every exported field, in CSV column order (JSON records add ``history``)."""

_FORMULA_START = ("=", "+", "@", "\t", "\r")


def export_row(record: Record, root: Path) -> dict[str, Any]:
    """One record as a plain dict of the export fields."""
    data = record.to_summary()
    try:
        rel = Path(os.path.relpath(Path(record.path).resolve(), root.resolve())).as_posix()
    except ValueError:  # pragma: no cover - other drive on Windows
        rel = record.path
    data["path"] = rel
    data["history"] = [h.model_dump(mode="json") for h in record.history]
    return {k: data[k] for k in (*COLUMNS, "history")}


def _records(repo: Repository) -> list[Record]:
    from adr_tool.lifecycle import record_sort_key

    return sorted(repo.records, key=lambda r: (*record_sort_key(r), r.path))


def render_json(repo: Repository) -> str:
    """``{"schema": 1, "records": [...], "diagnostics": [...]}`` with sorted keys."""
    root = Path(repo.root)
    payload = {
        "schema": SCHEMA,
        "records": [export_row(r, root) for r in _records(repo)],
        "diagnostics": [d.to_json() for d in sorted(repo.diagnostics, key=lambda d: d.sort_key)],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    text = str(value)
    # spreadsheets run cells that start with = + @ as formulas (CSV injection)
    if text.startswith(_FORMULA_START) or (text.startswith("-") and not text[1:2].isdigit()):
        return "'" + text
    return text


def render_csv(repo: Repository) -> str:
    """One row per record, COLUMNS in order, lists joined with ``;``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    root = Path(repo.root)
    for record in _records(repo):
        row = export_row(record, root)
        writer.writerow([_csv_cell(row[c]) for c in COLUMNS])
    return out.getvalue()
