"""Every command has help text and a README example (sqlite-utils' docs test idea)."""

from __future__ import annotations

import pytest

from adr_tool.cli import app
from tests.conftest import REPO_ROOT

COMMANDS = sorted(info.name or "" for info in app.registered_commands)


def test_commands_are_registered() -> None:
    assert {"init", "new", "list", "show", "lint", "graph", "score", "build", "serve"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_and_readme_mention(name: str) -> None:
    info = next(i for i in app.registered_commands if i.name == name)
    assert info.callback is not None and (info.callback.__doc__ or "").strip(), name
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"adr {name}" in readme, f"README has no example of `adr {name}`"
