"""The ``adr`` command: a thin Typer layer over the library API.

Only typer and the standard library are imported here; each command imports what it
needs inside its body so ``adr --help`` stays fast. Command modules register themselves
through ``register(app)`` and are listed once, in COMMAND_MODULES.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import importlib
import os
import sys
import traceback
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from adr_tool import __version__

COMMAND_MODULES = (
    "adr_tool.cli.records",
    "adr_tool.cli.lifecycle",
    "adr_tool.cli.migrate",
    "adr_tool.cli.score",
    "adr_tool.cli.graph",
    "adr_tool.cli.lint",
    "adr_tool.cli.site",
)
"""Every command module, in help order. Each defines ``register(app)``."""

class _EdgeGroup(TyperGroup):
    """Runs every command inside the error edge, for the console script and CliRunner alike."""

    def invoke(self, ctx: Any) -> Any:
        with error_edge():
            return super().invoke(ctx)


app = typer.Typer(
    cls=_EdgeGroup,
    name="adr",
    help="Architecture decision records as code: parse, lint, link, score and publish them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"adr {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", help="Print the version and exit.", callback=_version,
                           is_eager=True)
    ] = False,
) -> None:
    """Architecture decision records as code."""


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


@contextlib.contextmanager
def error_edge() -> Iterator[None]:
    """Turn every failure into a one-line message and a meaningful exit code."""
    from adr_tool.errors import AdrError

    try:
        yield
    except AdrError as exc:
        typer.echo(f"adr: error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"  hint: {exc.hint}", err=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        typer.echo("adr: interrupted", err=True)
        raise SystemExit(130) from None
    except BrokenPipeError:
        with contextlib.suppress(Exception):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(1) from None
    except SystemExit:
        raise
    except BaseException as exc:  # last resort: never show a traceback to a user
        # BaseException, not Exception: pyo3's PanicException (a panic in native parser
        # code) derives from BaseException and must not escape as a traceback either
        if type(exc).__module__.split(".")[0] in ("typer", "click"):
            raise  # the framework's own control flow (usage errors, Exit, Abort)
        if os.environ.get("ADR_DEBUG"):
            traceback.print_exc()
        else:
            import tempfile

            fd, log = tempfile.mkstemp(prefix="adr-crash-", suffix=".log")
            with os.fdopen(fd, "w") as fh:
                traceback.print_exc(file=fh)
            typer.echo(f"adr: internal error: {exc.__class__.__name__}: {exc}", err=True)
            typer.echo(f"  the traceback was saved to {log}; please report it", err=True)
        raise SystemExit(3) from None


def main() -> None:
    """Console-script entry point."""
    with error_edge():
        app()
