"""The static decision site: ``build_site`` (``adr build``) and the dev server (``adr serve``).

Modules, one job each: ``paths`` (slugs, relative URLs, --out checks), ``body`` (safe
Markdown HTML), ``relations`` (edges from the graph module or record fields), ``scores``
(criteria tables from the scoring module), ``layout`` and ``svg`` (drawings), ``model``
(phase 1: SiteModel), ``context`` (typed template contexts), ``writer`` (phase 2: templates
into a staging folder), ``cache`` (content-hash cache), ``build`` (the swap), ``serve``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adr_tool.site.build import build_site
    from adr_tool.site.options import BuildResult, SiteOptions

__all__ = ["BuildResult", "SiteOptions", "build_site"]


def __getattr__(name: str) -> Any:
    """The public names, imported on first use: importing a light submodule (``cache``,
    ``options``, ``snapshot``) must not pull in the model and writer (DR-020 start-up)."""
    if name == "build_site":
        from adr_tool.site.build import build_site

        return build_site
    if name in ("BuildResult", "SiteOptions"):
        from adr_tool.site import options

        return getattr(options, name)
    raise AttributeError(f"module 'adr_tool.site' has no attribute {name!r}")
