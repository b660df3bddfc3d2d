"""4xx: weighted criteria tables, checked by the scoring stage.

``adr_tool.scoring.score_record(record, config).diagnostics`` produces these; lint runs it
once per record that has a table and files the findings under these entries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from adr_tool.diagnostics import Severity
from adr_tool.lint.rule import Finding, Origin, Rule, Scope, make_rule

if TYPE_CHECKING:
    from adr_tool.lint.context import LintContext
    from adr_tool.models import Record


def _from_scoring(record: Record, ctx: LintContext, code: str) -> Iterator[Finding]:
    if not ctx.is_decision(record):
        return  # a comparison table in a research note is not a recorded decision
    for diag in ctx.score_diagnostics(record, code):
        yield Finding(diag.line, diag.column, diag.message, diag.hint,
                      end_line=diag.end_line, end_column=diag.end_column)


def check_weight_unknown(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """A criterion's weight is not a number or a known word (Critical, High, Medium, Low).

    Failing: ``| Cost | Huge | ✅ | ❌ |``. Passing: ``| Cost | High | ✅ | ❌ |``.
    """
    return _from_scoring(record, ctx, "ADR401")


def check_cell_missing(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """A criteria-table row has fewer cells than there are options.

    Failing: a row ``| Cost | High | ✅ |`` under three option columns.
    Passing: one cell per option (write ``—`` for "not applicable").
    """
    return _from_scoring(record, ctx, "ADR402")


def check_cell_unscorable(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """A criteria-table cell holds nothing that can be scored (no number, mark or rating).

    Failing: ``| Cost | High | cheap-ish | ❌ |``. Passing: ``✅``, ``❌``, ``⚠️``, ``4``, ``4/5``.
    """
    return _from_scoring(record, ctx, "ADR403")


def check_decision_disagrees(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """The recorded decision is not the option the criteria table scores highest.

    Sometimes that is deliberate; then say why in the record, or suppress the finding.

    Failing: ``**Selected:** Railway`` while Render wins the table.
    Passing: ``**Selected:** Render``.
    """
    return _from_scoring(record, ctx, "ADR404")


def check_total_drift(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """A written total row disagrees with the sum of its column.

    Failing: ``| **Total** | | **150** |`` when the weighted cells add up to 148.
    Passing: ``| **Total** | | **148** |``.
    """
    return _from_scoring(record, ctx, "ADR405")


def check_weighted_value_drift(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """A written weighted value (``5 (20)``) disagrees with score times weight.

    Failing: ``5 (25)`` under a weight of 4. Passing: ``5 (20)``.
    """
    return _from_scoring(record, ctx, "ADR406")


def _rule(code: str, slug: str, severity: Severity,
          check: Callable[..., Iterable[Finding]]) -> Rule:
    return make_rule(code, slug, severity, Scope.RECORD, check, origin=Origin.SCORING)


E, W = Severity.ERROR, Severity.WARNING

RULES: tuple[Rule, ...] = (
    _rule("ADR401", "weight-unknown", E, check_weight_unknown),
    _rule("ADR402", "cell-missing", W, check_cell_missing),
    _rule("ADR403", "cell-unscorable", W, check_cell_unscorable),
    _rule("ADR404", "decision-disagrees", W, check_decision_disagrees),
    _rule("ADR405", "total-drift", W, check_total_drift),
    _rule("ADR406", "weighted-value-drift", W, check_weighted_value_drift),
)
