"""What rules see: the repository, lint settings, today's date and indexes built once per run.

Indexes are built here, once, so no rule scans every record for every record (10,000
records lint in seconds). Graph and scoring results are computed lazily, at most once,
and only when their modules exist (they are written in parallel; see BRIEF).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field
import datetime as dt
import importlib
import importlib.util
import os
from typing import TYPE_CHECKING, Any, TypeVar

from adr_tool.models import Record, RecordFormat

if TYPE_CHECKING:
    from adr_tool.diagnostics import Diagnostic
    from adr_tool.lint.gitdiff import DiffInfo
    from adr_tool.repository import Repository

F = RecordFormat
T = TypeVar("T")

DEFAULT_REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    F.FRONTMATTER: ("id", "title", "status", "date"),
    F.BOLD_FIELD: ("id", "title", "status", "date"),
    F.NYGARD: ("id", "title", "status", "date"),
    F.TABLE: ("id", "title", "status", "date"),
    # MADR 3/4 marks status, date and decision-makers as optional metadata
    F.MADR: ("id", "title"),
    # log4brains takes the date from the file name / git history
    F.LOG4BRAINS: ("id", "title", "status"),
    # GSD plans have no status or date: the status is inferred (planned / completed)
    F.GSD: (),
    F.PLAIN: (),
}
"""Which metadata each record format must state (``[tool.adr.lint] required_fields``)."""

DEFAULT_REQUIRED_SECTIONS: dict[str, tuple[str, ...]] = {
    F.FRONTMATTER: ("Context", "Decision", "Consequences"),
    F.NYGARD: ("Status", "Context", "Decision", "Consequences"),
    F.MADR: ("Context and Problem Statement", "Considered Options", "Decision Outcome"),
    F.LOG4BRAINS: ("Decision Outcome",),
    # bold-field and metadata-table records come from no shared template: nothing required
    F.BOLD_FIELD: (),
    F.TABLE: (),
    F.GSD: (),
    F.PLAIN: (),
}
"""Sections each format's template requires (``[tool.adr.lint] required_sections``)."""

DEFAULT_SECTION_ALIASES: dict[str, tuple[str, ...]] = {
    "context": ("context and problem statement", "problem statement", "problem", "background"),
    "context and problem statement": ("context", "problem statement"),
    "decision": ("decision outcome", "decisions", "proposal", "proposed decision", "what's proposed",
                 "what’s proposed", "resolution"),
    "decision outcome": ("decision",),
    "consequences": ("consequence", "implications", "outcome"),
    "considered options": ("options considered", "options", "alternatives considered",
                           "alternatives"),
}
"""Headings accepted in place of a required one (a Nygard record with ``## Proposal``)."""


@dataclass(slots=True)
class LintSettings:
    """The ``[tool.adr.lint]`` table, validated into plain values."""

    disable: frozenset[str] = frozenset()
    enable: frozenset[str] = frozenset()
    severity: dict[str, str] = field(default_factory=dict)
    required_fields: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_REQUIRED_FIELDS))
    required_sections: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_REQUIRED_SECTIONS))
    section_aliases: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_SECTION_ALIASES))
    known_keys: frozenset[str] = frozenset()
    id_pattern: str | None = None
    placeholders: tuple[str, ...] = ()

    def fields_for(self, record: Record) -> tuple[str, ...]:
        """Required metadata for this record's format."""
        return self.required_fields.get(profile_of(record), ())

    def sections_for(self, record: Record) -> tuple[str, ...]:
        """Required sections for this record's format."""
        return self.required_sections.get(profile_of(record), ())


_MADR_HEADINGS = frozenset({"context and problem statement", "considered options",
                            "decision outcome"})


def profile_of(record: Record) -> str:
    """Which format's requirements apply: the record's format, except that a frontmatter
    record written from the MADR template (``adr new --template madr``, or MADR files that
    ``adr migrate`` gave an ``id``) is held to MADR's requirements, not the DR template's."""
    if record.format is F.FRONTMATTER and any(
            s.heading.strip().strip("#*: ").casefold() in _MADR_HEADINGS for s in record.sections):
        return F.MADR.value
    return record.format.value


def _names(value: Any, key: str) -> frozenset[str]:
    from adr_tool.errors import ConfigError

    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[tool.adr.lint] {key} must be a list of rule codes or names")
    return frozenset(value)


def _per_format(value: Any, key: str, base: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    from adr_tool.errors import ConfigError

    if value is None:
        return dict(base)
    formats = {f.value for f in RecordFormat}
    if isinstance(value, list):  # one list for every format that has requirements
        items = tuple(str(v) for v in value)
        return {k: (items if v else ()) for k, v in base.items()}
    if not isinstance(value, dict):
        raise ConfigError(f"[tool.adr.lint] {key} must be a table of format = [names]")
    out = dict(base)
    for name, items in value.items():
        if name not in formats and name != "default":
            raise ConfigError(f"[tool.adr.lint] {key}: unknown record format {name!r}",
                              f"Formats: {', '.join(sorted(formats))}.")
        if not isinstance(items, list):
            raise ConfigError(f"[tool.adr.lint] {key}.{name} must be a list")
        targets = [f for f in base if base[f]] if name == "default" else [name]
        for target in targets:
            out[target] = tuple(str(i) for i in items)
    return out


def load_settings(raw: dict[str, Any]) -> LintSettings:
    """Validate ``[tool.adr.lint]`` (unknown keys are left for other readers, e.g. day_first)."""
    from adr_tool.errors import ConfigError

    norm = {k.replace("-", "_"): v for k, v in raw.items()}
    severity = norm.get("severity", {}) or {}
    if not isinstance(severity, dict):
        raise ConfigError("[tool.adr.lint] severity must be a table of CODE = \"error|warning|info\"")
    for name, level in severity.items():
        if level not in ("error", "warning", "info", "off"):
            raise ConfigError(f"[tool.adr.lint] severity.{name} = {level!r}: "
                              "use error, warning, info or off")
    aliases = dict(DEFAULT_SECTION_ALIASES)
    for name, extra in (norm.get("section_aliases") or {}).items():
        extra_list = [extra] if isinstance(extra, str) else list(extra)
        key = str(name).casefold()
        aliases[key] = tuple(aliases.get(key, ())) + tuple(str(e).casefold() for e in extra_list)
    pattern = norm.get("id_pattern")
    if pattern is not None:
        import re

        try:
            re.compile(str(pattern))
        except re.error as exc:
            raise ConfigError(f"[tool.adr.lint] id_pattern is not a valid regex: {exc}") from None
    return LintSettings(
        disable=_names(norm.get("disable"), "disable"),
        enable=_names(norm.get("enable"), "enable"),
        severity={str(k): str(v) for k, v in severity.items()},
        required_fields=_per_format(norm.get("required_fields"), "required_fields",
                                    DEFAULT_REQUIRED_FIELDS),
        required_sections=_per_format(norm.get("required_sections"), "required_sections",
                                      DEFAULT_REQUIRED_SECTIONS),
        section_aliases=aliases,
        known_keys=_names(norm.get("known_keys"), "known_keys"),
        id_pattern=str(pattern) if pattern is not None else None,
        placeholders=tuple(str(p) for p in norm.get("placeholders", []) or []),
    )


def today_for_lint() -> dt.date:
    """Today, or the day of SOURCE_DATE_EPOCH when set (reproducible runs and tests)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


_DECISION_FIELDS = ("id", "date", "deciders", "owner", "supersedes", "superseded_by", "related",
                    "requires", "review_date", "decision")
_STRUCTURAL = (F.NYGARD, F.MADR, F.LOG4BRAINS, F.TABLE, F.GSD)


def looks_like_decision(record: Record) -> bool:
    """See ``LintContext.is_decision``."""
    if record.format is F.PLAIN or "templates" in record.path.split("/")[:-1]:
        return False
    if record.format in _STRUCTURAL or record.status is not None:
        return True
    from adr_tool.parse.normalize import id_from_filename, number_of

    if number_of(id_from_filename(record.path.rsplit("/", 1)[-1])) is not None:
        return True
    return any(name in record.positions for name in _DECISION_FIELDS)


def has_module(name: str) -> bool:
    """Tell whether an optional sibling module (graph, scoring) is installed."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@dataclass(slots=True)
class LintContext:
    """Everything a check may look at; indexes are built once in ``build_context``."""

    repo: Repository
    settings: LintSettings
    today: dt.date
    by_id: dict[str, list[Record]] = field(default_factory=dict)
    superseded_by_refs: dict[int, list[Record]] = field(default_factory=dict)
    """id(record) -> records that list it in ``supersedes``."""
    diff: DiffInfo | None = None
    _exists: dict[str, bool] = field(default_factory=dict)
    _graph: Any = None
    _graph_done: bool = False
    _graph_diags: dict[str, list[Diagnostic]] | None = None
    _parse_diags: dict[str, list[Diagnostic]] = field(default_factory=dict)
    _scores: dict[int, Any] = field(default_factory=dict)
    _score_codes: dict[int, dict[str, list[Diagnostic]]] = field(default_factory=dict)
    _decision: dict[int, bool] = field(default_factory=dict)
    _profile: dict[int, str] = field(default_factory=dict)
    _memo: dict[tuple[str, int], Any] = field(default_factory=dict)
    _run_memo: dict[str, Any] = field(default_factory=dict)
    root_prefix: str = ""
    """The records root as an absolute path ending in a separator (for "is inside")."""
    _scoring: Any = None
    _pack: Any = None
    _pack_opened: bool = False
    _pack_entries: dict[str, dict[str, tuple[str, Any]]] = field(default_factory=dict)
    """Per-file values by record path (see ``per_file``)."""
    _collect: dict[str, tuple[str, Any]] | None = None
    """In a loader's worker: where ``per_file`` puts what it computes (see ``PerFileLint``)."""

    def is_decision(self, record: Record) -> bool:
        """Tell whether *record* looks like a decision record (metadata rules apply).

        Record folders also hold other documents: GSD audits and roadmaps, research notes,
        milestone archives, and template files in a ``templates/`` folder (never
        records). Structural formats (Nygard, MADR, log4brains, metadata table,
        GSD) always count; a frontmatter or bold-field file counts when it has a known
        status, a numbered file name, or any decision field (id, date, deciders, ...).
        """
        key = id(record)
        found = self._decision.get(key)
        if found is None:
            found = looks_like_decision(record)
            self._decision[key] = found
        return found

    def profile(self, record: Record) -> str:
        """``profile_of(record)``, computed once per record (several rules ask for it)."""
        key = id(record)
        found = self._profile.get(key)
        if found is None:
            # reads the section headings: kept per file, so warm runs need not decode them
            found = self.per_file("profile", record, "", lambda: profile_of(record))
            self._profile[key] = found
        return found

    def fields_for(self, record: Record) -> tuple[str, ...]:
        """Required metadata for this record's format (``LintSettings.fields_for``, cached)."""
        return self.settings.required_fields.get(self.profile(record), ())

    def sections_for(self, record: Record) -> tuple[str, ...]:
        """Required sections for this record's format (``LintSettings.sections_for``, cached)."""
        return self.settings.required_sections.get(self.profile(record), ())

    def memo(self, name: str, record: Record, compute: Callable[[], T]) -> T:
        """Compute something about *record* once per run (shared by several rules)."""
        key = (name, id(record))
        if key not in self._memo:
            self._memo[key] = compute()
        found: T = self._memo[key]
        return found

    def once(self, name: str, compute: Callable[[], T]) -> T:
        """Compute something once per run (template sentences, ...)."""
        if name not in self._run_memo:
            self._run_memo[name] = compute()
        found: T = self._run_memo[name]
        return found

    def record_at(self, path: str) -> Record | None:
        """The record read from display path *path*, if any."""
        index = self.once("by-path", lambda: {r.path: r for r in self.repo.records})
        return index.get(path)

    def resolve(self, ref: str) -> Record | None:
        """Find the record a reference names (id, number, file name)."""
        return self.repo.get(ref)

    def path_exists(self, path: str) -> bool:
        """Cached existence check of a normalised path (many records link the same files)."""
        key = path
        found = self._exists.get(key)
        if found is None:
            found = os.path.exists(key)
            self._exists[key] = found
        return found

    @property
    def graph(self) -> Any:
        """The decision graph, built once; None when the graph module is absent or fails."""
        if not self._graph_done:
            self._graph_done = True
            if has_module("adr_tool.graph"):
                module = importlib.import_module("adr_tool.graph")
                self._graph = module.build_graph(self.repo)
        return self._graph

    def parse_diagnostics(self, code: str) -> list[Diagnostic]:
        """Load diagnostics with *code* (ADR1xx) met while reading and parsing files."""
        return self._parse_diags.get(code, [])

    def graph_diagnostics(self, code: str) -> list[Diagnostic]:
        """Diagnostics with *code* produced by the graph module (empty when it is absent)."""
        if self._graph_diags is None:
            grouped: dict[str, list[Diagnostic]] = defaultdict(list)
            graph = self.graph
            for diag in getattr(graph, "diagnostics", None) or []:
                grouped[diag.code].append(diag)
            self._graph_diags = dict(grouped)
        return self._graph_diags.get(code, [])


    def score(self, record: Record) -> Any:
        """The record's scorecard (RecordScore, or just its diagnostics when they came from
        the per-file pack), computed once; None without tables or module."""
        key = id(record)
        if key in self._scores:
            return self._scores[key]
        found: Any = None
        entry = self._entry(record) if self._collect is None else None
        kept = entry.get("score") if entry is not None else None
        if kept is not None and kept[0] == "":
            found = kept[1]  # kept only for a record with tables: no need to decode them
        elif record.has_tables:
            if self._scoring is None:
                self._scoring = _load_scoring(self.repo.config)
            if self._scoring:
                module, kwargs = self._scoring
                found = self.per_file("score", record, "", lambda: CachedScore(list(
                    module.score_record(record, self.repo.config, **kwargs).diagnostics)))
        self._scores[key] = found
        return found

    def per_file(self, name: str, record: Record, token: str, compute: Callable[[], T]) -> T:
        """*compute*, or its value from an earlier run when the record's file is unchanged.

        For results that depend only on the record's file and the lint and score settings
        (and on *token*, which names anything else they read, e.g. the template sentences):
        kept by file key in a signed pack beside the parse cache (DR-021). A cold run gets
        them from the loader's pool workers, which computed them beside the parse
        (``PerFileLint``), and keeps them in the same pack.
        """
        entry = self._collect if self._collect is not None else self._entry(record)
        if entry is None:
            return compute()
        kept = entry.get(name)
        if kept is not None and kept[0] == token:
            value: T = kept[1]
            return value
        value = compute()
        entry[name] = (token, value)
        if self._collect is None and self._pack is not None:
            file_key = self.repo.file_keys.get(record.path)
            if file_key is not None:
                self._pack.put(file_key, entry)
        return value

    def _entry(self, record: Record) -> dict[str, tuple[str, Any]] | None:
        """The per-file values of *record* known so far: from the pack, from the loader's
        workers, or None when neither could have any (nothing is kept then)."""
        path = record.path
        entry = self._pack_entries.get(path)
        if entry is not None:
            return entry
        if not self._pack_opened:
            self._pack_opened = True
            self._pack = _open_lint_pack(self.repo)
        pack = self._pack
        file_key = self.repo.file_keys.get(path) if pack is not None else None
        fresh = self.repo.precomputed.get(path)
        if file_key is None and fresh is None:
            return None
        entry = dict(pack.get(file_key) or {}) if pack is not None and file_key is not None else {}
        if fresh:
            entry.update(fresh)
            if pack is not None and file_key is not None:
                pack.put(file_key, entry)
        self._pack_entries[path] = entry
        return entry

    def finish(self) -> None:
        """Save what this run added to the per-file pack (after every rule ran)."""
        if self._pack is not None:
            self._pack.save(self.repo.file_keys.values())

    def score_diagnostics(self, record: Record, code: str) -> list[Diagnostic]:
        """Scoring diagnostics with *code* for *record* (empty when scoring is absent)."""
        key = id(record)
        by_code = self._score_codes.get(key)
        if by_code is None:
            # six rules ask, one code each: sort the diagnostics by code once per record
            by_code = self._score_codes[key] = {}
            scored = self.score(record)
            for diag in getattr(scored, "diagnostics", None) or ():
                by_code.setdefault(diag.code, []).append(diag)
        return list(by_code.get(code, ()))


@dataclass(slots=True)
class CachedScore:
    """A scorecard reduced to what lint reads: its diagnostics, as the pack kept them."""

    diagnostics: list[Diagnostic]


LINT_PACK_VERSION = "2"


def _open_lint_pack(repo: Repository) -> Any:
    """The signed pack of per-file lint results (DR-021), or None when the records did not
    come through the parse cache. Its name covers the parse fingerprint, the lint and score
    settings and the modules that compute what it keeps."""
    if repo.cache_folder is None or not repo.file_keys:
        return None
    import hashlib

    from adr_tool.parse.cache import SignedPack, fingerprint
    from adr_tool.repository import parse_options

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = hashlib.sha256(
        f"{LINT_PACK_VERSION}\0{fingerprint(parse_options(repo.config))}\0"
        f"{_stable(repo.config.score)}\0{_stable(repo.config.lint)}".encode())
    modules = ["scoring.py", "criteria.py", "diagnostics.py"]
    for sub in ("lint", os.path.join("lint", "rules")):
        with contextlib.suppress(OSError):
            modules.extend(os.path.join(sub, n) for n in sorted(os.listdir(
                os.path.join(package, sub))) if n.endswith(".py"))
    for name in modules:
        with contextlib.suppress(OSError):
            info = os.stat(os.path.join(package, name))
            digest.update(f"\0{name}:{info.st_size}:{info.st_mtime_ns}".encode())
    folder = repo.cache_folder
    pack = SignedPack(folder / "lint", digest.hexdigest()[:24], ignore_at=folder.parent.parent)
    return pack if pack.enabled else None


def _stable(value: Any) -> str:
    """A repr that does not depend on set or dict order (hash seeds differ per process)."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{_stable(k)}:{_stable(v)}"
                              for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))) + "}"
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(_stable(v) for v in value)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_stable(v) for v in value) + "]"
    return repr(value)


def _load_scoring(config: Any) -> tuple[Any, dict[str, Any]] | bool:
    """The scoring module and, when it accepts them, settings built once for the whole run."""
    if not has_module("adr_tool.scoring"):
        return False
    import inspect

    module = importlib.import_module("adr_tool.scoring")
    kwargs: dict[str, Any] = {}
    settings_type = getattr(module, "ScoreSettings", None)
    parameters = inspect.signature(module.score_record).parameters
    if settings_type is not None and "settings" in parameters:
        kwargs["settings"] = settings_type.from_config(config.score)
    if "robustness" in parameters:
        kwargs["robustness"] = False  # lint reads only the diagnostics
    return module, kwargs


def build_context(repo: Repository, settings: LintSettings, today: dt.date | None = None,
                  diff: DiffInfo | None = None) -> LintContext:
    """Index the repository once: ids, and who claims to supersede whom."""
    ctx = LintContext(repo=repo, settings=settings, today=today or today_for_lint(), diff=diff)
    ctx.root_prefix = os.path.join(os.path.abspath(repo.root), "")
    by_id: dict[str, list[Record]] = defaultdict(list)
    for record in repo.records:
        if ctx.is_decision(record):
            by_id[record.id].append(record)
    ctx.by_id = dict(by_id)
    back: dict[int, list[Record]] = defaultdict(list)
    for record in repo.records:
        for ref in record.supersedes:
            target = repo.get(ref)
            if target is not None and target is not record:
                back[id(target)].append(record)
    ctx.superseded_by_refs = dict(back)
    parse_diags: dict[str, list[Diagnostic]] = defaultdict(list)
    for diag in repo.diagnostics:
        parse_diags[diag.code].append(diag)
    ctx._parse_diags = dict(parse_diags)
    return ctx
