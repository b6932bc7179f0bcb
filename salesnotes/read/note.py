"""One file -> Note: decode, split the front-matter, type every key from its text, scan the body.

Reading never depends on the config, so a parsed note can be cached by (path, mtime, size);
checks that need the config (tier, status) or the whole vault (duplicate NIPs) live in vault.py.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from salesnotes.errors import Problem, Refused, saying
from salesnotes.i18n import Said
from salesnotes.read import compact
from salesnotes.read import yamlnodes as Y
from salesnotes.read.body import Body, scan_body
from salesnotes.read.fields import is_plain_number, parse_amount, parse_date, parse_nip, split_words
from salesnotes.read.notefile import note_file

TEXT_KEYS = ("name", "vat_id", "tier", "status", "region", "next_step", "competitor", "owner",
             "phone", "email", "city", "branch", "group")
MONEY_KEYS = ("potential", "budget")
DATE_KEYS = ("last_contact", "next_contact")
LIST_KEYS = ("checklists", "tags", "aliases")
KNOWN_KEYS = frozenset(TEXT_KEYS + MONEY_KEYS + DATE_KEYS + LIST_KEYS + ("nip", "cssclasses"))
# Values many notes repeat (a region, a next step): held once however many notes say them.
REPEATED_KEYS = frozenset(("tier", "status", "region", "next_step", "competitor", "owner", "city",
                           "branch", "group"))
KINDS = ("list", "mapping", "empty", "number", "checkbox", "date", "text")
_SHARED = {k: k for k in (*KNOWN_KEYS, *KINDS)}


def shared(text: str) -> str:
    """One string object for a known key or kind in every note: 100,000 notes would otherwise
    hold 3 million copies of `next_contact` and `text` (see cache._from_row)."""
    return _SHARED.get(text, text)



@dataclass(frozen=True)
class Note:
    path: PurePosixPath  # relative to the vault root
    name: str
    nip: str | None = None
    vat_id: str | None = None
    tier: str | None = None  # as written; None when missing (the config's default applies)
    status: str | None = None
    region: str | None = None
    potential: Decimal | None = None
    budget: Decimal | None = None
    last_contact: date | None = None
    next_contact: date | None = None
    next_step: str | None = None
    competitor: str | None = None
    checklists: tuple[str, ...] = ()
    owner: str | None = None
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    phone: str | None = None
    email: str | None = None
    city: str | None = None
    branch: str | None = None  # a branch of the company whose NIP another note (the head) holds
    group: str | None = None  # the ERP's client group, as text
    key_lines: dict[str, int] = field(default_factory=dict)
    key_types: dict[str, str] = field(default_factory=dict)  # for the vault-wide type check
    body: Body = field(default_factory=lambda: scan_body("", 1))
    crlf: bool = False
    bom: bool = False

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1 if self.key_lines else 0)


@dataclass(frozen=True)
class ReadResult:
    note: Note | None  # None when the file cannot be read as a note at all
    problems: tuple[Problem, ...]


def read_note(rel: PurePosixPath, data: bytes, *, summary: bool = False) -> ReadResult:
    """Parse one note's bytes; problems carry the note's path and the file line.

    `summary`: the body as the views need it (`body.scan_body`); reading the whole vault uses it.
    """
    def fail(line: int, message: Said | str) -> ReadResult:
        if isinstance(message, str):  # YAML's own words: no catalog has them
            return ReadResult(None, (Problem(rel, line, message),))
        return ReadResult(None, (saying(rel, line, message),))

    try:
        f = note_file(data)
    except Refused as e:
        return fail(e.line, e.said)
    crlf, bom = f.crlf, f.bom
    unkeepable = f.unkeepable()
    unkept = (saying(rel, *unkeepable),) if unkeepable else ()
    fm = f.front_matter
    stem = unicodedata.normalize("NFC", rel.stem)
    if fm is None:
        parsed = scan_body(f.text, 1, summary=summary)
        return ReadResult(Note(rel, stem, body=parsed, crlf=crlf, bom=bom),
                          unkept + _body_problems(rel, parsed))
    try:
        doc = Y.load(fm, first_line=2)
    except Refused as e:
        return fail(e.line + 1, e.said)
    tab = _tab_line(fm)
    tab_problem = (saying(rel, tab + 1, Said("err_fm_tab")),) if tab else ()
    if doc is None:
        doc = Y.Map({}, {}, 2)
    if not isinstance(doc, Y.Map):
        return fail(2, Said("err_fm_not_map"))
    kw, problems = _typed(rel, doc)
    parsed = scan_body(f.body, f.body_line, summary=summary)
    name = kw.pop("name", None) or stem
    note = Note(rel, unicodedata.normalize("NFC", name), body=parsed, crlf=crlf, bom=bom, **kw)
    return ReadResult(note, unkept + tab_problem + tuple(problems) + _body_problems(rel, parsed))


def _tab_line(fm: str) -> int:
    """The 1-based line of the first tab outside quotes (libyaml accepts some; others don't)."""
    if "\t" not in fm:
        return 0
    for no, line in enumerate(fm.split("\n"), 1):
        if "\t" in line and line.lstrip(" ")[:1] != "#":
            before = line.split("\t", 1)[0]
            if before.count('"') % 2 == 0 and before.count("'") % 2 == 0 and "#" not in before:
                return no
    return 0


def _body_problems(rel: PurePosixPath, body: Body) -> tuple[Problem, ...]:
    return tuple(Problem(rel, line, message) if isinstance(message, str)
                 else saying(rel, line, message) for line, message in body.problems)


def _kind(v: Y.Value) -> str:
    if isinstance(v, Y.Seq):
        return "list"
    if isinstance(v, Y.Map):
        return "mapping"
    if v.is_null:
        return "empty"
    t = v.text
    if not v.quoted and is_plain_number(t):
        return "number"
    if not v.quoted and t in ("true", "false", "True", "False"):
        return "checkbox"
    if not t.lstrip()[:1].isdigit():  # every date starts with its year: no exception to raise
        return "text"
    try:
        parse_date(t)
        return "date"
    except Refused:
        return "text"


def _typed(rel: PurePosixPath, doc: Y.Map) -> tuple[dict[str, Any], list[Problem]]:
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    lines = {shared(k): line + 1 for k, line in doc.key_lines.items()}  # front-matter: line 2
    out["key_lines"] = compact.mapping(lines)
    out["key_types"] = compact.mapping({shared(k): _kind(v) for k, v in doc.items.items()})

    def bad(key: str, message: Said, strict: bool = False) -> None:
        problems.append(saying(rel, lines[key], message, strict))

    for key, v in doc.items.items():
        if key not in KNOWN_KEYS:
            bad(key, Said("err_unknown_key", key=key), strict=True)
            continue
        if key == "cssclasses":
            continue
        if isinstance(v, Y.Map):
            bad(key, Said("err_in", part=key, message=Said("err_nested")))
            continue
        if key in LIST_KEYS:
            _list_value(key, v, out, bad)
            continue
        if not isinstance(v, Y.Scalar):
            bad(key, Said("err_in", part=key, message=Said("err_single_value")))
            continue
        if v.is_null or not v.text.strip():
            continue
        _scalar_value(key, v, out, bad)
    return out, problems


_Bad = Callable[..., None]  # (key, message, strict=False)


def _list_value(key: str, v: Y.Seq | Y.Scalar, out: dict[str, Any], bad: _Bad) -> None:
    """`tags: [a, b]`, a block list, or `tags: a, b` written as one value."""
    if isinstance(v, Y.Seq):
        words = []
        for item in v.items:
            if isinstance(item, Y.Scalar) and not item.is_null:
                words.append(item.text)
            elif not isinstance(item, Y.Scalar):
                bad(key, Said("err_in", part=key, message=Said("err_list_of_values")))
        out[key] = _listed(key, tuple(words))
    elif not v.is_null:
        out[key] = _listed(key, split_words(v.text))


def _listed(key: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """Tags and checklists repeat across notes: held once (aliases are each note's own)."""
    return words if key == "aliases" else compact.words(words)


def _scalar_value(key: str, v: Y.Scalar, out: dict[str, Any], bad: _Bad) -> None:
    """A known key's one value, typed from its text (NIP, money, date, else text)."""
    text = v.text.strip()
    try:
        if key == "nip":
            out[key] = parse_nip(text)
        elif key in MONEY_KEYS:
            out[key] = parse_amount(text)
            if v.quoted or not is_plain_number(text):
                bad(key, Said("err_in", part=key, message=Said(
                    "err_money_as_text", text=repr(text), number=str(out[key]))), strict=True)
        elif key in DATE_KEYS:
            out[key] = compact.day(parse_date(text))
        elif key in REPEATED_KEYS:
            out[key] = compact.text(text)
        else:
            out[key] = text
    except Refused as e:
        bad(key, Said("err_in", part=key, message=e.said) if key != "nip" else e.said)
