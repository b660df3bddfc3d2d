"""Reference rewriting for renumber: exact, word-boundary safe (property-tested)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from adr_tool.lifecycle import reference_pattern, rewrite_references

_noise = st.text(alphabet="abcxyzDRA -_.,:;()[]/#\n0123456789", max_size=60)


@pytest.mark.parametrize(("text", "expected"), [
    ("DR-007", "DR-012"),
    ("see DR-007.", "see DR-012."),
    ("[x](DR-007-use-redis.md)", "[x](DR-012-use-redis.md)"),
    ("ADR 7 and ADR-007 and ADR-7", "ADR 12 and ADR-012 and ADR-12"),
    ("dr-007", "dr-012"),
    ("DR-0070 DR-17 XDR-007 DR-007a ADR 70 ADR 7.5x", "DR-0070 DR-17 XDR-007 DR-007a ADR 70 ADR 12.5x"),
    ("requires: [DR-001, DR-007]", "requires: [DR-001, DR-012]"),
])
def test_rewrite_examples(text: str, expected: str) -> None:
    assert rewrite_references(text, "DR-007", "DR-012") == expected


@settings(max_examples=300, deadline=None)
@given(left=_noise, right=_noise)
def test_rewrite_changes_exactly_the_mentions(left: str, right: str) -> None:
    pattern = reference_pattern("DR-007")
    text = f"{left} DR-007 {right}"
    out = rewrite_references(text, "DR-007", "DR-012")
    assert " DR-012 " in out
    # nothing else changes: undoing our own replacement restores every other mention
    n_before = len(pattern.findall(text))
    assert len(reference_pattern("DR-012").findall(out)) >= n_before
    if not pattern.search(left + "\x00" + right):
        assert out == f"{left} DR-012 {right}"
