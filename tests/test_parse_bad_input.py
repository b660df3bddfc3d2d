"""Malformed files become diagnostics with positions; loading goes on with the rest."""

from __future__ import annotations

from pathlib import Path

from adr_tool.parse import parse_source, parse_text
from adr_tool.repository import load_repository
from adr_tool.sources import read_source


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_broken_flow_list_points_at_line_and_column(tmp_path: Path) -> None:
    text = (
        "---\nphase: 02-x\nplan: 01\ntech:\n  added: [flask==3.0, celery[redis]==5.3]\n"
        "provides: [api]\n---\n\n# Title\n"
    )
    result = parse_text(text, "x/02-01-SUMMARY.md")
    diags = [d for d in result.diagnostics if d.code == "ADR110"]
    assert len(diags) == 1
    diag = diags[0]
    assert (diag.line, diag.column) == (5, 29)  # the '[' inside the item
    assert "celery[redis]==5.3" in diag.message
    assert "Quote" in diag.hint
    # the rest of the frontmatter was still read
    assert result.record is not None
    assert result.record.provides == ["api"]
    assert result.record.plan == "01"


def test_empty_file(tmp_path: Path) -> None:
    result = parse_source(read_source(_write(tmp_path, "DR-001-empty.md", b"")))
    assert result.record is not None
    assert result.record.id == "DR-001"
    assert result.diagnostics == []


def test_only_frontmatter(tmp_path: Path) -> None:
    data = b"---\nid: DR-002\ntitle: Only metadata\nstatus: proposed\n---\n"
    result = parse_source(read_source(_write(tmp_path, "DR-002-x.md", data)))
    assert result.record is not None
    assert result.record.title == "Only metadata"
    assert result.record.sections == []


def test_duplicate_keys_warn_last_wins(tmp_path: Path) -> None:
    data = b"---\nid: DR-003\nstatus: proposed\nstatus: accepted\n---\n# T\n"
    result = parse_source(read_source(_write(tmp_path, "DR-003-x.md", data)))
    assert [(d.code, d.line) for d in result.diagnostics] == [("ADR111", 4)]
    assert result.record is not None
    assert result.record.status == "accepted"  # as the message says, the last value wins


def test_tabs_in_yaml_are_a_diagnostic(tmp_path: Path) -> None:
    data = b"---\nid: DR-004\ntags:\n\t- a\n---\n# T\n"
    result = parse_source(read_source(_write(tmp_path, "DR-004-x.md", data)))
    codes = [(d.code, d.line) for d in result.diagnostics]
    assert codes and codes[0][0] == "ADR110" and codes[0][1] == 4
    assert "tab" in result.diagnostics[0].message


def test_crlf_and_bom(tmp_path: Path) -> None:
    data = "\ufeff---\r\nid: DR-005\r\ntitle: Windows\r\nstatus: accepted\r\n---\r\n\r\n# T\r\n\r\n## Context\r\n\r\nx\r\n"
    result = parse_source(read_source(_write(tmp_path, "DR-005-x.md", data.encode("utf-8"))))
    assert result.diagnostics == []
    record = result.record
    assert record is not None
    assert (record.id, record.title, record.status) == ("DR-005", "Windows", "accepted")
    assert record.section("Context").line == 9  # type: ignore[union-attr]


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    data = b"---\nid: DR-006\ntitle: Caf\xe9\n---\n# T\n"
    result = parse_source(read_source(_write(tmp_path, "DR-006-x.md", data)))
    diag = result.diagnostics[0]
    assert (diag.code, diag.line, diag.column) == ("ADR103", 3, 11)
    assert result.record is not None and result.record.title == "Caf\ufffd"


def test_binary_file(tmp_path: Path) -> None:
    result = parse_source(read_source(_write(tmp_path, "DR-007-x.md", b"\x89PNG\r\n\x1a\n\x00\x00")))
    assert result.record is None
    assert result.diagnostics[0].code == "ADR102"


def test_python_tags_refused(tmp_path: Path) -> None:
    data = b"---\nid: DR-008\ntitle: !!python/object/apply:os.system ['echo hi']\n---\n# T\n"
    result = parse_source(read_source(_write(tmp_path, "DR-008-x.md", data)))
    assert any(d.code in ("ADR110", "ADR115") for d in result.diagnostics)
    assert result.record is not None


def test_billion_laughs_is_bounded(tmp_path: Path) -> None:
    lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    lines += ["---", "# Bomb"]
    result = parse_source(read_source(_write(tmp_path, "DR-009-x.md", "\n".join(lines).encode())))
    assert [d.code for d in result.diagnostics] == ["ADR113"]
    assert result.record is not None and result.record.title == "Bomb"


def test_load_goes_on_after_bad_files(tmp_path: Path) -> None:
    folder = tmp_path / "decisions"
    folder.mkdir()
    (folder / "DR-001-good.md").write_text("---\nid: DR-001\ntitle: Good\nstatus: accepted\n---\n# Good\n")
    (folder / "DR-002-bad.md").write_text("---\nid: [unclosed\n---\n# Bad\n")
    (folder / "DR-003-bin.md").write_bytes(b"\x00\x01\x02")
    (folder / "README.md").write_text("# Index\n")
    repo = load_repository(folder)
    assert [r.id for r in repo.records] == ["DR-001", "DR-002"]
    assert sorted(d.code for d in repo.diagnostics) == ["ADR102", "ADR110"]
    assert [n.code for n in repo.notes] == ["ADR100"]


def test_unterminated_frontmatter_is_body(tmp_path: Path) -> None:
    result = parse_text("---\nid: DR-010\n# no closing line\n", "DR-010-x.md")
    assert result.record is not None
    assert result.record.id == "DR-010"


def test_discovery_skips_templates_but_not_records_about_templates(tmp_path: Path) -> None:
    folder = tmp_path / "decisions"
    folder.mkdir()
    for name in ("template.md", "adr-template.md", "decision_template.md", "DR-007-templates-in-wheel.md",
                 "CHANGELOG.md"):
        (folder / name).write_text("# X\n")
    repo = load_repository(folder)
    assert [Path(r.path).name for r in repo.records] == ["DR-007-templates-in-wheel.md"]
