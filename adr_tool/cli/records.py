"""Commands that create and read records: init, new, list, show."""

from __future__ import annotations

import os
from pathlib import Path
import sys
from typing import Annotated

import typer

from adr_tool.cli.common import DirOption, VerboseOption, check_format, echo_diagnostics, load


def register(app: typer.Typer) -> None:
    """Attach this module's commands to *app*."""
    app.command("init")(init)
    app.command("new")(new)
    app.command("list")(list_records)
    app.command("show")(show)


def init(
    dir_: DirOption = None,
    prefix: Annotated[str, typer.Option(help="Id prefix for new records.")] = "DR-",
    owner: Annotated[str | None, typer.Option(help="Owner of the first record.")] = None,
) -> None:
    """Create the records folder, a config and a first record.

    Example: adr init --dir docs/decisions
    """
    from adr_tool.config import load_config
    from adr_tool.edit import yaml_scalar
    from adr_tool.lifecycle import new_record
    from adr_tool.sources import display_path
    from adr_tool.writes import create_exclusive

    root = Path.cwd()
    folder = dir_ or Path("decisions")
    folder_rel = folder.as_posix()
    has_pyproject_cfg = (root / "pyproject.toml").is_file() and "[tool.adr]" in (
        root / "pyproject.toml").read_text(encoding="utf-8", errors="replace")
    config_path = root / ".adr.toml"
    if not has_pyproject_cfg and not config_path.exists():
        create_exclusive(config_path, (
            "# Configuration for adr (https://example.invalid/adr): see README for every key.\n"
            f"dir = {yaml_scalar(folder_rel) if '/' not in folder_rel else repr(folder_rel)}\n"
            f'prefix = "{prefix}"\nwidth = 3\ntitle = "Architecture decisions"\n'
        ).replace("dir = decisions", 'dir = "decisions"'))
        typer.echo(f"created {config_path.name}")
    folder.mkdir(parents=True, exist_ok=True)
    config = load_config(root, dir=folder_rel, prefix=prefix)
    existing = list(folder.glob("*.md"))
    if existing:
        typer.echo(f"{folder_rel}/ already holds {len(existing)} file(s); no first record written")
        return
    created = new_record("Record architecture decisions", config, folder, template="first",
                         status="accepted", owner=owner)
    typer.echo(display_path(created.path))


def new(
    title: Annotated[str, typer.Argument(help="Title of the decision.")],
    dir_: DirOption = None,
    template: Annotated[str | None, typer.Option("--template", "-t", help="dr, madr, nygard or your own.")] = None,
    status: Annotated[str, typer.Option(help="Initial status.")] = "proposed",
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")] = None,
    requires: Annotated[list[str] | None, typer.Option("--requires", help="Required record id (repeatable).")] = None,
    supersedes: Annotated[str | None, typer.Option(help="Id of a record this one supersedes.")] = None,
    owner: Annotated[str | None, typer.Option(help="Owner of the decision.")] = None,
    edit: Annotated[bool, typer.Option("--edit", help="Open the new record in $EDITOR.")] = False,
) -> None:
    """Create a record with the next free id from a template and print its path.

    Example: adr new "Use Redis for the job queue" --tag infra --requires DR-002
    """
    from adr_tool.configfile import autodetect_dir, record_settings
    from adr_tool.errors import AdrError
    from adr_tool.lifecycle import find_record_file, mark_superseded, new_record
    from adr_tool.sources import display_path

    start = dir_ if dir_ is not None and dir_.is_dir() else Path.cwd()
    config = record_settings(start)  # not load_config: no pydantic for a new record
    folder = dir_ if dir_ is not None else autodetect_dir(config)
    old_path = None
    if supersedes:
        try:
            old_path = find_record_file(folder, supersedes)
        except (OSError, AdrError):
            from adr_tool.config import load_config
            from adr_tool.repository import load_repository

            repo = load_repository(folder, config=load_config(start))
            old = repo.get(supersedes)
            if old is None:
                from adr_tool.errors import NotFoundError

                raise NotFoundError(f"no record {supersedes} to supersede in {folder}") from None
            old_path = Path(old.path)
    created = new_record(
        title, config, folder, template=template, status=status, tags=tag or [],
        requires=requires or [], supersedes=[supersedes] if supersedes else [], owner=owner,
    )
    if old_path is not None:
        try:
            mark_superseded(old_path, created.id)
        except BaseException:
            created.path.unlink(missing_ok=True)  # keep both records consistent
            raise
    typer.echo(display_path(created.path))
    if edit and sys.stdin.isatty():
        import shlex
        import subprocess

        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        subprocess.call([*shlex.split(editor), str(created.path)])


def list_records(
    paths: Annotated[list[Path] | None, typer.Argument(help="Record files or folders (any extension).")] = None,
    dir_: DirOption = None,
    status: Annotated[str | None, typer.Option(help="Only records with this status.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only records with this tag.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    verbose: VerboseOption = False,
) -> None:
    """List records: id, status, date, title, tags.

    Example: adr list --status accepted --format json
    """
    check_format(fmt, ("table", "json", "csv"))
    from adr_tool.render import records as render

    repo = load(dir_, paths)
    records = [
        r for r in repo.records
        if (status is None or (r.status or "") == status.casefold())
        and (tag is None or tag.casefold() in (t.casefold() for t in r.tags))
    ]
    if fmt == "json":
        typer.echo(render.list_json(records, repo.diagnostics))
        return
    if fmt == "csv":
        typer.echo(render.list_csv(records), nl=False)
        return
    from rich.console import Console

    echo_diagnostics(repo, verbose)
    render.list_table(records, Console(highlight=False))


def show(
    ref: Annotated[str, typer.Argument(help="Record id (DR-001), number, or file path.")],
    dir_: DirOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Show one record: metadata, relations and sections.

    Example: adr show DR-001 --format json
    """
    check_format(fmt, ("text", "json"))
    from adr_tool.errors import NotFoundError
    from adr_tool.render import records as render

    as_path = Path(ref)
    if as_path.is_file():
        repo = load(dir_, files=[as_path])
        record = repo.records[0] if repo.records else None
    else:
        repo = load(dir_)
        record = repo.get(ref)
    if record is None:
        raise NotFoundError(f"no record {ref!r}", "List ids with `adr list`.")
    relations = _relations(repo, record)
    if fmt == "json":
        typer.echo(render.show_json(record, relations))
    else:
        typer.echo(render.show_text(record, relations))


def _relations(repo: object, record: object) -> dict[str, list[str]] | None:
    import importlib

    try:
        graph = importlib.import_module("adr_tool.graph")
    except ImportError:
        return None
    result: dict[str, list[str]] = graph.relations_of(repo, record)
    return result
