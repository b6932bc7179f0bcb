"""The note body read line by line: log, tasks, checklists, opportunities.

A line scanner, not a markdown parser: 45x faster (ARCHITECTURE.md, speed: body) and it finds the
same items, because it skips what CommonMark would not read as list items: fenced code,
block quotes, indented code and HTML comments. tests/test_body_oracle.py checks it against
markdown-it-py on generated notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from salesnotes.errors import Refused
from salesnotes.i18n import Said
from salesnotes.read.compact import day, day_or_none, text_or_none
from salesnotes.read.compact import text as shared_text
from salesnotes.read.fields import parse_amount, parse_date, parse_month, parse_probability

CHANNELS = ("phone", "email", "sms", "visit", "meeting", "other")
CHANNEL_ALIASES = {
    "tel": "phone", "telefon": "phone", "call": "phone", "mail": "email", "e-mail": "email",
    "wizyta": "visit", "spotkanie": "meeting", "inne": "other", "inny": "other",
}
# The words a Polish vault's rep types for each channel (`log --via telefon`), shown in help.
CHANNEL_WORDS_PL = ("telefon", "mail", "sms", "wizyta", "spotkanie", "inne")


def canonical_channel(word: str) -> str | None:
    """`telefon`, `Phone`, `e-mail` -> the one form notes and commits store; None if unknown."""
    w = word.strip().casefold()
    return w if w in CHANNELS else CHANNEL_ALIASES.get(w)
_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ITEM = re.compile(r"( *)[-*+][ \t]+(.*)$")
_CHECKBOX = re.compile(r"\[([ xX\-/>!?])\][ \t]+(.*)$")
_LOG = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})\b[ \t]*"
                  r"(?:([^\s:]+)[ \t]*:[ \t]*|:[ \t]*|[-–—][ \t]+)?(.*)$")
_EMOJI_DATE = re.compile(r"(📅|⏳|🛫|✅|➕|❌)\ufe0f?[ \t]*(\d{4}-\d{2}-\d{2})")
_RECUR = re.compile(r"🔁\ufe0f?[ \t]*([^📅⏳🛫✅➕❌⏫🔼🔽⏬🔺🆔⛔🏁]*)")
_FIELD = re.compile(r"[\[(]([\w\- ]+?)::[ \t]*([^\])]*?)[ \t]*[\])]")
_PRIORITY = re.compile(r"[⏫🔼🔽⏬🔺]\ufe0f?")
_PRIORITY_CHARS = frozenset("⏫🔼🔽⏬🔺")
_HALF = Decimal("0.5")  # an opportunity's probability when none is written (one object)
_CLOSED = ("x", "X", "-")  # done or cancelled task boxes
_EMOJI_KEYS = {"📅": "due", "⏳": "scheduled", "🛫": "start", "✅": "done", "➕": "created",
               "❌": "cancelled"}


# The items are named tuples, not dataclasses: a vault of 100,000 notes holds millions of
# them, and a tuple is a third of the memory and unpickles without a Python call per field.
class LogEntry(NamedTuple):
    date: date
    channel: str | None
    text: str
    line: int


class Task(NamedTuple):
    text: str
    status: str  # the character in the box: ' ' open, 'x' done, '-' cancelled, ...
    due: date | None
    scheduled: date | None
    start: date | None
    done_on: date | None
    recurrence: str | None
    line: int

    @property
    def open(self) -> bool:
        return self.status not in _CLOSED


class ChecklistItem(NamedTuple):
    text: str
    done: bool
    line: int


class ChecklistSection(NamedTuple):
    title: str
    items: tuple[ChecklistItem, ...]
    line: int


class Opportunity(NamedTuple):
    name: str
    value: Decimal | None
    close: date | None
    probability: Decimal
    stage: str | None
    line: int


@dataclass(frozen=True)
class Body:
    log: tuple[LogEntry, ...]
    tasks: tuple[Task, ...]
    checklists: tuple[ChecklistSection, ...]
    opportunities: tuple[Opportunity, ...]
    problems: tuple[tuple[int, Said], ...]  # (file line, message)
    # False: a summary, what the views read of a note (see `scan_body`); commands showing one
    # note's whole log (`history`) read the note itself.
    whole: bool = True


def scan_body(body: str, first_line: int, *, summary: bool = False) -> Body:
    """Scan `body`, whose first line is line `first_line` of the file.

    `summary` keeps of the log only its newest entry and of the tasks only the open ones with a
    date: all that the views and the breath rule read, and a tenth of a whole note's objects,
    so 100,000 notes fit in memory (ARCHITECTURE.md, speed: summaries). Problems are the same
    either way.
    """
    return _Scanner(first_line, summary).run(body)


class _Scanner:
    def __init__(self, first_line: int, summary: bool = False) -> None:
        self.first = first_line
        self.summary = summary
        self.log: list[LogEntry] = []
        self.tasks: list[Task] = []
        self.sections: list[ChecklistSection] = []
        self.opps: list[Opportunity] = []
        self.problems: list[tuple[int, Said]] = []
        self.kind = ""  # log | opportunities | checklist | ''
        self.check_title = ""
        self.check_line = 0
        self.check_items: list[ChecklistItem] = []

    def block(self, c: str, line: str, s: str, no: int, in_list: bool
              ) -> tuple[str, bool, bool] | None:
        """A fence, a quote, a comment or a heading opening on this line: the scanner's state
        after it (fence, in a comment, in a list); None when the line opens none of them. Rare
        lines (a few per note), so the call costs nothing on the scan of every line."""
        if c in "`~" and (m := _FENCE.match(line)):
            return m.group(1), False, False
        if c == ">":
            return "", False, False
        if c == "<" and s.startswith("<!--"):
            return "", "-->" not in s[4:], in_list
        if c == "#" and (h := _HEADING.match(line)):
            self.heading(len(h.group(1)), (h.group(2) or "").strip(), no)
            return "", False, False
        return None

    def run(self, body: str) -> Body:
        fence = ""
        in_comment = False
        in_list = False
        item_match, item = _ITEM.match, self.item
        no = self.first - 1
        for line in body.split("\n"):
            no += 1
            if fence:
                stripped = line.strip()
                if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                    fence = ""
                continue
            if in_comment:
                in_comment = "-->" not in line
                continue
            s = line.lstrip(" ")
            if not s or s.isspace():
                continue
            lead = len(line) - len(s)
            if lead >= 4 and not in_list:
                continue  # indented code, or a paragraph's continuation
            c = s[0]
            if c in "-*+" and (m := item_match(line)):
                in_list = True
                item(len(m.group(1)), m.group(2), no)
                continue
            if c in "`~><#" and (state := self.block(c, line, s, no, in_list)) is not None:
                fence, in_comment, in_list = state
                continue
            if lead < 2:
                in_list = in_list and lead > 0
        self.close_checklist()
        return Body(tuple(self.log), tuple(self.tasks), tuple(self.sections), tuple(self.opps),
                    tuple(self.problems), not self.summary)

    def heading(self, level: int, title: str, no: int) -> None:
        if level > 2:
            return
        self.close_checklist()
        low = title.casefold()
        self.kind = ""
        if level != 2:
            return
        if low == "log":
            self.kind = "log"
        elif low == "opportunities":
            self.kind = "opportunities"
        elif low.startswith("checklist:"):
            self.kind = "checklist"
            self.check_title = title.split(":", 1)[1].strip()
            self.check_line = no
            self.check_items = []

    def close_checklist(self) -> None:
        if self.kind == "checklist":
            self.sections.append(ChecklistSection(
                shared_text(self.check_title), tuple(self.check_items), self.check_line))
            self.kind = ""

    def item(self, indent: int, rest: str, no: int) -> None:
        box = _CHECKBOX.match(rest) if rest[:1] == "[" else None
        if box:
            if self.kind == "checklist":
                self.check_items.append(
                    ChecklistItem(shared_text(box.group(2).strip()), box.group(1) in "xX", no))
            elif (task := self.task(box.group(1), box.group(2), no)) is not None:
                self.tasks.append(task)
            return
        if indent > 1:
            return
        if self.kind == "log":
            self.log_item(rest, no)
        elif self.kind == "opportunities":
            self.opportunity(rest, no)

    def task(self, status: str, text: str, no: int) -> Task | None:
        """The task, or None when a summary leaves it out (done, or without a date)."""
        if text.isascii() and "::" not in text:  # no emoji, no Dataview field: plain text
            if self.summary:
                return None
            return Task(shared_text(" ".join(text.split())), status, None, None, None, None, None,
                        no)
        dates: dict[str, date] = {}
        for key, value in _EMOJI_DATE.findall(text):
            self.date_into(dates, _EMOJI_KEYS[key], value, no)
        fielded = "::" in text  # a Dataview field (patterns that cannot match are skipped)
        fields = {k.strip().lower(): v for k, v in _FIELD.findall(text)} if fielded else {}
        for key, name in (("due", "due"), ("scheduled", "scheduled"), ("start", "start"),
                          ("completion", "done")):
            if key in fields:
                self.date_into(dates, name, fields[key], no)
        if self.summary and (status in _CLOSED or not ("due" in dates or "scheduled" in dates)):
            return None
        recur = _RECUR.search(text) if "🔁" in text else None
        recurrence = recur.group(1).strip() if recur else fields.get("repeat")
        clean = _EMOJI_DATE.sub("", text)
        if recur:
            clean = _RECUR.sub("", clean)
        if fielded:
            clean = _FIELD.sub("", clean)
        if not _PRIORITY_CHARS.isdisjoint(clean):
            clean = _PRIORITY.sub("", clean)
        return Task(shared_text(" ".join(clean.split())), status, day_or_none(dates.get("due")),
                    day_or_none(dates.get("scheduled")), day_or_none(dates.get("start")),
                    day_or_none(dates.get("done")), text_or_none(recurrence or None), no)

    def date_into(self, into: dict[str, date], key: str, text: str, no: int) -> None:
        try:
            into[key] = parse_date(text)
        except Refused as e:
            self.problems.append((no, Said("err_in", part=Said("err_part_task"), message=e.said)))

    def log_item(self, rest: str, no: int) -> None:
        m = _LOG.match(rest)
        if not m:
            return
        try:
            when = parse_date(m.group(1))
        except Refused as e:
            self.problems.append((no, Said("err_in", part=Said("err_part_log"), message=e.said)))
            return
        if self.summary and self.log and when <= self.log[0].date:
            return  # a summary keeps the first of the newest entries only
        word, text = m.group(2), m.group(3).strip()
        channel = None
        if word:
            channel = canonical_channel(word)
            if channel is None:  # `- 2026-11-18 note: text` - the word is part of the text
                text = f"{word}: {text}".strip()
        entry = LogEntry(day(when), text_or_none(channel), shared_text(text), no)
        if self.summary:
            self.log[:] = [entry]
        else:
            self.log.append(entry)

    def opportunity(self, rest: str, no: int) -> None:
        fields = {k.strip().lower(): v.strip() for k, v in _FIELD.findall(rest)}
        name = " ".join(_FIELD.sub("", rest).split())
        value = close = None
        probability = _HALF
        try:
            if fields.get("value"):
                value = parse_amount(fields["value"])
            if fields.get("close"):
                close = parse_month(fields["close"])
            if fields.get("probability"):
                probability = parse_probability(fields["probability"])
        except Refused as e:
            self.problems.append((no, Said("err_in", part=Said("err_part_opportunity"),
                                           message=e.said)))
            return
        self.opps.append(Opportunity(shared_text(name), value, day_or_none(close), probability,
                                     text_or_none(fields.get("stage")), no))
