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
    lines: list[str] | None = None
    """The text's lines when the line reader made the scan: its blocks are whole lines, so
    the body walk takes their lines from here instead of decoding and splitting again."""


class _Unsure(Exception):
    """Raised inside the scan when the text leaves the shapes read here."""


_SUSPECT = re.compile(r"[\\<\x00\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
"""Characters that may need a closer look: a single class, so a whole body is searched fast."""
_ASCII_SUSPECTS = tuple(char.encode() for char in "\\<\x00\t\x0b\x0c\r\x1c\x1d\x1e\x1f")
_WIDE_SUSPECTS = (
    (b"\xc2", re.compile(rb"\xc2[\x85\xa0]")),
    (b"\xe1", re.compile(rb"\xe1\x9a\x80")),
    (b"\xe2", re.compile(rb"\xe2(?:\x80[\x80-\x8a\xa8\xa9\xaf]|\x81\x9f)")),
    (b"\xe3", re.compile(rb"\xe3\x80\x80")),
)
"""``_SUSPECT``'s characters in UTF-8, each looked for on its own: a byte search (memchr) or a
pattern led by a literal byte skips along the text, where a character class is tested at
every character (53 µs -> 16 µs on a bench record)."""


def suspect(data: bytes) -> bool:
    """Whether the UTF-8 *data* holds a character of ``_SUSPECT``."""
    for needle in _ASCII_SUSPECTS:
        if needle in data:
            return True
    if data.isascii():
        return False
    return any(lead in data and pattern.search(data) is not None for lead, pattern in _WIDE_SUSPECTS)


_RISKY = re.compile(r"\\|<\S|[^\S \n]|\x00")
"""Backslash escapes; autolinks (raw HTML is off, but ``<http://x>`` is still a link); tabs,
CR, form feeds and Unicode spaces, where markdown-it and ``str.strip`` disagree."""
_LINE = re.compile(r"( *)(?:([-*+]|[0-9]{1,9}[.)])( +)(?=\S))?")
"""Indentation, then a list marker and the spaces after it, if any."""
_BLOCKISH = re.compile(r"[#`~>|:=<]|[-*+](?: |$)|[0-9]{1,9}[.)](?: |$)|[-*_] *[-*_] *[-*_]"
                       r"|[-*_:|= ]+$")
"""Text starts that may open or end a block: a heading, fence, quote, table, list item,
thematic break or setext underline."""
_BLOCK_LEADS = frozenset("#`~>|:=<-*+_ 0123456789")
"""Every character ``_BLOCKISH`` can match first: a text starting with anything else (most
lines start with a letter) is settled by a set lookup instead of running the pattern."""
_HEADING = re.compile(r"(#{1,6}) +([^*_\[\]<>&!~\\#]*)")
"""An ATX heading whose text is plain (no closing ``#``s, no inline markup but code spans)."""
_HR = re.compile(r"([-*_])(?: *\1){2,} *$")
_FENCE = re.compile(r"(`{3,}|~{3,})(.*)")
_DELIMITER = re.compile(r"\|(?: *:?-+:? *\|)+")
_LINK = re.compile(r"\[([^\[\]`\\*_<>&~!|\n]*)\]\(([A-Za-z0-9\-.~:/?#@$+,;=]+)\)")
"""A plain inline link: text without markup, a destination that needs no normalising."""
_BAD_SCHEMES = ("javascript:", "vbscript:", "file:", "data:")
_CLOSERS: dict[str, re.Pattern[str]] = {}


def scan(text: str, first_line: int, line_starts: list[int], data: bytes | None = None) -> Scan | None:
    """Read *text* (file line *first_line* onwards) or return None when unsure.

    *line_starts* are the UTF-8 byte offsets of the lines (``OffsetMap.line_starts``),
    so block spans come out in the same bytes as markdown-it's ``srcmap``; *data* is the
    text in UTF-8 when the caller has it (``OffsetMap.data``).
    """
    if not ENABLED:
        return None
    try:
        return _scan(text, first_line, line_starts, text.encode("utf-8") if data is None else data)
    except _Unsure:
        return None


def _scan(text: str, first: int, starts: list[int], data: bytes) -> Scan:
    """One pass over the lines; a single function because this is the hot loop of a cold run."""
    lines = text.split("\n")
    count = len(lines)
    size = len(data)
    risky = suspect(data)
    found = Scan(lines=lines)
    tops = found.tops
    links = found.links
    line_match = _LINE.match
    blockish = _BLOCKISH.match
    index = 0
    while index < count:
        line = lines[index]
        if not line:
            index += 1
            continue
        lead = line[0]
        if lead == " ":
            if line.strip(" "):
                raise _Unsure  # indented code, or a block that needs its indentation read
            index += 1
            continue
        if risky and _odd(line):
            raise _Unsure
        if lead == "#":
            heading = _HEADING.fullmatch(line)
            if heading is None:
                raise _Unsure
            end = starts[index + 1] - 1 if index + 1 < count else size
            title = heading[2] if "`" not in line else _without_code(heading[2])
            tops.append((title.strip(" ").strip(), len(heading[1]), starts[index], end))
            index += 1
            continue
        if lead == "|":
            index = _table(lines, index, first, found, risky)
            continue
        if lead == ">":
            index = _quote(lines, index, first, links, risky)
            continue
        if lead in "`~":
            fence = _FENCE.match(line)
            if fence is not None:
                index = _fence(lines, index, fence)
                continue
        if lead in "-*_" and _HR.match(line):
            index += 1  # a thematic break: not a field block
            continue
        start = index
        item = line_match(line) if lead in "-*+0123456789" else None
        if item is not None and item[2]:  # a list: it runs over the blank lines after it, up to the next block
            index = _list(lines, index, item, first, links, risky)
            last = index if index < count else count - (count > 1 and not lines[-1])
            tops.append(("", 0, starts[start], starts[last] - 1 if last < count else size))
            continue
        if lead in "-*+_=:<0123456789" and blockish(line):
            raise _Unsure
        while True:  # a paragraph: ends at a blank line or a list, else left to markdown-it
            if "[" in line or "`" in line:
                _links(line, first + index, 0, links)
            index += 1
            if index >= count:
                break
            line = lines[index]
            rest = line.lstrip(" ")
            if not rest:
                break
            if (rest[0] in _BLOCK_LEADS and blockish(rest)) or (risky and _odd(line)):
                if line[0] != " " and _interrupts(line):
                    break
                raise _Unsure
        tops.append(("", 0, starts[start], starts[index] - 1 if index < count else size))
    return found


def _interrupts(line: str) -> bool:
    """Whether an unindented line starts a list that ends the paragraph above it (a bullet
    item with text, or an ordered one numbered 1)."""
    item = _LINE.match(line)
    if item is None or not item[2]:
        return False
    marker = item[2]
    return not marker[0].isdigit() or marker[:-1] == "1"


def _odd(line: str) -> bool:
    """Whether a line outside code fences has characters the fast path does not read."""
    return _SUSPECT.search(line) is not None and _RISKY.search(line) is not None


def _fence(lines: list[str], index: int, opening: re.Match[str]) -> int:
    """Skip a fenced code block; returns the line after its closer."""
    marker = opening[1]
    if marker[0] == "`" and "`" in opening[2]:
        raise _Unsure
    closer = _CLOSERS.get(marker)
    if closer is None:
        closer = _CLOSERS[marker] = re.compile(rf" {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}(.*)")
    probe = marker[:3]
    for end in range(index + 1, len(lines)):
        line = lines[end]
        if probe in line[:6]:
            closing = closer.fullmatch(line)
            if closing is not None:
                if not closing[1].strip(" "):
                    return end + 1
                if not closing[1].strip():
                    raise _Unsure  # a closer followed by a tab or another space
    raise _Unsure  # an unclosed fence runs to the end: rare, left to markdown-it


def _quote(lines: list[str], index: int, first: int, links: list[Link], risky: bool) -> int:
    """A plain block quote: its links count, it is not a field block."""
    end = index
    while end < len(lines):
        line = lines[end]
        if not line.strip(" "):
            return end
        if line[0] != ">" or (risky and _odd(line)):
            raise _Unsure  # lazy continuation, or odd characters
        column = 2 if line.startswith("> ") else 1
        content = line[column:]
        if content:
            if content[0] == " " or (content[0] in _BLOCK_LEADS and _BLOCKISH.match(content)):
                raise _Unsure
            if "[" in content or "`" in content:
                _links(content, first + end, column, links)
        end += 1
    return end


def _list(lines: list[str], index: int, item: re.Match[str], first: int, links: list[Link],
          risky: bool) -> int:
    """Read a top-level list from its first item; returns the line of the next block.

    Nesting is only followed as far as needed to know every line is inline text of some
    item (no code, tables, headings or lazy lines inside), which is all the body walk uses.
    """
    kind = item[2][-1]  # the bullet, or the ordered delimiter
    stack = [_item(item, lines[index], first + index, links)]
    blank = False
    count = len(lines)
    position = index + 1
    line_match = _LINE.match
    while position < count:
        line = lines[position]
        found = line_match(line)
        assert found is not None
        indent = found.end(1)
        if indent == len(line):
            blank = True
            position += 1
            continue
        if risky and _odd(line):
            raise _Unsure
        marker = found[2]
        if indent == 0:
            if marker is None:
                if blank:
                    break
                raise _Unsure  # a lazy continuation line
            if marker[-1] != kind:
                if not blank and marker[0].isdigit() and marker[:-1] != "1":
                    raise _Unsure
                break  # another bullet or delimiter starts a new list
            stack = [_item(found, line, first + position, links)]
        elif indent < stack[0]:
            raise _Unsure
        else:
            while stack[-1] > indent:
                stack.pop()
            if indent - stack[-1] >= 4 and (blank or marker is not None):
                raise _Unsure  # indented code inside an item
            if marker is not None:
                if not blank and marker[0].isdigit() and marker[:-1] != "1":
                    raise _Unsure  # may not interrupt the paragraph above
                stack.append(_item(found, line, first + position, links))
            else:
                if ((line[indent] in _BLOCK_LEADS and _BLOCKISH.match(line, indent))
                        or (not blank and indent < stack[-1])):
                    raise _Unsure
                if "[" in line or "`" in line:
                    _links(line[indent:], first + position, indent, links)
        blank = False
        position += 1
    return position


def _item(found: re.Match[str], line: str, number: int, links: list[Link]) -> int:
    """Check a list item's first line; returns the column its content starts at."""
    content = found.end()
    if len(found[3]) > 4 or (line[content:content + 1] in _BLOCK_LEADS and _BLOCKISH.match(line, content)):
        raise _Unsure
    if "[" in line or "`" in line:
        _links(line[content:], number, content, links)
    return content


def _table(lines: list[str], index: int, first: int, found: Scan, risky: bool) -> int:
    """A pipe table with a row of cells on every line up to a blank line."""
    if index + 1 >= len(lines) or not _DELIMITER.fullmatch(lines[index + 1]):
        raise _Unsure
    width = lines[index + 1].count("|") + 1
    header = _cells(lines[index], first + index, width, found.links)
    rows: list[tuple[CellData, ...]] = []
    end = index + 2
    while end < len(lines):
        line = lines[end]
        if not line.strip(" "):
            break
        if risky and _odd(line):
            raise _Unsure
        rows.append(_cells(line, first + end, width, found.links))
        end += 1
    found.tables.append((header, tuple(rows), first + index, 1))
    return end


def _cells(line: str, number: int, width: int, links: list[Link]) -> tuple[CellData, ...]:
    """The cells of a row that starts and ends with a pipe and has *width* - 2 cells."""
    parts = line.split("|")
    if len(parts) != width or parts[0] or parts[-1]:
        raise _Unsure  # a ragged row, or text outside the pipes
    check = "[" in line or "`" in line
    cells: list[CellData] = []
    column = 1  # 0-based column where the current part starts
    for part in parts[1:-1]:
        content = part.strip(" ")
        if content:
            at = column + len(part) - len(part.lstrip(" "))
            if check and ("[" in content or "`" in content):
                _links(content, number, at, links)
            cells.append((content, number, at + 1))
        else:
            cells.append(("", number, column + len(part) + 1))
        column += len(part) + 1
    return tuple(cells)


def _links(text: str, number: int, column: int, links: list[Link]) -> None:
    """Collect the links of one line of inline text that starts at *column* (0-based).

    ``str.find`` jumps between brackets and backticks: a regex scan of every character
    costs several times more on long paragraphs.
    """
    find = text.find
    position = 0
    while True:
        bracket = find("[", position)
        tick = find("`", position, bracket if bracket != -1 else len(text))
        if tick != -1:
            position = _code_span(text, tick)
            continue
        if bracket == -1:
            return
        link = _LINK.match(text, bracket)
        if link is None:
            raise _Unsure  # brackets that are not a plain inline link
        url = link[2]
        if url.lower().startswith(_BAD_SCHEMES):
            raise _Unsure
        image = bracket > position and text[bracket - 1] == "!"
        links.append((url, link[1].strip(" ").strip(), number,
                      column + bracket + (0 if image else 1), image))
        position = link.end()


def _without_code(text: str) -> str:
    """Heading text as markdown-it's text nodes have it: code spans lose their backticks
    (and one space each side when both are there, as CommonMark says)."""
    parts: list[str] = []
    position = 0
    while True:
        tick = text.find("`", position)
        if tick == -1:
            parts.append(text[position:])
            return "".join(parts)
        parts.append(text[position:tick])
        run = tick
        while run < len(text) and text[run] == "`":
            run += 1
        position = _code_span(text, tick)
        code = text[run:position - (run - tick)]
        if len(code) > 1 and code[0] == " " and code[-1] == " " and code.strip(" "):
            code = code[1:-1]
        parts.append(code)


def _code_span(text: str, start: int) -> int:
    """Where the code span opened by the backtick run at *start* ends (links never start
    inside one); an unclosed run may close on a later line, so it sends the body back."""
    end = start + 1
    size = len(text)
    while end < size and text[end] == "`":
        end += 1
    run = text[start:end]
    found = text.find(run, end)
    while found != -1:
        after = found + len(run)
        while after < size and text[after] == "`":
            after += 1
        if after - found == len(run):
            return after
        found = text.find(run, after)
    raise _Unsure
