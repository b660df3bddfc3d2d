"""Read lint fixture files (tests/lint_cases/*.txt), markdown-it-py's fixture layout.

Each case is::

    ADR205: an unknown status is reported        <- codes under test, then a title
    .
    === decisions/DR-001-x.md                    <- one or more files (default name below)
    ---
    status: maybe
    ---
    .
    decisions/DR-001-x.md:3:9 ADR205             <- expected findings, or "(none)"
    .

Only the codes named in the title are run (``--select``), so a case shows one rule.
Expected lines are ``PATH:LINE:COL CODE`` or ``PATH CODE`` (any position); ``CODE?`` may
or may not appear, but a case of only optional lines needs at least one of them. In inputs,
``\\xNN`` writes the raw byte NN (binary and encoding cases).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
import re

DEFAULT_FILE = "decisions/DR-001-test.md"
_EXPECT = re.compile(
    r"^(?P<path>[^\s:]+)(?::(?P<line>\d+):(?P<col>\d+))?\s+(?P<code>ADR\d{3})(?P<opt>\?)?$")
_CODES = re.compile(r"^((?:ADR\d{3}[ ,]*)+):\s*(.+)$")


@dataclass
class Expected:
    path: str
    line: int | None
    column: int | None
    code: str
    optional: bool = False
    """``CODE?``: may or may not be reported (which end of a cycle is flagged, say)."""

    def matches(self, path: str, line: int, column: int, code: str) -> bool:
        if (self.path, self.code) != (path, code):
            return False
        return self.line is None or (self.line, self.column) == (line, column)


@dataclass
class Case:
    source: str
    line: int
    title: str
    codes: list[str]
    files: dict[str, bytes] = field(default_factory=dict)
    expected: list[Expected] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.source}:{self.line}:{self.title[:60]}"

    @property
    def fails(self) -> bool:
        """Does the case expect a finding (a failing fixture)?"""
        return bool(self.expected)


def _bytes(text: str) -> bytes:
    raw = text.encode("utf-8")
    return re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m[1], 16)]), raw)


def _files(block: list[str]) -> dict[str, bytes]:
    if not block or not block[0].startswith("=== "):
        return {DEFAULT_FILE: _bytes("\n".join(block) + "\n")}
    files: dict[str, list[str]] = {}
    current = ""
    for line in block:
        if line.startswith("=== "):
            current = line[4:].strip()
            files[current] = []
        else:
            files[current].append(line)
    return {name: _bytes("\n".join(lines) + "\n") for name, lines in files.items()}


def read_cases(path: Path) -> list[Case]:
    lines = path.read_text(encoding="utf-8").split("\n")
    cases: list[Case] = []
    index = 0
    while index < len(lines):
        if not lines[index].strip() or lines[index].startswith("#"):
            index += 1
            continue
        title_line = index + 1
        match = _CODES.match(lines[index].strip())
        if match is None or lines[index + 1] != ".":
            raise ValueError(f"{path.name}:{title_line}: expected 'ADRnnn: title' then '.'")
        codes = re.findall(r"ADR\d{3}", match[1])
        end_input = lines.index(".", index + 2)
        end_expect = lines.index(".", end_input + 1)
        files = _files(lines[index + 2 : end_input])
        expected = []
        for raw in lines[end_input + 1 : end_expect]:
            raw = raw.strip()
            if not raw or raw == "(none)":
                continue
            found = _EXPECT.match(raw)
            if found is None:
                raise ValueError(f"{path.name}: bad expectation {raw!r}")
            expected.append(Expected(found["path"], int(found["line"]) if found["line"] else None,
                                     int(found["col"]) if found["col"] else None, found["code"],
                                     bool(found["opt"])))
        cases.append(Case(path.name, title_line, match[2], codes, files, expected))
        index = end_expect + 1
    return cases
