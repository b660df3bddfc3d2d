"""Commands that publish the records: ``adr build`` (static site) and ``adr serve``."""

from __future__ import annotations

from pathlib import Path
import sys
from typing import Annotated

import typer

from adr_tool.cli.common import DirOption, load

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
    from adr_tool.cli import fastbuild
    from adr_tool.site.options import SiteOptions

    options = SiteOptions(out=out, base_url=base_url, title=title)
    # main() may have tried the patch build for this very command line already
    patched = None if fastbuild.patch_declined() else fastbuild.patch_build_for(dir_, options)
    if patched is not None:
        result, problems = patched
        fastbuild.report(result, problems, quiet, typer.echo)
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
    fastbuild.report(result, len(repo.diagnostics), quiet, typer.echo)


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
