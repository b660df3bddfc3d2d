"""Patch builds (DR-020): a warm ``adr build`` after an edit equals a cold build of the edited input.

Each test drives the real CLI on a copy of the fixture project: build, edit, build again,
then compare every output byte with a build made from nothing (a fresh cache folder). Body
and score-table edits must take the patch path (the full build is never called); every
other edit must take the full path. A planted or damaged snapshot must be ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
import shutil

import pytest

import adr_tool.site
from adr_tool.site.build import default_cache_dir
from adr_tool.site.snapshot import MAGIC, SNAPSHOT

FIXTURE = Path(__file__).parent / "fixtures" / "site_project"
RECORD = "decisions/DR-002-use-postgres.md"


@pytest.fixture
def site_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    monkeypatch.chdir(project)
    return project


@pytest.fixture
def full_builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts calls of the full build (the CLI imports ``build_site`` only when it needs it)."""
    calls: list[int] = []
    real = adr_tool.site.build_site

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(adr_tool.site, "build_site", counting)
    yield calls


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def adr_build(cli: Callable[..., object], out: str = "site") -> None:
    result = cli("build", "--out", out, "--quiet")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]


def assert_same_as_cold(project: Path, cli: Callable[..., object], monkeypatch: pytest.MonkeyPatch,
                        full_builds: list[int] | None = None) -> None:
    """The site equals one built by the CLI with an empty cache folder (not counted in *full_builds*)."""
    with monkeypatch.context() as m:
        m.setenv("ADR_CACHE_DIR", str(project.parent / "cold-cache"))
        adr_build(cli, "fresh")
    if full_builds is not None:
        full_builds.pop()
    assert tree(project / "site") == tree(project / "fresh")
    shutil.rmtree(project / "fresh")
    shutil.rmtree(project.parent / "cold-cache")


def edit(project: Path, old: str, new: str, name: str = RECORD) -> None:
    path = project / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(project: Path, text: str, name: str = RECORD) -> None:
    path = project / name
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


EDITS: dict[str, tuple[Callable[[Path], None], bool]] = {
    # name: (edit, takes the patch path)
    "body only": (lambda p: append(p, "\nA new paragraph about *vacuum* settings.\n"), True),
    "body of a record without links": (
        lambda p: append(p, "\nMore context.\n", "decisions/DR-003-use-redis-queue.md"), True),
    "score table cell": (lambda p: edit(p, "| Transactions | 5 | 5 | 3 | 1 |",
                                        "| Transactions | 5 | 2 | 3 | 1 |"), True),
    "title": (lambda p: edit(p, "title: Use PostgreSQL as the primary store",
                             "title: Use PostgreSQL for everything"), False),
    "status": (lambda p: edit(p, "status: accepted", "status: deprecated"), False),
    "requires link": (lambda p: edit(p, "requires: [DR-001]", "requires: [DR-001, DR-003]"), False),
    "plain Markdown link to a record": (
        lambda p: append(p, "\nCompare with [the queue](DR-003-use-redis-queue.md).\n"), False),
    "image link removed": (lambda p: edit(p, "![schema sketch](images/schema.svg)", "No sketch."), False),
    "linked media file changed": (
        lambda p: (p / "decisions/images/schema.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg"><rect width="2" height="2"/></svg>\n'), False),
    "record deleted": (lambda p: (p / "decisions/DR-004-use-postgres-queue.md").unlink(), False),
    "record added": (lambda p: (p / "decisions/DR-008-new.md").write_text(
        "---\nid: DR-008\ntitle: A new decision\nstatus: proposed\ndate: 2024-05-01\n---\n\n"
        "# A new decision\n\nLinks to [postgres](DR-002-use-postgres.md).\n", encoding="utf-8"), False),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_warm_build_after_an_edit_equals_a_cold_build(
        site_project: Path, cli: Callable[..., object], monkeypatch: pytest.MonkeyPatch,
        full_builds: list[int], kind: str) -> None:
    change, patched = EDITS[kind]
    adr_build(cli)
    assert full_builds == [1]
    change(site_project)
    adr_build(cli)
    assert len(full_builds) == (1 if patched else 2)
    assert_same_as_cold(site_project, cli, monkeypatch, full_builds)
    # and a body edit after it (a patch on top of either kind of build)
    append(site_project, "\nOne more line.\n")
    adr_build(cli)
    assert len(full_builds) == (1 if patched else 2)
    assert_same_as_cold(site_project, cli, monkeypatch, full_builds)


def test_unchanged_rebuild_takes_the_patch_path(site_project: Path, cli: Callable[..., object],
                                                monkeypatch: pytest.MonkeyPatch,
                                                full_builds: list[int]) -> None:
    adr_build(cli)
    shutil.rmtree(site_project / "site" / "records")  # the output is rebuilt whole, not trusted
    adr_build(cli)
    assert full_builds == [1]
    assert_same_as_cold(site_project, cli, monkeypatch, full_builds)


def test_option_change_takes_the_full_path(site_project: Path, cli: Callable[..., object],
                                           full_builds: list[int]) -> None:
    adr_build(cli)
    append(site_project, "\nBody edit.\n")
    result = cli("build", "--out", "site", "--quiet", "--title", "Other title")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert len(full_builds) == 2
    assert "Other title" in (site_project / "site/records/dr-002.html").read_text()


def test_many_changed_records_take_the_full_path(site_project: Path, cli: Callable[..., object],
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 full_builds: list[int]) -> None:
    monkeypatch.setattr("adr_tool.site.snapshot.PATCH_LIMIT", 1)
    adr_build(cli)
    append(site_project, "\nEdit one.\n")
    append(site_project, "\nEdit two.\n", "decisions/DR-003-use-redis-queue.md")
    adr_build(cli)
    assert len(full_builds) == 2
    assert_same_as_cold(site_project, cli, monkeypatch, full_builds)


def snapshot_path(project: Path) -> Path:
    return default_cache_dir((project / "site").resolve()) / SNAPSHOT


@pytest.mark.parametrize("damage", ["garbage", "flipped byte", "truncated", "foreign key", "empty"])
def test_planted_or_damaged_snapshot_is_ignored(site_project: Path, cli: Callable[..., object],
                                                monkeypatch: pytest.MonkeyPatch,
                                                full_builds: list[int], damage: str) -> None:
    import hashlib
    import pickle

    adr_build(cli)
    path = snapshot_path(site_project)
    data = path.read_bytes()
    assert data.startswith(MAGIC)
    if damage == "garbage":
        planted = MAGIC + b"\0" * 32 + pickle.dumps({"tree": {"records/dr-002.html": "/etc/passwd"}})
    elif damage == "flipped byte":
        planted = data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:]
    elif damage == "truncated":
        planted = data[: len(data) // 2]
    elif damage == "foreign key":  # well formed, signed by someone else's key
        payload = data[len(MAGIC) + 32:]
        planted = MAGIC + hashlib.blake2b(payload, key=b"k" * 32, digest_size=32).digest() + payload
    else:
        planted = b""
    path.write_bytes(planted)
    append(site_project, "\nBody edit.\n")
    adr_build(cli)
    assert len(full_builds) == 2
    assert_same_as_cold(site_project, cli, monkeypatch, full_builds)


def test_planted_template_bytecode_is_ignored(site_project: Path, cli: Callable[..., object],
                                              monkeypatch: pytest.MonkeyPatch, full_builds: list[int]) -> None:
    adr_build(cli)
    folder = default_cache_dir((site_project / "site").resolve()) / "templates"
    files = sorted(folder.glob("*.jinja"))
    assert files
    for file in files:
        file.write_bytes(b"\0" * 32 + b"planted bytecode")
    append(site_project, "\nBody edit.\n")
    adr_build(cli)
    assert_same_as_cold(site_project, cli, monkeypatch, full_builds)


def test_nothing_is_written_beside_the_output_or_in_the_project(site_project: Path,
                                                                cli: Callable[..., object]) -> None:
    adr_build(cli)
    before = sorted(p.relative_to(site_project) for p in site_project.rglob("*")
                    if "site" not in p.relative_to(site_project).parts[:1])
    append(site_project, "\nBody edit.\n")
    adr_build(cli)
    after = sorted(p.relative_to(site_project) for p in site_project.rglob("*")
                   if "site" not in p.relative_to(site_project).parts[:1])
    assert after == before
    assert sorted(p.name for p in site_project.parent.iterdir()) == ["project"]


def test_a_linked_file_that_appears_takes_the_full_path(site_project: Path, cli: Callable[..., object],
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         full_builds: list[int]) -> None:
    append(site_project, "\n![later](images/later.png) [notes](notes.txt)\n", "decisions/DR-001-record-decisions.md")
    adr_build(cli)
    (site_project / "decisions/images/later.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (site_project / "decisions/notes.txt").write_text("notes\n")
    adr_build(cli)
    assert len(full_builds) == 2
    assert "media/" in (site_project / "site/records/dr-001.html").read_text()
    assert_same_as_cold(site_project, cli, monkeypatch, full_builds)


class _Planted:
    """Unpickling this creates a marker file: proof that planted bytes were run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return Path.touch, (str(self.marker),)  # type: ignore[return-value]


def test_tampered_skeletons_are_never_unpickled(site_project: Path, cli: Callable[..., object],
                                                monkeypatch: pytest.MonkeyPatch,
                                                full_builds: list[int], tmp_path: Path) -> None:
    import pickle

    from adr_tool.site.snapshot import SKELETONS, load_snapshot

    monkeypatch.setattr("adr_tool.site.snapshot.RACY_NS", 0)  # files just copied still count as read
    adr_build(cli)
    folder = snapshot_path(site_project).parent
    snap = load_snapshot(folder)
    assert snap is not None
    marker = tmp_path / "ran"
    data = bytearray((folder / SKELETONS).read_bytes())
    for state in snap.states.values():
        assert state.skeleton is not None
        offset, length, _ = state.skeleton
        planted = pickle.dumps(_Planted(marker))
        assert len(planted) <= length
        data[offset:offset + len(planted)] = planted
    (folder / SKELETONS).write_bytes(bytes(data))
    # a full build that must not carry them over, then patch builds of another record
    for name in (RECORD, "decisions/DR-003-use-redis-queue.md", "decisions/DR-003-use-redis-queue.md"):
        append(site_project, "\nBody edit.\n", name)
        adr_build(cli)
        assert not marker.exists()
        assert_same_as_cold(site_project, cli, monkeypatch, full_builds)
    assert len(full_builds) == 3  # DR-003 had no trusted skeleton until the full build made one


def test_a_file_changed_during_a_build_is_read_again(site_project: Path, cli: Callable[..., object],
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     full_builds: list[int]) -> None:
    import adr_tool.site.build as build_module

    real = build_module.snapshot_of

    def edit_then_snapshot(*args: object, **kwargs: object) -> object:
        append(site_project, "\nWritten while the site was being built.\n")  # after the load read it
        return real(*args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as m:
        m.setattr(build_module, "snapshot_of", edit_then_snapshot)
        adr_build(cli)
    assert "Written while" not in (site_project / "site/records/dr-002.html").read_text()
    adr_build(cli)  # nothing edited since: the new text must still appear
    assert "Written while" in (site_project / "site/records/dr-002.html").read_text()
    assert_same_as_cold(site_project, cli, monkeypatch, full_builds)


def test_config_change_takes_the_full_path(site_project: Path, cli: Callable[..., object],
                                           monkeypatch: pytest.MonkeyPatch,
                                           full_builds: list[int]) -> None:
    """The patch build reuses the last full build's config only for the very same settings."""
    adr_build(cli)
    append(site_project, "\nBody edit.\n")
    edit(site_project, 'title = "Fixture decisions"', 'title = "Renamed decisions"', "pyproject.toml")
    adr_build(cli)
    assert len(full_builds) == 2
    assert "Renamed decisions" in (site_project / "site/index.html").read_text()
    append(site_project, "\nAnother edit.\n")
    adr_build(cli)  # the new config is the snapshot's now
    assert len(full_builds) == 2
    assert_same_as_cold(site_project, cli, monkeypatch, full_builds)


def test_an_invalid_config_after_a_build_is_reported(site_project: Path, cli: Callable[..., object],
                                                     full_builds: list[int]) -> None:
    adr_build(cli)
    append(site_project, "\nBody edit.\n")
    edit(site_project, 'dir = "decisions"', 'dir = "decisions"\nwidth = 0', "pyproject.toml")
    result = cli("build", "--out", "site", "--quiet")
    assert result.exit_code != 0  # type: ignore[attr-defined]
    assert "width" in result.output  # type: ignore[attr-defined]


def test_loaded_key_names_the_settings_a_config_was_validated_from(site_project: Path) -> None:
    from adr_tool.config import Config, load_config
    from adr_tool.configfile import config_inputs, settings_key

    config = load_config(site_project)
    assert config.loaded_key() == settings_key(config_inputs(site_project))
    assert load_config(site_project, title="Other").loaded_key() != config.loaded_key()
    assert Config().loaded_key() is None
    config.site["mermaid_script"] = "m.js"  # changed after loading: no longer what was validated
    assert config.loaded_key() is None


def test_a_build_from_a_changed_config_leaves_no_config_to_reuse(
        site_project: Path, cli: Callable[..., object], full_builds: list[int]) -> None:
    """A library caller's config that differs from its file must not be taken for the file's."""
    import time

    from adr_tool.config import load_config
    from adr_tool.repository import load_repository
    from adr_tool.site.options import SiteOptions

    config = load_config(site_project)
    config.title = "Not what the file says"
    loaded_at = time.time_ns()
    repo = load_repository(site_project / "decisions", config=config)
    adr_tool.site.build_site(repo, SiteOptions(out=Path("site")), loaded_at=loaded_at)
    assert "Not what the file says" in (site_project / "site/index.html").read_text()
    append(site_project, "\nBody edit.\n")
    adr_build(cli)
    assert len(full_builds) == 2  # the library build, then a full one
    assert "Fixture decisions" in (site_project / "site/index.html").read_text()


def test_a_one_file_patch_leaves_the_snapshot_and_the_next_builds_stay_exact(
        site_project: Path, cli: Callable[..., object], monkeypatch: pytest.MonkeyPatch,
        full_builds: list[int]) -> None:
    """One file changed since the snapshot: it is not rewritten (the next build redoes that
    one file); two or more: it takes them in."""
    import time

    from adr_tool.site.snapshot import RACY_NS

    other = "decisions/DR-003-use-redis-queue.md"
    time.sleep(RACY_NS / 1e9 + 0.2)  # copied files this young get no signature: all would count
    adr_build(cli)
    saved = snapshot_path(site_project).read_bytes()
    for round_ in range(2):
        append(site_project, f"\nEdit {round_}.\n")
        adr_build(cli)
        assert snapshot_path(site_project).read_bytes() == saved
        assert_same_as_cold(site_project, cli, monkeypatch, full_builds)
    append(site_project, "\nAnother record's edit.\n", other)
    adr_build(cli)
    assert snapshot_path(site_project).read_bytes() != saved
    saved = snapshot_path(site_project).read_bytes()
    assert_same_as_cold(site_project, cli, monkeypatch, full_builds)
    append(site_project, "\nAnd the first again.\n")
    adr_build(cli)
    assert_same_as_cold(site_project, cli, monkeypatch, full_builds)
    assert full_builds == [1]


def test_the_replaced_tree_is_patched_next_time_whatever_was_done_to_it(
        site_project: Path, cli: Callable[..., object], monkeypatch: pytest.MonkeyPatch,
        full_builds: list[int], tmp_path: Path) -> None:
    """A patch build keeps the tree it replaced in the cache folder and patches it the next
    time; what it keeps must be exactly the right cache entries, and nothing it finds there
    may lead it out of the folder."""
    from adr_tool.site.snapshot import SPARE

    spare = snapshot_path(site_project).parent / SPARE
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("untouched\n", encoding="utf-8")
    adr_build(cli)
    append(site_project, "\nEdit 1.\n")
    adr_build(cli)
    assert (spare / "index.html").is_file()  # the full build's tree
    assert_same_as_cold(site_project, cli, monkeypatch, full_builds)
    # damage the spare every way: a changed copy, a missing file, extras, symlinks out
    page = spare / "records" / "dr-001.html"
    text = page.read_text(encoding="utf-8")
    page.unlink()
    page.write_text(text.replace("<", "<!-- planted -->", 1), encoding="utf-8")
    (spare / "tags").rename(spare / "tags-moved")
    (spare / "search.html").unlink()
    (spare / "extra.html").write_text("planted\n", encoding="utf-8")
    (spare / "extra-folder" / "deep").mkdir(parents=True)
    (spare / "extra-folder" / "deep" / "x.html").write_text("planted\n", encoding="utf-8")
    (spare / "records" / "dr-002.html").unlink()
    (spare / "records" / "dr-002.html").symlink_to(outside / "keep.txt")
    shutil.rmtree(spare / "assets")
    (spare / "assets").symlink_to(outside, target_is_directory=True)
    append(site_project, "\nEdit 2.\n")
    adr_build(cli)
    assert full_builds == [1]
    site = site_project / "site"
    assert not any(p.is_symlink() for p in site.rglob("*"))
    assert sorted(p.name for p in site.iterdir() if p.is_dir()) == ["areas", "assets", "badges",
                                                                   "media", "records", "status",
                                                                   "tags"]
    assert_same_as_cold(site_project, cli, monkeypatch, full_builds)
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "untouched\n"
    for round_ in range(2):  # and on top of a patched spare, the other record too
        append(site_project, f"\nEdit {round_ + 3}.\n", "decisions/DR-003-use-redis-queue.md")
        adr_build(cli)
        assert_same_as_cold(site_project, cli, monkeypatch, full_builds)
    assert full_builds == [1]
