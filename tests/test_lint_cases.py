"""Every rule against its fixture cases (tests/lint_cases/*.txt), plus the meta checks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from lint_case_reader import Case, read_cases
import pytest

CASES_DIR = Path(__file__).parent / "lint_cases"
ALL_CASES = [case for path in sorted(CASES_DIR.glob("*.txt")) for case in read_cases(path)]

PYTHON_COVERED = {
    # rules whose inputs cannot live in a text fixture; the named tests drive them
    "ADR101": "test_lint_files.py::test_unreadable_file_is_reported",
    "ADR104": "test_lint_files.py::test_too_large_file_is_reported",
    "ADR112": "test_lint_files.py::test_huge_frontmatter_is_reported",
    "ADR601": "test_lint_diff.py::test_id_taken_on_base",
    "ADR602": "test_lint_diff.py::test_accepted_record_edited",
}
DELEGATED = {"graph": "adr_tool.graph", "scoring": "adr_tool.scoring"}


def run_case(case: Case, root: Path) -> list[tuple[str, int, int, str]]:
    from adr_tool.config import load_config
    from adr_tool.lint import run_lint
    from adr_tool.repository import load_repository

    for name, data in case.files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    config = load_config(root)
    repo = load_repository(root / config.dir, config=config)
    result = run_lint(repo, select=case.codes)
    return [(d.path, d.line, d.column, d.code) for d in result.diagnostics]


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_case(case: Case, project) -> None:
    from adr_tool.lint.registry import get_rule

    for code in case.codes:
        rule = get_rule(code)
        assert rule is not None, f"{case.id}: unknown code {code}"
        module = DELEGATED.get(rule.origin.value)
        if module and importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not on this branch yet")
    root = project({})
    got = run_case(case, root)
    unmatched = list(got)
    for want in case.expected:
        hit = next((g for g in unmatched if want.matches(*g)), None)
        assert hit is not None or want.optional, f"{case.id}: expected {want} in {got}"
        if hit is not None:
            unmatched.remove(hit)
    assert not unmatched, f"{case.id}: unexpected findings {unmatched}"
    if case.expected and all(e.optional for e in case.expected):
        assert got, f"{case.id}: expected at least one of {case.expected}"


def test_every_rule_has_failing_and_passing_cases() -> None:
    from adr_tool.lint.registry import RULES

    missing = []
    for rule in RULES:
        if rule.code in PYTHON_COVERED:
            continue
        mine = [c for c in ALL_CASES if rule.code in c.codes]
        if not any(any(e.code == rule.code for e in c.expected) for c in mine):
            missing.append(f"{rule.code}: no failing case")
        if not any(all(e.code != rule.code for e in c.expected) for c in mine):
            missing.append(f"{rule.code}: no passing case")
    assert not missing, missing


def test_python_covered_rules_have_their_tests() -> None:
    here = Path(__file__).parent
    for code, ref in PYTHON_COVERED.items():
        module, name = ref.split("::")
        assert f"def {name}(" in (here / module).read_text(encoding="utf-8"), (code, ref)
