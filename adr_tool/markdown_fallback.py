"""markdown-it-py, adapted to the node interface of markdown-it-pyrs, for inputs Rust rejects.

Only used when the Rust parser panics, so positions are coarser: block nodes get exact line
starts, inline nodes and table cells are located by searching their text within the line.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

_NAMES = {"tr": "trow", "th": "tcell", "td": "tcell"}


@lru_cache(maxsize=1)
def _md() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")


def fallback_render(text: str) -> str:
    """Render with markdown-it-py, raw HTML off."""
    html: str = _md().render(text)
    return html


class FallbackNode:
    """A node with the attributes our code reads: name, srcmap, meta, children, walk()."""

    __slots__ = ("children", "meta", "name", "srcmap")

    def __init__(self, name: str, srcmap: tuple[int, int] | None, meta: dict[str, Any]) -> None:
        self.name = name
        self.srcmap = srcmap
        self.meta = meta
        self.children: list[FallbackNode] = []

    def walk(self) -> Iterator[FallbackNode]:
        """Yield this node and its descendants in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


def fallback_tree(text: str) -> FallbackNode:
    """Parse *text* with markdown-it-py into FallbackNodes with byte-offset srcmaps."""
    from markdown_it.tree import SyntaxTreeNode

    data = text.encode("utf-8")
    starts = [0]
    for index, byte in enumerate(data):
        if byte == 10:
            starts.append(index + 1)

    def line_span(node: Any) -> tuple[int, int] | None:
        if node.map is None:
            return None
        first, last = node.map
        begin = starts[min(first, len(starts) - 1)]
        end = starts[last] - 1 if last < len(starts) else len(data)
        return begin, max(end, begin)

    def convert(node: Any, inherited: tuple[int, int] | None) -> FallbackNode:
        kind = _NAMES.get(node.type, node.type)
        span = line_span(node) or inherited
        meta: dict[str, Any] = {}
        if node.type == "heading":
            meta["level"] = int(node.tag[1:]) if node.tag[1:].isdigit() else 1
        elif node.type == "link":
            meta["url"] = str(node.attrs.get("href", ""))
        elif node.type == "image":
            meta["url"] = str(node.attrs.get("src", ""))
        elif node.type in ("text", "code_inline"):
            meta["content"] = node.content
        if node.type in ("th", "td") and span is not None:
            content = "".join(t.content for t in (node.children or []) if t.type == "inline")
            content = content or "".join(c.content for c in node.walk() if c.type == "text")
            line = data[span[0] : span[1]]
            at = line.find(content.encode("utf-8")) if content else -1
            span = (span[0] + at, span[0] + at + len(content.encode("utf-8"))) if at >= 0 else (span[0], span[0])
        out = FallbackNode(kind, span, meta)
        for child in node.children:
            if child.type == "inline":
                out.children.extend(convert(grand, span) for grand in child.children)
            else:
                out.children.append(convert(child, span))
        return out

    root = SyntaxTreeNode(_md().parse(text))
    tree = FallbackNode("root", (0, len(data)), {})
    tree.children = [convert(child, None) for child in root.children]
    return tree
