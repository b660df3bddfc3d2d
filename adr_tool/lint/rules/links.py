"""3xx: references between records, links to files, lifecycle consistency.

ADR301-305 come from the decision graph (``adr_tool.graph.build_graph(repo).diagnostics``);
their entries here give them a place in the catalogue. ADR306-310 are checked here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
import os
from pathlib import Path
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from adr_tool.diagnostics import Severity
from adr_tool.lint.rule import Finding, Origin, Rule, Scope, make_rule
from adr_tool.models import Link, Record, RecordFormat, make_pos
from adr_tool.parse.normalize import id_from_filename, number_of, stem_of

if TYPE_CHECKING:
    from adr_tool.lint.context import LintContext


def _from_graph(ctx: LintContext, code: str) -> Iterator[Finding]:
    for diag in ctx.graph_diagnostics(code):
        owner = ctx.record_at(diag.path)
        if owner is not None and not ctx.is_decision(owner):
            continue  # templates, notes, audits: link checks only
        yield Finding(diag.line, diag.column, diag.message, diag.hint, path=diag.path,
                      end_line=diag.end_line, end_column=diag.end_column, severity=diag.severity)


def check_requires_unresolved(ctx: LintContext) -> Iterator[Finding]:
    """A ``requires`` entry names no existing record, phase or capability.

    Failing: ``requires: [DR-099]`` when there is no DR-099.
    Passing: ``requires: [DR-002]`` with DR-002 present.
    """
    return _from_graph(ctx, "ADR301")


def check_capability_unprovided(ctx: LintContext) -> Iterator[Finding]:
    """A required capability is provided by no record.

    Failing: ``requires: [{capability: message-queue}]`` while no record has
    ``provides: [message-queue]``. Passing: another record provides it.
    """
    return _from_graph(ctx, "ADR302")


def check_dependency_cycle(ctx: LintContext) -> Iterator[Finding]:
    """Records require each other in a cycle, so no reading or build order exists.

    Failing: DR-001 requires DR-002 and DR-002 requires DR-001.
    Passing: DR-001 requires DR-002, which requires nothing back.
    """
    return _from_graph(ctx, "ADR303")


def check_capability_multiple_providers(ctx: LintContext) -> Iterator[Finding]:
    """Two accepted records provide the same capability, so it is unclear which one holds.

    Failing: DR-003 and DR-008 are accepted and both ``provides: [message-queue]``.
    Passing: the older one is superseded.
    """
    return _from_graph(ctx, "ADR304")


def check_requires_inactive(ctx: LintContext) -> Iterator[Finding]:
    """An accepted record requires a rejected, deprecated or superseded one.

    Failing: accepted DR-005 ``requires: [DR-002]`` while DR-002 is superseded.
    Passing: DR-005 requires DR-002's successor.
    """
    return _from_graph(ctx, "ADR305")


def check_reference_unknown(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """A ``supersedes``, ``superseded_by`` or ``related`` entry names no existing record.

    References resolve by id, number (``7`` finds ``DR-007``) or file name, against the
    whole records folder even when only some files are linted.

    Failing: ``supersedes: [DR-099]`` with no DR-099. Passing: ``supersedes: [DR-002]``.
    """
    for name in ("supersedes", "superseded_by", "related"):
        refs: list[str] = getattr(record, name)
        for ref in refs:
            if not ref.strip() or ctx.resolve(ref) is not None:
                continue
            pos = record.pos(name)
            yield Finding(pos.line, pos.column,
                          f"{name} names {ref!r}, which is not a record here",
                          "Fix the id, or add the missing record.")


_DATE_SLUG = re.compile(r"^\d{8}-")
_SCHEMES = ("http:", "https:", "mailto:", "ftp:", "tel:", "data:", "javascript:")


def _local_target(link: Link) -> str | None:
    return _local_target_of(link.url)


def _local_target_of(url: str) -> str | None:
    url = url.strip()
    if not url or url.startswith(("#", "/", "<", "{")) or "://" in url:
        return None
    if url.casefold().startswith(_SCHEMES) or url.startswith("//"):
        return None
    path = url.split("#", 1)[0].split("?", 1)[0]
    if "%" in path:
        path = unquote(path)
    path = path.strip()
    return path or None


def _broken_links(record: Record, ctx: LintContext) -> list[tuple[Link, bool]]:
    """(link, points at a record-like .md) for local links whose target does not exist.

    Computed once per record and shared by ADR307 and ADR308.
    """
    return ctx.memo("broken-links", record, lambda: list(_find_broken(record, ctx)))


def _find_broken(record: Record, ctx: LintContext) -> Iterator[tuple[Link, bool]]:
    folder = os.path.dirname(record.path)
    base = ctx.once(f"abs-dir:{folder}", lambda: os.path.abspath(folder or "."))
    root = ctx.root_prefix
    # records in one folder link the same files over and over: resolve each url once per folder
    seen: dict[tuple[str, str], tuple[str, str] | None] = ctx.once("link-targets", dict)
    # compact link tuples: a Link object is built only for the few broken ones
    for url, text, line, column, image in record.link_data:
        key = (base, url)
        if key in seen:
            known = seen[key]
        else:
            target = _local_target_of(url)
            known = None
            if target is not None:
                resolved = os.path.normpath(os.path.join(base, target))
                if not ctx.path_exists(resolved):
                    known = (target, resolved)
            seen[key] = known
        if known is None:
            continue  # not a local link, or its target exists
        target, resolved = known
        name = target.rsplit("/", 1)[-1]
        is_md = name.casefold().endswith((".md", ".markdown"))
        if is_md and _DATE_SLUG.match(name) and ctx.resolve(stem_of(name)) is not None:
            continue  # log4brains resolves ``YYYYMMDD-slug.md`` links by slug, not by path
        inside = (resolved + os.sep).startswith(root)
        named = ctx.resolve(stem_of(name)) if is_md else None
        record_like = is_md and inside and (
            number_of(id_from_filename(name)) is not None
            or (named is not None and ctx.is_decision(named)))
        yield Link(url, text, make_pos(line, column), image), record_like


def check_link_record_missing(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """A Markdown link points at a record file that does not exist.

    Links are resolved relative to the record's own file. When a record with the linked
    id exists under another name, the hint names it.

    Failing: ``[DR-002](DR-002-old-name.md)`` after the file was renamed.
    Passing: ``[DR-002](DR-002-use-postgres.md)``.
    """
    for link, is_record in _broken_links(record, ctx):
        if not is_record:
            continue
        name = (_local_target(link) or "").rsplit("/", 1)[-1]
        found = ctx.resolve(id_from_filename(name))
        hint = "Fix the link target."
        if found is not None:
            relative = os.path.relpath(found.path, os.path.dirname(record.path) or ".")
            hint = f"Did you mean {Path(relative).as_posix()}?"
        yield Finding(link.pos.line, link.pos.column,
                      f"link to record file {link.url!r}, which does not exist", hint)


def check_link_file_missing(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """A relative link or image points at a file that does not exist.

    Failing: ``![diagram](img/flow.png)`` with no ``img/flow.png`` next to the record.
    Passing: external URLs and anchors are not checked; existing files pass.
    """
    for link, is_record in _broken_links(record, ctx):
        if is_record:
            continue
        kind = "image" if link.image else "link"
        yield Finding(link.pos.line, link.pos.column,
                      f"{kind} target {link.url!r} does not exist",
                      "Fix the path (it is relative to the record's folder).")


def check_superseded_without_successor(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """The record is superseded but names no successor, and no record claims to supersede it.

    Failing: ``status: superseded`` and no ``superseded_by``.
    Passing: ``superseded_by: [DR-009]``, or DR-009 has ``supersedes: [this record]``.
    """
    if record.status != "superseded" or record.superseded_by:
        return
    if ctx.superseded_by_refs.get(id(record)):
        return
    pos = record.pos("status")
    yield Finding(pos.line, pos.column, "superseded, but no successor is named",
                  "Add superseded_by: [ID] (or a link to the successor in the status).")


def check_successor_not_pointing_back(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """The record names a successor whose ``supersedes`` does not name it back.

    Both ends of a supersession should agree, so either record leads to the other.

    log4brains records are not checked: log4brains derives the back link itself.

    Failing: DR-002 ``superseded_by: [DR-005]`` while DR-005 has no ``supersedes``.
    Passing: DR-005 ``supersedes: [DR-002]``.
    """
    if record.format is RecordFormat.LOG4BRAINS:
        return
    for ref in record.superseded_by:
        successor = ctx.resolve(ref)
        if successor is None or successor is record:
            continue
        if any(ctx.resolve(back) is record for back in successor.supersedes):
            continue
        pos = record.pos("superseded_by")
        yield Finding(pos.line, pos.column,
                      f"successor {successor.id} does not list {record.id} in its supersedes",
                      f"Add supersedes: [{record.id}] to {successor.path}.")


def _graph_rule(code: str, slug: str, severity: Severity,
                check: Callable[..., Iterable[Finding]]) -> Rule:
    return make_rule(code, slug, severity, Scope.REPOSITORY, check, origin=Origin.GRAPH)


def _rule(code: str, slug: str, severity: Severity,
          check: Callable[..., Iterable[Finding]]) -> Rule:
    return make_rule(code, slug, severity, Scope.RECORD, check)


E, W = Severity.ERROR, Severity.WARNING

RULES: tuple[Rule, ...] = (
    _graph_rule("ADR301", "requires-unresolved", E, check_requires_unresolved),
    _graph_rule("ADR302", "capability-unprovided", E, check_capability_unprovided),
    _graph_rule("ADR303", "dependency-cycle", E, check_dependency_cycle),
    _graph_rule("ADR304", "capability-multiple-providers", W, check_capability_multiple_providers),
    _graph_rule("ADR305", "requires-inactive", W, check_requires_inactive),
    _rule("ADR306", "reference-unknown", E, check_reference_unknown),
    _rule("ADR307", "link-record-missing", E, check_link_record_missing),
    _rule("ADR308", "link-file-missing", W, check_link_file_missing),
    _rule("ADR309", "superseded-without-successor", W, check_superseded_without_successor),
    _rule("ADR310", "successor-not-pointing-back", W, check_successor_not_pointing_back),
)
