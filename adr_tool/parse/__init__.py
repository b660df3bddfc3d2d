"""Parse one source file into a Record plus diagnostics, whatever its format.

The readers live in ``adr_tool.parse.reader``; this package exposes them lazily so that
importing a light helper such as ``adr_tool.parse.normalize.slugify`` (``adr new``) does not
pay for PyYAML, pydantic models and the Markdown parser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adr_tool.parse.reader import LABELS, ParseOptions, ParseResult, parse_source, parse_text

__all__ = ["LABELS", "ParseOptions", "ParseResult", "parse_source", "parse_text"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from adr_tool.parse import reader

        return getattr(reader, name)
    raise AttributeError(f"module 'adr_tool.parse' has no attribute {name!r}")
