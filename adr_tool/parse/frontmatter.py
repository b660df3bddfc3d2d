"""YAML frontmatter: split it off keeping line numbers, load it safely, keep positions.

python-frontmatter strips text and loses positions, so the split is done on the raw lines
here, and YAML is composed with PyYAML's node API (C loader when present) so every key and
list item keeps its line and column. Only safe YAML: Python tags are diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from typing import Any

import yaml

from adr_tool.diagnostics import Diagnostic, error, warning

_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAGS: dict[tuple[str, Any], str] = {}
"""Implicit tags already resolved, by (scalar text, implicit flags): keys and values repeat
across records, and PyYAML resolves each scalar in Python against a list of regexes."""


class Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader (libyaml when present), remembering how plain scalars resolve."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = _TAGS.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(_TAGS) >= 8192:
                _TAGS.clear()
            _TAGS[key] = tag
        return tag


MAX_NODES = 20_000
"""Expanded YAML nodes allowed per frontmatter; stops alias bombs (billion laughs)."""
MAX_DEPTH = 40
MAX_FRONTMATTER_CHARS = 512 * 1024
MAX_SYNTAX_NESTING = 1000
"""Nesting allowed in the YAML *text* before it reaches libyaml (see ``_nesting_line``)."""

_DELIM = re.compile(r"^---[ \t]*$")
_END = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass(slots=True)
class Entry:
    """A frontmatter value with its composed YAML node (for raw scalars and positions)."""

    value: Any
    node: Any
    key_line: int
    key_column: int


@dataclass(slots=True)
class FrontMatter:
    """The loaded frontmatter mapping plus where the body starts."""

    entries: dict[str, Entry] = field(default_factory=dict)
    start_line: int = 1
    """File line of the first YAML line (after the opening ``---``)."""
    body_line: int = 1
    """File line where the body starts (after the closing ``---``)."""
    ok: bool = True
    diagnostics: list[Diagnostic] = field(default_factory=list)


def split(text: str) -> tuple[str, int, int] | None:
    """Return (yaml_text, yaml_first_line, body_first_line) if *text* opens with frontmatter."""
    if not text.startswith("---"):
        return None
    first_nl = text.find("\n")
    if first_nl == -1 or not _DELIM.match(text[:first_nl]):
        return None
    # walk the lines up to the closing one only: splitting the whole file was a copy of it
    start = position = first_nl + 1
    index = 1
    while True:
        newline = text.find("\n", position)
        if _END.match(text[position:] if newline == -1 else text[position:newline]):
            return text[start:max(position - 1, start)], 2, index + 2
        if newline == -1:
            return None
        position = newline + 1
        index += 1


class _Budget:
    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_NODES


class _TooBig(Exception):
    pass


class _UnsafeTag(Exception):
    def __init__(self, node: Any) -> None:
        super().__init__(node.tag)
        self.node = node


_STR_TAG = "tag:yaml.org,2002:str"
_SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge", "binary",
              "set", "omap", "pairs", "value")
)


def _convert(node: Any, loader: Any, budget: _Budget, depth: int, path: str, diags: list[Diagnostic],
             shown: str, offset: int) -> Any:
    budget.left -= 1
    if budget.left < 0 or depth > MAX_DEPTH:
        raise _TooBig
    if node.tag not in _SAFE_TAGS:
        raise _UnsafeTag(node)
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR_TAG:
            return node.value  # what SafeConstructor gives a string, without its four calls
        try:
            return loader.construct_object(node)
        except (ValueError, OverflowError):
            # an implicit timestamp that is no calendar date (2024-13-45): keep the text,
            # so lint reports ADR206 instead of the parser crashing
            loader.recursive_objects.pop(node, None)
            return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_convert(n, loader, budget, depth + 1, path, diags, shown, offset) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = _convert(key_node, loader, budget, depth + 1, path, diags, shown, offset)
            if not isinstance(key, str | int | float | bool) and key is not None:
                key = str(key)
            if key in out:
                diags.append(warning(
                    "ADR111", shown, key_node.start_mark.line + offset, key_node.start_mark.column + 1,
                    f"duplicate key '{key}' in frontmatter; the last value wins",
                    "Remove one of the two keys."))
            out[key] = _convert(value_node, loader, budget, depth + 1, path, diags, shown, offset)
        return out
    return None


def explain_yaml_error(exc: yaml.MarkedYAMLError, lines: list[str]) -> str:
    """Say in plain words why YAML failed, with the usual fix."""
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    line_text = ""
    if exc.problem_mark is not None and 0 <= exc.problem_mark.line < len(lines):
        line_text = lines[exc.problem_mark.line]
    if "flow sequence" in context or "flow sequence" in problem:
        bad = ""
        if exc.problem_mark is not None:
            col = exc.problem_mark.column
            start = max(line_text.rfind(",", 0, col), line_text.rfind("[", 0, col - 1 if col else 0)) + 1
            end_candidates = [i for i in (line_text.find(",", col), line_text.find("]", col)) if i != -1]
            end = min(end_candidates) if end_candidates else len(line_text)
            if 0 <= start < end:
                stripped = line_text[start:end].strip()
                # the bracket that broke the list is usually inside an item such as pkg[extra]==1
                if "]" in line_text[col:]:
                    close = line_text.find("]", col)
                    tail_end = [i for i in (line_text.find(",", close), line_text.find("]", close + 1)) if i != -1]
                    stripped = line_text[start:(min(tail_end) if tail_end else len(line_text))].strip()
                bad = stripped
        what = f" (the item {bad!r})" if bad else ""
        return ("a '[' or ']' inside an unquoted item of a [...] list breaks the list" + what +
                "; YAML reads brackets as nested lists")
    mark = exc.problem_mark
    if "\t" in problem or "\\t" in problem or (
        mark is not None and "\t" in line_text[max(mark.column - 1, 0) : mark.column + 1]
    ) or (mark is not None and line_text[: mark.column + 1].lstrip(" ").startswith("\t")):
        return "a tab character is used for indentation; YAML only allows spaces"
    if "mapping values are not allowed" in problem:
        return "a ':' followed by a space inside an unquoted value starts a new mapping; quote the value"
    if "could not find expected ':'" in problem:
        return "a line is neither 'key: value' nor a list item; a ':' is missing or the value needs quotes"
    if "found undefined alias" in problem:
        return "an alias (*name) refers to an anchor (&name) that does not exist"
    if "did not find expected key" in problem or "did not find expected '-'" in problem:
        return "the indentation of this line does not match the lines around it"
    if "found unknown escape character" in problem:
        return "a backslash escape inside a double-quoted value is not valid YAML; use single quotes"
    parts = [p for p in (context, problem) if p]
    return "YAML could not be read: " + ", ".join(parts) if parts else "YAML could not be read"


def _hint_for(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "") + (exc.context or "")
    if "flow sequence" in problem:
        return 'Quote that item, e.g. "uvicorn[standard]==0.27.0", or write the list one item per line.'
    if "\\t" in problem or "\t" in problem or "cannot start any token" in problem:
        return "Replace tabs with spaces, or quote values that start with a special character."
    return "Fix the YAML between the --- lines; the rest of the file was still read."


def load(text: str, shown: str) -> FrontMatter | None:
    """Load the frontmatter of *text*; None when the file has none."""
    parts = split(text)
    if parts is None:
        return None
    yaml_text, start_line, body_line = parts
    fm = FrontMatter(start_line=start_line, body_line=body_line)
    offset = start_line  # node marks are 0-based lines within yaml_text
    if len(yaml_text) > MAX_FRONTMATTER_CHARS:
        fm.ok = False
        fm.diagnostics.append(error("ADR112", shown, start_line, 1,
                                    f"frontmatter is {len(yaml_text) // 1024} KB, over the "
                                    f"{MAX_FRONTMATTER_CHARS // 1024} KB limit; not read",
                                    "Move long content into the body."))
        return fm
    too_deep = _nesting_line(yaml_text)
    if too_deep is not None:
        fm.ok = False
        fm.diagnostics.append(error("ADR113", shown, too_deep + offset, 1,
                                    f"frontmatter nests more than {MAX_SYNTAX_NESTING} levels "
                                    "(runaway nesting); not read",
                                    "Remove the deep nesting."))
        return fm
    lines = yaml_text.split("\n")
    attempt_lines = list(lines)
    first_error: Diagnostic | None = None
    for _ in range(4):
        try:
            entries = _load_entries("\n".join(attempt_lines), shown, offset, fm.diagnostics)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = (mark.line if mark else 0)
            column = (mark.column + 1 if mark else 1)
            if first_error is None:
                first_error = error("ADR110", shown, line + offset, column,
                                    "invalid YAML frontmatter: " + explain_yaml_error(exc, lines),
                                    _hint_for(exc))
            fm.ok = False
            if 0 <= line < len(attempt_lines) and attempt_lines[line].strip():
                attempt_lines[line] = ""  # recover the rest of the mapping by dropping the bad line
                continue
            entries = {}
            break
        except yaml.YAMLError as exc:
            fm.ok = False
            first_error = first_error or error("ADR110", shown, start_line, 1,
                                               f"invalid YAML frontmatter: {exc}")
            entries = {}
            break
        except _TooBig:
            fm.ok = False
            fm.diagnostics.append(error("ADR113", shown, start_line, 1,
                                        f"frontmatter expands to more than {MAX_NODES} YAML nodes or "
                                        f"{MAX_DEPTH} levels (alias bomb or runaway nesting); not read",
                                        "Remove the anchors/aliases or the deep nesting."))
            return fm
        except RecursionError:
            fm.ok = False
            fm.diagnostics.append(error("ADR113", shown, start_line, 1,
                                        "frontmatter is nested too deeply; not read"))
            return fm
        break
    else:
        entries = {}
    if first_error is not None:
        fm.diagnostics.insert(0, first_error)
    fm.entries = entries
    return fm


def _nesting_line(yaml_text: str) -> int | None:
    """0-based line where the YAML text nests deeper than MAX_SYNTAX_NESTING, if any.

    libyaml's composer recurses once per level and overflows the C stack (a segfault, not
    an exception) at ~30,000 levels: ``a: [[[[...`` or ``- - - - ...`` in a 60 KB file.
    Counted conservatively on the raw text (brackets inside quotes count too), so the
    composer never sees such input; MAX_DEPTH still applies to what it builds.
    """
    if len(yaml_text) <= MAX_SYNTAX_NESTING:
        return None  # too short to hold that many prefix characters or brackets
    flow = 0
    for number, line in enumerate(yaml_text.split("\n")):
        if len(line) - len(line.lstrip(" -?:\t")) > MAX_SYNTAX_NESTING:
            return number
        opens = line.count("[") + line.count("{")
        if flow + opens > MAX_SYNTAX_NESTING:  # rare: find the deepest point of this line
            for char in line:
                flow += (char in "[{") - (char in "]}")
                if flow > MAX_SYNTAX_NESTING:
                    return number
        else:
            flow += opens - line.count("]") - line.count("}")
        flow = max(flow, 0)
    return None


def _load_entries(yaml_text: str, shown: str, offset: int, diags: list[Diagnostic]) -> dict[str, Entry]:
    loader = Loader(yaml_text)
    try:
        root = loader.get_single_node()
        if root is None:
            return {}
        if not isinstance(root, yaml.MappingNode):
            mark = root.start_mark
            diags.append(error("ADR114", shown, mark.line + offset, mark.column + 1,
                               "frontmatter is not a mapping of keys to values",
                               "Write 'key: value' lines between the --- lines."))
            return {}
        budget = _Budget()
        local: list[Diagnostic] = []
        entries: dict[str, Entry] = {}
        for key_node, value_node in root.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = str(key_node.value)
            if key in entries:
                local.append(warning(
                    "ADR111", shown, key_node.start_mark.line + offset, key_node.start_mark.column + 1,
                    f"duplicate key '{key}' in frontmatter; the last value wins",
                    "Remove one of the two keys."))
            try:
                value = _convert(value_node, loader, budget, 1, key, local, shown, offset)
            except _UnsafeTag as exc:
                mark = exc.node.start_mark
                local.append(error("ADR115", shown, mark.line + offset, mark.column + 1,
                                   f"unsupported YAML tag {exc.node.tag!r} for '{key}'; value ignored",
                                   "Only plain YAML is read (no Python or custom tags)."))
                continue
            except yaml.constructor.ConstructorError as exc:
                mark = exc.problem_mark or value_node.start_mark
                local.append(error("ADR115", shown, mark.line + offset, mark.column + 1,
                                   f"unsupported YAML value for '{key}': {exc.problem}",
                                   "Only plain YAML is read (no Python or custom tags)."))
                continue
            entries[key] = Entry(value, value_node, key_node.start_mark.line + offset,
                                 key_node.start_mark.column + 1)
        diags.extend(local)
        return entries
    finally:
        loader.dispose()


def raw_scalar(node: Any) -> str | None:
    """The scalar exactly as typed (``04`` stays ``04``), or None for non-scalars."""
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    return None


def raw_items(node: Any) -> list[tuple[str, int, int]]:
    """Scalar items of a sequence (or a lone scalar) as typed, with 0-based line and column."""
    if isinstance(node, yaml.ScalarNode):
        if node.value == "" or node.tag == "tag:yaml.org,2002:null":
            return []
        return [(str(node.value), node.start_mark.line, node.start_mark.column)]
    if isinstance(node, yaml.SequenceNode):
        return [(str(n.value), n.start_mark.line, n.start_mark.column)
                for n in node.value if isinstance(n, yaml.ScalarNode) and str(n.value) != ""]
    return []
