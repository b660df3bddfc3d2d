"""Score tables and bar charts for record pages, from ``adr_tool.scoring`` when installed."""

from __future__ import annotations

from collections.abc import Sequence
import dataclasses
from dataclasses import dataclass
import importlib
import json
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from adr_tool.site.cache import ContentCache, content_key
from adr_tool.site.relations import has_module
from adr_tool.site.svg import Bar, bar_chart_svg

if TYPE_CHECKING:
    from adr_tool.config import Config
    from adr_tool.models import Record


@dataclass(frozen=True, slots=True)
class OptionRow:
    """One option of a scored criteria table, formatted for display."""

    name: str
    score: str
    max_score: str
    percent: str
    rank: str
    note: str
    winner: bool


@dataclass(frozen=True, slots=True)
class ScoreTableView:
    """A scored criteria table: rows, chart and the verdict against the recorded decision."""

    title: str
    rows: tuple[OptionRow, ...]
    chart_svg: str
    verdict: str


_row_fields = attrgetter(*(f.name for f in dataclasses.fields(OptionRow)))
"""An OptionRow's values in field order (``dataclasses.astuple`` deep-copies, ~5x slower)."""


def scoring_available() -> bool:
    """Tell whether the scoring module is installed (score parts render only then)."""
    return has_module("adr_tool.scoring")


def build_scores(record: Record, config: Config) -> list[ScoreTableView]:
    """Score every criteria table of *record*; empty when scoring is not installed."""
    if not record.tables or not scoring_available():
        return []
    scoring: Any = importlib.import_module("adr_tool.scoring")
    result = scoring.score_record(record, config, settings=_settings(scoring, config))
    return [table_view(t, i + 1) for i, t in enumerate(result.tables)]


_SETTINGS: dict[str, Any] = {}
"""Validated ``[tool.adr.score]`` by its repr: validating it costs ~0.2 ms, once per record."""


def _settings(scoring: Any, config: Config) -> Any:
    """``ScoreSettings.from_config(config.score)``, made once per distinct setting (frozen: shared)."""
    key = repr(sorted(config.score.items(), key=repr))
    found = _SETTINGS.get(key)
    if found is None:
        found = _SETTINGS[key] = scoring.ScoreSettings.from_config(config.score)
    return found


def cached_scores(record: Record, config: Config, cache: ContentCache) -> list[ScoreTableView]:
    """``build_scores`` through the cache: scoring a record costs ~1.5 ms, a hit ~20 µs.

    The key holds everything ``score_record`` and ``table_view`` read: the tables (with
    their sections and positions: ``Record.tables`` is made from ``table_data`` alone),
    the fields named here, the position of the decision and the score settings;
    ``content_key`` adds the code version. Not the rest of the body, which scoring never
    reads: a patch build of a record whose edit left its tables alone does not score it
    (or import the scoring modules) again (DR-020, 2026-12-03).
    """
    if not record.tables or not scoring_available():
        return []
    key = content_key("scores", record.id, record.path, record.title, record.decision or "\0",
                      repr(sorted(record.extra.items(), key=repr)), repr(record.table_data),
                      repr(record.positions.get("decision")),
                      repr(sorted(config.score.items(), key=repr)))
    cached = cache.get("scores", key)
    if cached is not None:
        return [ScoreTableView(title, tuple(OptionRow(*row) for row in rows), chart, verdict)
                for title, rows, chart, verdict in json.loads(cached)]
    views = build_scores(record, config)
    data = [[v.title, [_row_fields(row) for row in v.rows], v.chart_svg, v.verdict] for v in views]
    cache.store("scores", key, json.dumps(data).encode("utf-8"))
    return views


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return "" if value is None else str(value)


def table_view(table: Any, number: int) -> ScoreTableView:
    """Format one ``TableScore`` (scoring interface) for the page."""
    options: Sequence[Any] = sorted(table.options, key=lambda o: (o.rank or 10**6, o.name))
    winner = table.winner
    rows = []
    bars = []
    for option in options:
        notes = []
        if option.disqualified:
            notes.append("disqualified")
        if option.failed_gate:
            notes.append(f"failed gate: {option.failed_gate}" if isinstance(option.failed_gate, str)
                         else "failed gate")
        is_winner = winner is not None and option.name == winner
        rows.append(OptionRow(
            name=str(option.name), score=_num(option.score), max_score=_num(option.max_score),
            percent=f"{float(option.percent or 0):.0f}%", rank=_num(option.rank),
            note=", ".join(notes), winner=is_winner,
        ))
        bars.append(Bar(name=str(option.name), percent=float(option.percent or 0),
                        value=f"{_num(option.score)} / {_num(option.max_score)}",
                        winner=is_winner, disqualified=bool(option.disqualified)))
    section = getattr(getattr(table, "table", None), "section", None) or getattr(table, "section", None)
    title = str(section) if section else f"Criteria table {number}"
    verdict_parts = []
    if winner:
        verdict_parts.append(f"Highest score: {winner}" + (" (tie)" if table.tie else ""))
    if table.recorded_decision:
        verdict_parts.append(f"recorded decision: {table.recorded_decision}")
    if table.agrees is False:
        verdict_parts.append("the recorded decision is not the highest-scoring option")
    robustness: Any = getattr(table, "robustness", None)
    if robustness is not None and robustness.text:
        verdict_parts.append(str(robustness.text))
    return ScoreTableView(
        title=title, rows=tuple(rows), verdict="; ".join(verdict_parts),
        chart_svg=bar_chart_svg(bars, label=f"Scores for {title}"),
    )
