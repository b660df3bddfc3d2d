"""Configuration: defaults, ``[tool.adr]`` in pyproject.toml or ``.adr.toml``, CLI overrides."""

from __future__ import annotations

from pathlib import Path
import tomllib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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


class Config(BaseModel):
    """Project settings; every field has a working default."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    dir: str = "decisions"
    """Folder holding the records, relative to the project root."""
    prefix: str = "DR-"
    """Id prefix for new records."""
    width: int = Field(default=3, ge=1, le=9)
    """Zero-padded width of the number in new ids."""
    statuses: list[str] = Field(default_factory=lambda: list(DEFAULT_STATUSES))
    status_aliases: dict[str, str] = Field(default_factory=dict)
    template: str = "dr"
    """Default template for ``adr new``."""
    title: str = "Architecture decisions"
    """Site title."""
    repo_url: str | None = None
    """Repository URL used for "edit this record" links."""
    edit_branch: str = "main"
    ignore: list[str] = Field(default_factory=list)
    """Extra file-name globs to skip during discovery."""
    review_after_days: int = 365
    lint: dict[str, Any] = Field(default_factory=dict)
    score: dict[str, Any] = Field(default_factory=dict)
    site: dict[str, Any] = Field(default_factory=dict)
    lifecycle: dict[str, Any] = Field(default_factory=dict)

    root: Path = Field(default_factory=Path.cwd, exclude=True)
    """Project root: where the config file was found (or the current directory)."""
    source: str | None = Field(default=None, exclude=True)
    """Which file the settings came from, if any."""

    def aliases(self) -> dict[str, str]:
        """All status aliases, defaults overlaid by the project's own (lower-cased keys)."""
        merged = dict(DEFAULT_ALIASES)
        merged.update({k.casefold(): v.casefold() for k, v in self.status_aliases.items()})
        return {k: v for k, v in merged.items() if v in self.statuses}

    def records_dir(self) -> Path:
        """The configured record folder, absolute."""
        return (self.root / self.dir).resolve()


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


def load_config(start: Path | None = None, **overrides: Any) -> Config:
    """Resolve the configuration from files under/above *start*, then apply overrides."""
    start = start or Path.cwd()
    values: dict[str, Any] = {}
    root = start.resolve()
    source = None
    found = find_config_file(start)
    if found is not None:
        path, values = found
        root = path.parent
        source = str(path)
    values = {k.replace("-", "_"): v for k, v in values.items()}
    values.update({k: v for k, v in overrides.items() if v is not None})
    values["root"] = root
    values["source"] = source
    try:
        config = Config.model_validate(values)
    except ValidationError as exc:
        lines = [
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        ]
        raise ConfigError(f"invalid configuration in {source or 'defaults'}: " + "; ".join(lines)) from None
    config.statuses = [s.casefold() for s in config.statuses]
    return config


def autodetect_dir(config: Config) -> Path:
    """Pick the record folder: the configured one if it exists, else a conventional one."""
    configured = config.root / config.dir
    if configured.is_dir() or (config.source is not None and config.dir != "decisions"):
        return configured
    for candidate in AUTODETECT_DIRS:
        path = config.root / candidate
        if path.is_dir():
            return path
    return configured
