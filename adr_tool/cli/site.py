"""Commands that publish the records: ``adr build`` (static site) and ``adr serve``."""

from __future__ import annotations

from pathlib import Path
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from adr_tool.cli.common import DirOption, load

if TYPE_CHECKING:
    from adr_tool.site.options import BuildResult, SiteOptions

PROGRESS_THRESHOLD = 200
"""Show a progress bar only for builds with at least this many records."""


def register(app: typer.Typer) -> None:
    """Attach this module's commands to *app*."""
    app.command("build")(build)
    app.command("serve")(serve)


def build(
    dir_: DirOption = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (replaced atomically).")] = Path("site"),
    base_url: Annotated[str, typer.Option("--base-url", help="Where the site will be hosted (feed and sitemap URLs).")] = "/",
    title: Annotated[str | None, typer.Option("--title", help="Site title (default: config title).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the path of index.html.")] = False,
) -> None:
    """Build the static decision site and print the path of its index.html.

    Example: adr build --out site --base-url https://example.org/decisions/
    """
    from adr_tool.site.options import SiteOptions

    options = SiteOptions(out=out, base_url=base_url, title=title)
    patched = _patch_build(dir_, options)
    if patched is not None:
        result, problems = patched
        _report(result, problems, quiet)
        return
    import time

    from adr_tool.site import build_site

    loaded_at = time.time_ns()
    repo = load(dir_)
    show_bar = not quiet and sys.stderr.isatty() and len(repo.records) >= PROGRESS_THRESHOLD
    if show_bar:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("building site", total=len(repo.records) * 2)
            stages = {"records": 0, "pages": len(repo.records)}

            def advance(stage: str, done: int, total: int) -> None:
                bar.update(task, completed=stages.get(stage, 0) + done)

            result = build_site(repo, options, progress=advance, loaded_at=loaded_at)
    else:
        result = build_site(repo, options, loaded_at=loaded_at)
    _report(result, len(repo.diagnostics), quiet)


def _patch_build(dir_: Path | None, options: SiteOptions) -> tuple[BuildResult, int] | None:
    """The patch build (only changed records re-rendered, DR-020), or None for the full one.

    Finds the config and records folder exactly as ``load`` does, without loading records.
    """
    from adr_tool.config import autodetect_dir, load_config
    from adr_tool.parse.cache import cache_disabled
    from adr_tool.site.snapshot import patch_build

    if cache_disabled():
        return None
    if dir_ is not None:
        config = load_config(dir_ if dir_.is_dir() else Path.cwd())
        root = dir_
    else:
        config = load_config(Path.cwd())
        root = autodetect_dir(config)
    return patch_build(config, root, options)


def _report(result: BuildResult, problems: int, quiet: bool) -> None:
    from adr_tool.sources import display_path

    if not quiet:
        typer.echo(
            f"built {result.pages} pages for {result.records} records in {result.seconds:.2f} s "
            f"({result.rendered} rendered, {result.reused} unchanged)"
            + (f"; {problems} load problem(s), see `adr lint`" if problems else ""),
            err=True,
        )
    typer.echo(display_path(result.index))


def serve(
    dir_: DirOption = None,
    port: Annotated[int, typer.Option("--port", "-p", help="TCP port.", min=0, max=65535)] = 8000,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (local only by default).")] = "127.0.0.1",
) -> None:
    """Build the site into a temporary folder, serve it and rebuild when records change.

    Example: adr serve --port 8000
    """
    from adr_tool.site.serve import run_server

    run_server(dir_, host=host, port=port, echo=lambda line: typer.echo(line, err=True))
