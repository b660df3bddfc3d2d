#!/usr/bin/env bash
# Set up .venv (if absent) with the project and its test extras, then run every test.
# Usage: bash scripts/test.sh [--venv DIR] [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
if [ "${1:-}" = "--venv" ]; then venv=$2; shift 2; fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import adr_tool, pytest, hypothesis" >/dev/null 2>&1 \
   || [ pyproject.toml -nt "$venv/.installed" ]; then
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  "$venv/bin/python" -m pip install -q -e ".[test,dev]"
  touch "$venv/.installed"
fi
"$venv/bin/python" -m ruff check adr_tool tests bench
"$venv/bin/python" -m mypy
exec "$venv/bin/python" -m pytest -q "$@"
