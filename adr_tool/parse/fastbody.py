"""A line-based reader for the plain shapes of record bodies, skipping the Markdown parser.

Building and walking markdown-it's node tree is most of a cold parse (DR-019). Most record
bodies are headings, paragraphs, lists, fenced code and pipe tables with plain inline links;
this reads exactly those, at top level, and gives up (returns None) on anything it is not
certain markdown-it would read the same way, so the caller parses the body the slow way.
Every answer it gives must equal the tree walk's: tests/test_fast_body.py checks that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import os
import re

from adr_tool.models import CellData

ENABLED = os.environ.get("ADR_SLOW_PARSE", "").strip() in ("", "0", "false", "no")
"""``ADR_SLOW_PARSE=1`` (or setting this to False) sends every body to markdown-it."""

Top = tuple[str, int, int, int]
"""A top-level block: (heading text, level, start byte, end byte); level 0 is a paragraph or list."""
Link = tuple[str, str, int, int, bool]
"""(url, text, file line, column, is image), as ``LinkData``."""
Table = tuple[tuple[CellData, ...], tuple[tuple[CellData, ...], ...], int, int]
"""(header, rows, file line, column): a ``TableData`` without its section."""


@dataclass(slots=True)
class Scan:
    """What the body walk needs from the Markdown structure, in document order."""

    tops: list[Top] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


class _Unsure(Exception):
    """Raised inside the scan when the text leaves the shapes read here."""


_RISKY = re.compile(r"\\|<\S|[^\S \n]|\x00")
"""Backslash escapes; autolinks (raw HTML is off, but ``<http://x>`` is still a link); tabs,
CR, form feeds and Unicode spaces, where markdown-it and ``str.strip`` disagree."""
_MARKER = re.compile(r"([-*+]|[0-9]{1,9}[.)])( +)(?=\S)")
_BLOCKISH = re.compile(r"[#`~>|:=<]|[-*+](?: |$)|[0-9]{1,9}[.)](?: |$)|[-*_] *[-*_] *[-*_]|[-:| ]+$")
"""Line starts that may open or end a block (or a table, a rule, a setext underline)."""
_HR = re.compile(r"([-*_])(?: *\1){2,} *$")
_HEADING = re.compile(r"(#{1,6}) +(\S.*)")
_PLAIN_HEADING = re.compile(r"[^*_`\[\]<>&!~\\#]*")
_FENCE = re.compile(r"(`{3,}|~{3,})(.*)")
_DELIMITER = re.compile(r"\|(?: *:?-+:? *\|)+")
_TOKEN = re.compile(r"`+|!?\[")
_LINK = re.compile(r"!?\[([^\[\]`\\*_<>&~!|\n]*)\]\(([A-Za-z0-9\-.~:/?#@$+,;=]+)\)")
_BAD_SCHEMES = ("javascript:", "vbscript:", "file:", "data:")
_CLOSERS: dict[int, re.Pattern[str]] = {}


def scan(text: str, first_line: int, line_starts: list[int]) -> Scan | None:
    """Read *text* (file line *first_line* onwards) or return None when unsure.

    *line_starts* are the UTF-8 byte offsets of the lines (``OffsetMap.line_starts``),
    so block spans come out in the same bytes as markdown-it's ``srcmap``.
    """
    if not ENABLED:
        return None
    try:
        return _Scanner(text, first_line, line_starts).run()
    except _Unsure:
        return None


class _Scanner:
    __slots__ = ("ends", "first", "line_count", "lines", "out", "risky", "starts")

    def __init__(self, text: str, first_line: int, line_starts: list[int]) -> None:
        self.lines = text.split("\n")
        self.first = first_line
        self.starts = line_starts
        size = line_starts[-1] + len(self.lines[-1].encode("utf-8"))
        self.ends = [*(s - 1 for s in line_starts[1:]), size]
        """Byte offset where each line ends (before its newline)."""
        self.risky = _RISKY.search(text) is not None
        """Whether lines outside code fences need the line-by-line check."""
        self.line_count = len(self.lines) - (len(self.lines) > 1 and not self.lines[-1])
        """Lines as markdown-it counts them (a final newline ends a line, starts none)."""
        self.out = Scan()

    def run(self) -> Scan:
        lines = self.lines
        count = len(lines)
        index = 0
        while index < count:
            line = lines[index]
            if not line.strip(" "):
                index += 1
                continue
            if self.risky and _RISKY.search(line):
                raise _Unsure
            lead = line[0]
            if lead == " ":
                raise _Unsure
            if lead == "#":
                index = self._heading(index)
            elif lead in "`~" and _FENCE.match(line):
                index = self._fence(index)
            elif lead == "|":
                index = self._table(index)
            elif lead == ">":
                index = self._quote(index)
            elif _MARKER.match(line):
                index = self._list(index)
            elif lead in "-*+_=>:~<0123456789":
                if _BLOCKISH.match(line) or _HR.match(line):
                    raise _Unsure
                index = self._paragraph(index)
            else:
                index = self._paragraph(index)
        return self.out

    def _heading(self, index: int) -> int:
        found = _HEADING.fullmatch(self.lines[index])
        if found is None or _PLAIN_HEADING.fullmatch(found[2]) is None:
            raise _Unsure
        self.out.tops.append((found[2].strip(" ").strip(), len(found[1]),
                              self.starts[index], self.ends[index]))
        return index + 1

    def _fence(self, index: int) -> int:
        opening = _FENCE.match(self.lines[index])
        assert opening is not None
        marker = opening[1]
        if marker[0] == "`" and "`" in opening[2]:
            raise _Unsure
        closer = re.compile(rf" {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}(.*)")
        for end in range(index + 1, len(self.lines)):
            found = closer.fullmatch(self.lines[end])
            if found is not None:
                if not found[1].strip(" "):
                    return end + 1
                if not found[1].strip():
                    raise _Unsure  # a closer followed by a tab or another space
        raise _Unsure  # an unclosed fence runs to the end: rare, left to markdown-it

    def _paragraph(self, index: int) -> int:
        lines = self.lines
        end = index
        while True:
            self._inline(lines[end], end, 0)
            end += 1
            if end >= len(lines):
                break
            line = lines[end]
            rest = line.lstrip(" ")
            if not rest:
                break
            if _BLOCKISH.match(rest) or _HR.match(rest) or (self.risky and _RISKY.search(line)):
                raise _Unsure
        self.out.tops.append(("", 0, self.starts[index], self.ends[end - 1]))
        return end

    def _quote(self, index: int) -> int:
        """A plain block quote: its links count, it is not a field block."""
        lines = self.lines
        end = index
        while end < len(lines):
            line = lines[end]
            if not line.strip(" "):
                return end
            if line[0] != ">" or (self.risky and _RISKY.search(line)):
                raise _Unsure  # lazy continuation, or odd characters
            column = 2 if line.startswith("> ") else 1
            content = line[column:]
            if content:
                if content[0] == " " or _BLOCKISH.match(content) or _HR.match(content):
                    raise _Unsure
                self._inline(content, end, column)
            end += 1
        return end

    def _item(self, line: str, index: int, indent: int) -> int:
        """Read a list item's first line; returns the column its content starts at."""
        found = _MARKER.match(line, indent)
        assert found is not None
        width = found.end() - indent
        if len(found[2]) > 4 or _BLOCKISH.match(line, found.end()) or _HR.match(line, indent):
            raise _Unsure
        self._inline(line[found.end():], index, found.end())
        return indent + width

    def _list(self, index: int) -> int:
        lines = self.lines
        first = _MARKER.match(lines[index])
        assert first is not None
        kind = first[1][-1]  # the bullet, or the ordered delimiter
        stack = [self._item(lines[index], index, 0)]
        last = index
        blank = False
        position = index + 1
        while position < len(lines):
            line = lines[position]
            rest = line.lstrip(" ")
            if not rest:
                blank = True
                position += 1
                continue
            if self.risky and _RISKY.search(line):
                raise _Unsure
            indent = len(line) - len(rest)
            marker = _MARKER.match(line, indent)
            if indent == 0:
                if marker is not None and marker[1][-1] != kind:
                    if not blank and marker[1][0].isdigit() and marker[1][:-1] != "1":
                        raise _Unsure
                    break  # another bullet or delimiter starts a new list
                if marker is None:
                    if blank:
                        break
                    raise _Unsure  # a lazy continuation line
                stack = [self._item(line, position, 0)]
            elif indent < stack[0]:
                raise _Unsure
            else:
                while stack[-1] > indent:
                    stack.pop()
                if indent - stack[-1] >= 4 and (blank or marker is not None):
                    raise _Unsure  # indented code inside an item
                if marker is not None:
                    if not blank and marker[1][0].isdigit() and marker[1][:-1] != "1":
                        raise _Unsure  # may not interrupt the paragraph above
                    stack.append(self._item(line, position, indent))
                else:
                    if _BLOCKISH.match(rest) or _HR.match(rest):
                        raise _Unsure
                    if not blank and indent < stack[-1]:
                        raise _Unsure
                    self._inline(rest, position, indent)
            blank = False
            last = position
            position += 1
        # a list's span runs over the blank lines after it, up to the next block
        end = position if position < len(lines) else self.line_count
        self.out.tops.append(("", 0, self.starts[index], self.ends[end - 1]))
        return position

    def _cells(self, line: str, index: int) -> tuple[CellData, ...]:
        if not line.endswith("|") or len(line) < 2:
            raise _Unsure
        cells: list[CellData] = []
        start = 1
        number = self.first + index
        while True:
            end = line.find("|", start)
            if end == -1:
                break
            part = line[start:end]
            content = part.strip(" ")
            if content:
                column = start + len(part) - len(part.lstrip(" "))
                self._inline(content, index, column)
            else:
                column = end
            cells.append((content, number, column + 1))
            start = end + 1
        return tuple(cells)

    def _table(self, index: int) -> int:
        lines = self.lines
        if index + 1 >= len(lines) or not _DELIMITER.fullmatch(lines[index + 1]):
            raise _Unsure
        header = self._cells(lines[index], index)
        if len(header) != lines[index + 1].count("|") - 1:
            raise _Unsure
        rows: list[tuple[CellData, ...]] = []
        end = index + 2
        while end < len(lines) and lines[end].strip(" "):
            line = lines[end]
            if line[0] != "|" or (self.risky and _RISKY.search(line)):
                raise _Unsure
            row = self._cells(line, end)
            if len(row) != len(header):
                raise _Unsure
            rows.append(row)
            end += 1
        self.out.tables.append((header, tuple(rows), self.first + index, 1))
        return end

    def _inline(self, text: str, index: int, column: int) -> None:
        """Collect the links of one line of inline text that starts at *column* (0-based)."""
        if "[" not in text and "`" not in text:
            return
        position = 0
        while True:
            token = _TOKEN.search(text, position)
            if token is None:
                return
            mark = token[0]
            if mark[0] == "`":
                size = len(mark)
                closer = _CLOSERS.get(size)
                if closer is None:
                    closer = _CLOSERS[size] = re.compile(rf"(?<!`)`{{{size}}}(?!`)")
                closing = closer.search(text, token.end())
                if closing is None:
                    raise _Unsure  # may close on a later line, or panic markdown-it
                position = closing.end()
                continue
            link = _LINK.match(text, token.start())
            if link is None:
                raise _Unsure  # brackets that are not a plain inline link
            url = link[2]
            if url.lower().startswith(_BAD_SCHEMES):
                raise _Unsure
            self.out.links.append((url, link[1].strip(" ").strip(), self.first + index,
                                   column + token.start() + 1, mark[0] == "!"))
            position = link.end()
