"""Inline suppression comments, markdownlint-style, written in the record itself.

``<!-- adr-lint disable ADR501 -->`` silences a rule from that line to the end of the file
(or to ``<!-- adr-lint enable ADR501 -->``); ``disable-next-line`` silences the next
non-blank line; ``disable-file`` the whole file. Codes, slugs and prefixes (``ADR5``) are
accepted; no name means every rule. Comments inside code fences are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re

from adr_tool.diagnostics import Diagnostic
from adr_tool.models import Record

_DIRECTIVE = re.compile(
    r"<!--\s*adr-lint\s+(disable-next-line|disable-file|disable|enable)\b(?P<names>[^>]*?)\s*-->")
ALL = "*"


@dataclass(slots=True)
class Directives:
    """Parsed suppression comments of one file."""

    file_codes: set[str] = field(default_factory=set)
    line_codes: dict[int, set[str]] = field(default_factory=dict)
    ranges: list[tuple[int, bool, set[str]]] = field(default_factory=list)
    """(line, disable?, codes) in file order."""

    def suppresses(self, diag: Diagnostic) -> bool:
        """Tell whether *diag* is silenced by a comment."""
        if _hits(self.file_codes, diag):
            return True
        if _hits(self.line_codes.get(diag.line, set()), diag):
            return True
        state = False
        for line, disable, codes in self.ranges:
            if line > diag.line:
                break
            if _hits(codes, diag):
                state = disable
        return state


def _hits(codes: set[str], diag: Diagnostic) -> bool:
    if not codes:
        return False
    return ALL in codes or diag.code in codes


def _expand(names: str) -> set[str]:
    from adr_tool.lint.registry import match_rules

    parts = [p for p in re.split(r"[\s,]+", names.strip()) if p]
    if not parts:
        return {ALL}
    codes: set[str] = set()
    for part in parts:
        rules = match_rules(part)
        codes.update(r.code for r in rules)
        if not rules:
            codes.add(part.upper())  # unknown names still silence a same-named code
    return codes


def parse_directives(record: Record) -> Directives | None:
    """Read the record body's ``adr-lint`` comments (None when it has none)."""
    if "adr-lint" not in record.body:
        return None
    found = Directives()
    lines = record.body.split("\n")
    fence: str | None = None
    pending: set[str] | None = None
    for offset, raw in enumerate(lines):
        stripped = raw.strip()
        line = record.body_line + offset
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            continue
        if pending is not None and stripped and "adr-lint" not in stripped:
            found.line_codes.setdefault(line, set()).update(pending)
            pending = None
        for match in _DIRECTIVE.finditer(raw):
            kind, codes = match[1], _expand(match["names"])
            if kind == "disable-file":
                found.file_codes |= codes
            elif kind == "disable-next-line":
                pending = (pending or set()) | codes
            else:
                found.ranges.append((line, kind == "disable", codes))
    return found
