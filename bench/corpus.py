"""Seeded synthetic corpus of decision records for the benchmark.

Every record is built from its own pseudo-random stream keyed by (seed, number), so a
corpus is byte-for-byte reproducible for a seed and any record can be regenerated alone.
Three on-disk styles are mixed:

- ``dr``: YAML frontmatter (id, status, date, tags, requires/provides/affects) and a
  weighted criteria table, the project's own format;
- ``nygard``: adr-tools (``# 7. Title``, ``Date:``, ``## Status`` section);
- ``madr``: MADR 3 (frontmatter status/date/deciders, ``## Considered Options``,
  ``Chosen option: ...``).

Bodies are 3-8 KB of varied Markdown (paragraphs with emphasis and links, bullet and
numbered lists, fenced code, block quotes, tables). The folder also gets an ``.adr.toml``
for ``adr`` and a ``.log4brains.yml`` so log4brains can build the same files.

Usage: ``python -m bench.corpus OUT_DIR --records 1000 [--seed 7] [--style mixed]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass
import datetime as dt
import hashlib
import json
from pathlib import Path
import random
import shutil

STYLES = ("dr", "nygard", "madr")
MIXES: dict[str, tuple[float, float, float]] = {
    "mixed": (0.8, 0.1, 0.1),
    "dr": (1.0, 0.0, 0.0),
    "nygard": (0.0, 1.0, 0.0),
    "madr": (0.0, 0.0, 1.0),
}
"""Share of each style (dr, nygard, madr) per corpus style name."""

RECORDS_DIR = "decisions"
PREFIX = "DR-"
MIN_CHARS, MAX_CHARS = 3000, 7800
"""Body size range (characters; a few emoji make the byte count slightly larger)."""
GENERATOR_VERSION = 1
"""Bump when the output changes so cached corpora are regenerated."""

# Our own vocabulary (no third-party text): infrastructure-flavoured words and phrases.
NOUNS = (
    "queue", "cache", "broker", "gateway", "scheduler", "ledger", "index", "pipeline", "registry",
    "catalogue", "session store", "event bus", "search cluster", "job runner", "feature flag",
    "audit log", "billing engine", "identity provider", "object store", "rate limiter",
    "message relay", "config service", "build farm", "artefact mirror", "metrics stack",
    "tracing backend", "secrets vault", "load balancer", "edge proxy", "notification hub",
    "report generator", "data warehouse", "stream processor", "schema registry", "API layer",
)
TECH = (
    "PostgreSQL", "Redis", "Kafka", "RabbitMQ", "NATS", "SQLite", "ClickHouse", "Elasticsearch",
    "OpenSearch", "Nginx", "Envoy", "Traefik", "Terraform", "Pulumi", "Ansible", "Kubernetes",
    "Nomad", "Docker Swarm", "gRPC", "GraphQL", "REST", "Celery", "Temporal", "Airflow",
    "Prometheus", "Grafana", "Loki", "Jaeger", "OpenTelemetry", "Vault", "Keycloak", "S3",
    "MinIO", "Ceph", "DuckDB", "Parquet", "Avro", "Protobuf", "FastAPI", "Django", "Go", "Rust",
)
VERBS = (
    "adopt", "use", "replace", "retire", "introduce", "standardise on", "migrate to", "keep",
    "split", "merge", "self-host", "outsource", "pin", "version", "shard", "cache",
)
ADJ = (
    "stable", "cheap", "observable", "boring", "well-documented", "fast", "portable", "secure",
    "auditable", "simple", "resilient", "scalable", "mature", "lightweight", "proven",
)
AREAS = (
    "platform", "payments", "search", "identity", "data", "frontend", "mobile", "ops",
    "security", "billing", "messaging", "reporting", "infra", "api", "storage", "ci",
)
PEOPLE = (
    "A. Okafor", "B. Lindqvist", "C. Moreau", "D. Tanaka", "E. Novak", "F. Haddad", "G. Silva",
    "H. Kowalski", "I. Mensah", "J. Rossi", "K. Ivanova", "L. Chen", "M. Byrne", "N. Patel",
)
CRITERIA = (
    "Operational cost", "Latency at p99", "Team familiarity", "Licence", "Vendor lock-in",
    "Throughput", "Ease of upgrade", "Security posture", "Community support", "Observability",
    "Data durability", "Time to deliver", "Hiring market", "Local development", "Compliance",
)
WEIGHTS = ("High", "Medium", "Low", "3", "2", "1")
MARKS = ("✅", "✅", "⚠️", "❌", "✅ good", "⚠️ partial", "❌ no")
STATUSES = (
    ("accepted", 0.55), ("proposed", 0.15), ("superseded", 0.1), ("deprecated", 0.05),
    ("rejected", 0.15),
)
LANGS = ("python", "yaml", "bash", "json", "toml", "go", "sql")
CODE_LINES = {
    "python": ("def handle(event):", "    key = event['id']", "    return cache.get(key) or load(key)",
               "for item in batch:", "    queue.put(item, timeout=5)", "client = Client(retries=3)"),
    "yaml": ("replicas: 3", "resources:", "  limits:", "    memory: 512Mi", "image: app:1.4.2",
             "strategy: rolling"),
    "bash": ("set -euo pipefail", "make build", "terraform plan -out plan.bin",
             "kubectl rollout status deploy/api", "curl -fsS localhost:8080/health"),
    "json": ('{"retries": 3,', '  "timeout_ms": 250,', '  "region": "eu-west-1"}', '{"enabled": true}'),
    "toml": ("[server]", "port = 8080", "workers = 4", "[limits]", "burst = 100"),
    "go": ("func main() {", "\tctx := context.Background()", "\tif err := run(ctx); err != nil {",
           "\t\tlog.Fatal(err)", "\t}", "}"),
    "sql": ("SELECT id, status FROM jobs", "WHERE created_at > now() - interval '1 day'",
            "CREATE INDEX jobs_status ON jobs (status);"),
}


@dataclass(frozen=True, slots=True)
class Corpus:
    """Where a generated corpus lives and what it holds."""

    root: Path
    """Project folder: holds ``.adr.toml``, ``.log4brains.yml`` and ``decisions/``."""
    records: int
    seed: int
    style: str
    bytes: int

    @property
    def records_dir(self) -> Path:
        """The folder of record files."""
        return self.root / RECORDS_DIR


def width_for(count: int) -> int:
    """Zero-padding width of ids so every id in the corpus has the same length."""
    return max(3, len(str(count)))


def record_id(number: int, width: int) -> str:
    """``DR-0042``."""
    return f"{PREFIX}{number:0{width}d}"


def _slug(title: str) -> str:
    out = "".join(ch if ch.isalnum() else "-" for ch in title.casefold())
    return "-".join(part for part in out.split("-") if part)[:60].strip("-")


class _Writer:
    """Builds one record from a per-record random stream."""

    def __init__(self, rng: random.Random, seed: int, number: int, count: int, width: int) -> None:
        self.rng = rng
        self.seed = seed
        self.number = number
        self.count = count
        self.width = width

    # -- small pieces ------------------------------------------------------------------
    def pick(self, seq: tuple[str, ...]) -> str:
        return seq[self.rng.randrange(len(seq))]

    def sentence(self) -> str:
        r = self.rng
        shapes = (
            lambda: f"The {self.pick(NOUNS)} must stay {self.pick(ADJ)} while traffic grows.",
            lambda: f"We {self.pick(VERBS)} {self.pick(TECH)} for the {self.pick(NOUNS)}.",
            lambda: f"Teams reported that the current {self.pick(NOUNS)} is hard to keep "
                    f"{self.pick(ADJ)}, especially during releases.",
            lambda: f"Using `{self.pick(TECH).lower()}` keeps the {self.pick(NOUNS)} **{self.pick(ADJ)}**.",
            lambda: f"See {self.ref_link()} for the earlier discussion of the "
                    f"{self.pick(NOUNS)}.",
            lambda: f"Benchmarks showed {r.randint(2, 40)}% lower latency with {self.pick(TECH)} "
                    f"at {r.randint(1, 90)}k requests per second.",
            lambda: f"The *{self.pick(AREAS)}* area depends on this {self.pick(NOUNS)} "
                    f"for {r.randint(2, 12)} services.",
            lambda: f"An outage in {2015 + r.randrange(10)} showed why a {self.pick(ADJ)} "
                    f"{self.pick(NOUNS)} matters; the post-mortem is on "
                    f"[the wiki](https://wiki.example.org/{self.pick(AREAS)}/{r.randint(100, 999)}).",
            lambda: f"Cost is about {r.randint(2, 90)} hundred euros a month, which is "
                    f"{self.pick(('acceptable', 'high', 'negligible', 'under budget'))}.",
        )
        return shapes[r.randrange(len(shapes))]()

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))

    def ref_number(self) -> int:
        if self.number <= 1:
            return 1
        return self.rng.randint(max(1, self.number - 50), self.number - 1)

    def ref(self) -> str:
        return record_id(self.ref_number(), self.width)

    def ref_link(self) -> str:
        """A Markdown link to an earlier record's real file (links resolve, as in real corpora)."""
        number = self.ref_number()
        rid = record_id(number, self.width)
        return f"[{rid}]({file_name(self.seed, number, self.width)})"

    def bullets(self, ordered: bool = False) -> str:
        items = []
        for i in range(self.rng.randint(3, 7)):
            mark = f"{i + 1}." if ordered else self.pick(("-", "-", "*"))
            items.append(f"{mark} {self.sentence()}")
            if self.rng.random() < 0.15:
                items.append(f"   - {self.sentence()}")
        return "\n".join(items)

    def code(self) -> str:
        lang = self.pick(LANGS)
        lines = CODE_LINES[lang]
        body = "\n".join(lines[self.rng.randrange(len(lines))] for _ in range(self.rng.randint(3, 8)))
        return f"```{lang}\n{body}\n```"

    def quote(self) -> str:
        return "> " + self.sentence() + "\n> " + self.sentence()

    def small_table(self) -> str:
        head = "| Metric | Before | After |\n|---|---:|---:|"
        rows = [f"| {self.pick(CRITERIA)} | {self.rng.randint(1, 500)} | {self.rng.randint(1, 500)} |"
                for _ in range(self.rng.randint(2, 5))]
        return "\n".join([head, *rows])

    def block(self) -> str:
        roll = self.rng.random()
        if roll < 0.45:
            return self.paragraph()
        if roll < 0.6:
            return self.bullets()
        if roll < 0.7:
            return self.bullets(ordered=True)
        if roll < 0.8:
            return self.code()
        if roll < 0.9:
            return self.quote()
        return self.small_table()

    def section_text(self, blocks: int) -> str:
        return "\n\n".join(self.block() for _ in range(blocks))

    def options(self) -> list[str]:
        techs = list(TECH)
        self.rng.shuffle(techs)
        return techs[: self.rng.randint(2, 4)]

    def criteria_table(self, options: list[str]) -> str:
        crit = list(CRITERIA)
        self.rng.shuffle(crit)
        header = "| Criterion | Weight | " + " | ".join(options) + " |"
        sep = "|---|---|" + "|".join("---" for _ in options) + "|"
        rows = [f"| {c} | {self.pick(WEIGHTS)} | " + " | ".join(self.pick(MARKS) for _ in options) + " |"
                for c in crit[: self.rng.randint(3, 7)]]
        return "\n".join([header, sep, *rows])

    def status(self) -> str:
        roll = self.rng.random()
        acc = 0.0
        for name, share in STATUSES:
            acc += share
            if roll < acc:
                return name
        return "accepted"

    def date(self) -> dt.date:
        return dt.date(2018, 1, 1) + dt.timedelta(days=(self.number * 3) % 2900 + self.rng.randrange(3))

    def body_sections(self, target: int, limit: int, headings: tuple[str, ...]) -> list[str]:
        """Add sections until the body reaches *target* characters, never passing *limit*."""
        parts: list[str] = []
        size = 0
        index = 0
        while size < target:
            heading = headings[index] if index < len(headings) else f"Notes {index - len(headings) + 1}"
            text = self.section_text(self.rng.randint(1, 3))
            if size + len(text) + len(heading) + 5 > limit:
                text = self.sentence()
                if size + len(text) + len(heading) + 5 > limit:
                    break
            parts.append(f"## {heading}\n\n{text}\n")
            size += len(text) + len(heading) + 5
            index += 1
        return parts


def _rng(seed: int, number: int, purpose: str) -> random.Random:
    digest = hashlib.blake2b(f"{seed}:{number}:{purpose}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def title_of(seed: int, number: int) -> str:
    """The title of record *number* (its own stream, so links can name the file cheaply)."""
    rng = _rng(seed, number, "title")

    def pick(seq: tuple[str, ...]) -> str:
        return seq[rng.randrange(len(seq))]

    return f"{pick(VERBS).capitalize()} {pick(TECH)} for the {pick(NOUNS)} ({pick(AREAS)})"


def file_name(seed: int, number: int, width: int) -> str:
    """File name of record *number*: ``DR-0042-use-redis-for-the-cache-ops.md``."""
    return f"{record_id(number, width)}-{_slug(title_of(seed, number))}.md"


def _yaml_list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _dr(w: _Writer, rid: str, title: str, status: str, date: dt.date, target: int) -> str:
    r = w.rng
    requires = sorted({w.ref() for _ in range(r.randint(0, 3))} - {rid}) if w.number > 1 else []
    provides = [f"{w.pick(AREAS)}-{w.pick(NOUNS).replace(' ', '-').lower()}"
                for _ in range(r.randint(0, 2))]
    affects = sorted({w.pick(AREAS) for _ in range(r.randint(1, 3))})
    tags = sorted({w.pick(AREAS) for _ in range(r.randint(1, 3))})
    options = w.options()
    chosen = options[0]
    lines = [
        "---", f"id: {rid}", f"title: \"{title}\"", f"status: {status}", f"date: {date.isoformat()}",
        f"owner: {w.pick(PEOPLE)}", f"deciders: {_yaml_list(sorted({w.pick(PEOPLE) for _ in range(2)}))}",
        f"tags: {_yaml_list(tags)}", f"requires: {_yaml_list(requires)}", f"decision: {chosen}",
        f"provides: {_yaml_list(provides)}", f"affects: {_yaml_list(affects)}",
    ]
    if status == "superseded" and w.number < w.count:
        lines.append(f"superseded_by: [{record_id(w.number + 1, w.width)}]")
    if r.random() < 0.2:
        lines.append(f"review_date: {(date + dt.timedelta(days=365)).isoformat()}")
    lines += ["---", "", f"# {rid}: {title}", ""]
    head = "\n".join(lines)
    fixed = [
        f"## Context\n\n{w.section_text(2)}\n",
        f"## Decision Drivers\n\n{w.bullets()}\n",
        f"## Decision Criteria\n\n{w.criteria_table(options)}\n",
        f"## Decision\n\nWe choose **{chosen}**. {w.paragraph()}\n",
        f"## Consequences\n\n{w.bullets()}\n\n{w.paragraph()}\n",
    ]
    used = len(head) + sum(len(p) for p in fixed)
    extra = w.body_sections(target - used, MAX_CHARS - used, ("Options Considered", "Implementation Notes",
                                            "Risks", "Rollout", "References"))
    return head + "\n" + "\n".join(fixed[:3] + extra[:2] + fixed[3:] + extra[2:])


def _nygard(w: _Writer, number: int, title: str, status: str, date: dt.date, target: int) -> str:
    status_line = status.capitalize()
    if status == "superseded" and w.number < w.count:
        nxt = record_id(w.number + 1, w.width)
        status_line = f"Superseded by [{nxt}]({file_name(w.seed, w.number + 1, w.width)})"
    head = f"# {number}. {title}\n\nDate: {date.isoformat()}\n\n## Status\n\n{status_line}\n\n"
    if w.number > 1 and w.rng.random() < 0.5:
        head += f"Amends {w.ref_link()}\n\n"
    fixed = [f"## Context\n\n{w.section_text(2)}\n", f"## Decision\n\n{w.section_text(2)}\n",
             f"## Consequences\n\n{w.bullets()}\n"]
    used = len(head) + sum(len(p) for p in fixed)
    extra = w.body_sections(target - used, MAX_CHARS - used, ("Background", "Alternatives", "Notes"))
    return head + "\n".join(fixed[:1] + extra + fixed[1:])


def _madr(w: _Writer, title: str, status: str, date: dt.date, target: int) -> str:
    options = w.options()
    deciders = ", ".join(sorted({w.pick(PEOPLE) for _ in range(3)}))
    head = (f"---\nstatus: {status}\ndate: {date.isoformat()}\ndecision-makers: {deciders}\n---\n\n"
            f"# {title}\n\n")
    opts = "\n".join(f"* {o}" for o in options)
    pros = "\n\n".join(
        f"### {o}\n\n* Good, because {w.sentence()}\n* Bad, because {w.sentence()}" for o in options)
    fixed = [
        f"## Context and Problem Statement\n\n{w.section_text(2)}\n",
        f"## Decision Drivers\n\n{w.bullets()}\n",
        f"## Considered Options\n\n{opts}\n",
        (f"## Decision Outcome\n\nChosen option: \"{options[0]}\", because {w.sentence()}\n\n"
         f"### Consequences\n\n* Good, because {w.sentence()}\n* Bad, because {w.sentence()}\n"),
        f"## Pros and Cons of the Options\n\n{pros}\n",
    ]
    used = len(head) + sum(len(p) for p in fixed)
    extra = w.body_sections(target - used, MAX_CHARS - used, ("More Information", "Validation"))
    return head + "\n".join(fixed + extra)


def render_record(seed: int, number: int, count: int, mix: str = "mixed") -> tuple[str, str]:
    """Return (file name, text) of record *number* (1-based) in a corpus of *count*."""
    width = width_for(count)
    rng = _rng(seed, number, "body")
    w = _Writer(rng, seed, number, count, width)
    shares = MIXES[mix]
    roll = rng.random()
    style = "dr" if roll < shares[0] else "nygard" if roll < shares[0] + shares[1] else "madr"
    target = rng.randint(MIN_CHARS, MAX_CHARS)
    title = title_of(seed, number)
    status = w.status()
    date = w.date()
    rid = record_id(number, width)
    if style == "dr":
        text = _dr(w, rid, title, status, date, target)
    elif style == "nygard":
        text = _nygard(w, number, title, status, date, target)
    else:
        text = _madr(w, title, status, date, target)
    return file_name(seed, number, width), text


def iter_records(count: int, seed: int = 7, mix: str = "mixed") -> Iterator[tuple[str, str]]:
    """Every (file name, text) of a corpus, in id order."""
    for number in range(1, count + 1):
        yield render_record(seed, number, count, mix)


def _config_files(count: int) -> dict[str, str]:
    return {
        ".adr.toml": (f'dir = "{RECORDS_DIR}"\nprefix = "{PREFIX}"\nwidth = {width_for(count)}\n'
                      'title = "Benchmark corpus"\n'),
        ".log4brains.yml": ("---\nproject:\n  name: Benchmark corpus\n  tz: UTC\n"
                            f"  adrFolder: ./{RECORDS_DIR}\n"),
    }


def generate(root: Path, count: int, *, seed: int = 7, mix: str = "mixed") -> Corpus:
    """Write a corpus of *count* records under *root* (reused when already generated)."""
    if mix not in MIXES:
        raise ValueError(f"unknown style {mix!r}; one of {', '.join(MIXES)}")
    stamp = root / ".bench-corpus.json"
    want = {"version": GENERATOR_VERSION, "records": count, "seed": seed, "style": mix}
    if stamp.is_file():
        try:
            have = json.loads(stamp.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            have = {}
        if {k: have.get(k) for k in want} == want and (root / RECORDS_DIR).is_dir():
            return Corpus(root, count, seed, mix, int(have.get("bytes", 0)))
    if root.exists():
        shutil.rmtree(root)
    records = root / RECORDS_DIR
    records.mkdir(parents=True)
    total = 0
    for name, text in iter_records(count, seed, mix):
        data = text.encode("utf-8")
        total += len(data)
        (records / name).write_bytes(data)
    for name, text in _config_files(count).items():
        (root / name).write_text(text, encoding="utf-8")
    stamp.write_text(json.dumps({**want, "bytes": total}), encoding="utf-8")
    return Corpus(root, count, seed, mix, total)


def main(argv: list[str] | None = None) -> int:
    """Command line: write a corpus folder."""
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="project folder to create (records go in decisions/)")
    parser.add_argument("--records", "-n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--style", choices=sorted(MIXES), default="mixed")
    args = parser.parse_args(argv)
    corpus = generate(args.out, args.records, seed=args.seed, mix=args.style)
    print(f"{corpus.records} records, {corpus.bytes / 1024 / 1024:.1f} MB in {corpus.records_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
