"""Turn what people write (statuses, dates, ids, titles) into normalised values."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import PurePosixPath
import re
import unicodedata

_MARKUP = re.compile(r"[*_`~]+")
_LINK = re.compile(r"\[([^\[\]\n]*)\]\([^()\n]*\)")
"""A Markdown link; the classes stop at the next bracket so a line of ``[`` stays linear."""
_NON_WORD_LEAD = re.compile(r"^[^\w]+", re.UNICODE)


@lru_cache(maxsize=8192)
def strip_markup(text: str) -> str:
    """Remove Markdown emphasis, code marks and link targets, keeping the words."""
    text = _LINK.sub(r"\1", text)
    return _MARKUP.sub("", text).strip()


def _clean_status(text: str) -> str:
    text = strip_markup(text)
    # drop leading emoji / symbols such as ✅, ⌛️, 🤔, ❌
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("So", "Sk", "Mn", "Cf"))
    text = _NON_WORD_LEAD.sub("", text).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


@lru_cache(maxsize=64)
def _status_terms(statuses: tuple[str, ...], aliases: tuple[tuple[str, str], ...],
                  ) -> tuple[dict[str, str], tuple[str, ...]]:
    """The vocabulary and its terms longest first: the same for every record of a run."""
    terms: dict[str, str] = {s: s for s in statuses}
    terms.update(aliases)
    return terms, tuple(sorted(terms, key=len, reverse=True))


def normalize_status(raw: str | None, statuses: list[str], aliases: dict[str, str]) -> str | None:
    """Map a written status (``✅ **Accepted**``, ``Superseded by [5](...)``) to the vocabulary."""
    if not raw:
        return None
    cleaned = _clean_status(raw)
    if not cleaned:
        return None
    try:
        terms, longest_first = _status_terms(tuple(statuses), tuple(aliases.items()))
    except TypeError:  # an unhashable value in a hand-made vocabulary: not worth caching
        terms, longest_first = _status_terms.__wrapped__(tuple(statuses), tuple(aliases.items()))
    for term in longest_first:
        if cleaned == term or (cleaned.startswith(term) and not cleaned[len(term)].isalpha()):
            return terms[term]
    # "superseded by ..." / "deprecated in favour of ..." written mid-sentence
    first = cleaned.split(" ", 1)[0]
    for term, value in terms.items():
        if first == term or first.rstrip(".,:;") == term:
            return value
    return None


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


@lru_cache(maxsize=1)
def _other_dates() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The non-ISO date forms (slashed, compact, words), compiled on first use.

    Most dates are ISO (or YAML dates); every command that parses records imports this
    module, so the rarely needed patterns are not compiled at import.
    """
    return (re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})"),
            re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
            re.compile(r"(\d{1,2})?\s*([A-Za-z]{3,9})\.?\s+(\d{1,2})?,?\s*(\d{4})"))


def parse_date(raw: object, day_first: bool = True) -> dt.date | None:
    """Read a date from ISO, ``DD/MM/YYYY`` (day first by default), ``20200925`` or words."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if raw is None:
        return None
    text = str(raw).strip()
    if not text:
        return None
    try:
        match = _ISO.search(text)
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        slashed, compact, wordy = _other_dates()
        match = slashed.search(text)
        if match:
            a, b, year = int(match[1]), int(match[2]), int(match[3])
            if year < 100:
                year += 2000
            day, month = (a, b) if day_first else (b, a)
            if month > 12 and day <= 12:
                day, month = month, day
            return dt.date(year, month, day)
        match = compact.match(text)
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = wordy.search(text)
        if match and match[2][:3].casefold() in _MONTHS:
            day = int(match[1] or match[3] or 1)
            return dt.date(int(match[4]), _MONTHS[match[2][:3].casefold()], day)
    except ValueError:
        return None
    return None


_ID_IN_NAME = re.compile(r"^([A-Za-z][A-Za-z]*-\d+)(?=$|[-_ .])")
_NUM_IN_NAME = re.compile(r"^(\d+)(?=$|[-_ .])")
_DATE_NAME = re.compile(r"^\d{8}(?=$|[-_])")


def stem_of(name: str) -> str:
    """File name without ``.md`` / ``.html.md`` / other extension."""
    base = PurePosixPath(name).name
    low = base.casefold()
    for ext in (".html.md", ".md", ".markdown", ".txt"):
        if low.endswith(ext):
            return base[: -len(ext)]
    return base.rsplit(".", 1)[0] if "." in base else base


def id_from_filename(name: str) -> str:
    """Derive a record id from a file name: ``DR-004-x.md`` -> ``DR-004``, ``0005-x.md`` -> ``0005``.

    log4brains-style ``20200925-slug.md`` names keep the whole slug (dates repeat).
    """
    stem = stem_of(name)
    if _DATE_NAME.match(stem):
        return stem
    match = _ID_IN_NAME.match(stem)
    if match:
        return match[1]
    match = _NUM_IN_NAME.match(stem)
    if match:
        return match[1]
    return stem


_HEADING_ID = re.compile(
    r"^\s*(?:(?P<pre>[A-Za-z]{1,10}-\d+|(?:ADR|DR|RFC|PRD|MADR)\s?\d+)|(?P<num>\d+))"
    r"\s*(?:[.:)\]–—-]\s*|\s+(?=\S))(?P<rest>.*)$")


def split_heading_id(heading: str) -> tuple[str | None, str]:
    """Split ``DR-001: Title`` / ``1. Title`` / ``28 Title`` into (id, title)."""
    match = _HEADING_ID.match(heading)
    if not match or not match["rest"].strip():
        return None, heading.strip()
    ident = match["pre"] or match["num"]
    return ident.replace(" ", "-"), match["rest"].strip()


def number_of(ident: str) -> int | None:
    """The trailing number of an id (``DR-007`` -> 7), if any."""
    match = re.search(r"(\d+)$", ident)
    return int(match[1]) if match else None


def slugify(title: str, max_length: int = 60) -> str:
    """ASCII-safe, bounded slug with no separators or dots: ``Use Redis!`` -> ``use-redis``."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-") or "record"


def split_list(value: object) -> list[str]:
    """A YAML list, or a comma/semicolon separated string, as a list of clean strings."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            if isinstance(item, dict):
                out.extend(f"{k}: {v}" if v is not None else str(k) for k, v in item.items())
            elif item is not None and str(item).strip():
                out.append(str(item).strip())
        return out
    text = str(value).strip()
    if not text:
        return []
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [strip_markup(p).strip().strip("\"'") for p in re.split(r"[;,]", text) if p.strip()]
