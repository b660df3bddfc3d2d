"""``adr serve``: build into a temp folder with the same ``build_site``, serve it, rebuild on change.

The server answers only from inside the output folder (paths are resolved and checked, no
directory listings), listens on 127.0.0.1 by default, and exposes one extra endpoint,
``/__adr__/version``, which the pages' reload script polls. Records are re-parsed only when
their file changed (mtime and size), so a rebuild after one edit costs one parse plus the
cached site build.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import errno
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
import os
from pathlib import Path
import shutil
import tempfile
import threading
import time
from typing import TYPE_CHECKING, Any

from adr_tool.errors import AdrError

if TYPE_CHECKING:
    from adr_tool.config import Config
    from adr_tool.parse import ParseResult
    from adr_tool.repository import Repository
    from adr_tool.site.options import BuildResult

VERSION_PATH = "/__adr__/version"
POLL_SECONDS = 0.5


class SiteRequestHandler(SimpleHTTPRequestHandler):
    """Static files from one folder only; never a listing, never a path outside it."""

    server: SiteServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(self.server_root(args)), **kwargs)

    @staticmethod
    def server_root(args: tuple[Any, ...]) -> Path:
        server = args[2]
        assert isinstance(server, SiteServer)
        return server.root

    def translate_path(self, path: str) -> str:
        """Map a URL path into the site folder, or to a name that cannot exist when outside."""
        candidate = Path(super().translate_path(path))
        root = self.server.root.resolve()
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return str(root / ".adr-refused" / "missing")
        if resolved != root and not resolved.is_relative_to(root):
            return str(root / ".adr-refused" / "missing")
        return str(resolved)

    def do_GET(self) -> None:
        """Serve the version endpoint, else a file."""
        if self._refuse_traversal():
            return
        if self.path.split("?", 1)[0] == VERSION_PATH:
            body = str(self.server.version).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        """Same checks as GET."""
        if self._refuse_traversal():
            return
        super().do_HEAD()

    def _refuse_traversal(self) -> bool:
        from urllib.parse import unquote, urlsplit

        raw = unquote(urlsplit(self.path).path)
        if ".." in raw.replace("\\", "/").split("/") or "\0" in raw:
            self.send_error(HTTPStatus.NOT_FOUND, "Not found")
            return True
        return False

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """No directory listings."""
        self.send_error(HTTPStatus.NOT_FOUND, "Not found")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer 404s with the site's own 404 page."""
        page = self.server.root / "404.html"
        if code == HTTPStatus.NOT_FOUND and page.is_file():
            body = page.read_bytes()
            self.send_response(code)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def end_headers(self) -> None:
        """No caching: every rebuild must show at once."""
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet (the CLI prints rebuilds, not every request)."""


class SiteServer(ThreadingHTTPServer):
    """An HTTP server for one site folder with a build version counter."""

    daemon_threads = True

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.root = root
        self.version = 1
        try:
            super().__init__((host, port), SiteRequestHandler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise AdrError(f"port {port} on {host} is already in use",
                               "Pick another with --port (0 picks a free one).") from None
            raise AdrError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


@dataclass(slots=True)
class IncrementalLoader:
    """Load the repository, re-parsing only files whose mtime or size changed."""

    root: Path
    config: Config
    reparsed: int = 0
    """Files parsed by the last ``load`` (the others were unchanged)."""
    _parsed: dict[str, tuple[tuple[int, int], ParseResult]] = field(default_factory=dict)
    _watched: dict[str, tuple[int, int]] = field(default_factory=dict)

    def load(self) -> Repository:
        """A fresh Repository from the current files."""
        from adr_tool.parse import parse_source
        from adr_tool.repository import Repository, parse_options
        from adr_tool.sources import discover, display_path, read_source

        if not self.root.is_dir():
            raise AdrError(f"no decision records folder at {self.root}")
        paths, notes = discover(self.root, self.config.ignore)
        options = parse_options(self.config)
        parsed: dict[str, tuple[tuple[int, int], ParseResult]] = {}
        records = []
        diagnostics = []
        self.reparsed = 0
        for path in paths:
            key = str(path)
            stamp = _stamp(path)
            previous = self._parsed.get(key)
            if previous is not None and previous[0] == stamp:
                result = previous[1]
            else:
                result = parse_source(read_source(path, display_path(path)), options)
                self.reparsed += 1
            parsed[key] = (stamp, result)
            if result.record is not None:
                records.append(result.record)
            diagnostics.extend(result.diagnostics)
        self._parsed = parsed
        self._watched = self.snapshot()
        return Repository(root=self.root, config=self.config, records=records,
                          diagnostics=diagnostics, notes=notes)

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """mtime and size of every watched file: records folder, templates, config file."""
        stamps: dict[str, tuple[int, int]] = {}
        folders = [self.root, self.config.root / "templates"]
        for folder in folders:
            for dirpath, dirnames, filenames in os.walk(folder):
                dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "node_modules"]
                for name in filenames:
                    path = os.path.join(dirpath, name)
                    stamps[path] = _stamp(Path(path))
        if self.config.source:
            stamps[self.config.source] = _stamp(Path(self.config.source))
        return stamps

    def mark_seen(self) -> None:
        """Take the current files as seen (after a failed rebuild: wait for the next edit)."""
        self._watched = self.snapshot()

    def changed(self) -> bool:
        """Tell whether any watched file was added, removed or modified since the last load."""
        return self.snapshot() != self._watched


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


@dataclass(slots=True)
class LiveSite:
    """A site kept up to date in a private temp folder (what ``adr serve`` runs)."""

    loader: IncrementalLoader
    workdir: Path
    last: BuildResult | None = None

    @property
    def out(self) -> Path:
        """The folder being served."""
        return self.workdir / "site"

    def rebuild(self) -> BuildResult:
        """Load changed records and build the site (same code path as ``adr build``)."""
        from adr_tool.site.build import build_site
        from adr_tool.site.options import SiteOptions

        repo = self.loader.load()
        self.last = build_site(repo, SiteOptions(out=self.out, live_reload=True))
        return self.last


def open_live_site(dir_: Path | None) -> LiveSite:
    """Resolve config and records folder as every command does, in a fresh temp folder."""
    from adr_tool.config import autodetect_dir, load_config

    start = dir_ if dir_ is not None and dir_.is_dir() else Path.cwd()
    config = load_config(start)
    root = dir_ if dir_ is not None else autodetect_dir(config)
    if not root.is_dir():
        raise AdrError(f"no decision records folder at {root}",
                       "Create one with `adr init`, or point to it with --dir.")
    workdir = Path(tempfile.mkdtemp(prefix="adr-serve-"))
    return LiveSite(IncrementalLoader(root=root, config=config), workdir)


def run_server(dir_: Path | None, *, host: str, port: int, echo: Callable[[str], None],
               max_polls: int | None = None) -> None:
    """Build, serve and rebuild on change until interrupted (or *max_polls*, for tests)."""
    live = open_live_site(dir_)
    if threading.current_thread() is threading.main_thread():
        import signal

        def _stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt  # run the finally blocks: stop serving, delete the temp folder

        signal.signal(signal.SIGTERM, _stop)
    try:
        result = live.rebuild()
        server = SiteServer(live.out, host, port)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        echo(f"built {result.pages} pages in {result.seconds:.2f} s")
        if host not in ("127.0.0.1", "localhost", "::1"):
            echo(f"warning: listening on {host}, reachable from other machines")
        echo(f"serving {server.url} (Ctrl-C to stop)")
        polls = 0
        try:
            while max_polls is None or polls < max_polls:
                polls += 1
                time.sleep(POLL_SECONDS)
                if not live.loader.changed():
                    continue
                try:
                    result = live.rebuild()
                except AdrError as exc:
                    echo(f"rebuild failed: {exc.message}")
                    live.loader.mark_seen()
                    continue
                server.version += 1
                echo(f"rebuilt in {result.seconds:.2f} s ({result.rendered} pages re-rendered)")
        finally:
            server.shutdown()
            server.server_close()
    finally:
        shutil.rmtree(live.workdir, ignore_errors=True)
