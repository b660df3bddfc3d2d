"""Warm rebuilds reuse whole record pages only when that is correct.

A reused page must be byte-identical to what a build without any cache makes, whatever
changed in between: a body, a title the page shows, a file a body link points at, a
template, the site options.
"""

from __future__ import annotations

import json
from pathlib import Path
import shutil

import pytest

from adr_tool.repository import load_repository
from adr_tool.site import BuildResult, SiteOptions, build_site

FIXTURE = Path(__file__).parent / "fixtures" / "site_project"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "project"
    shutil.copytree(FIXTURE, folder)
    monkeypatch.chdir(folder)
    return folder


def build(project: Path, out: str = "site", cache: bool = True, **options: object) -> BuildResult:
    repo = load_repository(project / "decisions")
    return build_site(repo, SiteOptions(out=project / out, **options),  # type: ignore[arg-type]
                      cache_dir=cache)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_as_uncached(project: Path) -> None:
    """The cached site equals a site built from nothing."""
    build(project, out="fresh", cache=False)
    assert tree(project / "site") == tree(project / "fresh")
    shutil.rmtree(project / "fresh")


def test_unchanged_rebuild_reuses_every_record_page(project: Path) -> None:
    first = build(project)
    second = build(project)
    assert second.rendered == 0
    assert second.bodies_rendered == 0 and second.bodies_reused == first.records
    assert_same_as_uncached(project)


def test_a_file_that_appears_changes_the_page_that_links_to_it(project: Path) -> None:
    record = project / "decisions/DR-001-record-decisions.md"
    record.write_text(record.read_text() + "\n![later](images/later.png) [notes](notes.txt)\n")
    build(project)
    page = (project / "site/records/dr-001.html").read_text()
    assert 'class="missing-image">[later]' in page and 'class="dead-link"' in page

    (project / "decisions/images/later.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (project / "decisions/notes.txt").write_text("notes\n")
    result = build(project)
    assert "records/dr-001.html" in result.rendered_paths
    page = (project / "site/records/dr-001.html").read_text()
    assert 'src="../media/images/later.png"' in page and 'href="../media/notes.txt"' in page
    assert (project / "site/media/images/later.png").is_file()
    assert_same_as_uncached(project)

    (project / "decisions/notes.txt").unlink()
    result = build(project)
    assert "records/dr-001.html" in result.rendered_paths
    assert not (project / "site/media/notes.txt").exists()
    assert_same_as_uncached(project)


def test_a_reused_page_still_gets_its_media_copied(project: Path) -> None:
    build(project)
    result = build(project)
    assert "records/dr-002.html" not in result.rendered_paths  # reused whole
    assert (project / "site/media/images/schema.svg").is_file()


def test_a_title_change_rerenders_the_pages_that_show_it(project: Path) -> None:
    build(project)
    record = project / "decisions/DR-003-use-redis-queue.md"
    record.write_text(record.read_text().replace("title: Use Redis for the job queue",
                                                 "title: Use Redis streams"))
    result = build(project)
    assert {"records/dr-003.html", "records/dr-004.html", "index.html"} <= set(result.rendered_paths)
    assert "records/0007.html" not in result.rendered_paths
    assert "Use Redis streams" in (project / "site/records/dr-004.html").read_text()
    assert_same_as_uncached(project)


def test_a_status_change_rerenders_linking_pages(project: Path) -> None:
    build(project)
    record = project / "decisions/DR-003-use-redis-queue.md"
    text = record.read_text()
    status = next(line for line in text.splitlines() if line.startswith("status:"))
    record.write_text(text.replace(status, "status: deprecated"))
    build(project)
    assert_same_as_uncached(project)


def test_site_options_and_templates_invalidate_reused_pages(project: Path) -> None:
    build(project)
    result = build(project, title="Another title")
    assert result.rendered >= result.records
    assert "Another title" in (project / "site/records/dr-001.html").read_text()

    override = project / "templates/site"
    override.mkdir(parents=True)
    shipped = Path(__file__).parents[1] / "templates/site/record.html.j2"
    (override / "record.html.j2").write_text(shipped.read_text().replace(
        '<article class="record">', '<article class="record custom">'))
    result = build(project)
    assert 'class="record custom"' in (project / "site/records/dr-001.html").read_text()


def test_a_deleted_record_disappears_and_others_are_reused(project: Path) -> None:
    build(project)
    (project / "decisions/DR-006-odd-id.md").unlink()
    build(project)
    assert_same_as_uncached(project)


@pytest.mark.parametrize("damage", ["garbage", "bad entries", "path as page key"])
def test_a_damaged_plan_manifest_is_a_miss(project: Path, damage: str) -> None:
    build(project)
    from adr_tool.site.build import default_cache_dir

    manifest = default_cache_dir(project / "site") / "plans.manifest"
    data = manifest.read_bytes()
    assert data.startswith(b"adr-manifest-1\n")
    if damage == "garbage":
        manifest.write_bytes(b"\x1e\x1f not a manifest")
    elif damage == "bad entries":  # keys kept, values broken: every lookup hits, none is used
        manifest.write_bytes(b"\x1e".join(chunk.partition(b"\x1f")[0] + b"\x1fnot json\0"
                                           for chunk in data.split(b"\x1e")))
    else:  # a page key that walks out of the cache must not pull that file into the site
        secret = project / "secret.txt"
        secret.write_text("do not publish\n")
        chunks = []
        for chunk in data.split(b"\x1e"):
            key, sep, value = chunk.partition(b"\x1f")
            if sep:
                head, _, doc = value.partition(b"\0")
                plan = json.loads(head)
                plan[0] = "../" * 8 + str(secret).lstrip("/")
                value = json.dumps(plan).encode() + b"\0" + doc
            chunks.append(key + sep + value)
        manifest.write_bytes(b"\x1e".join(chunks))
    build(project)
    assert_same_as_uncached(project)
    assert manifest.read_bytes().startswith(b"adr-manifest-1\n")  # rewritten whole
    assert not any(b"do not publish" in p.read_bytes() for p in (project / "site").rglob("*") if p.is_file())
