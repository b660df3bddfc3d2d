"""XSS and unsafe-URL tests for the site: no script, no handler, no dangerous scheme survives."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
import shutil

import pytest

from adr_tool.repository import load_repository
from adr_tool.site import SiteOptions, build_site
from adr_tool.site.body import render_body, sanitise_html, url_scheme

FIXTURE = Path(__file__).parent / "fixtures" / "site_project"
OUR_SCRIPTS = {"assets/site.js", "assets/search.js", "search-index.js", "assets/reload.js",
               "assets/mermaid.js", "assets/mermaid-init.js"}
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "style", "base", "form", "frame",
                  "frameset", "meta", "link", "svg", "math"}
"""Tags a record must never produce (pages add their own meta/link/form/svg/script)."""


class _Audit(HTMLParser):
    """Collect every tag with its attributes (the parser sees what a browser would)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def audit(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Audit()
    parser.feed(html)
    return parser.tags


def unsafe_parts(html: str, root: str = "") -> list[str]:
    """Everything in a page that could run script."""
    problems = []
    for tag, attrs in audit(html):
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "xlink:href", "formaction") and value:
                scheme = url_scheme(value)
                if scheme not in (None, "http", "https", "mailto"):
                    problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            src = attrs.get("src") or ""
            if not src.startswith(root) or src[len(root):] not in OUR_SCRIPTS:
                problems.append(f"<script src={src!r}>")
        if tag in ("iframe", "object", "embed", "base", "frame"):
            problems.append(f"<{tag}>")
    return problems


@pytest.fixture
def hostile_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    monkeypatch.chdir(project)
    repo = load_repository(project / "decisions")
    build_site(repo, SiteOptions(out=project / "site"))
    return project / "site"


def test_no_page_of_the_hostile_fixture_can_run_script(hostile_site: Path) -> None:
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        root = "../" * (len(page.relative_to(hostile_site).parts) - 1)
        if page.name == "404.html":
            root = "/"
        assert unsafe_parts(page.read_text(encoding="utf-8"), root) == [], page


def test_hostile_record_page_escapes_every_field(hostile_site: Path) -> None:
    html = (hostile_site / "records/dr-005.html").read_text()
    assert "Hostile &lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; title" in html
    assert "&#34;&gt;&lt;svg onload=alert(&#39;owner&#39;)&gt;" in html
    assert "&lt;img src=x onerror=alert(&#39;tag&#39;)&gt;" in html
    body = html.split('<div class="markdown">', 1)[1].split("</div>", 1)[0]
    tags = {tag for tag, _ in audit(body)}
    assert not tags & DANGEROUS_TAGS, tags
    assert "&lt;script&gt;alert(&#x27;body&#x27;)&lt;/script&gt;" in body or "&lt;script&gt;" in body
    assert 'class="unsafe-image">[data image]' in body
    assert 'class="missing-image">[evil svg]' in body  # an SVG with script is not published
    assert 'class="missing-image">[outside]' in body  # ../../ leaves the records folder
    assert 'class="external-image" href="https://tracker.example.invalid/pixel.png"' in body


def test_svg_with_script_is_not_copied(hostile_site: Path) -> None:
    svgs = [p.read_text() for p in (hostile_site / "media").rglob("*.svg")]
    assert svgs and all("script" not in s and "onload" not in s for s in svgs)


def test_hostile_id_is_escaped_in_graph_and_index(hostile_site: Path) -> None:
    for rel in ("graph.html", "index.html", "timeline.html", "search-index.js"):
        text = (hostile_site / rel).read_text()
        assert "<img src=x onerror" not in text, rel


@pytest.mark.parametrize("markdown", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:image/png;base64,AAAA)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "<https://ok.example> <javascript:alert(1)>",
    "| a | <b onmouseover=alert(1)>b</b> |\n|---|---|\n| <iframe src=x> | `<script>` |",
    "```html\n<script>alert(1)</script>\n```",
    "<style>body{display:none}</style>",
    "[x][r]\n\n[r]: javascript:alert(1)",
])
def test_render_body_neutralises(markdown: str) -> None:
    html = render_body(markdown)
    assert unsafe_parts(html) == []
    assert not {tag for tag, _ in audit(html)} & DANGEROUS_TAGS


def test_sanitiser_drops_handlers_and_unknown_tags_from_raw_html() -> None:
    raw = ('<p onclick="x()">a<script>alert(1)</script><a href="javascript:x" onmouseover="y">b</a>'
           '<img src="data:image/png;base64,AA" onerror="z"><iframe src="https://x"></iframe></p>')
    out = sanitise_html(raw)
    assert unsafe_parts(out) == []
    assert "<script" not in out and "<iframe" not in out and "onclick" not in out
    assert '<a class="unsafe-link">b</a>' in out


@pytest.mark.parametrize(("url", "scheme"), [
    ("javascript:x", "javascript"), (" JaVa\tScRiPt:x", "javascript"), ("&#106;avascript:x", "javascript"),
    ("//evil.example/x", "https"), ("images/a.png", None), ("DR-001.md#x", None), ("#top", None),
    ("mailto:a@b.c", "mailto"), ("data:text/html,x", "data"),
])
def test_url_scheme_is_what_a_browser_sees(url: str, scheme: str | None) -> None:
    assert url_scheme(url) == scheme


def test_link_all_refuses_exactly_what_target_refuses(tmp_path: Path) -> None:
    """``StagingDir.link_all`` checks a whole list with one pattern; ``target`` is the reference."""
    import itertools

    from adr_tool.errors import AdrError
    from adr_tool.site.cache import ContentCache
    from adr_tool.site.writer import _UNSAFE_PATH, StagingDir

    staging = StagingDir(tmp_path / "staging", ContentCache(None))
    source = tmp_path / "source.html"
    source.write_text("x", encoding="utf-8")
    pieces = ["a", ".", "..", "/", "\\", "\0", "x.html", "b/"]
    for size in range(5):
        for combo in itertools.product(pieces, repeat=size):
            path = "".join(combo)
            try:
                staging.target(path)
            except AdrError:
                refused = True
            else:
                refused = False
            assert (_UNSAFE_PATH.search(path) is not None) == refused, repr(path)
            if refused:
                with pytest.raises(AdrError):
                    staging.link_all([(path, str(source))])
    staging.link_all([("records/dr-1.html", str(source)), ("index.html", str(source))])
    assert (tmp_path / "staging/records/dr-1.html").read_text(encoding="utf-8") == "x"
    assert staging.sources is not None and set(staging.sources) >= {"records/dr-1.html", "index.html"}
