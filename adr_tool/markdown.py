"""The single configured Markdown parser, and byte-offset -> line/column mapping.

We parse with markdown-it-pyrs (the markdown-it rules compiled from Rust): it is ~14x faster
than markdown-it-py on a 5 KB record, which the 10,000-record targets need (see DR-003).
Raw HTML rules are never enabled, so record HTML is escaped, not passed through.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
import os
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


@contextmanager
def _quiet_rust_panics(text: str) -> Iterator[None]:
    """Keep a Rust panic message off the user's terminal (fd 2) while the parser runs.

    Only non-ASCII input has been seen to make markdown-it-pyrs panic, so ASCII text skips
    the four system calls this costs.
    """
    if text.isascii():
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


def parse_tree(text: str) -> Any:
    """Parse Markdown into a node tree whose ``srcmap`` holds UTF-8 byte offsets.

    markdown-it-pyrs panics on a few inputs (an unclosed backtick inside a link label next
    to non-ASCII text); those documents are parsed by markdown-it-py instead.
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
    """Render Markdown to HTML with raw HTML escaped and unsafe link schemes left as text."""
    try:
        with _quiet_rust_panics(text):
            html: str = parser().render(text)
    except BaseException as exc:
        if not _is_rust_panic(exc):
            raise
        from adr_tool.markdown_fallback import fallback_render

        html = fallback_render(text)
    return html


class OffsetMap:
    """Map UTF-8 byte offsets of a text to 1-based (line, column) in characters."""

    __slots__ = ("_data", "_line_offset", "_starts")

    def __init__(self, text: str, line_offset: int = 0) -> None:
        self._data = text.encode("utf-8")
        self._line_offset = line_offset
        starts = [0]
        find = self._data.find
        pos = find(b"\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find(b"\n", pos + 1)
        self._starts = starts

    @property
    def data(self) -> bytes:
        """The encoded text."""
        return self._data

    def line_of(self, offset: int) -> int:
        """1-based file line of a byte offset."""
        return bisect_right(self._starts, offset) + self._line_offset

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a byte offset; the column counts characters."""
        index = bisect_right(self._starts, offset) - 1
        start = self._starts[index]
        column = len(self._data[start:offset].decode("utf-8", "replace")) + 1
        return index + 1 + self._line_offset, column

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
