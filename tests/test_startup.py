"""Start-up stays light: heavy libraries are imported only by the commands that need them.

Behaviour tests on ``sys.modules`` in a fresh interpreter (no timing): ``adr --help`` must
not import pydantic, PyYAML, networkx, Jinja2 or a Markdown parser; ``adr --version`` is
answered before typer itself is imported; ``adr new`` must not import networkx or a
Markdown parser (it never parses records), and only the invoked command's module is
imported. The lazy paths must print exactly what the full Typer app prints.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
import subprocess
import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest
import typer

from adr_tool.cli import COMMAND_MODULES, COMMANDS

HEAVY = ("pydantic", "yaml", "networkx", "jinja2", "markdown_it", "markdown_it_pyrs", "rich")
PROBE = """
import json, sys
sys.argv = ["adr", *json.loads(sys.argv[1])]
from adr_tool.cli import main
try:
    main()
except SystemExit:
    pass
with open({out!r}, "w") as fh:
    json.dump(sorted(sys.modules), fh)
"""


def modules_after(args: list[str], cwd: Path, tmp_path: Path, columns: str = "120") -> set[str]:
    """Every module imported by running ``adr *args`` in a fresh interpreter."""
    out = tmp_path / "modules.json"
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": columns}
    done = subprocess.run([sys.executable, "-c", PROBE.format(out=str(out)), json.dumps(args)],
                          cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(out.read_text(encoding="utf-8")))


def imported_by(args: list[str], cwd: Path, tmp_path: Path, columns: str = "120") -> set[str]:
    """Top-level packages imported by running ``adr *args`` in a fresh interpreter."""
    return {m.split(".")[0] for m in modules_after(args, cwd, tmp_path, columns)}


@pytest.mark.parametrize("args", [["--help"], ["-h"], []])
def test_help_is_answered_before_typer_is_imported(args: list[str], tmp_path: Path) -> None:
    modules = imported_by(args, tmp_path, tmp_path, columns="80")
    assert "adr_tool" in modules, sorted(modules)
    assert not modules & {"typer", "click", *HEAVY}, sorted(modules & {"typer", "click", *HEAVY})


@pytest.mark.parametrize("args", [["--help"], ["-h"], []])
def test_narrow_help_imports_no_heavy_library(args: list[str], tmp_path: Path) -> None:
    """Narrower than the saved help: Typer renders it, still without heavy libraries."""
    modules = imported_by(args, tmp_path, tmp_path, columns="60")
    assert "adr_tool" in modules and "typer" in modules  # the probe really ran the CLI
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


TYPER_HELP = """
import sys
sys.argv = ["adr", "--help"]
from adr_tool.cli.application import run
run(sys.argv[1:])
"""


def test_saved_root_help_is_typers(tmp_path: Path, file_regression: Any) -> None:
    """adr_tool/cli/root_help.txt is what Typer prints; ``--force-regen`` rewrites it."""
    from adr_tool import cli

    saved = Path(cli.__file__).with_name(cli.ROOT_HELP_FILE)
    for columns in ("80", "200"):
        code, out, err = _run(TYPER_HELP, [], tmp_path, columns)
        assert (code, err) == (0, "")
        file_regression.check(out, fullpath=saved, newline="")


@pytest.mark.parametrize("args", [["--version"], ["-V"]])
def test_version_is_answered_before_typer_is_imported(args: list[str], tmp_path: Path) -> None:
    modules = imported_by(args, tmp_path, tmp_path)
    assert "adr_tool" in modules, sorted(modules)
    assert not modules & {"typer", "click", *HEAVY}, sorted(modules & {"typer", "click", *HEAVY})


@pytest.mark.parametrize("args", [["--version"], ["-V"], ["--version", "list"]])
def test_version_output_is_unchanged(args: list[str], cli: Any) -> None:
    """The fast path prints exactly what Typer's eager --version option prints."""
    from adr_tool import __version__

    done = subprocess.run([sys.executable, "-m", "adr_tool", *args], capture_output=True,
                          text=True, check=False, timeout=120)
    result = cli(*args)
    assert (done.returncode, done.stdout) == (result.exit_code, result.stdout)
    assert done.stdout == f"adr {__version__}\n"


def test_new_imports_no_graph_or_markdown_library(tmp_path: Path) -> None:
    (tmp_path / "decisions").mkdir()
    (tmp_path / ".adr.toml").write_text('dir = "decisions"\nprefix = "DR-"\nwidth = 3\n', encoding="utf-8")
    modules = modules_after(["new", "Use a queue"], tmp_path, tmp_path)
    assert [p.name for p in (tmp_path / "decisions").iterdir()] == ["DR-001-use-a-queue.md"]
    top = {m.split(".")[0] for m in modules}
    assert not top & {"networkx", "markdown_it", "markdown_it_pyrs", "rich"}, top
    other_commands = set(COMMAND_MODULES) - {"adr_tool.cli.records"}
    assert not modules & other_commands, sorted(modules & other_commands)


# --------------------------------------------------------------------------- lazy app


def test_command_table_matches_what_modules_register() -> None:
    """COMMANDS names every command once, with the module whose register() adds it."""
    seen: dict[str, str] = {}
    for module in COMMAND_MODULES:
        app = typer.Typer()
        importlib.import_module(module).register(app)
        for info in app.registered_commands:
            assert info.name, f"{module}: commands are registered by explicit name"
            seen[info.name] = module
    assert seen == COMMANDS


FULL_APP = """
import sys
sys.argv = ["adr", *sys.argv[1:]]
from adr_tool.cli import app, error_edge
with error_edge():
    app()
"""
LAZY_APP = """
import sys
sys.argv = ["adr", *sys.argv[1:]]
from adr_tool.cli import main
main()
"""


def _run(script: str, args: list[str], cwd: Path, columns: str) -> tuple[int, str, str]:
    env = {**os.environ, "COLUMNS": columns, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("args", [
    ["--help"], ["-h"], [], ["--help", "new"], ["-V", "new"], ["new", "--help"], ["new"],
    ["neww"], ["--bogus"], ["--", "new"], ["-hV"], ["list", "--format", "xml"],
])
def test_lazy_app_prints_what_the_full_app_prints(args: list[str], tmp_path: Path) -> None:
    """Building one command, stand-ins or the saved help change no output or exit code."""
    for columns in ("120", "80", "79") if len(args) < 2 else ("120",):
        lazy = _run(LAZY_APP, args, tmp_path, columns)
        assert lazy == _run(FULL_APP, args, tmp_path, columns), (columns, lazy)


# --------------------------------------------------------------------------- plain coercion

PLAIN_SAMPLES: dict[str, list[Any]] = {
    "str": ["x", "", " two words ", "ünïcødé ✅", "\udcff", "-"],
    "bool": [True, False],
    "list": [(), ("a",), ("a", "b c", ""), ["x", "y"]],
    "path": ["decisions", "", ".", "/nonexistent/dir", "a\udcffb", "FILE", "DIR", Path("site"),
             Path("."), Path("FILE"), Path("DIR")],
    "paths": [(), ("decisions",), ("FILE", "DIR", ""), ["/nonexistent/dir", "."], ("a\udcffb",), None],
    "later": [None, "3", "0", "-1", "99999", "x", "", "json", "text", "mermaid", 2, True],
}


def _outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    """What a runtime parameter makes of *value*: its result, or the error it raises."""
    from typer._click.exceptions import ClickException

    try:
        result = runtime.coerce(value, param=param, ctx=ctx)
    except (ClickException, ValueError, TypeError) as exc:
        return type(exc).__name__, str(exc)
    return type(result).__name__, result


def _sample_value(sample: Any, tmp_path: Path) -> Any:
    if isinstance(sample, tuple | list):
        return type(sample)(_sample_value(item, tmp_path) for item in sample)
    if isinstance(sample, Path) and sample.name in ("FILE", "DIR"):
        return tmp_path / sample  # a Path value, as a default such as ``Path("site")`` comes
    return str(tmp_path / sample) if sample in ("FILE", "DIR") else sample


def test_plain_coercion_matches_typers_adapters(tmp_path: Path) -> None:
    """Every parameter converted without pydantic gives what typer's TypeAdapter gives."""
    import typer._click as click
    from typer._coercion import build_runtime_param
    import typer.main

    from adr_tool.cli.application import full_app

    (tmp_path / "FILE").write_text("x", encoding="utf-8")
    (tmp_path / "DIR").mkdir()
    group = typer.main.get_command(full_app())
    root = click.Context(group, info_name="adr", help_option_names=["-h", "--help"])
    checked: set[str] = set()
    for name, command in group.commands.items():
        ctx = click.Context(command, parent=root, info_name=name)
        for param in command.get_params(ctx):
            plain = param._runtime_param
            if plain is None:
                continue
            exact = build_runtime_param(param.type_descriptor)
            assert type(plain).__name__ == "PlainParam"
            checked.add(plain.kind)
            for sample in PLAIN_SAMPLES[plain.kind]:
                value = _sample_value(sample, tmp_path)
                got = _outcome(plain, value, param, ctx)
                want = _outcome(exact, value, param, ctx)
                assert got == want, (name, param.name, value)
    assert checked == set(PLAIN_SAMPLES)



@pytest.mark.parametrize("args", [["lint"], ["list"], ["graph", "--format", "json"],
                                  ["score", "--all"], ["review"], ["build"]])
def test_commands_build_no_type_adapter_for_plain_or_absent_values(args: list[str],
                                                                  tmp_path: Path) -> None:
    """Paths, and options left out (``--depth``, ``--table``), need no TypeAdapter: typer's
    adapter module (pydantic schema building, ~0.1 s) is never imported for them."""
    folder = tmp_path / "decisions"
    folder.mkdir()
    (folder / "DR-001-a.md").write_text("---\nid: DR-001\ntitle: A\nstatus: accepted\n---\n# A\n",
                                        encoding="utf-8")
    modules = modules_after(args, tmp_path, tmp_path)
    assert "adr_tool.cli.application" in modules  # the probe ran the Typer app
    assert "typer._adapters" not in modules


def test_new_options_are_converted_without_pydantic(tmp_path: Path) -> None:
    """Every option ``adr new`` takes, given on the command line, stays off pydantic."""
    (tmp_path / "decisions").mkdir()
    args = ["new", "Use a queue", "--dir", "decisions", "--template", "dr", "--status", "accepted",
            "--tag", "infra", "--tag", "ops", "--requires", "DR-001", "--owner", "Ana", "--edit"]
    modules = imported_by(args, tmp_path, tmp_path)
    assert [p.name for p in (tmp_path / "decisions").iterdir()] == ["DR-001-use-a-queue.md"]
    assert "typer" in modules and "pydantic" not in modules


# --------------------------------------------------------------------------- config without pydantic

RECORD_FIELDS = ("dir", "prefix", "width", "statuses", "template")


def test_settings_checks_cover_every_config_field() -> None:
    """A new Config field must get a check, or a bad value would pass ``adr new`` unnoticed."""
    from adr_tool.config import Config
    from adr_tool.configfile import UNCHANGED_BY_MODEL

    assert set(UNCHANGED_BY_MODEL) == set(Config.model_fields) - {"root", "source"}


def test_settings_defaults_are_configs(tmp_path: Path) -> None:
    from adr_tool.config import Config
    from adr_tool.configfile import settings_from_values

    settings = settings_from_values({}, tmp_path, None)
    config = Config(root=tmp_path)
    assert settings is not None
    assert {f: getattr(settings, f) for f in RECORD_FIELDS} == {f: getattr(config, f) for f in RECORD_FIELDS}


TOML_VALUES = st.one_of(
    st.text(max_size=5), st.integers(-3, 12), st.booleans(), st.floats(allow_nan=False),
    st.lists(st.one_of(st.text(max_size=4), st.integers()), max_size=3),
    st.dictionaries(st.text(max_size=4), st.one_of(st.text(max_size=4), st.integers()), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*RECORD_FIELDS, "title", "repo_url", "edit_branch", "ignore",
                                        "status_aliases", "review_after_days", "lint", "lifecycle",
                                        "whatever"]), TOML_VALUES, max_size=4))
def test_settings_read_without_the_model_are_the_models(values: dict[str, Any]) -> None:
    """Whenever the fast reader answers, the pydantic model accepts the file with the same values."""
    from adr_tool.config import Config
    from adr_tool.configfile import settings_from_values

    root = Path("/project")
    settings = settings_from_values(dict(values), root, "/project/.adr.toml")
    if settings is None:
        return  # load_config decides (and raises the same error as every other command)
    config = Config.model_validate({**values, "root": root, "source": "/project/.adr.toml"})
    config.statuses = [s.casefold() for s in config.statuses]
    assert {f: getattr(settings, f) for f in RECORD_FIELDS} == {f: getattr(config, f) for f in RECORD_FIELDS}
    assert (settings.root, settings.source) == (config.root, config.source)


@pytest.mark.parametrize(("toml", "outcome"), [
    ('prefix = "ADR-"\nwidth = 4\n', "decisions/ADR-0001-use-a-queue.md"),
    ('width = "2"\n', "decisions/DR-01-use-a-queue.md"),  # the model converts it
    ('width = 2.0\nstatuses = ["Proposed", "Accepted"]\n', "decisions/DR-01-use-a-queue.md"),
    ("width = 0\n", "adr: error: invalid configuration in"),
    ('statuses = "proposed"\n', "adr: error: invalid configuration in"),
    ("lint = 3\n", "adr: error: invalid configuration in"),
    ("prefix = 5\n", "adr: error: invalid configuration in"),
    ("width = [\n", "cannot read configuration"),
])
def test_new_reads_config_like_every_other_command(toml: str, outcome: str, project: Any,
                                                    cli: Any) -> None:
    project({".adr.toml": toml, "decisions/.keep": ""})
    result = cli("new", "Use a queue")
    assert outcome in result.output, result.output
    assert result.exit_code == (0 if outcome.startswith("decisions/") else 1)
    if result.exit_code:
        assert cli("list").output == result.output  # the very same one-line error


# --------------------------------------------------------------------------- templates without Jinja2

SHIPPED_TEMPLATES = ("dr", "madr", "nygard", "first")
WORDS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
CONTEXTS = st.fixed_dictionaries({
    "id": st.sampled_from(["DR-001", "ADR-0042", "7"]),
    "title": WORDS.map(lambda t: " ".join(t.split()) or "T"),
    "status": st.sampled_from(["proposed", "accepted", "rejected"]),
    "date": st.just("2026-01-01"),
    "owner": st.one_of(st.just(""), WORDS),
    "tags": st.lists(WORDS, max_size=3),
    "requires": st.lists(st.sampled_from(["DR-001", "DR-2", "cap: x"]), max_size=2),
    "supersedes": st.lists(st.sampled_from(["DR-001", "0003"]), max_size=1),
    "prefix": st.sampled_from(["DR-", "ADR-", ""]),
})


@settings(max_examples=150, deadline=None)
@given(CONTEXTS)
def test_shipped_templates_render_as_jinja2_renders_them(context: dict[str, Any]) -> None:
    from adr_tool.lifecycle import record_filters, render_with_jinja
    from adr_tool.record_template import render_simple
    from adr_tool.templates_loader import find_record_template

    for name in SHIPPED_TEMPLATES:
        path = find_record_template(name, None)
        simple = render_simple(path.read_text(encoding="utf-8"), context, record_filters())
        assert simple is not None, f"{name}: the shipped template left the simple subset"
        assert simple == render_with_jinja(path, context), name


FRAGMENTS = st.sampled_from([
    "text ", "\n", "{", "}", "%", "#", "{{ title }}", "{{title}}", "{{ tags | yaml }}",
    "{{ owner|yaml_scalar }}", "{{ status | capitalize }}", "{{ title | upper }}", "{{ nope }}",
    "{{ true }}", "{{ title.x }}", "{{- title }}", "{% if owner %}", "{%if tags%}", "{% endif %}",
    "{% else %}", "{%- endif %}", "{# note #}", "{% raw %}", "{{\ntitle }}", "\r\n", "{{ 'x' }}",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(FRAGMENTS, max_size=10), CONTEXTS)
def test_simple_renderer_answers_only_when_it_agrees_with_jinja2(parts: list[str],
                                                                 context: dict[str, Any]) -> None:
    """Any template: the simple renderer returns Jinja2's output, or None (ask Jinja2)."""
    import jinja2

    from adr_tool.lifecycle import record_filters
    from adr_tool.record_template import render_simple

    source = "".join(parts)
    simple = render_simple(source, context, record_filters())
    if simple is None:
        return
    env = jinja2.Environment(autoescape=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(record_filters())
    assert simple == env.from_string(source).render(**context), source


def test_new_with_the_default_template_imports_no_heavy_library(tmp_path: Path) -> None:
    """The issue #7 target: ``adr new`` needs none of Jinja2, PyYAML, pydantic, parsers, graphs."""
    (tmp_path / "decisions").mkdir()
    modules = imported_by(["new", "Use a queue", "--tag", "infra"], tmp_path, tmp_path)
    assert [p.name for p in (tmp_path / "decisions").iterdir()] == ["DR-001-use-a-queue.md"]
    assert "typer" in modules
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_new_with_a_users_template_renders_it_with_jinja2(tmp_path: Path) -> None:
    (tmp_path / "decisions").mkdir()
    (tmp_path / ".adr.toml").write_text('dir = "decisions"\n', encoding="utf-8")
    own = tmp_path / "templates" / "record" / "dr.md.j2"
    own.parent.mkdir(parents=True)
    own.write_text("---\nid: {{ id }}\ntitle: {{ title | yaml_scalar }}\nstatus: {{ status }}\n---\n\n"
                   "# {{ title | upper }}{# a Jinja2 comment #}\n", encoding="utf-8")
    modules = imported_by(["new", "Use a queue"], tmp_path, tmp_path)
    text = (tmp_path / "decisions" / "DR-001-use-a-queue.md").read_text(encoding="utf-8")
    assert text == "---\nid: DR-001\ntitle: Use a queue\nstatus: proposed\n---\n\n# USE A QUEUE\n"
    assert "jinja2" in modules
