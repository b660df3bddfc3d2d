"""The fast paths of lint and scoring agree with the plain definitions they replace.

Each hot function was rewritten for speed (issue 7); these tests keep the simple version
as the reference and compare on generated input, so a later change cannot drift silently.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from adr_tool.criteria import _CRITERION_WORDS, _WEIGHT_WORDS, has_criteria_header
from adr_tool.lint.rules.body import _normalise_line, _quick_key, _scan_lines
from adr_tool.parse.normalize import strip_markup
from adr_tool.scoring import _find_words


def reference_header(raw: bytes) -> bool:
    """The line-by-line definition of ``has_criteria_header``."""
    if b"|" not in raw:
        return False
    low = raw.lower()
    return any(
        b"|" in line and any(w in line for w in _CRITERION_WORDS)
        and any(w in line for w in _WEIGHT_WORDS)
        for line in low.splitlines()
    )


HEADER_PIECES = [b"|", b"\n", b"\r", b"\r\n", b"Criteria", b"criteri", b"FACTOR", b"driver",
                 b"Weight", b"priority", b"importance", b" ", b"x", b"\x0b", b"\x1c",
                 "é".encode(), b"crit", b"eria", b"wei", b"ght"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(HEADER_PIECES), max_size=16))
def test_has_criteria_header_matches_the_line_by_line_definition(pieces: list[bytes]) -> None:
    raw = b"".join(pieces)
    assert has_criteria_header(raw) == reference_header(raw)


def reference_find_words(haystack: str, needle: str) -> int | None:
    """The regex definition of ``_find_words``."""
    match = re.search(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", haystack)
    return None if match is None else match.start()


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab1 .+#", max_size=12), st.text(alphabet="ab1 .+#", max_size=4))
def test_find_words_matches_the_regex(haystack: str, needle: str) -> None:
    assert _find_words(haystack, needle) == reference_find_words(haystack, needle)


def reference_normalise(line: str) -> str:
    """The regex definition of ``_normalise_line``."""
    line = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?", "", line)
    return re.sub(r"\s+", " ", strip_markup(line)).strip().strip("\"'“”").casefold()


SENTENCES = frozenset({"what is the change that we are proposing and/or doing?",
                       "good, because ...", "straße ist gut, ja"})
PREFIXES = frozenset(_quick_key(s) for s in SENTENCES)
LINE_PIECES = ["```", "~~~", "<!--", "-->", "{a b}", "{short title of solved problem}", "`x`",
               "**", "_", " ", "  ", "\t", "\u00a0", "\u2003", "- ", "1. ", "[x] ", '"', "“",
               "What", "is", "the", "change", "that", "we", "are", "proposing", "and/or",
               "doing?", "Good,", "because", "...", "Straße", "STRASSE", "ist", "gut,", "ja",
               "\u212a", "İ", "ﬁ", "Σ", "[a](b)", "    "]


def reference_scan(chunk: list[str], first_line: int) -> list[tuple[int, int, str]]:
    """The plain per-line loop ``_scan_lines`` started from (positions and messages)."""
    out: list[tuple[int, int, str]] = []
    fence: str | None = None
    in_comment = False
    for offset, raw in enumerate(chunk):
        stripped = raw.strip()
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if in_comment:
            in_comment = "-->" not in stripped
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            continue
        if stripped.startswith("<!--") and "-->" not in stripped:
            in_comment = True
            continue
        if not stripped or raw.startswith(("    ", "\t")):
            continue
        if "{" not in stripped and _quick_key(stripped) not in PREFIXES:
            continue
        text = re.sub(r"`+[^`\n]*`+", "", re.sub(r"<!--.*?-->", "", stripped, flags=re.DOTALL))
        if reference_normalise(text) in SENTENCES:
            out.append((first_line + offset, 1, "template placeholder text left in the record"))
            continue
        match = re.search(r"(?<![{\w$%#])\{[A-Za-z][\w ,.'’/()…-]*\s[\w ,.'’/()…-]*[\w.)…]\}(?!\})",
                          text)
        if match:
            column = raw.find(match[0]) + 1 if match[0] in raw else 1
            out.append((first_line + offset, column, f"placeholder {match[0]!r} left in the record"))
    return out


lines_st = st.lists(st.sampled_from(LINE_PIECES), max_size=10).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(lines_st, min_size=1, max_size=8))
def test_placeholder_scan_matches_the_plain_loop(chunk: list[str]) -> None:
    found = [(f.line, f.column, f.message) for f in _scan_lines(chunk, 5, SENTENCES, PREFIXES)]
    assert found == reference_scan(chunk, 5)


@given(lines_st)
def test_normalise_line_matches_the_regex_definition(line: str) -> None:
    assert _normalise_line(line) == reference_normalise(line)
