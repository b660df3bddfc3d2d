"""``adr lint`` and ``adr rules``: check records on every pull request.

Exit codes follow the lint contract (issue 3): 0 no errors (warnings allowed unless
``--strict``), 1 errors found, 2 usage or internal failure. Never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import os
from pathlib import Path
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from adr_tool.cli.common import DirOption, check_format, freeze_loaded

if TYPE_CHECKING:
    from adr_tool.repository import Repository

LINT_FORMATS = ("text", "json", "github", "sarif", "pr-comment")
EXIT_USAGE = 2
PER_FILE_IN_POOL = True
"""Run the per-file rules beside the parse, in the loader's pool workers (``PerFileLint``):
cold lint at 10,000 records 16.9 s instead of 19.2 s wall, ~3% more CPU (DR-021,
2026-12-03). False computes them in this process after the load, as before."""


def register(app: typer.Typer) -> None:
    """Attach ``lint`` and ``rules`` to *app*."""
    app.command("lint")(lint)
    app.command("rules")(rules)


@contextlib.contextmanager
def _lint_edge() -> Iterator[None]:
    """Map failures to exit 2 (the lint contract), one line each, never a traceback."""
    from adr_tool.errors import AdrError

    try:
        yield
    except AdrError as exc:
        typer.echo(f"adr: error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"  hint: {exc.hint}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    except (SystemExit, KeyboardInterrupt, typer.Exit):
        raise
    except Exception as exc:
        if type(exc).__module__.split(".")[0] in ("typer", "click"):
            raise
        import tempfile
        import traceback

        if os.environ.get("ADR_DEBUG"):
            traceback.print_exc()
        else:
            fd, log = tempfile.mkstemp(prefix="adr-crash-", suffix=".log")
            with os.fdopen(fd, "w") as fh:
                traceback.print_exc(file=fh)
            typer.echo(f"adr: internal error: {exc.__class__.__name__}: {exc}", err=True)
            typer.echo(f"  the traceback was saved to {log}; please report it", err=True)
        raise SystemExit(EXIT_USAGE) from None


def _split(values: list[str] | None) -> list[str]:
    return [p.strip() for v in values or [] for p in v.split(",") if p.strip()]


def _load_for_lint(dir_: Path | None, paths: list[Path] | None,
                   select: list[str] | None = None, ignore: list[str] | None = None,
                   every: bool = True) -> tuple[Repository, set[str] | None]:
    """Load the records folder; named files are the focus, resolved against the whole folder.

    When every record is linked (no named files, *every*), the per-file rules run beside
    the parse, in the loader's pool (``PerFileLint``).
    """
    from adr_tool.config import autodetect_dir, load_config
    from adr_tool.repository import Repository, load_repository

    start = dir_ if dir_ is not None and dir_.is_dir() else Path.cwd()
    config = load_config(start)
    if not paths:
        from adr_tool.lint.engine import per_file_hook

        folder = dir_ if dir_ is not None else autodetect_dir(config)
        hook = (per_file_hook(config, select or None, ignore or None)
                if every and PER_FILE_IN_POOL else None)
        return load_repository(folder, config=config, hook=hook), None
    named = load_repository(dir_, files=paths, config=config)
    focus = {r.path for r in named.records} | {d.path for d in named.diagnostics}
    folder = dir_ if dir_ is not None else autodetect_dir(config)
    inside = folder.is_dir() and any(
        Path(os.path.realpath(p)).is_relative_to(os.path.realpath(folder)) for p in paths)
    if not inside:
        return named, focus  # files from elsewhere are checked among themselves only
    whole = load_repository(folder, config=config)
    seen = {os.path.realpath(r.path) for r in named.records}
    extra = [r for r in whole.records if os.path.realpath(r.path) not in seen]
    merged = Repository(root=whole.root, config=config, records=[*named.records, *extra],
                        diagnostics=list(named.diagnostics), notes=list(named.notes))
    return merged, focus


def _write_output(path: Path, text: str) -> None:
    from adr_tool.errors import AdrError
    from adr_tool.writes import atomic_write

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text)
    except OSError as exc:
        raise AdrError(f"cannot write {path}: {exc.strerror or exc}") from None


def _colour(output: Path | None) -> bool:
    if output is not None or "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def lint(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Record files to check (default: the whole records folder).")] = None,
    dir_: DirOption = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f",
        help="text, json, github, sarif or pr-comment (default: github on GitHub Actions, "
             "else text).")] = None,
    select: Annotated[list[str] | None, typer.Option(
        "--select", help="Only these rules: codes, names or prefixes (ADR2), comma-separated.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        "--ignore", help="Skip these rules: codes, names or prefixes, comma-separated.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on warnings too.")] = False,
    diff_base: Annotated[str | None, typer.Option(
        "--diff-base", help="Report only records added or changed since this git ref.")] = None,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help="Ignore findings recorded in this baseline file.")] = None,
    write_baseline: Annotated[Path | None, typer.Option(
        "--write-baseline", help="Record today's findings in FILE and exit 0.")] = None,
    explain: Annotated[str | None, typer.Option(
        "--explain", help="Print the documentation of a rule (code or name) and exit.")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the report to FILE instead of standard output.")] = None,
) -> None:
    """Check decision records: metadata, references, sections, criteria tables.

    Example: adr lint --diff-base origin/main --format github
    """
    with _lint_edge():
        if explain is not None:
            _explain(explain)
            return
        if fmt is None:
            fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
        check_format(fmt, LINT_FORMATS)
        code = _run(paths, dir_, fmt, _split(select), _split(ignore), strict, diff_base,
                    baseline, write_baseline, output)
    raise typer.Exit(code)


def _explain(name: str) -> None:
    from adr_tool.lint.registry import get_rule

    rule = get_rule(name)
    if rule is None:
        typer.echo(f"adr: error: no rule named {name!r}", err=True)
        typer.echo("  hint: `adr rules` lists every code and name.", err=True)
        raise SystemExit(EXIT_USAGE)
    typer.echo(rule.explain(), nl=False)


def _run(paths: list[Path] | None, dir_: Path | None, fmt: str, select: list[str],
         ignore: list[str], strict: bool, diff_base: str | None, baseline: Path | None,
         write_baseline: Path | None, output: Path | None) -> int:
    from adr_tool import __version__
    from adr_tool.lint import run_lint
    from adr_tool.render.report import render_report
    from adr_tool.repository import gc_paused

    # collector paused from load to report, and what survives frozen before it resumes:
    # resuming otherwise rescans every object the run made (~0.4 s at 10,000 records)
    with gc_paused():
        repo, focus = _load_for_lint(dir_, paths, select, ignore, every=not diff_base)
        freeze_loaded(repo)
        result = run_lint(repo, select=select or None, ignore=ignore or None, strict=strict,
                          baseline=None if write_baseline else baseline, diff_base=diff_base,
                          only_paths=focus)
        freeze_loaded(repo)
    if write_baseline is not None:
        from adr_tool.lint.baseline import render_baseline

        _write_output(write_baseline, render_baseline(result.all_diagnostics, repo.config.root))
        typer.echo(f"wrote {len(result.all_diagnostics)} finding(s) to {write_baseline}", err=True)
        return 0
    text = render_report(result, fmt, color=_colour(output), version=__version__)
    if output is not None:
        _write_output(output, text)
    else:
        typer.echo(text, nl=False)
    return 1 if result.failed(strict) else 0


def rules(
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or markdown.")] = "text",
) -> None:
    """List every lint rule: code, name, default severity and what it reports.

    Example: adr rules --format json
    """
    from adr_tool.lint.registry import RULES
    from adr_tool.render.report import render_rules

    check_format(fmt, ("text", "json", "markdown"))
    typer.echo(render_rules(RULES, fmt), nl=False)
