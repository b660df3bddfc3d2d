"""Normalisers: slugs, ids from file names and headings, dates."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
import pytest

from adr_tool.parse.normalize import id_from_filename, parse_date, slugify, split_heading_id


@given(st.text(max_size=300))
def test_slug_is_always_safe(title: str) -> None:
    slug = slugify(title)
    assert slug
    assert len(slug) <= 60
    assert slug.isascii()
    assert "/" not in slug and "\\" not in slug and ".." not in slug and "\x00" not in slug
    assert not slug.startswith("-") and not slug.endswith("-")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Use Redis for the job queue", "use-redis-for-the-job-queue"),
        ("Ünïcödé & ✅ symbols!", "unicode-symbols"),
        ("../../etc/passwd", "etc-passwd"),
        ("", "record"),
    ],
)
def test_slug_examples(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize(
    ("name", "ident"),
    [
        ("DR-004-use-x.md", "DR-004"),
        ("0005-use-x.md", "0005"),
        ("ADR-12.md", "ADR-12"),
        ("20200925-use-lerna.md", "20200925-use-lerna"),
        ("notes.html.md", "notes"),
        ("0038_mongo_replacement.md", "0038"),
    ],
)
def test_id_from_filename(name: str, ident: str) -> None:
    assert id_from_filename(name) == ident


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("DR-001: Backend Hosting Platform", ("DR-001", "Backend Hosting Platform")),
        ("1. Record architecture decisions", ("1", "Record architecture decisions")),
        ("28 Repo vulnerability scanning", ("28", "Repo vulnerability scanning")),
        ("ADR 7 - Use X", ("ADR-7", "Use X")),
        ("Phase 05 Plan 04: Summary", (None, "Phase 05 Plan 04: Summary")),
        ("Use AWS hosted Elasticsearch", (None, "Use AWS hosted Elasticsearch")),
    ],
)
def test_split_heading_id(heading: str, expected: tuple[str | None, str]) -> None:
    assert split_heading_id(heading) == expected


@pytest.mark.parametrize(
    ("raw", "date"),
    [
        ("2025-12-22 (Session 2)", dt.date(2025, 12, 22)),
        ("05/02/2018", dt.date(2018, 2, 5)),
        ("10/04/18", dt.date(2018, 4, 10)),
        ("20200925", dt.date(2020, 9, 25)),
        ("March 3, 2021", dt.date(2021, 3, 3)),
        ("Phase 12 (before production deployment)", None),
        ("2021-13-45", None),
    ],
)
def test_parse_date(raw: str, date: dt.date | None) -> None:
    assert parse_date(raw) == date
