"""6xx: pull-request rules, active only with ``adr lint --diff-base REF``.

They compare the branch with git's view of the base: an id the base already took while
the branch was open, and edits to the decision of a record that was already accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
import os
import re
from typing import TYPE_CHECKING

from adr_tool.diagnostics import Severity
from adr_tool.lint.rule import Finding, Rule, Scope, make_rule
from adr_tool.lint.rules.body import heading_keys

if TYPE_CHECKING:
    from adr_tool.lint.context import LintContext
    from adr_tool.models import Record, Section

_DECISION_HEADINGS = ("decision", "decision outcome", "decisions")
_SPACES = re.compile(r"\s+")


def decision_section(record: Record) -> Section | None:
    """The section that states the decision (``## Decision`` / ``## Decision Outcome``)."""
    for section in record.sections:
        key, head = heading_keys(section.heading)
        if key in _DECISION_HEADINGS or head in _DECISION_HEADINGS:
            return section
    return None


def decision_text(record: Record) -> str:
    """The decision as comparable text: the chosen option plus the decision section."""
    section = decision_section(record)
    body = _SPACES.sub(" ", section.text).strip() if section is not None else ""
    return f"{record.decision or ''}\n{body}"


def check_id_taken_on_base(ctx: LintContext) -> Iterator[Finding]:
    """A record added on this branch uses an id that the base branch already has.

    Two branches both took DR-007: whichever merges second must renumber. Only records
    added on the branch are checked, against the tip of the ``--diff-base`` ref.

    Failing: the branch adds ``DR-007-use-kafka.md`` while main gained
    ``DR-007-use-redis.md`` after the branch was cut.
    Passing: the branch takes the next free id.
    """
    diff = ctx.diff
    if diff is None:
        return
    for record in ctx.repo.records:
        mine = os.path.realpath(record.path)
        if mine not in diff.added:
            continue
        others = [p for p in diff.base_ids.get(record.id.casefold(), []) if p != mine]
        if not others:
            continue
        shown = os.path.relpath(others[0], diff.toplevel)
        pos = record.pos("id")
        yield Finding(pos.line, pos.column,
                      f"id {record.id!r} is already taken on {diff.ref} by {shown}",
                      "Renumber this record to the next free id.", path=record.path)


def check_accepted_record_edited(ctx: LintContext) -> Iterator[Finding]:
    """The branch edits the decision of a record that was already accepted on the base.

    An accepted decision is history: change it by superseding it with a new record, so
    the reasoning of both stays readable. Status changes and edits to other sections
    (typos in Context, links) are not reported.

    Failing: changing the ``## Decision`` text of an accepted DR-003.
    Passing: ``adr new "..." --supersedes DR-003`` and a status change on DR-003.
    """
    diff = ctx.diff
    if diff is None:
        return
    for record in ctx.repo.records:
        before = diff.base_records.get(os.path.realpath(record.path))
        if before is None or before.status != "accepted":
            continue
        if decision_text(before) == decision_text(record):
            continue
        section = decision_section(record)
        line = section.line if section is not None else record.pos("decision").line
        yield Finding(line, 1,
                      f"the decision of {record.id}, accepted on {diff.ref}, was edited",
                      f"Supersede it instead: adr new \"...\" --supersedes {record.id}",
                      path=record.path)


def _rule(code: str, slug: str, severity: Severity,
          check: Callable[..., Iterable[Finding]]) -> Rule:
    return make_rule(code, slug, severity, Scope.REPOSITORY, check)


RULES: tuple[Rule, ...] = (
    _rule("ADR601", "id-taken-on-base", Severity.ERROR, check_id_taken_on_base),
    _rule("ADR602", "accepted-record-edited", Severity.WARNING, check_accepted_record_edited),
)
