"""Per-record cost of the candidate Markdown and YAML parsers (the figures behind DR-003).

``python -m bench.parsers [--records 300]`` times, on the bench corpus, in this process:
Markdown rendering with markdown-it-py, markdown-it-pyrs and mistune (each when installed),
markdown-it-pyrs tree building (what the loader uses), YAML frontmatter with PyYAML's C
and pure-Python safe loaders, and the whole ``adr`` parse of one record. CPU time, best of
five passes, per record.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
import importlib.util
import tempfile
import time

from bench.corpus import iter_records


def _best(fn: Callable[[], object], passes: int = 5) -> float:
    best = float("inf")
    for _ in range(passes):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def measure(count: int = 300, seed: int = 7) -> list[tuple[str, float | None]]:
    """(label, ms per record) for every candidate; None when the library is not installed."""
    texts = [text for _, text in iter_records(count, seed)]
    frontmatters = [t.split("\n---\n", 1)[0][4:] for t in texts if t.startswith("---\n")]
    rows: list[tuple[str, float | None]] = []

    def add(label: str, module: str, make: Callable[[], Callable[[str], object]], items: list[str]) -> None:
        if importlib.util.find_spec(module) is None:
            rows.append((label, None))
            return
        fn = make()
        rows.append((label, _best(lambda: [fn(t) for t in items]) / len(items) * 1000))

    def md_py() -> Callable[[str], object]:
        import markdown_it

        md = markdown_it.MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
        return md.render

    def md_rs(kind: str) -> Callable[[], Callable[[str], object]]:
        def make() -> Callable[[str], object]:
            from adr_tool.markdown import parser

            md = parser()
            return md.render if kind == "render" else md.tree
        return make

    def mistune_render() -> Callable[[str], object]:
        import mistune

        return mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])

    def yaml_loader(name: str) -> Callable[[], Callable[[str], object]]:
        def make() -> Callable[[str], object]:
            import yaml

            loader = getattr(yaml, name)
            return lambda text: yaml.load(text, Loader=loader)
        return make

    def adr_parse() -> Callable[[str], object]:
        from adr_tool.parse import parse_text

        return lambda text: parse_text(text, "decisions/DR-0001-x.md")

    add("markdown-it-py render (Python)", "markdown_it", md_py, texts)
    add("markdown-it-pyrs render (Rust)", "markdown_it_pyrs", md_rs("render"), texts)
    add("markdown-it-pyrs tree (what the loader walks)", "markdown_it_pyrs", md_rs("tree"), texts)
    add("mistune 3 render (Python)", "mistune", mistune_render, texts)
    add("PyYAML CSafeLoader (frontmatter)", "yaml", yaml_loader("CSafeLoader"), frontmatters)
    add("PyYAML SafeLoader, pure Python (frontmatter)", "yaml", yaml_loader("SafeLoader"), frontmatters)
    add("adr parse_text, whole record", "adr_tool", adr_parse, texts)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print a Markdown table of per-record costs."""
    parser = argparse.ArgumentParser(prog="python -m bench.parsers", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory():
        rows = measure(args.records, args.seed)
    print(f"| parser ({args.records} records of 3-8 KB) | ms per record (CPU, best of 5) |")
    print("| --- | ---: |")
    for label, ms in rows:
        print(f"| {label} | {'not installed' if ms is None else f'{ms:.3f}'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
