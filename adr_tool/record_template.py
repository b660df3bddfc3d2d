"""Render the shipped record templates without Jinja2.

Importing Jinja2 and compiling a template is a sixth of what ``adr new`` costs. The
shipped record templates use only ``{{ name }}``, ``{{ name | filter }}`` and
``{% if name %}...{% endif %}``, so ``render_simple`` renders exactly that subset the way
the Jinja2 environment of ``lifecycle.render_record`` does (autoescape off, trailing
newline kept, undefined names refused) and returns None for anything else, which then
goes to Jinja2. A user's own templates always go to Jinja2. tests/test_startup.py renders
every shipped template both ways and compares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import re
from typing import Any

_TAG = re.compile(
    r"\{\{[ \t]*(?P<name>[A-Za-z_]\w*)[ \t]*(?:\|[ \t]*(?P<filter>[A-Za-z_]\w*)[ \t]*)?\}\}"
    r"|\{%[ \t]*if[ \t]+(?P<test>[A-Za-z_]\w*)[ \t]*%\}"
    r"|(?P<endif>\{%[ \t]*endif[ \t]*%\})"
    r"|(?P<other>\{[{%#])"
)
"""The subset understood; any other ``{{``, ``{%`` or ``{#`` means "ask Jinja2"."""

_JINJA_WORDS = frozenset({"true", "false", "none", "True", "False", "None", "loop", "self",
                          "range", "dict", "lipsum", "cycler", "joiner", "namespace"})
"""Names Jinja2 resolves itself (literals and globals) rather than from the context."""


def capitalize(value: Any) -> str:
    """Jinja2's ``capitalize`` filter: first character upper case, the rest lower case."""
    return str(value).capitalize()


def render_simple(source: str, context: Mapping[str, Any],
                  filters: Mapping[str, Callable[[Any], str]]) -> str | None:
    """*source* rendered with *context*, or None when it uses more than the simple subset.

    *filters* are the environment's own; ``capitalize`` is built in, as in Jinja2.
    """
    filters = {"capitalize": capitalize, **filters}
    if "\r" in source:
        return None  # Jinja2 normalises line endings; leave that to it
    out: list[str] = []
    outer: list[bool] = []  # whether the enclosing blocks are being written
    writing = True
    pos = 0
    for match in _TAG.finditer(source):
        if writing:
            out.append(source[pos:match.start()])
        pos = match.end()
        name, test = match["name"], match["test"]
        if match["other"] is not None:
            return None
        if match["endif"] is not None:
            if not outer:
                return None
            writing = outer.pop()
            continue
        key = name if name is not None else test
        if key in _JINJA_WORDS or key not in context:
            return None
        if test is not None:
            outer.append(writing)
            writing = writing and bool(context[test])
            continue
        convert = filters.get(match["filter"]) if match["filter"] else str
        if convert is None:
            return None  # Jinja2 knows more filters (or refuses the template)
        if writing:
            out.append(str(convert(context[name])))
    if outer:
        return None
    if writing:
        out.append(source[pos:])
    return "".join(out)
