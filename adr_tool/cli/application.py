"""The Typer app behind ``adr``; imported only once a command line needs typer.

Typer turns every command's signature into click parameters when the app is called, which
costs more than importing the command modules: ``run`` therefore builds only the command
named on the command line. The top-level help lists every command from stand-ins that
carry just the name and docstring, so it prints the same text without building any.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
import copy
from dataclasses import dataclass
import functools
import importlib
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandInfo

from adr_tool import __version__
from adr_tool.cli import COMMAND_MODULES, COMMANDS, error_edge

ROOT_OPTIONS = frozenset({"-h", "--help", "-V", "--version"})
"""Options of ``adr`` itself: all eager, so a command line starting with one runs no command."""


class _EdgeGroup(TyperGroup):
    """Runs every command inside the error edge, for the console script and CliRunner alike.

    Its parameters convert plain values without pydantic (see ``plain_coercion``).
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        plain_coercion(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        plain_coercion([option])
        return option

    def invoke(self, ctx: Any) -> Any:
        with error_edge():
            return super().invoke(ctx)


class _PlainCommand(TyperCommand):
    """A command whose parameters convert plain values without pydantic."""

    def __init__(self, *args: Any, **attrs: Any) -> None:
        super().__init__(*args, **attrs)
        plain_coercion(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        plain_coercion([option])
        return option


def plain_coercion(params: Iterable[Any]) -> None:
    """Convert ``str``, ``bool``, ``list[str]`` and ``Path`` parameters without pydantic.

    typer 0.29 validates every parameter value through a pydantic TypeAdapter built on
    first use, so every command imports pydantic (~0.1 s) even when, like ``adr new``, it
    needs nothing else from it. For a str or list of str from the command line, and a bool
    from a flag, that adapter returns the value itself; for a Path it returns typer's own
    path check of ``Path(value)``. So those values are converted here and anything else
    still goes to typer's adapter. Other types, and a typer without adapters, are left alone.
    """
    plain = _plain_param_class()
    if plain is None:
        return
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)  # None for click's own types
        if getattr(param, "_runtime_param", 0) is not None or descriptor is None:
            continue
        kind = _plain_kind(descriptor)
        if kind is not None:
            param._runtime_param = plain(descriptor.parameter_info, descriptor.annotation, kind)


def _plain_kind(descriptor: Any) -> str | None:
    """"str", "bool", "list" (of str), "path" or "paths" (a list of Path) when *descriptor*
    is one of those types; "later" for any other type, whose adapter is then built only when
    a value comes (an ``int | None`` option left out never needs one)."""
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None:
        return None
    annotation = descriptor.annotation
    if annotation is str or annotation is bool:
        return annotation.__name__
    if annotation == list[str]:
        return "list"
    if info.path_type is None:
        if annotation is Path:
            return "path"
        if annotation == list[Path]:
            return "paths"
    return "later"


_EXACT: dict[str, type] = {"str": str, "bool": bool}


@functools.cache
def _plain_param_class() -> type[Any] | None:
    """typer's RuntimeParam for plain values, or None for a typer without one."""
    try:
        from typer._coercion import RuntimeParam, build_runtime_param
        from typer._param_types import coerce_cli_path
    except ImportError:  # pragma: no cover - typer before runtime coercion
        return None

    @dataclass(frozen=True)
    class PlainParam(RuntimeParam):
        """Returns plain command-line strings as the adapter would, without building it."""

        kind: str

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if type(value) is _EXACT.get(self.kind):
                return value
            if (self.kind == "list" and isinstance(value, list | tuple)
                    and all(type(item) is str for item in value)):
                return list(value)
            if self.kind == "path" and (type(value) is str or isinstance(value, Path)):
                # a Path comes as a default value (``adr build --out``'s ``Path("site")``)
                return coerce_cli_path(Path(value), self.parameter_info, path_type=Path,
                                       param=param, ctx=ctx)
            if (self.kind == "paths" and isinstance(value, list | tuple)
                    and all(type(item) is str for item in value)):
                return [coerce_cli_path(Path(item), self.parameter_info, path_type=Path,
                                        param=param, ctx=ctx) for item in value]
            exact = build_runtime_param(param.type_descriptor)
            return exact._coerce_value(value, param=param, ctx=ctx)

    return PlainParam


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
    for info in app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = _PlainCommand
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
    if not args or args[0] in ROOT_OPTIONS:
        return ""
    return None if args[0].startswith("-") else args[0]


def run(args: Sequence[str]) -> None:
    """Run ``adr`` through Typer, building only what the command line *args* needs.

    *args* is ``sys.argv[1:]``, which Typer then reads itself (as it always did).

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
