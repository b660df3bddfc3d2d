"""Configuration: defaults, ``[tool.adr]`` in pyproject.toml or ``.adr.toml``, CLI overrides.

Finding and reading the file lives in ``adr_tool.configfile`` (no pydantic, for ``adr
new``); its names are re-exported here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from adr_tool.configfile import (
    AUTODETECT_DIRS,
    DEFAULT_ALIASES,
    DEFAULT_STATUSES,
    autodetect_dir,
    find_config_file,
    read_config_values,
    settings_key,
)
from adr_tool.errors import ConfigError

__all__ = [
    "AUTODETECT_DIRS",
    "DEFAULT_ALIASES",
    "DEFAULT_STATUSES",
    "Config",
    "autodetect_dir",
    "find_config_file",
    "load_config",
]


class Config(BaseModel):
    """Project settings; every field has a working default."""

    # no schema until the first validation: a patch build uses the last full build's config
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

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
    _loaded: tuple[str, str] | None = PrivateAttr(default=None)
    """``settings_key`` of what ``load_config`` validated, and the config's repr right then."""

    def aliases(self) -> dict[str, str]:
        """All status aliases, defaults overlaid by the project's own (lower-cased keys)."""
        merged = dict(DEFAULT_ALIASES)
        merged.update({k.casefold(): v.casefold() for k, v in self.status_aliases.items()})
        return {k: v for k, v in merged.items() if v in self.statuses}

    def records_dir(self) -> Path:
        """The configured record folder, absolute."""
        return (self.root / self.dir).resolve()

    def loaded_key(self) -> str | None:
        """The ``settings_key`` this config was loaded from, while it still holds exactly what
        validating those settings gave (None for a config made or changed otherwise)."""
        loaded = self._loaded
        if loaded is None or repr(self) != loaded[1]:
            return None
        return loaded[0]


def load_config(start: Path | None = None, **overrides: Any) -> Config:
    """Resolve the configuration from files under/above *start*, then apply overrides."""
    values, root, source = read_config_values(start)
    values.update({k: v for k, v in overrides.items() if v is not None})
    values["root"] = root
    values["source"] = source
    key = settings_key(values)  # as ``config_inputs`` gives it when there are no overrides
    try:
        config = Config.model_validate(values)
    except ValidationError as exc:
        lines = [
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        ]
        raise ConfigError(f"invalid configuration in {source or 'defaults'}: " + "; ".join(lines)) from None
    config.statuses = [s.casefold() for s in config.statuses]
    config._loaded = (key, repr(config))
    return config
