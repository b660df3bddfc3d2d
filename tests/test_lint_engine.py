"""The engine: rule selection, config, inline suppression, baseline, ordering; the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

GOOD = """---
id: {id}
title: {title}
status: accepted
date: 2024-01-01
---
# {id}: {title}

## Context

Why.

## Decision

What.

## Consequences

So.
"""


def lint(root: Path, **kwargs):
    from adr_tool.config import load_config
    from adr_tool.lint import run_lint
    from adr_tool.repository import load_repository

    config = load_config(root)
    return run_lint(load_repository(root / config.dir, config=config), **kwargs)


def codes(result) -> list[tuple[str, str, int]]:
    return [(Path(d.path).name, d.code, d.line) for d in result.diagnostics]


def test_a_clean_folder_has_no_findings(project) -> None:
    root = project({"decisions/DR-001-a.md": GOOD.format(id="DR-001", title="A"),
                    "decisions/DR-002-b.md": GOOD.format(id="DR-002", title="B")})
    result = lint(root)
    assert result.diagnostics == []
    assert result.summary == {"errors": 0, "warnings": 0, "info": 0, "files": 2, "records": 2,
                              "suppressed": 0, "baselined": 0}
    assert not result.failed(strict=True)


BROKEN = GOOD.format(id="DR-003", title="C").replace("status: accepted", "status: maybe").replace(
    "date: 2024-01-01", "date: 2024-01-01\nreview_date: 2020-01-01")


def test_findings_are_stamped_and_sorted(project) -> None:
    root = project({"decisions/DR-003-c.md": BROKEN,
                    "decisions/DR-001-a.md": GOOD.format(id="DR-001", title="A").replace(
                        "## Consequences\n\nSo.\n", "")})
    result = lint(root)
    assert codes(result) == [("DR-001-a.md", "ADR501", 7), ("DR-003-c.md", "ADR205", 4),
                             ("DR-003-c.md", "ADR211", 6)]
    first = result.diagnostics[1]
    assert (first.severity.value, first.rule, first.path) == ("error", "status-unknown",
                                                              "decisions/DR-003-c.md")
    assert result.failed() and result.summary["errors"] == 1 and result.summary["warnings"] == 2


def test_select_and_ignore_take_codes_slugs_and_prefixes(project) -> None:
    root = project({"decisions/DR-003-c.md": BROKEN})
    assert [c for _, c, _ in codes(lint(root, select=["status-unknown"]))] == ["ADR205"]
    assert [c for _, c, _ in codes(lint(root, select=["ADR2"]))] == ["ADR205", "ADR211"]
    assert [c for _, c, _ in codes(lint(root, ignore=["ADR205,review-date-passed"]))] == []
    from adr_tool.errors import AdrError

    with pytest.raises(AdrError, match="unknown rule 'ADR999'"):
        lint(root, select=["ADR999"])


def test_config_severity_disable_and_enable(project) -> None:
    root = project({
        "decisions/DR-003-c.md": BROKEN,
        ".adr.toml": '[lint]\ndisable = ["status-unknown"]\n'
                     '[lint.severity]\nADR211 = "error"\n',
    })
    result = lint(root)
    assert [(d.code, d.severity.value) for d in result.diagnostics] == [("ADR211", "error")]
    (root / ".adr.toml").write_text('[lint.severity]\nreview-date-passed = "off"\n')
    assert [d.code for d in lint(root).diagnostics] == ["ADR205"]
    (root / ".adr.toml").write_text('[lint.severity]\nADR205 = "fatal"\n')
    from adr_tool.errors import ConfigError

    with pytest.raises(ConfigError, match="use error, warning, info or off"):
        lint(root)


def test_inline_comments_silence_findings(project) -> None:
    text = BROKEN.replace("## Context", "<!-- adr-lint disable-file ADR211 -->\n\n## Context")
    root = project({"decisions/DR-003-c.md": text})
    result = lint(root)
    assert [d.code for d in result.diagnostics] == ["ADR205"]
    assert result.summary["suppressed"] == 1


def test_disable_enable_ranges_and_next_line(project) -> None:
    body = ("---\nid: DR-001\ntitle: A\nstatus: accepted\ndate: 2024-01-01\n---\n# DR-001: A\n\n"
            "## Context\n\n"
            "<!-- adr-lint disable-next-line link-file-missing -->\n"
            "![one](missing-1.png)\n"          # line 12: silenced
            "![two](missing-2.png)\n"          # line 13: reported
            "<!-- adr-lint disable ADR308 -->\n"
            "![three](missing-3.png)\n"        # line 15: silenced
            "<!-- adr-lint enable ADR308 -->\n"
            "![four](missing-4.png)\n"         # line 17: reported
            "```\n<!-- adr-lint disable -->\n```\n"
            "![five](missing-5.png)\n"         # line 21: a comment in code does not count
            "\n## Decision\n\nX.\n\n## Consequences\n\nY.\n")
    root = project({"decisions/DR-001-a.md": body})
    result = lint(root)
    assert [(d.code, d.line) for d in result.diagnostics] == [
        ("ADR308", 13), ("ADR308", 17), ("ADR308", 21)]
    assert result.summary["suppressed"] == 2


def test_baseline_survives_edits_and_counts_duplicates(project) -> None:
    from adr_tool.lint.baseline import load_baseline, render_baseline

    text = GOOD.format(id="DR-001", title="A").replace(
        "## Context\n\nWhy.", "## Context\n\n![a](gone.png) ![b](gone.png)")
    root = project({"decisions/DR-001-a.md": text})
    first = lint(root)
    assert [d.code for d in first.diagnostics] == ["ADR308", "ADR308"]
    baseline = root / "adr-baseline.json"
    baseline.write_text(render_baseline(first.diagnostics, root))
    # lines move (text added above), the findings stay accepted
    moved = text.replace("## Context\n", "## Context\n\nA new paragraph.\n\nAnother one.\n")
    (root / "decisions/DR-001-a.md").write_text(moved)
    again = lint(root, baseline=baseline)
    assert again.diagnostics == [] and again.summary["baselined"] == 2
    # a third identical finding is new
    (root / "decisions/DR-001-a.md").write_text(moved.replace("![b](gone.png)",
                                                              "![b](gone.png) ![c](gone.png)"))
    third = lint(root, baseline=load_baseline(baseline))
    assert [(d.code, d.line) for d in third.diagnostics] == [("ADR308", 15)]


def test_bad_baseline_is_a_clear_error(project) -> None:
    from adr_tool.errors import AdrError

    root = project({"decisions/DR-001-a.md": GOOD.format(id="DR-001", title="A"),
                    "bad.json": "{\"schema\": 7}"})
    with pytest.raises(AdrError, match="not an adr lint baseline"):
        lint(root, baseline=root / "bad.json")
    with pytest.raises(AdrError, match="baseline file not found"):
        lint(root, baseline=root / "nope.json")


def test_registry_codes_slugs_and_docs() -> None:
    from adr_tool.lint.registry import BY_CODE, RULES, get_rule, match_rules
    from adr_tool.lint.rule import CODE_PATTERN, SLUG_PATTERN

    assert len({r.code for r in RULES}) == len(RULES) == len({r.slug for r in RULES})
    assert [r.code for r in RULES] == sorted(r.code for r in RULES)
    for rule in RULES:
        assert CODE_PATTERN.match(rule.code) and SLUG_PATTERN.match(rule.slug)
        assert rule.doc.split("\n", 1)[0] == rule.summary
        assert rule.summary.endswith(".") and len(rule.summary) <= 100, rule.code
        assert get_rule(rule.slug) is rule and get_rule(rule.code.lower()) is rule
        assert rule.explain().startswith(f"{rule.code} {rule.slug} (")
    brief = {"ADR201", "ADR202", "ADR203", "ADR204", "ADR205", "ADR206", "ADR207", "ADR208",
             "ADR209", "ADR210", "ADR211", "ADR212", "ADR301", "ADR302", "ADR303", "ADR304",
             "ADR305", "ADR306", "ADR307", "ADR308", "ADR309", "ADR310", "ADR401", "ADR402",
             "ADR403", "ADR404", "ADR405", "ADR406", "ADR501", "ADR502", "ADR503", "ADR601",
             "ADR602", "ADR110", "ADR111"}
    assert brief <= set(BY_CODE)
    assert {r.code for r in match_rules("ADR3")} == {f"ADR3{n:02d}" for n in range(1, 11)}


def test_rule_docs_show_a_failing_and_a_passing_example() -> None:
    from adr_tool.lint.registry import RULES

    for rule in RULES:
        assert "Failing" in rule.doc and "Passing" in rule.doc, rule.code


def test_delegated_rules_are_quiet_without_their_modules(project) -> None:
    import importlib.util

    if importlib.util.find_spec("adr_tool.graph") is not None:
        pytest.skip("the graph module exists on this branch")
    text = GOOD.format(id="DR-001", title="A").replace("date:", "requires: [DR-099]\ndate:")
    root = project({"decisions/DR-001-a.md": text})
    assert lint(root, select=["ADR3"]).diagnostics == []
