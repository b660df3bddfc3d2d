"""Split a Markdown body into sections, tables and links, each with file positions.

Works on markdown-it tokens (the node tree), never on regexes over the whole text, so
headings inside code fences or tables inside code are not mistaken for structure. Plain
bodies are read line by line instead (``fastbody``, DR-019), with the same result.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from adr_tool.diagnostics import Diagnostic, warning
from adr_tool.markdown import OffsetMap, hazard, node_text, parse_tree
from adr_tool.models import BodyData, CellData, LinkData, Section, SectionData, TableData
from adr_tool.parse import fastbody
from adr_tool.parse.fastbody import Scan, Table

MAX_BODY_CHARS = 1024 * 1024
"""Bodies are cut here (with a diagnostic): records are 5-50 KB; parsing is ~1 s per MB."""


@dataclass(slots=True)
class Body:
    """Structure found in a record body; lines are file lines."""

    section_data: list[SectionData] = field(default_factory=list)
    table_data: list[TableData] = field(default_factory=list)
    link_data: list[LinkData] = field(default_factory=list)
    text: str = ""
    """The body text: section texts are slices of it (``section_data`` has their offsets)."""
    h1: tuple[str, int] | None = None
    """Text and line of the first level-1 heading (the usual title)."""
    field_lines: list[tuple[int, str, bool]] = field(default_factory=list)
    """Lines of top-level paragraphs and lists: (file line, text, before first H2)."""
    omap: OffsetMap | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Limits hit while parsing (body truncated or not parsed as Markdown)."""

    @property
    def sections(self) -> list[Section]:
        """The sections as objects, made on request: the readers walk ``section_data`` and
        slice the few texts they need (a frozen dataclass costs ~2.5 µs to build)."""
        return [Section(heading, level, line, end_line, self.text[start:end], text_line)
                for heading, level, line, end_line, start, end, text_line in self.section_data]

    def section_text(self, section: SectionData) -> str:
        """The Markdown under the heading of *section* (one of ``section_data``)."""
        return self.text[section[4]:section[5]]

    @property
    def structure(self) -> BodyData:
        """Sections, links and tables in the compact form the record keeps."""
        return (tuple(self.section_data), tuple(self.link_data), tuple(self.table_data))


def _heading_level(node: Any) -> int:
    level = node.meta.get("level", 1)
    return int(level) if isinstance(level, int) else 1


def parse_body(text: str, body_line: int, path: str = "") -> Body:
    """Parse *text* (which starts on file line *body_line*) into sections, tables, links.

    Bodies over the limits of ``markdown.hazard`` are reported and left unparsed, so a
    hostile record costs bounded time and can never crash the native parser.
    """
    body = Body(text=text)
    if not text.strip():
        return body
    if len(text) > MAX_BODY_CHARS:
        cut_line = body_line + text.count("\n", 0, MAX_BODY_CHARS)
        body.diagnostics.append(warning(
            "ADR104", path, cut_line, 1,
            f"body is over {MAX_BODY_CHARS // 1024 // 1024} MB; only the first "
            f"{MAX_BODY_CHARS // 1024 // 1024} MB were read", "Move large content out of the record."))
        text = body.text = text[:MAX_BODY_CHARS]
    found = hazard(text)
    if found is not None:
        body.diagnostics.append(warning(found.code, path, body_line + found.line - 1, 1, found.message,
                                        "Sections, tables and links of this record were not read."))
        return body
    omap = OffsetMap(text, body_line - 1)
    body.omap = omap
    found_scan = fastbody.scan(text, body_line, omap.line_starts, omap.data)
    _assemble(body, found_scan if found_scan is not None else tree_scan(text, omap), omap)
    return body


def tree_scan(text: str, omap: OffsetMap) -> Scan:
    """Top-level blocks, links and tables of *text* from markdown-it's node tree (any body)."""
    root = parse_tree(text)
    found = Scan()
    for node in root.children:
        kind: str = node.name
        span = node.srcmap
        if span is None:
            continue
        if kind in ("heading", "lheading"):
            found.tops.append((node_text(node), _heading_level(node), span[0], span[1]))
        elif kind in ("paragraph", "bullet_list", "ordered_list"):
            found.tops.append(("", 0, span[0], span[1]))
    for node in root.walk():
        name = node.name
        if name == "link" or name == "image":
            span = node.srcmap
            url = node.meta.get("url", "")
            if span is None or not isinstance(url, str):
                continue
            line, col = omap.position(span[0])
            found.links.append((url, node_text(node), line, col, name == "image"))
        elif name == "table":
            table = _read_table(node, omap)
            if table is not None:
                found.tables.append(table)
    return found


def _assemble(body: Body, found: Scan, omap: OffsetMap) -> None:
    """Turn the blocks found (by either reader) into sections, field lines, links, tables."""
    headings: list[tuple[str, int, int, int]] = []  # (text, level, start byte, end byte)
    seen_h2 = False
    data = omap.data
    total = len(data)
    starts = omap.line_starts
    base = omap.line_of(0)  # file line of the text's first line
    shift = base - 1  # file line = bisect_right(starts, offset) + shift: line_of, inlined
    field_lines = body.field_lines
    lines = found.lines
    for heading_text, level, start, end in found.tops:
        if level:
            headings.append((heading_text, level, start, end))
            if level == 1 and body.h1 is None:
                body.h1 = (heading_text, bisect_right(starts, start) + shift)
            if level >= 2:
                seen_h2 = True
        else:
            first = bisect_right(starts, start) + shift
            if lines is not None:  # whole lines: from the first one to the one holding *end*
                chunk = lines[first - base:bisect_right(starts, end) + shift - base + 1]
            else:
                chunk = omap.slice(start, end).split("\n")
            field_lines.extend(zip(range(first, first + len(chunk)), chunk, repeat(not seen_h2)))
    ascii_text = data.isascii()
    chars = done = 0  # characters before byte *done*: counted once, forwards, for non-ASCII text
    section_starts: list[tuple[int, str]] = []  # (line, heading), sorted by line
    for index, (heading_text, level, start, end) in enumerate(headings):
        next_start = headings[index + 1][2] if index + 1 < len(headings) else total
        head_line = bisect_right(starts, start) + shift
        end_line = bisect_right(starts, max(next_start - 1, start)) + shift
        raw = data[end:next_start].decode("utf-8", "replace")
        content = raw.lstrip("\n")
        lead = len(raw) - len(content)
        text_line = head_line + lead
        section_text = content.rstrip("\n")
        if ascii_text:
            text_start = end + lead
        else:
            if end >= done:
                chars += len(data[done:end].decode("utf-8", "replace"))
            else:
                chars = len(data[:end].decode("utf-8", "replace"))
            done = end
            text_start = chars + lead
        body.section_data.append((heading_text, level, head_line, max(end_line, head_line),
                                  text_start, text_start + len(section_text), text_line))
        section_starts.append((head_line, heading_text))
    body.link_data.extend(found.links)
    for header, rows, line, col in found.tables:
        index = bisect_right(section_starts, (line, "\U0010ffff")) - 1
        section = section_starts[index][1] if index >= 0 else None
        body.table_data.append((section, header, rows, line, col))


def _cell(node: Any, omap: OffsetMap, row_start: tuple[int, int]) -> CellData:
    span = node.srcmap
    if span is None:
        return ("", row_start[0], row_start[1])
    line, col = omap.position(span[0])
    return (omap.slice(span[0], span[1]).strip(), line, col)


def _read_table(node: Any, omap: OffsetMap) -> Table | None:
    span = node.srcmap
    if span is None:
        return None
    line, col = omap.position(span[0])
    header: tuple[CellData, ...] = ()
    rows: list[tuple[CellData, ...]] = []
    for part in node.children:
        for row in part.children:
            row_pos = omap.position(row.srcmap[0]) if row.srcmap else (line, col)
            cells = tuple([_cell(c, omap, row_pos) for c in row.children])
            if part.name == "thead":
                header = cells
            else:
                rows.append(cells)
    return (header, tuple(rows), line, col)
