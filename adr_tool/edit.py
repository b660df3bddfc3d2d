"""Minimal, byte-preserving edits of a record's metadata.

Only the keys being changed are rewritten; comments, key order, quoting of other keys and
the whole body stay byte-for-byte. Records without frontmatter get the same treatment on
their own header lines (``**Status:**`` / ``## Status``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from adr_tool.parse.frontmatter import split

_TOP_KEY = re.compile(r"^(?P<key>[A-Za-z0-9_][A-Za-z0-9_ .-]*?)\s*:(?:\s|$)")


def yaml_scalar(value: Any) -> str:
    """Render a scalar as YAML flow text: plain when safe, JSON-quoted otherwise."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9 _./()+-]*", text) and text.strip() == text and text.casefold() not in (
        "yes", "no", "true", "false", "null", "on", "off", "y", "n", "~"
    ) and ": " not in text and " #" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def yaml_value(value: Any) -> str:
    """Render a value for the right-hand side of ``key: ...`` on one line."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_scalar(k)}: {yaml_scalar(v)}" for k, v in value.items()) + "}"
    return yaml_scalar(value)


def _key_spans(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Map each top-level key to its [start, end) line range inside the frontmatter lines."""
    spans: dict[str, tuple[int, int]] = {}
    current: str | None = None
    start = 0
    for index, line in enumerate(lines):
        match = _TOP_KEY.match(line) if line[:1] not in (" ", "\t", "-", "#") else None
        if match:
            if current is not None:
                spans.setdefault(current, (start, index))
            current, start = match["key"], index
        elif line[:1] == "#" and current is not None:
            # a comment line at column 0 closes the previous value (keeps comments in place)
            spans.setdefault(current, (start, index))
            current = None
    if current is not None:
        spans.setdefault(current, (start, len(lines)))
    # trailing blank lines belong to nobody
    for key, (s, e) in list(spans.items()):
        while e > s + 1 and not lines[e - 1].strip():
            e -= 1
        spans[key] = (s, e)
    return spans


def set_frontmatter_keys(text: str, changes: dict[str, Any], block: dict[str, str] | None = None) -> str:
    """Return *text* with frontmatter keys set (None deletes), touching nothing else.

    *block* optionally gives pre-rendered multi-line YAML for a key (e.g. a history list).
    Adds a frontmatter block when the file has none.
    """
    block = block or {}
    parts = split(text)
    if parts is None:
        new_lines = [_render(k, v, block) for k, v in changes.items() if v is not None]
        return "---\n" + "\n".join(new_lines) + "\n---\n" + ("" if text.startswith("\n") else "\n") + text
    _yaml_text, yaml_line, body_line = parts
    all_lines = text.split("\n")
    fm_lines = all_lines[yaml_line - 1 : body_line - 2]
    spans = _key_spans(fm_lines)
    replacements: list[tuple[int, int, list[str]]] = []
    appended: list[str] = []
    for key, value in changes.items():
        rendered = None if value is None and key not in block else _render(key, value, block)
        if key in spans:
            s, e = spans[key]
            replacements.append((s, e, rendered.split("\n") if rendered is not None else []))
        elif rendered is not None:
            appended.append(rendered)
    for s, e, new in sorted(replacements, reverse=True):
        fm_lines[s:e] = new
    insert_at = len(fm_lines)
    while insert_at > 0 and not fm_lines[insert_at - 1].strip():
        insert_at -= 1
    for line in appended:
        fm_lines[insert_at:insert_at] = line.split("\n")
        insert_at += line.count("\n") + 1
    out = [*all_lines[: yaml_line - 1], *fm_lines, *all_lines[body_line - 2 :]]
    return "\n".join(out)


def _render(key: str, value: Any, block: dict[str, str]) -> str:
    if key in block:
        return f"{key}:\n{block[key]}".rstrip("\n")
    return f"{key}: {yaml_value(value)}"


def replace_line_value(text: str, line: int, column: int, new_value: str) -> str:
    """Replace from (line, column) to the end of that line with *new_value* (1-based)."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return text
    current = lines[line - 1]
    lines[line - 1] = current[: max(column - 1, 0)] + new_value
    return "\n".join(lines)
