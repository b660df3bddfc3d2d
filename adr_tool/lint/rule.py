"""A lint rule is one frozen record: code, slug, summary, severity, scope and a check function.

Check functions yield ``Finding`` values (a position and words); the engine stamps the
rule's code, the configured severity and the record path on them (STYLE §5.1, DR-010).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
import inspect
import re
from typing import TYPE_CHECKING, Any

from adr_tool.diagnostics import Severity

if TYPE_CHECKING:
    from adr_tool.lint.context import LintContext
    from adr_tool.models import Record

CODE_PATTERN = re.compile(r"^ADR[1-9]\d\d$")
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


class Scope(StrEnum):
    """What a check function sees."""

    RECORD = "record"
    """Called once per record with ``(record, ctx)``."""
    REPOSITORY = "repository"
    """Called once per run with ``(ctx)``; findings must name their path."""


class Origin(StrEnum):
    """Which stage produces the rule's findings (lint owns some, delegates others)."""

    LINT = "lint"
    PARSE = "parse"
    GRAPH = "graph"
    SCORING = "scoring"


@dataclass(frozen=True, slots=True)
class Finding:
    """What a check yields: a position and a message; the engine adds code, severity, path."""

    line: int
    column: int
    message: str
    hint: str = ""
    path: str | None = None
    """Required for repository-scope rules; record-scope findings get the record's path."""
    end_line: int | None = None
    end_column: int | None = None
    severity: Severity | None = None
    """Only for delegated findings that carry their own severity (parse warnings)."""
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


RecordCheck = Callable[["Record", "LintContext"], Iterable[Finding]]
RepositoryCheck = Callable[["LintContext"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One registered rule; its check function's docstring is the user documentation."""

    code: str
    slug: str
    summary: str
    severity: Severity
    scope: Scope
    check: Callable[..., Iterable[Finding]]
    origin: Origin = Origin.LINT
    enabled: bool = True
    """Rules off by default can be switched on with ``select`` or ``[tool.adr.lint] enable``."""

    def __post_init__(self) -> None:
        if not CODE_PATTERN.match(self.code):
            raise ValueError(f"bad rule code {self.code!r}")
        if not SLUG_PATTERN.match(self.slug):
            raise ValueError(f"bad rule slug {self.slug!r}")

    @property
    def doc(self) -> str:
        """The check function's docstring, dedented (rationale and examples)."""
        return inspect.getdoc(self.check) or self.summary

    def explain(self) -> str:
        """Full user documentation shown by ``adr lint --explain``."""
        head = f"{self.code} {self.slug} ({self.severity.value}, {self.scope.value} scope)"
        origin = "" if self.origin is Origin.LINT else f"\nReported by the {self.origin.value} stage."
        return f"{head}\n\n{self.doc}{origin}\n"

    def to_json(self) -> dict[str, Any]:
        """Stable JSON shape for ``adr rules --format json``."""
        return {
            "code": self.code,
            "slug": self.slug,
            "summary": self.summary,
            "severity": self.severity.value,
            "scope": self.scope.value,
            "origin": self.origin.value,
            "enabled": self.enabled,
        }


def make_rule(code: str, slug: str, severity: Severity, scope: Scope,
              check: Callable[..., Iterable[Finding]], *, origin: Origin = Origin.LINT,
              enabled: bool = True) -> Rule:
    """Build a rule whose summary is the first line of its check's docstring (one source)."""
    doc = inspect.getdoc(check) or ""
    summary = doc.split("\n", 1)[0].strip()
    if not summary:
        raise ValueError(f"rule {code} has no docstring")
    return Rule(code, slug, summary, severity, scope, check, origin=origin, enabled=enabled)
