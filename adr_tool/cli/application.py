"""The Typer app behind ``adr``; imported only once a command line needs typer.

Typer turns every command's signature into click parameters when the app is called, which
costs more than importing the command modules: ``run`` therefore builds only the command
named on the command line. The top-level help lists every command from stand-ins that
carry just the name and docstring, so it prints the same text without building any.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import copy
import functools
import importlib
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.models import CommandInfo

from adr_tool import __version__
from adr_tool.cli import COMMAND_MODULES, COMMANDS, error_edge

ROOT_OPTIONS = frozenset({"-h", "--help", "-V", "--version"})
"""Options of ``adr`` itself; none takes a value, so the first other word is the command."""


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


def _registered(modules: Sequence[str]) -> typer.Typer:
    app = new_app()
    for module in modules:
        importlib.import_module(module).register(app)
    return app


@functools.cache
def full_app() -> typer.Typer:
    """The app with every command of every module, in help order."""
    return _registered(COMMAND_MODULES)


def command_app(name: str) -> typer.Typer:
    """The app with just the command *name* (its module imported, no other)."""
    app = _registered([COMMANDS[name]])
    app.registered_commands = [c for c in app.registered_commands if c.name == name]
    return app


def _stand_in(callback: Callable[..., Any]) -> Callable[[], None]:
    """A parameterless function with *callback*'s name and docstring (help listing only)."""

    def stand_in() -> None:
        raise RuntimeError(f"{callback.__name__}: a help-only stand-in was invoked")

    stand_in.__name__ = callback.__name__
    stand_in.__doc__ = callback.__doc__
    return stand_in


def help_app() -> typer.Typer:
    """The app for the top-level help: every command listed, none of their options built."""
    app = _registered(COMMAND_MODULES)
    commands: list[CommandInfo] = []
    for info in app.registered_commands:
        light = copy.copy(info)
        if info.callback is not None:
            light.callback = _stand_in(info.callback)
        commands.append(light)
    app.registered_commands = commands
    return app


def invoked_command(args: Sequence[str]) -> str | None:
    """The command *args* run: "" when none will (help or version first), None when unsure.

    Root options are eager: ``adr --help new`` prints the top-level help and runs nothing.
    """
    if args and args[0] in ROOT_OPTIONS:
        return ""
    if not args:
        return ""
    return None if args[0].startswith("-") else args[0]


def run(args: Sequence[str]) -> None:
    """Run the command line *args* (``sys.argv[1:]``) through Typer, building only what it needs.

    Anything unusual (an unknown command or root option, ``--``) gets the full app, so
    usage errors and "did you mean" suggestions stay exactly Typer's.
    """
    name = invoked_command(args)
    if name == "":
        app = help_app()
    elif name is not None and name in COMMANDS:
        app = command_app(name)
    else:
        app = full_app()
    app()
