"""Typed template contexts: exactly what each page template receives (mkdocs' habit).

``root`` is the page's way back to the site root (``""``, ``"../"``); every other URL in a
context is either site-root relative (prefixed with ``root`` in templates) or was already made
relative to this page in phase 1.
"""

from __future__ import annotations

from typing import TypedDict

from adr_tool.site.model import (
    ListPage,
    RecordEntry,
    RecordPage,
    SiteInfo,
    StatusView,
    TagView,
    TimelineGroup,
)


class BaseContext(TypedDict):
    """Shared by every page."""

    site: SiteInfo
    root: str
    page_path: str
    page_title: str
    csp: str
    nav_current: str
    """Which top-level section the page belongs to (highlighted in the header)."""


class IndexContext(BaseContext):
    """``index.html``: every record, filterable."""

    entries: list[RecordEntry]
    statuses: list[StatusView]
    tags: list[TagView]


class RecordContext(BaseContext):
    """``records/<id>.html``."""

    record: RecordPage


class ListContext(BaseContext):
    """``tags/<tag>.html``, ``status/<status>.html``, ``areas/<area>.html``."""

    listing: ListPage


class TagsContext(BaseContext):
    """``tags/index.html``: all tags, statuses and areas."""

    tags: list[TagView]
    areas: list[TagView]
    statuses: list[StatusView]


class GraphContext(BaseContext):
    """``graph.html``: the whole graph."""

    graph_svg: str
    statuses: list[StatusView]
    edge_count: int
    record_count: int


class TimelineContext(BaseContext):
    """``timeline.html``: records by year."""

    groups: list[TimelineGroup]


class FeedEntry(TypedDict):
    """One Atom entry."""

    entry: RecordEntry
    url: str
    updated: str
    summary: str


class FeedContext(TypedDict):
    """``feed.xml``."""

    site: SiteInfo
    feed_url: str
    site_url: str
    items: list[FeedEntry]


class SitemapContext(TypedDict):
    """``sitemap.xml``."""

    site: SiteInfo
    urls: list[str]
