"""Take screenshots of a built site (index, a record page, graph page; light and dark).

Usage: python scripts/screenshots.py [SITE_DIR] [OUT_DIR] [--record records/x.html#scores]
Default: build this repository's own decisions/ into a temp folder and write
docs/screenshots/ (the record shot scrolls to its score chart); --fixture builds
tests/fixtures/site_project instead. Needs Playwright for Python and Chromium at
/usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import shutil
import subprocess
import sys
import tempfile

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = {"index": "index.html", "graph": "graph.html"}


def build_fixture(workdir: Path) -> Path:
    """Build the fixture project's site and return the site folder."""
    project = workdir / "project"
    shutil.copytree(ROOT / "tests" / "fixtures" / "site_project", project,
                    ignore=shutil.ignore_patterns("DR-005-*", "DR-006-*", "evil.svg"))
    env = dict(os.environ, SOURCE_DATE_EPOCH="1767225600")
    subprocess.run([sys.executable, "-m", "adr_tool", "build", "--quiet", "--out", "site"],
                   cwd=project, env=env, check=True, stdout=subprocess.DEVNULL)
    return project / "site"


def build_own(workdir: Path) -> Path:
    """Build the site of this repository's decisions/ and return the site folder."""
    site = workdir / "site"
    env = dict(os.environ, SOURCE_DATE_EPOCH="1767225600")
    subprocess.run([sys.executable, "-m", "adr_tool", "build", "--quiet", "--dir", "decisions",
                    "--out", str(site)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return site


def shoot(site: Path, out: Path, record: str, width: int, prefix: str) -> list[Path]:
    """Write <prefix><page>-<scheme>.png for each page and colour scheme."""
    from playwright.sync_api import sync_playwright

    pages = dict(PAGES, record=record)
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport={"width": width, "height": 900},
                                          color_scheme=scheme, device_scale_factor=1)
            page = context.new_page()
            for name, rel in pages.items():
                path_part, _, anchor = rel.partition("#")
                page.goto((site / path_part).as_uri() + (f"#{anchor}" if anchor else ""))
                path = out / f"{prefix}{name}-{scheme}.png"
                page.screenshot(path=str(path), full_page=False)
                written.append(path)
            context.close()
        browser.close()
    return written


def main() -> None:
    """Parse arguments, build if needed, shoot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path)
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--record", default=None,
                        help="page (and #anchor) for the record shot; default: a scored record")
    parser.add_argument("--fixture", action="store_true", help="shoot the test fixture's site")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--prefix", default="")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or (build_fixture(Path(tmp)) if args.fixture else build_own(Path(tmp)))
        record = args.record or ("records/dr-002.html" if args.fixture else "records/dr-003.html#scores")
        for path in shoot(site, args.out, record, args.width, args.prefix):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
