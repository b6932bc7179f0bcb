"""Checklist templates, which clients they apply to, and how far each client has got.

A template is `templates/checklists/<name>.md`: a `# Title` line and `- [ ] item` lines, each
item optionally followed by indented hint lines. A note tracks a checklist in a
`## Checklist: <title>` section; its items are matched to the template's by text, ignoring case,
spacing and the completion dates Obsidian Tasks appends when an item is ticked, so a rep who
retypes an item or ticks it in Obsidian still counts. Everything here is pure except
`load_checklists`, which reads the template folder.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from salesnotes.errors import Problem, saying
from salesnotes.i18n import Said
from salesnotes.model.config import STATUSES, ChecklistRule, Config
from salesnotes.read.body import ChecklistItem, ChecklistSection
from salesnotes.read.names import fold
from salesnotes.read.note import Note

TEMPLATES = PurePosixPath("templates/checklists")
MAX_TEMPLATE_BYTES = 256 * 1024
_ITEM = re.compile(r"[ \t]*[-*+][ \t]+\[[^\]]\][ \t]+(.*?)[ \t]*$")
_TITLE = re.compile(r" {0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$")
_TASK_NOISE = re.compile(r"(?:📅|⏳|🛫|✅|➕|❌)\ufe0f?[ \t]*\d{4}-\d{2}-\d{2}"
                         r"|[\[(][\w\- ]+?::[^\])]*[\])]")


class TemplateItem(NamedTuple):
    text: str
    hints: tuple[str, ...] = ()  # indented lines under the item, without their indent


@dataclass(frozen=True)
class Checklist:
    name: str  # the file stem: what config, front-matter and the command use
    title: str  # what the note's `## Checklist: <title>` heading says
    items: tuple[TemplateItem, ...]
    path: PurePosixPath  # relative to the vault root

    @property
    def heading(self) -> str:
        return f"## Checklist: {self.title}"

    @cached_property
    def keyed(self) -> tuple[tuple[str, str], ...]:
        """(text, item_key) of each item: made once per template, not once per note."""
        return tuple((i.text, item_key(i.text)) for i in self.items)

    @cached_property
    def keys(self) -> frozenset[str]:
        return frozenset(key for _, key in self.keyed)


class Checklists(NamedTuple):
    """Every template in the vault (by name, sorted) and what was wrong with them."""

    by_name: dict[str, Checklist]
    problems: tuple[Problem, ...]

    def find(self, name: str) -> Checklist | None:
        """A checklist by name, also when written in another case or without diacritics."""
        if name in self.by_name:
            return self.by_name[name]
        wanted = fold(name)
        return next((c for c in self.by_name.values() if fold(c.name) == wanted), None)


class Progress(NamedTuple):
    """One client against one checklist: template items done, open, and items the template lost."""

    done: tuple[str, ...]  # template items ticked in the note, template order
    open: tuple[str, ...]  # template items not ticked or missing, template order
    extra: tuple[ChecklistItem, ...]  # note items the template does not have (any more)

    @property
    def total(self) -> int:
        return len(self.done) + len(self.open)

    @property
    def complete(self) -> bool:
        return not self.open


@lru_cache(maxsize=65536)
def item_key(text: str) -> str:
    """The form two item texts are compared in: Tasks dates and fields dropped, case and
    spacing ignored, Unicode normalised (`Decision  maker ✅ 2026-11-15` = `decision maker`).

    Cached: the same few item texts recur in every note, and the Checklists view compares
    about 170,000 of them for 10,000 clients."""
    bare = _TASK_NOISE.sub(" ", unicodedata.normalize("NFC", text))
    return " ".join(bare.casefold().split())


@lru_cache(maxsize=4096)
def title_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


# -- templates ------------------------------------------------------------------------------


def load_checklists(root: Path) -> Checklists:
    """Every `templates/checklists/*.md`; a broken template is a problem, the others load."""
    folder = root / TEMPLATES
    found: dict[str, Checklist] = {}
    problems: list[Problem] = []
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix == ".md" and p.is_file()
                       and not p.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        files = []
    for file in files:
        rel = TEMPLATES / file.name
        checklist, found_problems = _read_template(file, rel)
        problems.extend(found_problems)
        if checklist is not None:
            found[checklist.name] = checklist
    problems.extend(_title_clashes(found.values()))
    return Checklists(dict(sorted(found.items())), tuple(problems))


def _read_template(file: Path, rel: PurePosixPath) -> tuple[Checklist | None, list[Problem]]:
    try:
        data = file.read_bytes()
    except OSError as e:
        return None, [saying(rel, 0, Said("err_cl_cannot_read", why=e.strerror))]
    if len(data) > MAX_TEMPLATE_BYTES:
        return None, [saying(rel, 0, Said("err_cl_too_big"))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return None, [saying(rel, line, Said("err_cl_not_utf8"))]
    name = unicodedata.normalize("NFC", file.stem)
    return parse_template(name, rel, text)


def parse_template(name: str, rel: PurePosixPath, text: str) -> tuple[Checklist | None,
                                                                      list[Problem]]:
    """A template's text -> Checklist: the first line of text is the title (a heading or not),
    checkbox lines the items, indented lines under an item its hints; the rest is ignored."""
    title: str | None = None
    items: list[TemplateItem] = []
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for no, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if (m := _ITEM.match(line)) and m.group(1):
            key = item_key(m.group(1))
            if key in seen:
                problems.append(saying(rel, no, Said("err_cl_item_repeats", line=seen[key],
                                                     item=repr(m.group(1)))))
                continue
            seen[key] = no
            items.append(TemplateItem(m.group(1)))
        elif items and line[:1] in (" ", "\t") and line.strip():
            items[-1] = TemplateItem(items[-1].text, (*items[-1].hints, line.strip()))
        elif title is None and not items and line.strip():
            title = _title(line)
    if title is None:
        problems.append(saying(rel, 1, Said("err_cl_no_title_line", name=repr(name))))
        title = name
    if not items:
        problems.append(saying(rel, 1, Said("err_cl_no_items")))
        return None, problems
    return Checklist(name, title, tuple(items), rel), problems


def _title(line: str) -> str | None:
    """`# Key account`, `Checklist: Key account` or a plain first line: the title."""
    text = h.group(1) if (h := _TITLE.match(line)) else line.strip()
    return re.sub(r"(?i)^checklist:\s*", "", text).strip() or None


def _title_clashes(checklists) -> list[Problem]:  # noqa: ANN001 - iterable of Checklist
    first: dict[str, Checklist] = {}
    out = []
    for c in checklists:
        key = title_key(c.title)
        if key in first:
            out.append(saying(c.path, 1, Said("err_cl_same_title", path=str(first[key].path),
                                              title=c.title)))
        else:
            first[key] = c
    return out


# -- which clients a checklist applies to ---------------------------------------------------


def rule_matches(rule: ChecklistRule, note: Note, config: Config) -> bool:
    """All of the rule's conditions hold (any listed value of each); a rule with no condition
    assigns the checklist to nobody, so it is only added where a note asks for it."""
    return rule_matcher(rule, config)(note)


def rule_matcher(rule: ChecklistRule, config: Config) -> Callable[[Note], bool]:
    """`rule_matches` for one rule over many notes: the Checklists view asks it of every
    note for every checklist (30,000 times at 10,000 clients), and the conditions a rule
    leaves empty are then never looked at."""
    if not (rule.tiers or rule.statuses or rule.has or rule.tags):
        return _nobody
    tiers, default = config.tiers, config.default_tier
    checks: list[Callable[[Note], bool]] = []
    if rule.tiers:
        checks.append(lambda note: (note.tier if note.tier in tiers else default) in rule.tiers)
    if rule.statuses:
        checks.append(lambda note: (note.status if note.status in STATUSES
                                    else "active") in rule.statuses)
    if rule.has:
        held = [_holds(key) for key in rule.has]
        checks.append(held[0] if len(held) == 1 else lambda note: all(h(note) for h in held))
    if rule.tags:
        checks.append(lambda note: any(_tagged(note, tag) for tag in rule.tags))
    if len(checks) == 1:
        return checks[0]
    return lambda note: all(check(note) for check in checks)


def _nobody(note: Note) -> bool:
    return False


def _has(note: Note, key: str) -> bool:
    """The front-matter key holds something (a known key by its value, any other by its type)."""
    return _holds(key)(note)


def _holds(key: str) -> Callable[[Note], bool]:
    """`_has(note, key)` for one key over many notes: which kind of key it is, decided once."""
    if key in Note.__dataclass_fields__ and key not in ("path", "body", "key_lines", "key_types"):
        def known(note: Note) -> bool:
            value = getattr(note, key)
            return bool(value.strip() if isinstance(value, str) else value)
        return known
    return lambda note: note.key_types.get(key, "empty") != "empty"


def _tagged(note: Note, wanted: str) -> bool:
    """Tags match without `#` and case, and a parent tag matches its nested tags (`region/x`)."""
    w = wanted.lstrip("#").casefold()
    tags = (x.lstrip("#").casefold() for x in note.tags)
    return any(t == w or t.startswith(w + "/") for t in tags)


def listed_in_note(checklist: Checklist, note: Note) -> bool:
    """The note's own `checklists:` names it (by name or title, loosely)."""
    if not note.checklists:
        return False
    wanted = {fold(checklist.name), fold(checklist.title)}
    return any(fold(entry) in wanted for entry in note.checklists)


def applies(checklist: Checklist, note: Note, config: Config) -> bool:
    """The config assigns it to this note, or the note lists it itself."""
    return applies_to(checklist, config)(note)


def applies_to(checklist: Checklist, config: Config) -> Callable[[Note], bool]:
    """`applies` for one checklist over many notes."""
    rule = config.checklists.get(checklist.name)
    by_rule = rule_matcher(rule, config) if rule is not None else _nobody
    return lambda note: by_rule(note) or bool(note.checklists) and listed_in_note(checklist, note)


# -- a note's sections against a template ---------------------------------------------------


def sections_of(checklist: Checklist, note: Note) -> tuple[ChecklistSection, ...]:
    """The note's sections for this checklist: `## Checklist: <title>` (or `<name>`), loosely."""
    if not note.body.checklists:
        return ()
    wanted = (title_key(checklist.title), title_key(checklist.name))
    return tuple(s for s in note.body.checklists if title_key(s.title) in wanted)


def progress(checklist: Checklist, sections: tuple[ChecklistSection, ...]) -> Progress:
    """Match item by item: a template item is done when any note item with its key is ticked."""
    keys = checklist.keys
    ticked: dict[str, bool] = {}
    extra = []
    for section in sections:
        for item in section.items:
            key = item_key(item.text)
            ticked[key] = ticked.get(key, False) or item.done
            if key not in keys:
                extra.append(item)
    done: list[str] = []
    open_: list[str] = []
    for text, key in checklist.keyed:
        (done if ticked.get(key) else open_).append(text)
    return Progress(tuple(done), tuple(open_), tuple(extra))


def missing_items(checklist: Checklist, sections: tuple[ChecklistSection, ...]
                  ) -> tuple[TemplateItem, ...]:
    """Template items no section of the note has yet, ticked or not (what `--sync` adds)."""
    present = {item_key(item.text) for s in sections for item in s.items}
    return tuple(i for i in checklist.items if item_key(i.text) not in present)


def item_lines(items: tuple[TemplateItem, ...]) -> list[str]:
    """The lines a note gets for these items: `- [ ] item`, hints indented under it."""
    lines: list[str] = []
    for item in items:
        lines.append(f"- [ ] {item.text}")
        lines.extend(f"  {hint}" for hint in item.hints)
    return lines
