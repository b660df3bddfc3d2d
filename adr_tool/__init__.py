"""adr: architecture decision records as code.

The library API is what the CLI uses; a Python user can call it directly::

    import adr_tool
    repo = adr_tool.load("decisions")
    for record in repo.records:
        print(record.id, record.status, record.title)
"""

from __future__ import annotations

__version__ = "0.1.0"

TYPE_CHECKING = False
"""``typing.TYPE_CHECKING`` without importing typing: ``adr --version`` imports only this."""
if TYPE_CHECKING:
    from typing import Any

    from adr_tool.repository import Repository

__all__ = ["__version__", "load"]


def load(path: Any = None, **overrides: Any) -> Repository:
    """Load every record under *path* (or the configured folder) into a Repository."""
    from adr_tool.repository import load_repository

    return load_repository(path, **overrides)
