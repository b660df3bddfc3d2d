"""The site's score cache is keyed by what scoring reads, not by the whole body (DR-020).

``site.scores.cached_scores`` keys a record's score views by its tables (with sections and
positions), the few fields scoring reads and the score settings. An edit elsewhere in the
body reuses them, and they must equal scoring the edited record afresh.
"""

from __future__ import annotations

from pathlib import Path

from adr_tool.config import Config
from adr_tool.parse import parse_text
from adr_tool.site.cache import ContentCache
from adr_tool.site.scores import build_scores, cached_scores
from bench.corpus import RECORDS_DIR, generate

FIXTURE = Path(__file__).parent / "fixtures" / "site_project" / "decisions" / "DR-002-use-postgres.md"
ROW = "| Transactions | 5 | 5 | 3 | 1 |"


def test_a_body_edit_outside_the_tables_reuses_the_scores(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    path = "decisions/DR-002-use-postgres.md"
    config = Config()
    cache = ContentCache(tmp_path / "cache")
    records = [parse_text(t, path).record for t in (
        text, text + "\nA new closing paragraph.\n", text.replace(ROW, ROW.replace("5 | 5", "5 | 2")),
        text.replace("## Context\n", "## Context\n\nA line above the table.\n"))]
    first, appended, cell, shifted = records
    assert first is not None and appended is not None and cell is not None and shifted is not None
    views = cached_scores(first, config, cache)
    assert views and cache.misses["scores"] == 1
    assert cached_scores(appended, config, cache) == build_scores(appended, config) == views
    assert cache.hits["scores"] == 1
    changed = cached_scores(cell, config, cache)
    assert cache.misses["scores"] == 2 and changed == build_scores(cell, config) != views
    # lines moved: scored again (positions are in the key), to the same views
    assert cached_scores(shifted, config, cache) == build_scores(shifted, config) == views
    assert cache.misses["scores"] == 3


def test_reused_scores_equal_fresh_ones_across_a_corpus(tmp_path: Path) -> None:
    corpus = generate(tmp_path / "corpus", 120, seed=5)
    config = Config()
    cache = ContentCache(tmp_path / "cache")
    scored = 0
    for file in sorted((corpus.root / RECORDS_DIR).glob("*.md")):
        text = file.read_text(encoding="utf-8")
        before = parse_text(text, file.name).record
        after = parse_text(text + "\nAn edit at the end, [with a link](https://example.org).\n",
                           file.name).record
        assert before is not None and after is not None
        if not before.tables:
            continue
        cached_scores(before, config, cache)
        assert cached_scores(after, config, cache) == build_scores(after, config)
        scored += 1
    assert scored > 10
    assert cache.hits["scores"] == scored
