"""`adr serve`: serves only the site folder, refuses traversal, rebuilds on change."""

from __future__ import annotations

from collections.abc import Iterator
import http.client
import os
from pathlib import Path
import shutil
import threading

import pytest

from adr_tool.site.serve import SiteServer, open_live_site, run_server

FIXTURE = Path(__file__).parent / "fixtures" / "site_project"


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    monkeypatch.chdir(project)
    site = open_live_site(project / "decisions")
    site.rebuild()
    yield site
    shutil.rmtree(site.workdir, ignore_errors=True)


@pytest.fixture
def server(live) -> Iterator[SiteServer]:
    srv = SiteServer(live.out, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def get(srv: SiteServer, path: str) -> tuple[int, bytes]:
    """Send *path* exactly as given (no client-side normalisation)."""
    conn = http.client.HTTPConnection(*srv.server_address[:2], timeout=5)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def test_serves_index_and_records(server: SiteServer) -> None:
    status, body = get(server, "/")
    assert status == 200 and b"<h1>Decisions</h1>" in body
    status, body = get(server, "/records/dr-002.html")
    assert status == 200 and b"Use PostgreSQL as the primary store" in body
    assert b'<script src="../assets/reload.js"></script>' in body
    status, body = get(server, "/assets/reload.js")
    assert status == 200 and b"/__adr__/version" in body


@pytest.mark.parametrize("path", [
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/records/..%2f..%2f..%2fetc%2fpasswd",
    "/..\\..\\etc\\passwd",
    "/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
    "//etc/passwd",
])
def test_path_traversal_is_refused(server: SiteServer, path: str) -> None:
    status, body = get(server, path)
    assert status == 404
    assert b"root:" not in body


def test_symlink_out_of_the_site_is_not_followed(server: SiteServer, live, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    os.symlink(secret, live.out / "leak.txt")
    status, body = get(server, "/leak.txt")
    assert status == 404 and b"top secret" not in body


def test_no_directory_listing_and_404_page(server: SiteServer) -> None:
    status, body = get(server, "/records/")
    assert status == 404 and b"dr-001.html" not in body
    status, body = get(server, "/no-such-page.html")
    assert status == 404 and b"Page not found" in body


def test_version_endpoint(server: SiteServer) -> None:
    assert get(server, "/__adr__/version") == (200, b"1")
    server.version += 1
    assert get(server, "/__adr__/version") == (200, b"2")


def test_rebuild_after_an_edit_reparses_only_that_file(live, server: SiteServer) -> None:
    assert not live.loader.changed()
    record = Path("decisions/DR-001-record-decisions.md")
    record.write_text(record.read_text().replace("Record architecture decisions",
                                                 "Record every architecture decision"))
    assert live.loader.changed()
    result = live.rebuild()
    assert live.loader.reparsed == 1
    assert "records/dr-001.html" in result.rendered_paths
    assert "records/0007.html" not in result.rendered_paths
    status, body = get(server, "/records/dr-001.html")
    assert status == 200 and b"Record every architecture decision" in body
    assert not live.loader.changed()


def test_run_server_builds_serves_and_stops(tmp_path: Path, monkeypatch) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    monkeypatch.chdir(project)
    lines: list[str] = []
    run_server(project / "decisions", host="127.0.0.1", port=0, echo=lines.append, max_polls=1)
    assert lines[0].startswith("built 24 pages")
    assert lines[1].startswith("serving http://127.0.0.1:")


def test_busy_port_is_a_one_line_error(live) -> None:
    from adr_tool.errors import AdrError

    first = SiteServer(live.out, "127.0.0.1", 0)
    try:
        with pytest.raises(AdrError, match="already in use"):
            SiteServer(live.out, "127.0.0.1", first.server_address[1])
    finally:
        first.server_close()
