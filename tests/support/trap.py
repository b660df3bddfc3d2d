"""A pickled object that leaves a mark when it is loaded: what a planted cache file carries."""

from __future__ import annotations

from pathlib import Path


class Trap:
    """Unpickling it writes ``ran`` to *marker*: a test plants it and checks *marker* stays absent."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (self.marker.write_text, ("ran",))
