"""``adr score``: compute, explain and check the weighted criteria tables of records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from adr_tool.cli.common import DirOption, check_format, load

FORMATS = ("text", "json", "markdown")


def register(app: typer.Typer) -> None:
    """Attach this module's commands to *app*."""
    app.command("score")(score)


def _pairs(values: list[str] | None, option: str, with_option: bool) -> dict[str, str] | dict[
        tuple[str, str], str]:
    """Parse ``Name=Value`` (or ``Option:Name=Value``) what-if arguments."""
    out: dict[object, str] = {}
    for raw in values or []:
        left, equals, value = raw.rpartition("=")
        owner, colon, name = left.partition(":") if with_option else ("", ":", left)
        if not equals or not colon or not name.strip() or (not owner.strip() and with_option):
            shape = '"Option:Criterion=VALUE"' if with_option else '"Criterion=VALUE"'
            raise typer.BadParameter(f"{raw!r} is not {shape}", param_hint=option)
        key: object = (owner.strip(), name.strip()) if with_option else name.strip()
        out[key] = value.strip()
    return out  # type: ignore[return-value]


def score(
    ref: Annotated[str | None, typer.Argument(help="Record id (DR-001) or a record file (any extension).")] = None,
    dir_: DirOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or markdown.")] = "text",
    weight: Annotated[list[str] | None, typer.Option("--weight", help='What-if weight, "Criterion=5" (repeatable).')] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help='What-if cell, "Option:Criterion=✅" (repeatable).')] = None,
    table: Annotated[int | None, typer.Option("--table", min=1, help="Only the Nth criteria table.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="One line per scored record in the folder.")] = False,
) -> None:
    """Score a record's criteria tables: totals, ranks, gates, robustness, recorded decision.

    Example: adr score DR-001 --weight "Predictable Pricing=5" --set "Railway:Built-in Worker Support=✅"
    """
    check_format(fmt, FORMATS)
    weights = _pairs(weight, "--weight", with_option=False)
    cells = _pairs(set_, "--set", with_option=True)
    if all_:
        if ref is not None or weights or cells or table is not None:
            raise typer.BadParameter("--all takes no REF, --weight, --set or --table",
                                     param_hint="--all")
        _score_all(dir_, fmt)
        return
    if ref is None:
        raise typer.BadParameter("give a record id or file, or --all", param_hint="REF")
    from adr_tool.errors import AdrError, NotFoundError
    from adr_tool.scoring import score_record

    as_path = Path(ref)
    repo = load(dir_, files=[as_path]) if as_path.is_file() else load(dir_)
    record = (repo.records[0] if repo.records else None) if as_path.is_file() else repo.get(ref)
    if record is None:
        raise NotFoundError(f"no record {ref!r}", "List ids with `adr list`.")
    result = score_record(record, repo.config, weights=weights, cells=cells)  # type: ignore[arg-type]
    if not result.tables:
        raise AdrError(f"{record.id} has no criteria table",
                       "A criteria table has a Criterion (or Criteria/Factor/Driver) column, "
                       "a Weight (or Priority/Importance) column and one column per option.")
    if table is not None:
        if table > len(result.tables):
            raise AdrError(f"{record.id} has {len(result.tables)} criteria table(s), not {table}")
        result = result.only(table)
    _emit(result, fmt)


def _emit(result: object, fmt: str) -> None:
    from adr_tool.render import score as render
    from adr_tool.scoring import RecordScore

    assert isinstance(result, RecordScore)
    if fmt == "json":
        typer.echo(render.render_json(result))
        return
    if fmt == "markdown":
        typer.echo(render.render_markdown(result), nl=False)
        return
    from rich.console import Console

    for diag in result.diagnostics:
        typer.echo(f"{diag.location()}: {diag.code} {diag.severity.value} {diag.message}",
                   err=True)
    render.render_text(result, Console(highlight=False))


def _score_all(dir_: Path | None, fmt: str) -> None:
    from adr_tool.config import autodetect_dir, load_config
    from adr_tool.criteria import load_candidate_paths
    from adr_tool.errors import NotFoundError
    from adr_tool.render import score as render
    from adr_tool.scoring import load_score_summaries
    from adr_tool.sources import discover, display_path

    config = load_config(dir_ if dir_ is not None and dir_.is_dir() else Path.cwd())
    folder = dir_ if dir_ is not None else autodetect_dir(config)
    if not folder.is_dir():
        raise NotFoundError(f"no decision records folder at {display_path(folder)}",
                            "Create one with `adr init`, or point to it with --dir.")
    paths, _ = discover(folder, config.ignore)
    summaries, diagnostics = load_score_summaries(load_candidate_paths(paths), config, folder)
    if fmt == "json":
        typer.echo(render.render_summaries_json(summaries))
    elif fmt == "markdown":
        typer.echo(render.render_summaries_markdown(summaries), nl=False)
    else:
        for diag in diagnostics:
            typer.echo(f"{diag.location()}: {diag.code} {diag.severity.value} {diag.message}",
                       err=True)
        typer.echo(render.render_summaries_text(summaries))
