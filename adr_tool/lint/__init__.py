"""``adr lint``: a catalogue of small rules run over a repository (see ``engine``).

``run_lint(repo, select=..., ignore=..., baseline=..., diff_base=...) -> LintResult``.
"""

from __future__ import annotations

from adr_tool.lint.engine import LintResult, run_lint
from adr_tool.lint.registry import RULES, get_rule

__all__ = ["RULES", "LintResult", "get_rule", "run_lint"]
