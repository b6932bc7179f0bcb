"""Byte-preserving edits of a client note: splice values and lines, never re-serialise.

A rep's note is years of hand-written work, so an edit may change exactly the value spans and
lines it means to, and nothing else (DATA-SAFETY.md rules 1, 2, 4 and 7):

- the file's dialect is kept: UTF-8 BOM, CRLF or LF (mixed is refused), final newline or not;
- YAML is only *located* (libyaml's composer gives each value's start and end; ruamel.yaml, the
  YAML 1.2 reader, must agree on every key's position), and only the bytes of the changed
  value are replaced, so comments, quoting, indentation and key order survive;
- anchors, aliases, custom tags, duplicate keys and oversized front-matter are refused before
  anything is built, so an alias bomb costs microseconds;
- `to_bytes()` re-reads its own result and refuses to return it unless untouched keys, comments
  and body lines are identical and the changed keys read back, under YAML 1.1 and 1.2, as the
  values the caller asked for.
"""

from __future__ import annotations

import codecs
import functools
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from salesnotes.errors import Problem, VaultError
from salesnotes.files import FileRefused, NoteChanged, atomic_write, read_snapshot

MAX_FRONT_MATTER = 64 * 1024
VERIFY_FAILED = "internal: edit verification failed; nothing written"
FM_LINE0 = 2  # file line of the front-matter's first line (line 1 is the opening ---)

_Loader: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CORE_TAGS = {"str", "int", "float", "bool", "null", "timestamp", "seq", "map"}
_CONFLICT = re.compile(r"(<{7}|>{7})(?: |$)")
_KEY_NAME = re.compile(r"[^\W\d][\w-]*")
_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]|$)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_LINE_BREAKS = "\n\r\x85\u2028\u2029"
_PLAIN_BAD_FIRST = set("-?:,[]{}#&*!|>'\"%@`")
_PLAIN_RESERVED = {"y", "Y", "n", "N", "=", "<<"}


class EditRefused(Exception):
    """An edit that cannot be done without risking the note; `line` is 1-based, 0 = whole file."""

    def __init__(self, message: str, line: int = 0, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.detail = detail  # for VERIFY_FAILED: which check failed, for debugging


# --------------------------------------------------------------------------- the file's dialect


def _decode(data: bytes) -> tuple[bool, str]:
    """Strict UTF-8 with an optional BOM; a NUL byte means a binary file."""
    bom = data.startswith(codecs.BOM_UTF8)
    raw = data[len(codecs.BOM_UTF8) :] if bom else data
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise EditRefused("binary file (NUL byte); not edited", line)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        byte = raw[e.start]
        raise EditRefused(
            f"not UTF-8 (byte 0x{byte:02x} on line {line}); salesnotes edits UTF-8 notes only",
            line,
        ) from None
    return bom, text


def _newline_style(text: str) -> str:
    """CRLF or LF; a lone CR or a mix of both is refused with the first odd line."""
    lone_cr = re.search(r"\r(?!\n)", text)
    if lone_cr:
        line = text.count("\n", 0, lone_cr.start()) + 1
        raise EditRefused("mixed line endings (a lone CR)", line)
    crlf = text.count("\r\n")
    if crlf == 0:
        return "\n"
    if crlf != text.count("\n"):
        for number, line in enumerate(text.split("\n")[:-1], start=1):
            if not line.endswith("\r"):
                raise EditRefused("mixed line endings (CRLF and LF)", number)
    return "\r\n"


def _split_lines(text: str) -> tuple[list[str], bool]:
    """Lines without terminators plus whether the text ends with one; joining is exact."""
    if not text:
        return [], False
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
        return lines, True
    return lines, False


def _refuse_conflict_markers(lines: Sequence[str]) -> None:
    for number, line in enumerate(lines, start=1):
        if _CONFLICT.match(line):
            raise EditRefused("merge conflict markers; resolve the conflict first", number)


def _front_matter_end(lines: Sequence[str]) -> int | None:
    """Index of the closing delimiter; front-matter exists only as the file's first line."""
    if not lines or lines[0].rstrip(" \t") != "---":
        return None
    size = 0
    for index in range(1, len(lines)):
        if lines[index].rstrip(" \t") in ("---", "..."):
            return index
        size += len(lines[index].encode("utf-8", "surrogatepass")) + 1
        if size > MAX_FRONT_MATTER:
            raise EditRefused("front-matter over 64 KB; not edited", 1)
    raise EditRefused("unclosed front-matter block (no closing ---)", 1)


# --------------------------------------------------------------------- locating front-matter keys


@dataclass(frozen=True)
class _Entry:
    """One top-level key: offsets into the front-matter text, lines 0-based within it."""

    key: str
    key_index: int  # offset of the key's first character
    key_line: int
    colon: int  # offset just after the key's ':'
    start: int  # value span [start, end)
    end: int
    last_line: int  # line holding the end of the value
    kind: str  # scalar | flow | block | map
    style: str  # scalar style: '' plain, "'", '"', '|', '>'
    indent: int  # column of a block list's '-'


def _parse_front_matter(text: str) -> list[_Entry]:
    """The top-level keys of `text`; anything unsafe or ambiguous is refused with its line."""
    _refuse_unsafe_tokens(text)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        raise _yaml_refusal(e, text) from None
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise EditRefused("front-matter must be 'key: value' lines", _line(text, root.start_mark))
    _refuse_bad_keys(root, text)
    return [_entry(k, v, text) for k, v in root.value]


def _refuse_unsafe_tokens(text: str) -> None:
    """Scan tokens only (C speed, nothing built): aliases, anchors, tags, directives."""
    try:
        for token in yaml.scan(text, Loader=_Loader):
            line = _line(text, token.start_mark)
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                raise EditRefused("anchors/aliases not supported", line)
            if isinstance(token, yaml.TagToken) and not _core_tag(token.value):
                handle, suffix = token.value
                raise EditRefused(f"unsupported YAML tag {handle or ''}{suffix}", line)
            if isinstance(token, yaml.DirectiveToken):
                raise EditRefused("YAML directives not supported in front-matter", line)
    except yaml.MarkedYAMLError as e:
        raise _yaml_refusal(e, text) from None


def _core_tag(value: tuple[str | None, str]) -> bool:
    handle, suffix = value
    return handle == "!!" and suffix in _CORE_TAGS


def _yaml_refusal(error: Any, text: str) -> EditRefused:
    """Point at the cause: an unclosed quote is reported where it opens, not at the end."""
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = str(getattr(error, "context", None) or "")
    mark, context_mark = getattr(error, "problem_mark", None), getattr(error, "context_mark", None)
    what = str(problem).strip()
    if "\t" in what or "'\\t'" in what:
        what = "a tab where YAML allows only spaces"
    if context_mark is not None and (mark is None or mark.index >= len(text) - 1):
        mark = context_mark
        what = "unclosed quote" if "quoted scalar" in context else f"{context}: {what}"
    return EditRefused(f"malformed YAML: {what}", _line(text, mark) if mark else FM_LINE0)


def _line(text: str, mark: Any) -> int:
    """File line of a mark, counted in '\\n' only (libyaml also breaks lines at U+2028)."""
    return FM_LINE0 + text.count("\n", 0, min(mark.index, len(text)))


def _refuse_bad_keys(root: yaml.MappingNode, text: str) -> None:
    """Duplicate, merge and non-text keys, at every level (iterative: depth is unbounded)."""
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        if not isinstance(node, yaml.MappingNode):
            continue
        seen: dict[str, int] = {}
        for key, value in node.value:
            line = _line(text, key.start_mark)
            if not isinstance(key, yaml.ScalarNode):
                raise EditRefused("a key must be plain text", line)
            if key.value == "<<" and not key.style:
                raise EditRefused("merge keys (<<) not supported", line)
            if key.value in seen:
                raise EditRefused(
                    f"duplicate key '{key.value}' (first on line {seen[key.value]})", line
                )
            seen[key.value] = line
            stack.append(value)


def _entry(key: yaml.ScalarNode, value: yaml.Node, text: str) -> _Entry:
    line = _line(text, key.start_mark) - FM_LINE0
    if _column(text, key.start_mark.index) != 0:
        raise EditRefused("indented front-matter keys are not supported", FM_LINE0 + line)
    colon = key.end_mark.index
    while colon < len(text) and text[colon] in " \t":
        colon += 1
    if colon >= len(text) or text[colon] != ":":
        raise EditRefused("unsupported key syntax", FM_LINE0 + line)
    start, end = value.start_mark.index, _node_end(value, text)
    if isinstance(value, yaml.ScalarNode):
        kind = "scalar"
    elif isinstance(value, yaml.SequenceNode):
        kind = "flow" if value.flow_style else "block"
    else:
        kind = "map"
    last_line = text.count("\n", 0, end) if end > start else line
    style = (value.style or "") if isinstance(value, yaml.ScalarNode) else ""
    return _Entry(key.value, key.start_mark.index, line, colon + 1, start, end, last_line, kind,
                  style, _column(text, start))


def _column(text: str, index: int) -> int:
    return index - (text.rfind("\n", 0, index) + 1)


def _node_end(node: yaml.Node, text: str) -> int:
    """Where a value really ends: after its last character, never on a following line."""
    while True:
        if isinstance(node, yaml.ScalarNode):
            end = node.end_mark.index
            if node.style in ("|", ">"):
                start = node.start_mark.index
                end = start + len(text[start:end].rstrip(" \t\n"))
            return end
        if node.flow_style or not node.value:
            return node.end_mark.index
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last


def _cross_check(text: str, entries: Sequence[_Entry]) -> None:
    """ruamel.yaml (YAML 1.2) must find the same keys at the same places, or we do not edit."""
    from ruamel.yaml.error import YAMLError as RuamelError

    try:
        root = _ruamel().compose(text)
    except RuamelError as e:
        raise _yaml_refusal(e, text) from None
    found = [] if root is None else [(k.value, k.start_mark.index) for k, _ in root.value]
    if found != [(e.key, e.key_index) for e in entries]:
        raise EditRefused("front-matter reads differently in YAML 1.1 and 1.2; not edited", 1)


@functools.lru_cache(maxsize=1)
def _ruamel() -> Any:
    from ruamel.yaml import YAML  # imported lazily: only edits pay for it (PERFORMANCE.md)

    return YAML(typ="rt")


# ------------------------------------------------------------------------ writing YAML scalars


@dataclass(frozen=True)
class _Intent:
    """What a changed key must read back as, and the trailing text its line must keep."""

    kind: str  # str | date | int | decimal | list
    value: Any
    tail: str | None = None


def _printable(c: str) -> bool:
    o = ord(c)
    return (
        c in "\t\n\r\x85"
        or 0x20 <= o <= 0x7E
        or 0xA0 <= o <= 0xD7FF
        or 0xE000 <= o <= 0xFFFD
        or 0x10000 <= o <= 0x10FFFF
    )


def _check_text(value: str) -> None:
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise EditRefused("value contains characters that are not valid text")


def _double_quoted(value: str) -> str:
    out = ['"']
    for c in value:
        if c in '"\\':
            out.append("\\" + c)
        elif c in "\t\n\r":
            out.append({"\t": "\\t", "\n": "\\n", "\r": "\\r"}[c])
        elif not _printable(c) or c in "\x85\u2028\u2029\ufeff":
            o = ord(c)
            out.append(f"\\x{o:02X}" if o < 0x100 else f"\\u{o:04X}" if o < 0x10000
                       else f"\\U{o:08X}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _single_quoted(value: str) -> str | None:
    if any(not _printable(c) or c in "\t\ufeff" + _LINE_BREAKS for c in value):
        return None
    return "'" + value.replace("'", "''") + "'"


@functools.lru_cache(maxsize=4096)
def _plain_ok(value: str, flow: bool) -> bool:
    """True when `value` written bare reads back as this very string in YAML 1.1 and 1.2."""
    if not value or value != value.strip() or value[0] in _PLAIN_BAD_FIRST:
        return False
    if value in _PLAIN_RESERVED or ": " in value or " #" in value or value.endswith(":"):
        return False
    if any(not _printable(c) or c in "\t\ufeff" + _LINE_BREAKS for c in value):
        return False
    if flow and any(c in ",[]{}?:#" for c in value):  # pure PyYAML ends flow plains at ?:
        return False
    snippet = f"k: [{value}]\n" if flow else f"k: {value}\n"
    expected = [value] if flow else value
    return _reads_back(snippet, _Intent("list" if flow else "str", expected), value)


def _scalar_token(value: object, old_style: str) -> tuple[str, _Intent]:
    """The YAML text for `value`, keeping the old token's quoting where the type allows."""
    if isinstance(value, (bool, datetime)) or not isinstance(value, (str, date, Decimal, int)):
        raise TypeError(f"cannot write {type(value).__name__} to front-matter")
    if isinstance(value, date):
        text = value.isoformat()
        if old_style == '"':
            return f'"{text}"', _Intent("str", text)
        if old_style == "'":
            return f"'{text}'", _Intent("str", text)
        return text, _Intent("date", value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite amount: {value}")
        return format(value, "f"), _Intent("decimal", value)
    if isinstance(value, int):
        return str(value), _Intent("int", value)
    _check_text(value)
    token = _string_token(value, old_style)
    return token, _Intent("str", value)


def _string_token(value: str, old_style: str) -> str:
    if old_style == '"':
        return _double_quoted(value)
    if old_style == "'":
        return _single_quoted(value) or _double_quoted(value)
    return value if _plain_ok(value, False) else _double_quoted(value)


def _list_items(items: Sequence[str], flow: bool) -> list[str]:
    tokens = []
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"list items must be text, not {type(item).__name__}")
        _check_text(item)
        tokens.append(item if _plain_ok(item, flow) else _double_quoted(item))
    return tokens


def _reads_back(snippet: str, intent: _Intent, source: str) -> bool:
    """Does `snippet` (one key) read as `intent` in libyaml and pure PyYAML (YAML 1.1, they
    differ at the edges) and in ruamel (YAML 1.2)?"""
    for load in (_load_libyaml, _load_pure_pyyaml, _load_ruamel):
        try:
            loaded = load(snippet)
        except Exception:  # any reader failure means "does not read back"
            return False
        if not isinstance(loaded, dict) or len(loaded) != 1:
            return False
        if not _matches(next(iter(loaded.values())), intent, source):
            return False
    return True


def _load_libyaml(text: str) -> Any:
    return yaml.load(text, Loader=_SafeLoader)


def _load_pure_pyyaml(text: str) -> Any:
    return yaml.load(text, Loader=yaml.SafeLoader)


def _load_ruamel(text: str) -> Any:
    return _ruamel().load(text)


def _matches(loaded: Any, intent: _Intent, source: str) -> bool:
    if intent.kind == "str":
        return isinstance(loaded, str) and str(loaded) == intent.value
    if intent.kind == "date":
        return type(loaded) is date and loaded == intent.value
    if intent.kind == "list":
        return isinstance(loaded, list) and all(isinstance(x, str) for x in loaded) and [
            str(x) for x in loaded
        ] == list(intent.value)
    if isinstance(loaded, bool) or not isinstance(loaded, (int, float)):
        return False
    if intent.kind == "int":
        return isinstance(loaded, int) and loaded == intent.value
    try:
        return Decimal(source) == intent.value
    except InvalidOperation:
        return False


# ---------------------------------------------------------------------------- the body outline


@dataclass
class _Outline:
    """Fenced lines, ATX headings (index, level) and an unclosed fence's start, if any."""

    fenced: list[bool] = field(default_factory=list)
    headings: list[tuple[int, int]] = field(default_factory=list)
    open_fence: int | None = None


def _outline(lines: Sequence[str]) -> _Outline:
    out = _Outline()
    fence: tuple[str, int] | None = None
    for index, line in enumerate(lines):
        m = _FENCE.fullmatch(line)
        if fence is not None:
            out.fenced.append(True)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= fence[1] and not m.group(
                2
            ).strip():
                fence = None
            continue
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            fence = (m.group(1)[0], len(m.group(1)))
            out.open_fence = index
            out.fenced.append(True)
            continue
        out.fenced.append(False)
        h = _HEADING.match(line)
        if h:
            out.headings.append((index, len(h.group(1))))
    if fence is None:
        out.open_fence = None
    return out


def _heading_level(heading: str) -> int:
    m = _HEADING.match(heading)
    if not m or not heading.strip("# \t") or "\n" in heading or "\r" in heading:
        raise ValueError(f"not a markdown heading: {heading!r}")
    return len(m.group(1))


def _same_heading(line: str, heading: str) -> bool:
    return line.rstrip().casefold() == heading.rstrip().casefold()


# ------------------------------------------------------------------------------- the note text


class NoteText:
    """A note's text with safe, verified edits; `to_bytes()` gives the new bytes."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.bom, text = _decode(data)
        self.newline = _newline_style(text)
        self._had_newline = "\n" in text
        if self.newline == "\r\n":
            text = text.replace("\r\n", "\n")
        self._lines, self.final_newline = _split_lines(text)
        _refuse_conflict_markers(self._lines)
        self._fm_end = _front_matter_end(self._lines)
        self._entries = self._located()
        if self._fm_end is not None:
            _cross_check(self._fm_text(), self._entries)
        self._orig_lines = list(self._lines)
        self._orig_fm_end = self._fm_end
        self._orig_entries = list(self._entries)
        self._orig_final_newline = self.final_newline
        self._intent: dict[str, _Intent] = {}
        self._removed: set[str] = set()
        self._body_added: list[str] = []

    # ---- reading

    @property
    def has_front_matter(self) -> bool:
        return self._fm_end is not None

    def keys(self) -> list[str]:
        return [e.key for e in self._entries]

    def get(self, key: str) -> str | None:
        """The raw source text of `key`'s value (quotes included); None when absent."""
        entry = self._find(key)
        return None if entry is None else self._fm_text()[entry.start : entry.end]

    def has_section(self, heading: str) -> bool:
        _heading_level(heading)
        body = self._body()
        return self._heading_index(body, _outline(body), heading) is not None

    # ---- front-matter edits

    def set_scalar(self, key: str, value: str | date | Decimal | int, *,
                   after_key: str | None = None) -> None:
        """Set one top-level key, replacing only its value's span (comments stay)."""
        entry = self._find(key)
        token, intent = _scalar_token(value, entry.style if entry else "")
        if entry is None:
            self._insert_key(key, token, after_key)
        elif entry.kind == "block":
            self._replace_block(entry, token)
        else:
            self._refuse_map(entry)
            intent = _Intent(intent.kind, intent.value, self._replace_span(entry, token))
        self._intent[key] = intent
        self._removed.discard(key)

    def set_list(self, key: str, items: Sequence[str], *, after_key: str | None = None) -> None:
        """Set a list key: a new key is a flow list; an existing list keeps its style."""
        if isinstance(items, str):
            raise TypeError("items must be a list of strings, not one string")
        entry = self._find(key)
        intent = _Intent("list", list(items))
        if entry is not None and entry.kind == "block" and items:
            tokens = _list_items(items, flow=False)
            self._replace_block_items(entry, tokens)
        else:
            flow = "[" + ", ".join(_list_items(items, flow=True)) + "]"
            if entry is None:
                self._insert_key(key, flow, after_key)
            elif entry.kind == "block":
                self._replace_block(entry, flow)
            else:
                self._refuse_map(entry)
                intent = _Intent("list", list(items), self._replace_span(entry, flow))
        self._intent[key] = intent
        self._removed.discard(key)

    def remove_key(self, key: str) -> bool:
        """Delete exactly the key's lines (a block list's item lines too)."""
        entry = self._find(key)
        if entry is None:
            return False
        fm = self._fm_lines()
        del fm[entry.key_line : entry.last_line + 1]
        self._set_fm_lines(fm)
        self._intent.pop(key, None)
        if any(e.key == key for e in self._orig_entries):
            self._removed.add(key)
        return True

    # ---- body edits

    def prepend_to_section(self, heading: str, lines: Sequence[str]) -> None:
        """Insert `lines` as the first list items under `heading`; add the section if missing."""
        level, new = _heading_level(heading), self._new_lines(lines)
        body, start = self._body(), self._body_start()
        outline = _outline(body)
        index = self._heading_index(body, outline, heading)
        if not new:
            return
        if index is None:
            self._append_block([heading, "", *new], outline)
            return
        end = self._section_end(outline, index, level, len(body))
        items = [i for i in range(index + 1, end) if self._is_item(body, outline, i)]
        if items:
            self._insert_body(start, items[0], new, outline)
            return
        text = [i for i in range(index + 1, end) if body[i].strip()]
        if text:  # prose but no list yet: start the list after it, as its own paragraph
            self._insert_body(start, text[-1] + 1, ["", *new], outline)
            return
        at = index + 1
        while at < end and not body[at].strip():
            at += 1
        self._insert_body(start, at, new, outline)

    def insert_section(self, heading: str, lines: Sequence[str], *,
                       before: str | None = "## Log") -> None:
        """Insert a whole new section before the `before` heading, else at the end."""
        _heading_level(heading)
        new = self._new_lines(lines)
        body, start = self._body(), self._body_start()
        outline = _outline(body)
        existing = self._heading_index(body, outline, heading)
        if existing is not None:
            raise EditRefused(f"section '{heading.strip()}' already exists", start + existing + 1)
        index = None
        if before is not None:
            _heading_level(before)
            index = self._heading_index(body, outline, before)
        if index is None:
            self._append_block([heading, "", *new], outline)
            return
        gap = [""] if index > 0 and body[index - 1].strip() else []
        self._insert_body(start, index, [*gap, heading, "", *new, ""], outline)

    def append_to_section(self, heading: str, lines: Sequence[str]) -> None:
        """Add `lines` after the section's last non-blank line; add the section if missing."""
        level, new = _heading_level(heading), self._new_lines(lines)
        body, start = self._body(), self._body_start()
        outline = _outline(body)
        index = self._heading_index(body, outline, heading)
        if not new:
            return
        if index is None:
            self._append_block([heading, "", *new], outline)
            return
        end = self._section_end(outline, index, level, len(body))
        last = max([i for i in range(index + 1, end) if body[i].strip()], default=index)
        self._insert_body(start, last + 1, new, outline)

    # ---- output

    def to_bytes(self) -> bytes:
        """The new bytes, after checking that only the intended spans and lines changed."""
        data = self._render()
        if data != self._data:
            problem = self._verification_problem(data)
            if problem:
                raise EditRefused(VERIFY_FAILED, detail=problem)
        return data

    def _render(self) -> bytes:
        text = "\n".join(self._lines)
        if self._lines and self.final_newline:
            text += "\n"
        if self.newline == "\r\n":
            text = text.replace("\n", "\r\n")
        return (codecs.BOM_UTF8 if self.bom else b"") + text.encode("utf-8")

    # ---- front-matter internals

    def _located(self) -> list[_Entry]:
        return [] if self._fm_end is None else _parse_front_matter(self._fm_text())

    def _fm_lines(self) -> list[str]:
        return [] if self._fm_end is None else self._lines[1 : self._fm_end]

    def _fm_text(self) -> str:
        return "".join(line + "\n" for line in self._fm_lines())

    def _set_fm_lines(self, fm: list[str]) -> None:
        assert self._fm_end is not None
        self._lines[1 : self._fm_end] = fm
        self._fm_end = 1 + len(fm)
        try:
            self._entries = self._located()
        except EditRefused as e:
            raise EditRefused(VERIFY_FAILED, detail=f"edit broke the YAML: {e.message}") from None

    def _set_fm_text(self, text: str) -> None:
        self._set_fm_lines(text.split("\n")[:-1])

    def _find(self, key: str) -> _Entry | None:
        return next((e for e in self._entries if e.key == key), None)

    def _refuse_map(self, entry: _Entry) -> None:
        if entry.kind == "map":
            raise EditRefused(f"'{entry.key}' holds nested keys; not changed",
                              FM_LINE0 + entry.key_line)

    def _replace_span(self, entry: _Entry, token: str) -> str:
        """Splice `token` over the value span; returns the rest of the line, which must stay."""
        text = self._fm_text()
        eol = text.index("\n", entry.end)
        tail = text[entry.end : eol]
        token = token if entry.end > entry.start else " " + token  # `key:` with no value
        self._set_fm_text(text[: entry.start] + token + text[entry.end :])
        return tail

    def _replace_block(self, entry: _Entry, token: str) -> None:
        """A block list becomes a one-line value; a comment on the key's line stays."""
        text = self._fm_text()
        rest = text[entry.colon : text.index("\n", entry.colon)]
        comment = rest if rest.strip().startswith("#") else ""
        self._set_fm_text(text[: entry.colon] + " " + token + comment + text[entry.end :])

    def _replace_block_items(self, entry: _Entry, tokens: Sequence[str]) -> None:
        text = self._fm_text()
        items = ("\n" + " " * entry.indent).join("- " + t for t in tokens)
        self._set_fm_text(text[: entry.start] + items + text[entry.end :])

    def _insert_key(self, key: str, token: str, after_key: str | None) -> None:
        if not _KEY_NAME.fullmatch(key):
            raise ValueError(f"not a plain key name: {key!r}")
        line = f"{key}: {token}"
        if self._fm_end is None:
            if not self._lines:
                self.final_newline = True
            self._lines[0:0] = ["---", "---"]
            self._fm_end = 1
            self._set_fm_lines([line])
            return
        fm = self._fm_lines()
        after = self._find(after_key) if after_key else None
        fm.insert(after.last_line + 1 if after else len(fm), line)
        self._set_fm_lines(fm)

    # ---- body internals

    def _body_start(self) -> int:
        return 0 if self._fm_end is None else self._fm_end + 1

    def _body(self) -> list[str]:
        return self._lines[self._body_start() :]

    @staticmethod
    def _heading_index(body: Sequence[str], outline: _Outline, heading: str) -> int | None:
        return next((i for i, _ in outline.headings if _same_heading(body[i], heading)), None)

    @staticmethod
    def _section_end(outline: _Outline, index: int, level: int, size: int) -> int:
        return next((i for i, lv in outline.headings if i > index and lv <= level), size)

    @staticmethod
    def _is_item(body: Sequence[str], outline: _Outline, index: int) -> bool:
        line = body[index]
        return (not outline.fenced[index] and bool(_LIST_ITEM.match(line))
                and not _THEMATIC_BREAK.fullmatch(line))

    def _new_lines(self, lines: Sequence[str]) -> list[str]:
        if isinstance(lines, str):
            raise TypeError("lines must be a list of strings, not one string")
        for line in lines:
            if not isinstance(line, str):
                raise TypeError(f"lines must be strings, not {type(line).__name__}")
            if "\n" in line or "\r" in line or "\x00" in line:
                raise EditRefused("a new line must not contain a line break or NUL")
            _check_text(line)
        return list(lines)

    def _insert_body(self, start: int, at: int, new: list[str], outline: _Outline) -> None:
        if outline.open_fence is not None and at > outline.open_fence:
            raise EditRefused("unclosed code block; not edited", start + outline.open_fence + 1)
        self._lines[start + at : start + at] = new
        self._body_added.extend(new)

    def _append_block(self, block: list[str], outline: _Outline) -> None:
        """Add a block at the end, after one blank line, keeping the final-newline choice."""
        if outline.open_fence is not None:
            raise EditRefused("unclosed code block; not edited",
                              self._body_start() + outline.open_fence + 1)
        while block and block[-1] == "":
            block.pop()
        if not self._lines:
            self.final_newline = True
        elif self._lines[-1].strip():
            block.insert(0, "")
        self._lines.extend(block)
        self._body_added.extend(block)

    # ---- verification (DATA-SAFETY.md rule 2)

    def _verification_problem(self, data: bytes) -> str | None:
        try:
            new = NoteText(data)
        except EditRefused as e:
            return f"result does not read back: {e.message} (line {e.line})"
        if new.bom != self.bom:
            return "BOM changed"
        if self._had_newline and new.newline != self.newline:
            return "line endings changed"
        if self._orig_lines and new.final_newline != self._orig_final_newline:
            return "final newline changed"
        return self._front_matter_problem(new) or self._body_problem(new)

    def _front_matter_problem(self, new: NoteText) -> str | None:
        old_lines, new_lines = self._orig_lines, new._lines
        if self._orig_fm_end is not None:
            if new._fm_end is None:
                return "front-matter lost"
            if (new_lines[0], new_lines[new._fm_end]) != (old_lines[0],
                                                          old_lines[self._orig_fm_end]):
                return "front-matter delimiters changed"
        elif new._fm_end is not None and not self._intent:
            return "front-matter appeared"
        old_fm = [] if self._orig_fm_end is None else old_lines[1 : self._orig_fm_end]
        new_fm = new._fm_lines()
        old_keys = [e.key for e in self._orig_entries]
        kept = [k for k in old_keys if k not in self._removed]
        new_keys = [e.key for e in new._entries]
        if [k for k in new_keys if k in old_keys] != kept:
            return "key order changed"
        if set(new_keys) != set(kept) | set(self._intent):
            return "unexpected keys"
        old_by, new_by = {e.key: e for e in self._orig_entries}, {e.key: e for e in new._entries}
        for key in kept:
            if key not in self._intent and _owned(old_fm, old_by[key]) != _owned(
                new_fm, new_by[key]
            ):
                return f"untouched key '{key}' changed"
        if _unowned(old_fm, self._orig_entries) != _unowned(new_fm, new._entries):
            return "front-matter comments or blank lines changed"
        for key, intent in self._intent.items():
            problem = _intent_problem(new._fm_text(), new_fm, new_by[key], intent)
            if problem:
                return problem
        return None

    def _body_problem(self, new: NoteText) -> str | None:
        old_start = 0 if self._orig_fm_end is None else self._orig_fm_end + 1
        old_body, new_body = self._orig_lines[old_start:], new._body()
        extra, matched = [], 0
        for line in new_body:
            if matched < len(old_body) and line == old_body[matched]:
                matched += 1
            else:
                extra.append(line)
        if matched != len(old_body):
            return "body lines lost or changed"
        if Counter(extra) != Counter(self._body_added):
            return "unexpected body lines"
        return None


def _owned(fm: Sequence[str], entry: _Entry) -> list[str]:
    return list(fm[entry.key_line : entry.last_line + 1])


def _unowned(fm: Sequence[str], entries: Sequence[_Entry]) -> list[str]:
    owned = {i for e in entries for i in range(e.key_line, e.last_line + 1)}
    return [line for i, line in enumerate(fm) if i not in owned]


def _intent_problem(text: str, fm: Sequence[str], entry: _Entry, intent: _Intent) -> str | None:
    if intent.tail is not None and text[entry.end : text.index("\n", entry.end)] != intent.tail:
        return f"key '{entry.key}': text after the value changed"
    snippet = "".join(line + "\n" for line in _owned(fm, entry))
    if not _reads_back(snippet, intent, text[entry.start : entry.end]):
        return f"key '{entry.key}' does not read back as {intent.value!r}"
    return None


# ----------------------------------------------------------------------------- editing a file


def edit_note(path: Path, root: Path, change: Callable[[NoteText], None]) -> bool:
    """Apply `change` to the note at `path` and write it atomically; False when nothing changed.

    If the note changes on disk meanwhile (Obsidian saved it), the change is applied once more
    to the fresh text; `change` must therefore be re-applicable. Refusals become VaultError.
    """
    path, rel = Path(path), _relative(Path(path), Path(root))
    _refuse_unsafe_path(path, Path(root), rel)
    for _attempt in range(2):
        try:
            snapshot = read_snapshot(path)
            if not snapshot.data:
                raise EditRefused("empty file (0 bytes); not edited")
            note = NoteText(snapshot.data)
            change(note)
            data = note.to_bytes()
            if data == snapshot.data:
                return False
            return atomic_write(path, data, expect=snapshot, root=Path(root))
        except NoteChanged:
            continue
        except EditRefused as e:
            raise VaultError(Problem(rel, e.line, e.message)) from e
        except FileRefused as e:
            raise VaultError(Problem(rel, 0, e.message)) from e
    raise VaultError(Problem(rel, 0, "note changed while editing, nothing written"))


def _relative(path: Path, root: Path) -> PurePosixPath:
    """The path as the user sees it in the vault (falls back to the path as given)."""
    absolute = Path(os.path.normpath(path.absolute()))
    try:
        inside = absolute.relative_to(Path(os.path.normpath(root.absolute())))
        return PurePosixPath(inside.as_posix())
    except ValueError:
        return PurePosixPath(path.as_posix())


def _refuse_unsafe_path(path: Path, root: Path, rel: PurePosixPath) -> None:
    if path.is_symlink():
        raise VaultError(Problem(rel, 0, "is a symbolic link; salesnotes never edits links"))
    if not path.resolve().is_relative_to(root.resolve()):
        raise VaultError(Problem(rel, 0, "outside the vault; not edited"))
