"""``adr build`` before Typer (``adr_tool.cli.fastbuild``): the same outcome as the Typer path.

``main`` answers a plain ``adr build`` with the patch build (DR-020) without importing
typer. CliRunner starts at the Typer app, so these tests run ``main`` and the Typer path
(``application.run``) in fresh interpreters, on twin copies of one project, and compare
stdout, stderr (the build time masked), exit codes and every byte of the built site.
"""

from __future__ import annotations

import os
from pathlib import Path
import re
import shutil
import subprocess
import sys
import time

import pytest

from adr_tool.cli.fastbuild import parse_build_args
from adr_tool.site.snapshot import RACY_NS

FIXTURE = Path(__file__).parent / "fixtures" / "site_project"
RECORD = "decisions/DR-002-use-postgres.md"

FAST = """
import sys
sys.argv = ["adr", *sys.argv[1:]]
from adr_tool.cli import main
try:
    main()
finally:
    if "typer" in sys.modules:
        sys.stderr.write("<typer imported>\\n")
"""
TYPER = """
import sys
sys.argv = ["adr", *sys.argv[1:]]
from adr_tool.cli.application import run
run(sys.argv[1:])
"""


def adr(code: str, args: list[str], cwd: Path, cache: Path) -> tuple[int, str, str]:
    """Run ``adr *args`` through *code* in a fresh interpreter: exit code, stdout, stderr."""
    env = {**os.environ, "ADR_CACHE_DIR": str(cache), "NO_COLOR": "1", "COLUMNS": "100"}
    env.pop("ADR_NO_CACHE", None)
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False, timeout=120)
    return done.returncode, done.stdout, re.sub(r" in \d+\.\d\d s ", " in T s ", done.stderr)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def twins(tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of the fixture project (one for each path), each with its own cache."""
    pair = []
    for name in ("fast", "typer"):
        project = tmp_path / name / "project"
        shutil.copytree(FIXTURE, project)
        # a record with a load problem, so the summary carries the problem count
        (project / "decisions" / "DR-009-broken.md").write_text("---\nid: [broken\n---\n\n# x\n",
                                                                encoding="utf-8")
        pair.append(project)
    # files changed within RACY_NS of a build get no signature (DR-020): were the copies that
    # young, whether a warm build re-reads all of them or one would depend on how long the
    # first cold build took on a busy machine
    time.sleep(RACY_NS / 1e9 + 0.2)
    return pair[0], pair[1]


def edit(project: Path, text: str) -> None:
    path = project / RECORD
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.parametrize("options", [
    ["--out", "site"],
    ["--quiet"],
    ["-q", "-o", "public", "--base-url=https://example.org/d/", "--title", "Our decisions"],
    ["--dir", "decisions", "--out=site", "--title=T"],
])
def test_fast_path_prints_and_builds_what_typer_does(twins: tuple[Path, Path], options: list[str]) -> None:
    fast, typer = twins
    out = next((o.partition("=")[2] or options[i + 1] for i, o in enumerate(options)
                if o.partition("=")[0] in ("--out", "-o")), "site")
    # first build: no snapshot, so the fast path declines and the full build runs (once)
    cold_fast = adr(FAST, ["build", *options], fast, fast.parent / "cache")
    cold_typer = adr(TYPER, ["build", *options], typer, typer.parent / "cache")
    assert cold_fast == (cold_typer[0], cold_typer[1], cold_typer[2] + "<typer imported>\n")
    assert tree(fast / out) == tree(typer / out)
    for round_ in range(2):
        edit(fast, f"\nMore text {round_}.\n")
        edit(typer, f"\nMore text {round_}.\n")
        warm_fast = adr(FAST, ["build", *options], fast, fast.parent / "cache")
        warm_typer = adr(TYPER, ["build", *options], typer, typer.parent / "cache")
        assert "<typer imported>" not in warm_fast[2]  # the pre-Typer path served it
        assert warm_fast == warm_typer
        assert warm_fast[0] == 0 and warm_fast[1].strip().endswith("index.html")
        assert tree(fast / out) == tree(typer / out)
    if "--quiet" not in options and "-q" not in options:
        assert "1 load problem(s)" in warm_fast[2]


@pytest.mark.parametrize("args", [
    ["build", "--help"],
    ["build", "--bogus"],
    ["build", "--out"],
    ["build", "extra"],
])
def test_other_command_lines_get_typers_answer(tmp_path: Path, args: list[str]) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    fast = adr(FAST, args, project, tmp_path / "cache")
    typer = adr(TYPER, args, project, tmp_path / "cache")
    assert fast == (typer[0], typer[1], typer[2] + "<typer imported>\n")
    assert fast[0] != 0 or args == ["build", "--help"]


def test_errors_are_the_same_one_line_message(tmp_path: Path) -> None:
    """A refused --out fails in the patch build's own checks: same message, same exit code."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    args = ["build", "--out", "decisions/.."]
    fast = adr(FAST, args, project, tmp_path / "cache")
    typer = adr(TYPER, args, project, tmp_path / "cache")
    assert fast[0] == typer[0] == 1
    assert fast[:2] == typer[:2] and fast[2].startswith(typer[2])
    assert "Traceback" not in fast[2]


@pytest.mark.parametrize(("args", "expected"), [
    (["build"], {}),
    (["build", "-q", "--out", "x", "-d", "d"], {"quiet": True, "out": "x", "dir": "d"}),
    (["build", "--base-url=/b/", "--title", "A title"], {"base_url": "/b/", "title": "A title"}),
])
def test_plain_command_lines_are_read(args: list[str], expected: dict[str, object]) -> None:
    assert parse_build_args(args) == expected


@pytest.mark.parametrize("args", [
    [], ["lint"], ["build", "-h"], ["build", "--help"], ["build", "--quiet", "--quiet"],
    ["build", "-qo", "x"], ["build", "-ox"], ["build", "-o=x"], ["build", "--out"],
    ["build", "--out", "--quiet"], ["build", "--out="], ["build", "--"], ["build", "x"],
    ["build", "--quiet=1"], ["build", "--ou", "x"], ["build", "--out", "a", "-o", "b"],
])
def test_anything_else_is_left_to_typer(args: list[str]) -> None:
    assert parse_build_args(args) is None
