"""5xx: body rules: required sections present, not empty, not still template text.

Which sections are required depends on the record's format (its template):
``[tool.adr.lint] required_sections``. Placeholder text is recognised by comparing lines
with the sentences of the record templates (shipped ones and the project's own
``templates/record/*.md.j2``) and by ``{placeholder}``-style text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
import functools
from pathlib import Path
import re
from typing import TYPE_CHECKING

from adr_tool.diagnostics import Severity
from adr_tool.lint.rule import Finding, Rule, Scope, make_rule
from adr_tool.models import Record, RecordFormat
from adr_tool.parse.normalize import strip_markup

if TYPE_CHECKING:
    from adr_tool.lint.context import LintContext

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*[.)]?|[ivx]+\.)\s+", re.IGNORECASE)
_TAIL = re.compile(r"\s+[—–-]\s+.*$|\s*\(.*\)\s*$|\s*:.*$")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
_SPACES = re.compile(r"\s+")
_BRACED = re.compile(r"(?<![{\w$%#])\{[A-Za-z][\w ,.'’/()…-]*\s[\w ,.'’/()…-]*[\w.)…]\}(?!\})")
_INLINE_CODE = re.compile(r"`+[^`\n]*`+")


@functools.lru_cache(maxsize=4096)
def heading_keys(heading: str) -> tuple[str, str]:
    """A heading's comparable forms: the whole cleaned text and its head before `` — ``."""
    text = strip_markup(_COMMENT.sub("", heading)).strip().rstrip(":").strip()
    text = _NUMBERING.sub("", text)
    key = _SPACES.sub(" ", text).casefold()
    head = _TAIL.sub("", key).strip()
    return key, head or key


def _find_section(record: Record, name: str, ctx: LintContext) -> int | None:
    wanted = name.casefold()
    accepted = ctx.once(f"aliases:{wanted}", lambda: frozenset(
        {wanted, *ctx.settings.section_aliases.get(wanted, ())}))
    keys = ctx.memo("heading-keys", record,
                    lambda: [heading_keys(s.heading) for s in record.sections])
    for index, (key, head) in enumerate(keys):
        if key in accepted or head in accepted:
            return index
    return None


def _required_sections(record: Record, ctx: LintContext) -> dict[str, int | None]:
    """Where each required section is (index or None), found once per record.

    ADR501 and ADR502 both look every required section up.
    """
    return ctx.memo("required-sections", record, lambda: {
        name: _find_section(record, name, ctx) for name in ctx.sections_for(record)})


def _anchor_line(record: Record) -> int:
    for section in record.sections:
        if section.level == 1:
            return section.line
    return record.body_line


def check_section_missing(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """A section the record's template requires is missing.

    Defaults per format: DR frontmatter records need Context, Decision and Consequences;
    adr-tools/Nygard records also Status; MADR needs Context and Problem Statement,
    Considered Options and Decision Outcome. Close synonyms count (``## Proposal`` for
    Decision). Configure with ``[tool.adr.lint] required_sections``.

    Failing: a DR record with ``## Context`` and ``## Decision`` but no consequences.
    Passing: all three sections present.
    """
    required = ctx.sections_for(record)
    if not required or not ctx.is_decision(record):
        return
    # depends only on the file and the lint settings: kept per file, so a warm run does not
    # decode the record's sections at all (DR-022)
    yield from ctx.per_file("section-missing", record, "",
                            lambda: list(_section_missing(record, ctx, required)))


def _section_missing(record: Record, ctx: LintContext,
                     required: tuple[str, ...]) -> Iterator[Finding]:
    found = _required_sections(record, ctx)
    missing = [
        name for name in required
        if found[name] is None and not _stated_elsewhere(record, name, ctx)
    ]
    if missing:
        names = ", ".join(repr(n) for n in missing)
        noun = "section" if len(missing) == 1 else "sections"
        verb = "is" if len(missing) == 1 else "are"
        yield Finding(_anchor_line(record), 1, f"required {noun} {names} {verb} missing",
                      f"Add `## {missing[0]}` (required for {ctx.profile(record)} records; "
                      "see [tool.adr.lint] required_sections).")


def _stated_elsewhere(record: Record, name: str, ctx: LintContext) -> bool:
    """A ``Status`` section is not needed when the status is stated another way.

    A record without any status is reported once, by ADR203, not twice.
    """
    if name.casefold() != "status":
        return False
    return record.status_raw is not None or "status" in ctx.fields_for(record)


def _is_empty(record: Record, index: int) -> bool:
    section = record.sections[index]
    if _COMMENT.sub("", section.text).strip():
        return False
    following = record.sections[index + 1] if index + 1 < len(record.sections) else None
    return not (following is not None and following.level > section.level)


def check_section_empty(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """A required section is present but empty (subsections count as content).

    Failing: ``## Consequences`` directly followed by the next ``##`` heading.
    Passing: a sentence under it, or ``### Positive`` / ``### Negative`` subsections.
    """
    if not ctx.is_decision(record) or not ctx.sections_for(record):
        return
    yield from ctx.per_file("section-empty", record, "",
                            lambda: list(_section_empty(record, ctx)))


def _section_empty(record: Record, ctx: LintContext) -> Iterator[Finding]:
    found = _required_sections(record, ctx)
    for name in ctx.sections_for(record):
        index = found[name]
        if index is not None and _is_empty(record, index):
            section = record.sections[index]
            yield Finding(section.line, 1, f"section {section.heading.strip()!r} is empty",
                          "Write the section, or remove it if your template allows.")


def _normalise_line(line: str) -> str:
    line = _LIST_MARK.sub("", line)
    # split/join collapses whitespace like ``\s+`` -> " " plus strip(), at a fraction of the cost
    return " ".join(strip_markup(line).split()).strip("\"'“”").casefold()


def template_sentences(folders: tuple[Path, ...]) -> frozenset[str]:
    """Placeholder lines of every record template found in *folders* (normalised)."""
    return _template_sentences(tuple(str(f) for f in folders))


@functools.cache
def _template_sentences(folders: tuple[str, ...]) -> frozenset[str]:
    out: set[str] = set()
    for folder in folders:
        record_dir = Path(folder) / "record"
        if not record_dir.is_dir():
            continue
        for path in sorted(record_dir.glob("*.md.j2")):
            if path.name == "first.md.j2":  # a real first record, not a placeholder template
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            out.update(_sentences_of(text))
    return frozenset(out)


def _sentences_of(text: str) -> set[str]:
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() == "---":
                lines = lines[index + 1 :]
                break
    found: set[str] = set()
    for raw in lines:
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", "|", "{", "<")) or "{{" in stripped:
            continue
        norm = _normalise_line(stripped)
        if len(norm.split()) >= 3:
            found.add(norm)
    return found


def _placeholders(ctx: LintContext) -> frozenset[str]:
    def compute() -> frozenset[str]:
        from adr_tool.templates_loader import template_dirs

        folders = tuple(template_dirs(ctx.repo.config.root))
        extra = frozenset(_normalise_line(p) for p in ctx.settings.placeholders)
        return template_sentences(folders) | extra

    return ctx.once("placeholders", compute)


_NO_TEMPLATE = (RecordFormat.GSD, RecordFormat.PLAIN)


def check_placeholder_text(record: Record, ctx: LintContext) -> Iterator[Finding]:
    """The record still holds template placeholder text.

    A line equal to a sentence of a record template (``What is the change that we are
    proposing and/or doing?``) or ``{placeholder}`` text (``{short title of solved
    problem}``) means the template was not filled in. Code blocks and inline code are
    ignored; add project-specific sentences in ``[tool.adr.lint] placeholders``.

    Failing: ``## Decision`` followed by the template's question.
    Passing: the decision written in your own words.
    """
    if record.format in _NO_TEMPLATE or not ctx.is_decision(record):
        return
    # the scan depends only on the file and the placeholder sentences: kept per file
    token = ctx.once("placeholder-token", lambda: _digest(_placeholders(ctx)))
    yield from ctx.per_file("placeholder", record, token,
                            lambda: list(_placeholder_findings(record, ctx)))


def _digest(sentences: frozenset[str]) -> str:
    import hashlib

    return hashlib.sha256("\0".join(sorted(sentences)).encode("utf-8", "surrogatepass")).hexdigest()


def _placeholder_findings(record: Record, ctx: LintContext) -> Iterator[Finding]:
    sentences = _placeholders(ctx)
    prefixes = ctx.once("placeholder-prefixes",
                        lambda: frozenset(_quick_key(p) for p in sentences))
    lines = record.body.split("\n")
    for section in record.sections:
        match = _BRACED.search(section.heading) if "{" in section.heading else None
        if match:
            yield Finding(section.line, 1, f"heading holds placeholder text {match[0]!r}",
                          "Replace the placeholder with the real title.")
        first = section.line + 1 - record.body_line
        last = section.end_line + 1 - record.body_line
        yield from _scan_lines(lines[max(first, 0) : max(last, 0)], section.line + 1, sentences,
                               prefixes)


_QUICK_STRIP = "-*+>0123456789.)[] xX_`\"'“"


def _quick_key(line: str) -> str:
    return line.lstrip(_QUICK_STRIP).casefold()[:4]


def _scan_lines(chunk: list[str], first_line: int, sentences: frozenset[str],
                prefixes: frozenset[str]) -> Iterator[Finding]:
    """Report template sentences and ``{placeholders}`` outside code blocks and comments.

    Runs over every body line, so the common line (prose, no ``{``, no template prefix)
    is dismissed with a few string operations; the regular expressions only see the rest.
    """
    fence: str | None = None
    in_comment = False
    for offset, raw in enumerate(chunk):
        stripped = raw.strip()
        if not stripped:
            continue  # a blank line changes no fence or comment state
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if in_comment:
            in_comment = "-->" not in stripped
            continue
        if stripped[0] in "`~<":
            if stripped.startswith(("```", "~~~")):
                fence = stripped[:3]
                continue
            if stripped.startswith("<!--") and "-->" not in stripped:
                in_comment = True
                continue
        if raw.startswith(("    ", "\t")):
            continue
        # casefold works character by character, so folding 4 characters is enough
        if "{" not in stripped and (
                stripped.lstrip(_QUICK_STRIP)[:4].casefold()[:4] not in prefixes):
            continue  # cheap filter: most lines cannot be a template sentence
        line = first_line + offset
        text = _COMMENT.sub("", stripped) if "<!--" in stripped else stripped
        if "`" in text:
            text = _INLINE_CODE.sub("", text)
        if _normalise_line(text) in sentences:
            yield Finding(line, 1, "template placeholder text left in the record",
                          "Replace it with what was actually decided.")
            continue
        match = _BRACED.search(text) if "{" in text else None
        if match:
            column = raw.find(match[0]) + 1 if match[0] in raw else 1
            yield Finding(line, column, f"placeholder {match[0]!r} left in the record",
                          "Replace the placeholder with real content.")


def _rule(code: str, slug: str, severity: Severity,
          check: Callable[..., Iterable[Finding]]) -> Rule:
    return make_rule(code, slug, severity, Scope.RECORD, check)


E, W = Severity.ERROR, Severity.WARNING

RULES: tuple[Rule, ...] = (
    _rule("ADR501", "section-missing", W, check_section_missing),
    _rule("ADR502", "section-empty", W, check_section_empty),
    _rule("ADR503", "placeholder-text", W, check_placeholder_text),
)
