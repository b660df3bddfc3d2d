"""Hypothesis strategies for hostile records: text, YAML-ish frontmatter, tables, raw bytes."""

from __future__ import annotations

from hypothesis import strategies as st

YAML_TOKENS = [
    "id", "title", "status", "date", "tags", "requires", "supersedes", "superseded_by", "related",
    "owner", "review_date", "decision", "phase", "plan", "history", "dependency-graph",
    ":", ": ", "-", "- ", "  ", "\t", "\n", "#", "'", '"', "[", "]", "{", "}", ",", "|", ">",
    "&a", "*a", "&b ", "*b", "<<: *a", "? ", "!!python/object/apply:os.system", "!!str", "!!binary",
    "!custom", "%YAML 1.1", "---", "...", "\\", "\\x00", "null", "~", "yes", "2024-02-30", "1e309",
    "0x1F", "DR-001", "accepted", "superseded by DR-002", "é", "\u202e", "\ufeff", "\x85", "\u2028",
]

MD_TOKENS = [
    "# ", "## ", "### ", "\n", "\n\n", "> ", "- ", "* ", "1. ", "```", "~~~", "|", "---", "***",
    "[", "]", "(", ")", "![", "](", "<", ">", "&amp;", "&#0;", "**", "_", "`", "\\", "\t", "    ",
    "[a]: /x", "<script>", "javascript:", "**Status:** ", "Status: ", "Date: ", "Chosen option: ",
    "## Status", "## Decision", "✅", "❌", "🤔", "é", "\u0000", "\r", "\r\n", "\u2028",
]

CELLS = ["", " ", "High", "Medium", "Low", "3", "-1", "1e9", "NaN", "x", "✅", "❌", "~", "**5**",
         "`|`", "\\|", "[a](b)", "<b>", "Option A", "Weight", "Criterion", "Total", "100%", "é"]


def _join(tokens: list[str], alphabet: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(tokens), alphabet)
    return st.lists(piece, max_size=60).map("".join)


short_text = st.text(max_size=12)

any_text = st.text(max_size=2000)
"""Arbitrary Unicode text, surrogates excluded by hypothesis (files are written as UTF-8)."""

yamlish = _join(YAML_TOKENS, short_text).map(lambda body: f"---\n{body}\n---\n# Title\n")
"""Frontmatter made of YAML punctuation, anchors, tags and field names."""

markdownish = _join(MD_TOKENS, short_text)


@st.composite
def tables(draw: st.DrawFn) -> str:
    """A record with one or more criteria-like Markdown tables, some of them malformed."""
    parts = ["---\nid: DR-001\ntitle: T\nstatus: proposed\n---\n\n## Decision Criteria\n"]
    for _ in range(draw(st.integers(1, 3))):
        width = draw(st.integers(0, 6))
        cell = st.one_of(st.sampled_from(CELLS), short_text.map(lambda s: s.replace("\n", " ")))
        header = [draw(cell) for _ in range(width)]
        parts.append("\n| " + " | ".join(header) + " |\n")
        parts.append("|" + "|".join(draw(st.sampled_from(["---", ":--", "--:", "-", ""]))
                                    for _ in range(max(width, 1))) + "|\n")
        for _ in range(draw(st.integers(0, 6))):
            row_width = draw(st.integers(0, width + 2))
            parts.append("| " + " | ".join(draw(cell) for _ in range(row_width)) + " |\n")
        parts.append(draw(st.sampled_from(["\n", "", "\n## Decision\n\nChosen option: Option A\n"])))
    return "".join(parts)


random_bytes = st.one_of(
    st.binary(max_size=2000),
    st.tuples(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"---\n"]),
              st.binary(max_size=500)).map(lambda t: t[0] + t[1]),
)
