"""Find script that could run in generated HTML: a static scan and a headless-Chromium trap."""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from html.parser import HTMLParser
import os
from pathlib import Path
import re
import shutil
from typing import Any

CHROMIUM = os.environ.get("ADR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster", "data",
                  "codebase", "cite", "longdesc", "lowsrc", "dynsrc", "ping"}
SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|gif|jpe?g|webp);", re.IGNORECASE)
_STYLE_SCRIPT = re.compile(r"expression\(|javascript:|url\(", re.IGNORECASE)
DANGEROUS_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
MARKER = "__xss"
"""Every payload in tests/fixtures/xss mentions this; it must never be inside a script."""

TRAP = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__xss.push(name + ":" + args.join(",")); };
}
"""


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and any(n == "http-equiv" and (v or "").lower() == "refresh" for n, v in attrs):
            self.problems.append("<meta http-equiv=refresh>")
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            if name == "srcdoc":
                self.problems.append(f"<{tag} srcdoc>")
            if name in URL_ATTRIBUTES and value:
                url = re.sub(r"[\x00-\x20]", "", value).lower()
                if url.startswith(("javascript:", "vbscript:", "livescript:")):
                    self.problems.append(f"<{tag} {name}={value[:40]!r}>")
                elif url.startswith("data:") and not (tag == "img" and SAFE_DATA_IMAGE.match(url)):
                    self.problems.append(f"<{tag} {name}={value[:40]!r}> data URL")
            if name == "style" and value and _STYLE_SCRIPT.search(value):
                self.problems.append(f"<{tag} style={value[:40]!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and MARKER in data:
            self.problems.append(f"payload inside <script>: {data[:60]!r}")


def scan_html(html: str) -> list[str]:
    """Problems in one HTML document: handlers, script URLs, payload scripts, frames."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.problems


def chromium_available() -> str | None:
    """None when headless Chromium and Playwright can be used, else the reason to skip."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


@contextlib.contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright) with the project's standard flags."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


DOM_CHECK = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const v = attr.value.replace(/[\\x00-\\x20]/g, '').toLowerCase();
      if (attr.name.startsWith('on')) bad.push(el.tagName + ' ' + attr.name);
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attr.name)
          && (v.startsWith('javascript:') || v.startsWith('vbscript:'))) bad.push(el.tagName + ' ' + v);
    }
  }
  return bad;
}"""


def open_and_trap(chromium: Any, url: str) -> dict[str, list[str]]:
    """Load *url* with alert/confirm/prompt trapped; return what ran and what the DOM holds.

    Also focuses and hovers every element, so handlers that need an event get one.
    """
    page = chromium.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(TRAP)
    page.goto(url, wait_until="load")
    page.evaluate("""() => { for (const el of document.querySelectorAll('body *')) {
        for (const t of ['mouseover', 'focus', 'toggle', 'animationstart']) {
          el.dispatchEvent(new Event(t)); } } }""")
    page.wait_for_timeout(200)  # let onerror/onload of broken images fire; not a speed check
    ran = page.evaluate("window.__xss")
    dom = page.evaluate(DOM_CHECK)
    page.close()
    return {"ran": list(ran) + dialogs, "dom": list(dom), "errors": errors}
