"""Run the rule catalogue over a repository: select, check, stamp, suppress, sort.

The engine is the only place that fills in a finding's code, severity and path (rules
yield positions and words only), applies ``[tool.adr.lint]`` (disable, enable, severity
overrides), inline ``adr-lint`` comments and a baseline, then sorts by path, line,
column and code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adr_tool.diagnostics import Diagnostic, Severity
from adr_tool.errors import AdrError
from adr_tool.lint.context import LintSettings, build_context, load_settings
from adr_tool.lint.registry import RULES, match_rules
from adr_tool.lint.rule import Finding, Rule, Scope
from adr_tool.lint.suppress import Directives, parse_directives

if TYPE_CHECKING:
    from collections import Counter

    from adr_tool.config import Config
    from adr_tool.lint.baseline import Key
    from adr_tool.lint.context import LintContext
    from adr_tool.lint.gitdiff import DiffInfo
    from adr_tool.models import Record
    from adr_tool.parse import ParseResult
    from adr_tool.repository import Repository


@dataclass(slots=True)
class LintResult:
    """What a lint run found, in display order, with counts."""

    diagnostics: list[Diagnostic]
    records: list[Record]
    """The records that were checked (all, or those in focus)."""
    files: int
    rules: list[Rule]
    suppressed: int = 0
    """Findings silenced by inline ``adr-lint`` comments."""
    baselined: int = 0
    """Findings accepted by the baseline file."""
    diff: DiffInfo | None = None
    repo: Repository | None = None
    all_diagnostics: list[Diagnostic] = field(default_factory=list)
    """Findings before the baseline was applied (what ``--write-baseline`` stores)."""
    graph: Any = None
    """The decision graph the rules built (None when no graph rule ran), for reports to reuse."""

    def count(self, severity: Severity) -> int:
        """How many findings have *severity*."""
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def summary(self) -> dict[str, int]:
        """Counts for the summary line and the JSON ``summary`` object."""
        return {
            "errors": self.count(Severity.ERROR),
            "warnings": self.count(Severity.WARNING),
            "info": self.count(Severity.INFO),
            "files": self.files,
            "records": len(self.records),
            "suppressed": self.suppressed,
            "baselined": self.baselined,
        }

    def failed(self, strict: bool = False) -> bool:
        """Exit status 1? Errors always; warnings only under ``--strict``; info never."""
        summary = self.summary
        return summary["errors"] > 0 or (strict and summary["warnings"] > 0)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON report (schema 1)."""
        return {
            "schema": 1,
            "diagnostics": [d.to_json() for d in self.diagnostics],
            "summary": self.summary,
        }


def _resolve_names(names: Iterable[str] | None, what: str) -> set[str]:
    codes: set[str] = set()
    for raw in names or ():
        for name in (p.strip() for p in raw.split(",")):
            if not name:
                continue
            found = match_rules(name)
            if not found:
                raise AdrError(f"{what}: unknown rule {name!r}",
                               "See `adr rules` for codes and names.")
            codes.update(r.code for r in found)
    return codes


def select_rules(settings: LintSettings, select: Iterable[str] | None = None,
                 ignore: Iterable[str] | None = None) -> tuple[list[Rule], dict[str, Severity]]:
    """The active rules and their severities, after CLI and config choices.

    ``--select`` names exactly which rules run (default-off ones included); otherwise the
    default set plus config ``enable`` minus config ``disable``. ``--ignore`` and a config
    severity of ``off`` always remove a rule.
    """
    chosen = _resolve_names(select, "--select")
    ignored = _resolve_names(ignore, "--ignore")
    enabled = _resolve_names(settings.enable, "[tool.adr.lint] enable")
    disabled = _resolve_names(settings.disable, "[tool.adr.lint] disable")
    severities: dict[str, Severity] = {}
    for name, level in settings.severity.items():
        found = match_rules(name)
        if not found:
            raise AdrError(f"[tool.adr.lint] severity: unknown rule {name!r}",
                           "See `adr rules` for codes and names.")
        for rule in found:
            if level == "off":
                ignored.add(rule.code)
            else:
                severities[rule.code] = Severity(level)
    active: list[Rule] = []
    for rule in RULES:
        if chosen:
            on = rule.code in chosen
        else:
            on = (rule.enabled or rule.code in enabled) and rule.code not in disabled
        if on and rule.code not in ignored:
            active.append(rule)
    return active, {r.code: severities.get(r.code, r.severity) for r in active}


def _stamp(rule: Rule, severity: Severity, finding: Finding, path: str,
           overridden: bool) -> Diagnostic:
    level = finding.severity if (finding.severity is not None and not overridden) else severity
    return Diagnostic(
        code=rule.code, severity=level, path=path, line=max(finding.line, 1),
        column=max(finding.column, 1), message=finding.message, hint=finding.hint,
        end_line=finding.end_line, end_column=finding.end_column, rule=rule.slug,
        data=finding.data,
    )


def run_lint(
    repo: Repository,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    strict: bool = False,
    baseline: Path | Counter[Key] | None = None,
    diff_base: str | None = None,
    only_paths: Iterable[str] | None = None,
    today: dt.date | None = None,
) -> LintResult:
    """Lint *repo*; report only *only_paths* (display paths) and/or files changed since *diff_base*.

    References always resolve against every record of *repo*. *strict* does not change
    the findings; it is kept here so library callers can ask ``result.failed(strict)``.
    The cyclic collector is paused meanwhile, as while loading: rules allocate findings,
    memos and scorecards by the hundred thousand, and collections took about 10% of a run
    at 10,000 records.
    """
    del strict  # the exit decision is LintResult.failed(strict)
    from adr_tool.repository import gc_paused

    with gc_paused():
        return _run_lint(repo, select=select, ignore=ignore, baseline=baseline,
                         diff_base=diff_base, only_paths=only_paths, today=today)


def _run_lint(
    repo: Repository,
    *,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    baseline: Path | Counter[Key] | None,
    diff_base: str | None,
    only_paths: Iterable[str] | None,
    today: dt.date | None,
) -> LintResult:
    """``run_lint`` with the collector paused."""
    settings = load_settings(repo.config.lint)
    rules, severities = select_rules(settings, select, ignore)
    overridden = {code for code in severities if code in _override_codes(settings)}
    diff: DiffInfo | None = None
    if diff_base:
        from adr_tool.lint.gitdiff import load_diff

        diff = load_diff(repo, diff_base)
    ctx = build_context(repo, settings, today=today, diff=diff)

    focus: set[str] | None = None
    if only_paths is not None:
        focus = {os.path.normpath(p) for p in only_paths}
    records = [r for r in repo.records if _in_focus(r.path, focus, diff)]

    found: list[Diagnostic] = []
    for rule in rules:
        severity = severities[rule.code]
        is_over = rule.code in overridden
        if rule.scope is Scope.RECORD:
            for record in records:
                for finding in rule.check(record, ctx):
                    found.append(_stamp(rule, severity, finding, record.path, is_over))
        else:
            for finding in rule.check(ctx):
                path = finding.path or ""
                if _in_focus(path, focus, diff):
                    found.append(_stamp(rule, severity, finding, path, is_over))

    ctx.finish()

    directives: dict[str, Directives | None] = {}
    by_path = {r.path: r for r in records}
    kept: list[Diagnostic] = []
    suppressed = 0
    for diag in found:
        if diag.path not in directives:
            owner = by_path.get(diag.path)
            directives[diag.path] = parse_directives(owner) if owner is not None else None
        parsed = directives[diag.path]
        if parsed is not None and parsed.suppresses(diag):
            suppressed += 1
        else:
            kept.append(diag)
    kept.sort(key=lambda d: d.sort_key)

    baselined = 0
    final = kept
    if baseline is not None:
        from adr_tool.lint.baseline import apply_baseline, load_baseline

        counts = load_baseline(baseline) if isinstance(baseline, Path) else baseline
        final, baselined = apply_baseline(kept, counts, repo.config.root)

    files = {r.path for r in records} | {
        d.path for d in repo.diagnostics if _in_focus(d.path, focus, diff)}
    return LintResult(diagnostics=final, records=records, files=len(files), rules=rules,
                      suppressed=suppressed, baselined=baselined, diff=diff, repo=repo,
                      all_diagnostics=kept, graph=ctx.graph if ctx._graph_done else None)


PER_FILE_RULES = frozenset({"ADR401", "ADR402", "ADR403", "ADR404", "ADR405", "ADR406",
                            "ADR501", "ADR502", "ADR503"})
"""Record rules whose work goes through ``LintContext.per_file`` (one file and the settings
decide it): what the loader's workers compute beside the parse (``PerFileLint``)."""


class PerFileLint:
    """The loader hook of ``adr lint``: each record's per-file values, where it was parsed.

    Runs the per-file rules on the fresh record in a context of its own and hands back what
    ``LintContext.per_file`` computed: the same ``{name: (token, value)}`` entry the per-file
    pack keeps (DR-021). The findings themselves are dropped: the run's own context asks
    for every value again and gets these instead of computing them. Anything that fails
    here is left to the run, which computes (and reports) it as it would without the hook.
    """

    def __init__(self, config: Config, codes: tuple[str, ...]) -> None:
        self.config = config
        self.codes = codes
        self._ctx: LintContext | None = None
        self._rules: list[Rule] = []

    def __getstate__(self) -> tuple[Config, tuple[str, ...]]:
        return self.config, self.codes

    def __setstate__(self, state: tuple[Config, tuple[str, ...]]) -> None:
        self.config, self.codes = state
        self._ctx = None
        self._rules = []

    def prepare(self) -> LintContext:
        """Build the context once (before the pool forks, so the workers inherit it with the
        scoring module and the template sentences already loaded)."""
        if self._ctx is None:
            from adr_tool.lint.context import _load_scoring, has_module
            from adr_tool.lint.rules.body import _placeholders
            from adr_tool.repository import Repository

            repo = Repository(root=Path(self.config.root), config=self.config)
            ctx = build_context(repo, load_settings(self.config.lint), today=dt.date.min)
            ctx._pack_opened = True  # no pack: values go to ctx._collect
            if any(c.startswith("ADR4") for c in self.codes) and has_module("adr_tool.scoring"):
                ctx._scoring = _load_scoring(self.config)
            if "ADR503" in self.codes:
                _placeholders(ctx)
            self._rules = [r for r in RULES if r.code in self.codes]
            self._ctx = ctx
        return self._ctx

    def __call__(self, result: ParseResult) -> dict[str, tuple[str, Any]] | None:
        record = result.record
        if record is None:
            return None
        found: dict[str, tuple[str, Any]] = {}
        try:
            ctx = self.prepare()
            for memo in (ctx._memo, ctx._scores, ctx._score_codes, ctx._decision, ctx._profile):
                memo.clear()  # keyed by id(): the last record may be gone, its id reused
            ctx._collect = found
            ctx.profile(record)
            for rule in self._rules:
                for _ in rule.check(record, ctx):
                    pass
        except Exception:  # noqa: BLE001 - the run computes it again and reports the failure
            return None
        finally:
            if self._ctx is not None:
                self._ctx._collect = None
        return found or None


def per_file_hook(config: Config, select: Sequence[str] | None = None,
                  ignore: Sequence[str] | None = None) -> PerFileLint | None:
    """The hook for ``load_repository`` before a whole-folder ``run_lint`` with these rule
    choices, or None when no per-file rule runs (or the choices are wrong: ``run_lint``
    reports that)."""
    try:
        rules, _ = select_rules(load_settings(config.lint), select, ignore)
    except AdrError:
        return None
    codes = tuple(r.code for r in rules if r.code in PER_FILE_RULES and r.scope is Scope.RECORD)
    if not codes:
        return None
    hook = PerFileLint(config, codes)
    try:
        hook.prepare()
    except Exception:  # noqa: BLE001 - as in __call__
        return None
    return hook


def _override_codes(settings: LintSettings) -> set[str]:
    codes: set[str] = set()
    for name in settings.severity:
        codes.update(r.code for r in match_rules(name))
    return codes


def _in_focus(path: str, focus: set[str] | None, diff: DiffInfo | None) -> bool:
    if focus is not None and os.path.normpath(path) not in focus:
        return False
    return diff is None or diff.is_changed(path)
