"""``adr build``'s patch build (DR-020), reachable before Typer is imported.

Typer and the command app cost about as much as the patch build itself, so ``main`` hands
``adr build`` to ``fast_build`` first. It reads only command lines whose meaning is plain
(``build`` and its own options, each once, with ordinary values) and prints exactly what
``cli.site.build`` prints. Anything else, or a patch build that declines, returns False:
the Typer path then runs untouched (and, told by ``patch_declined``, skips a second
patch try).
Imports only the standard library at module level, like ``adr_tool.cli``.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from adr_tool.site.options import BuildResult, SiteOptions

VALUE_OPTIONS = {"--dir": "dir", "-d": "dir", "--out": "out", "-o": "out",
                 "--base-url": "base_url", "--title": "title"}
"""``adr build``'s options that take a value (see ``cli.site.build``), by destination."""
FLAG_OPTIONS = {"--quiet": "quiet", "-q": "quiet"}
PATH_OPTIONS = ("dir", "out")

_declined: list[str] | None = None
"""The command line for which ``fast_build`` ran the patch build and it declined."""


def patch_declined() -> bool:
    """Tell whether this process's command line was already refused by the patch build.

    Then the Typer path goes straight to the full build instead of trying again (the
    answer would be the same, only later).
    """
    return _declined is not None and _declined == sys.argv[1:]


def parse_build_args(args: list[str]) -> dict[str, str | bool] | None:
    """The options of ``adr build ...`` by destination, or None unless their meaning is plain.

    Plain: ``build`` first; then only ``build``'s options, each at most once, long ones as
    ``--opt value`` or ``--opt=value``, short ones as ``-o value``; no value empty or
    starting with ``-``; no path option naming an existing path that cannot be read (Typer
    refuses those). Everything else (help, unknown or repeated options, ``--``, bundled short
    flags) is left to Typer, whose messages and exit codes it must not imitate.
    """
    if args[:1] != ["build"]:
        return None
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ):
        return None  # shell completion: click's business
    chosen: dict[str, str | bool] = {}
    rest = args[1:]
    at = 0
    while at < len(rest):
        arg = rest[at]
        value: str | bool
        if arg in FLAG_OPTIONS:
            name, value = FLAG_OPTIONS[arg], True
            at += 1
        else:
            option, eq, attached = arg.partition("=")
            if option not in VALUE_OPTIONS or (eq and not option.startswith("--")):
                return None
            if eq:
                value = attached
                at += 1
            elif at + 1 < len(rest):
                value = rest[at + 1]
                at += 2
            else:
                return None
            name = VALUE_OPTIONS[option]
            if not value or value.startswith("-") or (name in PATH_OPTIONS and not _readable(value)):
                return None
        if name in chosen:
            return None
        chosen[name] = value
    return chosen


def _readable(path: str) -> bool:
    """False where Typer's path check would refuse *path* (it exists but cannot be read)."""
    try:
        os.stat(path)
    except OSError:
        return True
    except ValueError:
        return False
    return os.access(path, os.R_OK)


def fast_build(args: list[str]) -> bool:
    """Run ``adr *args`` as a patch build if it is a plain ``adr build``; True when done."""
    global _declined
    chosen = parse_build_args(args)
    if chosen is None:
        return False
    from pathlib import Path

    from adr_tool.site.options import SiteOptions

    dir_ = chosen.get("dir")
    options = SiteOptions(out=Path(str(chosen.get("out", "site"))),
                          base_url=str(chosen.get("base_url", "/")),
                          title=str(chosen["title"]) if "title" in chosen else None)
    patched = patch_build_for(Path(str(dir_)) if dir_ is not None else None, options)
    if patched is None:
        _declined = list(args)
        return False
    result, problems = patched
    report(result, problems, bool(chosen.get("quiet", False)), echo)
    return True


def patch_build_for(dir_: Path | None, options: SiteOptions) -> tuple[BuildResult, int] | None:
    """The patch build (only changed records re-rendered, DR-020), or None for the full one.

    Finds the config file and records folder exactly as ``cli.common.load`` does, without
    loading records or validating the config: the patch build takes the last full build's
    config when it was validated from the same settings, and declines otherwise (so an
    invalid config is reported by the full path, as before).
    """
    from pathlib import Path

    from adr_tool.configfile import RecordSettings, autodetect_dir, config_inputs, settings_key
    from adr_tool.parse.cache import cache_disabled
    from adr_tool.site.snapshot import patch_build

    if cache_disabled():
        return None
    values = config_inputs(dir_ if dir_ is not None and dir_.is_dir() else Path.cwd())
    if dir_ is not None:
        root = dir_
    else:
        folder = values.get("dir", "decisions")  # Config.dir's default (a mismatch: full path)
        if type(folder) is not str:
            return None  # not what Config keeps: let it validate (and complain)
        root = autodetect_dir(RecordSettings(root=values["root"], source=values["source"], dir=folder))
    return patch_build(settings_key(values), root, options)


def report(result: BuildResult, problems: int, quiet: bool, say: Callable[..., None]) -> None:
    """Print what ``adr build`` prints after a build: the summary line, then index.html's path."""
    from adr_tool.sources import display_path

    if not quiet:
        say(f"built {result.pages} pages for {result.records} records in {result.seconds:.2f} s "
            f"({result.rendered} rendered, {result.reused} unchanged)"
            + (f"; {problems} load problem(s), see `adr lint`" if problems else ""),
            err=True)
    say(display_path(result.index))


def echo(message: str, err: bool = False) -> None:
    """``typer.echo`` of a str without typer: the line, then a flush.

    click strips escape sequences when the stream is no terminal and may re-wrap a stream
    whose encoding is ASCII; such messages go to typer's echo itself.
    """
    if not message.isascii() or "\x1b" in message:
        from typer import echo as typer_echo

        typer_echo(message, err=err)
        return
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    stream.write(message + "\n")
    stream.flush()
