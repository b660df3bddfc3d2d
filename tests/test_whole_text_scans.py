"""The cheap whole-text checks of a cold parse agree with their plain definitions.

``markdown._surely_fine`` settles most bodies from their length, and finds a deep container
prefix with a newline-led search; ``OffsetMap`` sums line lengths in C. Each is compared here
with the straightforward definition it replaced, on texts built to sit near every limit.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from adr_tool import markdown
from adr_tool.markdown import (
    MAX_BLOCK_CHARS,
    MAX_CONTAINER_PREFIX,
    MAX_ELEMENTS,
    MAX_REFERENCE_WORK,
    OffsetMap,
)
from adr_tool.parse import fastbody, reader
from adr_tool.parse.reader import parse_text

_PLAIN_DEEP = re.compile(rf"^[ \t>\-*+.)0-9]{{{MAX_CONTAINER_PREFIX + 1}}}", re.MULTILINE)


def plain_surely_fine(text: str) -> bool:
    """The definition before the length shortcut and the newline-led search."""
    if len(text) > MAX_BLOCK_CHARS or _PLAIN_DEEP.search(text):
        return False
    lines = text.count("\n") + 1
    marks = sum(text.count(ch) for ch in "*_`~")
    if text.count("[") + text.count("<") + 4 * lines + marks // 2 > MAX_ELEMENTS:
        return False
    return text.count("]:") * lines <= MAX_REFERENCE_WORK


def plain_line_starts(text: str) -> list[int]:
    data = text.encode("utf-8")
    starts = [0]
    position = data.find(b"\n")
    while position != -1:
        starts.append(position + 1)
        position = data.find(b"\n", position + 1)
    return starts


pieces = st.sampled_from(["\n", "- ", "> ", "  ", "\t", "1. ", "[a](b)", "]:", "*", "_", "`", "~",
                          "<", "word ", "é", "✅", "\u2028", "\r"])
small_texts = st.lists(pieces, max_size=60).map("".join)


def _repeat(unit: str, times: int, lead: str) -> str:
    return lead + unit * times


big_texts = st.builds(
    _repeat,
    st.sampled_from(["-", " ", ">", "- ", "[x]:\n", "*a* ", "\n", "a\n", "[", "<b> "]),
    st.integers(0, 2 * MAX_CONTAINER_PREFIX + 50) | st.sampled_from(
        [MAX_CONTAINER_PREFIX, MAX_CONTAINER_PREFIX + 1, MAX_ELEMENTS // 4, MAX_ELEMENTS // 2,
         MAX_ELEMENTS, MAX_ELEMENTS + 1]),
    st.sampled_from(["", "\n", "text\n", "\n\n", "é\n"]),
)


@settings(max_examples=300, deadline=None)
@given(small_texts | big_texts)
def test_surely_fine_agrees_with_its_plain_definition(text: str) -> None:
    assert markdown._surely_fine(text) == plain_surely_fine(text)


def test_surely_fine_at_the_edges() -> None:
    deep = " " * (MAX_CONTAINER_PREFIX + 1)
    for text in (deep, "x\n" + deep, "x\n" + deep[:-1], deep + "\n", "\n" + deep + "x",
                 "[" * (MAX_ELEMENTS + 1), "a\n" * (MAX_ELEMENTS // 4 + 1),
                 "[r]: /u\n" * 1000, "x" * (MAX_BLOCK_CHARS + 1)):
        assert markdown._surely_fine(text) == plain_surely_fine(text), text[:20]
    assert not markdown._surely_fine("x\n" + deep)


@settings(max_examples=300, deadline=None)
@given(small_texts)
def test_line_starts_agree_with_a_plain_walk(text: str) -> None:
    assert OffsetMap(text).line_starts == plain_line_starts(text)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["Winner", "WINNER", "winner", "WİNNER", "wınner", "  Winner", "\u00a0Winner",
                        "Winners", "Loser", "**Winner**", "- Winner", "    Winner"]),
       st.sampled_from([": Render", ":Render", " : Render", " Render", ":"]))
def test_plain_winner_lines_are_read_as_before(head: str, tail: str) -> None:
    """The prefilter in front of ``_PLAIN_WINNER`` never hides a line the pattern matches."""
    line = head + tail
    record = parse_text(f"# T\n\n## Options\n\n{line}\n", "decisions/DR-001-t.md").record
    assert record is not None
    expected = reader._PLAIN_WINNER.match(line)
    if expected is not None and reader._label(expected["k"]) == "decision":
        assert record.decision == expected["v"].strip()
    elif not head.startswith("**"):
        assert record.decision is None


SUSPECT_CHARS = "\\<\x00\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2005\u200a\u200b\u2028\u2029\u202f" \
    "\u205f\u3000\u2014\u201c\u2705\xa9\u1681\u3001\u2080\u205e"


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",))) |
       st.lists(st.sampled_from([*SUSPECT_CHARS, "a", "é", "\n", " "]), max_size=30).map("".join))
def test_suspect_bytes_agree_with_the_character_class(text: str) -> None:
    """The byte-wise check finds exactly the characters the ``_SUSPECT`` class matches."""
    assert fastbody.suspect(text.encode("utf-8")) == (fastbody._SUSPECT.search(text) is not None)


def test_suspect_bytes_each_character() -> None:
    for char in map(chr, range(0x3100)):
        if 0xD800 <= ord(char) <= 0xDFFF:
            continue
        text = "plain " + char + " text"
        assert fastbody.suspect(text.encode("utf-8")) == (fastbody._SUSPECT.search(text) is not None), hex(ord(char))
