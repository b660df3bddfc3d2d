"""Benchmark runner: time ``adr`` workloads (and the peers) as whole processes.

Each workload runs once as a warm-up and then ``--runs`` times; every run is a fresh
process started with ``subprocess`` and reaped with ``os.wait4`` so its own resource usage
is exact: wall time (perf_counter around spawn+wait), CPU time (user+sys of the process
and the children it waited for, e.g. pool workers) and peak RSS (``ru_maxrss``: the largest
single process of the tree, as ``/usr/bin/time`` reports it). The median, min and max are
reported and a Markdown table is written between markers into ``docs/performance.md``.

Commands that do not exist yet (``adr <cmd> --help`` fails) are reported as
"n/a (command not available)" instead of failing the run; peers that are not installed
are skipped the same way. See ``python -m bench --help``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
import datetime as dt
import json
import os
from pathlib import Path
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bench.corpus import RECORDS_DIR, Corpus, generate
from bench.peers import Peer, find_adr_viewer, find_log4brains

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "docs" / "performance.md"
DEFAULT_WORKDIR = Path(__file__).resolve().parent / ".work"
START = "<!-- bench:results:start -->"
END = "<!-- bench:results:end -->"
NA_COMMAND = "n/a (command not available)"
NA_PEER = "n/a (not installed)"


@dataclass(slots=True)
class Sample:
    """One timed process."""

    wall: float
    cpu: float
    rss_kb: int
    code: int
    stdout: str = ""


@dataclass(slots=True)
class Result:
    """The runs of one workload at one corpus size (or why it was not run)."""

    workload: str
    label: str
    records: int | None
    samples: list[Sample] = field(default_factory=list)
    skipped: str | None = None
    target: float | None = None
    rss_target_mb: float | None = None
    peer: bool = False

    @property
    def ok(self) -> bool:
        """True when the workload ran and every run exited 0 or 1 (1 = findings)."""
        return self.skipped is None and bool(self.samples) and all(s.code in (0, 1) for s in self.samples)

    @property
    def median(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss_mb(self) -> float:
        return max(s.rss_kb for s in self.samples) / 1024

    def met(self) -> str:
        """Whether the target (time and, when set, memory) is met: ✅, ❌ or empty."""
        if not self.ok or self.target is None:
            return ""
        good = self.median <= self.target
        if self.rss_target_mb is not None:
            good = good and self.rss_mb <= self.rss_target_mb
        return "✅" if good else "❌"

    def to_json(self) -> dict[str, object]:
        """Machine-readable form (written with --json)."""
        out: dict[str, object] = {"workload": self.workload, "label": self.label, "records": self.records,
                                  "peer": self.peer, "skipped": self.skipped, "target_s": self.target}
        if self.ok:
            out.update(median_s=round(self.median, 4), min_s=round(min(s.wall for s in self.samples), 4),
                       max_s=round(max(s.wall for s in self.samples), 4), cpu_s=round(self.cpu, 4),
                       peak_rss_mb=round(self.rss_mb, 1), runs=len(self.samples))
        elif self.samples:
            out["exit_codes"] = sorted({s.code for s in self.samples})
        return out


@dataclass(slots=True)
class Context:
    """What a workload's hooks may use."""

    adr: list[str]
    corpus: Corpus
    scratch: Path
    env: dict[str, str]
    run: int = 0


Hook = Callable[[Context], None]


@dataclass(frozen=True, slots=True)
class Workload:
    """A command to time; ``prepare`` runs once before the warm-up, ``before``/``after`` around
    every run (never timed)."""

    name: str
    label: str
    args: Callable[[Context], list[str]]
    command: str | None = None
    """Subcommand whose ``--help`` must succeed for the workload to run."""
    per_size: bool = True
    targets: dict[int, float] = field(default_factory=dict)
    """Seconds, by corpus size; key 0 = any size."""
    rss_targets_mb: dict[int, float] = field(default_factory=dict)
    prepare: Hook | None = None
    before: Hook | None = None
    after: Callable[[Context, Sample], None] | None = None


# -- hooks -------------------------------------------------------------------------------------

def _clear_cache(ctx: Context) -> None:
    """Forget every cache: the parse cache (DR-018) and the site's page cache."""
    shutil.rmtree(ctx.corpus.root / ".adr-cache", ignore_errors=True)
    shutil.rmtree(ctx.scratch / ".adr-cache", ignore_errors=True)
    if ctx.env.get("ADR_CACHE_DIR"):
        shutil.rmtree(ctx.env["ADR_CACHE_DIR"], ignore_errors=True)


def _clear_site(ctx: Context) -> None:
    _clear_cache(ctx)
    shutil.rmtree(ctx.scratch / "site", ignore_errors=True)
    shutil.rmtree(ctx.corpus.root / "site", ignore_errors=True)


def _remove_created(ctx: Context, sample: Sample) -> None:
    """Delete the record ``adr new`` printed, so every run sees the same folder."""
    for line in sample.stdout.splitlines():
        path = (ctx.corpus.root / line.strip())
        if line.strip().endswith(".md") and path.is_file() and "benchmark-record" in path.name:
            path.unlink()


def _edit_one(ctx: Context) -> None:
    """Change one record's body (a different line each run) before a warm build."""
    records = sorted((ctx.corpus.root / RECORDS_DIR).glob("*.md"))
    target = records[len(records) // 2]
    text = target.read_text(encoding="utf-8")
    marker = "\n<!-- bench edit -->\n"
    base = text.split(marker)[0]
    target.write_text(f"{base}{marker}Edited in run {ctx.run}.\n", encoding="utf-8")


def _prepare_warm(ctx: Context) -> None:
    _clear_site(ctx)
    subprocess.run([*ctx.adr, *_build_args(ctx)], cwd=ctx.corpus.root, env=ctx.env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


_build_output_flag: dict[str, bool] = {}


def _build_args(ctx: Context) -> list[str]:
    key = " ".join(ctx.adr)
    if key not in _build_output_flag:
        done = subprocess.run([*ctx.adr, "build", "--help"], capture_output=True, text=True, env=ctx.env,
                              check=False)
        _build_output_flag[key] = "--output" in done.stdout
    if _build_output_flag[key]:
        return ["build", "--output", str(ctx.scratch / "site")]
    return ["build"]


WORKLOADS: tuple[Workload, ...] = (
    Workload("help", "`adr --help`", lambda c: ["--help"], per_size=False, targets={0: 0.15}),
    Workload("version", "`adr --version`", lambda c: ["--version"], per_size=False, targets={0: 0.15}),
    Workload("new", "`adr new` (one record added)", lambda c: ["new", "Benchmark record"], command="new",
             targets={10_000: 0.3}, after=_remove_created),
    Workload("list-cold", "`adr list --format json` (load only), cold", lambda c: ["list", "--format", "json"],
             command="list", before=_clear_cache),
    Workload("list", "`adr list --format json` (load only), warm cache", lambda c: ["list", "--format", "json"],
             command="list"),
    Workload("lint", "`adr lint`, cold", lambda c: ["lint"], command="lint",
             targets={1_000: 1.0, 10_000: 5.0}, before=_clear_cache),
    Workload("lint-warm", "`adr lint`, warm cache", lambda c: ["lint"], command="lint"),
    Workload("build", "`adr build`, full site, cold", _build_args, command="build",
             targets={1_000: 2.0, 10_000: 20.0}, rss_targets_mb={10_000: 500.0}, before=_clear_site),
    Workload("build-warm", "`adr build` after editing one record", _build_args, command="build",
             targets={1_000: 0.3}, prepare=_prepare_warm, before=_edit_one),
    Workload("score-cold", "`adr score --all`, cold", lambda c: ["score", "--all"], command="score",
             targets={10_000: 3.0}, before=_clear_cache),
    Workload("score", "`adr score --all`, warm cache", lambda c: ["score", "--all"], command="score",
             targets={10_000: 3.0}),
    Workload("graph-cold", "`adr graph --format json`, cold", lambda c: ["graph", "--format", "json"],
             command="graph", targets={10_000: 3.0}, before=_clear_cache),
    Workload("graph", "`adr graph --format json`, warm cache", lambda c: ["graph", "--format", "json"],
             command="graph", targets={10_000: 3.0}),
)


# -- running -----------------------------------------------------------------------------------

def measure(cmd: Sequence[str], cwd: Path, env: dict[str, str], timeout: float) -> Sample:
    """Run *cmd* once as a child process; wall, CPU and peak RSS from ``os.wait4``."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, 9)
                pid, status, usage = os.wait4(proc.pid, 0)
                status = 124 << 8  # like timeout(1)
                break
            time.sleep(0.002)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return Sample(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_kb=usage.ru_maxrss,
                  code=proc.returncode, stdout=text)


def command_available(adr: list[str], command: str | None, env: dict[str, str]) -> bool:
    """True when ``adr <command> --help`` exits 0 (the command exists on this branch)."""
    if command is None:
        return True
    done = subprocess.run([*adr, command, "--help"], capture_output=True, env=env, check=False)
    return done.returncode == 0


def _target(table: dict[int, float], size: int | None) -> float | None:
    if size is not None and size in table:
        return table[size]
    return table.get(0)


def run_workload(wl: Workload, ctx: Context, runs: int, warmup: int, timeout: float,
                 log: Callable[[str], None]) -> Result:
    """Warm up, then time *runs* runs of one workload."""
    size = ctx.corpus.records if wl.per_size else None
    result = Result(wl.name, wl.label, size, target=_target(wl.targets, size),
                    rss_target_mb=_target(wl.rss_targets_mb, size))
    if not command_available(ctx.adr, wl.command, ctx.env):
        result.skipped = NA_COMMAND
        log(f"  {wl.name:11s} {NA_COMMAND}")
        return result
    if wl.prepare is not None:
        wl.prepare(ctx)
    for index in range(warmup + runs):
        ctx.run = index
        if wl.before is not None:
            wl.before(ctx)
        sample = measure([*ctx.adr, *wl.args(ctx)], ctx.corpus.root, ctx.env, timeout)
        if wl.after is not None:
            wl.after(ctx, sample)
        if index >= warmup:
            result.samples.append(sample)
        if sample.code not in (0, 1):
            break
    if result.ok:
        log(f"  {wl.name:11s} median {result.median:8.3f} s  cpu {result.cpu:7.3f} s  "
            f"rss {result.rss_mb:6.0f} MB  {result.met()}")
    else:
        codes = sorted({s.code for s in result.samples})
        result.skipped = f"failed (exit {', '.join(map(str, codes))})"
        log(f"  {wl.name:11s} {result.skipped}")
    return result


def run_peer(peer: Peer | None, name: str, label: str, cmd: Callable[[Path], list[str]], corpus: Corpus,
             scratch: Path, env: dict[str, str], runs: int, warmup: int, timeout: float,
             log: Callable[[str], None]) -> Result:
    """Time a peer on the same corpus (skipped when it is not installed)."""
    result = Result(name, label, corpus.records, peer=True)
    if peer is None:
        result.skipped = NA_PEER
        log(f"  {name:11s} {NA_PEER}")
        return result
    result.label = f"{label} ({peer.name} {peer.version})"
    for index in range(warmup + runs):
        out = scratch / f"{name}-out"
        shutil.rmtree(out, ignore_errors=True)
        sample = measure(cmd(out), corpus.root, env, timeout)
        if index >= warmup:
            result.samples.append(sample)
        if sample.code != 0:
            break
    if result.samples and all(s.code == 0 for s in result.samples):
        log(f"  {name:11s} median {result.median:8.3f} s  rss {result.rss_mb:6.0f} MB")
    else:
        result.skipped = f"failed (exit {', '.join(str(s.code) for s in result.samples)})"
        log(f"  {name:11s} {result.skipped}")
    return result


# -- report ------------------------------------------------------------------------------------

def _fmt_s(value: float) -> str:
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def _records(size: int | None) -> str:
    return "—" if size is None else f"{size:,}"


def _target_text(result: Result) -> str:
    parts = []
    if result.target is not None:
        parts.append(f"≤ {result.target:g} s")
    if result.rss_target_mb is not None:
        parts.append(f"≤ {result.rss_target_mb:g} MB")
    return ", ".join(parts)


def results_table(results: list[Result]) -> str:
    """The main table: one row per workload and size, ours and the peers'."""
    lines = ["| workload | records | median | min–max | CPU (user+sys) | peak RSS | runs | target | met |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | :---: |"]
    previous: dict[str, Result] = {}
    for r in results:
        if not r.ok:
            lines.append(f"| {r.label} | {_records(r.records)} | {r.skipped or 'n/a'} | | | | | "
                         f"{_target_text(r)} | |")
            continue
        growth = ""
        before = previous.get(r.workload)
        if before is not None and before.records and r.records and before.median > 0:
            growth = f" ({r.median / before.median:.1f}× for {r.records / before.records:g}× records)"
        lines.append(
            f"| {r.label} | {_records(r.records)} | {_fmt_s(r.median)}{growth} | "
            f"{_fmt_s(min(s.wall for s in r.samples))} – {_fmt_s(max(s.wall for s in r.samples))} | "
            f"{_fmt_s(r.cpu)} | {r.rss_mb:.0f} MB | {len(r.samples)} | {_target_text(r)} | {r.met()} |")
        previous[r.workload] = r
    return "\n".join(lines)


def ratios_table(results: list[Result]) -> str:
    """Peers versus ``adr build`` on the same corpus in the same run (how many times faster)."""
    sizes = sorted({r.records for r in results if r.peer and r.records is not None})
    if not sizes:
        return ""
    by = {(r.workload, r.records): r for r in results}
    lines = [("| records | `adr build` (full site) | adr-viewer (one page) | adr-viewer ÷ adr | "
              "log4brains build | log4brains ÷ adr |"),
             "| ---: | ---: | ---: | ---: | ---: | ---: |"]

    def cell(r: Result | None) -> str:
        if r is None:
            return "not run"
        return _fmt_s(r.median) if r.ok else (r.skipped or "n/a")

    def ratio(peer: Result | None, ours: Result | None) -> str:
        if peer is None or ours is None or not peer.ok or not ours.ok or ours.median <= 0:
            return "n/a"
        return f"{peer.median / ours.median:.1f}×"

    for size in sizes:
        ours = by.get(("build", size))
        viewer = by.get(("adr-viewer", size))
        l4b = by.get(("log4brains", size))
        lines.append(f"| {size:,} | {cell(ours)} | {cell(viewer)} | {ratio(viewer, ours)} | {cell(l4b)} | "
                     f"{ratio(l4b, ours)} |")
    return "\n".join(lines)


def environment() -> str:
    """One line describing the machine and the versions measured."""
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    cpu = platform.processor() or platform.machine()
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(errors="replace"), re.MULTILINE)
        model = found[1].strip() if found else ""
    return (f"{dt.date.today().isoformat()}, {os.cpu_count()} CPU ({model or cpu}), "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}; "
            f"load average at start: {load}")


def render_report(results: list[Result], args: argparse.Namespace, env_line: str) -> str:
    """Everything that goes between the markers."""
    parts = [
        f"Measured {env_line}.",
        "",
        (f"Command: `python -m bench --sizes {','.join(map(str, args.sizes))} --runs {args.runs}`"
         f" (warm-up {args.warmup}, corpus style `{args.style}`, seed {args.seed})."),
        "",
        results_table(results),
    ]
    ratios = ratios_table(results)
    if ratios:
        parts += ["", "Peers on the same corpus in the same run (ratio > 1: adr is faster):", "", ratios]
    return "\n".join(parts)


def write_report(path: Path, body: str) -> None:
    """Replace the text between the markers of *path* (create the file when absent)."""
    block = f"{START}\n{body}\n{END}"
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if START in text and END in text:
            head, rest = text.split(START, 1)
            tail = rest.split(END, 1)[1]
            path.write_text(head + block + tail, encoding="utf-8")
            return
        path.write_text(text.rstrip("\n") + "\n\n" + block + "\n", encoding="utf-8")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# Performance\n\n{block}\n", encoding="utf-8")


# -- command line ------------------------------------------------------------------------------

def _sizes(text: str) -> list[int]:
    return [int(x.replace("_", "").replace(",", "")) for x in re.split(r"[ ,]+", text.strip()) if x]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Options of ``python -m bench``."""
    parser = argparse.ArgumentParser(prog="python -m bench", description="Time adr (and its peers) "
                                     "on seeded corpora and write docs/performance.md.")
    parser.add_argument("--sizes", type=lambda s: _sizes(s), default=[100, 1_000, 10_000],
                        help="corpus sizes, comma-separated (default 100,1000,10000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per workload (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed warm-up runs (default 1)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: sizes 100,1000, 3 runs, no log4brains")
    parser.add_argument("--workloads", default="",
                        help="comma-separated subset: " + ",".join(w.name for w in WORKLOADS))
    parser.add_argument("--no-peers", action="store_true", help="do not time adr-viewer or log4brains")
    parser.add_argument("--peer-runs", type=int, default=None, help="runs for adr-viewer (default --runs)")
    parser.add_argument("--log4brains-sizes", type=lambda s: _sizes(s), default=[100],
                        help="sizes at which log4brains runs (default 100: ~1-8 min a run)")
    parser.add_argument("--log4brains-runs", type=int, default=1, help="runs for log4brains (default 1)")
    parser.add_argument("--style", default="mixed", help="corpus style: mixed, dr, nygard or madr")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help="where corpora are generated and kept (default bench/.work)")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT),
                        help="Markdown file to update between markers ('-' = print only)")
    parser.add_argument("--json", type=Path, default=None, help="also write raw results as JSON")
    parser.add_argument("--adr", default=None, help="adr executable (default: the one beside this Python)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds before a run is killed")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = [s for s in args.sizes if s <= 1_000] or [100]
        if args.sizes == [100, 1_000] or args.sizes == [100]:
            args.sizes = [100, 1_000]
        args.runs = min(args.runs, 3)
        args.log4brains_sizes = []
    return args


def adr_command(explicit: str | None) -> list[str]:
    """How to start adr: --adr, else the console script beside this interpreter, else -m."""
    if explicit:
        return [str(Path(explicit).resolve()) if os.sep in explicit else explicit]
    script = Path(sys.executable).parent / "adr"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "adr_tool"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and write the report."""
    args = parse_args(argv)
    wanted = {w.strip() for w in args.workloads.split(",") if w.strip()}
    workloads = [w for w in WORKLOADS if not wanted or w.name in wanted]
    adr = adr_command(args.adr)
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    env.pop("ADR_DEBUG", None)
    # users run from compiled bytecode; without it every run would recompile the package
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parent.parent / "adr_tool")],
                   check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env_line = environment()
    viewer = None if args.no_peers else find_adr_viewer()
    l4b = None if args.no_peers else find_log4brains()

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log(f"bench: {env_line}")
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="adr-bench-") as tmp:
        scratch = Path(tmp)
        env["ADR_CACHE_DIR"] = str(scratch / "parse-cache")  # the bench owns (and clears) the cache
        env.pop("ADR_NO_CACHE", None)
        first = True
        for size in args.sizes:
            log(f"corpus: {size:,} records ({args.style}, seed {args.seed})")
            corpus = generate(args.workdir / f"corpus-{args.style}-{size}-s{args.seed}", size,
                              seed=args.seed, mix=args.style)
            ctx = Context(adr=adr, corpus=corpus, scratch=scratch, env=env)
            for wl in workloads:
                if not wl.per_size and not first:
                    continue
                results.append(run_workload(wl, ctx, args.runs, args.warmup, args.timeout, log))
            first = False
            if args.no_peers:
                continue
            records = str(corpus.records_dir)
            results.append(run_peer(
                viewer, "adr-viewer", "adr-viewer, one HTML page",
                lambda out, records=records: [str(viewer.executable) if viewer else "", "--adr-path", records,
                             "--output", str(out) + ".html"],
                corpus, scratch, env, args.peer_runs or args.runs, args.warmup, args.timeout, log))
            if size in args.log4brains_sizes:
                results.append(run_peer(
                    l4b, "log4brains", "log4brains build, static site",
                    lambda out: [str(l4b.executable) if l4b else "", "build", "--out", str(out)],
                    corpus, scratch, {**env, "NEXT_TELEMETRY_DISABLED": "1"}, args.log4brains_runs, 0,
                    args.timeout, log))
    report = render_report(results, args, env_line)
    print(report)
    if args.output != "-":
        write_report(Path(args.output), report)
        log(f"wrote {args.output}")
    if args.json is not None:
        args.json.write_text(json.dumps([r.to_json() for r in results], indent=2) + "\n", encoding="utf-8")
    return 0
