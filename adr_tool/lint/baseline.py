"""Baseline files: accept today's findings so a gate only fails on new ones.

A finding is keyed by code + path (relative to the project root) + message, never by
line, so the baseline survives edits above a finding (DR-010). Keys are counted: a file
with two identical findings in the baseline lets two through, and a third is new.
"""

from __future__ import annotations

from collections import Counter
import json
import os
from pathlib import Path
from typing import Any

from adr_tool.diagnostics import Diagnostic
from adr_tool.errors import AdrError

SCHEMA = 1
Key = tuple[str, str, str]


def _rel(path: str, root: Path) -> str:
    try:
        return Path(os.path.relpath(os.path.abspath(path), root.resolve())).as_posix()
    except ValueError:
        return Path(path).as_posix()


def key_of(diag: Diagnostic, root: Path) -> Key:
    """The line-independent identity of a finding."""
    return (diag.code, _rel(diag.path, root), diag.message)


def render_baseline(diagnostics: list[Diagnostic], root: Path) -> str:
    """The baseline file text for *diagnostics* (stable order, counted duplicates)."""
    counts = Counter(key_of(d, root) for d in diagnostics)
    entries = [
        {"code": code, "path": path, "message": message, "count": count}
        for (code, path, message), count in sorted(counts.items())
    ]
    payload = {"schema": SCHEMA, "tool": "adr lint", "findings": entries}
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def load_baseline(path: Path) -> Counter[Key]:
    """Read a baseline file written by ``--write-baseline``."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AdrError(f"baseline file not found: {path}",
                       "Create it with adr lint --write-baseline FILE.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AdrError(f"cannot read baseline {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(
            data.get("findings"), list):
        raise AdrError(f"{path} is not an adr lint baseline (schema {SCHEMA})")
    counts: Counter[Key] = Counter()
    for entry in data["findings"]:
        if not isinstance(entry, dict):
            continue
        key = (str(entry.get("code", "")), str(entry.get("path", "")), str(entry.get("message", "")))
        count = entry.get("count", 1)
        counts[key] += count if isinstance(count, int) and count > 0 else 1
    return counts


def apply_baseline(diagnostics: list[Diagnostic], baseline: Counter[Key],
                   root: Path) -> tuple[list[Diagnostic], int]:
    """Drop findings the baseline accepts; return (new findings, how many were dropped)."""
    left = Counter(baseline)
    kept: list[Diagnostic] = []
    dropped = 0
    for diag in diagnostics:
        key = key_of(diag, root)
        if left[key] > 0:
            left[key] -= 1
            dropped += 1
        else:
            kept.append(diag)
    return kept, dropped
