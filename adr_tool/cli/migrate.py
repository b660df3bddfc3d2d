"""Commands that move a team onto ``adr`` and data out of it: migrate and export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from adr_tool.cli.common import DirOption, check_format, load
from adr_tool.cli.lifecycle import apply_or_show

SOURCE_CHOICES = ("auto", "adr-tools", "madr", "log4brains", "bold-field", "gsd", "metadata-table")


def register(app: typer.Typer) -> None:
    """Attach this module's commands to *app*."""
    app.command("migrate")(migrate)
    app.command("export")(export)


def migrate(
    dir_: DirOption = None,
    source: Annotated[str, typer.Option("--from", help="auto, adr-tools, madr, log4brains, bold-field, "
                                                       "gsd or metadata-table.")] = "auto",
    write: Annotated[bool, typer.Option("--write", help="Convert the files (default: show diffs).")] = False,
    renumber: Annotated[bool, typer.Option("--renumber", help="Also give records DR-00N ids and file names.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Say why each skipped file was skipped.")] = False,
) -> None:
    """Convert records to DR frontmatter, keeping every word of the body (dry run by default).

    Example: adr migrate --dir doc/adr --from adr-tools --write
    """
    if source not in SOURCE_CHOICES:
        raise typer.BadParameter(f"{source!r} is not one of: {', '.join(SOURCE_CHOICES)}", param_hint="--from")
    from adr_tool.migrate import plan_migration

    repo = load(dir_)
    plan = plan_migration(repo, source, renumber=renumber)
    if verbose:
        for item in plan.skipped:
            typer.echo(f"skipped {item.record.path}: {item.skipped}", err=True)
    written = apply_or_show(plan.changes, write=write, confirm=True) if plan.changes else False
    verb = "converted" if written else "would convert"
    typer.echo(f"{verb} {len(plan.converted)} record(s); skipped {len(plan.skipped)}"
               + ("" if verbose or not plan.skipped else " (-v says why)"), err=True)


def export(
    dir_: DirOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or csv.")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Export every record (stable schema 1) for dashboards and spreadsheets.

    Example: adr export --format csv --output decisions.csv
    """
    check_format(fmt, ("json", "csv"))
    from adr_tool import export as exporter

    repo = load(dir_)
    text = exporter.render_json(repo) if fmt == "json" else exporter.render_csv(repo)
    if output is None:
        typer.echo(text, nl=False)
        return
    from adr_tool.writes import atomic_write

    atomic_write(output, text)
    typer.echo(f"wrote {output.as_posix()} ({len(repo.records)} records)", err=True)
