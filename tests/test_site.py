"""`adr build`: pages (golden files), links, determinism, atomicity, incremental cache, CLI."""

from __future__ import annotations

from html.parser import HTMLParser
import os
from pathlib import Path
import shutil
from urllib.parse import unquote, urlsplit

import pytest

from adr_tool.errors import AdrError
from adr_tool.repository import load_repository
from adr_tool.site import SiteOptions, build_site
from adr_tool.site.paths import SITE_MARKER

FIXTURE = Path(__file__).parent / "fixtures" / "site_project"
CORPORA = Path(os.environ.get("ADR_CORPORA", Path(__file__).parents[1].parent / "shared" / "corpora"))


@pytest.fixture
def site_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture project in a temp folder, as the working directory."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    monkeypatch.chdir(project)
    return project


def build(project: Path, out: str = "site", **kwargs: object):
    repo = load_repository(project / "decisions")
    return build_site(repo, SiteOptions(out=project / out), **kwargs)  # type: ignore[arg-type]


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- pages --------------------------------------------------------------------------


@pytest.mark.parametrize("page", [
    "index.html", "records/dr-002.html", "records/dr-004.html", "records/0007.html",
    "graph.html", "timeline.html", "tags/queue.html", "feed.xml",
])
def test_page_matches_golden(site_project: Path, file_regression, page: str) -> None:
    build(site_project)
    text = (site_project / "site" / page).read_text(encoding="utf-8")
    file_regression.check(text, basename=page.replace("/", "__").replace(".", "_"),
                          extension="." + page.rsplit(".", 1)[1])


def test_site_has_every_kind_of_page(site_project: Path) -> None:
    result = build(site_project)
    site = site_project / "site"
    for rel in ("index.html", "graph.html", "timeline.html", "search.html", "404.html",
                "tags/index.html", "status/accepted.html", "areas/backend.html",
                "tags/database.html", "feed.xml", "sitemap.xml", "search-index.js",
                "badges/log.svg", "badges/dr-002.svg", "assets/style.css", "assets/site.js",
                "media/images/schema.svg", SITE_MARKER):
        assert (site / rel).is_file(), rel
    assert result.records == 7
    assert result.index == site / "index.html"
    log_badge = (site / "badges/log.svg").read_text()
    assert "4 accepted" in log_badge and "1 proposed" in log_badge


def test_record_page_shows_relations_both_ways(site_project: Path) -> None:
    build(site_project)
    dr2 = (site_project / "site/records/dr-002.html").read_text()
    assert 'href="../records/dr-001.html"' in dr2  # requires
    assert "required by" in dr2 and 'href="../records/dr-004.html"' in dr2
    assert 'href="../areas/backend.html"' in dr2  # affects
    assert "primary-store" in dr2  # provides
    assert 'href="https://git.example.invalid/team/fixture/edit/main/decisions/DR-002-use-postgres.md"' in dr2
    dr3 = (site_project / "site/records/dr-003.html").read_text()
    assert "superseded by" in dr3 and 'href="../records/dr-004.html"' in dr3
    dr1 = (site_project / "site/records/dr-001.html").read_text()
    assert "Linked from" in dr1  # DR-002 links to DR-001's file in its body


def test_body_links_images_code_and_mermaid(site_project: Path) -> None:
    build(site_project)
    dr2 = (site_project / "site/records/dr-002.html").read_text()
    assert 'href="../records/dr-001.html#decision"' in dr2  # link to a record file -> its page
    assert 'src="../media/images/schema.svg"' in dr2
    assert '<a class="dead-link" title="not part of this site">missing note</a>' in dr2
    assert '<pre class="highlight"><code class="language-python">' in dr2
    assert 'class="language-mermaid">graph TD; api--&gt;postgres' in dr2  # readable code
    assert "<h1>Use PostgreSQL" not in dr2  # the body's own H1 is replaced by the page title


def test_mermaid_script_when_configured(site_project: Path) -> None:
    (site_project / "tools").mkdir()
    (site_project / "tools/mermaid.min.js").write_text("window.mermaid = {initialize() {}};\n")
    pyproject = site_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.adr.site]\nmermaid_script = "tools/mermaid.min.js"\n')
    build(site_project)
    dr2 = (site_project / "site/records/dr-002.html").read_text()
    assert '<pre class="mermaid">graph TD; api--&gt;postgres' in dr2
    assert '<script src="../assets/mermaid.js"></script>' in dr2
    assert (site_project / "site/assets/mermaid.js").read_text().startswith("window.mermaid")


def test_search_index_is_a_script_with_body_text(site_project: Path) -> None:
    build(site_project)
    js = (site_project / "site/search-index.js").read_text()
    assert js.startswith("window.ADR_SEARCH_INDEX = [")
    assert "zanzibar" in js  # a word only found in DR-002's code block
    search = (site_project / "site/search.html").read_text()
    assert '<script src="search-index.js"></script>' in search


# --- links ---------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value is not None:
                self.urls.append(value)


def broken_links(site: Path) -> list[str]:
    """Every internal link or asset of every page that does not resolve to a file."""
    broken = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html":
            continue  # links there are rooted at --base-url on purpose
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for url in parser.urls:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//") or not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                broken.append(f"{page.relative_to(site)} -> {url}")
    return broken


def test_every_internal_link_resolves(site_project: Path) -> None:
    build(site_project)
    assert broken_links(site_project / "site") == []


def test_no_absolute_or_external_asset_urls(site_project: Path) -> None:
    build(site_project)
    for page in (site_project / "site").rglob("*.html"):
        if page.name == "404.html":
            continue
        parser = _Links()
        parser.feed(page.read_text())
        for url in parser.urls:
            assert not url.startswith("/"), (page, url)
        text = page.read_text()
        assert "<img src=\"http" not in text and "<script src=\"http" not in text


# --- determinism, atomicity, incremental --------------------------------------------


def test_rebuild_is_byte_identical(site_project: Path, tmp_path: Path) -> None:
    build(site_project, "site", cache_dir=False)
    first = tree_bytes(site_project / "site")
    shutil.rmtree(site_project / "site")
    build(site_project, "site")  # with a cache this time
    build(site_project, "site")  # and from it
    assert tree_bytes(site_project / "site") == first


def test_output_does_not_depend_on_working_directory(site_project: Path, monkeypatch) -> None:
    build(site_project, "site")
    here = tree_bytes(site_project / "site")
    monkeypatch.chdir(site_project.parent)
    build(site_project, "site")
    assert tree_bytes(site_project / "site") == here


def test_failure_mid_build_leaves_previous_site(site_project: Path) -> None:
    build(site_project)
    before = tree_bytes(site_project / "site")
    override = site_project / "templates/site/record.html.j2"
    override.parent.mkdir(parents=True)
    shipped = (Path(__file__).parents[1] / "templates/site/record.html.j2").read_text()
    override.write_text(shipped.replace(
        "{% block main %}", '{% block main %}{% if record.entry.id == "DR-004" %}{{ no_such_value }}{% endif %}'))
    with pytest.raises(AdrError, match=r"record\.html\.j2 failed while rendering records/dr-004\.html"):
        build(site_project)
    assert tree_bytes(site_project / "site") == before
    leftovers = [p.name for p in site_project.iterdir() if p.name.startswith(".site")]
    assert leftovers == []


def test_user_template_overrides_shipped_one(site_project: Path) -> None:
    override = site_project / "templates/site/404.html.j2"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "base.html.j2" %}{% block main %}<p>Our own 404</p>{% endblock %}')
    build(site_project)
    assert "<p>Our own 404</p>" in (site_project / "site/404.html").read_text()


def test_incremental_rebuild_renders_only_what_changed(site_project: Path) -> None:
    first = build(site_project)
    assert first.reused == 0 and first.bodies_rendered == 7
    second = build(site_project)
    assert (second.rendered, second.bodies_rendered) == (0, 0)
    assert second.reused == first.rendered and second.bodies_reused == 7

    record = site_project / "decisions/DR-003-use-redis-queue.md"
    record.write_text(record.read_text() + "\nWorkers retry three times.\n")
    third = build(site_project)
    assert third.bodies_rendered == 1
    assert set(third.rendered_paths) == {"records/dr-003.html", "feed.xml"}  # feed has summaries

    record.write_text(record.read_text().replace("title: Use Redis for the job queue", "title: Use Redis lists"))
    fourth = build(site_project)
    assert "records/dr-003.html" in fourth.rendered_paths
    assert "records/dr-004.html" in fourth.rendered_paths  # shows DR-003's title
    assert "index.html" in fourth.rendered_paths
    assert "records/dr-001.html" not in fourth.rendered_paths
    assert "records/0007.html" not in fourth.rendered_paths
    assert fourth.bodies_rendered == 0  # the body did not change


def test_cache_folder_is_deletable(site_project: Path) -> None:
    build(site_project)
    assert not (site_project / ".adr-cache").exists()  # nothing beside the site a PR could plant
    from adr_tool.site.build import default_cache_dir

    cache = default_cache_dir(site_project / "site")
    assert cache.is_dir()
    shutil.rmtree(cache)
    before = tree_bytes(site_project / "site")
    result = build(site_project)
    assert result.reused == 0
    assert tree_bytes(site_project / "site") == before


# --- where it may write ---------------------------------------------------------------


@pytest.mark.parametrize("out", ["decisions", ".", ".."])
def test_refuses_records_folder_or_a_parent(site_project: Path, out: str) -> None:
    repo = load_repository(site_project / "decisions")
    with pytest.raises(AdrError, match="refusing"):
        build_site(repo, SiteOptions(out=site_project / out))
    assert (site_project / "decisions/DR-001-record-decisions.md").is_file()


def test_refuses_to_replace_a_folder_it_did_not_build(site_project: Path) -> None:
    docs = site_project / "docs"
    docs.mkdir()
    (docs / "notes.txt").write_text("keep me")
    with pytest.raises(AdrError, match="not built by adr"):
        build(site_project, "docs")
    assert (docs / "notes.txt").read_text() == "keep me"


def test_hostile_ids_become_safe_file_names(site_project: Path) -> None:
    build(site_project)
    names = [p.name for p in (site_project / "site/records").iterdir()]
    assert all(n.replace("-", "").replace(".", "").isalnum() for n in names), names
    assert "dr-006-img-src-x-onerror-alert-id.html" in names
    outside = set(site_project.parent.iterdir())
    assert outside == {site_project}  # nothing written next to the project


# --- CLI -------------------------------------------------------------------------------


def test_cli_build_prints_index_path(site_project: Path, cli) -> None:
    result = cli("build", "--out", "public", "--title", "Our <decisions>")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "public/index.html"
    assert "built 24 pages for 7 records" in result.stderr
    index = (site_project / "public/index.html").read_text()
    assert "<title>Decisions · Our &lt;decisions&gt;</title>" in index


def test_cli_build_quiet_prints_only_the_path(site_project: Path, cli) -> None:
    result = cli("build", "--quiet")
    assert result.exit_code == 0, result.output
    assert (result.stdout, result.stderr) == ("site/index.html\n", "")


def test_cli_build_refuses_records_folder(site_project: Path, cli) -> None:
    result = cli("build", "--out", "decisions")
    assert result.exit_code == 1
    assert "refusing to build into decisions" in result.stderr


def test_cli_build_base_url_goes_into_feed_and_sitemap(site_project: Path, cli) -> None:
    result = cli("build", "--base-url", "https://example.invalid/adr", "--quiet")
    assert result.exit_code == 0, result.output
    sitemap = (site_project / "site/sitemap.xml").read_text()
    assert "<loc>https://example.invalid/adr/records/dr-001.html</loc>" in sitemap
    feed = (site_project / "site/feed.xml").read_text()
    assert '<link rel="self" href="https://example.invalid/adr/feed.xml"/>' in feed
    index = (site_project / "site/index.html").read_text()
    assert "example.invalid/adr" not in index  # pages stay relative


def test_build_date_comes_from_source_date_epoch(site_project: Path, monkeypatch) -> None:
    build(site_project)
    assert "<updated>2026-01-01T00:00:00Z</updated>" in (site_project / "site/feed.xml").read_text()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    build(site_project)  # no clock: the newest record date
    assert "<updated>2024-07-01T00:00:00Z</updated>" in (site_project / "site/feed.xml").read_text()


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora not present")
def test_every_corpus_builds_with_resolving_links(tmp_path: Path) -> None:
    for corpus in sorted(p for p in CORPORA.iterdir() if p.is_dir()):
        repo = load_repository(corpus)
        out = tmp_path / corpus.name
        result = build_site(repo, SiteOptions(out=out), cache_dir=tmp_path / "cache" / corpus.name)
        assert result.records == len({r.id for r in repo.records}), corpus.name
        assert broken_links(out) == [], corpus.name
    assert os.listdir(tmp_path)
