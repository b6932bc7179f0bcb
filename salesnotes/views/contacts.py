"""Rows a phone can read, shared by Week plan and Today: a contact with `tel:`/`mailto:` links,
and a client's open tasks folded into one row with a count.

Built from the week plan (salesnotes/reports/week_plan.py), so both views say the same.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath
from typing import NamedTuple

from salesnotes.model.portfolio import ClientRow
from salesnotes.reports.week_plan import DueTask, TaskSummary, summarize
from salesnotes.views.reach import reach

NO_FLOOR = Decimal("-Infinity")
TASK_ROWS = 12  # task rows a day: a phone screen; the rest is counted and linked


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


def contact(row: ClientRow, start: date, fixed: bool = False, visit: bool = False) -> Contact:
    """`start`: the first plan day (else the Monday after), from which lateness counts."""
    note = row.note
    nxt = row.breath.next
    late = max(0, (start - nxt).days) if nxt else 0
    return Contact(note.path, note.name, row.breath.state.glyph, row.breath.state.value,
                   row.tier, note.region, nxt, late, row.stake, note.next_step,
                   reach(note.phone, note.email), fixed, visit)


class Capped(NamedTuple):
    shown: tuple[TaskGroup, ...]
    more_clients: int
    more_tasks: int


def stake_floor(stakes: Sequence[Decimal], n: int) -> Decimal:
    """The n-th largest stake: whoever comes among the first n by money (ties broken by
    anything) holds at least as much, so thousands of clients are cut to a few before their
    sort keys are made. -Infinity, below every stake, when none would be cut."""
    return heapq.nlargest(n, stakes)[-1] if 0 < n < len(stakes) else NO_FLOOR


def task_rows(tasks: Iterable[DueTask], contacted: Collection[int],
              rows: int = TASK_ROWS) -> Capped:
    """`client_rows` of tasks given one by one."""
    return client_rows(summarize(tasks), contacted, rows)


def client_rows(summary: TaskSummary, contacted: Collection[int],
                rows: int = TASK_ROWS) -> Capped:
    """One row per client, at most `rows`: the clients contacted that day first (`contacted`
    holds id() of their ClientRows), then by money at stake; the rest only counted."""
    clients = summary.clients
    # at least `rows` clients hold the floor or more, so with the contacted (first, whatever
    # their money) the room left is filled from above it
    floor = stake_floor([g.row.stake for g in clients], rows)
    top = heapq.nsmallest(rows, [g for g in clients if g.row.stake >= floor
                                 or id(g.row) in contacted], key=lambda g: (
        id(g.row) not in contacted, -g.row.stake, g.when, str(g.row.note.path)))
    shown = tuple(TaskGroup(g.row.note.path, g.row.note.name, g.tasks, g.late, g.first.text,
                            g.when, id(g.row) in contacted) for g in top)
    return Capped(shown, len(summary.clients) - len(shown),
                  summary.total - sum(g.tasks for g in shown))
