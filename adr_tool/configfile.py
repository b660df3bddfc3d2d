"""Find and read the configuration file, without pydantic.

``adr_tool.config`` validates the whole configuration with a pydantic model, and importing
pydantic costs about 0.1 s: most of what ``adr new`` would otherwise spend. This module
holds what both share (the defaults, finding and reading the file, picking the records
folder) and ``record_settings``: the few settings ``adr new`` needs, taken straight from
the file when every known key already has the exact type the model keeps unchanged, and
from ``load_config`` itself otherwise, so the values and the errors are the model's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
import tomllib
from typing import Any, Protocol

from adr_tool.errors import ConfigError

DEFAULT_STATUSES = ["proposed", "accepted", "rejected", "deprecated", "superseded"]

DEFAULT_ALIASES: dict[str, str] = {
    "approved": "accepted",
    "agreed": "accepted",
    "adopted": "accepted",
    "decided": "accepted",
    "done": "accepted",
    "implemented": "accepted",
    "partially implemented": "accepted",
    "active": "accepted",
    "draft": "proposed",
    "pending": "proposed",
    "open": "proposed",
    "in review": "proposed",
    "under review": "proposed",
    "in progress": "proposed",
    "incomplete": "proposed",
    "on hold": "proposed",
    "proposal": "proposed",
    "planned": "proposed",
    "declined": "rejected",
    "refused": "rejected",
    "withdrawn": "rejected",
    "obsolete": "deprecated",
    "retired": "deprecated",
    "replaced": "superseded",
    "partly superseded": "superseded",
    "partially superseded": "superseded",
    "amended": "accepted",
}

AUTODETECT_DIRS = ("decisions", "doc/adr", "docs/adr", "docs/decisions", "docs/architecture/decisions")


class Located(Protocol):
    """Where a project's records are configured to live (``Config`` or ``RecordSettings``)."""

    @property
    def root(self) -> Path: ...

    @property
    def dir(self) -> str: ...

    @property
    def source(self) -> str | None: ...


class RecordConfig(Located, Protocol):
    """What creating a record needs from the configuration (``Config`` or ``RecordSettings``)."""

    @property
    def prefix(self) -> str: ...

    @property
    def width(self) -> int: ...

    @property
    def statuses(self) -> list[str]: ...

    @property
    def template(self) -> str: ...

    def records_dir(self) -> Path: ...


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """Walk up from *start* to the first ``.adr.toml`` or pyproject with ``[tool.adr]``."""
    here = start.resolve()
    for folder in (here, *here.parents):
        dot = folder / ".adr.toml"
        if dot.is_file():
            return dot, _read_toml(dot)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data = _read_toml(pyproject)
            section = data.get("tool", {}).get("adr")
            if isinstance(section, dict):
                return pyproject, section
        if (folder / ".git").exists():
            break
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None
    if path.name == ".adr.toml" and isinstance(data.get("tool"), dict) and "adr" in data["tool"]:
        section = data["tool"]["adr"]
        return section if isinstance(section, dict) else {}
    return data


def read_config_values(start: Path | None = None) -> tuple[dict[str, Any], Path, str | None]:
    """The raw settings found from *start* (``-`` in keys read as ``_``), the root, the file."""
    start = start or Path.cwd()
    found = find_config_file(start)
    if found is None:
        return {}, start.resolve(), None
    path, values = found
    return {k.replace("-", "_"): v for k, v in values.items()}, path.parent, str(path)


def config_inputs(start: Path | None = None) -> dict[str, Any]:
    """What ``load_config(start)`` validates: the raw settings plus ``root`` and ``source``."""
    values, root, source = read_config_values(start)
    values["root"] = root
    values["source"] = source
    return values


def settings_key(values: dict[str, Any]) -> str:
    """A digest of what a ``Config`` was validated from (see ``config_inputs``).

    Validation is deterministic, so equal keys mean equal configs: a patch build that finds
    the key of the last full build reuses that build's validated config instead of importing
    and running the validator (DR-020). TOML gives only plain values, whose repr is exact.
    """
    import hashlib

    return hashlib.sha256(repr(values).encode("utf-8", "surrogatepass")).hexdigest()


def autodetect_dir(config: Located) -> Path:
    """Pick the record folder: the configured one if it exists, else a conventional one."""
    configured = config.root / config.dir
    if configured.is_dir() or (config.source is not None and config.dir != "decisions"):
        return configured
    for candidate in AUTODETECT_DIRS:
        path = config.root / candidate
        if path.is_dir():
            return path
    return configured


@dataclass(frozen=True, slots=True)
class RecordSettings:
    """The settings ``adr new`` uses; the defaults are ``Config``'s (a test checks them)."""

    root: Path
    source: str | None
    dir: str = "decisions"
    prefix: str = "DR-"
    width: int = 3
    statuses: list[str] = field(default_factory=lambda: list(DEFAULT_STATUSES))
    template: str = "dr"

    def records_dir(self) -> Path:
        """The configured record folder, absolute."""
        return (self.root / self.dir).resolve()


def _is_str(value: Any) -> bool:
    return type(value) is str


def _is_str_list(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def _is_table(value: Any) -> bool:
    return type(value) is dict


UNCHANGED_BY_MODEL: dict[str, Callable[[Any], bool]] = {
    "dir": _is_str,
    "prefix": _is_str,
    "width": lambda v: type(v) is int and 1 <= v <= 9,
    "statuses": _is_str_list,
    "status_aliases": lambda v: _is_table(v) and all(map(_is_str, (*v, *v.values()))),
    "template": _is_str,
    "title": _is_str,
    "repo_url": _is_str,
    "edit_branch": _is_str,
    "ignore": _is_str_list,
    "review_after_days": lambda v: type(v) is int,
    "lint": _is_table,
    "score": _is_table,
    "site": _is_table,
    "lifecycle": _is_table,
}
"""For every field of ``Config`` read from a file: True when the model would accept the
value as it is (so it cannot raise, nor convert it). Unknown keys are allowed by the model."""


def settings_from_values(values: dict[str, Any], root: Path,
                         source: str | None) -> RecordSettings | None:
    """Settings from raw file *values*, or None when the model might convert or refuse one."""
    if not all(check(values[key]) for key, check in UNCHANGED_BY_MODEL.items() if key in values):
        return None
    known = {k: values[k] for k in ("dir", "prefix", "width", "template") if k in values}
    statuses = [s.casefold() for s in values.get("statuses", DEFAULT_STATUSES)]
    return RecordSettings(root=root, source=source, statuses=statuses, **known)


def record_settings(start: Path | None = None) -> RecordSettings:
    """The settings for ``adr new`` found from *start*, exactly as ``load_config`` reads them."""
    settings = settings_from_values(*read_config_values(start))
    if settings is not None:
        return settings
    from adr_tool.config import load_config  # converts the value or raises its ConfigError

    config = load_config(start)
    return RecordSettings(root=config.root, source=config.source, dir=config.dir,
                          prefix=config.prefix, width=config.width,
                          statuses=list(config.statuses), template=config.template)
