"""Run the real ``adr`` command in a child process with a memory cap and a hang timeout."""

from __future__ import annotations

from dataclasses import dataclass
import json
import os
from pathlib import Path
import resource
import subprocess
import sys
from typing import Any

MEMORY_LIMIT = 2 * 1024 * 1024 * 1024
"""Address-space cap for the child (RLIMIT_AS): a runaway allocation fails instead of swapping."""
HANG_TIMEOUT = 120
"""Generous: only catches hangs, it is not a speed assertion."""


@dataclass(slots=True)
class Outcome:
    """Exit code and output of one bounded run."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """Parse stdout as JSON."""
        return json.loads(self.stdout)

    def codes(self) -> set[str]:
        """Diagnostic codes in a ``--format json`` payload."""
        return {d["code"] for d in self.json().get("diagnostics", [])}


def _limit_memory() -> None:  # runs in the child between fork and exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_adr(*args: str, cwd: Path, timeout: float = HANG_TIMEOUT) -> Outcome:
    """``python -m adr_tool ARGS`` in *cwd* under the memory cap; raises TimeoutExpired on a hang."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "RUST_BACKTRACE": "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "adr_tool", *args], cwd=cwd, env=env, capture_output=True,
        text=True, timeout=timeout, preexec_fn=_limit_memory, check=False,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def assert_clean_exit(outcome: Outcome) -> None:
    """No crash: exit 0 or 1 (findings), no traceback, no signal, no native panic text."""
    assert outcome.code in (0, 1), (outcome.code, outcome.stderr[-2000:])
    assert "Traceback" not in outcome.stderr, outcome.stderr[-2000:]
    assert "panicked" not in outcome.stderr, outcome.stderr[-2000:]
    assert "internal error" not in outcome.stderr, outcome.stderr[-2000:]
