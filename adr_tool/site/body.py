"""Record Markdown -> safe HTML for the site: sanitise, highlight code, rewrite links.

``adr_tool.markdown.render_html`` already escapes raw HTML. This module is the second line
of defence and the site-specific part:

1. ``render_body`` re-serialises the HTML through an allow-list (tags and attributes the
   Markdown renderer can emit), drops every URL whose scheme is not http, https, mailto or
   tel (``javascript:``, ``data:``, ``vbscript:``, ``file:``...), turns table alignment
   styles into classes (a strict CSP forbids inline styles), and highlights fenced code with
   Pygments. It depends only on the Markdown text, so its result is cached by content hash.
2. ``rewrite_links`` maps relative links per build: record files -> record pages, images and
   files inside the records folder -> copied media, anything else -> a dead link without
   ``href``; external images become plain links (no request ever leaves the page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
import html
from html.parser import HTMLParser
import re
from typing import Any

from adr_tool.markdown import render_html

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_ALLOWED: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "ol": frozenset({"start"}),
    "ul": frozenset({"class"}),
    "li": frozenset({"class"}),
    "input": frozenset({"type", "checked", "class"}),
    "th": frozenset({"style"}),
    "td": frozenset({"style"}),
    **{t: frozenset() for t in (
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "em", "strong", "s", "del",
        "table", "thead", "tbody", "tr", "hr", "br", "sup", "sub",
    )},
}
_VOID = frozenset({"img", "input", "hr", "br"})
_CLASS_OK = re.compile(r"^[A-Za-z0-9 _+#.-]{0,80}$")
_ALIGN = re.compile(r"^text-align:\s*(left|right|center)$")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_FAST_TAG = re.compile(r'<([a-z][a-z0-9]*)((?: [a-z][a-z-]*(?:="[^"<>]*")?)*)( /)?>')
"""A start tag as markdown-it writes it: (name, attributes, " /")."""
_NOT_A_TAG = re.compile(
    r'<(?![a-z][a-z0-9]*(?: [a-z][a-z-]*(?:="[^"<>]*")?)*(?: /)?>|/[a-z][a-z0-9]*>)')
"""A ``<`` that does not open a tag of markdown-it's strict grammar."""
_TAG_NAME = re.compile(r"<(/?[a-z][a-z0-9]*)")
_SELF_CLOSED = re.compile(r"<(?!(?:br|hr|img|input)[ >])[a-z][a-z0-9]*[^>]* />")
"""``<p />``: HTMLParser opens and closes it at once; left to the slow path."""
_ODD_REFERENCE = re.compile(r"&(?!(?:amp|lt|gt|quot);)")
_QUOT_IN_TAG = re.compile(r"<[^>]*&quot;")
_REWRITE = re.compile(r"<[a-z][a-z0-9]* [^>]*>|<input>|&quot;")
"""What the sanitiser changes in strict-grammar input: tags with attributes or " /", and
``&quot;`` in text."""
_REWRITE_TAGS = re.compile(r"<[a-z][a-z0-9]* [^>]*>|<input>")
_PLAIN_LINK = re.compile(r'<a href="([^"]*)">')
_FAST_ATTR = re.compile(r' ([a-z][a-z-]*)(?:(=)"([^"]*)")?')


def url_scheme(url: str) -> str | None:
    """The scheme of *url* the way a browser sees it (control characters ignored), or None."""
    cleaned = _CONTROL.sub("", html.unescape(url)).casefold()
    if cleaned.startswith("//"):
        return "https"
    match = _SCHEME.match(cleaned)
    return match.group(1) if match else None


def is_safe_url(url: str) -> bool:
    """Tell whether *url* is relative or uses a scheme that cannot run code."""
    scheme = url_scheme(url)
    return scheme is None or scheme in SAFE_SCHEMES


class _Sanitiser(HTMLParser):
    """Re-serialise renderer output keeping only allow-listed tags, attributes and URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._open: list[str] = []
        self._dropped_a = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        allowed = _ALLOWED.get(tag)
        if allowed is None:
            return
        kept: list[tuple[str, str]] = []
        classes: list[str] = []
        for name, value in attrs:
            if name not in allowed or (value is None and name != "checked"):
                continue
            value = value or ""
            if name in ("href", "src") and not is_safe_url(value):
                if tag == "img":
                    alt = next((v for n, v in attrs if n == "alt" and v), "image")
                    self.out.append(f'<span class="unsafe-image">[{html.escape(alt)}]</span>')
                    return
                classes.append("unsafe-link")
                continue
            if name == "style":
                match = _ALIGN.match(value.strip())
                if match:
                    classes.append(f"align-{match.group(1)}")
                continue
            if name == "class" and not _CLASS_OK.match(value):
                continue
            if name == "type" and value != "checkbox":
                continue
            kept.append((name, value))
        if tag == "input":
            kept.append(("disabled", ""))
        if classes:
            kept.append(("class", " ".join(classes)))
        rendered = "".join(
            f' {n}="{html.escape(v, quote=True)}"' if v or n not in ("checked", "disabled") else f" {n}"
            for n, v in kept
        )
        self.out.append(f"<{tag}{rendered}>")
        if tag not in _VOID:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self._open and self._open[-1] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _ALLOWED and tag not in _VOID and tag in self._open:
            while self._open:
                top = self._open.pop()
                self.out.append(f"</{top}>")
                if top == tag:
                    break

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))

    def close_all(self) -> str:
        self.close()
        while self._open:
            self.out.append(f"</{self._open.pop()}>")
        return "".join(self.out)


def _start_tag(tag: str, attrs: str) -> str:
    """What ``handle_starttag`` writes for ``<tag{attrs}>``, attributes parsed as HTMLParser does."""
    parsed: list[tuple[str, str | None]] = [
        (name, (html.unescape(value) if value else "") if eq else None)
        for name, eq, value in _FAST_ATTR.findall(attrs)
    ]
    probe = _Sanitiser()
    probe.handle_starttag(tag, parsed)
    return "".join(probe.out)


_TAG_MEMO: dict[str, str] = {}
_TAG_MEMO_LIMIT = 4096
"""Start tags with attributes repeat a lot (``<td style="text-align:right">``); their output
depends on the tag text alone."""


def sanitise_html(fragment: str) -> str:
    """Keep only the allow-listed structure of an HTML fragment.

    Markdown output takes :func:`_fast_sanitise` (~30x cheaper than ``HTMLParser``, same
    bytes out); anything else goes through the parser.
    """
    fast = _fast_sanitise(fragment)
    if fast is not None:
        return fast
    parser = _Sanitiser()
    parser.feed(fragment)
    return parser.close_all()


def _fast_sanitise(fragment: str) -> str | None:
    """The sanitiser's output for markdown-it's own HTML, or None when *fragment* is not that.

    It applies when the fragment is in the strict grammar markdown-it emits with raw HTML
    off: every ``<`` opens an allow-listed tag written ``<tag>``, ``<tag a="v" b>``,
    ``<tag />`` (void tags only) or ``</tag>`` (lower case, single spaces, no ``<``, ``>``
    or ``"`` in values); tags nest properly and all close; text has no bare ``>`` and its
    only character references are ``&amp; &lt; &gt; &quot;``. For such input ``_Sanitiser``
    copies plain tags and text unchanged except ``&quot;`` (written back as ``"``), so only
    tags with attributes (and ``<br />`` forms) are re-serialised, each by the same
    ``handle_starttag``. tests/test_site_body.py checks that both paths agree.
    """
    if (_NOT_A_TAG.search(fragment) or _ODD_REFERENCE.search(fragment)
            or fragment.count("<") != fragment.count(">")):
        return None
    stack: list[str] = []
    push = stack.append
    pop = stack.pop
    for name in _TAG_NAME.findall(fragment):
        if name[0] == "/":
            if not stack or pop() != name[1:]:
                return None
        elif name not in _ALLOWED:
            return None
        elif name not in _VOID:
            push(name)
    if stack or _SELF_CLOSED.search(fragment):
        return None
    if _QUOT_IN_TAG.search(fragment):
        return _REWRITE.sub(_rewrite, fragment)
    return _REWRITE_TAGS.sub(_rewrite, fragment.replace("&quot;", '"'))


def _rewrite(match: re.Match[str]) -> str:
    whole = match.group(0)
    if whole == "&quot;":
        return '"'
    start = _TAG_MEMO.get(whole)
    if start is not None:
        return start
    link = _PLAIN_LINK.fullmatch(whole)
    if link is not None:
        url = html.unescape(link.group(1))
        if is_safe_url(url):  # handle_starttag("a", [("href", url)]) inlined: links are unique
            return f'<a href="{html.escape(url, quote=True)}">'
    parts = _FAST_TAG.fullmatch(whole)
    assert parts is not None  # _NOT_A_TAG found no other kind of tag
    start = _start_tag(parts.group(1), parts.group(2))
    if len(_TAG_MEMO) >= _TAG_MEMO_LIMIT:
        _TAG_MEMO.clear()
    _TAG_MEMO[whole] = start
    return start


_CODE_BLOCK = re.compile(r'<pre><code class="language-([^"]+)">(.*?)</code></pre>', re.DOTALL)


def highlight_code(fragment: str, *, mermaid: bool = False) -> str:
    """Highlight fenced code blocks with Pygments; keep ``mermaid`` blocks readable."""

    def replace(match: re.Match[str]) -> str:
        lang = match.group(1).split()[0].casefold()
        code = html.unescape(match.group(2))
        if lang == "mermaid":
            if mermaid:
                return f'<pre class="mermaid">{html.escape(code, quote=False)}</pre>'
            return (f'<figure class="diagram-source"><figcaption>Mermaid diagram (source)'
                    f'</figcaption><pre><code class="language-mermaid">{match.group(2)}</code></pre>'
                    f"</figure>")
        highlighted = _pygments(lang, code)
        if highlighted is None:
            return match.group(0)
        return f'<pre class="highlight"><code class="language-{html.escape(lang)}">{highlighted}</code></pre>'

    return _CODE_BLOCK.sub(replace, fragment)


def _pygments(lang: str, code: str) -> str | None:
    """Highlighted HTML of *code*, or None for an unknown language (memoised per build)."""
    key = (lang, code)
    if key in _HIGHLIGHTED:
        return _HIGHLIGHTED[key]
    lexer = _lexer(lang)
    out: str | None = None
    if lexer is not None:
        from pygments import highlight

        out = highlight(code, lexer, _formatter())
    if len(_HIGHLIGHTED) >= _HIGHLIGHT_MEMO_LIMIT:
        _HIGHLIGHTED.clear()
    _HIGHLIGHTED[key] = out
    return out


_HIGHLIGHTED: dict[tuple[str, str], str | None] = {}
_HIGHLIGHT_MEMO_LIMIT = 2048
"""Records repeat snippets (config examples); highlighting costs ~1 ms per block."""


@lru_cache(maxsize=256)
def _lexer(lang: str) -> Any:
    """One lexer per language name: the lookup walks every lexer Pygments has (~1 ms)."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=1)
def _formatter() -> Any:
    """The one HtmlFormatter: building it computes a whole style sheet (~2 ms)."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


def render_body(text: str, *, mermaid: bool = False) -> str:
    """Render a record body to safe, highlighted HTML (cacheable: depends on *text* only).

    A leading level-1 heading is dropped: the page shows the record's title above the body.
    """
    out = add_heading_ids(highlight_code(sanitise_html(render_html(text)), mermaid=mermaid))
    if out.startswith("<h1"):
        end = out.find("</h1>")
        if end != -1:
            out = out[end + len("</h1>"):].lstrip("\n")
    return out


_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)


def add_heading_ids(fragment: str) -> str:
    """Give every heading a GitHub-style ``id`` so ``record.md#decision`` links land."""
    from adr_tool.site.paths import slugify

    seen: dict[str, int] = {}

    def replace(match: re.Match[str]) -> str:
        level, inner = match.groups()
        text = plain_text(inner)
        base = slugify(text) if text else "section"
        count = seen.get(base, 0)
        seen[base] = count + 1
        anchor = base if count == 0 else f"{base}-{count}"
        return f'<h{level} id="{anchor}">{inner}</h{level}>'

    return _HEADING.sub(replace, fragment)


# --- per-build link rewriting ----------------------------------------------------------

_LINK_ATTR = re.compile(r'<(a|img) (href|src)="([^"]*)"([^>]*)>')
_ALT = re.compile(r'alt="([^"]*)"')


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """Where a relative link of a record body goes in the site."""

    href: str | None
    """Page-relative URL, or None for a dead link (shown without href)."""
    external: bool = False


Resolver = Callable[[str, bool], LinkTarget]
"""(raw url, is image) -> target. Supplied by the model, which knows records and files."""


def rewrite_links(fragment: str, resolve: Resolver) -> str:
    """Point every link and image of a sanitised body at its place in the site."""

    def replace(match: re.Match[str]) -> str:
        tag, _attr, raw, rest = match.groups()
        url = html.unescape(raw)
        target = resolve(url, tag == "img")
        if tag == "img":
            if target.href is None or target.external:
                alt_match = _ALT.search(rest)
                alt = alt_match.group(1) if alt_match else ""
                label = alt or "image"
                if target.external and target.href is not None:
                    return (f'<a class="external-image" href="{html.escape(target.href)}">'
                            f"{label} (external image)</a>")
                return f'<span class="missing-image">[{label}]</span>'
            return f'<img src="{html.escape(target.href)}"{rest}>'
        if target.href is None:
            return f'<a class="dead-link" title="not part of this site"{rest}>'
        return f'<a href="{html.escape(target.href)}"{rest}>'

    return _LINK_ATTR.sub(replace, fragment)


_TAGS = re.compile(r"<[^>]+>")


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment (for the search index and feed summaries)."""
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())
