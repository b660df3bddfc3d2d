"""The record models build no pydantic schema until something validates (DR-020).

``Pos``, ``Requirement``, ``HistoryEntry`` and ``Record`` are ``defer_build``; the parser makes
them itself through ``models.trusted`` (``make_pos``, ``reader._made``, ``construct_record``).
Each shortcut must equal validation, field set included, and anything whose type validation
would change, or reject, must still go through it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from pydantic import ValidationError
import pytest

from adr_tool.models import (
    HistoryEntry,
    Pos,
    Record,
    Requirement,
    RequirementKind,
    make_pos,
    trusted,
)
from adr_tool.parse import parse_text, reader


class Text(str):
    """A str subclass: validation turns it into a plain str, so it must not be trusted."""


def same(made: object, validated: object) -> None:
    assert made == validated
    assert type(made) is type(validated)
    assert made.__dict__ == validated.__dict__  # type: ignore[attr-defined]
    assert list(made.__dict__) == list(validated.__dict__)  # type: ignore[attr-defined]
    assert made.model_fields_set == validated.model_fields_set  # type: ignore[attr-defined]


def test_make_pos_equals_validation() -> None:
    same(make_pos(3, 7), Pos(line=3, column=7))
    same(make_pos(4), Pos(line=4, column=1))
    assert hash(make_pos(5, 2)) == hash(Pos(line=5, column=2))


def test_make_pos_validates_what_it_cannot_trust() -> None:
    same(make_pos("6", 2), Pos(line=6, column=2))  # type: ignore[arg-type]
    assert type(make_pos(True, 2).line) is int  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        make_pos("six", 1)  # type: ignore[arg-type]


def test_trusted_fills_defaults_and_keeps_the_field_set() -> None:
    same(trusted(Requirement, {"kind": RequirementKind.RECORD, "target": "DR-001"}),
         Requirement(kind=RequirementKind.RECORD, target="DR-001"))
    same(trusted(Requirement, {"kind": RequirementKind.PHASE, "target": "03", "provides": None,
                               "pos": make_pos(2, 3)}),
         Requirement(kind=RequirementKind.PHASE, target="03", provides=None, pos=Pos(line=2, column=3)))
    with pytest.raises(TypeError):
        trusted(Pos, {"line": 1, "row": 2})


def test_made_trusts_only_exact_types() -> None:
    same(reader._made(HistoryEntry, date="2024-01-02", status="accepted", note=""),
         HistoryEntry(date="2024-01-02", status="accepted", note=""))
    made = reader._made(Requirement, kind=RequirementKind.RECORD, target=Text("DR-002"), pos=make_pos(1))
    assert type(made.target) is str  # validated: the subclass became a plain str
    with pytest.raises(ValidationError):
        reader._made(Requirement, kind="no-such-kind", target="x", pos=make_pos(1))


REQUIRES = """\
---
id: DR-007
title: Seven
status: accepted
requires:
  - DR-001
  - id: DR-002
  - phase: 03-backend
    provides: the API
  - capability: redis
history:
  - date: 2024-01-02
    status: proposed
  - {date: 2024-02-03, status: accepted, note: agreed}
owner: Ann
---
# DR-007: Seven

**Requires:** DR-004
"""


def test_parsed_requirements_and_history_equal_validated_ones() -> None:
    record = parse_text(REQUIRES, "decisions/DR-007-seven.md").record
    assert record is not None
    assert [r.target for r in record.requires] == ["DR-001", "DR-002", "03-backend", "redis"]
    for item in record.requires:
        same(item, Requirement(**{k: getattr(item, k) for k in item.model_fields_set}))
    assert [h.status for h in record.history] == ["proposed", "accepted"]
    for entry in record.history:
        same(entry, HistoryEntry(date=entry.date, status=entry.status, note=entry.note))
    assert record.__dict__ == Record.model_validate(record.model_dump()).__dict__


PROBE = textwrap.dedent("""\
    import json, sys
    from adr_tool.parse import parse_text
    import adr_tool.models as m
    record = parse_text(sys.argv[1], "decisions/DR-007-seven.md").record
    built = [c.__name__ for c in (m.Pos, m.Requirement, m.HistoryEntry, m.Record)
             if c.__pydantic_complete__]
    seen = {"built": built, "metadata": "importlib.metadata" in sys.modules,
            "config": "adr_tool.config" in sys.modules, "requires": len(record.requires)}
    try:
        m.Record.model_validate({"id": 1, "title": "x", "format": "nope", "path": "p"})
    except Exception as exc:
        seen["error"] = type(exc).__name__
        seen["count"] = exc.error_count()
    print(json.dumps(seen))
    """)


def test_a_parse_builds_no_schema_and_validation_still_works() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, REQUIRES], capture_output=True, text=True,
                          check=True)
    seen = json.loads(done.stdout)
    assert seen["requires"] == 4
    assert seen["built"] == []
    assert seen["metadata"] is False  # pydantic scans installed packages for plugins on the first build
    assert seen["config"] is False
    assert seen["error"] == "ValidationError"
    assert seen["count"] == 2  # the int id and the unknown format
