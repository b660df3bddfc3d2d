"""The rule catalogue: every family's rules in a fixed order, unique codes and slugs.

The list is explicit (no decorators, no entry points) so a reader sees every rule here.
"""

from __future__ import annotations

from adr_tool.lint.rule import Rule
from adr_tool.lint.rules import body, criteria, files, links, metadata, pr

RULES: tuple[Rule, ...] = (
    *files.RULES,
    *metadata.RULES,
    *links.RULES,
    *criteria.RULES,
    *body.RULES,
    *pr.RULES,
)
"""Every rule, ordered by code."""


def _check_unique(rules: tuple[Rule, ...]) -> None:
    codes = [r.code for r in rules]
    slugs = [r.slug for r in rules]
    if len(set(codes)) != len(codes):
        raise AssertionError(f"duplicate rule codes: {sorted({c for c in codes if codes.count(c) > 1})}")
    if len(set(slugs)) != len(slugs):
        raise AssertionError(f"duplicate rule slugs: {sorted({s for s in slugs if slugs.count(s) > 1})}")
    if codes != sorted(codes):
        raise AssertionError("RULES must be ordered by code")


_check_unique(RULES)

BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
BY_SLUG: dict[str, Rule] = {r.slug: r for r in RULES}


def get_rule(name: str) -> Rule | None:
    """Find a rule by code (``ADR203``, case-insensitive) or slug (``status-missing``)."""
    key = name.strip()
    return BY_CODE.get(key.upper()) or BY_SLUG.get(key.casefold())


def match_rules(name: str) -> list[Rule]:
    """Rules named by a code, a slug or a code prefix (``ADR2`` = every 2xx rule)."""
    found = get_rule(name)
    if found is not None:
        return [found]
    key = name.strip().upper()
    if key.startswith("ADR") and key[3:].isdigit() and len(key) < 6:
        return [r for r in RULES if r.code.startswith(key)]
    return []
