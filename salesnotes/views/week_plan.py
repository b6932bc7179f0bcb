"""Week plan.md: one screen a day (a route, calls, a dozen task rows), the rest counted and
linked. week.ics is made from the same plan (salesnotes/views/weekcal.py).

The planning rules live in salesnotes/reports/week_plan.py (documented there, tested there);
this module turns a WeekPlan into what the template needs. `week` is the Monday of the
requested ISO week (`review --week 2026-W49`); None plans the week holding today.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta
from typing import NamedTuple
from urllib.parse import quote

from salesnotes.local.holidays import polish_holidays
from salesnotes.model.config import WEEKDAYS
from salesnotes.model.daysoff import DaysOff
from salesnotes.model.portfolio import Book
from salesnotes.reports.week_plan import (
    Day,
    Occurrence,
    Ranks,
    WeekPlan,
    iso_week,
    plan_week,
    region_key,
)
from salesnotes.views.contacts import Capped, Contact, client_rows, contact
from salesnotes.views.weekcal import ICS_FILENAME, calendar_bytes

FILENAME = "Week plan.md"
TEMPLATE = "Week plan.md"
NOT_THIS_WEEK_ROWS = 10

class Routine(NamedTuple):
    task: str
    every: str  # week | month | quarter (label key: wp_every_<every>)
    date: date
    moved_from: dt.date | None


class DayView(NamedTuple):
    date: date
    key: str  # mon..sun
    past: bool
    workday: bool
    planned: bool
    off: bool
    holiday: str | None
    routine: tuple[Routine, ...]
    contacts: tuple[Contact, ...]
    route: tuple[tuple[str, int], ...]  # region, visits
    visits: int
    calls: int
    tasks: Capped  # one row per client, at most a dozen
    task_count: int
    late_count: int
    capacity: int
    fixed: int


class WeekRow(NamedTuple):
    label: str
    monday: date
    sunday: date
    due: int
    carried: int
    capacity: int
    load: int
    over: bool
    current: bool


def days_off(book: Book, *around: date) -> DaysOff:
    """Polish public holidays of the years around the dates given, and the rep's leave."""
    years = {y for d in (book.today, *around) for y in (d.year - 1, d.year, d.year + 1)}
    return DaysOff(polish_holidays(years, book.config.locale, book.vault.root),
                   book.config.days_off)


_plans: list = []  # [(book, week, plan)]: the views of one review plan each week once
KEEP_PLANS = 3  # this week, the requested one, and the next workday's (Today on a Friday)


def week_plan_of(book: Book, week: date | None = None) -> WeekPlan:
    """The plan of `week` (default: this week) for the book, made once per book and week."""
    for b, w, plan in _plans:
        if b is book and w == week:
            return plan
    plan = plan_week(book.rows, book.config, book.today, week,
                     days_off(book, *((week,) if week else ())), book.once(_ranks))
    _plans[:] = [*[p for p in _plans if p[0] is book][-(KEEP_PLANS - 1):], (book, week, plan)]
    return plan


def _ranks(book: Book) -> Ranks:
    """The priority keys of the book's plans, kept with the book (which keeps its rows)."""
    return {}


def today_file(locale: str) -> str:
    """The Today view's file name, which Week plan links to."""
    return "Dziś.md" if locale == "pl" else "Today.md"


def context(book: Book, week: date | None = None) -> dict:
    plan = week_plan_of(book, week)
    plan_days = plan.plan_days  # a property that makes a tuple: read once, not per contact
    start = plan_days[0].date if plan_days else plan.sunday + timedelta(days=1)
    days = tuple(_day(d, start) for d in plan.days)
    overflow = plan.overflow
    unplaced = plan.unplaced_summary
    summaries = [d.task_summary for d in plan.days]
    return {
        "label": plan.label,
        "monday": plan.monday,
        "sunday": plan.sunday,
        "today": plan.today,
        "next_week": iso_week(plan.monday + timedelta(days=7)),
        "per_day": plan.per_day,
        "days": tuple(d for d in days if not d.past),
        "has_earlier": any(d.past for d in days),
        "earlier": tuple(d for d in days if d.past and d.routine),  # their routine only
        "has_plan_days": bool(plan_days),
        "planned": len(plan.contacts),
        "slots": plan.per_day * len(plan_days),
        "fixed": sum(d.fixed for d in plan.days),
        "task_count": sum(s.total for s in summaries) + unplaced.total,
        "late_tasks": sum(s.late for s in summaries) + unplaced.late,
        "unplaced_tasks": client_rows(unplaced, ()),
        "overflow": tuple(contact(r, start) for r in overflow[:NOT_THIS_WEEK_ROWS]),
        "overflow_count": len(overflow),
        "overflow_rest": max(0, len(overflow) - NOT_THIS_WEEK_ROWS),
        "overflow_stake": overflow.stake,
        "portfolio_link": "[Portfolio](Portfolio.md)",
        "today_link": _view_link(today_file(book.config.locale)),
        "later_routine": tuple(_routine(o) for o in plan.later_routine),
        "weekly_routine": tuple(sorted(
            (i for i in book.config.routine if i.every == "week"
             and (i.until is None or i.until > plan.sunday)), key=lambda i: i.day)),
        "weekday_dates": {i: plan.monday + timedelta(days=i) for i in range(7)},
        "weeks": tuple(WeekRow(iso_week(w.monday), w.monday, w.monday + timedelta(days=6), w.due,
                               w.carried, w.capacity, w.load, w.over, w.current)
                       for w in plan.weeks),
    }


def _view_link(filename: str) -> str:
    """A link from one view to another beside it (both in views/)."""
    return f"[{filename.removesuffix('.md')}]({quote(filename)})"


def _day(day: Day, start: date) -> DayView:
    contacts = tuple(contact(p.row, start, p.fixed, p.visit) for p in day.contacts)
    visits: dict[str, list] = {}  # region key -> [name as first written, visits]
    for p in day.contacts:
        if p.visit and (key := region_key(p.row)):
            visits.setdefault(key, [" ".join((p.row.note.region or "").split()), 0])[1] += 1
    route = tuple((name, n) for name, n in visits.values())
    summary = day.task_summary
    tasks = client_rows(summary, {id(p.row) for p in day.contacts})
    return DayView(day.date, WEEKDAYS[day.date.weekday()], day.past, day.workday, day.planned,
                   day.off, day.holiday, tuple(_routine(o) for o in day.routine), contacts,
                   route, sum(n for _, n in route), sum(1 for c in contacts if not c.visit),
                   tasks, summary.total, summary.late, day.capacity, day.fixed)


def _routine(o: Occurrence) -> Routine:
    return Routine(o.item.task, o.item.every, o.date, o.nominal if o.moved else None)


def extra_files(book: Book, week: date | None = None) -> dict[str, bytes]:
    return {ICS_FILENAME: calendar_bytes(week_plan_of(book, week), book.config.locale,
                                         book.config.calendar_id or book.vault.root.name,
                                         book.vault.root.name)}
