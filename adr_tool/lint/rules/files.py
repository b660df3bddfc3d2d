"""1xx: problems met while reading and parsing files, reported by the parse stage.

These entries put parse diagnostics (``repo.diagnostics``) into the rule catalogue so they
can be explained, selected, re-graded and suppressed like every other finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from adr_tool.diagnostics import Severity
from adr_tool.lint.rule import Finding, Origin, Rule, Scope, make_rule

if TYPE_CHECKING:
    from adr_tool.lint.context import LintContext


def _from_parse(ctx: LintContext, code: str) -> Iterator[Finding]:
    for diag in ctx.parse_diagnostics(code):
        yield Finding(diag.line, diag.column, diag.message, diag.hint, path=diag.path,
                      end_line=diag.end_line, end_column=diag.end_column, severity=diag.severity)


def check_unreadable(ctx: LintContext) -> Iterator[Finding]:
    """The file could not be read (permissions, a vanished file).

    The record is left out of every other check.

    Failing: a record file without read permission. Passing: a readable file.
    """
    return _from_parse(ctx, "ADR101")


def check_binary(ctx: LintContext) -> Iterator[Finding]:
    """The file holds NUL bytes, so it is binary, not a Markdown record.

    Failing: a ``.md`` file that is really an image or a zip archive.
    Passing: any UTF-8 text file.
    """
    return _from_parse(ctx, "ADR102")


def check_encoding(ctx: LintContext) -> Iterator[Finding]:
    """The file is not valid UTF-8 (or is UTF-16); it was read with replacements.

    Failing: a record saved as Latin-1 with ``café``. Passing: the same text saved as UTF-8.
    """
    return _from_parse(ctx, "ADR103")


def check_too_large(ctx: LintContext) -> Iterator[Finding]:
    """The file is larger than the 8 MB limit and was not parsed.

    Limits keep ``adr lint`` fast and bounded on any input.

    Failing: a 9 MB record with an embedded data dump. Passing: the record with the data
    moved to a linked file.
    """
    return _from_parse(ctx, "ADR104")


def check_yaml_invalid(ctx: LintContext) -> Iterator[Finding]:
    """The YAML frontmatter does not parse; the error is shown at its own line in the file.

    Failing::

        ---
        tags: [api, [v2]
        ---

    Passing: ``tags: [api, v2]``. Values holding ``: `` or brackets need quotes.
    """
    return _from_parse(ctx, "ADR110")


def check_duplicate_key(ctx: LintContext) -> Iterator[Finding]:
    """A frontmatter key appears twice; the last value silently wins.

    Failing: ``status: proposed`` and later ``status: accepted`` in one block.
    Passing: each key once.
    """
    return _from_parse(ctx, "ADR111")


def check_frontmatter_too_large(ctx: LintContext) -> Iterator[Finding]:
    """The frontmatter block is over the size limit and was not loaded.

    Frontmatter holds metadata; long text belongs in the body.

    Failing: half a megabyte of YAML before the closing ``---``.
    Passing: a dozen metadata keys.
    """
    return _from_parse(ctx, "ADR112")


def check_yaml_bomb(ctx: LintContext) -> Iterator[Finding]:
    """The frontmatter expands to too many YAML nodes or nests too deeply (alias bomb).

    Failing: YAML anchors that reference each other to blow up in size.
    Passing: ordinary lists and mappings.
    """
    return _from_parse(ctx, "ADR113")


def check_not_mapping(ctx: LintContext) -> Iterator[Finding]:
    """The frontmatter is YAML but not a ``key: value`` mapping (a list or a bare string).

    Failing: a block holding ``- one`` / ``- two``. Passing: ``id: DR-001``.
    """
    return _from_parse(ctx, "ADR114")


def check_yaml_tag(ctx: LintContext) -> Iterator[Finding]:
    """The frontmatter uses a YAML tag that safe loading refuses (``!!python/object``).

    Only plain YAML is read, so a record can never run code.

    Failing: ``id: !!python/object:os.system x``. Passing: ``id: DR-001``.
    """
    return _from_parse(ctx, "ADR115")


E, W = Severity.ERROR, Severity.WARNING


def _rule(code: str, slug: str, severity: Severity, check: Callable[..., Iterable[Finding]]) -> Rule:
    return make_rule(code, slug, severity, Scope.REPOSITORY, check, origin=Origin.PARSE)


RULES: tuple[Rule, ...] = (
    _rule("ADR101", "file-unreadable", E, check_unreadable),
    _rule("ADR102", "file-binary", E, check_binary),
    _rule("ADR103", "encoding-invalid", E, check_encoding),
    _rule("ADR104", "file-too-large", E, check_too_large),
    _rule("ADR110", "yaml-invalid", E, check_yaml_invalid),
    _rule("ADR111", "duplicate-key", W, check_duplicate_key),
    _rule("ADR112", "frontmatter-too-large", E, check_frontmatter_too_large),
    _rule("ADR113", "yaml-bomb", E, check_yaml_bomb),
    _rule("ADR114", "frontmatter-not-mapping", E, check_not_mapping),
    _rule("ADR115", "unsupported-yaml-tag", E, check_yaml_tag),
)
