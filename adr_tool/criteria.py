"""Read weighted criteria tables out of a record: weights, cells, total rows (issue 5).

Pure: takes the tables the parser already found (with positions) and the ``[tool.adr.score]``
settings, and returns typed tables plus ADR401-403 diagnostics. Arithmetic is in ``scoring``.
How weights and cells are normalised is explained in DR-012.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
import math
import os
from pathlib import Path
import re
from typing import Any

from adr_tool.diagnostics import Diagnostic, Severity
from adr_tool.errors import ConfigError
from adr_tool.models import Pos, Record, Table, TableCell

DEFAULT_SECTIONS = ("decision criteria", "evaluation matrix", "evaluation", "criteria")
"""Section titles (case-insensitive, contained) whose tables are preferred."""

DEFAULT_LEVELS: dict[str, float] = {"critical": 5.0, "high": 3.0, "medium": 2.0, "low": 1.0}
DEFAULT_GATES = ("critical",)

NA = "n/a"
"""The value of a cell token that means "not applicable"."""

DEFAULT_CELLS: dict[str, float | str] = {
    "✅": 1.0, "✔": 1.0, "✓": 1.0, "☑": 1.0, "🟢": 1.0, "yes": 1.0, "true": 1.0,
    "⚠": 0.5, "🟡": 0.5, "partial": 0.5, "partially": 0.5, "~": 0.5,
    "❌": 0.0, "✗": 0.0, "✘": 0.0, "✖": 0.0, "🔴": 0.0, "no": 0.0, "false": 0.0,
    "n/a": NA, "na": NA, "not applicable": NA, "—": NA, "–": NA, "-": NA,
}

NOTE_COLUMNS = frozenset({
    "note", "notes", "comment", "comments", "rationale", "description", "details",
    "justification", "remarks", "evidence", "source", "sources", "reason", "why",
})
"""Header names that are commentary beside the options, never an option."""

_CRITERION_HEAD = re.compile(r"\b(criteri(?:on|a)|factors?|drivers?)\b", re.IGNORECASE)
_WEIGHT_HEAD = re.compile(r"\b(weights?|priority|importance)\b", re.IGNORECASE)
_TOTAL_ROW = re.compile(r"^(?:weighted\s+)?(?:total|sum|overall)(?:\s+score)?s?\s*:?$",
                        re.IGNORECASE)
_NUMBER = r"\d+(?:\.\d+)?"
_LEAD_NUMBER = re.compile(rf"^(?P<n>-?{_NUMBER})(?P<rest>.*)$", re.DOTALL)
_RATIO = re.compile(rf"^(?P<n>{_NUMBER})\s*/\s*(?P<d>{_NUMBER})(?P<rest>.*)$", re.DOTALL)
_PERCENT = re.compile(rf"^(?P<n>{_NUMBER})\s*%(?P<rest>.*)$", re.DOTALL)
_STARS = re.compile(r"^(?P<s>[★⭐☆✩✰]+)(?P<rest>.*)$", re.DOTALL)
_WRITTEN = re.compile(rf"^\s*[(\[]\s*=?\s*(?P<w>{_NUMBER})\s*[)\]](?P<rest>.*)$", re.DOTALL)
_EMPHASIS = re.compile(r"(\*\*|__|~~|`)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_GATE_WORD = re.compile(r"\b(gate|must)\b", re.IGNORECASE)
_NOTE_TRIM = " \t-–—:,;"
_NEEDS_CLEANING = re.compile(r"[*_`~\[\\\ufe0f\ufe0e\u00a0]|\s\s|[\t\n]")


class CellKind(StrEnum):
    """What a criteria-table cell turned out to hold."""

    SCORED = "scored"
    NOT_APPLICABLE = "n/a"
    MISSING = "missing"
    UNREADABLE = "unreadable"


# enum members as plain names: ``CellKind.SCORED`` costs ~0.2 us per lookup on Python 3.11,
# several times per cell in the hot loops below and in ``scoring``
_SCORED = CellKind.SCORED
_NOT_APPLICABLE = CellKind.NOT_APPLICABLE
_MISSING = CellKind.MISSING
_UNREADABLE = CellKind.UNREADABLE


@dataclass(frozen=True, slots=True)
class ScoreSettings:
    """The scorer's view of ``[tool.adr.score]``, validated once."""

    sections: tuple[str, ...] = DEFAULT_SECTIONS
    levels: tuple[tuple[str, float], ...] = tuple(
        sorted(DEFAULT_LEVELS.items(), key=lambda kv: (-len(kv[0]), kv[0])))
    """Weight level names (case-folded) and values, longest name first."""
    gates: frozenset[str] = frozenset(DEFAULT_GATES)
    cells: tuple[tuple[str, float | None], ...] = ()
    """Cell tokens (case-folded), longest first; None means not applicable."""
    scale: float | None = None
    """Declared rating scale for bare numbers; None = detect per table."""
    gate_threshold: float = 0.0
    """An option whose cell value (0..1) on a gate is at or below this is disqualified."""

    @classmethod
    def from_config(cls, score: Mapping[str, Any] | None) -> ScoreSettings:
        """Validate ``[tool.adr.score]``; a bad value stops the command (ConfigError)."""
        score = {str(k).replace("-", "_"): v for k, v in (score or {}).items()}
        sections = score.get("section", score.get("sections", DEFAULT_SECTIONS))
        if isinstance(sections, str):
            sections = (sections,)
        if not isinstance(sections, list | tuple) or not all(isinstance(s, str) for s in sections):
            raise ConfigError("[tool.adr.score] section must be a string or a list of strings")
        levels = dict(DEFAULT_LEVELS)
        for name, value in dict(score.get("weights", {}) or {}).items():
            levels[str(name).casefold().strip()] = _config_number(value, f"weights.{name}")
        gates_raw = score.get("gates", DEFAULT_GATES)
        if isinstance(gates_raw, str):
            gates_raw = [gates_raw]
        if not isinstance(gates_raw, list | tuple):
            raise ConfigError("[tool.adr.score] gates must be a list of weight level names")
        gates = frozenset(str(g).casefold().strip() for g in gates_raw)
        cells: dict[str, float | None] = {}
        merged: dict[str, Any] = dict(DEFAULT_CELLS)
        merged.update({str(k): v for k, v in dict(score.get("cells", {}) or {}).items()})
        for token, value in merged.items():
            key = _normalise(token).casefold()
            if not key:
                continue
            if isinstance(value, str) and value.strip().casefold() in (NA, "na", "none"):
                cells[key] = None
                continue
            number = _config_number(value, f"cells.{token}")
            if not 0 <= number <= 1:
                raise ConfigError(f"[tool.adr.score] cells.{token} must be within 0..1 or \"n/a\"")
            cells[key] = number
        scale = score.get("scale")
        scale_value = None if scale is None else _config_number(scale, "scale")
        if scale_value is not None and scale_value <= 0:
            raise ConfigError("[tool.adr.score] scale must be a positive number")
        threshold = _config_number(score.get("gate_threshold", 0.0), "gate_threshold")
        return cls(
            sections=tuple(s.casefold().strip() for s in sections),
            levels=tuple(sorted(levels.items(), key=lambda kv: (-len(kv[0]), kv[0]))),
            gates=gates,
            cells=tuple(sorted(cells.items(), key=lambda kv: (-len(kv[0]), kv[0]))),
            scale=scale_value,
            gate_threshold=threshold,
        )


def _config_number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"[tool.adr.score] {name} must be a number, not {value!r}")
    return float(value)


# Weight, Cell and Criterion are built ~20 times per criteria table, for every table on every
# ``adr lint`` and ``adr score --all``: they are plain slotted dataclasses, read-only by
# convention, because a frozen dataclass's __init__ costs about 5x (object.__setattr__ per
# field): 30% of scoring a record. The containers built once per table stay frozen.


@dataclass(slots=True)
class Weight:
    """A criterion's weight as written and as a number (None when it cannot be read)."""

    text: str
    value: float | None
    gate: bool
    pos: Pos
    overridden: bool = False


@dataclass(slots=True)
class Cell:
    """One option's cell on one criterion, normalised to 0..1 where it can be."""

    text: str
    kind: CellKind
    pos: Pos
    value: float | None = None
    """0..1 once scaled; None unless ``kind`` is SCORED."""
    note: str = ""
    written: float | None = None
    """The author's weighted value (``5 (20)`` -> 20), to check against the computed one."""
    written_decimals: int = 0
    overridden: bool = False


@dataclass(slots=True)
class Criterion:
    """A row of the table: a criterion, its weight and one cell per option."""

    name: str
    weight: Weight
    cells: tuple[Cell, ...]
    pos: Pos

    @property
    def gate(self) -> bool:
        """Is this a must-pass criterion?"""
        return self.weight.gate


@dataclass(frozen=True, slots=True)
class WrittenNumber:
    """A number the author wrote in a total row, with where it is."""

    text: str
    value: float | None
    decimals: int
    percent: bool
    pos: Pos


@dataclass(frozen=True, slots=True)
class TotalRow:
    """The author's ``| **Total** | **31** | **148** | ...`` row."""

    weight: WrittenNumber | None
    options: tuple[WrittenNumber | None, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class CriteriaTable:
    """A criteria table read out of a record, ready to be scored."""

    index: int
    """1-based among the record's criteria tables."""
    section: str | None
    pos: Pos
    options: tuple[str, ...]
    option_pos: tuple[Pos, ...]
    criteria: tuple[Criterion, ...]
    total: TotalRow | None
    scale: float
    """Points a full cell is worth before weighting (1 for ✅/❌ tables, 5 for 1-5 ratings)."""
    preferred: bool
    """In a section titled like the configured criteria sections."""
    overridden: bool = False
    """A what-if weight or cell replaced something the author wrote."""
    end_line: int = 0
    """Last line of the table (its last row)."""


@dataclass(frozen=True, slots=True)
class _RawCell:
    kind: CellKind
    number: float | None = None
    """Rating as written (5 of ``5 (20)``)."""
    out_of: float | None = None
    """Explicit denominator (``4/5``, ``★★★☆☆``); None for bare numbers."""
    fixed: float | None = None
    """Already normalised (symbols, words, percents)."""
    note: str = ""
    written: float | None = None
    decimals: int = 0


@lru_cache(maxsize=8192)
def _normalise(text: str) -> str:
    """Drop emphasis, code marks, links and emoji variation selectors; keep the words.

    Cached: weights, marks and header names repeat across rows and tables.
    """
    if not _NEEDS_CLEANING.search(text):
        return text.strip()
    text = _LINK.sub(r"\1", text.replace("\\|", "|"))
    text = _EMPHASIS.sub("", text)
    text = text.replace("\ufe0f", "").replace("\ufe0e", "").replace("\u00a0", " ")
    if len(text) > 1 and text[0] == "*" and text[-1] == "*":
        text = text[1:-1]
    return " ".join(text.split())


def _decimals(number: str) -> int:
    return len(number.split(".", 1)[1]) if "." in number else 0


def _split_written(rest: str) -> tuple[float | None, int, str]:
    """Split an author's weighted value ``(20)`` off the front of *rest*."""
    match = _WRITTEN.match(rest)
    if match is None:
        return None, 0, rest.strip(_NOTE_TRIM)
    return float(match["w"]), _decimals(match["w"]), match["rest"].strip(_NOTE_TRIM)


def _is_word(token: str) -> bool:
    return token[-1].isalnum()


def read_cell(text: str, settings: ScoreSettings) -> _RawCell:
    """Classify one cell's text: symbol, word, rating, stars, percent, number, n/a or unknown."""
    return _read_cell(text, settings.cells)


@lru_cache(maxsize=8192)
def _read_cell(text: str, tokens: tuple[tuple[str, float | None], ...]) -> _RawCell:
    clean = _normalise(text)
    if not clean:
        return _RawCell(CellKind.MISSING)
    low = clean.casefold()
    for token, value in tokens:
        if not low.startswith(token):
            continue
        after = low[len(token):]
        if after and _is_word(token) and (after[0].isalnum() or after[0] == "/"):
            continue  # "no" must not match "none", "n/a" "na" must not eat "nat"
        if value is None:
            return _RawCell(CellKind.NOT_APPLICABLE, note=clean[len(token):].strip(_NOTE_TRIM))
        written, decimals, note = _split_written(clean[len(token):])
        return _RawCell(CellKind.SCORED, fixed=value, note=note, written=written,
                        decimals=decimals)
    if match := _STARS.match(clean):
        stars = match["s"]
        filled = sum(stars.count(c) for c in "★⭐")
        empty = len(stars) - filled
        written, decimals, note = _split_written(match["rest"])
        return _RawCell(CellKind.SCORED, number=float(filled),
                        out_of=float(len(stars)) if empty else None,
                        note=note, written=written, decimals=decimals)
    if match := _RATIO.match(clean):
        number, out_of = float(match["n"]), float(match["d"])
        written, decimals, note = _split_written(match["rest"])
        if out_of <= 0 or number > out_of:
            return _RawCell(CellKind.UNREADABLE, note=clean)
        return _RawCell(CellKind.SCORED, number=number, out_of=out_of, note=note,
                        written=written, decimals=decimals)
    if match := _PERCENT.match(clean):
        number = float(match["n"])
        written, decimals, note = _split_written(match["rest"])
        if number > 100:
            return _RawCell(CellKind.UNREADABLE, note=clean)
        return _RawCell(CellKind.SCORED, fixed=number / 100, note=note, written=written,
                        decimals=decimals)
    if match := _LEAD_NUMBER.match(clean):
        rest = match["rest"]
        if rest and (rest[0].isalnum() or rest[0] in "./%"):
            return _RawCell(CellKind.UNREADABLE, note=clean)  # "3x", "1.2.3", "2025-01"
        number = float(match["n"])
        if number < 0:
            return _RawCell(CellKind.UNREADABLE, note=clean)
        written, decimals, note = _split_written(rest)
        return _RawCell(CellKind.SCORED, number=number, note=note, written=written,
                        decimals=decimals)
    return _RawCell(CellKind.UNREADABLE, note=clean)


def read_weight(text: str, settings: ScoreSettings) -> tuple[float | None, bool]:
    """Turn a weight cell (``High``, ``3``, ``25%``, ``Critical (gate)``) into (value, gate)."""
    return _read_weight(text, settings.levels, settings.gates)


@lru_cache(maxsize=4096)
def _read_weight(text: str, levels: tuple[tuple[str, float], ...],
                 gates: frozenset[str]) -> tuple[float | None, bool]:
    clean = _normalise(text)
    low = clean.casefold().strip()
    if not low:
        return None, False
    gate_word = bool(_GATE_WORD.search(low))
    if match := _PERCENT.match(low):
        return float(match["n"]), gate_word
    if match := _LEAD_NUMBER.match(low):
        rest = match["rest"]
        value = float(match["n"])
        if value < 0 or (rest and (rest[0].isalnum() or rest[0] in "./")):
            return None, False
        return value, gate_word
    for level, value in levels:
        if low == level or (low.startswith(level) and not low[len(level)].isalnum()):
            return value, level in gates or gate_word
    return None, False


def _detect_scale(numbers: list[float], settings: ScoreSettings) -> float | None:
    """The rating scale of a table's bare numbers: configured, else 1, 5, 10 or 100."""
    if settings.scale is not None:
        return settings.scale
    if not numbers:
        return None
    top = max(numbers)
    if all(n in (0.0, 1.0) for n in numbers):
        return 1.0
    for scale in (5.0, 10.0, 100.0):
        if top <= scale:
            return scale
    return None


def is_criteria_header(header: list[TableCell]) -> tuple[int, int] | None:
    """Return (criterion column, weight column) when *header* makes a criteria table."""
    return _header_columns(tuple(c.text for c in header))


@lru_cache(maxsize=4096)
def _header_columns(texts: tuple[str, ...]) -> tuple[int, int] | None:
    """``is_criteria_header`` on the header texts; cached, as most tables share a few headers."""
    names = [_normalise(t) for t in texts]
    crit = next((i for i, n in enumerate(names) if _CRITERION_HEAD.search(n)), None)
    if crit is None:
        return None
    weight = next((i for i, n in enumerate(names) if i != crit and _WEIGHT_HEAD.search(n)), None)
    if weight is None:
        return None
    if not any(i not in (crit, weight) and n.casefold() not in NOTE_COLUMNS
               for i, n in enumerate(names)):
        return None
    return crit, weight


def _diag(code: str, rule: str, severity: Severity, path: str, pos: Pos, message: str,
          hint: str = "") -> Diagnostic:
    return Diagnostic(code, severity, path, max(pos.line, 1), max(pos.column, 1), message, hint,
                      rule=rule)


_WRITTEN_TOTAL = re.compile(rf"^(?P<n>{_NUMBER})\s*(?P<p>%?)\s*$")


def _written_number(cell: TableCell) -> WrittenNumber:
    clean = _normalise(cell.text)
    match = _WRITTEN_TOTAL.match(clean)
    if match is None:
        return WrittenNumber(cell.text, None, 0, False, cell.pos)
    return WrittenNumber(cell.text, float(match["n"]), _decimals(match["n"]), bool(match["p"]),
                         cell.pos)


def _preferred(section: str | None, wanted: tuple[str, ...]) -> bool:
    if not section:
        return False
    low = _normalise(section).casefold()
    return any(name in low for name in wanted)


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for index, name in enumerate(names):
        name = name or f"Option {index + 1}"
        key = name.casefold()
        seen[key] = seen.get(key, 0) + 1
        out.append(name if seen[key] == 1 else f"{name} ({seen[key]})")
    return out


def _cell_at(row: list[TableCell], i: int, row_pos: Pos) -> TableCell:
    """The row's cell in column *i*; an empty one at the row's start when the row is short."""
    return row[i] if i < len(row) else TableCell(text="", pos=row_pos)


def read_table(
    table: Table,
    index: int,
    columns: tuple[int, int],
    settings: ScoreSettings,
    path: str,
    *,
    preferred: bool,
    weights: Mapping[str, str] | None = None,
    cells: Mapping[tuple[str, str], str] | None = None,
) -> tuple[CriteriaTable, list[Diagnostic]]:
    """Read one criteria table; what-if *weights*/*cells* (case-folded keys) replace cells.

    Runs for every table of every record on ``adr lint`` and ``adr score --all``, so the
    loops use module-level enum members and positional constructors (both measurably
    cheaper per cell than attribute lookups on the enum and keyword arguments).
    """
    crit_col, weight_col = columns
    names = [_normalise(c.text) for c in table.header]
    option_cols = [i for i, n in enumerate(names)
                   if i not in (crit_col, weight_col) and n.casefold() not in NOTE_COLUMNS]
    options = tuple(_unique_names([names[i] for i in option_cols]))
    option_keys = [o.casefold() for o in options]
    diags: list[Diagnostic] = []
    rows: list[tuple[str, TableCell, list[TableCell], Pos]] = []
    total: TotalRow | None = None
    overridden = False
    for row in table.rows:
        row_pos = row[0].pos if row else table.pos
        name = _normalise(_cell_at(row, crit_col, row_pos).text)
        if _TOTAL_ROW.match(name):
            weight_total = _cell_at(row, weight_col, row_pos)
            total = TotalRow(
                weight=_written_number(weight_total) if weight_total.text.strip() else None,
                options=tuple(_written_number(cell) if cell.text.strip() else None
                              for cell in (_cell_at(row, i, row_pos) for i in option_cols)),
                pos=row_pos,
            )
            continue
        if not name and not any(c.text.strip() for c in row):
            continue
        rows.append((name, _cell_at(row, weight_col, row_pos),
                     [_cell_at(row, i, row_pos) for i in option_cols], row_pos))
    weights = weights or {}
    cells = cells or {}
    levels, gates, tokens = settings.levels, settings.gates, settings.cells
    # pass 1: classify every cell, so bare numbers can share one detected scale
    raw_rows: list[tuple[str, Weight, list[tuple[str, Pos, _RawCell, bool]], Pos]] = []
    seen: dict[str, _RawCell] = {}
    bare: list[float] = []
    outs: list[float] = []
    for name, weight_cell, option_cells, row_pos in rows:
        key = name.casefold()
        weight_text, weight_over = weight_cell.text, False
        if key in weights:
            weight_text, weight_over = weights[key], True
        value, gate = _read_weight(weight_text, levels, gates)
        weight_shown = _normalise(weight_text)
        weight = Weight(weight_shown, value, gate, weight_cell.pos, weight_over)
        overridden |= weight_over
        if value is None:
            diags.append(_diag(
                "ADR401", "weight-unknown", Severity.WARNING, path, weight_cell.pos,
                f"weight {weight_shown!r} of criterion {name!r} is not a number, "
                "percentage or known level; the criterion is left out of the score",
                "Use a number, a percentage or a level from [tool.adr.score] weights "
                f"({', '.join(sorted(name for name, _ in settings.levels))}).",
            ))
        parsed = []
        for option_key, cell in zip(option_keys, option_cells, strict=True):
            text, cell_over = cell.text, False
            if cells and (option_key, key) in cells:
                text, cell_over = cells[(option_key, key)], True
            raw = seen.get(text)
            if raw is None:  # a table repeats a few marks: skip even the lru_cache's hashing
                raw = seen[text] = _read_cell(text, tokens)
            overridden |= cell_over
            if raw.kind is _SCORED:
                if raw.out_of is not None:
                    outs.append(raw.out_of)
                elif raw.fixed is None:
                    assert raw.number is not None
                    bare.append(raw.number)
            parsed.append((text, cell.pos, raw, cell_over))
        raw_rows.append((name, weight, parsed, row_pos))
    scale = _detect_scale(bare, settings)
    points_scale = scale if scale is not None else (outs[0] if outs and len(set(outs)) == 1
                                                    else 1.0)
    # pass 2: normalise to 0..1
    criteria: list[Criterion] = []
    for name, weight, parsed, row_pos in raw_rows:
        out_cells = []
        for (source_text, source_pos, raw, cell_over), option in zip(parsed, options,
                                                                      strict=True):
            kind, value = raw.kind, raw.fixed
            if kind is _SCORED and value is None:
                assert raw.number is not None
                denominator = raw.out_of if raw.out_of is not None else (
                    points_scale if scale is not None else None)
                if denominator is None or raw.number > denominator:
                    kind = _UNREADABLE
                else:
                    value = raw.number / denominator
            if kind is _SCORED:
                note = raw.note
            else:
                value = None
                note = "" if kind is _UNREADABLE else raw.note
                if kind is _MISSING:
                    diags.append(_diag(
                        "ADR402", "cell-missing", Severity.WARNING, path, source_pos,
                        f"no value for option {option!r} on criterion {name!r}; it is left out "
                        f"of {option}'s score",
                        "Fill the cell, or write N/A when the criterion does not apply.",
                    ))
                elif kind is _UNREADABLE:
                    diags.append(_diag(
                        "ADR403", "cell-unscorable", Severity.WARNING, path, source_pos,
                        f"cannot score {_normalise(source_text)!r} (option {option!r}, criterion "
                        f"{name!r}); it is left out of {option}'s score",
                        "Write ✅ / ⚠️ / ❌, yes / partial / no, a rating such as 4/5 or ★★★☆☆, "
                        "a number on the table's scale, or N/A.",
                    ))
            out_cells.append(Cell(source_text.strip(), kind, source_pos, value, note, raw.written,
                                  raw.decimals, cell_over))
        criteria.append(Criterion(name, weight, tuple(out_cells), row_pos))
    return CriteriaTable(
        index=index, section=table.section, pos=table.pos, options=options,
        option_pos=tuple(table.header[i].pos for i in option_cols), criteria=tuple(criteria),
        total=total, scale=points_scale, preferred=preferred, overridden=overridden,
        end_line=max([table.pos.line + 1] + [r[0].pos.line for r in table.rows if r]),
    ), diags


def read_criteria_tables(
    record: Record,
    settings: ScoreSettings,
    *,
    weights: Mapping[str, str] | None = None,
    cells: Mapping[tuple[str, str], str] | None = None,
) -> tuple[list[CriteriaTable], list[Diagnostic]]:
    """Find and read every criteria table of *record*, in document order."""
    wanted = settings.sections
    named = record.extra.get("criteria-section") or record.extra.get("criteria_section")
    if isinstance(named, str) and named.strip():
        wanted = (named.casefold().strip(),)
    tables: list[CriteriaTable] = []
    diags: list[Diagnostic] = []
    for table in record.tables:
        columns = is_criteria_header(table.header)
        if columns is None:
            continue
        read, found = read_table(table, len(tables) + 1, columns, settings, record.path,
                                 preferred=_preferred(table.section, wanted),
                                 weights=weights, cells=cells)
        if not read.criteria:
            continue
        tables.append(read)
        diags.extend(found)
    return tables, diags


_CRITERION_WORDS = (b"criteri", b"factor", b"driver")
_WEIGHT_WORDS = (b"weight", b"priority", b"importance")


def has_criteria_header(text: str | bytes) -> bool:
    """Cheap pre-check: could *text* hold a criteria table? (False means surely not.)"""
    raw = text.encode("utf-8", errors="replace") if isinstance(text, str) else text
    if b"|" not in raw:
        return False
    low = raw.lower()
    if not any(w in low for w in _CRITERION_WORDS) or not any(w in low for w in _WEIGHT_WORDS):
        return False
    # only the lines holding a criterion word can qualify: find them instead of walking
    # every line of the file (this runs on every file of ``adr score --all``)
    size = len(low)
    for word in _CRITERION_WORDS:
        start = low.find(word)
        while start != -1:
            first = max(low.rfind(b"\n", 0, start), low.rfind(b"\r", 0, start)) + 1
            ends = [i for i in (low.find(b"\n", start), low.find(b"\r", start)) if i != -1]
            last = min(ends) if ends else size
            line = low[first:last]
            if b"|" in line and any(w in line for w in _WEIGHT_WORDS):
                return True
            start = low.find(word, last)
    return False


def load_candidate_paths(paths: list[Path]) -> list[Path]:
    """Keep the files whose text could hold a criteria table, so ``--all`` parses only those."""
    kept = []
    for path in paths:
        try:
            with path.open("rb") as handle:
                # read(n) allocates n bytes first: ask for what the file holds, not 4 MB
                size = os.fstat(handle.fileno()).st_size
                raw = handle.read(min(size + 1, MAX_SCAN_BYTES) if size > 0 else MAX_SCAN_BYTES)
        except OSError:
            kept.append(path)  # let the loader report it
            continue
        if b"\x00" in raw[:4096] or has_criteria_header(raw):  # UTF-16: let the loader decide
            kept.append(path)
    return kept


MAX_SCAN_BYTES = 4 * 1024 * 1024
