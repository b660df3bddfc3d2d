"""The Typer app behind ``adr``; imported only once a command line needs typer."""

from __future__ import annotations

import functools
import importlib
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from adr_tool import __version__
from adr_tool.cli import COMMAND_MODULES, error_edge


class _EdgeGroup(TyperGroup):
    """Runs every command inside the error edge, for the console script and CliRunner alike."""

    def invoke(self, ctx: Any) -> Any:
        with error_edge():
            return super().invoke(ctx)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"adr {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", help="Print the version and exit.", callback=_version,
                           is_eager=True)
    ] = False,
) -> None:
    """Architecture decision records as code."""


def new_app() -> typer.Typer:
    """An ``adr`` app with the root options and no commands yet."""
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
    app.callback()(_root)
    return app


@functools.cache
def full_app() -> typer.Typer:
    """The app with every command of every module, in help order."""
    app = new_app()
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(app)
    return app


def run(args: list[str]) -> None:
    """Run the command line *args* (``sys.argv[1:]``) through Typer."""
    del args
    full_app()()
