"""Site paths: safe file names for ids and tags, page-relative URLs, and --out safety checks.

Every URL in the site is relative (DR-013), so the site works from ``file://`` and from any
sub-path of a host. Pages live at site-root paths such as ``records/dr-001.html``; a link
from one page to another is the target path prefixed with one ``../`` per folder level of
the page it appears on.
"""

from __future__ import annotations

from pathlib import Path
import re
import unicodedata

from adr_tool.errors import AdrError

_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_RESERVED = {"con", "prn", "aux", "nul", "index", "com1", "lpt1"}
MAX_SLUG = 80


def slugify(text: str) -> str:
    """Turn any text into a lower-case ASCII file-name stem (never empty, never hidden)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _UNSAFE.sub("-", folded.casefold()).strip("-._")
    slug = re.sub(r"-{2,}", "-", slug)[:MAX_SLUG].strip("-._")
    if not slug or slug in _RESERVED:
        slug = f"x-{slug}" if slug else "x"
    return slug


class SlugAllocator:
    """Hand out unique slugs: the first taker keeps the plain slug, later ones get -2, -3..."""

    def __init__(self) -> None:
        self._taken: set[str] = set()
        self._given: dict[str, str] = {}

    def get(self, key: str) -> str:
        """Slug for *key*, stable for repeated calls with the same key."""
        if key in self._given:
            return self._given[key]
        base = slugify(key)
        slug, n = base, 1
        while slug in self._taken:
            n += 1
            slug = f"{base}-{n}"
        self._taken.add(slug)
        self._given[key] = slug
        return slug


def root_prefix(page: str) -> str:
    """The ``../`` prefix that leads from site page *page* back to the site root."""
    return "../" * page.count("/")


def href(page: str, target: str) -> str:
    """Relative URL from site page *page* to site path *target* (may carry a #fragment)."""
    return root_prefix(page) + target


def check_out_dir(out: Path, records_dir: Path) -> Path:
    """Refuse output folders whose replacement would destroy records or unrelated files."""
    out_abs = out.resolve()
    records_abs = records_dir.resolve()
    if out_abs == records_abs or records_abs.is_relative_to(out_abs):
        raise AdrError(
            f"refusing to build into {out}: it is the records folder or contains it",
            "Pick an output folder of its own, such as --out site.",
        )
    if out_abs.parent == out_abs:
        raise AdrError(f"refusing to build into the file-system root {out}")
    if out_abs.exists() and not out_abs.is_dir():
        raise AdrError(f"refusing to build into {out}: it is a file", "Pick a folder for --out.")
    if out_abs.is_dir() and any(out_abs.iterdir()) and not (out_abs / SITE_MARKER).is_file():
        raise AdrError(
            f"refusing to replace {out}: it is not empty and was not built by adr",
            "Use an empty or new folder, or delete it first if it is an old site.",
        )
    return out_abs


SITE_MARKER = ".adr-site"
"""File written into every built site; only folders holding it are ever replaced."""
