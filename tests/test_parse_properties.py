"""Property tests: no text makes the parser raise; what `adr new` writes reads back the same."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adr_tool.config import load_config
from adr_tool.lifecycle import render_record
from adr_tool.parse import parse_text

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

yamlish = st.lists(
    st.one_of(
        st.from_regex(r"[a-z_-]{1,8}: [^\n]{0,20}", fullmatch=True),
        st.from_regex(r"  - [^\n]{0,15}", fullmatch=True),
        st.sampled_from(["requires:", "  - phase: 01-x", "    provides: y", "tags: [a, b", "&a x", "*a",
                         "key: |", "\t- tab", "? complex", "id: 007", "plan: 010", "---", "..."]),
    ),
    max_size=12,
)
markdownish = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(["# T", "## Status", "Accepted", "| a | b |", "|---|---|", "| ✅ | 5 (20) |",
                         "**Status:** ✅ **Accepted**", "- Status: draft", "```", "[x](y.md)",
                         "Date: 2020-01-01", "<script>alert(1)</script>", "## Decision Criteria"]),
    ),
    max_size=15,
)


def _check(text: str) -> None:
    result = parse_text(text, "decisions/DR-001-x.md")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert result.record is not None
    assert isinstance(result.record.id, str) and result.record.id
    for diag in result.diagnostics:
        assert 1 <= diag.line <= lines + 1, (diag, text)
        assert diag.column >= 1


@SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text: str) -> None:
    _check(text)


@SETTINGS
@given(yamlish, markdownish)
def test_yamlish_frontmatter_never_raises(front: list[str], body: list[str]) -> None:
    _check("---\n" + "\n".join(front) + "\n---\n" + "\n".join(body))


@SETTINGS
@given(markdownish)
def test_markdownish_body_never_raises(body: list[str]) -> None:
    _check("\n".join(body))


titles = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
    min_size=1, max_size=60,
).filter(lambda t: t.strip() and not t.strip().startswith(("#", "=", "-", "*", "+", ">", "|", "`", "~")))
ids = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)


@SETTINGS
@given(
    title=titles,
    status=st.sampled_from(["proposed", "accepted", "rejected", "deprecated", "superseded"]),
    tags=st.lists(ids, max_size=4),
    requires=st.lists(st.from_regex(r"DR-0[0-9]{2}", fullmatch=True), max_size=3),
    number=st.integers(min_value=1, max_value=999),
)
def test_new_record_round_trips(title: str, status: str, tags: list[str], requires: list[str], number: int) -> None:
    config = load_config()
    record_id = f"DR-{number:03d}"
    title = " ".join(title.split())
    text = render_record("dr", config, {
        "id": record_id, "title": title, "status": status, "date": "2026-01-01", "owner": "",
        "tags": tags, "requires": requires, "supersedes": [], "prefix": "DR-",
    })
    result = parse_text(text, f"decisions/{record_id}-x.md")
    record = result.record
    assert result.diagnostics == []
    assert record is not None
    assert record.id == record_id
    assert record.title == title
    assert record.status == status
    assert record.tags == tags
    assert [r.target for r in record.requires] == requires
