"""Find templates: the user's own ``templates/`` first, then the ones shipped in the package."""

from __future__ import annotations

from pathlib import Path
import re

from adr_tool.errors import AdrError

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def shipped_templates_dir() -> Path:
    """The templates shipped with the tool (in the wheel, or the repo's top-level folder)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    return here / "templates"


def template_dirs(project_root: Path | None) -> list[Path]:
    """Search path for templates, user's first."""
    dirs: list[Path] = []
    if project_root is not None:
        user = project_root / "templates"
        if user.is_dir():
            dirs.append(user)
    shipped = shipped_templates_dir()
    if shipped not in dirs:
        dirs.append(shipped)
    return dirs


def check_template_name(name: str) -> str:
    """Refuse template names that could escape the templates folder."""
    if not _SAFE_NAME.match(name) or ".." in name:
        raise AdrError(f"invalid template name {name!r}",
                       "Use a plain name such as dr, madr or nygard.")
    return name


def find_record_template(name: str, project_root: Path | None) -> Path:
    """Path of the record template *name* (``dr``, ``madr``, ``nygard`` or a user one)."""
    check_template_name(name)
    for folder in template_dirs(project_root):
        path = folder / "record" / f"{name}.md.j2"
        if path.is_file():
            return path
    raise AdrError(f"no record template named {name!r}",
                   "Shipped templates: dr, madr, nygard; or add templates/record/NAME.md.j2.")
