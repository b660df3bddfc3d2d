"""The built site in real headless Chromium: lists, filters, search, links, no script from records."""

from __future__ import annotations

from pathlib import Path
import threading

import pytest

from adr_tool.site.scores import scoring_available

RECORD_IDS = {"0007", "DR-001", "DR-002", "DR-003", "DR-004", "DR-005",
              "DR-006\"><img src=x onerror=alert('id')>"}


def url(site: Path, rel: str) -> str:
    return (site / rel).as_uri()


def visible_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "#records tbody tr:not([hidden]) td.rid", "cells => cells.map(c => c.textContent.trim())")


def test_index_lists_every_record(built_site: Path, watched) -> None:
    watched.page.goto(url(built_site, "index.html"))
    assert set(visible_ids(watched.page)) == RECORD_IDS
    assert watched.errors == [] and watched.blocked == []


def test_status_and_tag_filters(built_site: Path, watched) -> None:
    page = watched.page
    page.goto(url(built_site, "index.html"))
    page.select_option("#filter-status", "superseded")
    assert visible_ids(page) == ["DR-003"]
    assert page.text_content("#filter-count") == "1 of 7 shown"
    page.select_option("#filter-status", "")
    page.select_option("#filter-tag", "queue")
    assert visible_ids(page) == ["DR-003", "DR-004"]
    page.select_option("#filter-tag", "")
    page.fill("#filter-text", "ana lima")
    assert visible_ids(page) == ["DR-001", "DR-004"]
    assert watched.errors == []


def test_sorting_by_date(built_site: Path, watched) -> None:
    page = watched.page
    page.goto(url(built_site, "index.html"))
    page.click("button[data-sort=date]")
    ids = visible_ids(page)
    assert ids[0] == "0007" and ids[-1] == "DR-005"
    page.click("button[data-sort=date]")
    assert visible_ids(page)[0] == "DR-005"


def test_search_finds_a_record_by_a_body_word(built_site: Path, watched) -> None:
    page = watched.page
    page.goto(url(built_site, "index.html"))
    page.fill(".search-form input[name=q]", "zanzibar")
    page.press(".search-form input[name=q]", "Enter")
    page.wait_for_url("**/search.html?q=zanzibar")
    results = page.locator("#search-results li a")
    assert results.count() == 1
    assert results.first.text_content() == "DR-002: Use PostgreSQL as the primary store"
    results.first.click()
    page.wait_for_url("**/records/dr-002.html")
    assert watched.errors == [] and watched.blocked == []


def test_click_through_to_a_record_page(built_site: Path, watched) -> None:
    page = watched.page
    page.goto(url(built_site, "index.html"))
    page.click("text=Move the job queue into PostgreSQL")
    page.wait_for_url("**/records/dr-004.html")
    assert "Move the job queue into PostgreSQL" in page.text_content("h1")
    page.click(".relations >> text=DR-003: Use Redis for the job queue")
    page.wait_for_url("**/records/dr-003.html")


def test_graph_nodes_link_to_records(built_site: Path, watched) -> None:
    page = watched.page
    page.goto(url(built_site, "graph.html"))
    hrefs = page.eval_on_selector_all("svg.graph a.node", "nodes => nodes.map(n => n.getAttribute('href'))")
    assert len(hrefs) == 7
    assert all(h.startswith("records/") and (built_site / h).is_file() for h in hrefs)
    page.click("svg.graph a.node[href='records/dr-002.html']")
    page.wait_for_url("**/records/dr-002.html")
    assert watched.errors == []


def test_score_chart_for_a_scored_record(built_site: Path, watched) -> None:
    if not scoring_available():
        pytest.skip("adr_tool.scoring is not installed yet")
    watched.page.goto(url(built_site, "records/dr-002.html"))
    assert watched.page.locator("svg.score-chart .bar").count() == 3


def test_every_page_loads_cleanly_offline(built_site: Path, watched) -> None:
    pages = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html")
                   if p.name != "404.html")
    for rel in pages:
        watched.page.goto(url(built_site, rel))
    assert watched.errors == [], watched.errors
    assert watched.blocked == []
    assert all(r.startswith("file://") for r in watched.requests)
    assert watched.xss() == []


def test_hostile_record_runs_no_script(built_site: Path, watched) -> None:
    page = watched.page
    for rel in ("records/dr-005.html", "records/dr-006-img-src-x-onerror-alert-id.html",
                "index.html", "graph.html", "tags/img-src-x-onerror-alert-tag.html"):
        page.goto(url(built_site, rel))
        for link in page.locator(".markdown a").all():
            link.dispatch_event("mouseover")
    page.goto(url(built_site, "search.html") + "?q=hostile")
    assert page.locator("#search-results li").count() >= 1
    assert watched.xss() == []
    assert watched.blocked == []


def test_served_site_reloads_itself_after_a_rebuild(tmp_path: Path, watched, monkeypatch) -> None:
    import shutil

    from adr_tool.site.serve import SiteServer, open_live_site

    project = tmp_path / "project"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "site_project", project)
    monkeypatch.chdir(project)
    live = open_live_site(project / "decisions")
    live.rebuild()
    server = SiteServer(live.out, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = watched.page
        # wait for the reload script's first poll, so it has seen version 1 before the rebuild
        with page.expect_response(lambda r: r.url.endswith("/__adr__/version")):
            page.goto(server.url + "records/dr-001.html")
        record = project / "decisions/DR-001-record-decisions.md"
        record.write_text(record.read_text().replace("title: Record architecture decisions",
                                                     "title: Record every decision"))
        live.rebuild()
        with page.expect_navigation(timeout=10_000):
            server.version += 1
        assert "Record every decision" in page.text_content("h1")
        assert watched.errors == [] and watched.blocked == []
        assert all(r.startswith(server.url) for r in watched.requests)
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(live.workdir, ignore_errors=True)
