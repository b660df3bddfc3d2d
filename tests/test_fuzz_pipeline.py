"""Property tests: hostile records through load -> lint -> score -> graph -> site.

The only outcomes allowed are results and diagnostics, and every diagnostic points inside
its file. Each property runs a small number of examples on every test run; the same
properties run 10,000 examples each under ``pytest -m fuzz`` (see docs/reliability.md).
"""

from __future__ import annotations

from collections.abc import Callable
import os
from pathlib import Path
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest
from support.hostile import any_text, markdownish, random_bytes, tables, yamlish
from support.pipeline import misplaced, run_pipeline

QUICK = int(os.environ.get("ADR_QUICK_EXAMPLES", "40"))
"""Examples per property on every run (CI)."""
FUZZ = int(os.environ.get("ADR_FUZZ_EXAMPLES", "10000"))
"""Examples per property under ``-m fuzz``."""

KINDS: dict[str, st.SearchStrategy[str] | st.SearchStrategy[bytes]] = {
    "text": any_text,
    "frontmatter": yamlish,
    "markdown": markdownish,
    "tables": tables(),
    "bytes": random_bytes,
}


def check_one(content: str | bytes, name: str = "DR-001-fuzz.md") -> None:
    """Write one record (and a well-formed neighbour) and run the whole pipeline over them."""
    with tempfile.TemporaryDirectory(prefix="adr-fuzz-") as tmp:
        folder = Path(tmp) / "decisions"
        folder.mkdir()
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8", errors="surrogatepass")
        (folder / "DR-002-neighbour.md").write_text(
            "---\nid: DR-002\ntitle: Neighbour\nstatus: accepted\nrequires: [DR-001]\n---\n# Neighbour\n",
            encoding="utf-8")
        old = Path.cwd()
        os.chdir(tmp)
        try:
            result = run_pipeline(Path("decisions"))
            assert "load" in result.stages
            assert any(r.id == "DR-002" for r in result.repo.records)
            bad = misplaced(result.diagnostics, Path("decisions"))
        finally:
            os.chdir(old)
        assert not bad, bad


def _property(kind: str, examples: int) -> Callable[[], None]:
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(KINDS[kind])
    def prop(content: str | bytes) -> None:
        check_one(content)

    return prop  # type: ignore[no-any-return]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_hostile_records_only_give_results_and_diagnostics(kind: str) -> None:
    _property(kind, QUICK)()


@pytest.mark.fuzz
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_fuzz_long_run(kind: str) -> None:
    _property(kind, FUZZ)()


@pytest.mark.parametrize("content", [
    "", "\n", "---", "---\n", "---\n---", "---\n---\n", "\ufeff---\nid: 1\n---\n", "---\n- a\n---\n",
    "---\n: x\n---\n", "---\n? [a]\n: b\n---\n", "---\nid: [\n---\n", "\x00", "#", "|", "| a |\n|--|\n",
    "---\nid: &a [*a]\n---\n", "---\ndate: 2024-02-30\n---\n", "---\nid: 1\nid: 2\n---\n",
    "**Status:**", "## Status\n", "\r\r\r", "\u2028\u2029\x85",
])
def test_edge_cases(content: str) -> None:
    check_one(content)


@settings(max_examples=QUICK * 5, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.one_of(markdownish, tables()))
def test_native_parser_never_panics_visibly(capfd: pytest.CaptureFixture[str], text: str) -> None:
    """The '[' + open backtick pre-check keeps markdown-it's Rust panic message off stderr."""
    from adr_tool.markdown import parse_tree, render_html

    parse_tree(text)
    render_html(text)
    assert "panicked" not in capfd.readouterr().err


def test_limits_do_not_fire_on_real_records() -> None:
    """No record of ../shared (seeds and corpora) trips a size, depth or parser limit."""
    from adr_tool.parse import parse_source
    from adr_tool.sources import read_source
    from tests.conftest import REPO_ROOT, SHARED

    shared = SHARED if SHARED.is_dir() else REPO_ROOT.parent.parent / "shared"  # from a worktree
    files = sorted(p for p in shared.rglob("*") if p.is_file()) if shared.is_dir() else []
    if not files:
        pytest.skip("../shared seeds and corpora are absent")
    tripped = [d for f in files for d in parse_source(read_source(f)).diagnostics
               if d.code in ("ADR101", "ADR104", "ADR112", "ADR113")]  # limits, not content
    assert tripped == []
