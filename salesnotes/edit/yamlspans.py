"""Where each front-matter value sits in the text, so an edit replaces only that value's span.

YAML is only *located*, never re-serialised: libyaml's composer gives each top-level value's start
and end, and ruamel.yaml (the YAML 1.2 reader) must agree on every key's position, so comments,
quoting, indentation and key order survive an edit (ARCHITECTURE.md, data safety 1); front matter
written plainly (`plainly_agreed`), as most notes are, is read alike by both and not asked again.
Anchors, aliases, custom tags, directives, duplicate and merge keys are refused from a token scan
before anything is built, so an alias bomb costs microseconds. Offsets are into the front-matter
text (the lines between the delimiters, each ending in '\\n'); lines are 0-based within it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import yaml

from salesnotes.errors import Refused
from salesnotes.i18n import Said
from salesnotes.read.notefile import FM_LINE0

_Loader: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_CORE_TAGS = {"str", "int", "float", "bool", "null", "timestamp", "seq", "map"}
_KEY_NAME = re.compile(r"[^\W\d][\w-]*")


class Entry(NamedTuple):
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


# ---------------------------------------------------------------------------------- locating


def parse_front_matter(text: str) -> list[Entry]:
    """The top-level keys of `text`; anything unsafe or ambiguous is refused with its line."""
    _refuse_unsafe_tokens(text)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        raise _yaml_refusal(e, text) from None
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise Refused(Said("err_edit_fm_not_map"), _line(text, root.start_mark))
    _refuse_bad_keys(root, text)
    return [_entry(k, v, text) for k, v in root.value]


def _refuse_unsafe_tokens(text: str) -> None:
    """Scan tokens only (C speed, nothing built): aliases, anchors, tags, directives."""
    try:
        for token in yaml.scan(text, Loader=_Loader):
            line = _line(text, token.start_mark)
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                raise Refused(Said("err_yaml_alias"), line)
            if isinstance(token, yaml.TagToken) and not _core_tag(token.value):
                handle, suffix = token.value
                raise Refused(Said("err_yaml_tag", tag=f"{handle or ''}{suffix}"), line)
            if isinstance(token, yaml.DirectiveToken):
                raise Refused(Said("err_edit_directive"), line)
    except yaml.MarkedYAMLError as e:
        raise _yaml_refusal(e, text) from None


def _core_tag(value: tuple[str | None, str]) -> bool:
    handle, suffix = value
    return handle == "!!" and suffix in _CORE_TAGS


def _yaml_refusal(error: Any, text: str) -> Refused:
    """Point at the cause: an unclosed quote is reported where it opens, not at the end."""
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = str(getattr(error, "context", None) or "")
    mark, context_mark = getattr(error, "problem_mark", None), getattr(error, "context_mark", None)
    said = str(problem).strip()
    what: str | Said | tuple = said
    if "\t" in said or "'\\t'" in said:
        what = Said("err_yaml_tab_here")
    if context_mark is not None and (mark is None or mark.index >= len(text) - 1):
        mark = context_mark
        what = Said("err_yaml_unclosed_quote") if "quoted scalar" in context else (
            context, ": ", what)
    return Refused(Said("err_yaml", what=what), _line(text, mark) if mark else FM_LINE0)


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
                raise Refused(Said("err_yaml_key"), line)
            if key.value == "<<" and not key.style:
                raise Refused(Said("err_yaml_merge"), line)
            if key.value in seen:
                raise Refused(Said("err_yaml_duplicate_key", key=key.value,
                                       first=seen[key.value]), line)
            seen[key.value] = line
            stack.append(value)


def _entry(key: yaml.ScalarNode, value: yaml.Node, text: str) -> Entry:
    line = _line(text, key.start_mark) - FM_LINE0
    if _column(text, key.start_mark.index) != 0:
        raise Refused(Said("err_edit_indented_key"), FM_LINE0 + line)
    colon = key.end_mark.index
    while colon < len(text) and text[colon] in " \t":
        colon += 1
    if colon >= len(text) or text[colon] != ":":
        raise Refused(Said("err_edit_key_syntax"), FM_LINE0 + line)
    start, end = value.start_mark.index, _node_end(value, text)
    if isinstance(value, yaml.ScalarNode):
        kind = "scalar"
    elif isinstance(value, yaml.SequenceNode):
        kind = "flow" if value.flow_style else "block"
    else:
        kind = "map"
    last_line = text.count("\n", 0, end) if end > start else line
    style = (value.style or "") if isinstance(value, yaml.ScalarNode) else ""
    return Entry(key.value, key.start_mark.index, line, colon + 1, start, end, last_line, kind,
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


def cross_check(text: str, entries: Sequence[Entry]) -> None:
    """ruamel.yaml (YAML 1.2) must find the same keys at the same places, or we do not edit.

    Front matter written plainly (`plainly_agreed`) is read alike by every reader, so it is not
    asked: ruamel's import and two composes were a fifth of a `log`."""
    if plainly_agreed(text):
        return
    # ruamel.yaml only when an edit checks YAML that is not plainly written
    from ruamel.yaml.error import YAMLError as RuamelError

    try:
        root = ruamel().compose(text)
    except RuamelError as e:
        raise _yaml_refusal(e, text) from None
    found = [] if root is None else [(k.value, k.start_mark.index) for k, _ in root.value]
    if found != [(e.key, e.key_index) for e in entries]:
        raise Refused(Said("err_edit_yaml_versions"), 1)


def plainly_agreed(text: str) -> bool:
    """Front matter in the subset that YAML 1.1 and 1.2 readers cannot split differently:
    every key at the line's start with a one-line value (a plain word run, quoted text without
    escapes, a one-line flow list of such items) or a block list of such items at one
    indentation, comments and blank lines, and none of the characters the readers disagree on
    (tabs, CR, NEL, U+2028/9, a BOM, control characters). Anything else is cross-checked."""
    return (_odd_character().search(text) is None
            and _plain_front_matter().fullmatch(text) is not None)


@functools.cache
def _odd_character() -> re.Pattern[str]:
    return re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


@functools.cache
def _plain_front_matter() -> re.Pattern[str]:
    """Compiled on the first edit: only edits pay for it. Each line has one reading (a value
    never ends in a space, lines are never given back: `*+`), so a long line costs linear time."""
    first = "+("  # with letters, digits and anything beyond ASCII: no YAML indicator
    more = first + ".,)/'&@%=-"
    plain = rf"{_word(first)}(?:{_word(more)}|:(?=[\w/])| +(?={_word(more)}))*"
    flow_more = _word(more.replace(",", ""))
    flow_plain = rf"{_word(first)}(?:{flow_more}| +(?={flow_more}))*"
    quoted = r"\"[^\"\\\n]*\"|'[^'\n]*'"
    item = f"(?:{flow_plain}|{quoted})"
    flow = rf"\[ *(?:{item} *(?:, *{item} *)*)?\]"
    end = r"(?: +#[^\n]*)? *\n"  # a comment, trailing spaces
    key = r"[^\W\d][\w-]{0,99}:"
    scalar_line = rf"{key} +(?:{plain}|{quoted}|{flow}){end}"
    block = (rf"{key}{end}(?:(?P<indent> *)- (?:{plain}|{quoted}){end}"
             rf"(?:(?P=indent)- (?:{plain}|{quoted}){end})*+)?")
    other = r" *(?:#[^\n]*)?\n"
    return re.compile(f"(?:{scalar_line}|{block}|{other})*+")


def _word(ascii_too: str) -> str:
    """A class of letters, digits, `_`, every character beyond U+00A0 and `ascii_too`, written
    as what it leaves out: a class of ranges up to U+10FFFF takes `re` tens of ms to compile."""
    out = [c for c in range(0xA1)
           if not (chr(c).isascii() and (chr(c).isalnum() or chr(c) in "_" + ascii_too))]
    runs: list[list[int]] = []  # as ranges: each character of a class is a step of `re`'s compiler
    for c in out:
        if runs and runs[-1][1] == c - 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return "[^" + "".join(f"\\x{a:02x}" if a == b else f"\\x{a:02x}-\\x{b:02x}"
                          for a, b in runs) + "]"


@functools.lru_cache(maxsize=1)
def ruamel() -> Any:
    # ruamel.yaml only when an edit checks the YAML it wrote
    from ruamel.yaml import (
        YAML,  # imported lazily: only edits pay for it (ARCHITECTURE.md, speed: front-matter)
    )

    return YAML(typ="rt")


# ---------------------------------------------------------------------------- replacing spans


def replace_span(text: str, entry: Entry, token: str) -> tuple[str, str]:
    """`token` spliced over the value span, and the rest of its line, which must stay."""
    eol = text.index("\n", entry.end)
    tail = text[entry.end : eol]
    token = token if entry.end > entry.start else " " + token  # `key:` with no value
    return text[: entry.start] + token + text[entry.end :], tail


def replace_block(text: str, entry: Entry, token: str) -> str:
    """A block list becomes a one-line value; a comment on the key's line stays."""
    rest = text[entry.colon : text.index("\n", entry.colon)]
    comment = rest if rest.strip().startswith("#") else ""
    return text[: entry.colon] + " " + token + comment + text[entry.end :]


def replace_block_items(text: str, entry: Entry, tokens: Sequence[str]) -> str:
    """A block list's items replaced, at the indentation of its first '-'."""
    items = ("\n" + " " * entry.indent).join("- " + t for t in tokens)
    return text[: entry.start] + items + text[entry.end :]


def key_line(key: str, token: str) -> str:
    """The line of a new top-level key; only plain key names are ever written."""
    if not _KEY_NAME.fullmatch(key):
        raise ValueError(f"not a plain key name: {key!r}")
    return f"{key}: {token}"


# --------------------------------------------------------------------------- lines of a key


def owned(fm: Sequence[str], entry: Entry) -> list[str]:
    """The front-matter lines that belong to `entry`: its key line to its value's last line."""
    return list(fm[entry.key_line : entry.last_line + 1])


def unowned(fm: Sequence[str], entries: Sequence[Entry]) -> list[str]:
    """The lines no key owns: comments and blank lines between keys."""
    taken = {i for e in entries for i in range(e.key_line, e.last_line + 1)}
    return [line for i, line in enumerate(fm) if i not in taken]
