"""The YAML text for a value, and the check that it reads back as that value everywhere.

A note is read by PyYAML with libyaml (YAML 1.1), by pure PyYAML (which differs at the edges),
by ruamel.yaml (YAML 1.2) and by Obsidian. A string is written bare only when all of them read
it back as that very string (`no`, `0123`, `10:00` get quotes); a date or an amount is written
bare only where its old quoting allowed. Every written value is read back by all three Python
readers before an edit is returned (ARCHITECTURE.md, data safety 2).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import yaml

from salesnotes.edit.yamlspans import Entry, owned, plainly_agreed, ruamel
from salesnotes.read.notefile import check_text

PlainRule = Callable[[str, bool], bool]  # (value, in a flow list) -> may it be written bare?

_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LINE_BREAKS = "\n\r\x85\u2028\u2029"
_PLAIN_BAD_FIRST = set("-?:,[]{}#&*!|>'\"%@`")
_PLAIN_RESERVED = {"y", "Y", "n", "N", "=", "<<"}


class Intent(NamedTuple):
    """What a changed key must read back as, and the trailing text its line must keep."""

    kind: str  # str | date | int | decimal | list
    value: Any
    tail: str | None = None


# --------------------------------------------------------------------------------- quoting


def _printable(c: str) -> bool:
    o = ord(c)
    return (
        c in "\t\n\r\x85"
        or 0x20 <= o <= 0x7E
        or 0xA0 <= o <= 0xD7FF
        or 0xE000 <= o <= 0xFFFD
        or 0x10000 <= o <= 0x10FFFF
    )


def double_quoted(value: str) -> str:
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


def single_quoted(value: str) -> str | None:
    if any(not _printable(c) or c in "\t\ufeff" + _LINE_BREAKS for c in value):
        return None
    return "'" + value.replace("'", "''") + "'"


@functools.lru_cache(maxsize=4096)
def plain_ok(value: str, flow: bool) -> bool:
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
    return reads_back(snippet, Intent("list" if flow else "str", expected), value)


# ---------------------------------------------------------------------------------- tokens
# `plain` is the rule for bare strings: edit.py passes its own `_plain_ok`, looked up at call
# time, so a test can break the rule and see the read-back verification catch it.


def scalar_token(value: object, old_style: str, plain: PlainRule) -> tuple[str, Intent]:
    """The YAML text for `value`, keeping the old token's quoting where the type allows."""
    if isinstance(value, (bool, datetime)) or not isinstance(value, (str, date, Decimal, int)):
        raise TypeError(f"cannot write {type(value).__name__} to front-matter")
    if isinstance(value, date):
        text = value.isoformat()
        if old_style == '"':
            return f'"{text}"', Intent("str", text)
        if old_style == "'":
            return f"'{text}'", Intent("str", text)
        return text, Intent("date", value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite amount: {value}")
        return format(value, "f"), Intent("decimal", value)
    if isinstance(value, int):
        return str(value), Intent("int", value)
    check_text(value)
    token = _string_token(value, old_style, plain)
    return token, Intent("str", value)


def _string_token(value: str, old_style: str, plain: PlainRule) -> str:
    if old_style == '"':
        return double_quoted(value)
    if old_style == "'":
        return single_quoted(value) or double_quoted(value)
    return value if plain(value, False) else double_quoted(value)


def list_items(items: Sequence[str], flow: bool, plain: PlainRule) -> list[str]:
    """One token per item: bare when `plain` allows it, else double-quoted."""
    tokens = []
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"list items must be text, not {type(item).__name__}")
        check_text(item)
        tokens.append(item if plain(item, flow) else double_quoted(item))
    return tokens


# ------------------------------------------------------------------------------- reading back


def reads_back(snippet: str, intent: Intent, source: str) -> bool:
    """Does `snippet` (one key) read as `intent` in libyaml and pure PyYAML (YAML 1.1, they
    differ at the edges) and in ruamel (YAML 1.2)? A date written bare as `YYYY-MM-DD` on a
    plainly written line is a date to ruamel as well (tests/test_edit_plain.py), so ruamel is
    not imported for it: `log` writes only such dates."""
    loads: tuple[Callable[[str], Any], ...] = (_load_libyaml, _load_pure_pyyaml, _load_ruamel)
    if intent.kind == "date" and source == intent.value.isoformat() and plainly_agreed(snippet):
        loads = loads[:2]
    for load in loads:
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
    return ruamel().load(text)


def _matches(loaded: Any, intent: Intent, source: str) -> bool:
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


def intent_problem(text: str, fm: Sequence[str], entry: Entry, intent: Intent) -> str | None:
    """Why the changed key `entry` is not what the caller asked for; None when it is."""
    if intent.tail is not None and text[entry.end : text.index("\n", entry.end)] != intent.tail:
        return f"key '{entry.key}': text after the value changed"
    snippet = "".join(line + "\n" for line in owned(fm, entry))
    if not reads_back(snippet, intent, text[entry.start : entry.end]):
        return f"key '{entry.key}' does not read back as {intent.value!r}"
    return None
