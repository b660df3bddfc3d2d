"""Commands over the decision graph: graph (tree, DOT, Mermaid, JSON, impact, order, areas), which."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from adr_tool.cli.common import DirOption, check_format, freeze_loaded, load

if TYPE_CHECKING:
    from adr_tool.graph import DecisionGraph
    from adr_tool.repository import Repository


def register(app: typer.Typer) -> None:
    """Attach this module's commands to *app*."""
    app.command("graph")(graph)
    app.command("which")(which)


def graph(
    paths: Annotated[list[Path] | None, typer.Argument(help="Record files or folders (any extension).")] = None,
    dir_: DirOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, dot, mermaid or json.")] = "text",
    focus: Annotated[str | None, typer.Option(help="Only records near this one (see --depth).")] = None,
    depth: Annotated[int | None, typer.Option(min=0, help="Edges to follow from --focus (default 2).")] = None,
    status: Annotated[str | None, typer.Option(help="Only records with this status.")] = None,
    area: Annotated[str | None, typer.Option(help="Only records that affect this area.")] = None,
    impact: Annotated[str | None, typer.Option(help="Every record depending on this one, with the path.")] = None,
    order: Annotated[bool, typer.Option("--order", help="A reading order (dependencies first); cycles listed.")] = False,
    areas: Annotated[bool, typer.Option("--areas", help="Records grouped by the areas they affect.")] = False,
) -> None:
    """Show how decisions depend on, replace and relate to each other.

    Example: adr graph --focus DR-003 --depth 1 --format mermaid
    """
    check_format(fmt, ("text", "dot", "mermaid", "json"))
    modes = [name for name, on in (("--impact", impact), ("--order", order), ("--areas", areas)) if on]
    if len(modes) > 1:
        raise typer.BadParameter(f"use one of {', '.join(modes)} at a time", param_hint=modes[1])
    if (order or areas) and fmt not in ("text", "json"):
        raise typer.BadParameter(f"{modes[0]} prints text or json", param_hint="--format")
    if depth is not None and focus is None:
        raise typer.BadParameter("--depth needs --focus", param_hint="--depth")
    from adr_tool.repository import gc_paused

    # collector paused from load to output, and what survives frozen before it resumes:
    # resuming otherwise rescans every record and edge (see cli.lint._run)
    with gc_paused():
        repo = load(dir_, paths)
        _graph_output(repo, fmt, focus, depth, status, area, impact, order, areas)
        freeze_loaded(repo)


def _graph_output(repo: Repository, fmt: str, focus: str | None, depth: int | None,
                  status: str | None, area: str | None, impact: str | None, order: bool,
                  areas: bool) -> None:
    """Build the graph of *repo* and print the view the options ask for."""
    from adr_tool.graph import build_graph
    from adr_tool.render import graph as render

    full = build_graph(repo)
    focus_id = _resolve(repo, full, focus, "--focus")
    impact_id = _resolve(repo, full, impact, "--impact")
    view = full.neighbourhood(focus_id, 2 if depth is None else depth) if focus_id else full
    keep = [i for i in (focus_id, impact_id) if i]
    if status is not None:
        view = view.filter(lambda r: (r.status or "") == status.casefold(), keep)
    if area is not None:
        wanted = area.strip().casefold()
        view = view.filter(lambda r: wanted in (a.strip().casefold() for a in r.affects), keep)
    if fmt == "text":
        _echo_diagnostics(view)
    if impact_id:
        if fmt in ("text", "json"):
            typer.echo(render.impact_json(view, impact_id) if fmt == "json"
                       else render.render_impact_text(view, impact_id))
        else:
            sub = view.subgraph([impact_id, *(d for d, _ in view.impact(impact_id))])
            typer.echo(render.render(sub, fmt, impact_id))
    elif order:
        typer.echo(render.order_json(view) if fmt == "json" else render.render_order_text(view))
    elif areas:
        typer.echo(render.areas_json(view) if fmt == "json" else render.render_areas_text(view))
    else:
        typer.echo(render.render(view, fmt, focus_id))


def which(
    paths: Annotated[list[str], typer.Argument(help="Changed files or folders, relative to the project root.")],
    dir_: DirOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """List the decisions whose `affects` paths or globs govern the given paths (accepted first).

    Example: adr which src/api/routes.py backend/render.yaml
    """
    check_format(fmt, ("text", "json"))
    from adr_tool.graph import build_graph
    from adr_tool.render import graph as render

    repo = load(dir_)
    matches = build_graph(repo).which_matches([_project_path(repo, p) for p in paths])
    typer.echo(render.which_json(matches) if fmt == "json" else render.render_which_text(matches))


def _resolve(repo: Repository, graph: DecisionGraph, ref: str | None, option: str) -> str | None:
    """Turn a user's reference (id, number, file name) into a node id, or stop with exit 1."""
    if ref is None:
        return None
    from adr_tool.errors import NotFoundError

    record = repo.get(ref)
    if record is None or record.id not in graph:
        raise NotFoundError(f"no record {ref!r} for {option}", "List ids with `adr list`.")
    return record.id


def _project_path(repo: Repository, path: str) -> str:
    """Express a path as `affects` patterns are written: relative to the project root."""
    base = (repo.config.root if repo.config.source else Path.cwd()).resolve()
    given = Path(path)
    absolute = (given if given.is_absolute() else Path.cwd() / given).resolve()
    return absolute.relative_to(base).as_posix() if absolute.is_relative_to(base) else path


def _echo_diagnostics(graph: DecisionGraph) -> None:
    """Findings about the records shown, on stderr so stdout stays clean for pipes."""
    for diag in sorted(graph.diagnostics, key=lambda d: d.sort_key):
        typer.echo(f"{diag.location()}: {diag.code} {diag.severity.value} {diag.message}", err=True)
