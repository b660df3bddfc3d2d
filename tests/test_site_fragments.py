"""``site.fragments`` prints what the Jinja macros it replaced printed, escapes included.

The reference is the macros as they were (kept here verbatim), rendered by an environment
configured like ``make_environment``'s; hostile text must come out escaped the same way.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
import jinja2

from adr_tool.site import fragments
from adr_tool.site.model import LinkView, RecordEntry, TagView

MACROS = """\
{% macro status_badge(label, css, root, path=None) -%}
{% if path %}<a class="status status-{{ css }}" href="{{ root }}{{ path }}">{{ label }}</a>{% else %}<span class="status status-{{ css }}">{{ label }}</span>{% endif %}
{%- endmacro %}

{% macro link(item) -%}
{% if item.href is not none %}<a href="{{ item.href }}"{% if item.status_class %} class="rel status-ref-{{ item.status_class }}"{% endif %}>{{ item.text }}</a>{% else %}<span{% if item.hint %} class="unresolved" title="{{ item.hint }}"{% endif %}>{{ item.text }}</span>{% endif %}
{%- if item.status_class %} {{ status_badge(item.hint, item.status_class, "") }}{% endif %}
{%- endmacro %}

{% macro rows(entries, root) -%}
{% for e in entries %}
<tr data-id="{{ e.sort_key }}" data-title="{{ e.title|lower }}" data-status="{{ e.status_label }}" data-date="{{ e.date }}" data-owner="{{ e.owner|lower }}" data-tags="{{ e.tags|map(attribute='name')|list|tojson|forceescape }}">
  <td class="rid"><a href="{{ root }}{{ e.path }}">{{ e.id }}</a></td>
  <td class="title"><a href="{{ root }}{{ e.path }}">{{ e.title }}</a></td>
  <td>{{ status_badge(e.status_label, e.status_css, root) }}</td>
  <td class="date">{{ e.date }}</td>
  <td>{{ e.owner }}</td>
  <td class="tags">{% for t in e.tags %}<a class="tag" href="{{ root }}{{ t.path }}">{{ t.name }}</a>{% if not loop.last %} {% endif %}{% endfor %}</td>
</tr>
{% endfor %}
{%- endmacro %}

{% macro meta(items) -%}
{% for item in items %}{% if item.status_class %}{{ status_badge(item.text, item.status_class, "", item.href) }}{% else %}{{ link(item) }}{% endif %}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}
"""

ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                         lstrip_blocks=True, keep_trailing_newline=True)
OLD = ENV.from_string(MACROS).module

HOSTILE = st.sampled_from(["", "a", "<script>alert(1)</script>", "\"'&<>", "&amp;", "Ünïcode “q”",
                           "x\ny", "O'Brien & co", "javascript:x", "../a b.html"])
TEXT = st.one_of(HOSTILE, st.text(max_size=12))
OPTIONAL = st.one_of(st.none(), TEXT)

links = st.builds(LinkView, text=TEXT, href=OPTIONAL, status_class=OPTIONAL, hint=TEXT)
tags = st.builds(TagView, name=TEXT, path=TEXT)
entries = st.builds(RecordEntry, id=TEXT, title=TEXT, status_label=TEXT, status_css=TEXT, date=TEXT,
                    owner=TEXT, tags=st.lists(tags, max_size=3).map(tuple), path=TEXT,
                    badge_path=TEXT, sort_key=TEXT)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT, TEXT, OPTIONAL)
def test_status_badge(label: str, css: str, root: str, path: str | None) -> None:
    assert fragments.status_badge(label, css, root, path) == OLD.status_badge(label, css, root, path)


@settings(max_examples=300, deadline=None)
@given(links)
def test_link(item: LinkView) -> None:
    assert fragments.link(item) == OLD.link(item)


@settings(max_examples=200, deadline=None)
@given(st.lists(links, max_size=4))
def test_meta_items(items: list[LinkView]) -> None:
    assert fragments.meta_items(items) == OLD.meta(items)


@settings(max_examples=200, deadline=None)
@given(st.lists(entries, max_size=3), st.sampled_from(["", "../", "<x>&\""]))
def test_record_rows(rows: list[RecordEntry], root: str) -> None:
    assert fragments.record_rows(rows, root) == OLD.rows(rows, root)


def test_escape_matches_markupsafe() -> None:
    import markupsafe

    for value in ("&<>\"'", "plain", "", markupsafe.Markup("<b>kept</b>"), 42):
        assert fragments.escape(value) == str(markupsafe.escape(value))
