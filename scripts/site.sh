#!/usr/bin/env bash
# Set up .venv (if absent), build the decision site of decisions/ and print where to open it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/adr ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install -q -e .
fi
if .venv/bin/adr build --help >/dev/null 2>&1; then
  exec .venv/bin/adr build --dir decisions --out site
else
  exec .venv/bin/adr list --dir decisions
fi
