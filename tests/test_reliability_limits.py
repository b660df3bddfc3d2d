"""Bombs and giants: each is rejected or handled in bounded time and memory, with a diagnostic.

Every case runs the real ``adr list --format json`` in a child process under RLIMIT_AS
(2 GB) and a hang timeout (120 s); nothing here asserts speed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support.bounded import assert_clean_exit, run_adr

from adr_tool.parse import parse_text
from adr_tool.parse.frontmatter import MAX_DEPTH, MAX_FRONTMATTER_CHARS, MAX_NODES
from adr_tool.sources import MAX_BYTES

HEAD = "---\nid: DR-001\ntitle: Hostile\nstatus: proposed\n---\n"


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "---\nid: DR-001\n" + "\n".join(lines) + "\n---\n# Bomb\n"


def key_bomb() -> str:
    """Aliases used as mapping keys and merge keys (expansion through ``<<``)."""
    return ("---\nid: DR-001\nbase: &b {x: &x [1,2,3,4,5,6,7,8,9,10]}\n"
            + "".join(f"k{i}: {{<<: *b, y: [*x,*x,*x,*x,*x,*x,*x,*x,*x,*x]}}\n" for i in range(3000))
            + "---\n# Keys\n")


def write(path: Path, content: str | bytes) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


# name -> (content factory, diagnostic codes of which one must appear)
CASES: dict[str, tuple[Callable[[], str | bytes], set[str]]] = {
    "billion-laughs": (billion_laughs, {"ADR113"}),
    "alias-keys-and-merges": (key_bomb, {"ADR113"}),
    "deep-flow-nesting": (lambda: "---\nid: DR-001\ndeep: " + "[" * 50_000 + "]" * 50_000 + "\n---\n# D\n",
                          {"ADR113"}),
    "deep-block-sequence": (lambda: "---\nid: DR-001\ndeep:\n" + "- " * 50_000 + "x\n---\n# D\n", {"ADR113"}),
    "deep-block-nesting": (lambda: "---\nid: DR-001\n" + "".join(" " * i + f"k{i}:\n" for i in range(300))
                           + "---\n# Deep\n", {"ADR113"}),
    "huge-frontmatter": (lambda: "---\nid: DR-001\n" + "".join(f"key{i}: {'v' * 60}\n" for i in range(12_000))
                         + "---\n# Huge\n", {"ADR112"}),
    "python-object-tag": (lambda: "---\nid: DR-001\nowner: !!python/object/apply:os.system ['touch pwned']\n"
                          "---\n# Tag\n", {"ADR115"}),
    "record-50MB": (lambda: HEAD + "# Big\n\n" + ("word " * 15 + "\n") * (50 * 1024 * 1024 // 76),
                    {"ADR104"}),
    "single-line-10MB": (lambda: HEAD + "# Line\n\n" + "x" * (10 * 1024 * 1024) + "\n", {"ADR104"}),
    "single-line-5MB-under-byte-limit": (lambda: HEAD + "# Line\n\n" + "y " * (5 * 512 * 1024) + "\n",
                                         {"ADR104"}),
    "5000-tables": (lambda: HEAD + "# Tables\n" + "".join(
        f"\n## T{i}\n\n| Criterion | Weight | A |\n|---|---|---|\n| c{i} | High | ✅ |\n" for i in range(5000)),
        {"ADR104"}),
    "markdown-nesting-40000": (lambda: HEAD + "# Nest\n\n" + "- " * 40_000 + "x\n", {"ADR113"}),
    "quote-list-nesting": (lambda: HEAD + "# Nest\n\n" + "> - " * 30_000 + "x\n", {"ADR113"}),
    "indented-list-nesting": (lambda: HEAD + "# Nest\n\n" + "".join("  " * i + "- x\n" for i in range(900)),
                              {"ADR113", "ADR104"}),  # the 128 KB block limit trips first
    "reference-definitions-in-a-row": (lambda: HEAD + "# Refs\n\n" + "".join(
        f"[r{i}]: /u{i}\n" for i in range(20_000)), {"ADR104"}),
    "long-bold-paragraph": (lambda: HEAD + "# Bold\n\n" + "**Status:** " * 80_000 + "\n", {"ADR104"}),
    "wide-table": (lambda: HEAD + "# Wide\n\n|" + " a |" * 30_000 + "\n|" + "---|" * 30_000 + "\n", {"ADR104"}),
    "binary-garbage-50MB": (lambda: b"\x00\xff" * (25 * 1024 * 1024), {"ADR104"}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bomb_is_bounded_and_reported(name: str, tmp_path: Path) -> None:
    factory, expected = CASES[name]
    folder = tmp_path / "decisions"
    folder.mkdir()
    write(folder / "DR-001-hostile.md", factory())
    write(folder / "DR-002-fine.md", "---\nid: DR-002\ntitle: Fine\nstatus: accepted\n---\n# Fine\n")
    outcome = run_adr("list", "--format", "json", "--dir", "decisions", cwd=tmp_path)
    assert_clean_exit(outcome)
    payload = outcome.json()
    assert expected & outcome.codes(), outcome.codes()
    hostile = [d for d in payload["diagnostics"] if d["path"].endswith("DR-001-hostile.md")]
    assert hostile and all(d["line"] >= 1 and d["column"] >= 1 for d in hostile)
    assert "DR-002" in [r["id"] for r in payload["records"]]  # the neighbour is still read


@pytest.mark.parametrize("text", [
    "[a`", "see [`x", "x [`a` and [b`](c)", "| a |\n|---|\n| [b` |\n", "# T [`\n\n## S\n\n[`]\n",
])
def test_native_parser_panic_is_not_a_crash(text: str, tmp_path: Path) -> None:
    folder = tmp_path / "decisions"
    folder.mkdir()
    write(folder / "DR-001-tick.md", HEAD + text + "\n\n## Decision\n\nUse [links](https://x.invalid).\n")
    outcome = run_adr("list", "--format", "json", "--dir", "decisions", cwd=tmp_path)
    assert_clean_exit(outcome)
    assert outcome.code == 0
    result = parse_text(HEAD + text + "\n\n## Decision\n\nUse [links](https://x.invalid).\n", "x.md")
    assert result.record is not None
    assert "Decision" in [s.heading for s in result.record.sections]
    assert any(link.url == "https://x.invalid" for link in result.record.links)


def test_limits_are_the_documented_ones() -> None:
    """docs/reliability.md and DR-017 quote these numbers."""
    assert (MAX_NODES, MAX_DEPTH, MAX_FRONTMATTER_CHARS, MAX_BYTES) == (
        20_000, 40, 512 * 1024, 8 * 1024 * 1024)


def test_legitimate_large_frontmatter_is_still_read() -> None:
    """The limits leave room for real records: 500 keys, lists of 2,000 items, 30 levels."""
    nested = "".join("  " * i + f"n{i}:\n" for i in range(30)) + "  " * 30 + "leaf: 1\n"
    text = ("---\nid: DR-001\ntitle: Big but fine\nstatus: accepted\n"
            + "".join(f"k{i}: value {i}\n" for i in range(500))
            + "tags: [" + ", ".join(f"t{i}" for i in range(2000)) + "]\n" + nested + "---\n# Fine\n")
    result = parse_text(text, "x.md")
    assert [d.code for d in result.diagnostics] == []
    assert result.record is not None and len(result.record.tags) == 2000


def test_only_safe_yaml_is_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for tag in ("!!python/object/apply:os.system ['touch pwned']", "!!python/name:os.system",
                "!!python/object/new:os.system [x]", "!!python/module:os"):
        result = parse_text(f"---\nid: DR-001\nowner: {tag}\n---\n# T\n", "x.md")
        assert [(d.code, d.line) for d in result.diagnostics] == [("ADR115", 3)]
        assert result.record is not None and result.record.owner is None
    assert not (tmp_path / "pwned").exists()


def test_native_panic_reaching_the_cli_is_one_line(project: Callable[[dict[str, str]], Path], cli: Callable[..., object],
                                                   monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A panic escaping the parser (BaseException in pyo3) still becomes exit 3 + a saved traceback."""
    project({"decisions/DR-001-x.md": HEAD + "# X\n"})
    monkeypatch.setenv("TMPDIR", str(tmp_path))

    class PanicException(BaseException):  # same shape as pyo3_runtime.PanicException
        pass

    def explode(*_args: object, **_kwargs: object) -> None:
        raise PanicException("index out of bounds: the len is 0 but the index is 1")

    monkeypatch.setattr("adr_tool.repository.load_repository", explode)
    result = cli("list")
    assert result.exit_code == 3  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    assert "internal error: PanicException" in result.output  # type: ignore[attr-defined]
