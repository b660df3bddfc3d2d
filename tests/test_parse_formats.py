"""Every supported format parses into the same model, with positions (own fixtures)."""

from __future__ import annotations

import datetime as dt

import pytest

from adr_tool.models import RecordFormat, RequirementKind
from adr_tool.parse import parse_text

BOLD = """\
# DR-007: Message Broker Choice

**Decision ID:** DR-007
**Title:** Message broker for background jobs
**Status:** ✅ **Accepted**
**Date:** 2025-03-04 (Workshop 3)
**Owner:** Platform Guild

---

## Context

We need a broker.

## Decision

**Selected Broker:** **NATS**

**Winner:** NATS (best fit)

---

**Review Date:** 2026-01-15
"""


def test_bold_field_header() -> None:
    result = parse_text(BOLD, "decisions/DR-007-broker.md")
    record = result.record
    assert record is not None
    assert result.diagnostics == []
    assert record.format is RecordFormat.BOLD_FIELD
    assert record.id == "DR-007"
    assert record.title == "Message broker for background jobs"
    assert record.status == "accepted"
    assert record.status_raw == "✅ **Accepted**"
    assert record.date == dt.date(2025, 3, 4)
    assert record.owner == "Platform Guild"
    assert record.decision == "NATS"
    assert record.review_date == dt.date(2026, 1, 15)
    assert record.pos("status").line == 5
    assert record.pos("status").column == 13
    assert [s.heading for s in record.sections] == ["DR-007: Message Broker Choice", "Context", "Decision"]
    assert record.section("context") is not None
    assert record.section("Context").line == 11  # type: ignore[union-attr]


BULLETS = """\
# Pick a cache

- **Status:** Superseded by DR-012 (moved to `redis`)
- **Date:** 2024-11-02
- **Deciders:** Ana, Bo

Body text.
"""


def test_bold_bullets_with_superseded_by_text() -> None:
    record = parse_text(BULLETS, "docs/adr/0004-pick-a-cache.md").record
    assert record is not None
    assert record.format is RecordFormat.BOLD_FIELD
    assert record.id == "0004"
    assert record.title == "Pick a cache"
    assert record.status == "superseded"
    assert record.superseded_by == ["DR-012"]
    assert record.deciders == ["Ana", "Bo"]
    assert record.owner == "Ana, Bo"


NYGARD = """\
# 3. Use a monorepo

Date: 2019-04-09

## Status

Superseded by [7. Split the repo](0007-split-the-repo.md)

## Context

Many small repos.

## Decision

One repo.

## Consequences

Bigger clones.
"""


def test_nygard() -> None:
    record = parse_text(NYGARD, "doc/adr/0003-use-a-monorepo.md").record
    assert record is not None
    assert record.format is RecordFormat.NYGARD
    assert record.id == "0003"
    assert record.title == "Use a monorepo"
    assert record.status == "superseded"
    assert record.superseded_by == ["0007"]
    assert record.date == dt.date(2019, 4, 9)
    assert record.pos("status").line == 7
    assert [s.heading for s in record.sections][1:] == ["Status", "Context", "Decision", "Consequences"]
    assert record.links[0].url == "0007-split-the-repo.md"
    assert record.links[0].pos.line == 7


NYGARD_SUPERSEDES = """\
# 7. Split the repo

Date: 12/05/2020

## Status

Accepted

Supersedes [3. Use a monorepo](0003-use-a-monorepo.md)
"""


def test_nygard_supersedes_line_and_day_first_date() -> None:
    record = parse_text(NYGARD_SUPERSEDES, "doc/adr/0007-split-the-repo.md").record
    assert record is not None
    assert record.status == "accepted"
    assert record.supersedes == ["0003"]
    assert record.date == dt.date(2020, 5, 12)


MADR2 = """\
# Use plain CSS

* Status: accepted
* Deciders: Kim, Lee
* Date: 2021-02-03

Technical Story: none

## Context and Problem Statement

Which styling?

## Considered Options

* plain CSS
* Tailwind

## Decision Outcome

Chosen option: "plain CSS", because it is simplest.
"""


def test_madr2_bullets() -> None:
    record = parse_text(MADR2, "docs/decisions/0005-use-plain-css.md").record
    assert record is not None
    assert record.format is RecordFormat.MADR
    assert record.status == "accepted"
    assert record.deciders == ["Kim", "Lee"]
    assert record.date == dt.date(2021, 2, 3)
    assert record.decision == "plain CSS"


MADR4 = """\
---
status: accepted
date: 2024-06-01
decision-makers: [Kim, Lee]
consulted: Ops
---

# Use HTTP/3

## Context and Problem Statement

Slow handshakes.

## Decision Outcome

Chosen option: "QUIC everywhere"
"""


def test_madr4_frontmatter() -> None:
    record = parse_text(MADR4, "docs/decisions/0009-use-http3.md").record
    assert record is not None
    assert record.format is RecordFormat.MADR
    assert record.id == "0009"
    assert record.deciders == ["Kim", "Lee"]
    assert record.extra == {"consulted": "Ops"}
    assert record.decision == "QUIC everywhere"
    assert record.pos("status") .line == 2


LOG4BRAINS = """\
# Use the slug as id

- Status: superseded by [20210101-use-numbers](20210101-use-numbers.md)
- Date: 2020-10-16
- Tags: ids, naming

## Context and Problem Statement

Ids.
"""


def test_log4brains() -> None:
    record = parse_text(LOG4BRAINS, "docs/adr/20201016-use-the-slug-as-id.md").record
    assert record is not None
    assert record.format is RecordFormat.LOG4BRAINS
    assert record.id == "20201016-use-the-slug-as-id"
    assert record.status == "superseded"
    assert record.superseded_by == ["20210101-use-numbers"]
    assert record.tags == ["ids", "naming"]


TABLE = """\
# Subject mapping

|Metadata|Value|
|--------|-----|
|Date    |2022-08-01|
|Author  |@someone, @other|
|Status  |Partially Implemented|
|Tags    |server, 2.10|

## Context

Mapping.
"""


def test_metadata_table() -> None:
    record = parse_text(TABLE, "adr/ADR-31.md").record
    assert record is not None
    assert record.format is RecordFormat.TABLE
    assert record.id == "ADR-31"
    assert record.status == "accepted"
    assert record.status_raw == "Partially Implemented"
    assert record.owner == "@someone, @other"
    assert record.tags == ["server", "2.10"]
    assert record.date == dt.date(2022, 8, 1)
    assert record.pos("status").line == 7


GSD = """\
---
phase: 07-payments
plan: 04
subsystem: billing
tags: [stripe, webhooks]
requires:
  - phase: 03-accounts
    provides: Account model with billing address
  - capability: message-queue
  - DR-002
provides:
  - Stripe webhook handler
affects: [payments, src/billing/**]
key-decisions:
  - "Use idempotency keys"
completed: 2026-02-01
---

# Phase 07 Plan 04: Webhooks Summary

**One-liner.**
"""


def test_gsd_summary_ids_requirements() -> None:
    record = parse_text(GSD, ".planning/phases/07-payments/07-04-SUMMARY.md").record
    assert record is not None
    assert record.format is RecordFormat.GSD
    assert record.plan == "04"  # as typed, not the int 4
    assert record.phase == "07-payments"
    assert record.id == "07-04-summary"
    assert record.status == "accepted"
    assert record.date == dt.date(2026, 2, 1)
    assert record.title == "Phase 07 Plan 04: Webhooks Summary"
    kinds = [(r.kind, r.target, r.provides) for r in record.requires]
    assert kinds == [
        (RequirementKind.PHASE, "03-accounts", "Account model with billing address"),
        (RequirementKind.CAPABILITY, "message-queue", None),
        (RequirementKind.RECORD, "DR-002", None),
    ]
    assert [r.pos.line for r in record.requires] == [7, 9, 10]
    assert record.provides == ["Stripe webhook handler"]
    assert record.affects == ["payments", "src/billing/**"]
    assert record.extra["key-decisions"] == ["Use idempotency keys"]


GSD_NESTED = """\
---
phase: 02-api
plan: 010
dependency-graph:
  requires: [01-01, 01-02]
  provides: [REST API]
  affects: [backend/app.py]
decisions:
  - "FastAPI"
---

<objective>
Build the API.
</objective>
"""


def test_gsd_nested_dependency_graph_and_octal_looking_plan() -> None:
    record = parse_text(GSD_NESTED, ".planning/phases/02-api/02-010-PLAN.md").record
    assert record is not None
    assert record.plan == "010"
    assert record.id == "02-010"
    assert record.status == "proposed"
    assert [r.target for r in record.requires] == ["01-01", "01-02"]
    assert record.provides == ["REST API"]
    assert record.affects == ["backend/app.py"]
    assert record.extra["decisions"] == ["FastAPI"]
    assert record.title == "Build the API."


FRONTMATTER = """\
---
id: DR-004
title: "Use Redis: the job queue"
status: accepted (2024-01-02)
date: 2024-01-02
owner: Team A
tags: [infra, queue]
requires: [DR-001, {capability: tls-certs}]
provides: [job-queue]
affects: [infrastructure]
supersedes: [DR-002]
related: [DR-003]
review_date: 2025-01-02
decision: Redis
custom_key: {nested: [1, 2]}
---

# DR-004: Use Redis

## Context

Text.
"""


def test_dr_frontmatter_all_fields() -> None:
    record = parse_text(FRONTMATTER, "decisions/DR-004-use-redis.md").record
    assert record is not None
    assert record.format is RecordFormat.FRONTMATTER
    assert record.id == "DR-004"
    assert record.title == "Use Redis: the job queue"
    assert record.status == "accepted"
    assert record.date == dt.date(2024, 1, 2)
    assert record.tags == ["infra", "queue"]
    assert [(r.kind, r.target) for r in record.requires] == [
        (RequirementKind.RECORD, "DR-001"), (RequirementKind.CAPABILITY, "tls-certs")]
    assert record.supersedes == ["DR-002"]
    assert record.related == ["DR-003"]
    assert record.review_date == dt.date(2025, 1, 2)
    assert record.decision == "Redis"
    assert record.extra == {"custom_key": {"nested": [1, 2]}}
    assert record.body_line == 17
    assert record.section("Context").line == 20  # type: ignore[union-attr]
    assert record.pos("status").line == 4 and record.pos("status").column == 9


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("✅ **Accepted**", "accepted"),
        ("Accepted", "accepted"),
        ("ACCEPTED", "accepted"),
        ("accepted (2024-01-02)", "accepted"),
        ("Approved", "accepted"),
        ("Superseded by [5. Use X](0005-use-x.md)", "superseded"),
        ("⌛️ Superseded by [036. Multi-cluster](036-multi-cluster.md)", "superseded"),
        ("❌ Rejected (see [019](019-x.md))", "rejected"),
        ("🤔 Proposed", "proposed"),
        ("Draft", "proposed"),
        ("Deprecated", "deprecated"),
        ("`Implemented`", "accepted"),
        ("Partly superseded", "superseded"),
        ("banana", None),
    ],
)
def test_status_normalisation(raw: str, expected: str | None) -> None:
    text = f"---\nid: DR-001\ntitle: T\nstatus: {raw!r}\n---\n"
    record = parse_text(text.replace("'", '"') if "'" in raw else text, "DR-001-t.md").record
    assert record is not None
    assert record.status == expected


def test_title_falls_back_to_file_name_not_metadata_lines() -> None:
    record = parse_text("- Deciders: Ann\n- Date: 2020-01-02\n\n## Context\n\nx\n",
                        "docs/adr/20200102-adr-without-title.md").record
    assert record is not None
    assert record.title == "Adr without title"
    assert record.date is not None and record.date.isoformat() == "2020-01-02"
