"""Render scored criteria tables: rich terminal, JSON, Markdown for PRs, chart bars for the site.

Library code: returns strings or prints to the rich Console it is given, never to stdout itself.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from adr_tool.criteria import Cell, CellKind

if TYPE_CHECKING:
    from adr_tool.criteria import CriteriaTable, Criterion
    from adr_tool.scoring import OptionScore, RecordScore, ScoreSummary, TableScore


def _fmt(value: float) -> str:
    rounded = round(value, 2)
    return f"{int(rounded)}" if rounded == int(rounded) else f"{rounded:g}"


def _pct(value: float) -> str:
    return f"{value:.1f} %"


def cell_text(cell: Cell, table: CriteriaTable) -> str:
    """A cell as shown: points on the table's scale, the author's weighted value, the note."""
    if cell.kind is CellKind.NOT_APPLICABLE:
        head = "n/a"
    elif cell.kind is CellKind.MISSING:
        return "(missing)"
    elif cell.kind is CellKind.UNREADABLE:
        return f"? {cell.text}"
    else:
        assert cell.value is not None
        head = _fmt(cell.value * table.scale)
        if cell.written is not None:
            head += f" ({_fmt(cell.written)})"
    return f"{head} {cell.note}".strip() if cell.note else head


def weight_text(criterion: Criterion) -> str:
    """A weight as shown: what the author wrote, its number, and the gate mark."""
    weight = criterion.weight
    if weight.value is None:
        return f"? {weight.text}".strip()
    number = _fmt(weight.value)
    shown = weight.text if weight.text.casefold() in (number, f"{number}%") else (
        f"{weight.text} ({number})")
    if weight.overridden:
        shown += " *"
    return shown + (" gate" if weight.gate else "")


def _fails_gate(criterion: Criterion, option: OptionScore) -> bool:
    return option.failed_gate == criterion.name


def rank_text(option: OptionScore) -> str:
    """Rank as shown, with the disqualification spelled out."""
    return f"{option.rank} (disqualified)" if option.disqualified else str(option.rank)


def verdict_lines(table: TableScore) -> list[str]:
    """Winner, ties, gate failures, robustness and the recorded decision, one per line."""
    lines: list[str] = []
    if table.winner is not None:
        lines.append(f"Winner: {table.winner} ({_pct(table.option(table.winner).percent)})")
    elif table.tie:
        lines.append(f"Tie at the top: {' = '.join(table.tied)} "
                     f"({_pct(table.option(table.tied[0]).percent)})")
    elif all(o.disqualified for o in table.options):
        lines.append("No winner: every option fails a gate.")
    else:
        lines.append("No winner: nothing in the table could be scored.")
    for group in table.ties:
        if group != table.tied:
            lines.append(f"Tie: {' = '.join(group)} share rank {table.option(group[0]).rank}.")
    for option in table.ranking():
        if option.disqualified:
            lines.append(f"Disqualified: {option.name} fails the gate {option.failed_gate!r}.")
        if option.not_applicable:
            lines.append(f"Not applicable to {option.name} (left out of its maximum): "
                         f"{', '.join(option.not_applicable)}.")
        if option.unscored:
            lines.append(f"Unscored for {option.name} (missing or unreadable): "
                         f"{', '.join(option.unscored)}.")
    if table.robustness is not None:
        lines.append(f"Robustness: {table.robustness.text}")
    if table.recorded_decision is None:
        lines.append("Recorded decision: none found.")
    else:
        verdict = {True: "agrees", False: "disagrees", None: "cannot be compared"}[table.agrees]
        named = (f" (names {table.decided_option})" if table.decided_option
                 and table.decided_option.casefold() != table.recorded_decision.casefold()
                 else "")
        lines.append(f"Recorded decision: {table.recorded_decision}{named}: {verdict}.")
    if table.table.overridden:
        lines.append("What-if: weights or cells marked * were replaced on the command line.")
    return lines


def _title(score: RecordScore, table: TableScore) -> str:
    return f"{score.record_id}: {score.title}"


def _subtitle(table: TableScore) -> str:
    where = f" in {table.table.section!r}" if table.table.section else ""
    scale = table.table.scale
    per = "cells count 0..1" if scale == 1 else f"ratings out of {_fmt(scale)}"
    return f"Criteria table {table.index}{where} (line {table.table.pos.line}; {per})"


def render_text(score: RecordScore, console: Any) -> None:
    """Print each table as a rich table of criteria x options with totals and the verdict."""
    from rich.markup import escape
    from rich.table import Table

    for number, table in enumerate(score.tables):
        if number:
            console.print()
        console.print(escape(_title(score, table)), style="bold", soft_wrap=True)
        console.print(escape(_subtitle(table)), soft_wrap=True)
        grid = Table(header_style="bold", show_footer=False, expand=False)
        grid.add_column("Criterion", overflow="fold")
        grid.add_column("Weight", overflow="fold")
        for name in table.table.options:
            grid.add_column(escape(name), overflow="fold")
        for criterion in table.criteria:
            row = [escape(criterion.name), escape(weight_text(criterion))]
            for option, cell in zip(table.options, criterion.cells, strict=True):
                text = escape(cell_text(cell, table.table) + (" *" if cell.overridden else ""))
                if _fails_gate(criterion, option):
                    text = f"[red]{text} ✗ gate[/red]"
                row.append(text)
            grid.add_row(*row)
        grid.add_section()
        grid.add_row("Weighted total", "", *[f"{_fmt(o.score)} / {_fmt(o.max_score)}"
                                             for o in table.options])
        grid.add_row("Percent", "", *[_pct(o.percent) for o in table.options])
        grid.add_row("Rank", "", *[_rank_markup(o, table) for o in table.options])
        console.print(grid)
        for line in verdict_lines(table):
            console.print(escape(line), soft_wrap=True)


def _rank_markup(option: OptionScore, table: TableScore) -> str:
    text = rank_text(option)
    if option.disqualified:
        return f"[red]{text}[/red]"
    if option.name == table.winner:
        return f"[bold green]{text}[/bold green]"
    return text


def render_json(score: RecordScore) -> str:
    """Stable JSON (schema 1): see RecordScore.to_json."""
    return json.dumps(score.to_json(), indent=2, ensure_ascii=False, sort_keys=True)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(score: RecordScore) -> str:
    """GitHub-flavoured Markdown to paste into a pull request."""
    out: list[str] = []
    for table in score.tables:
        options = table.table.options
        out.append(f"### {_md(_title(score, table))}")
        out.append("")
        out.append(_md(_subtitle(table)))
        out.append("")
        out.append("| Criterion | Weight | " + " | ".join(_md(o) for o in options) + " |")
        out.append("|---|---|" + "---|" * len(options))
        for criterion in table.criteria:
            cells = []
            for option, cell in zip(table.options, criterion.cells, strict=True):
                text = _md(cell_text(cell, table.table) + (" \\*" if cell.overridden else ""))
                cells.append(f"**{text} ✗ gate**" if _fails_gate(criterion, option) else text)
            out.append(f"| {_md(criterion.name)} | {_md(weight_text(criterion))} | "
                       + " | ".join(cells) + " |")

        def bold_winner(option: OptionScore, text: str, table: TableScore = table) -> str:
            return f"**{text}**" if option.name == table.winner else text

        out.append("| **Weighted total** | | " + " | ".join(
            bold_winner(o, f"{_fmt(o.score)} / {_fmt(o.max_score)}") for o in table.options)
            + " |")
        out.append("| **Percent** | | " + " | ".join(
            bold_winner(o, _pct(o.percent)) for o in table.options) + " |")
        out.append("| **Rank** | | " + " | ".join(
            bold_winner(o, rank_text(o)) for o in table.options) + " |")
        out.append("")
        out.extend(f"- {_md(line)}" for line in verdict_lines(table))
        out.append("")
    if score.diagnostics:
        out.append("Findings:")
        out.append("")
        out.extend(f"- `{d.code}` line {d.line}, column {d.column}: {_md(d.message)}"
                   for d in score.diagnostics)
        out.append("")
    return "\n".join(out)


def chart_bars(table: TableScore) -> list[dict[str, Any]]:
    """Bars for the site's chart, best first: one per option (percent 0..100)."""
    return [
        {
            "name": o.name,
            "percent": round(o.percent, 2),
            "score": round(o.score, 3),
            "max_score": round(o.max_score, 3),
            "rank": o.rank,
            "winner": o.name == table.winner,
            "disqualified": o.disqualified,
            "failed_gate": o.failed_gate,
        }
        for o in table.ranking()
    ]


# --- adr score --all ---------------------------------------------------------------------


def summary_line(summary: ScoreSummary) -> str:
    """One line: record, winner, margin, agreement with the recorded decision, drift."""
    if summary.winner is not None:
        winner = summary.winner
    elif summary.tied:
        winner = "tie: " + " = ".join(summary.tied)
    else:
        winner = "no winner"
    if summary.margin_percent is not None and summary.runner_up is not None:
        margin = f"+{summary.margin_percent:.1f} pp over {summary.runner_up}"
    elif summary.winner is not None:
        margin = "unopposed"
    else:
        margin = "-"
    if summary.recorded_decision is None:
        agrees = "no recorded decision"
    elif summary.agrees is None:
        agrees = f"recorded {summary.recorded_decision!r}: cannot compare"
    elif summary.agrees:
        agrees = "agrees"
    else:
        agrees = f"DISAGREES: recorded {summary.recorded_decision!r}"
    extra = []
    if summary.tables > 1:
        extra.append(f"{summary.tables} tables")
    if summary.drift:
        extra.append(f"{summary.drift} arithmetic drift")
    if summary.problems:
        extra.append(f"{summary.problems} unreadable")
    tail = f" ({', '.join(extra)})" if extra else ""
    return f"{summary.record}  {winner}  {margin}  {agrees}{tail}"


def render_summaries_text(summaries: list[ScoreSummary]) -> str:
    """Every scored record, one line each, then a count."""
    lines = [summary_line(s) for s in summaries]
    disagree = sum(s.agrees is False for s in summaries)
    lines.append(f"{len(summaries)} scored record{'s' if len(summaries) != 1 else ''}, "
                 f"{disagree} disagreeing with the recorded decision")
    return "\n".join(lines)


def render_summaries_json(summaries: list[ScoreSummary]) -> str:
    """Stable JSON (schema 1) for ``adr score --all --format json``."""
    payload = {"schema": 1, "records": [s.to_json() for s in summaries]}
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True)


def render_summaries_markdown(summaries: list[ScoreSummary]) -> str:
    """A Markdown table of every scored record."""
    out = ["| Record | Winner | Margin | Recorded decision | Agrees | Drift |",
           "|---|---|---|---|---|---|"]
    for s in summaries:
        winner = s.winner or ("tie: " + " = ".join(s.tied) if s.tied else "-")
        margin = (f"+{s.margin_percent:.1f} pp over {s.runner_up}"
                  if s.margin_percent is not None else "-")
        agrees = {True: "yes", False: "**no**", None: "-"}[s.agrees]
        out.append(f"| {_md(s.record)} | {_md(winner)} | {_md(margin)} | "
                   f"{_md(s.recorded_decision or '-')} | {agrees} | {s.drift} |")
    return "\n".join(out) + "\n"
