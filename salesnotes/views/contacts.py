"""Rows a phone can read, shared by Week plan and Today: a contact with `tel:`/`mailto:` links,
and a client's open tasks folded into one row with a count.

Built from the week plan (salesnotes/reports/week_plan.py), so both views say the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath
from typing import NamedTuple
from urllib.parse import quote

from salesnotes.model.portfolio import ClientRow
from salesnotes.reports.week_plan import DueTask
from salesnotes.views.engine import cell

TASK_ROWS = 12  # task rows a day: a phone screen; the rest is counted and linked
_DIAL = re.compile(r"[^\d+]")
_EMAIL = re.compile(r"^[^@\s<>()\[\]]+@[^@\s<>()\[\]]+\.[^@\s<>()\[\]]+$")


class Contact(NamedTuple):
    """A client to contact; `path` and `name` feed the `link` filter."""

    path: PurePosixPath
    name: str
    glyph: str
    breath: str
    tier: str
    region: str | None
    next: date | None
    days_late: int
    stake: Decimal
    next_step: str | None
    reach: str  # markdown: `[+48 12 345 67 89](tel:+48123456789) · [a@b.pl](mailto:a@b.pl)`
    fixed: bool
    visit: bool


class TaskGroup(NamedTuple):
    """A client's open tasks of one day (its late ones too) as one row."""

    path: PurePosixPath
    name: str
    tasks: int
    late: int
    first: str  # the earliest task's text
    when: date  # its date
    contacted: bool  # the client is contacted that day


def reach(phone: str | None, email: str | None) -> str:
    """Tap-to-call and tap-to-mail links, escaped for a table cell; plain text when the phone
    holds no digits or the e-mail is not an address."""
    parts = []
    if phone and phone.strip():
        digits = _DIAL.sub("", phone)
        shown = cell(phone)
        parts.append(f"[{shown}](tel:{digits})" if len(digits.lstrip("+")) >= 3 else shown)
    if email and email.strip():
        address = email.strip()
        ok = _EMAIL.match(address)
        parts.append(f"[{cell(address)}](mailto:{quote(address, safe='@.+-_')})" if ok
                     else cell(address))
    return " · ".join(parts)


def contact(row: ClientRow, start: date, fixed: bool = False, visit: bool = False) -> Contact:
    """`start`: the first plan day (else the Monday after), from which lateness counts."""
    note = row.note
    nxt = row.breath.next
    late = max(0, (start - nxt).days) if nxt else 0
    return Contact(note.path, note.name, row.breath.state.glyph, row.breath.state.value,
                   row.tier, note.region, nxt, late, row.stake, note.next_step,
                   reach(note.phone, note.email), fixed, visit)


def task_groups(tasks: Iterable[DueTask], contacted: set[PurePosixPath]
                ) -> list[TaskGroup]:
    """One row per client: the clients contacted that day first, then by money at stake."""
    by_client: dict[PurePosixPath, list[DueTask]] = {}
    for item in tasks:
        by_client.setdefault(item.row.note.path, []).append(item)
    groups = []
    for path, items in by_client.items():
        first = min(items, key=lambda i: (i.when, i.task.line))
        groups.append((path not in contacted, -items[0].row.stake, first.when,
                       TaskGroup(path, items[0].row.note.name, len(items),
                                 sum(1 for i in items if i.late), first.task.text, first.when,
                                 path in contacted)))
    groups.sort(key=lambda g: (g[0], g[1], g[2], str(g[3].path)))
    return [g[-1] for g in groups]


class Capped(NamedTuple):
    shown: tuple[TaskGroup, ...]
    more_clients: int
    more_tasks: int


def capped(groups: Sequence[TaskGroup], rows: int = TASK_ROWS) -> Capped:
    rest = groups[rows:]
    return Capped(tuple(groups[:rows]), len(rest), sum(g.tasks for g in rest))
