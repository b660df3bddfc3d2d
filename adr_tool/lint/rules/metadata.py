"""2xx: metadata rules (id, title, status, dates, keys).

Requirement rules are format-aware: what a record must state depends on its format
(``[tool.adr.lint] required_fields``). An id derived from a numbered file name counts as
an id (adr-tools), MADR 3/4 leaves status and date optional, and GSD plans have neither.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
import datetime as dt
import re
from typing import TYPE_CHECKING

from adr_tool.diagnostics import Severity
from adr_tool.lint.rule import Finding, Rule, Scope, make_rule
from adr_tool.models import Record, RecordFormat
from adr_tool.parse.normalize import id_from_filename, number_of, stem_of
from adr_tool.repository import name_and_stem

if TYPE_CHECKING:
    from adr_tool.lint.context import LintContext

F = RecordFormat

_HOW: dict[str, dict[str, str]] = {
    "status": {
        F.FRONTMATTER: "Add `status: proposed` (or accepted, ...) to the frontmatter.",
        F.NYGARD: "Add a `## Status` section whose first line is the status.",
        F.BOLD_FIELD: "Add a `**Status:** Proposed` line under the title.",
        F.TABLE: "Add a `| Status | Proposed |` row to the metadata table.",
        F.LOG4BRAINS: "Add a `- Status: proposed` bullet under the title.",
        F.MADR: "Add `status: proposed` to the frontmatter.",
    },
    "date": {
        F.FRONTMATTER: "Add `date: YYYY-MM-DD` to the frontmatter.",
        F.NYGARD: "Add a `Date: YYYY-MM-DD` line under the title.",
        F.BOLD_FIELD: "Add a `**Date:** YYYY-MM-DD` line under the title.",
        F.TABLE: "Add a `| Date | YYYY-MM-DD |` row to the metadata table.",
        F.LOG4BRAINS: "Add a `- Date: YYYY-MM-DD` bullet under the title.",
        F.MADR: "Add `date: YYYY-MM-DD` to the frontmatter.",
    },
    "title": {
        F.FRONTMATTER: "Add `title:` to the frontmatter or a `# Title` heading.",
    },
}


def _hint(field: str, record: Record) -> str:
    table = _HOW.get(field, {})
    return table.get(record.format.value) or table.get(F.FRONTMATTER, "") or (
        "Add a `# Title` heading." if field == "title" else "")


def _required(record: Record, ctx: LintContext, field: str) -> bool:
    return field in ctx.fields_for(record) and ctx.is_decision(record)


def _file_name(record: Record) -> str:
    return record.path.rsplit("/", 1)[-1]


_DATE_SLUG = re.compile(r"^\d{8}-")


def has_usable_id(record: Record) -> bool:
    """An id written in the record, or derived from a numbered (or log4brains) file name."""
    name = _file_name(record)
    if "id" in record.positions or record.format is F.LOG4BRAINS or _DATE_SLUG.match(name):
        return True  # log4brains: the ``YYYYMMDD-slug`` file name is the id
    return number_of(id_from_filename(name)) is not None


def check_id_missing(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """The record has no id: no id field or heading, and no number in its file name.

    Ids let other records (and people) refer to a decision. An id derived from a numbered
    file name (``0007-use-kafka.md``, adr-tools style) is fine.

    Failing: ``use-kafka.md`` with frontmatter but no ``id:``.
    Passing: ``DR-007-use-kafka.md``, or ``id: DR-007`` in the frontmatter.
    """
    if _required(record, ctx, "id") and not has_usable_id(record):
        yield Finding(1, 1, f"no id: no id field and no number in the file name "
                            f"{_file_name(record)!r}",
                      "Add `id: DR-NNN` to the frontmatter, or name the file `NNNN-title.md`.")


def check_title_missing(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """The record has no title: no title field and no ``# Title`` heading.

    Failing: a record whose body starts with ``## Context``.
    Passing: ``# DR-001: Use Postgres`` as the first heading.
    """
    if _required(record, ctx, "title") and "title" not in record.positions:
        yield Finding(1, 1, "no title: no title field and no level-1 heading",
                      _hint("title", record))


def check_status_missing(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """The record states no status (proposed, accepted, ...).

    Readers cannot tell whether the decision is in force. Formats whose status is
    optional (MADR 3/4) or inferred (GSD plans) are not checked by default.

    Failing: an adr-tools record without a ``## Status`` section.
    Passing: ``## Status`` followed by ``Accepted``.
    """
    if _required(record, ctx, "status") and record.status_raw is None and record.status is None:
        yield Finding(1, 1, "no status", _hint("status", record))


def check_date_missing(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """The record states no date.

    Without a date, review dates and the history of a decision cannot be followed.
    MADR 3/4, log4brains and GSD records are not checked by default.

    Failing: frontmatter without ``date:``. Passing: ``date: 2024-05-01``.
    """
    if _required(record, ctx, "date") and record.date_raw is None and record.date is None:
        yield Finding(1, 1, "no date", _hint("date", record))


def check_status_unknown(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """The status is not one of the configured statuses or their aliases.

    Statuses are normalised (``✅ **Accepted**``, ``Approved`` and ``Implemented`` all mean
    accepted); anything else is reported. Extend the vocabulary with
    ``[tool.adr] statuses`` or ``status_aliases``.

    Failing: ``status: maybe``. Passing: ``status: accepted``.
    """
    if not ctx.is_decision(record):
        return
    if record.status_raw is not None and record.status is None and record.format is not F.GSD:
        shown = record.status_raw if len(record.status_raw) <= 40 else record.status_raw[:37] + "..."
        known = ", ".join(ctx.repo.config.statuses)
        pos = record.pos("status")
        yield Finding(pos.line, pos.column, f"unknown status {shown!r}",
                      f"Use one of: {known} (or add an alias in [tool.adr] status_aliases).")


_DATE_LIKE = re.compile(r"\d{1,4}\s*[-/.]\s*\d{1,2}|\d{8}|\b\d{4}\b\s*$")


def check_date_invalid(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """The date (or a date-like review date) cannot be read as a calendar date.

    Dates are read as ISO (``2024-05-01``), day-first ``01/05/2024``, ``20240501`` or words
    (``1 May 2024``). A review date written as prose (``Phase 12``) is not a date and is
    left alone.

    Failing: ``date: 2024-13-45``. Passing: ``date: 2024-12-05``.
    """
    if not ctx.is_decision(record):
        return
    if record.date_raw is not None and record.date is None:
        pos = record.pos("date")
        yield Finding(pos.line, pos.column, f"date {record.date_raw!r} is not a valid date",
                      "Write dates as YYYY-MM-DD.")
    raw = record.review_date_raw
    if raw is not None and record.review_date is None and _DATE_LIKE.search(raw):
        pos = record.pos("review_date")
        yield Finding(pos.line, pos.column, f"review date {raw!r} is not a valid date",
                      "Write dates as YYYY-MM-DD.")


def check_date_future(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """The record's date lies in the future (a typo in the year, usually).

    One day of slack allows for time zones.

    Failing: ``date: 2204-05-01``. Passing: today's date or any past date.
    """
    if not ctx.is_decision(record):
        return
    if record.date is not None and record.date > ctx.today + dt.timedelta(days=1):
        pos = record.pos("date")
        yield Finding(pos.line, pos.column, f"date {record.date.isoformat()} is in the future",
                      "Check the year; a decision is dated when it is made.")


_DEFAULT_ID = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")


def check_id_malformed(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """A written id is not usable as an id: it holds spaces or punctuation.

    Ids end up in links, file names and URLs, so they are letters, digits, ``-``, ``_``
    and ``.`` (``DR-007``, ``0007``, a log4brains slug ``20240101-use-kafka``). Set
    ``[tool.adr.lint] id_pattern`` to a regular expression to enforce your own shape.

    Failing: ``id: DR 7 (draft)``. Passing: ``id: DR-007``.
    """
    if not ctx.is_decision(record):
        return
    if "id" not in record.positions or record.format is F.GSD:
        return
    pattern = ctx.settings.id_pattern
    ok = re.fullmatch(pattern, record.id) if pattern else _DEFAULT_ID.match(record.id)
    if not ok:
        pos = record.pos("id")
        expected = f"/{pattern}/" if pattern else "letters, digits, '-', '_' or '.'"
        yield Finding(pos.line, pos.column, f"id {record.id!r} is malformed (expected {expected})",
                      "Use a prefix and a number, e.g. DR-007.")


_NAME_ID = re.compile(r"^([A-Za-z]+)-(\d+)$")


def check_id_filename_mismatch(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """The id written in the record disagrees with the id in its file name.

    Only comparable shapes are compared: ``DR-004-x.md`` with ``id: DR-005``, or
    ``0004-x.md`` with a numeric id ``5``. A file name without an id, or a prefixed id in a
    file named only by number, is not compared.

    Failing: ``DR-004-use-redis.md`` holding ``id: DR-005``.
    Passing: ``DR-004-use-redis.md`` holding ``id: DR-004``.
    """
    if not ctx.is_decision(record):
        return
    if "id" not in record.positions or record.format in (F.GSD, F.LOG4BRAINS):
        return
    name_id = id_from_filename(_file_name(record))
    if name_id == name_and_stem(record.path)[1]:  # stem_of by string operations
        return  # the file name carries no id
    named = _NAME_ID.match(name_id)
    mine = _NAME_ID.match(record.id)
    mismatch = False
    if named and mine:
        mismatch = (named[1].casefold() != mine[1].casefold()) or int(named[2]) != int(mine[2])
    elif named is None and name_id.isdigit() and record.id.isdigit():
        mismatch = int(name_id) != int(record.id)
    if mismatch:
        pos = record.pos("id")
        yield Finding(pos.line, pos.column,
                      f"id {record.id!r} disagrees with the file name {_file_name(record)!r}",
                      "Rename the file or fix the id so both say the same.")


def check_id_duplicate(ctx: LintContext) -> Iterator[Finding]:
    """Two or more files use the same id.

    References to that id become ambiguous. Every file sharing the id is reported, so a
    new record that took an existing id is flagged in the pull request that adds it.

    Ids that are a whole file name (log4brains slugs) are namespaced by their folder
    (package), so two packages may hold the same slug.

    Failing: ``DR-007-a.md`` and ``DR-007-b.md`` both with ``id: DR-007``.
    Passing: distinct ids.
    """
    for ident, group in ctx.by_id.items():
        if len(group) < 2:
            continue  # the usual case: no need to look at the file name
        records = [r for r in group if r.id != stem_of(r.path)]
        if len(records) < 2:
            continue
        copies = Counter(id(r) for r in records)
        for record in records:
            # the first three others and how many there are, without listing all of them for
            # every record (10,000 records sharing an id would be 10^8 steps)
            first: list[str] = []
            for r in records:
                if r is not record:
                    first.append(r.path)
                    if len(first) == 3:
                        break
            more = len(records) - copies[id(record)] - 3
            shown = ", ".join(first) + (f" and {more} more" if more > 0 else "")
            pos = record.pos("id")
            yield Finding(pos.line, pos.column, f"id {ident!r} is also used by {shown}",
                          "Give one of the records the next free id.", path=record.path)


def check_review_date_passed(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """The record's review date has passed: time to revisit the decision.

    Failing: ``review_date: 2020-01-01``. Passing: a review date in the future.
    """
    if not ctx.is_decision(record):
        return
    if record.review_date is not None and record.review_date < ctx.today:
        pos = record.pos("review_date")
        yield Finding(pos.line, pos.column,
                      f"review date {record.review_date.isoformat()} has passed",
                      "Review the decision, then set a new review_date (or supersede it).")


_KNOWN_KEYS = frozenset({
    "id", "title", "status", "date", "owner", "owners", "author", "authors", "deciders",
    "decision-makers", "consulted", "informed", "tags", "labels", "requires", "depends-on",
    "provides", "affects", "supersedes", "superseded-by", "replaces", "related", "review-date",
    "decision", "history", "phase", "plan", "created", "updated", "last-modified",
    "last-reviewed", "reviewers", "links", "summary", "description", "category", "categories",
    "component", "components", "scope", "area", "team", "project", "version", "revision",
})


def _key_norm(key: str) -> str:
    return key.strip().casefold().replace("_", "-").replace(" ", "-")


def check_key_unknown(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """A frontmatter key of a DR record is not one ``adr`` knows (often a typo).

    Only records in the DR frontmatter format are checked: MADR and GSD files carry
    tool-specific keys (Jekyll ``nav_order``, GSD ``wave``). Declare your own keys in
    ``[tool.adr.lint] known_keys``.

    Failing: ``staus: accepted``. Passing: ``status: accepted``.
    """
    if not ctx.is_decision(record):
        return
    if record.format is not F.FRONTMATTER:
        return
    known = _KNOWN_KEYS | {_key_norm(k) for k in ctx.settings.known_keys}
    for key in record.extra:
        if _key_norm(str(key)) in known:
            continue
        pos = record.pos(str(key))
        yield Finding(pos.line, pos.column, f"unknown frontmatter key {str(key)!r}",
                      "Fix the spelling, or list the key in [tool.adr.lint] known_keys.")


def _rule(code: str, slug: str, severity: Severity, check: Callable[..., Iterable[Finding]],
          scope: Scope = Scope.RECORD) -> Rule:
    return make_rule(code, slug, severity, scope, check)


E, W = Severity.ERROR, Severity.WARNING

RULES: tuple[Rule, ...] = (
    _rule("ADR201", "id-missing", E, check_id_missing),
    _rule("ADR202", "title-missing", E, check_title_missing),
    _rule("ADR203", "status-missing", E, check_status_missing),
    _rule("ADR204", "date-missing", W, check_date_missing),
    _rule("ADR205", "status-unknown", E, check_status_unknown),
    _rule("ADR206", "date-invalid", E, check_date_invalid),
    _rule("ADR207", "date-future", W, check_date_future),
    _rule("ADR208", "id-malformed", E, check_id_malformed),
    _rule("ADR209", "id-filename-mismatch", E, check_id_filename_mismatch),
    _rule("ADR210", "id-duplicate", E, check_id_duplicate, Scope.REPOSITORY),
    _rule("ADR211", "review-date-passed", W, check_review_date_passed),
    _rule("ADR212", "key-unknown", W, check_key_unknown),
)
