"""Configuration sources, folder autodetection, lookups and the library API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import adr_tool
from adr_tool.config import load_config
from adr_tool.errors import ConfigError


def test_adr_toml_prefix_width_statuses(project, cli) -> None:
    root = project({
        ".adr.toml": 'dir = "docs/decisions"\nprefix = "ADR-"\nwidth = 4\n'
                     'statuses = ["proposed", "accepted", "retired"]\n'
                     'status_aliases = { gone = "retired" }\n',
        "docs/decisions/ADR-0007-old.md": "---\nid: ADR-0007\ntitle: Old\nstatus: Gone\n---\n# Old\n",
    })
    result = cli("new", "Next one")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "docs/decisions/ADR-0008-next-one.md"
    data = json.loads(cli("list", "--format", "json").output)
    assert [(r["id"], r["status"]) for r in data["records"]] == [("ADR-0007", "retired"), ("ADR-0008", "proposed")]
    assert (root / "docs/decisions/ADR-0008-next-one.md").read_text().startswith("---\nid: ADR-0008\n")


def test_pyproject_tool_adr(project) -> None:
    root = project({"pyproject.toml": '[project]\nname = "x"\n\n[tool.adr]\nprefix = "D-"\ntitle = "Ours"\n'})
    config = load_config(root)
    assert (config.prefix, config.title, config.source) == ("D-", "Ours", str(root / "pyproject.toml"))


def test_invalid_config_is_one_error(project, cli) -> None:
    project({".adr.toml": "width = 99\n", "decisions/x.md": "# x\n"})
    with pytest.raises(ConfigError):
        load_config()
    result = cli("list")
    assert result.exit_code == 1
    assert "invalid configuration" in result.output and "width" in result.output


def test_autodetect_docs_adr(project, cli) -> None:
    project({"docs/adr/0001-use-x.md": "# 1. Use X\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n"})
    data = json.loads(cli("list", "--format", "json").output)
    assert [(r["id"], r["title"], r["status"], r["format"]) for r in data["records"]] == [
        ("0001", "Use X", "accepted", "nygard")]


def test_dir_option_and_verbose_notes(project, cli) -> None:
    project({"elsewhere/ADR-1.md": "# One\n\n## Status\n\nProposed\n", "elsewhere/README.md": "# Index\n"})
    result = cli("list", "--dir", "elsewhere", "--verbose")
    assert result.exit_code == 0, result.output
    assert "ADR-1" in result.output
    assert "README.md:1:1: ADR100 info skipped" in result.output


def test_lookup_by_number_and_file_name(project) -> None:
    project({"decisions/DR-012-pick-db.md": "---\nid: DR-012\ntitle: Pick DB\n---\n# Pick DB\n"})
    repo = adr_tool.load("decisions")
    for ref in ("DR-012", "dr-012", "DR-12", "12", "DR-012-pick-db.md", "decisions/DR-012-pick-db.md"):
        found = repo.get(ref)
        assert found is not None and found.id == "DR-012", ref
    assert repo.get("DR-013") is None


def test_library_api_returns_records_and_diagnostics(project) -> None:
    project({
        "decisions/DR-001-a.md": "---\nid: DR-001\ntitle: A\nstatus: accepted\n---\n# A\n",
        "decisions/DR-002-b.md": "---\ntitle: [broken\n---\n# B\n",
    })
    repo = adr_tool.load("decisions")
    assert [r.id for r in repo.records] == ["DR-001", "DR-002"]
    assert [d.code for d in repo.diagnostics] == ["ADR110"]
    assert repo.config.prefix == "DR-"
    assert repo.records[0].pos("status").line == 4


def test_unknown_template_is_refused(project, cli) -> None:
    project({"decisions/.keep": ""})
    result = cli("new", "X", "--template", "../../etc/passwd")
    assert result.exit_code == 1
    assert "invalid template name" in result.output
    result = cli("new", "X", "--template", "nope")
    assert result.exit_code == 1
    assert "no record template named 'nope'" in result.output


def test_user_template_overrides_shipped(project, cli) -> None:
    root = project({
        "templates/record/dr.md.j2": "---\nid: {{ id }}\ntitle: {{ title | yaml_scalar }}\nstatus: {{ status }}\n---\n\n# Custom {{ title }}\n",
        "decisions/.keep": "",
    })
    result = cli("new", "Mine")
    assert result.exit_code == 0, result.output
    assert (root / "decisions/DR-001-mine.md").read_text().endswith("# Custom Mine\n")


@pytest.mark.parametrize("template", ["dr", "madr", "nygard"])
def test_shipped_templates_parse_back(project, cli, template: str) -> None:
    project({"decisions/.keep": ""})
    result = cli("new", "Use a queue", "--template", template, "--tag", "infra", "--status", "accepted")
    assert result.exit_code == 0, result.output
    data = json.loads(cli("list", "--format", "json").output)
    assert data["diagnostics"] == []
    (record,) = data["records"]
    assert (record["id"], record["status"], record["title"]) == ("DR-001", "accepted", "Use a queue")
    assert record["tags"] == ["infra"]
    assert Path(record["path"]).name == "DR-001-use-a-queue.md"
