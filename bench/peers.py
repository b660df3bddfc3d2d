"""Find (and optionally install) the peer tools the benchmark compares against.

Peers live under ``bench/.peers/`` (git-ignored), never in the project's own venv:

- adr-viewer: ``python3 -m venv bench/.peers/adr-viewer && bench/.peers/adr-viewer/bin/pip
  install adr-viewer`` (one HTML page, no search, no graph);
- log4brains: ``npm install log4brains`` in ``bench/.peers/log4brains`` (a Next.js static site).

``python -m bench.peers install`` does both. Each peer can also be named with an environment
variable (``ADR_VIEWER=/path/to/adr-viewer``, ``LOG4BRAINS=/path/to/log4brains``).
"""

from __future__ import annotations

from dataclasses import dataclass
import os
from pathlib import Path
import shutil
import subprocess
import sys

PEERS_DIR = Path(__file__).resolve().parent / ".peers"


@dataclass(frozen=True, slots=True)
class Peer:
    """An installed peer: its name, the executable and its version."""

    name: str
    executable: Path
    version: str


def _version_from_dist(venv: Path, dist: str) -> str:
    for meta in venv.glob(f"lib/python*/site-packages/{dist.replace('-', '_')}-*.dist-info/METADATA"):
        for line in meta.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("Version:"):
                return line.split(":", 1)[1].strip()
    return "?"


def find_adr_viewer() -> Peer | None:
    """The adr-viewer command, or None when it is not installed."""
    env = os.environ.get("ADR_VIEWER")
    candidates = [Path(env)] if env else [PEERS_DIR / "adr-viewer" / "bin" / "adr-viewer"]
    for exe in candidates:
        if exe.is_file() and os.access(exe, os.X_OK):
            venv = exe.parent.parent
            return Peer("adr-viewer", exe, _version_from_dist(venv, "adr-viewer"))
    return None


def find_log4brains() -> Peer | None:
    """The log4brains command (and node), or None when either is missing."""
    if shutil.which("node") is None:
        return None
    env = os.environ.get("LOG4BRAINS")
    exe = Path(env) if env else PEERS_DIR / "log4brains" / "node_modules" / ".bin" / "log4brains"
    if not exe.exists():
        return None
    version = "?"
    package = exe.resolve().parent
    for parent in (package, *package.parents):
        manifest = parent / "package.json"
        if manifest.is_file() and parent.name == "log4brains":
            import json

            version = str(json.loads(manifest.read_text(encoding="utf-8")).get("version", "?"))
            break
    return Peer("log4brains", exe, version)


def install(which: tuple[str, ...] = ("adr-viewer", "log4brains")) -> int:
    """Install the peers under bench/.peers (needs pip and npm registry access)."""
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    status = 0
    if "adr-viewer" in which:
        venv = PEERS_DIR / "adr-viewer"
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        done = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "adr-viewer"], check=False)
        status |= done.returncode
    if "log4brains" in which:
        folder = PEERS_DIR / "log4brains"
        folder.mkdir(exist_ok=True)
        if not (folder / "package.json").exists():
            (folder / "package.json").write_text('{"name": "l4b-peer", "private": true}\n',
                                                  encoding="utf-8")
        npm = shutil.which("npm")
        if npm is None:
            print("npm not found: log4brains skipped", file=sys.stderr)
            return 1
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "log4brains"], cwd=folder,
                              check=False)
        status |= done.returncode
    return status


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.peers [install|show]``."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["install"]:
        return install(tuple(args[1:]) or ("adr-viewer", "log4brains"))
    for peer in (find_adr_viewer(), find_log4brains()):
        if peer is not None:
            print(f"{peer.name} {peer.version}: {peer.executable}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
