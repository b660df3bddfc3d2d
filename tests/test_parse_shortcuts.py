"""The parser's shortcuts change nothing (DR-019).

Records built without validation equal the validated ones, field by field; the bold-field
pre-checks and the line walks of the frontmatter split give what the full passes gave.

``reader._build`` skips pydantic when ``reader._plain`` says every value already has its
field's exact type. Each check parses a text twice, once with ``_plain`` forced to False
(so ``Record(**fields)`` validates), and compares values, their types and private state.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import datetime as dt
from pathlib import Path
import pickle
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from adr_tool.models import Record, RecordFormat
from adr_tool.parse import ParseOptions, parse_text, reader
from adr_tool.parse import frontmatter as fm_mod
from adr_tool.parse.body import Body
from bench.corpus import generate
from tests.test_fast_body import shared_files

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextlib.contextmanager
def validated() -> Iterator[None]:
    saved = reader._plain
    reader._plain = lambda fields: False  # type: ignore[assignment]
    try:
        yield
    finally:
        reader._plain = saved


def deep_types(value: Any) -> Any:
    """The value with every element's exact type beside it, so ``1 == True`` cannot hide."""
    if isinstance(value, dict):
        return (type(value), [(deep_types(k), deep_types(v)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return (type(value), [deep_types(v) for v in value])
    return (type(value), value)


def assert_same(text: str, path: str = "decisions/DR-001-x.md",
                options: ParseOptions | None = None) -> bool:
    """Parse both ways and compare; returns whether the unvalidated path was taken."""
    taken: list[bool] = []
    plain = reader._plain

    def spy(fields: dict[str, Any]) -> bool:
        taken.append(plain(fields))
        return taken[-1]

    reader._plain = spy  # type: ignore[assignment]
    try:
        fast = parse_text(text, path, options).record
    finally:
        reader._plain = plain
    with validated():
        slow = parse_text(text, path, options).record
    assert fast is not None and slow is not None
    assert type(fast) is Record
    for name in Record.model_fields:
        assert deep_types(getattr(fast, name)) == deep_types(getattr(slow, name)), name
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.__pydantic_private__ == slow.__pydantic_private__
    assert fast.__pydantic_extra__ == slow.__pydantic_extra__
    assert fast == slow and repr(fast) == repr(slow)
    assert fast.model_dump() == slow.model_dump()
    again_fast, again_slow = pickle.loads(pickle.dumps(fast)), pickle.loads(pickle.dumps(slow))
    assert repr(again_fast) == repr(again_slow)  # repr, not ==: a YAML .nan is not equal to itself
    assert again_fast.__pydantic_private__ == again_slow.__pydantic_private__
    assert fast.sections == slow.sections and fast.tables == slow.tables
    return bool(taken and taken[-1])


def test_shared_seeds_and_corpora() -> None:
    files = shared_files()
    if not files:
        pytest.skip("../shared seeds and corpora are absent")
    taken = 0
    for path in files:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        taken += assert_same(text.replace("\r\n", "\n"), str(path))
    assert taken > 0.9 * len(files)


def test_bench_records(tmp_path: Path) -> None:
    corpus = generate(tmp_path / "bench", 200, seed=5)
    files = sorted(corpus.records_dir.glob("*.md"))
    assert all(assert_same(p.read_text("utf-8"), str(p)) for p in files)


def test_odd_values_are_validated_not_constructed() -> None:
    """A str subclass from the config would be converted by pydantic: those validate."""

    class Term(str):
        pass

    options = ParseOptions(statuses=(Term("accepted"),), aliases=())
    text = "---\nstatus: accepted\n---\n# T\n"
    assert not assert_same(text, options=options)
    record = parse_text(text, "x.md", options).record
    assert record is not None and type(record.status) is str


def test_frontmatter_scalars_of_every_yaml_type() -> None:
    text = ("---\nid: 7\ntitle: 2020-01-02\nstatus: [accepted]\ndate: 2020-01-02 10:00:00\n"
            "owner: 3.5\ndeciders: [1, true, null, {a: b}]\ntags: 5\nphase: 1.10\nplan: [1, 2]\n"
            "decision: {x: 1}\n1: int key\nnull: null key\ntrue: bool\n"
            "history: [{date: 2020-01-01, status: accepted}]\nrequires: [{phase: 2}, 3]\n"
            "review_date: 2021-01-01\n---\n# Title\n\n**Winner:** x\n")
    assert assert_same(text)
    record = parse_text(text, "x.md").record
    assert record is not None and record.format is RecordFormat.GSD
    assert type(record.date) is dt.date and all(type(k) is str for k in record.extra)


yaml_value = st.one_of(
    st.sampled_from(["", "~", "null", "true", "07", "0x1F", "1e3", "2020-01-02", "2020-01-02T10:00:00",
                     "'quoted'", '"\\ud800 esc"', "[a, b]", "[1, {k: v}]", "{a: 1}", "|\n  block",
                     "Superseded by [DR-2](DR-002-x.md)", "✅ **Accepted**", "01/02/2020",
                     "- x\n  - y", "!!str 5", "!!binary aGk=", "&a x", "*a", ".nan", "-.inf"]),
    st.from_regex(r"[^\n:#{}\[\]&*!|>'\"%@`,]{0,20}", fullmatch=True),
)
yaml_key = st.one_of(
    st.sampled_from([*sorted(reader.LABELS), "completed", "history", "decisions", "1", "true", "null", "dependency-graph", "wave", "consulted"]),
    st.from_regex(r"[a-z][a-z_ -]{0,10}", fullmatch=True),
)
body_line = st.sampled_from(["# Title", "# DR-9: Title", "## Status", "Accepted", "## Decision",
                             "**Status:** Proposed", "- Status: draft", "**Winner:** Render",
                             "| Metadata | Value |", "|---|---|", "| Status | accepted |",
                             "Date: 2020-01-01", "Chosen option: \"A\", because", "text [a](b.md)", ""])


@SETTINGS
@given(st.lists(st.tuples(yaml_key, yaml_value), max_size=10), st.lists(body_line, max_size=10),
       st.sampled_from(["decisions/DR-001-x.md", "20200102-a-b.md", "phase-summary.md", "x.md"]))
def test_generated_frontmatter(entries: list[tuple[str, str]], body: list[str], path: str) -> None:
    front = "\n".join(f"{k}: {v}" for k, v in entries)
    assert_same("---\n" + front + "\n---\n" + "\n".join(body) + "\n", path)


@SETTINGS
@given(st.text(max_size=300))
def test_generated_text(text: str) -> None:
    assert_same(text)


def reference_bold_fields(body: Body, draft: reader._Draft) -> None:
    """``_read_bold_fields`` before its line pre-checks: every pattern on every line."""
    for line_no, line, in_header in body.field_lines:
        match = reader._BOLD.match(line)
        kind = "bold"
        if match is None:
            match = reader._BULLET.match(line)
            kind = "bullet"
        if match is None and in_header:
            match = reader._BARE.match(line)
            kind = "bare"
        if match is None:
            match = reader._PLAIN_WINNER.match(line)
            kind = "winner"
        if match is None:
            continue
        single = Body(field_lines=[(line_no, line, in_header)])
        if kind in ("bold", "winner") or in_header:
            reader._read_bold_fields(single, draft)


field_line = st.one_of(
    st.sampled_from(["**Status:** Accepted", "- **Date**: 2020-01-01", "- Status: draft", "Winner: Render",
                     "  winner : x", "- Winner: y", "**Decision:** A (b)", "Date: 2020-01-01",
                     "* Tags: a, b", "**Requires:** DR-1, DR-2", "**Review date:** 2021-01-01",
                     "**Superseded by:** [DR-2](DR-002-x.md)", "\u2003Winner: z", "**x**", "plain"]),
    st.text(alphabet="*-+ :Wwinerdatus\t\u2003", max_size=20),
)


@SETTINGS
@given(st.lists(st.tuples(field_line, st.booleans()), max_size=12))
def test_bold_field_prechecks_change_nothing(lines: list[tuple[str, bool]]) -> None:
    body = Body(field_lines=[(n, text, header) for n, (text, header) in enumerate(lines, start=1)])
    new, old = reader._Draft(), reader._Draft()
    reader._read_bold_fields(body, new)
    reference_bold_fields(body, old)
    assert (new.values, new.positions, new.requires) == (old.values, old.positions, old.requires)


def reference_split(text: str) -> tuple[str, int, int] | None:
    """``frontmatter.split`` as it was: every line of the file split off first."""
    if not text.startswith("---"):
        return None
    first_nl = text.find("\n")
    if first_nl == -1 or not fm_mod._DELIM.match(text[:first_nl]):
        return None
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if fm_mod._END.match(lines[index]):
            return "\n".join(lines[1:index]), 2, index + 2
    return None


text_lines = st.lists(st.sampled_from(["---", "...", "--- ", "---\t", "a: 1", "", " ", "x---", "...x",
                                       "\r", "é"]), max_size=8)


@SETTINGS
@given(text_lines, st.booleans())
def test_line_walks_match_full_splits(lines: list[str], opened: bool) -> None:
    text = "\n".join((["---"] if opened else []) + lines)
    assert fm_mod.split(text) == reference_split(text)
    for line in range(1, len(lines) + 4):
        assert reader._from_line(text, line) == "\n".join(text.split("\n")[line - 1:])


@SETTINGS
@given(st.lists(st.tuples(yaml_key, yaml_value), max_size=10))
def test_string_scalars_load_as_the_constructor_gives_them(entries: list[tuple[str, str]]) -> None:
    text = "---\n" + "\n".join(f"{k}: {v}" for k, v in entries) + "\n---\n"
    fast = fm_mod.load(text, "x.md")
    saved = fm_mod._STR_TAG
    fm_mod._STR_TAG = "never"
    try:
        slow = fm_mod.load(text, "x.md")
    finally:
        fm_mod._STR_TAG = saved
    assert fast is not None and slow is not None
    assert repr(deep_types({k: e.value for k, e in fast.entries.items()})) == repr(
        deep_types({k: e.value for k, e in slow.entries.items()}))
    assert fast.diagnostics == slow.diagnostics
