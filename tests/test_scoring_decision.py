"""The recorded decision that `adr score` compares with the computed winner (issue 5)."""

from __future__ import annotations

import pytest

from adr_tool.parse import parse_text


@pytest.mark.parametrize(
    ("text", "decision", "line", "column"),
    [
        ("# T\n\n## Evaluation\n\nWinner: Render\n", "Render", 5, 9),
        ("# T\n\n## Evaluation\n\n**Winner:** Render (highest score on critical criteria)\n",
         "Render", 5, 13),
        ("# T\n\n## Decision\n\n**Selected Platform:** **Render**\n", "Render", 5, 24),
        ("# T\n\n## Decision\n\n**Azure Service Bus** as the primary broker.\n",
         "Azure Service Bus", 5, 3),
        ("# T\n\n## Decision\n\n**Tiered approach**:\n\n1. one\n", "Tiered approach", 5, 3),
        ("# T\n\n## Decision Outcome\n\n\nChosen option: \"Render\", because it is best\n",
         "Render", 6, 1),
        ("---\ndecision: Render\n---\n# T\n", "Render", 2, 11),
    ],
)
def test_decision_forms_are_read_with_position(text: str, decision: str, line: int,
                                               column: int) -> None:
    record = parse_text(text, "x.md").record
    assert record is not None
    assert (record.decision, record.pos("decision").line, record.pos("decision").column) == (
        decision, line, column)


@pytest.mark.parametrize(
    "text",
    [
        "# T\n\n## Decision\n\n**Deployment Strategy:**\n- Render\n",  # a label, not an option
        "# T\n\n## Decision\n\nWe will use **Render** for now.\n",  # prose, not a lead
        "# T\n\n## Context\n\n**Render** is popular.\n",  # not the Decision section
    ],
)
def test_text_that_is_not_a_decision_is_ignored(text: str) -> None:
    record = parse_text(text, "x.md").record
    assert record is not None
    assert record.decision is None
