"""Options and helpers shared by several commands (typer + stdlib only)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from adr_tool.repository import Repository

DirOption = Annotated[
    Path | None,
    typer.Option("--dir", "-d", help="Folder of records (default: config, then autodetect).",
                 file_okay=True, dir_okay=True),
]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Also show notes (skipped files).")]


def load(dir_: Path | None, files: list[Path] | None = None) -> Repository:
    """Load the repository the way every read command does.

    The loaded records live until the command ends, so they are frozen out of the cyclic
    garbage collector: otherwise every full collection during graph/lint/score rescans all
    of them (about 1.3 s per collection at 2,000 records, most of ``adr graph``'s time).
    """
    from adr_tool.config import load_config
    from adr_tool.repository import load_repository

    if files:
        config = load_config(Path.cwd())
        repo = load_repository(dir_, files=files, config=config)
    elif dir_ is not None:
        start = dir_ if dir_.is_dir() else Path.cwd()
        config = load_config(start)
        repo = load_repository(dir_, config=config)
    else:
        repo = load_repository(None)
    freeze_loaded(repo)
    return repo


FREEZE_MIN_RECORDS = 200
"""Below this the collector's rescans cost nothing worth saving (and tests stay leak-free)."""


def freeze_loaded(repo: Repository) -> None:
    """Move everything allocated so far (the records) out of the collector's reach.

    Frozen objects are never collected, so this is only for the one repository a command
    process keeps until it exits; small repositories are left alone.
    """
    if len(repo.records) >= FREEZE_MIN_RECORDS:
        gc.freeze()


def echo_diagnostics(repo: Repository, verbose: bool = False) -> None:
    """Print load diagnostics (and notes in verbose mode) on stderr."""
    items = list(repo.diagnostics) + (list(repo.notes) if verbose else [])
    for diag in sorted(items, key=lambda d: d.sort_key):
        typer.echo(f"{diag.location()}: {diag.code} {diag.severity.value} {diag.message}", err=True)
        if diag.hint:
            typer.echo(f"    hint: {diag.hint}", err=True)


def check_format(value: str, allowed: tuple[str, ...]) -> str:
    """Refuse an unknown --format value with the usage exit code."""
    if value not in allowed:
        raise typer.BadParameter(f"{value!r} is not one of: {', '.join(allowed)}", param_hint="--format")
    return value
