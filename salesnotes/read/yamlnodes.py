"""Front-matter and config YAML read the fast, safe way: libyaml's BaseLoader `compose`.

Every scalar stays text (no YAML 1.1 surprises: `0123` is not octal, `no` is not False), every
node keeps its line, aliases and custom tags are refused before anything is built, so a
9-level alias bomb costs milliseconds (ARCHITECTURE.md, speed: front-matter and data safety 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

import yaml

from salesnotes.errors import Refused, VaultError, saying
from salesnotes.i18n import Said

try:
    _Base = yaml.CBaseLoader
    WITH_LIBYAML = True
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.BaseLoader  # type: ignore[misc]
    WITH_LIBYAML = False

_CORE = "tag:yaml.org,2002:"
_DEFAULT_TAGS = {yaml.ScalarNode: _CORE + "str", yaml.SequenceNode: _CORE + "seq",
                 yaml.MappingNode: _CORE + "map"}


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """BaseLoader, whose resolver has no implicit or path resolvers, so it tags every untagged
    node with its kind's default tag; said here without its general lookup, which libyaml
    calls back into Python three times per node (a third of compose's time on a note).
    A node tagged in the text keeps its tag, and is refused below unless it is a core one."""

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_ALLOWED_TAGS = {_CORE + t for t in ("str", "seq", "map", "int", "float", "bool", "null",
                                     "timestamp")}


@dataclass(frozen=True)
class Scalar:
    text: str
    line: int  # 1-based within the parsed text
    quoted: bool

    @property
    def is_null(self) -> bool:
        return not self.quoted and self.text in ("", "~", "null", "Null", "NULL")


@dataclass(frozen=True)
class Seq:
    items: tuple[Value, ...]
    line: int


@dataclass(frozen=True)
class Map:
    items: dict[str, Value]
    key_lines: dict[str, int]
    line: int


Value = Scalar | Seq | Map


def load(text: str, first_line: int = 1) -> Value | None:
    """Compose `text` into Scalars/Seqs/Maps with lines; None for an empty document."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.reader.ReaderError as e:
        line = text.count("\n", 0, e.position) + 1
        char = e.character if isinstance(e.character, int) else ord(e.character)
        raise Refused(Said("err_yaml_control", char=f"#x{char:04x}"), line) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        if e.context_mark and mark and mark.line >= text.count("\n"):
            mark = e.context_mark  # an unclosed quote or bracket: point where it opened
        line = mark.line + 1 if mark else 1
        what = (e.problem or e.context or "").strip()
        raise Refused(Said("err_yaml", what=what), line) from None
    except yaml.YAMLError as e:  # pragma: no cover - composer errors are marked
        raise Refused(Said("err_yaml", what=str(e)), 1) from None
    if node is None:
        return None
    return _convert(node, set(), first_line - 1)


def _convert(node: yaml.Node, seen: set[int], shift: int = 0) -> Value:
    line = node.start_mark.line + 1
    if id(node) in seen:
        raise Refused(Said("err_yaml_alias"), line)
    seen.add(id(node))
    if node.tag not in _ALLOWED_TAGS:
        raise Refused(Said("err_yaml_tag", tag=node.tag.replace(_CORE, "!!")), line)
    if isinstance(node, yaml.ScalarNode):
        return Scalar(node.value, line, node.style in ("'", '"', "|", ">"))
    if isinstance(node, yaml.SequenceNode):
        return Seq(tuple(_convert(n, seen, shift) for n in node.value), line)
    items: dict[str, Value] = {}
    key_lines: dict[str, int] = {}
    for knode, vnode in node.value:
        if not isinstance(knode, yaml.ScalarNode):
            raise Refused(Said("err_yaml_key"), knode.start_mark.line + 1)
        key = knode.value
        kline = knode.start_mark.line + 1
        if key in items:
            first = key_lines[key] + shift
            raise Refused(Said("err_yaml_duplicate_key", key=key, first=first), kline)
        if key == "<<":
            raise Refused(Said("err_yaml_merge"), kline)
        items[key] = _convert(vnode, seen, shift)
        key_lines[key] = kline
    return Map(items, key_lines, line)


def load_map_file(data: bytes, path: PurePosixPath) -> Map | None:
    """A file of `key: value` lines (salesnotes.yaml, team.yaml) as its mapping, None when it
    is empty; a VaultError at its line when it is not UTF-8, not YAML or not a mapping."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise VaultError(saying(path, 0, Said("err_save_utf8", name=path.name))) from None
    try:
        doc = load(text)
    except Refused as e:
        raise VaultError(saying(path, e.line, e.said)) from None
    if doc is not None and not isinstance(doc, Map):
        raise VaultError(saying(path, doc.line, Said("err_key_value_lines")))
    return doc
