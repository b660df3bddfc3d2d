"""Diagnostics: the one vocabulary for "something is wrong with this input".

Every stage returns diagnostics as values; nothing here prints or raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a finding is; ordering matters for --strict and summaries."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Sort key: errors first."""
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A positioned finding: code, severity, file, 1-based line and column, message, hint."""

    code: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str
    hint: str = ""
    end_line: int | None = None
    end_column: int | None = None
    rule: str = ""
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def with_path(self, path: str) -> Diagnostic:
        """Return a copy re-anchored to *path*."""
        return replace(self, path=path)

    def with_severity(self, severity: Severity) -> Diagnostic:
        """Return a copy with another severity (config overrides)."""
        return replace(self, severity=severity)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        """Order diagnostics by path, position and code."""
        return (self.path, self.line, self.column, self.code)

    def location(self) -> str:
        """Render ``path:line:col`` as editors and CI understand it."""
        return f"{self.path}:{self.line}:{self.column}"

    def to_json(self) -> dict[str, Any]:
        """Return the stable JSON shape (schema 1)."""
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }
        if self.rule:
            out["rule"] = self.rule
        if self.hint:
            out["hint"] = self.hint
        if self.end_line is not None:
            out["end_line"] = self.end_line
            out["end_column"] = self.end_column
        return out


def error(code: str, path: str, line: int, column: int, message: str, hint: str = "") -> Diagnostic:
    """Build an error diagnostic."""
    return Diagnostic(code, Severity.ERROR, path, max(line, 1), max(column, 1), message, hint)


def warning(
    code: str, path: str, line: int, column: int, message: str, hint: str = ""
) -> Diagnostic:
    """Build a warning diagnostic."""
    return Diagnostic(code, Severity.WARNING, path, max(line, 1), max(column, 1), message, hint)


def info(code: str, path: str, line: int, column: int, message: str, hint: str = "") -> Diagnostic:
    """Build an informational diagnostic."""
    return Diagnostic(code, Severity.INFO, path, max(line, 1), max(column, 1), message, hint)
