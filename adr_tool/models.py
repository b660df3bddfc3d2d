"""The typed record model every reader produces and every later stage consumes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import datetime as dt
from enum import StrEnum
from functools import lru_cache
import pickle
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr


class Status(StrEnum):
    """The default status vocabulary (configurable through ``[tool.adr] statuses``)."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DEPRECATED = "deprecated"
    SUPERSEDED = "superseded"


class RecordFormat(StrEnum):
    """Which on-disk convention a record was read from."""

    FRONTMATTER = "frontmatter"
    BOLD_FIELD = "bold-field"
    NYGARD = "nygard"
    MADR = "madr"
    GSD = "gsd"
    TABLE = "metadata-table"
    LOG4BRAINS = "log4brains"
    PLAIN = "plain"


class _Frozen(BaseModel):
    # defer_build: no core schema until something validates (DR-020, start-up of the patch
    # build): the parser makes these itself through ``make_pos`` and ``trusted`` and never
    # needs one, and building the first also scans every installed package for pydantic
    # plugins
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Pos(_Frozen):
    """A 1-based source position in the record's own file."""

    line: int
    column: int = 1

    def __reduce__(self) -> tuple[Any, tuple[int, int]]:
        # pickled as a call to the shared factory: the parse cache and the process pool
        # move ~10 of these per record, and pydantic's own pickling is 10x slower
        return make_pos, (self.line, self.column)


class RequirementKind(StrEnum):
    """How a ``requires`` entry names what it depends on."""

    RECORD = "record"
    """A plain id such as ``DR-003``: resolves to a record id first, else to a capability."""
    PHASE = "phase"
    """GSD shape ``- phase: 03-backend`` (+ ``provides:``): the record with that phase or id."""
    CAPABILITY = "capability"
    """``- capability: redis-broker``: satisfied by a record that provides it."""


class Requirement(_Frozen):
    """One entry of ``requires``, typed instead of a raw dict."""

    kind: RequirementKind
    target: str
    provides: str | None = None
    """For the GSD shape: what the required phase provides (free text)."""
    pos: Pos = Pos.model_construct(line=1)
    """Where the entry is (the top of the file when unknown)."""


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the Markdown under it, with its line range in the file.

    Body structure types are slotted dataclasses, not pydantic models: a record has ~100 of
    them, they are built only when a stage asks (``Record.sections``), and the parser made
    them itself, so validation would bring nothing but cost (DR-018).
    """

    heading: str
    level: int
    line: int
    """Line of the heading itself."""
    end_line: int
    """Last line before the next heading of any level."""
    text: str
    """Raw Markdown between this heading and the next one (blank lines trimmed)."""
    text_line: int = 0
    """File line on which ``text`` starts."""


@dataclass(frozen=True, slots=True)
class Link:
    """A Markdown link or image in the body."""

    url: str
    text: str
    pos: Pos
    image: bool = False


@dataclass(frozen=True, slots=True)
class TableCell:
    """One cell of a Markdown table: its raw source text and where it starts."""

    text: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Table:
    """A Markdown table with positions, addressed by the section it sits in."""

    section: str | None
    """Heading of the enclosing section, if any."""
    header: list[TableCell]
    rows: list[list[TableCell]]
    pos: Pos


class HistoryEntry(_Frozen):
    """A dated lifecycle event kept in frontmatter ``history``."""

    date: str
    status: str
    note: str = ""


SectionData = tuple[str, int, int, int, int, int, int]
"""(heading, level, line, end_line, text start, text end, text_line): the text is a slice of
the record's body (by character index), so the cache does not store it twice."""
LinkData = tuple[str, str, int, int, bool]
"""(url, text, line, column, image)"""
CellData = tuple[str, int, int]
"""(text, line, column)"""
TableData = tuple[str | None, tuple[CellData, ...], tuple[tuple[CellData, ...], ...], int, int]
"""(section, header cells, body rows, line, column)"""
BodyData = tuple[tuple[SectionData, ...], tuple[LinkData, ...], tuple[TableData, ...]]
"""A body's structure as plain tuples: built by the parser, stored by the parse cache."""
EMPTY_BODY: BodyData = ((), (), ())


@lru_cache(maxsize=65536)
def make_pos(line: int, column: int = 1) -> Pos:
    """One shared Pos per (line, column): positions are frozen, and a table cell or link each
    needing its own validated model was ~10% of parse time (DR-016).

    Two ints are exactly what validation would keep, so they are not validated (see
    ``trusted``); anything else is.
    """
    if type(line) is int and type(column) is int:
        return trusted(Pos, {"line": line, "column": column})
    return Pos(line=line, column=column)


_M = TypeVar("_M", bound=BaseModel)


def trusted(cls: type[_M], given: dict[str, Any]) -> _M:
    """``cls(**given)`` without building or running a validator, for values of exactly their
    fields' types (str, not a subclass; int, not bool), so validation would keep them as
    they are; missing fields get their defaults.

    For what the parser makes itself (``make_pos``, ``Requirement`` and ``HistoryEntry``
    entries): the models are ``defer_build``, so a run that validates nothing never builds
    a schema. ``tests/test_models_deferred.py`` checks each use against validation.
    """
    known = cls.model_fields
    if not given.keys() <= known.keys():
        raise TypeError(f"{cls.__name__} has no field {sorted(given.keys() - known.keys())}")
    fields = {name: given[name] if name in given else info.get_default(call_default_factory=True)
              for name, info in known.items()}
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", fields)
    object.__setattr__(model, "__pydantic_fields_set__", set(given))
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


def build_structure(data: BodyData, body: str) -> tuple[list[Section], list[Link], list[Table]]:
    """Turn the compact body structure into Section, Link and Table objects."""
    sections_data, links_data, tables_data = data
    return (build_sections(sections_data, body), build_links(links_data),
            build_tables(tables_data))


def build_sections(data: tuple[SectionData, ...], body: str) -> list[Section]:
    """Section objects of a body (text sliced out of *body*)."""
    return [Section(h, lv, ln, end, body[start:stop], tl) for h, lv, ln, end, start, stop, tl in data]


def build_links(data: tuple[LinkData, ...]) -> list[Link]:
    """Link objects of a body."""
    return [Link(url, text, make_pos(ln, col), image) for url, text, ln, col, image in data]


def build_tables(data: tuple[TableData, ...]) -> list[Table]:
    """Table objects of a body."""
    return [
        Table(section, [TableCell(t, make_pos(ln, col)) for t, ln, col in header],
              [[TableCell(t, make_pos(ln, col)) for t, ln, col in row] for row in rows],
              make_pos(line, column))
        for section, header, rows, line, column in data
    ]


PackedBody = tuple[bytes, bytes, bytes]
"""The three parts of a BodyData, each pickled on its own (see ``Record.__reduce__``)."""


def _unpack(blob: bytes) -> Any:
    # the blob was pickled by ``Record.__reduce__`` inside the same (signed) pack or pool pipe
    return pickle.loads(blob)


def restore_record(values: tuple[Any, ...], fields_set: frozenset[str],
                   packed: PackedBody) -> Record:
    """Rebuild a pickled Record without validation: it was validated when it was made.

    The parse cache moves 10,000 records per warm run; pydantic's own unpickling of them
    and of their body structure was most of the pack's load time (DR-021). The structure
    stays pickled until a stage asks for it, part by part.
    """
    return _bare_record(dict(zip(_RECORD_FIELDS, values, strict=True)), fields_set, None, packed)


def construct_record(values: dict[str, Any], structure: BodyData) -> Record:
    """A Record from values the parser made itself, already of their field types.

    Validating them again was ~10% of a cold parse; the caller checks the types first
    (``reader._plain``) and validates anything else. Result equals ``Record(**values)``
    with ``with_structure(structure)``: tests/test_parse_shortcuts.py checks that.
    """
    return _bare_record({name: values[name] for name in _RECORD_FIELDS}, values, structure, None)


def _bare_record(fields: dict[str, Any], fields_set: Iterable[str], structure: BodyData | None,
                 packed: PackedBody | None) -> Record:
    """A Record set up the way pydantic would, without running its validators (see above)."""
    record = Record.__new__(Record)
    object.__setattr__(record, "__dict__", fields)
    object.__setattr__(record, "__pydantic_fields_set__", set(fields_set))
    object.__setattr__(record, "__pydantic_extra__", None)
    object.__setattr__(record, "__pydantic_private__", {
        "_structure": structure, "_packed": packed, "_decoded": {}, "_sections": None,
        "_links": None, "_tables": None})
    return record


class Record(BaseModel):
    """A decision record, whatever format it was read from."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # see _Frozen

    id: str
    """Always a string, exactly as the author typed it (``04`` stays ``04``)."""
    title: str
    status: str | None = None
    """Normalised status from the configured vocabulary, or None when absent/unknown."""
    status_raw: str | None = None
    """What the author wrote (``✅ **Accepted**``)."""
    date: dt.date | None = None
    date_raw: str | None = None
    owner: str | None = None
    deciders: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    requires: list[Requirement] = Field(default_factory=list)
    provides: list[str] = Field(default_factory=list)
    affects: list[str] = Field(default_factory=list)
    supersedes: list[str] = Field(default_factory=list)
    superseded_by: list[str] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    review_date: dt.date | None = None
    review_date_raw: str | None = None
    decision: str | None = None
    """The chosen option, when the record states it."""
    phase: str | None = None
    """GSD phase (``03-backend``), when the record is a GSD plan or summary."""
    plan: str | None = None
    history: list[HistoryEntry] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)
    """Unknown frontmatter keys, kept untouched."""
    format: RecordFormat
    path: str
    """Path as given/discovered, with forward slashes."""
    has_frontmatter: bool = False
    body_line: int = 1
    """File line on which the Markdown body starts."""
    body: str = ""
    positions: dict[str, Pos] = Field(default_factory=dict)
    """Where each metadata field was read from (field name -> position)."""
    _structure: BodyData | None = PrivateAttr(default=EMPTY_BODY)
    """Sections, links and tables as plain tuples (cheap to build, pickle and cache); None
    while they are still ``_packed``."""
    _packed: PackedBody | None = PrivateAttr(default=None)
    _decoded: dict[int, Any] = PrivateAttr(default_factory=dict)
    """Parts of ``_packed`` decoded so far, by index."""
    _sections: list[Section] | None = PrivateAttr(default=None)
    _links: list[Link] | None = PrivateAttr(default=None)
    _tables: list[Table] | None = PrivateAttr(default=None)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # field values in declaration order and the structure as three opaque blobs:
        # restored without validation, and the blobs are only decoded when used (DR-021)
        packed = self._packed
        if packed is None:
            sections, links, tables = self.structure
            packed = (pickle.dumps(sections, pickle.HIGHEST_PROTOCOL),
                      pickle.dumps(links, pickle.HIGHEST_PROTOCOL),
                      pickle.dumps(tables, pickle.HIGHEST_PROTOCOL))
        values = tuple(self.__dict__[name] for name in _RECORD_FIELDS)
        return restore_record, (values, frozenset(self.model_fields_set), packed)

    @property
    def structure(self) -> BodyData:
        """The body structure in its compact form (what the parse cache stores)."""
        data = self._structure
        if data is None:
            packed = self._packed
            assert packed is not None
            data = self._structure = (self._part(0), self._part(1), self._part(2))
        return data

    def _part(self, index: int) -> Any:
        """One part of the structure, decoding only that part when it is still packed."""
        private = self.__pydantic_private__
        assert private is not None
        data = private["_structure"]
        if data is not None:
            return data[index]
        decoded: dict[int, Any] = private["_decoded"]
        if index not in decoded:
            decoded[index] = _unpack(private["_packed"][index])
        return decoded[index]

    def with_structure(self, data: BodyData) -> Record:
        """Attach the parser's body structure (done once, by the parser or the cache)."""
        self._structure = data
        self._packed = None
        self._sections = self._links = self._tables = None
        return self

    # the accessors below read ``__pydantic_private__`` directly: lint asks for sections
    # ~50,000 times at 10,000 records, and pydantic's __getattr__ for private attributes
    # cost more than the lookup itself

    @property
    def sections(self) -> list[Section]:
        """Body sections in file order, each with its heading, level, text and lines."""
        private = self.__pydantic_private__
        assert private is not None
        built: list[Section] | None = private["_sections"]
        if built is None:
            built = private["_sections"] = build_sections(self._part(0), self.body)
        return built

    @property
    def links(self) -> list[Link]:
        """Markdown links and images of the body, in file order."""
        private = self.__pydantic_private__
        assert private is not None
        built: list[Link] | None = private["_links"]
        if built is None:
            built = private["_links"] = build_links(self._part(1))
        return built

    @property
    def link_data(self) -> tuple[LinkData, ...]:
        """The links in their compact form, for stages that look at most of them only once."""
        private = self.__pydantic_private__
        assert private is not None
        data: tuple[LinkData, ...] = self._part(1)
        return data

    @property
    def table_data(self) -> tuple[TableData, ...]:
        """The tables in their compact form (``tables`` is built from exactly this)."""
        data: tuple[TableData, ...] = self._part(2)
        return data

    @property
    def tables(self) -> list[Table]:
        """Markdown tables of the body, in file order, each named by its section."""
        private = self.__pydantic_private__
        assert private is not None
        built: list[Table] | None = private["_tables"]
        if built is None:
            built = private["_tables"] = build_tables(self._part(2))
        return built

    @property
    def has_tables(self) -> bool:
        """Whether the body has any table, without building Table objects."""
        return bool(self._part(2))

    def pos(self, name: str) -> Pos:
        """Position of a field, or the top of the file when it has none."""
        return self.positions.get(name) or make_pos(1, 1)

    def section(self, *names: str) -> Section | None:
        """Find the first section whose heading matches one of *names* (case-insensitive)."""
        wanted = {n.casefold() for n in names}
        for sec in self.sections:
            if _heading_key(sec.heading) in wanted:
                return sec
        return None

    def to_summary(self) -> dict[str, Any]:
        """Return the stable JSON shape used by ``adr list --format json`` (schema 1)."""
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "status_raw": self.status_raw,
            "date": self.date.isoformat() if self.date else None,
            "owner": self.owner,
            "deciders": list(self.deciders),
            "tags": list(self.tags),
            "requires": [r.target for r in self.requires],
            "provides": list(self.provides),
            "affects": list(self.affects),
            "supersedes": list(self.supersedes),
            "superseded_by": list(self.superseded_by),
            "related": list(self.related),
            "review_date": self.review_date.isoformat() if self.review_date else None,
            "decision": self.decision,
            "path": self.path,
            "format": self.format.value,
        }

    def to_detail(self) -> dict[str, Any]:
        """Return the full JSON shape used by ``adr show --format json``."""
        out = self.to_summary()
        out["requires"] = [r.model_dump(mode="json") for r in self.requires]
        out["phase"] = self.phase
        out["plan"] = self.plan
        out["history"] = [h.model_dump(mode="json") for h in self.history]
        out["extra"] = _jsonable(self.extra)
        out["sections"] = [
            {"heading": s.heading, "level": s.level, "line": s.line, "end_line": s.end_line}
            for s in self.sections
        ]
        out["positions"] = {k: [v.line, v.column] for k, v in sorted(self.positions.items())}
        return out


def _heading_key(heading: str) -> str:
    return heading.strip().strip("#*: ").casefold()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


_RECORD_FIELDS = tuple(Record.model_fields)
