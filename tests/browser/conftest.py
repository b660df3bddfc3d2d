"""Headless Chromium (system package) driven by Playwright; skipped with a reason when absent."""

from __future__ import annotations

from collections.abc import Iterator
import importlib.util
import os
from pathlib import Path
import shutil
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("ADR_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
FIXTURE = Path(__file__).parents[1] / "fixtures" / "site_project"
TRAP = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__xss.push(name + ":" + args.join(",")); };
}
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test here as a browser test."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright for Python is not installed")
    if not CHROMIUM.exists():
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


class Watched:
    """A page with console errors, dialogs and every request recorded."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.blocked: list[str] = []
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("dialog", self._dialog)
        page.route("**/*", self._route)
        page.add_init_script(TRAP)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith(("file://", "http://127.0.0.1", "http://localhost", "data:", "about:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def xss(self) -> list[str]:
        result: list[str] = self.page.evaluate("window.__xss || []")
        return result + self.dialogs


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from adr_tool.repository import load_repository
    from adr_tool.site import SiteOptions, build_site

    project = tmp_path_factory.mktemp("browser") / "project"
    shutil.copytree(FIXTURE, project)
    old = os.getcwd()
    os.chdir(project)
    try:
        repo = load_repository(project / "decisions")
        build_site(repo, SiteOptions(out=project / "site"))
    finally:
        os.chdir(old)
    return project / "site"


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context()
    page = context.new_page()
    yield Watched(page)
    context.close()
