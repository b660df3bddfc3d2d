"""Record pages made in a process pool (``adr_tool.site.parallel``) give the serial build's site.

Each test drives the real CLI twice on the same project, once with the pool forced
(``ADR_PARALLEL_PAGES=1``) and once with it off, each with an empty cache folder, and
compares every output byte. The snapshot a pool build leaves must serve patch builds too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import shutil

import pytest

import adr_tool.site.model
from adr_tool.site.parallel import pool_workers

FIXTURE = Path(__file__).parent / "fixtures" / "site_project"

pytestmark = pytest.mark.skipif(not pool_workers(), reason="a pool needs two cores and fork")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The site fixture plus 40 records, two of them linking different files of one slug."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    images = root / "decisions" / "images"
    images.mkdir(exist_ok=True)
    (images / "Flow Chart.png").write_bytes(b"\x89PNG first")
    (images / "flow-chart.png").write_bytes(b"\x89PNG second")
    for n in range(10, 50):
        link = {12: "![a](images/Flow%20Chart.png)", 45: "![b](images/flow-chart.png)"}.get(n, "")
        (root / "decisions" / f"DR-{n:03d}-extra-{n}.md").write_text(
            f"---\nid: DR-{n:03d}\ntitle: Extra decision {n}\nstatus: accepted\ndate: 2024-03-{n % 28 + 1:02d}\n"
            f"tags: [t{n % 5}]\nrequires: [DR-{n - 1:03d}]\n---\n\n# Extra decision {n}\n\n"
            f"## Context\n\nSee [DR-002](DR-002-use-postgres.md). {link}\n\n```python\nx = {n}\n```\n",
            encoding="utf-8")
    monkeypatch.setattr("adr_tool.site.snapshot.RACY_NS", 0)  # files this fresh count as changed
    monkeypatch.chdir(root)
    return root


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(cli: Callable[..., object], monkeypatch: pytest.MonkeyPatch, project: Path, out: str,
          threshold: int, cache: str, *args: str) -> int:
    """Build *out* with ``ADR_PARALLEL_PAGES=threshold``; return how many pool builds ran."""
    calls: list[int] = []
    real = adr_tool.site.model.make_pages

    def counting(*a: object, **k: object) -> object:
        calls.append(1)
        return real(*a, **k)  # type: ignore[arg-type]

    with monkeypatch.context() as m:
        m.setattr(adr_tool.site.model, "make_pages", counting)
        m.setenv("ADR_PARALLEL_PAGES", str(threshold))
        m.setenv("ADR_CACHE_DIR", str(project.parent / cache))
        result = cli("build", "--out", out, *args)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return len(calls)


def test_pool_build_equals_serial_build(project: Path, cli: Callable[..., object],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert build(cli, monkeypatch, project, "pool", 1, "cache-pool") == 1
    assert build(cli, monkeypatch, project, "serial", 10**9, "cache-serial", "--quiet") == 0
    pool, serial = tree(project / "pool"), tree(project / "serial")
    assert pool == serial
    # the two files of one slug got distinct paths, in record order, as a serial build gives them
    assert pool["media/images/flow-chart.png"] == b"\x89PNG first"
    assert pool["media/images/flow-chart-2.png"] == b"\x89PNG second"
    assert b"../media/images/flow-chart-2.png" in pool["records/dr-045.html"]


def test_patch_build_after_a_pool_build_equals_a_cold_build(project: Path, cli: Callable[..., object],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    build(cli, monkeypatch, project, "site", 1, "cache", "--quiet")
    record = project / "decisions" / "DR-020-extra-20.md"
    record.write_text(record.read_text(encoding="utf-8").replace("x = 20", "y = 21"), encoding="utf-8")
    assert build(cli, monkeypatch, project, "site", 1, "cache", "--quiet") == 0  # the patch path
    build(cli, monkeypatch, project, "fresh", 10**9, "cold-cache", "--quiet")
    assert tree(project / "site") == tree(project / "fresh")


def test_warm_pool_build_reuses_pages(project: Path, cli: Callable[..., object],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A template-independent option change re-renders every page, in the pool, through the cache."""
    build(cli, monkeypatch, project, "site", 1, "cache", "--quiet")
    first = tree(project / "site")
    assert build(cli, monkeypatch, project, "site", 1, "cache", "--quiet", "--base-url", "/docs/") == 1
    assert build(cli, monkeypatch, project, "site", 1, "cache", "--quiet") == 1
    assert tree(project / "site") == first
