"""HTML fragments that pages repeat thousands of times, made in Python (DR-013).

A Jinja macro call costs ~10x the string work it does; the record table rows, status
badges and relation links are the site's most repeated markup (~35,000 calls in a build of
1,000 records), so they are made here and given to templates as globals. Each returns
exactly what the macro of the same name in ``macros.html.j2`` used to print, and escapes
every value it is given: the result is Markup only because it was escaped here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from markupsafe import escape as markup_escape

if TYPE_CHECKING:
    from adr_tool.site.model import LinkView, RecordEntry


def escape(value: object) -> str:
    """``markupsafe.escape`` as a plain str, without a Markup object per call for the
    plain strings that nearly every value is (same entities: ``&#34;``, ``&#39;``)."""
    if type(value) is str:
        return (value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
                .replace("'", "&#39;").replace('"', "&#34;"))
    return str(markup_escape(value))


def _badge(label: object, css: str, root: str, path: str | None) -> str:
    if path:
        return f'<a class="status status-{escape(css)}" href="{escape(root)}{escape(path)}">{escape(label)}</a>'
    return f'<span class="status status-{escape(css)}">{escape(label)}</span>'


def _link(item: LinkView) -> str:
    text = escape(item.text)
    if item.href is not None:
        css = f' class="rel status-ref-{escape(item.status_class)}"' if item.status_class else ""
        html = f'<a href="{escape(item.href)}"{css}>{text}</a>'
    else:
        title = f' class="unresolved" title="{escape(item.hint)}"' if item.hint else ""
        html = f"<span{title}>{text}</span>"
    if item.status_class:
        html += " " + _badge(item.hint, item.status_class, "", None)
    return html


def status_badge(label: object, css: str, root: str, path: str | None = None) -> Markup:
    """A status chip, linked to *root* + *path* when there is one."""
    return Markup(_badge(label, css, root, path))


def link(item: LinkView) -> Markup:
    """A related record (or plain text when it has no page), with its status chip."""
    return Markup(_link(item))


def meta_items(items: Iterable[LinkView]) -> Markup:
    """A metadata panel value: status chips and links, comma separated."""
    return Markup(", ".join(_badge(i.text, i.status_class, "", i.href) if i.status_class else _link(i)
                            for i in items))


def record_rows(entries: Iterable[RecordEntry], root: str) -> Markup:
    """The ``<tr>`` rows of a record table, one line-terminated row per entry."""
    root = escape(root)
    rows = []
    for e in entries:
        path = escape(e.path)
        tags = " ".join(f'<a class="tag" href="{root}{escape(t.path)}">{escape(t.name)}</a>' for t in e.tags)
        names = escape(str(htmlsafe_json_dumps([t.name for t in e.tags])))
        rows.append(
            f'<tr data-id="{escape(e.sort_key)}" data-title="{escape(e.title.lower())}" '
            f'data-status="{escape(e.status_label)}" data-date="{escape(e.date)}" '
            f'data-owner="{escape(e.owner.lower())}" data-tags="{names}">\n'
            f'  <td class="rid"><a href="{root}{path}">{escape(e.id)}</a></td>\n'
            f'  <td class="title"><a href="{root}{path}">{escape(e.title)}</a></td>\n'
            f"  <td>{_badge(e.status_label, e.status_css, '', None)}</td>\n"
            f'  <td class="date">{escape(e.date)}</td>\n'
            f"  <td>{escape(e.owner)}</td>\n"
            f'  <td class="tags">{tags}</td>\n'
            "</tr>\n")
    return Markup("".join(rows))


GLOBALS = {"status_badge_html": status_badge, "link_html": link, "meta_items_html": meta_items,
           "record_rows_html": record_rows}
"""What ``make_environment`` adds to the Jinja globals."""
