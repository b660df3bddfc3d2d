"""The ``adr`` command: a thin Typer layer over the library API.

Start-up cost is most of a short command's time, so this module imports only the standard
library: ``main`` answers ``adr --version`` and the top-level help before typer is
imported, and the Typer app lives in ``adr_tool.cli.application``, which builds only the
command being run. Each command imports what it needs inside its body. Command modules
register themselves through ``register(app)``, are listed once in COMMAND_MODULES, and
each command name is mapped to its module in COMMANDS. ``adr_tool.cli.app`` is the full
Typer app (built on first access, for tests and embedding).
"""

from __future__ import annotations

import contextlib
import os
import sys

from adr_tool import __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

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

COMMANDS = {
    **dict.fromkeys(("init", "new", "list", "show"), "adr_tool.cli.records"),
    **dict.fromkeys(("status", "propose", "accept", "reject", "deprecate", "supersede", "link",
                     "unlink", "renumber", "index", "review"), "adr_tool.cli.lifecycle"),
    **dict.fromkeys(("migrate", "export"), "adr_tool.cli.migrate"),
    "score": "adr_tool.cli.score",
    **dict.fromkeys(("graph", "which"), "adr_tool.cli.graph"),
    **dict.fromkeys(("lint", "rules"), "adr_tool.cli.lint"),
    **dict.fromkeys(("build", "serve"), "adr_tool.cli.site"),
}
"""Which module registers each command: ``adr NAME`` imports and builds only that one.

A command missing here still works (the full app is built for any unknown name), only
slower; tests/test_startup.py checks this table against what the modules register.
"""

VERSION_ARGS = (["--version"], ["-V"])
"""Command lines answered without typer (the same text the eager --version option prints)."""

ROOT_HELP_ARGS: tuple[list[str], ...] = ([], ["-h"], ["--help"])
"""Command lines answered from ROOT_HELP_FILE when Typer would print exactly that."""

ROOT_HELP_FILE = "root_help.txt"
"""Typer's ``adr --help`` for the program name ``adr`` at the widest help width (a terminal
of 80 columns or more, or none). tests/test_startup.py compares it with Typer's output;
``pytest tests/test_startup.py --force-regen`` rewrites it after a command changes."""


def __getattr__(name: str) -> Any:
    """``app``: the full Typer app with every command, for tests and embedding."""
    if name == "app":
        from adr_tool.cli.application import full_app

        return full_app()
    raise AttributeError(f"module 'adr_tool.cli' has no attribute {name!r}")


def _echo_err(message: str) -> None:
    """typer.echo to stderr; typer is imported here only on the error path."""
    from typer import echo

    echo(message, err=True)


@contextlib.contextmanager
def error_edge() -> Iterator[None]:
    """Turn every failure into a one-line message and a meaningful exit code."""
    from adr_tool.errors import AdrError

    try:
        yield
    except AdrError as exc:
        _echo_err(f"adr: error: {exc.message}")
        if exc.hint:
            _echo_err(f"  hint: {exc.hint}")
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        _echo_err("adr: interrupted")
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
        import traceback

        if os.environ.get("ADR_DEBUG"):
            traceback.print_exc()
        else:
            import tempfile

            fd, log = tempfile.mkstemp(prefix="adr-crash-", suffix=".log")
            with os.fdopen(fd, "w") as fh:
                traceback.print_exc(file=fh)
            _echo_err(f"adr: internal error: {exc.__class__.__name__}: {exc}")
            _echo_err(f"  the traceback was saved to {log}; please report it")
        raise SystemExit(3) from None


def _columns() -> int:
    """Terminal width as click's help formatter gets it (``shutil.get_terminal_size``).

    Written out because importing shutil costs more than the rest of ``adr --help``.
    """
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def cached_root_help() -> str | None:
    """The saved top-level help, if Typer would print exactly that here; else None."""
    run_as = getattr(sys.modules.get("__main__"), "__package__", None)
    if os.name == "nt" or run_as or os.path.basename(sys.argv[0]) != "adr" or _columns() < 80:
        return None  # another program name (python -m adr_tool) or a narrower help text
    try:
        with open(os.path.join(os.path.dirname(__file__), ROOT_HELP_FILE), encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return None
    return text if text.startswith("Usage: adr ") else None


def main() -> None:
    """Console-script entry point.

    ``--version`` and the top-level help are answered without importing typer (about
    0.1 s of the 0.15 s they would take), and so is a plain ``adr build`` that the patch
    build can serve (``cli.fastbuild``); everything else goes through the Typer app.
    """
    with error_edge():
        args = sys.argv[1:]
        if args in VERSION_ARGS:
            sys.stdout.write(f"adr {__version__}\n")
            sys.stdout.flush()
            return
        if args in ROOT_HELP_ARGS and (text := cached_root_help()) is not None:
            stream = sys.stdout if args else sys.stderr  # no arguments: a usage error, exit 2
            stream.write(text)
            stream.flush()
            if not args:
                raise SystemExit(2)
            return
        if args[:1] == ["build"]:
            from adr_tool.cli.fastbuild import fast_build

            if fast_build(args):
                return
        from adr_tool.cli.application import run

        run(args)
