"""The single configured Markdown parser, and byte-offset -> line/column mapping.

We parse with markdown-it-pyrs (the markdown-it rules compiled from Rust): it is ~14x faster
than markdown-it-py on a 5 KB record, which the 10,000-record targets need (see DR-003).
Raw HTML rules are never enabled, so record HTML is escaped, not passed through.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
import html
from itertools import accumulate, repeat
from operator import add
import os
import re
import sys
import threading
from typing import Any

_FD_LOCK = threading.Lock()

SAFE_RULES: list[Any] = [
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph",
    "reference", "autolink", "backticks", "emphasis", "entity", "escape", "image", "link",
    "newline", "strikethrough", "table", "tasklist",
]


@lru_cache(maxsize=1)
def parser() -> Any:
    """Return the shared MarkdownIt instance (raw HTML disabled, tables enabled)."""
    import markdown_it_pyrs

    md = markdown_it_pyrs.MarkdownIt("zero")
    md.enable_many(SAFE_RULES)
    return md


def _is_rust_panic(exc: BaseException) -> bool:
    # pyo3 raises PanicException, a BaseException subclass, when the Rust parser panics
    return type(exc).__name__ == "PanicException"


_BACKTICKS = re.compile(r"`+")


def _backtick_panic_risk(text: str) -> bool:
    """Would markdown-it 0.6's code-span rule panic here (index out of bounds)?

    It does when a ``[`` is followed, in the same block, by a backtick run that never
    closes (``[a```, ``see [`x``), ASCII or not. Checked per blank-line block,
    conservatively; it only decides when to silence fd 2, the panic itself is caught.
    """
    if "`" not in text or "[" not in text:
        return False
    for block in re.split(r"\n[ \t]*\n", text):
        bracket = block.find("[")
        if bracket == -1 or "`" not in block[bracket:]:
            continue
        runs = [(m.start(), len(m[0])) for m in _BACKTICKS.finditer(block)]
        by_length: dict[int, list[int]] = {}
        for index, (_, length) in enumerate(runs):
            by_length.setdefault(length, []).append(index)
        cursor = dict.fromkeys(by_length, 0)
        index = 0
        while index < len(runs):
            start, length = runs[index]
            same = by_length[length]
            while cursor[length] < len(same) and same[cursor[length]] <= index:
                cursor[length] += 1
            if cursor[length] < len(same):
                index = same[cursor[length]] + 1  # a code span: skip to after its closer
                continue
            if bracket < start:
                return True
            index += 1
    return False


@contextmanager
def _quiet_rust_panics(text: str) -> Iterator[None]:
    """Keep a Rust panic message off the user's terminal (fd 2) while the parser runs.

    Non-ASCII input and ASCII input with a ``[`` before an unclosed backtick (``[a```)
    make markdown-it-pyrs panic; other ASCII text skips the four system calls this costs.
    """
    if text.isascii() and not _backtick_panic_risk(text):
        yield
        return
    with _FD_LOCK:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):
            yield
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)


MAX_CONTAINER_PREFIX = 1000
"""Longest run of block-container markers (``>``, list bullets, indentation) at a line start.

markdown-it-pyrs recurses once per nested container and overflows the native stack (a
segfault, not an exception) at ~20,000 levels: ``"- " * 20000`` is a 40 KB file.
"""
MAX_BLOCK_CHARS = 128 * 1024
"""Longest paragraph-like block (non-blank lines outside code fences) handed to the parser.

Inline parsing is superlinear on some inputs (``"**a:** " * n``, very wide tables); this
caps one block at well under a second.
"""
MAX_REFERENCE_WORK = 2_000_000
"""Budget for link-reference definitions: definition lines x lines of their paragraph.

Each definition rescans the rest of its paragraph, so 8,000 definitions in a row take ~5 s.
"""

MAX_ELEMENTS = 20_000
"""Blocks, headings, list items, table rows, links and emphasis marks (outside code fences)
one body may have before it is not parsed.

Each becomes Python objects (~1-5 KB and ~0.1 ms apiece in the tree and the model): a 4 MB
body of tiny tables took 70 s and 4.5 GB. Hand-written records have a few hundred.
"""

_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_ITEM = re.compile(r"^[ \t>]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_DEEP_RUN = rf"[ \t>\-*+.)0-9]{{{MAX_CONTAINER_PREFIX + 1}}}"
_DEEP_FIRST = re.compile(_DEEP_RUN)
_DEEP_LATER = re.compile("\n" + _DEEP_RUN)
"""A line that starts with the run: led by a literal newline rather than ``^`` with
MULTILINE, so the search jumps from newline to newline (6x faster on a record)."""
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CONTAINER_CHARS = " \t>-*+.)0123456789"
_MARKER = re.compile(r">|[-*+][ \t]|\d[.)][ \t]")
_REFERENCE = re.compile(r"^[ \t>]*\[[^\]\n]*\]:")


@dataclass(frozen=True, slots=True)
class Hazard:
    """Why a text is not handed to the Markdown parser, and where (1-based line in the text)."""

    line: int
    code: str
    message: str


def _too_many(line: int) -> Hazard:
    return Hazard(line, "ADR104", f"more than {MAX_ELEMENTS} Markdown elements (blocks, headings, "
                  "list items, table rows, links, emphasis); body not parsed")


def _surely_fine(text: str) -> bool:
    """Whole-text upper bounds (C-speed counts) that clear a normal record without a line scan."""
    size = len(text)
    if size > MAX_BLOCK_CHARS or (size > MAX_CONTAINER_PREFIX and (
            _DEEP_FIRST.match(text) is not None or _DEEP_LATER.search(text) is not None)):
        return False
    lines = text.count("\n") + 1
    if size + 4 * lines <= MAX_ELEMENTS and (size // 2) * lines <= MAX_REFERENCE_WORK:
        return True  # every "[", "<", mark and "]:" is at least one character: the size bounds them
    marks = sum(text.count(ch) for ch in "*_`~")
    if text.count("[") + text.count("<") + 4 * lines + marks // 2 > MAX_ELEMENTS:
        return False
    return text.count("]:") * lines <= MAX_REFERENCE_WORK


def hazard(text: str) -> Hazard | None:
    """Find input that would crash or stall the Markdown parser; a linear pre-scan.

    The parser is native code: it cannot be interrupted, and a stack overflow in it kills
    the process. Records are small, so these limits are far above anything written by hand.
    """
    if _surely_fine(text):
        return None
    block_chars = block_lines = block_refs = 0
    block_start = 1
    fence = ""
    reference_work = elements = 0
    for number, line in enumerate(text.split("\n"), start=1):
        prefix = len(line) - len(line.lstrip(_CONTAINER_CHARS))
        if prefix > MAX_CONTAINER_PREFIX and _MARKER.search(line, 0, prefix):
            return Hazard(number, "ADR113", f"Markdown nested more than {MAX_CONTAINER_PREFIX} "
                          "levels deep (lists or quotes); body not parsed")
        opening = _FENCE.match(line)
        if fence:
            if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening[1]
            elements += 1
            if elements > MAX_ELEMENTS:
                return _too_many(number)
        if not line.strip() or opening:
            reference_work += block_refs * block_lines
            block_chars = block_lines = block_refs = 0
            block_start = number + 1
            continue
        block_chars += len(line) + 1
        block_lines += 1
        elements += (line.count("[") + line.count("<") + ("|" in line) + (block_lines == 1)
                     + (line.count("*") + line.count("_") + line.count("`") + line.count("~")) // 2
                     + bool(_HEADING.match(line) or _ITEM.match(line) or ">" in line[:prefix + 1]))
        if elements > MAX_ELEMENTS:
            return _too_many(number)
        if _REFERENCE.match(line):
            block_refs += 1
        if block_chars > MAX_BLOCK_CHARS:
            return Hazard(block_start, "ADR104", f"a paragraph or table over {MAX_BLOCK_CHARS // 1024} KB "
                          "without a blank line; body not parsed")
        if reference_work + block_refs * block_lines > MAX_REFERENCE_WORK:
            return Hazard(block_start, "ADR104", "too many link reference definitions in a row; "
                          "body not parsed")
    return None


def parse_tree(text: str) -> Any:
    """Parse Markdown into a node tree whose ``srcmap`` holds UTF-8 byte offsets.

    markdown-it-pyrs panics on a few inputs (an unclosed backtick inside a link label next
    to non-ASCII text); those documents are parsed by markdown-it-py instead. Callers check
    :func:`hazard` first (native stack overflow, superlinear input); this does not.
    """
    try:
        with _quiet_rust_panics(text):
            return parser().tree(text)
    except BaseException as exc:
        if not _is_rust_panic(exc):
            raise
        from adr_tool.markdown_fallback import fallback_tree

        return fallback_tree(text)


def render_html(text: str) -> str:
    """Render Markdown to HTML with raw HTML escaped and unsafe link schemes left as text.

    Text the parser cannot take safely (see :func:`hazard`) is shown escaped, preformatted.
    """
    if hazard(text) is not None:
        return "<pre>" + html.escape(text) + "</pre>\n"
    try:
        with _quiet_rust_panics(text):
            rendered: str = parser().render(text)
    except BaseException as exc:
        if not _is_rust_panic(exc):
            raise
        from adr_tool.markdown_fallback import fallback_render

        rendered = fallback_render(text)
    return rendered


class OffsetMap:
    """Map UTF-8 byte offsets of a text to 1-based (line, column) in characters."""

    __slots__ = ("_ascii", "_data", "_last", "_line_offset", "_starts")

    def __init__(self, text: str, line_offset: int = 0) -> None:
        self._data = text.encode("utf-8")
        self._ascii = self._data.isascii()
        self._last = (-1, 0, 1)
        """(line index, byte offset, column) of the previous lookup: walks go forward."""
        self._line_offset = line_offset
        # each line starts one byte after the previous one ends: lengths summed in C
        ends = accumulate(map(add, map(len, self._data.split(b"\n")), repeat(1)), initial=0)
        starts: list[int] = list(ends)
        starts.pop()
        self._starts = starts

    @property
    def data(self) -> bytes:
        """The encoded text."""
        return self._data

    @property
    def line_starts(self) -> list[int]:
        """Byte offset where each line starts (do not modify)."""
        return self._starts

    def line_of(self, offset: int) -> int:
        """1-based file line of a byte offset."""
        return bisect_right(self._starts, offset) + self._line_offset

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a byte offset; the column counts characters."""
        index = bisect_right(self._starts, offset) - 1
        start = self._starts[index]
        if self._ascii:
            return index + 1 + self._line_offset, offset - start + 1
        base, column = start, 1
        last_index, last_offset, last_column = self._last
        if last_index == index and start <= last_offset <= offset:
            base, column = last_offset, last_column  # count only the characters since then
        column += len(self._data[base:offset].decode("utf-8", "replace"))
        self._last = (index, offset, column)
        return index + 1 + self._line_offset, column

    def char_offset(self, offset: int) -> int:
        """Index in the text (in characters) of a byte offset."""
        if self._ascii:
            return offset
        return len(self._data[:offset].decode("utf-8", "replace"))

    def slice(self, start: int, end: int) -> str:
        """Text between two byte offsets."""
        return self._data[start:end].decode("utf-8", "replace")

    def line_start(self, line: int) -> int:
        """Byte offset where a 1-based file line starts."""
        index = min(max(line - 1 - self._line_offset, 0), len(self._starts) - 1)
        return self._starts[index]

    @property
    def line_count(self) -> int:
        """Number of lines in the text."""
        return len(self._starts)


def node_text(node: Any) -> str:
    """Concatenate the plain text content of a node's inline children."""
    parts: list[str] = []
    for child in node.walk():
        if child.name == "text":
            content = child.meta.get("content")
            if isinstance(content, str):
                parts.append(content)
        elif child.name in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()
