"""Run the CLI as ``python -m adr_tool``."""

from adr_tool.cli import main

main()
