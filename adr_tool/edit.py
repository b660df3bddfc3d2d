"""Minimal, byte-preserving edits of record files, planned first and applied all-or-nothing.

Only the keys being changed are rewritten; comments, key order, quoting of other keys and
the whole body stay byte-for-byte (DR-015). Every edit is checked by re-reading the
frontmatter: other keys must load to the same values and the changed key to the wanted
one, else the edit falls back to re-rendering just that key, else it is refused.

Multi-file operations (supersede, renumber, migrate) are a list of ``FileChange`` values:
shown as a unified diff, then applied with ``apply_changes``, which restores every file
already written when a later write fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
import contextlib
from dataclasses import dataclass
import difflib
import os
from pathlib import Path
import re
from typing import Any

from adr_tool.errors import AdrError

_TOP_KEY = re.compile(r"^(?P<key>[A-Za-z0-9_][A-Za-z0-9_ .-]*?)\s*:(?:\s|$)")
_BLOCK_ITEM = re.compile(r"^(?P<prefix>\s*-\s+)(?P<value>.*?)\s*$")
_RESERVED = ("yes", "no", "true", "false", "null", "on", "off", "y", "n", "~")


class EditError(AdrError):
    """A minimal edit could not be made safely (the file is left untouched)."""


# --------------------------------------------------------------------------- rendering


def yaml_scalar(value: Any) -> str:
    """Render a scalar as YAML flow text: plain when safe, JSON-quoted otherwise."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if (re.fullmatch(r"[A-Za-z][A-Za-z0-9 _./()+-]*", text) and text.strip() == text
            and text.casefold() not in _RESERVED and ": " not in text and " #" not in text):
        return text
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text  # an ISO date reads back as the same date
    import json  # here, not at the top: ``adr new`` imports this module for plain titles

    return json.dumps(text, ensure_ascii=False)


def yaml_value(value: Any) -> str:
    """Render a value for the right-hand side of ``key: ...`` on one line."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_value(v) if isinstance(v, dict) else yaml_scalar(v)
                               for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_scalar(k)}: {yaml_scalar(v)}" for k, v in value.items()) + "}"
    return yaml_scalar(value)


def _render(key: str, value: Any, block: dict[str, str]) -> str:
    if key in block:
        return f"{key}:\n{block[key]}".rstrip("\n")
    return f"{key}: {yaml_value(value)}"


# --------------------------------------------------------------------------- text I/O


@dataclass(frozen=True, slots=True)
class RecordText:
    """A record file's text with LF newlines, plus what is needed to write it back exactly."""

    text: str
    crlf: bool = False
    """Every newline in the file was CRLF (then every written newline is CRLF again)."""
    bom: bool = False

    def encode(self, text: str) -> str:
        """Turn edited LF text back into the file's own newline and BOM convention."""
        if self.crlf:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        return ("\ufeff" if self.bom else "") + text

    @property
    def mixed(self) -> bool:
        """Whether the file mixes CRLF and LF newlines (minimal edits are then refused)."""
        return "\r" in self.text

    @property
    def original(self) -> str:
        """The file content exactly as read."""
        return self.encode(self.text)


def read_record_text(path: Path) -> RecordText:
    """Read a record for editing; refuse files that are not UTF-8 (we would change bytes)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise AdrError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise EditError(f"{path} is not valid UTF-8; not editing it",
                        "Re-save the file as UTF-8 first.") from None
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    crlf = "\r\n" in text and text.count("\r\n") == text.count("\n")
    if crlf:
        text = text.replace("\r\n", "\n")
    return RecordText(text=text, crlf=crlf, bom=bom)


# --------------------------------------------------------------------------- frontmatter lines


def _key_spans(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Map each top-level key to its [start, end) line range inside the frontmatter lines."""
    spans: dict[str, tuple[int, int]] = {}
    current: str | None = None
    start = 0
    for index, line in enumerate(lines):
        match = _TOP_KEY.match(line) if line[:1] not in (" ", "\t", "-", "#") else None
        if match:
            if current is not None:
                spans.setdefault(current, (start, index))
            current, start = match["key"], index
        elif line[:1] == "#" and current is not None:
            # a comment line at column 0 closes the previous value (keeps comments in place)
            spans.setdefault(current, (start, index))
            current = None
    if current is not None:
        spans.setdefault(current, (start, len(lines)))
    # trailing blank lines belong to nobody
    for key, (s, e) in list(spans.items()):
        while e > s + 1 and not lines[e - 1].strip():
            e -= 1
        spans[key] = (s, e)
    return spans


@dataclass(slots=True)
class _Front:
    """A file split into the lines before, inside and after its frontmatter."""

    head: list[str]
    lines: list[str]
    tail: list[str]

    def join(self) -> str:
        return "\n".join([*self.head, *self.lines, *self.tail])


def _front(text: str) -> _Front | None:
    from adr_tool.parse.frontmatter import split  # PyYAML: not for ``adr new``'s yaml_scalar

    parts = split(text)
    if parts is None:
        return None
    _yaml, yaml_line, body_line = parts
    all_lines = text.split("\n")
    return _Front(all_lines[: yaml_line - 1], all_lines[yaml_line - 1 : body_line - 2],
                  all_lines[body_line - 2 :])


def load_frontmatter_values(text: str) -> dict[str, Any] | None:
    """The frontmatter as plain values (None when absent or unreadable)."""
    from adr_tool.parse.frontmatter import load

    fm = load(text, "<edit>")
    if fm is None or not fm.ok:
        return None
    return {key: entry.value for key, entry in fm.entries.items()}


def _insert_at_end(front: _Front, rendered: str) -> None:
    at = len(front.lines)
    while at > 0 and not front.lines[at - 1].strip():
        at -= 1
    front.lines[at:at] = rendered.split("\n")


def _split_comment(rest: str) -> tuple[str, str]:
    """Split ``"value" # note`` into value text and trailing comment (quotes respected)."""
    stripped = rest.lstrip()
    start = len(rest) - len(stripped)
    if stripped[:1] in ("'", '"'):
        quote, index = stripped[0], 1
        while index < len(stripped):
            char = stripped[index]
            if quote == '"' and char == "\\":
                index += 2
                continue
            if char == quote:
                if quote == "'" and stripped[index + 1 : index + 2] == "'":
                    index += 2
                    continue
                break
            index += 1
        start += index + 1
    found = re.search(r"\s+#", rest[start:])
    if found is None:
        return rest, ""
    cut = start + found.start()
    return rest[:cut], rest[cut:]


def _replace_scalar(line: str, key: str, value: Any) -> str | None:
    """Rewrite ``key: old  # note`` keeping the key spelling, quote style and comment."""
    match = re.match(rf"^(?P<lead>{re.escape(key)}\s*:\s*)(?P<rest>.*)$", line)
    if match is None or isinstance(value, list | tuple | dict) or value is None:
        return None
    rest, comment = _split_comment(match["rest"])
    rendered = yaml_scalar(value)
    quote = rest.strip()[:1]
    text = str(value)
    if quote == "'" and "'" not in text and "\n" not in text:
        rendered = f"'{text}'"
    elif quote == '"' and not rendered.startswith('"'):
        import json

        rendered = json.dumps(text, ensure_ascii=False)
    return match["lead"] + rendered + comment


def set_frontmatter_keys(text: str, changes: dict[str, Any], block: dict[str, str] | None = None) -> str:
    """Return *text* with frontmatter keys set (None deletes), touching nothing else.

    *block* optionally gives pre-rendered multi-line YAML for a key (e.g. a history list).
    Adds a frontmatter block when the file has none. The result is verified by reloading.
    """
    block = block or {}
    front = _front(text)
    if front is None:
        keys = [*changes, *(k for k in block if k not in changes)]
        new_lines = [_render(k, changes.get(k), block) for k in keys
                     if changes.get(k) is not None or k in block]
        return "---\n" + "\n".join(new_lines) + "\n---\n" + ("" if text.startswith("\n") else "\n") + text
    spans = _key_spans(front.lines)
    replacements: list[tuple[int, int, list[str]]] = []
    for key, value in changes.items():
        if key in spans:
            s, e = spans[key]
            if value is None and key not in block:
                replacements.append((s, e, []))
                continue
            single = e - s == 1 and key not in block and _replace_scalar(front.lines[s], key, value)
            rendered = single or _render(key, value, block)
            replacements.append((s, e, rendered.split("\n")))
    for s, e, new in sorted(replacements, reverse=True):
        front.lines[s:e] = new
    for key, value in changes.items():
        if key not in spans and (value is not None or key in block):
            _insert_at_end(front, _render(key, value, block))
    result = front.join()
    _verify(text, result, changes, block)
    return result


def _verify(old: str, new: str, changes: dict[str, Any], block: dict[str, str]) -> None:
    """Refuse an edit that changed any other key, or did not set the wanted values."""
    before = load_frontmatter_values(old)
    after = load_frontmatter_values(new)
    if before is None:
        if _front(old) is not None:
            raise EditError("the frontmatter is not valid YAML; fix it before editing (file left untouched)",
                            "`adr show` or `adr list` points at the broken line.")
        return  # no frontmatter before: a new block was added
    if after is None:
        raise EditError("the edited frontmatter would not be valid YAML; file left untouched")
    for key in set(before) | set(after):
        if key in changes or key in block:
            continue
        if before.get(key) != after.get(key):
            raise EditError(f"editing would change the frontmatter key {key!r}; file left untouched")
    for key, value in changes.items():
        if key in block:
            continue
        got = after.get(key)
        if value is None:
            if key in after:
                raise EditError(f"could not remove the frontmatter key {key!r}")
        elif _normal(got) != _normal(value):
            raise EditError(f"could not set the frontmatter key {key!r}; file left untouched")


def _normal(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    return str(value)


# --------------------------------------------------------------------------- list edits


def _as_items(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return list(value)
    if isinstance(value, str) and ("," in value or ";" in value):
        return [p.strip() for p in re.split(r"[;,]", value) if p.strip()]
    return [value]


def _item_key(item: Any) -> str:
    return str(item).strip().casefold()


def edit_frontmatter_list(text: str, key: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> str:
    """Add/remove string items of a frontmatter list, keeping the list's own style.

    A block list gets one new ``- item`` line per addition (same indent as its items), a
    one-line flow list gets ``, item`` before its ``]``; anything else re-renders only
    this key. Items already present are not added twice. Creates the key when absent.
    """
    values = load_frontmatter_values(text) if _front(text) is not None else {}
    current = _as_items((values or {}).get(key))
    keys = {_item_key(v) for v in current}
    to_add: list[str] = []
    for item in add:
        if _item_key(item) not in keys:
            to_add.append(item)
            keys.add(_item_key(item))
    drop = {_item_key(r) for r in remove}
    wanted = [v for v in current if _item_key(v) not in drop] + to_add
    if wanted == current:
        return text
    front = _front(text)
    if front is None:
        return set_frontmatter_keys(text, {key: wanted})
    spans = _key_spans(front.lines)
    attempt = _edit_list_lines(front, spans, key, to_add, drop) if key in spans else None
    if attempt is not None:
        try:
            _verify_list(text, attempt, key, wanted)
            return attempt
        except EditError:
            pass
    return set_frontmatter_keys(text, {key: wanted})


def _edit_list_lines(front: _Front, spans: dict[str, tuple[int, int]], key: str,
                     to_add: list[str], drop: set[str]) -> str | None:
    start, end = spans[key]
    head = front.lines[start]
    after_colon = head.split(":", 1)[1].strip() if ":" in head else ""
    lines = list(front.lines)
    if after_colon.startswith("[") and after_colon.endswith("]") and end - start == 1:
        if drop:
            return None
        close = head.rfind("]")
        inner = head[head.find("[") + 1 : close].strip()
        joined = ", ".join(yaml_scalar(v) for v in to_add)
        lines[start] = head[:close].rstrip() + ((", " + joined) if inner else joined) + head[close:]
        return "\n".join([*front.head, *lines, *front.tail])
    if after_colon in ("", "[]") or after_colon.startswith("#"):
        items = [i for i in range(start + 1, end) if _BLOCK_ITEM.match(lines[i])]
        for index in reversed(items):
            match = _BLOCK_ITEM.match(lines[index])
            assert match is not None
            value = match["value"].split(" #", 1)[0].strip().strip("'\"")
            if _item_key(value) in drop:
                del lines[index]
                end -= 1
        if not to_add:
            return "\n".join([*front.head, *lines, *front.tail])
        last = max((i for i in range(start + 1, end) if _BLOCK_ITEM.match(lines[i])), default=None)
        prefix = "  - "
        if last is not None:
            match = _BLOCK_ITEM.match(lines[last])
            assert match is not None
            prefix = match["prefix"]
        if after_colon == "[]":
            lines[start] = head[: head.find("[")].rstrip()
        new = [prefix + yaml_scalar(v) for v in to_add]
        at = (last + 1) if last is not None else start + 1
        if last is not None:
            # keep an item's continuation lines (deeper indent) with it
            while at < end and lines[at].startswith(" " * (len(prefix) - len(prefix.lstrip()) + 1)) \
                    and not _BLOCK_ITEM.match(lines[at]):
                at += 1
        lines[at:at] = new
        return "\n".join([*front.head, *lines, *front.tail])
    return None


def _verify_list(old: str, new: str, key: str, wanted: list[Any]) -> None:
    before = load_frontmatter_values(old) or {}
    after = load_frontmatter_values(new)
    if after is None:
        raise EditError("list edit produced invalid YAML")
    for other in set(before) | set(after):
        if other != key and before.get(other) != after.get(other):
            raise EditError(f"list edit changed {other!r}")
    if _normal(_as_items(after.get(key))) != _normal(wanted):
        raise EditError(f"list edit did not produce the wanted {key!r}")


def append_history(text: str, entry: dict[str, str]) -> str:
    """Append one ``{date, status, note}`` item to the frontmatter ``history`` list."""
    flow = "{" + ", ".join(f"{k}: {yaml_scalar(v)}" for k, v in entry.items() if v) + "}"
    front = _front(text)
    values = (load_frontmatter_values(text) or {}) if front is not None else {}
    existing = values.get("history")
    if front is not None:
        spans = _key_spans(front.lines)
        if "history" in spans and isinstance(existing, list) and existing:
            start, end = spans["history"]
            head = front.lines[start].split(":", 1)[1].strip()
            items = [i for i in range(start + 1, end) if _BLOCK_ITEM.match(front.lines[i])]
            if (head == "" or head.startswith("#")) and items:
                match = _BLOCK_ITEM.match(front.lines[items[-1]])
                assert match is not None
                lines = list(front.lines)
                lines[end:end] = [match["prefix"] + flow]
                result = "\n".join([*front.head, *lines, *front.tail])
                after = load_frontmatter_values(result) or {}
                if after.get("history") == [*existing, _load_flow(flow)]:
                    return result
    old_items = existing if isinstance(existing, list) else []
    rendered = "".join(f"  - {yaml_value(item)}\n" for item in old_items) + f"  - {flow}\n"
    return set_frontmatter_keys(text, {"history": None}, block={"history": rendered})


def _load_flow(flow: str) -> Any:
    import yaml

    return yaml.safe_load(flow)


# --------------------------------------------------------------------------- line edits


def replace_line_value(text: str, line: int, column: int, new_value: str, length: int | None = None) -> str:
    """Replace *length* characters (default: to the end of the line) at (line, column), 1-based."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return text
    current = lines[line - 1]
    start = max(column - 1, 0)
    end = len(current) if length is None else start + length
    lines[line - 1] = current[:start] + new_value + current[end:]
    return "\n".join(lines)


def insert_lines_after(text: str, line: int, new_lines: Iterable[str]) -> str:
    """Insert *new_lines* after file line *line* (1-based)."""
    lines = text.split("\n")
    at = min(max(line, 0), len(lines))
    lines[at:at] = list(new_lines)
    return "\n".join(lines)


# --------------------------------------------------------------------------- change sets


@dataclass(frozen=True, slots=True)
class FileChange:
    """One planned file edit: new content, and optionally a new name (rename)."""

    path: Path
    before: str
    """Exact current content (newline/BOM conventions included)."""
    after: str
    new_path: Path | None = None

    @property
    def target(self) -> Path:
        """Where the content ends up."""
        return self.new_path or self.path

    @property
    def changed(self) -> bool:
        """Whether applying this change would alter anything on disk."""
        return self.before != self.after or (self.new_path is not None and self.new_path != self.path)


def _shown(path: Path, base: Path | None) -> str:
    from adr_tool.sources import display_path

    if base is not None:
        with contextlib.suppress(ValueError):
            return Path(os.path.relpath(path, base)).as_posix()
    return display_path(path)


def render_diff(changes: Sequence[FileChange], base: Path | None = None) -> str:
    """Unified diff of every change (renames shown as ``rename from/to``), newline-agnostic."""
    out: list[str] = []
    for change in changes:
        if not change.changed:
            continue
        old_name = _shown(change.path, base)
        new_name = _shown(change.target, base)
        if change.new_path is not None and change.new_path != change.path:
            out.append(f"rename from {old_name}\nrename to {new_name}\n")
        before = change.before.replace("\r\n", "\n").splitlines(keepends=True)
        after = change.after.replace("\r\n", "\n").splitlines(keepends=True)
        for line in difflib.unified_diff(before, after, f"a/{old_name}", f"b/{new_name}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


Writer = Callable[[Path, str], None]


def _default_writer(path: Path, text: str) -> None:
    from adr_tool.writes import atomic_write

    atomic_write(path, text)


def apply_changes(changes: Sequence[FileChange], *, write: Writer | None = None) -> list[Path]:
    """Apply every change or none: on any failure, restore what was already written.

    Files are checked first (unchanged since planned, targets free), then written one by
    one through *write* (default ``writes.atomic_write``; tests inject failures here).
    Symlinked records are edited at their target so the link survives.
    """
    writer = write or _default_writer
    todo = [c for c in changes if c.changed]
    for change in todo:
        try:
            current = change.path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AdrError(f"cannot read {change.path}: {exc}") from None
        if current != change.before:
            raise AdrError(f"{change.path} changed while this command ran; nothing was written",
                           "Run the command again.")
        if change.new_path is not None and change.new_path != change.path and change.new_path.exists():
            raise AdrError(f"{change.new_path} already exists; nothing was written")
    done: list[FileChange] = []
    try:
        for change in todo:
            real = change.path.resolve() if change.path.is_symlink() else change.path
            if change.new_path is not None and change.new_path != change.path:
                writer(change.new_path, change.after)
                done.append(change)
                change.path.unlink()
            else:
                writer(real, change.after)
                done.append(change)
    except BaseException as exc:
        _rollback(done)
        if isinstance(exc, AdrError | KeyboardInterrupt):
            raise
        written = ", ".join(str(c.path) for c in done) or "none"
        raise AdrError(f"could not write {change.target}: {exc}; rolled back ({written})",
                       "Check file permissions and disk space, then run the command again.") from None
    return [c.target for c in done]


def _rollback(done: list[FileChange]) -> None:
    from adr_tool.writes import atomic_write

    for change in reversed(done):
        with contextlib.suppress(OSError):
            if change.new_path is not None and change.new_path != change.path:
                if not change.path.exists():
                    atomic_write(change.path, change.before)
                change.new_path.unlink(missing_ok=True)
            else:
                real = change.path.resolve() if change.path.is_symlink() else change.path
                atomic_write(real, change.before)
