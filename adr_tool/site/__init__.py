"""The static decision site: ``build_site`` (``adr build``) and the dev server (``adr serve``).

Modules, one job each: ``paths`` (slugs, relative URLs, --out checks), ``body`` (safe
Markdown HTML), ``relations`` (edges from the graph module or record fields), ``scores``
(criteria tables from the scoring module), ``layout`` and ``svg`` (drawings), ``model``
(phase 1: SiteModel), ``context`` (typed template contexts), ``writer`` (phase 2: templates
into a staging folder), ``cache`` (content-hash cache), ``build`` (the swap), ``serve``.
"""

from __future__ import annotations

from adr_tool.site.build import BuildResult, build_site
from adr_tool.site.model import SiteOptions

__all__ = ["BuildResult", "SiteOptions", "build_site"]
