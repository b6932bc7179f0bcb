"""Today.md (Dziś.md in a Polish vault): the phone-first dashboard of one day.

Today's contacts come from this week's plan (the same as Week plan.md says for today), so the
two views never disagree. On a day without contacts (a weekend, a holiday, leave) it shows the
next workday's. The Tasks-plugin query lists every open task of the clients live in Obsidian;
the view itself copies no `- [ ]` line, so the plugin counts each task once.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from datetime import date, timedelta
from urllib.parse import quote

from salesnotes.model.breath import Breath
from salesnotes.model.portfolio import Book, ClientRow
from salesnotes.reports.week_plan import NO_TASKS, Day, monday_of
from salesnotes.views.contacts import NO_FLOOR, client_rows, contact, stake_floor
from salesnotes.views.week_plan import days_off, today_file, week_plan_of

FILENAME = "Today.md"  # the English name; `filename(book)` gives the vault's
TEMPLATE = "Today.md"
TOP_OUT_OF_BREATH = 5
LOOK_AHEAD_DAYS = 21  # how far a day without contacts looks for the next workday
CHECKLIST_HEADING = "Checklist:"  # notes keep `## Checklist: <title>` in every language


def filename(book: Book) -> str:
    return today_file(book.config.locale)


def context(book: Book) -> dict:
    today = book.today
    day, plan_start = _contact_day(book)
    contacts = tuple(contact(p.row, plan_start, p.fixed, p.visit) for p in day.contacts) \
        if day else ()
    on_today = day if day and day.date == today else None  # today, when a plan day
    called = {id(p.row) for p in day.contacts} if day else set()
    out_of_breath = heapq.nsmallest(
        TOP_OUT_OF_BREATH, _richest_out_of_breath(book.rows, called, TOP_OUT_OF_BREATH),
        key=lambda r: (-r.stake, -(r.breath.days_overdue or 0), r.note.name))
    return {
        "today": today,
        "day": day.date if day else None,
        "is_today": bool(day and day.date == today),
        "holiday": days_off(book).why(today),
        "contacts": contacts,
        "route": _route(day),
        "calls": sum(1 for c in contacts if not c.visit),
        "capacity": book.config.capacity.contacts_per_day,
        "tasks": client_rows(on_today.task_summary if on_today else NO_TASKS, called),
        "task_count": on_today.task_summary.total if on_today else 0,
        "late_count": on_today.task_summary.late if on_today else 0,
        "top": tuple(contact(r, today) for r in out_of_breath),
        "links": _links(book.config.locale),
        "tasks_query": "\n".join(("not done", "path includes clients/",
                                  f"heading does not include {CHECKLIST_HEADING}",
                                  "sort by due", "group by filename")),
    }


def _richest_out_of_breath(rows: Sequence[ClientRow], called: set[int],
                           n: int) -> list[ClientRow]:
    """Overdue or never contacted clients, not lost, not called today, holding at least the
    n-th largest stake among them (so the n with the most money are there): the floor is
    looked for among all clients' stakes, lowered until n such clients hold it."""
    stakes = [r.stake for r in rows]
    k = n
    while True:
        floor = stake_floor(stakes, k)
        found = [r for r in rows if r.stake >= floor and r.breath.state in _OUT_OF_BREATH
                 and r.status != "lost" and id(r) not in called]
        if len(found) >= n or floor == NO_FLOOR:
            return found
        k *= 4


_OUT_OF_BREATH = frozenset((Breath.OVERDUE, Breath.NEVER))


def _contact_day(book: Book) -> tuple[Day | None, date]:
    """Today when it is a plan day (it then holds the late tasks), else the next workday with
    a plan (and its first plan day, from which lateness counts)."""
    off = days_off(book)
    workdays = book.config.capacity.workdays
    for ahead in range(LOOK_AHEAD_DAYS):
        d = book.today + timedelta(days=ahead)
        if d.weekday() not in workdays or off.off(d):
            continue
        week = None if monday_of(d) == monday_of(book.today) else monday_of(d)
        plan = week_plan_of(book, week)
        days = plan.plan_days
        found = next((x for x in days if x.date == d), None)
        if found is not None:
            return found, days[0].date
    return None, book.today


def _route(day: Day | None) -> tuple[tuple[str, int], ...]:
    if day is None:
        return ()
    counts: dict[str, int] = {}
    for p in day.contacts:
        if p.visit:
            name = " ".join((p.row.note.region or "").split())
            counts[name] = counts.get(name, 0) + 1
    return tuple((name, counts[name]) for name in day.route if name in counts)


def _links(locale: str) -> tuple[tuple[str, str], ...]:
    """(label key, URL-encoded file) of the other views, beside this one in views/."""
    files = (("td_week", "Week plan.md"), ("td_portfolio", "Portfolio.md"),
             ("td_budget", "Budget.md"), ("td_pay", "Pay.md"),
             ("td_checklists", "Checklists.md"))
    return tuple((key, quote(name)) for key, name in files)
