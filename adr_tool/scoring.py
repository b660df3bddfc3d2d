"""Score weighted criteria tables: totals, percentages, ranks, gates, ties, robustness (issue 5).

Pure: ``score_record(record, config)`` reads the record's criteria tables (``criteria``),
computes every option's weighted score and returns a ``RecordScore`` with ADR401-406
diagnostics as values. The definitions (normalisation, gates, robustness) are in DR-012.
"""

from __future__ import annotations

from collections.abc import Mapping
import contextlib
from dataclasses import dataclass, field
import math
import re
from typing import TYPE_CHECKING, Any

from adr_tool.criteria import (
    CellKind,
    CriteriaTable,
    Criterion,
    ScoreSettings,
    WrittenNumber,
    read_criteria_tables,
)
from adr_tool.diagnostics import Diagnostic, Severity
from adr_tool.errors import AdrError

if TYPE_CHECKING:
    from adr_tool.config import Config
    from adr_tool.models import Record

__all__ = [
    "OptionScore",
    "RecordScore",
    "Robustness",
    "ScoreSummary",
    "TableScore",
    "WeightFlip",
    "score_record",
    "score_records",
    "score_table",
    "summarise",
]

SCHEMA = 1
EPS = 1e-9


@dataclass(frozen=True, slots=True)
class OptionScore:
    """One option's result in one table."""

    name: str
    score: float
    """Weighted points: sum of weight x cell value x table scale over applicable criteria."""
    max_score: float
    """Points a perfect option would get on the same applicable criteria."""
    percent: float
    rank: int
    """1 = best; qualified options rank before disqualified ones; ties share a rank."""
    disqualified: bool
    failed_gate: str | None
    """The first gate criterion this option fails, when disqualified."""
    not_applicable: tuple[str, ...] = ()
    unscored: tuple[str, ...] = ()
    """Criteria whose cell was missing or unreadable (left out, with a diagnostic)."""
    written_total: float | None = None
    """What the author's Total row says for this option."""

    def to_json(self) -> dict[str, Any]:
        """Return the stable JSON shape (schema 1)."""
        return {
            "name": self.name,
            "score": _num(self.score),
            "max_score": _num(self.max_score),
            "percent": round(self.percent, 2),
            "rank": self.rank,
            "disqualified": self.disqualified,
            "failed_gate": self.failed_gate,
            "not_applicable": list(self.not_applicable),
            "unscored": list(self.unscored),
            "written_total": None if self.written_total is None else _num(self.written_total),
        }


@dataclass(frozen=True, slots=True)
class WeightFlip:
    """The smallest single-weight change that puts the runner-up ahead of the winner."""

    criterion: str
    from_weight: float
    to_weight: float
    """At exactly this weight the two tie; any further and the runner-up wins."""

    @property
    def change_percent(self) -> float:
        """Relative change of the weight, in percent (negative = lowered)."""
        return (self.to_weight - self.from_weight) / self.from_weight * 100

    def to_json(self) -> dict[str, Any]:
        """Return the stable JSON shape (schema 1)."""
        return {
            "criterion": self.criterion,
            "from_weight": _num(self.from_weight),
            "to_weight": round(self.to_weight, 3),
            "change_percent": round(self.change_percent, 1),
        }


@dataclass(frozen=True, slots=True)
class Robustness:
    """How safe the winner is against its runner-up."""

    runner_up: str | None
    margin_points: float | None
    margin_percent: float | None
    """Difference of the two percentages (percentage points)."""
    flip: WeightFlip | None
    text: str

    def to_json(self) -> dict[str, Any]:
        """Return the stable JSON shape (schema 1)."""
        return {
            "runner_up": self.runner_up,
            "margin_points": None if self.margin_points is None else _num(self.margin_points),
            "margin_percent": None if self.margin_percent is None
            else round(self.margin_percent, 2),
            "flip": None if self.flip is None else self.flip.to_json(),
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class TableScore:
    """The scored form of one criteria table."""

    table: CriteriaTable
    options: list[OptionScore]
    """In the table's column order (see ``ranking`` for rank order)."""
    winner: str | None
    """None when the top is tied or every option fails a gate."""
    tie: bool
    """The top qualified options are tied (their names are in ``tied``)."""
    tied: list[str]
    ties: list[list[str]]
    """Every group of options sharing a rank."""
    robustness: Robustness | None
    recorded_decision: str | None
    decided_option: str | None
    """The option the recorded decision names, if any."""
    agrees: bool | None
    """None when there is no recorded decision or nothing to compare it with."""
    primary: bool
    """The table the record-level verdict (``--all``, ADR404) is based on."""
    drift: list[Diagnostic] = field(default_factory=list)
    """ADR405/ADR406 found in this table."""

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        """The table's criteria rows."""
        return self.table.criteria

    @property
    def index(self) -> int:
        """1-based position among the record's criteria tables."""
        return self.table.index

    def ranking(self) -> list[OptionScore]:
        """Options best first (ties keep column order)."""
        return sorted(self.options, key=lambda o: o.rank)

    def option(self, name: str) -> OptionScore:
        """Look an option up by name (case-insensitive)."""
        for option in self.options:
            if option.name.casefold() == name.casefold():
                return option
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """Return the stable JSON shape (schema 1)."""
        table = self.table
        return {
            "index": table.index,
            "section": table.section,
            "line": table.pos.line,
            "primary": self.primary,
            "scale": _num(table.scale),
            "winner": self.winner,
            "tie": self.tie,
            "tied": list(self.tied),
            "ties": [list(group) for group in self.ties],
            "options": [o.to_json() for o in self.options],
            "criteria": [_criterion_json(c, table) for c in table.criteria],
            "robustness": None if self.robustness is None else self.robustness.to_json(),
            "recorded_decision": self.recorded_decision,
            "decided_option": self.decided_option,
            "agrees": self.agrees,
            "what_if": table.overridden,
            "drift": [d.to_json() for d in self.drift],
        }


@dataclass(frozen=True, slots=True)
class RecordScore:
    """Every criteria table of one record, scored, plus ADR401-406 diagnostics."""

    record_id: str
    path: str
    title: str
    tables: list[TableScore]
    diagnostics: list[Diagnostic]

    @property
    def primary(self) -> TableScore | None:
        """The table the record-level verdict is based on."""
        return next((t for t in self.tables if t.primary), None)

    def only(self, index: int) -> RecordScore:
        """The same result narrowed to the criteria table numbered *index* (1-based)."""
        table = next(t for t in self.tables if t.index == index)
        first, last = table.table.pos.line, table.table.end_line
        keep = [d for d in self.diagnostics
                if first <= d.line <= last or (d.code == "ADR404" and table.primary)]
        return RecordScore(self.record_id, self.path, self.title, [table], keep)

    def to_json(self) -> dict[str, Any]:
        """Return the stable JSON shape (schema 1)."""
        return {
            "schema": SCHEMA,
            "record": self.record_id,
            "title": self.title,
            "path": self.path,
            "tables": [t.to_json() for t in self.tables],
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }


def _num(value: float) -> float | int:
    """Integers stay integers in JSON; other values are rounded to 3 places."""
    rounded = round(value, 3)
    return int(rounded) if rounded == int(rounded) else rounded


def _criterion_json(criterion: Criterion, table: CriteriaTable) -> dict[str, Any]:
    weight = criterion.weight
    return {
        "name": criterion.name,
        "line": criterion.pos.line,
        "weight": None if weight.value is None else _num(weight.value),
        "weight_text": weight.text,
        "gate": weight.gate,
        "cells": [
            {
                "option": option,
                "text": cell.text,
                "status": cell.kind.value,
                "value": None if cell.value is None else round(cell.value, 4),
                "points": None if cell.value is None else _num(cell.value * table.scale),
                "note": cell.note,
                "written": None if cell.written is None else _num(cell.written),
                "line": cell.pos.line,
                "column": cell.pos.column,
            }
            for option, cell in zip(table.options, criterion.cells, strict=True)
        ],
    }


# --- computing -------------------------------------------------------------------------


@dataclass(slots=True)
class _Sums:
    score: float = 0.0
    max_score: float = 0.0
    na: list[str] = field(default_factory=list)
    unscored: list[str] = field(default_factory=list)
    failed_gate: str | None = None


_SCORED = CellKind.SCORED
_NOT_APPLICABLE = CellKind.NOT_APPLICABLE


def _sums(table: CriteriaTable, column: int, threshold: float) -> _Sums:
    sums = _Sums()
    for criterion in table.criteria:
        cell = criterion.cells[column]
        if cell.kind is _NOT_APPLICABLE:
            sums.na.append(criterion.name)
            continue
        if cell.kind is not _SCORED or cell.value is None:
            sums.unscored.append(criterion.name)
            continue
        if criterion.gate and cell.value <= threshold + EPS and sums.failed_gate is None:
            sums.failed_gate = criterion.name
        weight = criterion.weight.value
        if weight is None:
            continue
        sums.score += weight * cell.value * table.scale
        sums.max_score += weight * table.scale
    return sums


def _percent(score: float, max_score: float) -> float:
    if max_score <= EPS:
        return 0.0
    return min(max(score / max_score * 100, 0.0), 100.0)


def _key(percent: float) -> float:
    """Comparison key that treats float noise as equality."""
    return round(percent, 6)


def score_table(table: CriteriaTable, settings: ScoreSettings) -> list[OptionScore]:
    """Compute every option's weighted score, percentage, gate result and rank."""
    sums = [_sums(table, i, settings.gate_threshold) for i in range(len(table.options))]
    percents = [_percent(s.score, s.max_score) for s in sums]
    keys = [(s.failed_gate is not None, -_key(p)) for s, p in zip(sums, percents, strict=True)]
    ranks = [1 + sum(1 for other in keys if other < key) for key in keys]
    totals = table.total.options if table.total else ()
    return [
        OptionScore(
            name=name, score=s.score, max_score=s.max_score, percent=p, rank=rank,
            disqualified=s.failed_gate is not None, failed_gate=s.failed_gate,
            not_applicable=tuple(s.na), unscored=tuple(s.unscored),
            written_total=_written_value(totals, i),
        )
        for i, (name, s, p, rank) in enumerate(zip(table.options, sums, percents, ranks,
                                                   strict=True))
    ]


def _written_value(totals: tuple[WrittenNumber | None, ...], column: int) -> float | None:
    written = totals[column] if column < len(totals) else None
    return written.value if written is not None else None


def _margin_at(table: CriteriaTable, winner: int, rival: int, row: int, delta: float) -> float:
    """Percent of winner minus percent of rival when criterion *row*'s weight moves by delta."""
    def at(column: int) -> float:
        score = max_score = 0.0
        for index, criterion in enumerate(table.criteria):
            cell = criterion.cells[column]
            weight = criterion.weight.value
            if weight is None or cell.kind is not _SCORED or cell.value is None:
                continue
            if index == row:
                weight += delta
            score += weight * cell.value
            max_score += weight
        return score / max_score if max_score > EPS else 0.0
    return at(winner) - at(rival)


def _flip(table: CriteriaTable, winner: int, rival: int) -> WeightFlip | None:
    """Smallest relative change of one weight within 0..2x that puts *rival* ahead."""
    best: tuple[float, float, WeightFlip] | None = None
    winner_parts, rival_parts = _column_parts(table, winner), _column_parts(table, rival)
    for row, criterion in enumerate(table.criteria):
        weight = criterion.weight.value
        if weight is None or weight <= EPS:
            continue
        coefficients = _coefficients_of(winner_parts, rival_parts, row)
        if coefficients is None:
            continue
        a, b, c = coefficients
        roots: list[float] = []
        if abs(a) <= EPS:
            if abs(b) > EPS:
                roots.append(-c / b)
        else:
            disc = b * b - 4 * a * c
            if disc >= -EPS:
                sq = math.sqrt(max(disc, 0.0))
                roots.extend(((-b - sq) / (2 * a), (-b + sq) / (2 * a)))
        for root in sorted(roots, key=abs):
            if abs(root) <= EPS or abs(root) > weight + EPS:
                continue
            step = math.copysign(max(weight * 1e-6, 1e-9), root)
            probe = root + step
            if abs(probe) > weight:  # the tie is at the edge of 0..2x: no flip inside it
                continue
            if _margin_at(table, winner, rival, row, probe) < -EPS * 10:
                flip = WeightFlip(criterion.name, weight, weight + root)
                key = (abs(root) / weight, abs(root))
                if best is None or key < best[:2]:
                    best = (key[0], key[1], flip)
                break
    return None if best is None else best[2]


def _column_parts(table: CriteriaTable, column: int) -> tuple[float, float, list[float | None]]:
    """An option's weighted points S and maximum M, and per row its cell value (None: unscored).

    Summed once per option, in row order, so every row's quadratic reuses the same S and M
    (the sums, and so the floats, are those a per-row loop would compute).
    """
    score = max_score = 0.0
    values: list[float | None] = []
    for criterion in table.criteria:
        cell = criterion.cells[column]
        weight = criterion.weight.value
        if weight is None or cell.kind is not _SCORED or cell.value is None:
            values.append(None)
            continue
        score += weight * cell.value
        max_score += weight
        values.append(cell.value)
    return score, max_score, values


def _coefficients(table: CriteriaTable, winner: int,
                  rival: int, row: int) -> tuple[float, float, float] | None:
    """Quadratic a*d^2 + b*d + c whose sign is the winner's lead when weight *row* moves by d.

    With S/M an option's points and maximum, x/y the change per unit of weight:
    (S_w + d x_w)(M_r + d y_r) - (S_r + d x_r)(M_w + d y_w).
    """
    return _coefficients_of(_column_parts(table, winner), _column_parts(table, rival), row)


def _coefficients_of(winner: tuple[float, float, list[float | None]],
                     rival: tuple[float, float, list[float | None]],
                     row: int) -> tuple[float, float, float] | None:
    """``_coefficients`` from precomputed ``_column_parts`` of the two options."""
    s_w, m_w, values_w = winner
    s_r, m_r, values_r = rival
    if m_w <= EPS or m_r <= EPS:
        return None
    value_w, value_r = values_w[row], values_r[row]
    x_w, y_w = (0.0, 0.0) if value_w is None else (value_w, 1.0)
    x_r, y_r = (0.0, 0.0) if value_r is None else (value_r, 1.0)
    a = x_w * y_r - x_r * y_w
    b = s_w * y_r + x_w * m_r - s_r * y_w - x_r * m_w
    c = s_w * m_r - s_r * m_w
    return a, b, c


def _fmt(value: float) -> str:
    return f"{_num(value):g}" if abs(value) < 1e15 else str(value)


def compute_robustness(table: CriteriaTable, options: list[OptionScore],
                       winner: str | None) -> Robustness | None:
    """Margin over the runner-up and the smallest single weight change that flips them."""
    if winner is None:
        return None
    index = table.options.index(winner)
    rivals = [o for o in options if not o.disqualified and o.name != winner]
    if not rivals:
        others = "the other options fail a gate" if len(options) > 1 else "it is the only option"
        return Robustness(None, None, None, None,
                          f"{winner} wins whatever the weights: {others}.")
    second = min(o.rank for o in rivals)
    flip: WeightFlip | None = None
    rival = next(o for o in rivals if o.rank == second)
    for candidate in (o for o in rivals if o.rank == second):  # tied runners-up: weakest spot
        found = _flip(table, index, table.options.index(candidate.name))
        if found is not None and (flip is None or abs(found.change_percent)
                                  < abs(flip.change_percent)):
            flip, rival = found, candidate
    me = options[index]
    points = me.score - rival.score
    margin = me.percent - rival.percent
    lead = (f"{winner} leads {rival.name} by {margin:.1f} percentage points "
            f"({_fmt(points)} point{'' if abs(points - 1) < EPS else 's'})")
    if flip is None:
        text = f"{lead}; no single weight change within 0..2x flips it."
    else:
        verb = "raising" if flip.to_weight > flip.from_weight else "lowering"
        text = (f"{lead}; {verb} the weight of {flip.criterion!r} from {_fmt(flip.from_weight)} "
                f"to {flip.to_weight:.3g} ({flip.change_percent:+.0f} %) ties them, and any "
                f"further puts {rival.name} ahead.")
    return Robustness(rival.name, points, margin, flip, text)


_WORD = re.compile(r"[a-z0-9][a-z0-9+#.]*")


def _words(text: str) -> list[str]:
    return [w.rstrip(".") for w in _WORD.findall(text.casefold())]


def match_decision(decision: str, options: tuple[str, ...]) -> str | None:
    """The option a decision text names (fuzzy: equal, contained either way, or all its words).

    Preference: an exact name, then a name inside the decision (earliest, then longest), then
    a name whose words all occur in it, then a decision that is part of a name.
    """
    said = " ".join(_words(decision))
    said_list = said.split()
    found: list[tuple[int, int, int, str]] = []
    for option in options:
        name = " ".join(_words(option))
        if not name:
            continue
        if name == said:
            found.append((0, 0, -len(name), option))
            continue
        position = _find_words(said, name)
        if position is not None:
            found.append((1, position, -len(name), option))
        elif set(name.split()) <= set(said_list):
            found.append((2, min(said_list.index(w) for w in name.split()), -len(name), option))
        elif said and _find_words(name, said) is not None:
            found.append((3, 0, len(name), option))
    return min(found)[3] if found else None


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _find_words(haystack: str, needle: str) -> int | None:
    """Where *needle* first occurs in *haystack* as whole words (not inside a longer word).

    Plain ``str.find`` rather than a regex built per option name: with many distinct names
    the regex cache overflows and every call recompiles.
    """
    size, end = len(haystack), len(needle)
    start = haystack.find(needle)
    while start != -1:
        after = start + end
        if (start == 0 or haystack[start - 1] not in _WORD_CHARS) and (
                after == size or haystack[after] not in _WORD_CHARS):
            return start
        start = haystack.find(needle, start + 1)
    return None


# --- drift -----------------------------------------------------------------------------


def _tolerance(decimals: int) -> float:
    return 0.5 / 10.0**decimals + 1e-6


def _drift(table: CriteriaTable, options: list[OptionScore], path: str) -> list[Diagnostic]:
    """ADR406 for written weighted values, ADR405 for written totals, against computed ones."""
    out: list[Diagnostic] = []
    written_sums = [0.0] * len(table.options)
    weight_sum = 0.0
    for criterion in table.criteria:
        weight = criterion.weight.value
        if weight is not None:
            weight_sum += weight
        for column, cell in enumerate(criterion.cells):
            if cell.written is None:
                continue
            written_sums[column] += cell.written
            if weight is None or cell.value is None:
                continue
            rating = cell.value * table.scale
            computed = weight * rating
            if abs(cell.written - computed) > _tolerance(cell.written_decimals):
                out.append(Diagnostic(
                    "ADR406", Severity.ERROR, path, cell.pos.line, cell.pos.column,
                    f"weighted value ({_fmt(cell.written)}) for {table.options[column]!r} on "
                    f"{criterion.name!r} should be {_fmt(computed)} = weight {_fmt(weight)} x "
                    f"rating {_fmt(rating)}",
                    "Fix the weighted value or the rating; adr score computes it from both.",
                    rule="weighted-value-drift",
                ))
    total = table.total
    if total is None:
        return out
    written_weight = total.weight
    if (written_weight is not None and written_weight.value is not None
            and not written_weight.percent
            and abs(written_weight.value - weight_sum) > _tolerance(written_weight.decimals)):
        out.append(_total_diag(path, written_weight, "weight total",
                               f"the weights sum to {_fmt(weight_sum)}"))
    for column, written in enumerate(total.options):
        if written is None:
            continue
        option = options[column]
        name = table.options[column]
        if written.value is None:
            continue
        if written.percent:
            if abs(written.value - option.percent) > _tolerance(written.decimals):
                out.append(_total_diag(path, written, f"total for {name!r}",
                                       f"the computed percentage is {option.percent:.1f} %"))
            continue
        if abs(written.value - option.score) > _tolerance(written.decimals):
            has_written = any(c.cells[column].written is not None for c in table.criteria)
            extra = ""
            if has_written and abs(written_sums[column] - option.score) > 1e-6:
                extra = f" (the written weighted values sum to {_fmt(written_sums[column])})"
            out.append(_total_diag(path, written, f"total for {name!r}",
                                   f"ratings x weights give {_fmt(option.score)}{extra}"))
    return out


def _total_diag(path: str, written: WrittenNumber, what: str, computed: str) -> Diagnostic:
    return Diagnostic(
        "ADR405", Severity.ERROR, path, written.pos.line, written.pos.column,
        f"{what} says {_fmt(written.value or 0)}{'%' if written.percent else ''}, but {computed}",
        "Fix the Total row (or the cells): adr score recomputes it from the table.",
        rule="total-drift",
    )


# --- the entry point -------------------------------------------------------------------


def _what_if_keys(record: Record, tables: list[CriteriaTable],
                  weights: Mapping[str, str] | None,
                  cells: Mapping[tuple[str, str], str] | None) -> None:
    """Refuse what-if names that match no criterion/option (a typo would silently do nothing)."""
    criteria = {c.name.casefold(): c.name for t in tables for c in t.criteria}
    options = {o.casefold(): o for t in tables for o in t.options}
    for name in weights or {}:
        if name.casefold() not in criteria:
            raise AdrError(f"--weight: {record.id} has no criterion {name!r}",
                           f"Criteria: {', '.join(sorted(set(criteria.values())))}.")
    for option, name in cells or {}:
        if option.casefold() not in options:
            raise AdrError(f"--set: {record.id} has no option {option!r}",
                           f"Options: {', '.join(sorted(set(options.values())))}.")
        if name.casefold() not in criteria:
            raise AdrError(f"--set: {record.id} has no criterion {name!r}",
                           f"Criteria: {', '.join(sorted(set(criteria.values())))}.")


def score_record(
    record: Record,
    config: Config | None = None,
    *,
    weights: dict[str, str] | None = None,
    cells: dict[tuple[str, str], str] | None = None,
    settings: ScoreSettings | None = None,
    robustness: bool = True,
) -> RecordScore:
    """Score every criteria table of *record*; *weights*/*cells* are what-if replacements.

    ``weights`` maps criterion name -> weight text; ``cells`` maps (option, criterion) -> cell
    text. Names are matched case-insensitively; an unknown name raises AdrError.
    ``robustness=False`` leaves every table's ``robustness`` None: no diagnostic depends on
    it, and ``adr lint``, which only wants the diagnostics, saves a fifth of the work.
    """
    if settings is None:
        settings = ScoreSettings.from_config(config.score if config is not None else None)
    weight_keys = {k.casefold().strip(): v for k, v in (weights or {}).items()}
    cell_keys = {(o.casefold().strip(), c.casefold().strip()): v
                 for (o, c), v in (cells or {}).items()}
    tables, diags = read_criteria_tables(record, settings, weights=weight_keys, cells=cell_keys)
    if weights or cells:
        _what_if_keys(record, tables, weights, cells)
    primary = next((t.index for t in tables if t.preferred), tables[0].index if tables else 0)
    scored: list[TableScore] = []
    for table in tables:
        options = score_table(table, settings)
        top = [o for o in options if o.rank == 1 and not o.disqualified and o.max_score > EPS]
        winner = top[0].name if len(top) == 1 else None
        tied = [o.name for o in top] if len(top) > 1 else []
        groups: dict[int, list[str]] = {}
        for option in options:
            groups.setdefault(option.rank, []).append(option.name)
        ties = [names for _, names in sorted(groups.items()) if len(names) > 1]
        decision = record.decision
        decided = match_decision(decision, table.options) if decision else None
        agrees: bool | None = None
        if decision and (winner is not None or tied):
            agrees = decided is not None and (decided == winner or decided in tied)
        drift = [] if table.overridden else _drift(table, options, record.path)
        is_primary = table.index == primary
        scored.append(TableScore(
            table=table, options=options, winner=winner, tie=bool(tied), tied=tied, ties=ties,
            robustness=compute_robustness(table, options, winner) if robustness else None,
            recorded_decision=decision, decided_option=decided, agrees=agrees,
            primary=is_primary, drift=drift,
        ))
        diags.extend(drift)
        if is_primary and agrees is False:
            diags.append(_disagreement(record, table, winner, tied, decided))
    diags.sort(key=lambda d: d.sort_key)
    return RecordScore(record.id, record.path, record.title, scored, diags)


def _disagreement(record: Record, table: CriteriaTable, winner: str | None, tied: list[str],
                  decided: str | None) -> Diagnostic:
    computed = f"the computed winner is {winner!r}" if winner else (
        f"the top options tie: {' = '.join(tied)}")
    if decided is None:
        said = f" names none of the options ({', '.join(table.options)})"
    elif decided.casefold() != (record.decision or "").casefold():
        said = f" names {decided!r}"
    else:
        said = ""
    pos = record.positions.get("decision", table.pos)
    return Diagnostic(
        "ADR404", Severity.WARNING, record.path, pos.line, pos.column,
        f"recorded decision {record.decision!r}{said}, but {computed} "
        f"(criteria table at line {table.pos.line})",
        "Explain why the top score was not chosen, or fix the weights or cells.",
        rule="decision-disagrees",
    )


# --- one line per record (adr score --all) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """The record-level verdict of the primary table: what ``adr score --all`` lists."""

    record: str
    path: str
    title: str
    tables: int
    winner: str | None
    tied: list[str]
    runner_up: str | None
    margin_percent: float | None
    margin_points: float | None
    recorded_decision: str | None
    agrees: bool | None
    drift: int
    """ADR405/ADR406 findings over all tables."""
    problems: int
    """ADR401-403 findings over all tables."""

    def to_json(self) -> dict[str, Any]:
        """Return the stable JSON shape (schema 1)."""
        return {
            "record": self.record,
            "path": self.path,
            "title": self.title,
            "tables": self.tables,
            "winner": self.winner,
            "tied": list(self.tied),
            "runner_up": self.runner_up,
            "margin_percent": None if self.margin_percent is None
            else round(self.margin_percent, 2),
            "margin_points": None if self.margin_points is None else _num(self.margin_points),
            "recorded_decision": self.recorded_decision,
            "agrees": self.agrees,
            "drift": self.drift,
            "problems": self.problems,
        }


def summarise(score: RecordScore) -> ScoreSummary | None:
    """Reduce a RecordScore to its primary table's verdict (None: nothing was scored)."""
    table = score.primary
    if table is None:
        return None
    robust = table.robustness
    codes = [d.code for d in score.diagnostics]
    return ScoreSummary(
        record=score.record_id, path=score.path, title=score.title, tables=len(score.tables),
        winner=table.winner, tied=list(table.tied),
        runner_up=robust.runner_up if robust else None,
        margin_percent=robust.margin_percent if robust else None,
        margin_points=robust.margin_points if robust else None,
        recorded_decision=table.recorded_decision, agrees=table.agrees,
        drift=sum(c in ("ADR405", "ADR406") for c in codes),
        problems=sum(c in ("ADR401", "ADR402", "ADR403") for c in codes),
    )


def score_records(records: list[Record], config: Config | None = None) -> list[ScoreSummary]:
    """Score many records (``adr score --all``): one summary per record with a criteria table."""
    settings = ScoreSettings.from_config(config.score if config is not None else None)
    out = []
    for record in records:
        if not record.tables:
            continue
        summary = summarise(score_record(record, settings=settings))
        if summary is not None:
            out.append(summary)
    return out


# --- batch (adr score --all) ---------------------------------------------------------------

SUMMARY_CACHE_VERSION = "1"
"""Bump when ScoreSummary or what it is computed from changes shape."""


def load_score_summaries(paths: list[Any], config: Config,
                         root: Any = None) -> tuple[list[ScoreSummary], list[Diagnostic]]:
    """Read, parse and score files, keeping each file's summary in a signed pack (DR-021).

    A warm ``adr score --all`` then reads and hashes the files and loads one small pack:
    no record is unpickled or scored again. Files not in the pack go through the parse
    cache of *root* (DR-018), and the loader's process pool when cold, where each file is
    scored beside its parse (``SummaryHook``). The cyclic collector is paused meanwhile:
    with thousands of records alive, its full passes were a fifth of a cold run.
    """
    from adr_tool.repository import gc_paused

    with gc_paused():
        return _load_score_summaries(paths, config, root)


def _load_score_summaries(paths: list[Any], config: Config,
                          root: Any = None) -> tuple[list[ScoreSummary], list[Diagnostic]]:
    from pathlib import Path

    from adr_tool.parse.cache import SignedPack, file_key
    from adr_tool.repository import _cache_folder, parse_files, parse_options
    from adr_tool.sources import display_path, read_raw

    settings = ScoreSettings.from_config(config.score)
    options = parse_options(config)
    folder = _cache_folder(Path(root), None) if root is not None else None
    files = [Path(p) for p in paths]
    entries: list[SummaryEntry | None] = [None] * len(files)
    pack = SignedPack(folder / "score", _summary_fingerprint(options, settings),
                      ignore_at=folder.parent.parent) if folder is not None else None
    keys: list[bytes | None] = [None] * len(files)
    if pack is not None and pack.enabled:
        for index, path in enumerate(files):
            got = read_raw(path, display_path(path))
            if isinstance(got, bytes):
                key = keys[index] = file_key(display_path(path), got)
                entries[index] = pack.get(key)
    missing = [i for i, entry in enumerate(entries) if entry is None]
    if missing:
        live = [k for k in keys if k is not None]
        hooked: dict[int, Any] = {}
        results = parse_files([files[i] for i in missing], options, folder, live=live,
                              hook=SummaryHook(settings), hooked=hooked)
        for position, (index, parsed) in enumerate(zip(missing, results, strict=True)):
            fresh = hooked.get(position) or _summary_entry(parsed.diagnostics, parsed.record,
                                                           settings)
            entries[index] = fresh
            fresh_key = keys[index]
            if pack is not None and fresh_key is not None:
                pack.put(fresh_key, fresh)
    if pack is not None:
        pack.save(k for k in keys if k is not None)
    summaries: list[ScoreSummary] = []
    found: list[Diagnostic] = []
    for done in entries:
        assert done is not None
        found.extend(done[0])
        if done[1] is not None:
            summaries.append(done[1])
    diagnostics = sorted(found, key=lambda d: d.sort_key)
    return summaries, diagnostics


SummaryEntry = tuple[list[Diagnostic], "ScoreSummary | None"]
"""What the summary pack keeps per file: its parse diagnostics and its summary."""


def _summary_entry(diagnostics: list[Diagnostic], record: Record | None,
                   settings: ScoreSettings) -> SummaryEntry:
    return list(diagnostics), _summary_of(record, settings)


class SummaryHook:
    """The loader hook of ``adr score --all``: a file's summary entry, where it was parsed.

    What it returns is what the summary pack keeps; a file whose scoring fails gets None,
    and the caller scores it again (and meets the failure itself)."""

    def __init__(self, settings: ScoreSettings) -> None:
        self.settings = settings

    def __call__(self, result: Any) -> SummaryEntry | None:
        try:
            return _summary_entry(result.diagnostics, result.record, self.settings)
        except Exception:  # noqa: BLE001 - see the class docstring
            return None


def _summary_of(record: Record | None, settings: ScoreSettings) -> ScoreSummary | None:
    if record is None or not record.has_tables:
        return None
    return summarise(score_record(record, settings=settings))


def _summary_fingerprint(options: Any, settings: ScoreSettings) -> str:
    """What decides a file's summary besides its bytes: the parse fingerprint, the score
    settings and the modules that score."""
    import hashlib
    import os

    from adr_tool.parse.cache import fingerprint

    shown = (settings.sections, settings.levels, sorted(settings.gates), settings.cells,
             settings.scale, settings.gate_threshold)
    digest = hashlib.sha256(f"{SUMMARY_CACHE_VERSION}\0{fingerprint(options)}\0{shown!r}".encode())
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("scoring.py", "criteria.py", "diagnostics.py"):
        with contextlib.suppress(OSError):
            info = os.stat(os.path.join(here, name))
            digest.update(f"\0{name}:{info.st_size}:{info.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]
