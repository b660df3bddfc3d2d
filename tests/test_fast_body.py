"""The line-based body reader (parse/fastbody.py) answers exactly as markdown-it does.

Whenever the fast path reads a body, every field of the ``Body`` and the final record must
equal what the markdown-it walk gives; handing a body back (None) is always allowed. Checked
on the shared seeds and corpora, a generated bench corpus and generated Markdown (DR-019).
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from adr_tool.markdown import OffsetMap
from adr_tool.parse import ParseResult, fastbody, parse_source
from adr_tool.parse import frontmatter as fm_mod
from adr_tool.parse.body import Body, parse_body
from adr_tool.sources import read_source
from bench.corpus import generate
from tests.conftest import REPO_ROOT, SHARED

EXAMPLES = int(os.environ.get("ADR_QUICK_EXAMPLES", "40")) * 10
FIELDS = ("section_data", "sections", "table_data", "link_data", "h1", "field_lines", "diagnostics")


@contextlib.contextmanager
def fast_path(enabled: bool) -> Iterator[None]:
    saved = fastbody.ENABLED
    fastbody.ENABLED = enabled
    try:
        yield
    finally:
        fastbody.ENABLED = saved


def takes_fast_path(text: str, body_line: int = 1) -> bool:
    with fast_path(True):
        return fastbody.scan(text, body_line, OffsetMap(text, body_line - 1).line_starts) is not None


def assert_same_body(text: str, body_line: int = 1) -> bool:
    """Parse both ways and compare every field; returns whether the fast path answered."""
    with fast_path(False):
        slow = parse_body(text, body_line, "x.md")
    with fast_path(True):
        fast = parse_body(text, body_line, "x.md")
    for name in FIELDS:
        assert getattr(fast, name) == getattr(slow, name), name
    assert_same_map(fast, slow)
    return takes_fast_path(text, body_line)


def assert_same_map(fast: Body, slow: Body) -> None:
    if slow.omap is None:
        assert fast.omap is None
        return
    assert fast.omap is not None
    assert fast.omap.data == slow.omap.data and fast.omap.line_starts == slow.omap.line_starts


def body_of(text: str) -> tuple[str, int]:
    """The body text and its first line, as ``parse_source`` cuts them."""
    fm = fm_mod.load(text, "x.md")
    if fm is None:
        return text, 1
    return "\n".join(text.split("\n")[fm.body_line - 1:]), fm.body_line


def parsed(path: Path) -> tuple[ParseResult, ParseResult]:
    with fast_path(False):
        slow = parse_source(read_source(path))
    with fast_path(True):
        fast = parse_source(read_source(path))
    return fast, slow


def check_file(path: Path) -> bool:
    """Body and record agree both ways; returns whether the fast path read the body."""
    fast, slow = parsed(path)
    assert fast.record == slow.record, path
    assert fast.diagnostics == slow.diagnostics, path
    source = read_source(path)
    if not source.readable:
        return False
    return assert_same_body(*body_of(source.text))


def shared_files() -> list[Path]:
    shared = SHARED if SHARED.is_dir() else REPO_ROOT.parent.parent / "shared"
    if not shared.is_dir():
        return []
    seeds = [p for p in (shared / "seeds").rglob("*") if p.is_file()]
    return sorted(seeds + [p for p in (shared / "corpora").rglob("*.md") if p.is_file()])


def test_shared_seeds_and_corpora_agree() -> None:
    files = shared_files()
    if not files:
        pytest.skip("../shared seeds and corpora are absent")
    fast = sum(check_file(path) for path in files)
    assert fast > 0  # some real records take the fast path, so the comparison means something


def test_bench_corpus_agrees_and_takes_the_fast_path(tmp_path: Path) -> None:
    corpus = generate(tmp_path / "bench", 300, seed=11)
    files = sorted(corpus.records_dir.glob("*.md"))
    fast = sum(check_file(path) for path in files)
    assert fast >= 0.9 * len(files)  # generated records are the plain shapes the fast path reads


def test_slow_path_can_be_forced() -> None:
    text = "# T\n\nSee [a](b.md).\n"
    assert takes_fast_path(text)
    with fast_path(False):
        assert fastbody.scan(text, 1, OffsetMap(text).line_starts) is None


@pytest.mark.parametrize("text", [
    "# Title\n\n## Context\n\nSee [DR-1](DR-1.md) and ![x](y.png).\n",
    "Status: accepted\n\n- a\n- b [c](d)\n  - e\n* f\n\n\n| A | B |\n|---|:-:|\n| x |  |\n| ü | [l](m) |\n",
    "## H\n| a |\n|---|\n| |\n\n```py\n# not a heading\n[x](y)\n```\n",
    "> quoted [a](b)\n>\n> more\n\npara `[no](link)` [yes](u)\n",
    "1. one\n2. two\n\n\n## Next\ntext\n",
    "- a\n\n  b\n\n* c\n\n\n",
    "# Ünïcödé ✅\n\n| ⚠️ x | ✅ |\n|---|---|\n| ❌ [é](u) | y |\n",
    "# a `b` c\n\n## `` a`b `` x\n\n### `  `\n",
    "Intro:\n- a\n- b\n\n---\n\np\n* * *\n",
    "".join(" " * (2 * depth) + "- x [l](u)\n" for depth in range(60)),
    "| a |\n|---|\n| a" + " " * 5000 + "b |\n",
])
def test_plain_shapes_take_the_fast_path(text: str) -> None:
    assert assert_same_body(text, 3)


@pytest.mark.parametrize("text", [
    "para\n---\n",  # setext heading
    "a | b\n--|--\n",  # table without outer pipes
    "# h #\n",  # closing sequence
    "[ref]\n\n[ref]: http://x\n",  # reference link
    "see <http://x.org>\n",  # autolink
    "a \\[b](c)\n",  # escape
    "- a\nlazy\n",  # lazy continuation
    "    code [a](b)\n",  # indented code
    "```\nunclosed\n",
    "text `unclosed [a](b)\n",
    "- [ ] task\n",
    "[a](javascript:alert)\n",
    "a\ttab\n",
    "| a |\n|---|\n| b | c |\n",  # ragged row
    "| a |\n|---|\ntext\n",  # a row without pipes
    "- a\n  | t |\n  |---|\n",  # a table inside a list
    "# ``\n\n",  # a heading that is only a backtick run
    "# a `\n",
])
def test_unsure_shapes_fall_back(text: str) -> None:
    assert not assert_same_body(text)


# -- generated Markdown, built from the pieces records are made of ---------------------

WORDS = st.sampled_from(["alpha", "Beta", "x", "DR-0001", "a_b", "snake_case", "**bold**", "*em*",
                         "`code`", "``a`b``", "`", "``", "[", "]", "(", ")", "!", "<", ">", "&amp;",
                         "&", "\\", "\\[", "#", "|", "~~s~~", "ü", "✅", "⚠️", "日本", "\u00a0",
                         "\t", ":", "-", "1.", "*", "_", "http://x.org", "<http://x.org>", "  "])
URLS = st.sampled_from(["b.md", "DR-0001-x.md", "https://wiki.example.org/a/1", "#anchor", "",
                        "a b", "a(b)c", "<a b>", "javascript:alert(1)", "data:x", "DATA:x",
                        "mailto:a@b.c", "http://ex.com/%20x", "http://ex.com/ü", "x\"y", "a&amp;b",
                        "x_y", "x*y", "q?a=1&b=2", "a\\)b", "HTTP://EX.COM/a", "http://xn--ls8h.la/"])


@st.composite
def inline_text(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            label = " ".join(draw(st.lists(WORDS, max_size=3)))
            bang = draw(st.sampled_from(["", "", "!"]))
            parts.append(f"{bang}[{label}]({draw(URLS)})")
        elif kind == 1:
            parts.append(f"`{' '.join(draw(st.lists(WORDS, max_size=2)))}`")
        else:
            parts.append(draw(WORDS))
    return " ".join(parts)


@st.composite
def block(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return f"{'#' * draw(st.integers(1, 7))}{draw(st.sampled_from([' ', '  ', '']))}{draw(inline_text())}"
    if kind == 1:
        return "\n".join(draw(st.lists(inline_text(), min_size=1, max_size=3)))
    if kind in (2, 3):
        lines = []
        for _ in range(draw(st.integers(1, 5))):
            indent = " " * draw(st.sampled_from([0, 0, 1, 2, 3, 4, 6]))
            marker = draw(st.sampled_from(["-", "*", "+", "1.", "2.", "1)", "-"]))
            gap = draw(st.sampled_from([" ", " ", "  ", "     ", ""]))
            lines.append(f"{indent}{marker}{gap}{draw(inline_text())}")
            if draw(st.integers(0, 4)) == 0:
                lines.append(draw(st.sampled_from(["", "  more text", "lazy", "   - nested"])))
        return "\n".join(lines)
    if kind in (4, 5):
        cols = draw(st.integers(1, 4))

        def row(count: int) -> str:
            cells = [draw(st.sampled_from(["", " ", "x", "[a](b)", "✅ ok", "`c`", "a|b", "**w**",
                                           "<x>", "\\|", "  pad  "])) for _ in range(count)]
            return "| " + " | ".join(cells) + " |"

        delimiter = "|" + "|".join(draw(st.sampled_from(["---", ":-:", "--:", " --- ", "-"]))
                                   for _ in range(cols)) + "|"
        rows = [row(cols + draw(st.sampled_from([0, 0, 0, -1, 1]))) for _ in range(draw(st.integers(0, 3)))]
        tail = draw(st.sampled_from(["", "", "text after", "  "]))
        return "\n".join([row(cols), delimiter, *rows] + ([tail] if tail else []))
    if kind == 6:
        fence = draw(st.sampled_from(["```", "~~~", "````", "``` py", "```a`b"]))
        body = draw(st.lists(st.sampled_from(["# h", "[a](b)", "| a |", "\tx", "```", "  ```", "~~~",
                                              "plain"]), max_size=3))
        close = draw(st.sampled_from([fence[:3], fence.split(" ")[0], "", "```  ", "````"]))
        return "\n".join([fence, *body] + ([close] if close else []))
    if kind == 7:
        return "\n".join(f">{draw(st.sampled_from([' ', '', '  ']))}{draw(inline_text())}"
                         for _ in range(draw(st.integers(1, 3))))
    if kind == 8:
        return draw(st.sampled_from(["---", "***", "===", "- - -", "  ", "\r", "<div>", "[r]: http://x",
                                     "    indented", "Text\n===", "Text\n---", ": x"]))
    return draw(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20))


@st.composite
def document(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(block(), max_size=8))
    seps = draw(st.lists(st.sampled_from(["\n\n", "\n", "\n\n\n", "\n  \n"]), min_size=len(blocks),
                         max_size=len(blocks)))
    text = "".join(b + s for b, s in zip(blocks, seps, strict=True))
    return text + draw(st.sampled_from(["", "\n", "  ", "\n\n"]))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document(), st.integers(1, 40))
def test_generated_markdown_agrees(text: str, body_line: int) -> None:
    assert_same_body(text, body_line)


@settings(max_examples=EXAMPLES // 4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(block().filter(lambda b: "\t" not in b and "\\" not in b and "<" not in b), max_size=8))
def test_generated_plain_markdown_agrees(blocks: list[str]) -> None:
    assert_same_body("\n\n".join(blocks) + "\n")


# -- generated plain Markdown: mostly shapes the fast path reads, with small twists ------

SAFE_WORDS = ["alpha", "Beta", "x", "DR-0001", "**bold**", "*em*", "`code`", "ü", "✅", "日本", "(", ")",
              "!", ":", "1.", "-", "x:", "  ", "#", "a|b", "~~s~~", "_u_"]
TRICKY_WORDS = ["`[a](b)`", "``a`b``", "⚠️", "`", "[", "]", "`a``", "![", "``"]
PLAIN_WORDS = st.sampled_from(SAFE_WORDS * 6 + TRICKY_WORDS)
"""Mostly words the fast path reads, sometimes ones it must refuse."""
PLAIN_URLS = st.sampled_from(["b.md", "DR-0001-x.md", "https://wiki.example.org/a/1", "#anchor",
                              "mailto:a@b.c", "x_y", "x*y", "q?a=1&b=2", "HTTP://EX.COM/a",
                              "http://xn--ls8h.la/", "JavaScript:x", "./a/../b", "a~b", "data:x"])


@st.composite
def plain_inline(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 5))):
        if draw(st.integers(0, 2)) == 0:
            label = " ".join(draw(st.lists(st.sampled_from(["a", "DR-1", "the wiki", "✅ ok", " ", "x y",
                                                              "(p)"] * 4 + ["*e*", "`c`"]), max_size=2)))
            bang = draw(st.sampled_from(["", "", "!"]))
            parts.append(f"{bang}[{label}]({draw(PLAIN_URLS)})")
        else:
            parts.append(draw(PLAIN_WORDS))
    return " ".join(parts) or "text"


@st.composite
def plain_block(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 6))
    if kind == 0:
        hashes = "#" * draw(st.integers(1, 6))
        return f"{hashes} {draw(plain_inline())}{draw(st.sampled_from(['', ' ', '  ']))}"
    if kind == 1:
        return "\n".join(draw(plain_inline()) + draw(st.sampled_from(["", " ", "  "]))
                         for _ in range(draw(st.integers(1, 3))))
    if kind == 2:
        lines = []
        for number in range(draw(st.integers(1, 6))):
            depth = draw(st.sampled_from([0, 0, 2, 3, 4, 5])) if number else 0
            marker = draw(st.sampled_from(["-", "-", "*", "+", "1.", "1)", "3."]))
            lines.append(f"{' ' * depth}{marker} {draw(plain_inline())}")
            extra = draw(st.sampled_from(["", "", "", "   more", "  more", "", "  "]))
            if extra:
                lines.append(extra)
        return "\n".join(lines)
    if kind in (3, 4):
        cols = draw(st.integers(1, 4))

        def row(count: int) -> str:
            cells = [draw(st.sampled_from(["", " ", "x", "[a](b)", "✅ ok", "`c`", "**w**", "  pad  ",
                                           "⚠️ partial", "3", "[DR-1](DR-1.md) y"])) for _ in range(count)]
            return "|" + "|".join(f" {c} " if draw(st.booleans()) else c for c in cells) + "|"

        delimiter = "|" + "|".join(draw(st.sampled_from(["---", ":-:", "--:", " --- ", "-", ":--"]))
                                   for _ in range(cols)) + "|"
        rows = [row(cols) for _ in range(draw(st.integers(0, 3)))]
        return "\n".join([row(cols), delimiter, *rows])
    if kind == 5:
        fence = draw(st.sampled_from(["```", "~~~", "````", "```py"]))
        inner = draw(st.lists(st.sampled_from(["# h", "[a](b)", "| a |", "\tx", "  ```", "~~~", "`",
                                               "plain", "<b>", "\\"]), max_size=3))
        return "\n".join([fence, *inner, fence.rstrip("py")])
    return "\n".join(f"> {draw(plain_inline())}" for _ in range(draw(st.integers(1, 3))))


@st.composite
def plain_document(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(plain_block(), max_size=8))
    seps = draw(st.lists(st.sampled_from(["\n\n", "\n\n", "\n", "\n\n\n", "\n   \n"]),
                         min_size=len(blocks), max_size=len(blocks)))
    return "".join(b + s for b, s in zip(blocks, seps, strict=True))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plain_document(), st.integers(1, 40))
def test_generated_plain_shapes_agree(text: str, body_line: int) -> None:
    assert_same_body(text, body_line)
