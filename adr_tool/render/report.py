"""Render a lint result: text, JSON, GitHub annotations, SARIF 2.1.0, a PR comment.

Every renderer returns a string; the CLI decides where it goes. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterable
import hashlib
import importlib
import importlib.util
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from adr_tool.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from adr_tool.lint.engine import LintResult
    from adr_tool.lint.rule import Rule
    from adr_tool.models import Record
    from adr_tool.repository import Repository

FORMATS = ("text", "json", "github", "sarif", "pr-comment")

_COLOURS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def summary_line(result: LintResult) -> str:
    """``Found 2 errors and 1 warning in 1 file (12 files checked).`` or the all-clear."""
    s = result.summary
    files_with = len({d.path for d in result.diagnostics})
    extra = []
    if s["suppressed"]:
        extra.append(f"{s['suppressed']} suppressed inline")
    if s["baselined"]:
        extra.append(f"{s['baselined']} in baseline")
    tail = f"; {', '.join(extra)}" if extra else ""
    if not result.diagnostics:
        return f"No problems found in {_plural(s['files'], 'file')}{tail}."
    parts = [_plural(s["errors"], "error"), _plural(s["warnings"], "warning")]
    if s["info"]:
        parts.append(_plural(s["info"], "note"))
    return (f"Found {', '.join(parts)} in {_plural(files_with, 'file')} "
            f"({_plural(s['files'], 'file')} checked{tail}).")


def render_text(result: LintResult, *, color: bool = False) -> str:
    """``path:line:col: CODE severity message`` + hint, grouped per file, then a summary."""
    out: list[str] = []
    current: str | None = None
    for diag in result.diagnostics:
        if current is not None and diag.path != current:
            out.append("")
        current = diag.path
        severity = diag.severity.value
        location = diag.location()
        if color:
            severity = f"{_COLOURS[diag.severity]}{severity}{_RESET}"
            location = f"{_BOLD}{location}{_RESET}"
        out.append(f"{location}: {diag.code} {severity} {diag.message}")
        if diag.hint:
            hint = f"    hint: {diag.hint}"
            out.append(f"{_DIM}{hint}{_RESET}" if color else hint)
    if out:
        out.append("")
    out.append(summary_line(result))
    return "\n".join(out) + "\n"


def render_json(result: LintResult) -> str:
    """The stable JSON report (schema 1), keys sorted."""
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render_github(result: LintResult) -> str:
    """GitHub Actions workflow commands, so findings show as annotations on the PR."""
    lines = []
    for diag in result.diagnostics:
        props = [f"file={_escape_property(diag.path)}", f"line={diag.line}", f"col={diag.column}"]
        if diag.end_line is not None:
            props.append(f"endLine={diag.end_line}")
        props.append(f"title={_escape_property(diag.code)}")
        message = diag.message + (f"\n{diag.hint}" if diag.hint else "")
        lines.append(f"::{_GITHUB_LEVEL[diag.severity]} {','.join(props)}::{_escape_data(message)}")
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> str:
    return quote(path.replace("\\", "/").removeprefix("./"), safe="/._-~")


def _fingerprint(diag: Diagnostic) -> str:
    key = f"{diag.code}\0{diag.path}\0{diag.message}".encode()
    return hashlib.sha256(key).hexdigest()[:32]


def sarif_rule(rule: Rule) -> dict[str, Any]:
    """A SARIF ``reportingDescriptor`` for one rule (id, name, descriptions, help)."""
    return {
        "id": rule.code,
        "name": rule.slug,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc},
        "help": {"text": rule.doc, "markdown": f"**{rule.code} {rule.slug}**\n\n{rule.doc}"},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        "properties": {"tags": [rule.origin.value], "scope": rule.scope.value},
    }


def render_sarif(result: LintResult, *, version: str = "") -> str:
    """SARIF 2.1.0 for code scanning: rules with help, results with regions."""
    rules = sorted(result.rules, key=lambda r: r.code)
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    for diag in result.diagnostics:
        region: dict[str, int] = {"startLine": diag.line, "startColumn": diag.column}
        if diag.end_line is not None:
            region["endLine"] = diag.end_line
            if diag.end_column is not None:
                region["endColumn"] = diag.end_column
        item: dict[str, Any] = {
            "ruleId": diag.code,
            "level": _SARIF_LEVEL[diag.severity],
            "message": {"text": diag.message + (f"\n{diag.hint}" if diag.hint else "")},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(diag.path), "uriBaseId": "%SRCROOT%"},
                "region": region,
            }}],
            "partialFingerprints": {"adrLintFinding/v1": _fingerprint(diag)},
        }
        if diag.code in index:
            item["ruleIndex"] = index[diag.code]
        results.append(item)
    driver: dict[str, Any] = {
        "name": "adr",
        "rules": [sarif_rule(r) for r in rules],
    }
    if version:
        driver["semanticVersion"] = version
        driver["version"] = version
    payload = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results,
                  "columnKind": "unicodeCodePoints"}],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _cell(text: object) -> str:
    return str(text if text is not None else "—").replace("|", "\\|").replace("\n", " ") or "—"


def _winner(record: Record, repo: Repository) -> str | None:
    if not record.tables or importlib.util.find_spec("adr_tool.scoring") is None:
        return None
    try:
        scored = importlib.import_module("adr_tool.scoring").score_record(record, repo.config)
    except Exception:  # noqa: BLE001 - optional column: a scoring bug must not sink the comment
        return None
    for table in getattr(scored, "tables", []) or []:
        winner = getattr(table, "winner", None)
        if winner:
            return str(winner)
    return None


def _governing(repo: Repository, files: list[str], built: Any = None) -> list[tuple[str, list[str]]]:
    """(changed file, governing record labels) from the graph's ``which`` lookup.

    *built* is the graph the lint run already built, if any (building it again costs about
    0.1 ms per record). The graph module is optional: without it (or without a
    ``which_matches`` / ``which`` lookup) the section is left out rather than guessed.
    """
    if not files or importlib.util.find_spec("adr_tool.graph") is None:
        return []
    module = importlib.import_module("adr_tool.graph")
    try:
        graph = built if built is not None else module.build_graph(repo)
        lookup = getattr(graph, "which_matches", None)
        if lookup is not None:
            matches = list(lookup(files))
        elif getattr(graph, "which", None) is not None:
            matches = [(r, [(f, "")]) for f in files for r in graph.which([f])]
        else:
            return []
    except Exception:  # noqa: BLE001 - optional lookup: skip it rather than fail the comment
        return []
    by_file: dict[str, list[str]] = {}
    for record, hits in matches:
        label = f"{record.id} {record.title} ({record.status or 'no status'})"
        for path, _pattern in hits:
            labels = by_file.setdefault(str(path), [])
            if label not in labels:
                labels.append(label)
    return sorted(by_file.items())


def render_pr_comment(result: LintResult, *, limit: int = 50) -> str:
    """One Markdown comment: records added/changed, findings, governing decisions."""
    s = result.summary
    mark = "❌" if s["errors"] else ("⚠️" if s["warnings"] else "✅")
    title = (f"### {mark} adr lint: {_plural(s['errors'], 'error')}, "
             f"{_plural(s['warnings'], 'warning')}")
    lines = ["<!-- adr-lint:pr-comment -->", title, ""]
    diff, repo = result.diff, result.repo
    if diff is not None and repo is not None:
        changed = [r for r in result.records if diff.is_changed(r.path)]
        lines.append(f"**Decision records changed since `{diff.ref}`**")
        lines.append("")
        if changed:
            lines += ["| | Id | Title | Status | Criteria winner |", "|---|---|---|---|---|"]
            for record in sorted(changed, key=lambda r: r.path):
                kind = "added" if diff.is_added(record.path) else "changed"
                lines.append(f"| {kind} | {_cell(record.id)} | {_cell(record.title)} | "
                             f"{_cell(record.status or record.status_raw)} | "
                             f"{_cell(_winner(record, repo))} |")
        else:
            lines.append("No decision records were added or changed.")
        lines.append("")
    lines += ["**Findings**", ""]
    if result.diagnostics:
        lines += ["| Severity | Code | Where | Message |", "|---|---|---|---|"]
        for diag in result.diagnostics[:limit]:
            lines.append(f"| {diag.severity.value} | {diag.code} | `{_cell(diag.location())}` | "
                         f"{_cell(diag.message)} |")
        if len(result.diagnostics) > limit:
            lines.append(f"\n…and {len(result.diagnostics) - limit} more (run `adr lint` locally).")
    else:
        lines.append("No problems found.")
    if diff is not None and repo is not None:
        governing = _governing(repo, diff.changed_files, result.graph)
        if governing:
            lines += ["", "**Decisions governing the files this pull request changes**", ""]
            for path, labels in governing:
                lines.append(f"- `{path}`: " + "; ".join(labels))
    lines += ["", summary_line(result)]
    return "\n".join(lines) + "\n"


def render_report(result: LintResult, fmt: str, *, color: bool = False, version: str = "") -> str:
    """Dispatch on ``--format``."""
    if fmt == "json":
        return render_json(result)
    if fmt == "github":
        return render_github(result)
    if fmt == "sarif":
        return render_sarif(result, version=version)
    if fmt == "pr-comment":
        return render_pr_comment(result)
    return render_text(result, color=color)


def render_rules(rules: Iterable[Rule], fmt: str = "text") -> str:
    """The catalogue for ``adr rules``: code, slug, severity, scope, summary."""
    rules = list(rules)
    if fmt == "markdown":
        rows = ["| Code | Name | Severity | What it reports |", "|---|---|---|---|"]
        rows += [f"| {r.code} | `{r.slug}` | {r.severity.value} | {_cell(r.summary)} |"
                 for r in rules]
        return "\n".join(rows) + "\n"
    if fmt == "json":
        return json.dumps({"schema": 1, "rules": [r.to_json() for r in rules]}, indent=2,
                          ensure_ascii=False, sort_keys=True) + "\n"
    width = max((len(r.slug) for r in rules), default=10)
    lines = [f"{r.code}  {r.slug:<{width}}  {r.severity.value:<7}  {r.summary}" for r in rules]
    return "\n".join(lines) + "\n"
