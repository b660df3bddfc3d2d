"""Commands that move records through their life: status verbs, supersede, link, renumber,
index and review. Each plans file changes in ``adr_tool.lifecycle`` and applies them here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from adr_tool.cli.common import DirOption, check_format, load

if TYPE_CHECKING:
    from adr_tool.edit import FileChange

RefArg = Annotated[str, typer.Argument(help="Record id (DR-004), number, or file name.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Allow a transition the state machine forbids.")]
NoteOption = Annotated[str | None, typer.Option("--note", help="Note kept in the history entry.")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Show the diff, write nothing.")]


VERBS = {"propose": "proposed", "accept": "accepted", "reject": "rejected", "deprecate": "deprecated"}
"""Shorthand commands and the status each one sets (kept here: no library import for --help)."""


def register(app: typer.Typer) -> None:
    """Attach this module's commands to *app*."""
    app.command("status")(status)
    for verb, target in VERBS.items():
        app.command(verb)(_verb_command(verb, target))
    app.command("supersede")(supersede)
    app.command("link")(link)
    app.command("unlink")(unlink)
    app.command("renumber")(renumber)
    app.command("index")(index)
    app.command("review")(review)


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def apply_or_show(changes: Sequence[FileChange], *, write: bool, dry_run: bool = False,
                  confirm: bool = False, base: Path | None = None) -> bool:
    """Show *changes* as a diff (dry run) or apply them all-or-nothing; True when written."""
    from adr_tool.edit import apply_changes, render_diff

    if dry_run or (not write and confirm):
        typer.echo(render_diff(changes, base), nl=False)
        if dry_run or not _interactive() or not typer.confirm("Apply these changes?", default=False):
            if not dry_run:
                typer.echo("dry run: nothing written (use --write to apply)", err=True)
            return False
    apply_changes(changes)
    return True


def _set_status(ref: str, new_status: str, dir_: Path | None, force: bool, note: str | None,
                dry_run: bool) -> None:
    from adr_tool.lifecycle import plan_status

    plan = plan_status(load(dir_), ref, new_status, force=force, note=note)
    if not plan.change.changed:
        typer.echo(f"{plan.record.id} is already {plan.new}; nothing to do")
        return
    if apply_or_show([plan.change], write=True, dry_run=dry_run):
        extra = " (history +1)" if plan.history else " (no frontmatter: status line rewritten)"
        typer.echo(f"{plan.record.id}: {plan.old or 'no status'} -> {plan.new}{extra}")


def status(
    ref: RefArg,
    new_status: Annotated[str, typer.Argument(metavar="STATUS", help="New status (accepted, ...).")],
    dir_: DirOption = None,
    force: ForceOption = False,
    note: NoteOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Set a record's status, checked against the lifecycle state machine, with history.

    Example: adr status DR-004 accepted --note "agreed in arch review"
    """
    _set_status(ref, new_status, dir_, force, note, dry_run)


def _verb_command(verb: str, target: str) -> Callable[..., None]:
    def command(ref: RefArg, dir_: DirOption = None, force: ForceOption = False,
                note: NoteOption = None, dry_run: DryRunOption = False) -> None:
        _set_status(ref, target, dir_, force, note, dry_run)

    command.__name__ = verb
    command.__doc__ = (f"Mark a record {target} (same as `adr status REF {target}`).\n\n"
                       f"Example: adr {verb} DR-004")
    return command


def supersede(
    ref: Annotated[str, typer.Argument(help="The record being replaced.")],
    by: Annotated[str, typer.Option("--by", help="The record that replaces it.")],
    dir_: DirOption = None,
    force: ForceOption = False,
    note: NoteOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Mark a record superseded by another; both files change together or not at all.

    Example: adr supersede DR-002 --by DR-009
    """
    from adr_tool.lifecycle import plan_supersede

    changes = plan_supersede(load(dir_), ref, by, force=force, note=note)
    if not changes:
        typer.echo(f"{ref} is already superseded by {by}; nothing to do")
    elif apply_or_show(changes, write=True, dry_run=dry_run):
        typer.echo(f"{ref} superseded by {by} ({len(changes)} file(s) updated)")


KindArg = Annotated[str, typer.Argument(help="requires, provides, related, supersedes or affects.")]
TargetsArg = Annotated[list[str], typer.Argument(help="Record ids (or capabilities for provides).")]


def link(ref: RefArg, kind: KindArg, targets: TargetsArg, dir_: DirOption = None,
         dry_run: DryRunOption = False) -> None:
    """Add ids to a frontmatter list of a record (unknown ids refused, no duplicates).

    Example: adr link DR-005 requires DR-002
    """
    _link(ref, kind, targets, dir_, dry_run, remove=False)


def unlink(ref: RefArg, kind: KindArg, targets: TargetsArg, dir_: DirOption = None,
           dry_run: DryRunOption = False) -> None:
    """Remove ids from a frontmatter list of a record.

    Example: adr unlink DR-005 related DR-003
    """
    _link(ref, kind, targets, dir_, dry_run, remove=True)


def _link(ref: str, kind: str, targets: list[str], dir_: Path | None, dry_run: bool, *,
          remove: bool) -> None:
    from adr_tool.lifecycle import plan_link

    change = plan_link(load(dir_), ref, kind, targets, remove=remove)
    if not change.changed:
        typer.echo(f"{ref} {kind}: nothing to change")
    elif apply_or_show([change], write=True, dry_run=dry_run):
        typer.echo(f"{ref} {kind}: {'removed' if remove else 'added'} {', '.join(targets)}")


def renumber(
    old: Annotated[str, typer.Argument(help="Current id (DR-007).")],
    new: Annotated[str, typer.Argument(help="New, unused id (DR-012).")],
    dir_: DirOption = None,
    write: Annotated[bool, typer.Option("--write", help="Apply the changes (default: show the diff).")] = False,
) -> None:
    """Give a record a new id: rename its file and rewrite every reference in the folder.

    Shows a unified diff first; --write applies it (or confirm when run in a terminal).
    Example: adr renumber DR-007 DR-012 --write
    """
    from adr_tool.lifecycle import plan_renumber

    repo = load(dir_)
    changes = plan_renumber(repo, old, new)
    if apply_or_show(changes, write=write, confirm=True):
        typer.echo(f"renumbered {old} -> {new} ({len(changes)} file(s) changed)")


def index(
    dir_: DirOption = None,
    write: Annotated[Path | None, typer.Option("--write", help="Update this Markdown file between markers.")] = None,
    check: Annotated[bool, typer.Option("--check", help="With --write: exit 1 if the file is stale.")] = False,
) -> None:
    """Print (or --write into a file) a generated, sorted table of all records.

    Example: adr index --write decisions/README.md
    """
    from adr_tool.lifecycle import merge_index, render_index

    repo = load(dir_)
    if write is None:
        typer.echo(render_index(repo.records, Path.cwd()), nl=False)
        return
    from adr_tool.edit import read_record_text
    from adr_tool.writes import atomic_write

    existing = read_record_text(write) if write.exists() else None
    table = render_index(repo.records, write.resolve().parent)
    text = merge_index(existing.text if existing else None, table, repo.config.title)
    if existing is not None and existing.text == text:
        typer.echo(f"{write.as_posix()} is up to date")
    elif check:
        typer.echo(f"{write.as_posix()} is out of date; run `adr index --write {write.as_posix()}`", err=True)
        raise typer.Exit(1)
    else:
        atomic_write(write, existing.encode(text) if existing else text)
        typer.echo(f"wrote {write.as_posix()}")


def review(
    dir_: DirOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    days: Annotated[int | None, typer.Option("--days", min=0, help="Review age (default: config).")] = None,
) -> None:
    """List accepted decisions due for review (review_date passed, or older than the age).

    Example: adr review --format json
    """
    check_format(fmt, ("text", "json"))
    import json

    from adr_tool.lifecycle import find_reviews, review_after_days, today

    repo = load(dir_)
    after = days if days is not None else review_after_days(repo.config)
    items = find_reviews(repo.records, today(), after)
    if fmt == "json":
        payload = {"schema": 1, "today": today().isoformat(), "review_after_days": after,
                   "records": [i.to_json() for i in items]}
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True))
        return
    for item in items:
        owner = item.record.owner or "(no owner)"
        typer.echo(f"{item.record.id}\tdue {item.due.isoformat()} ({item.days_overdue} days ago)\t"
                   f"{owner}\t{item.record.title}\t[{item.reason}]")
    typer.echo(f"{len(items)} decision(s) due for review", err=True)
