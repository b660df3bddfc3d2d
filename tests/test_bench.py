"""The benchmark runs end to end on a tiny corpus and writes its table (no timing asserted)."""

from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys

from bench.corpus import generate, iter_records
from bench.run import END, START, write_report

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_corpus_is_deterministic_and_sized(tmp_path: Path) -> None:
    first = list(iter_records(30, seed=3))
    assert first == list(iter_records(30, seed=3))
    assert first != list(iter_records(30, seed=4))
    sizes = [len(text.encode()) for _, text in first]
    assert min(sizes) >= 3000 and max(sizes) <= 8300
    texts = "\n".join(text for _, text in first)
    assert "requires: [" in texts and "| Criterion | Weight |" in texts  # DR records
    assert "## Status" in texts  # adr-tools / Nygard records
    assert "Chosen option:" in texts  # MADR records
    corpus = generate(tmp_path / "c", 30, seed=3)
    assert len(list(corpus.records_dir.glob("*.md"))) == 30
    assert (corpus.root / ".log4brains.yml").is_file() and (corpus.root / ".adr.toml").is_file()


def test_links_between_generated_records_resolve(tmp_path: Path) -> None:
    corpus = generate(tmp_path / "c", 60, seed=5)
    names = {p.name for p in corpus.records_dir.iterdir()}
    import re

    targets = set()
    for path in corpus.records_dir.iterdir():
        targets.update(re.findall(r"\]\((DR-[^)]+\.md)\)", path.read_text(encoding="utf-8")))
    assert targets and targets <= names


def test_bench_runs_on_a_tiny_corpus(tmp_path: Path) -> None:
    out = tmp_path / "performance.md"
    out.write_text("# Performance\n\nintro kept\n\n" + START + "\nstale-table\n" + END + "\n\ntail kept\n")
    raw = tmp_path / "raw.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--sizes", "20", "--runs", "1", "--warmup", "0", "--no-peers",
         "--output", str(out), "--json", str(raw), "--workdir", str(tmp_path / "work")],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nintro kept") and text.rstrip().endswith("tail kept")
    assert "stale-table" not in text.split(START)[1].split(END)[0]
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| workload | records | median |")
    rows = {line.split(" | ")[0].lstrip("| "): line for line in table[2:]}
    warm = "`adr list --format json` (load only), warm cache"
    assert "`adr --help`" in rows and warm in rows and "`adr lint`, cold" in rows
    assert " s | " in rows[warm]  # it ran and was timed
    results = json.loads(raw.read_text(encoding="utf-8"))
    by_name = {r["workload"]: r for r in results}
    assert by_name["list"]["records"] == 20 and by_name["list"]["runs"] == 1
    for result in results:  # every workload either ran or says why not
        assert ("median_s" in result) != (result["skipped"] is not None)
        if result["skipped"]:
            assert result["skipped"] == "n/a (command not available)"


def test_write_report_creates_the_file(tmp_path: Path) -> None:
    target = tmp_path / "docs" / "performance.md"
    write_report(target, "| a |")
    assert target.read_text(encoding="utf-8") == f"# Performance\n\n{START}\n| a |\n{END}\n"
