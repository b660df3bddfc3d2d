"""The fast body sanitiser gives the HTMLParser sanitiser's bytes, or steps aside.

``sanitise_html`` skips ``HTMLParser`` for markdown-it's own output (strict grammar) and
re-serialises only the tags with attributes. These tests hold it to the parser: same output
on every Markdown we can think of (XSS corpus, fixtures, generated text), and None (parser
path) for anything outside the grammar.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from adr_tool.markdown import render_html
from adr_tool.repository import load_repository
from adr_tool.site import body
from adr_tool.site.body import _fast_sanitise, _Sanitiser, render_body, sanitise_html

FIXTURES = Path(__file__).parent / "fixtures"


def parser_sanitise(fragment: str) -> str:
    """The reference: the HTMLParser-based sanitiser alone."""
    parser = _Sanitiser()
    parser.feed(fragment)
    return parser.close_all()


def fixture_bodies() -> list[str]:
    files = sorted(FIXTURES.rglob("*.md")) + sorted((Path(__file__).parents[1] / "decisions").glob("*.md"))
    repo = load_repository(files=files)
    return [r.body for r in repo.records]


MARKDOWN = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](  javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![alt "q" & <b>](x.png "t\'\\"")',
    "[a](<u v> \"t\")  <https://a.b?x=1&y=2> <mailto:a@b.c> &copy; &quot; &#39; &amp;amp; \" ' > <",
    "- [x] done\n- [ ] todo\n\n| a | b | c |\n|:-|-:|:-:|\n| 1 | 2 | `<td>` |",
    "1. a\n\n3) b\n\n***\nx  \ny\n\n~~del~~ *em* **strong** `co\"de`",
    "```python\nprint('<b>')  # \"q\" & ' \n```\n\n```\nplain\n```\n\n    indented <code>",
    "# T\n\n## A & B\n\n### `x` <y>\n\n> quote\n> > nested\n\n[r]: javascript:alert(1)\n\n[x][r]",
    "[x](http://a.b/&quot;onmouseover=alert(1)//) [y](http://a.b/\"><script>)",
]


@pytest.mark.parametrize("markdown", MARKDOWN)
def test_fast_path_matches_parser_on_hand_picked_markdown(markdown: str) -> None:
    rendered = render_html(markdown)
    assert sanitise_html(rendered) == parser_sanitise(rendered)


def test_fast_path_matches_parser_on_every_fixture_body() -> None:
    taken = 0
    for text in fixture_bodies():
        rendered = render_html(text)
        taken += _fast_sanitise(rendered) is not None
        assert sanitise_html(rendered) == parser_sanitise(rendered), text[:200]
    assert taken > 20  # markdown-it output really takes the fast path


_PIECES = st.sampled_from([
    "a", " ", "\n", "\n\n", "# ", "- ", "1. ", "> ", "| a | b |\n|---|---|\n| c | d |\n", "`", "```js\n",
    "*", "_", "~~", "[", "]", "(", ")", "![", "<", ">", "&", "&amp;", "&quot;", "&#39;", "&copy;", '"',
    "'", "javascript:", "http://x.y/", "data:", "<b>", "</p>", "<script>", "\\", "  \n", "- [x] ",
    "é", "\u200b", "\t", "=", "/",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_fast_path_matches_parser_on_generated_markdown(markdown: str) -> None:
    rendered = render_html(markdown)
    assert sanitise_html(rendered) == parser_sanitise(rendered)


@pytest.mark.parametrize("fragment", [
    "<p>a<script>alert(1)</script></p>",
    "<p onclick=x>a</p>",
    "<p>a<!-- c --></p>",
    "<p />",
    "<p>&#39;</p>",
    "<p>a > b</p>",
    "<p>a < b</p>",
    "<p><em>x</p></em>",
    "<p>unclosed",
    "</p>",
    "<P>upper</P>",
    '<a href="x" >x</a>',
    "<iframe src=x></iframe>",
    "<style>p{}</style>",
])
def test_fragments_outside_the_grammar_take_the_parser(fragment: str) -> None:
    assert _fast_sanitise(fragment) is None
    assert sanitise_html(fragment) == parser_sanitise(fragment)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    "<p>", "</p>", "<a href=\"javascript:x\">", "<a href=\"https://x\">", "</a>", "<br />", "<img src=\"x\" alt=\"&quot;\" />",
    "<td style=\"text-align:left\">", "</td>", "<input type=\"checkbox\" checked=\"\" />", "text", "&quot;", "&amp;",
    "&lt;", "<code class=\"language-x\">", "</code>", "<li class=\"task-list-item\">", "</li>", "<b>", "<p />",
]), max_size=30).map("".join))
def test_fast_path_matches_parser_on_generated_fragments(fragment: str) -> None:
    assert sanitise_html(fragment) == parser_sanitise(fragment)


def test_highlighting_is_memoised_and_unchanged() -> None:
    text = "```python\nx = '<b>'\n```\n\n```nosuchlanguage\nx\n```\n"
    body._HIGHLIGHTED.clear()
    first = render_body(text)
    assert ('python', "x = '<b>'\n") in body._HIGHLIGHTED
    assert render_body(text) == first
    assert '<pre class="highlight"><code class="language-python">' in first
    assert '<code class="language-nosuchlanguage">x' in first
