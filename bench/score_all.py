"""Time ``adr score --all`` on N generated records (default 10,000).

Usage: python -m bench.score_all [--records N] [--with-tables FRACTION]

Generated records are our own text: frontmatter, a few sections and, for the given
fraction of them, a 4-criterion x 3-option criteria table. Prints wall time and a summary.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import subprocess
import sys
import tempfile
import time

TABLE = """
## Decision Criteria

| Criterion | Weight | Alpha | Beta | Gamma |
|---|---|---|---|---|
| Cost | High | ✅ Cheap | ⚠️ Medium | ❌ Pricey |
| Speed | Medium | 4/5 | 3/5 | 5/5 |
| Support | Critical | ✅ | ✅ | ❌ |
| Docs | Low | ★★★☆☆ | ★★☆☆☆ | ★★★★★ |
"""


def write_records(folder: Path, count: int, fraction: float) -> int:
    """Write *count* records, every (1/fraction)-th with a criteria table; return that number."""
    folder.mkdir(parents=True, exist_ok=True)
    every = max(round(1 / fraction), 1) if fraction > 0 else 0
    with_tables = 0
    for i in range(1, count + 1):
        table = TABLE if every and i % every == 0 else ""
        with_tables += bool(table)
        (folder / f"DR-{i:05d}-choice-{i}.md").write_text(
            f"---\nid: DR-{i:05d}\ntitle: Choice {i}\nstatus: accepted\ndate: 2025-01-02\n"
            f"decision: Alpha\n---\n\n# DR-{i:05d}: Choice {i}\n\n## Context\n\n"
            f"Context for choice {i}.\n{table}\n## Decision\n\nWe pick Alpha.\n",
            encoding="utf-8")
    return with_tables


def main() -> None:
    """Generate, run, report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--with-tables", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "decisions"
        tables = write_records(folder, args.records, args.with_tables)
        adr = Path(sys.executable).with_name("adr")
        start = time.perf_counter()
        done = subprocess.run([str(adr), "score", "--all", "--dir", str(folder)],
                              capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
        print(f"{args.records} records, {tables} with a criteria table: "
              f"adr score --all took {elapsed:.2f} s (exit {done.returncode}); {last}")


if __name__ == "__main__":
    main()
