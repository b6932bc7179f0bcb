"""The week plan as data: routine, contacts within capacity, tasks, overflow and outlook.

Pure functions of the portfolio rows, the config and `today`; views/week_plan.py only lays the
result out (markdown and week.ics), so every rule below is tested here.

Which days
    The plan covers one ISO week (Monday..Sunday). Contacts are planned only on the
    `capacity.workdays` of that week that are not before `today` (in the current week: from
    today on; a future week: all its workdays; a week that is over: none) and are not days
    off: Polish public holidays (24 December too, from 2025) and the rep's `days_off:`.
    Days before today still show their routine, so the week reads whole, but get no
    contacts: what was not done on them is overdue now and competes for the days left.

Who should breathe this week
    Every client not `lost` that is overdue, due (its next contact falls on or before the
    week's Sunday) or never contacted. A never-contacted client whose note sets a
    `next_contact` after this week waits for that date: the rep chose it. A `lost` client is
    planned only when its note fixes a `next_contact` on a plan day.

Fixed dates
    A client whose note's `next_contact` falls on a plan day keeps that day while the day has
    room: no day ever holds more than `contacts_per_day`. When more fixed dates fall on a day
    than it holds, it keeps those of one route (the region with the most of them, then its
    neighbours, then the most urgent), and the others compete for the week's free slots like
    any client due this week (a `lost` one is then left out). A `next_contact` on a day before
    today, a non-workday or a day off is not a plan day: the client is spread like any other.

Priority (who gets the free slots first; the rest go to "not this week")
    1. overdue at the first plan day, by weight = (money at stake + 1000) x (1 + days late /
       the tier's cadence): lateness counts in cadences, so an A client 14 days late weighs
       like a C client 90 days late, and money multiplies it (as `breath.urgency`);
    2. never contacted, by tier (the config's order, A first), then money at stake;
    3. due this week, by next contact date, then tier, then money at stake;
    ties by name. Money at stake is `potential`, else `budget`.

Spreading: one route a day, phone calls fill the rest
    The free slots of all plan days are counted first and filled in priority order, so a client
    left out is never more urgent than one planned. The planned clients then get their day by
    region, so that the visits of a day come from as few regions as possible:
    1. a day holding fixed dates goes to their regions (its route); other days take, in date
       order, the region with the most clients still to place (ties: its most urgent first);
    2. a day's route takes its region's clients, most urgent first, up to the day's room;
    3. when the region is short, its neighbours' clients join the route (most clients first):
       neighbours are the regions listed together under `regions:` in salesnotes.yaml, and
       regions whose names start with the same word (`Kraków`, `Kraków-Podgórze`,
       `Małopolska/Tarnów`, `Małopolska/Bochnia`); salesnotes has no map, so no distance;
    4. everyone left (small regions, clients without a region) is a phone call, on the
       earliest day with room, most urgent first.
    A contact in its day's route is a visit; any other is a call.

Tasks
    Open tasks (not done or cancelled) are placed by their earliest date among scheduled (⏳)
    and due (📅): on that plan day, or the last plan day before it (a task due on Saturday is on
    Friday's list); a task dated before the first plan day is late: it waits for the client's
    contact when the client is planned this week, else it goes on the first plan day. Tasks
    without dates are not in the plan. When the week has no plan day left, this week's and
    late tasks are listed as unplaced, never dropped.

Routine
    `every: week`: on that weekday (even a non-workday: the rep named it).
    `every: month`: on day `day` of each month (the month's last day when shorter); a date on a
    non-workday moves to the next workday, possibly into the next month.
    `every: quarter`: as month, in the first month of each calendar quarter (January, April,
    July, October), whatever the fiscal year.
    A routine falling on a public holiday or a day of leave moves to the last open workday
    before its date (the report before the holiday, the review before the leave); one item
    moved onto a day that already holds it is listed once.
    `until`: an occurrence whose own (unmoved) date is after `until` is not listed.

Outlook
    The routine after this week up to the end of its calendar quarter, and for each of the next
    four weeks the clients whose next contact falls in it, plus those carried over (this week's
    overflow, then each week's excess), against the week's capacity (contacts_per_day x its
    workdays that are not days off). A week is over capacity when due + carried exceeds it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import heapq
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple, overload

from salesnotes.model.config import Config, RoutineItem
from salesnotes.model.daysoff import NO_DAYS_OFF, DaysOff
from salesnotes.model.portfolio import ClientRow
from salesnotes.read.body import Task
from salesnotes.read.names import fold

OUTLOOK_WEEKS = 4
QUARTER_MONTHS = (1, 4, 7, 10)
OVERDUE_FLOOR = Decimal(1000)  # an overdue client with no money noted still outweighs none


class Occurrence(NamedTuple):
    """A routine item on a date; `nominal` is the date before a move to a workday."""

    date: date
    item: RoutineItem
    nominal: dt.date

    @property
    def moved(self) -> bool:
        return self.date != self.nominal


# Planned and DueTask are named tuples, not dataclasses: a week of 10,000 clients makes
# tens of thousands, and a tuple is built three times faster in a third of the memory.
class Planned(NamedTuple):
    row: ClientRow
    fixed: bool  # the note's next_contact is this day
    visit: bool = False  # in the day's route (else a phone call)


class DueTask(NamedTuple):
    row: ClientRow
    task: Task
    when: date  # the earliest of scheduled and due
    late: bool  # dated before the first plan day


class ClientTasks(NamedTuple):
    """A client's tasks on one day of the plan, as the views show them: one row."""

    row: ClientRow
    tasks: int
    late: int
    first: Task  # the earliest by date, then line (among equals, the first in the note)
    when: date  # its date


class TaskSummary(NamedTuple):
    """A day's tasks counted per client: all a view prints of a day that may hold tens of
    thousands of late tasks at 10,000 clients."""

    total: int
    late: int
    clients: tuple[ClientTasks, ...]


NO_TASKS = TaskSummary(0, 0, ())


@dataclass(frozen=True)
class Day:
    date: date
    workday: bool
    past: bool  # before today: its routine is shown, no contacts are planned on it
    routine: tuple[Occurrence, ...]
    contacts: tuple[Planned, ...]
    capacity: int  # contacts_per_day on a plan day, else 0
    off: bool = False  # a public holiday or leave: no contacts
    holiday: str | None = None  # the public holiday's name (None on leave)
    route: tuple[str, ...] = ()  # the regions visited, as written in the first note of each
    week_tasks: WeekTasks | None = field(default=None, compare=False, repr=False)

    @property
    def planned(self) -> bool:
        return self.workday and not self.past and not self.off

    @property
    def fixed(self) -> int:
        return sum(1 for p in self.contacts if p.fixed)

    @property
    def over(self) -> int:
        """Contacts beyond capacity: only ever fixed dates."""
        return max(0, len(self.contacts) - self.capacity) if self.planned else 0

    @property
    def tasks(self) -> tuple[DueTask, ...]:
        """The day's tasks one by one: late first, then by date, client and line."""
        return tuple(self.week_tasks.placed[0].get(self.date, ())) if self.week_tasks else ()

    @property
    def task_summary(self) -> TaskSummary:
        """The day's tasks per client, counted."""
        if self.week_tasks is None:
            return NO_TASKS
        return self.week_tasks.summaries[0].get(self.date, NO_TASKS)


class WeekLoad(NamedTuple):
    monday: date
    due: int  # clients whose next contact falls in the week (this week: who should breathe)
    carried: int  # left over from the weeks before
    capacity: int
    current: bool = False  # the planned week itself

    @property
    def load(self) -> int:
        return self.due + self.carried

    @property
    def over(self) -> bool:
        return self.load > self.capacity


@dataclass(frozen=True)
class WeekPlan:
    monday: date
    today: date
    days: tuple[Day, ...]  # workdays and days holding routine, in date order
    overflow: Overflow  # should breathe, no room: most urgent first
    later_routine: tuple[Occurrence, ...]  # after this week, to the end of the quarter
    loads: Callable[[], tuple[WeekLoad, ...]] = field(compare=False, repr=False)
    per_day: int
    week_capacity: int  # contacts_per_day x workdays
    week_tasks: WeekTasks = field(compare=False, repr=False)

    @cached_property
    def weeks(self) -> tuple[WeekLoad, ...]:
        """This week, then the next four: counted when read (Today never reads them)."""
        return self.loads()

    @property
    def unplaced_tasks(self) -> tuple[DueTask, ...]:
        """Only when no plan day is left: this week's and late tasks, never dropped."""
        return tuple(self.week_tasks.placed[1])

    @property
    def unplaced_summary(self) -> TaskSummary:
        return self.week_tasks.summaries[1]

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def label(self) -> str:
        return iso_week(self.monday)

    @property
    def plan_days(self) -> tuple[Day, ...]:
        return tuple(d for d in self.days if d.planned)

    @property
    def contacts(self) -> tuple[Planned, ...]:
        return tuple(p for d in self.days for p in d.contacts)

    @property
    def tasks(self) -> tuple[DueTask, ...]:
        return tuple(t for d in self.days for t in d.tasks)


def monday_of(d: date) -> date:
    return d - timedelta(days=d.weekday())


def iso_week(d: date) -> str:
    """`2026-W49` for any day of that ISO week."""
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def plan_days(monday: date, today: date, workdays: Iterable[int],
              off: DaysOff = NO_DAYS_OFF) -> tuple[date, ...]:
    """The workdays of the week that are not before today and not days off."""
    days = (monday + timedelta(days=w) for w in sorted(set(workdays)) if 0 <= w <= 6)
    return tuple(d for d in days if d >= today and not off.off(d))


# Routine -------------------------------------------------------------------------------------

def next_workday(d: date, workdays: Sequence[int]) -> date:
    """d itself when a workday, else the next workday (d when no workday is configured)."""
    for shift in range(7):
        if (d + timedelta(days=shift)).weekday() in workdays:
            return d + timedelta(days=shift)
    return d


LOOK_AHEAD = timedelta(days=31)  # a routine after the range may move back into it (leave)


def routine_between(routine: Iterable[RoutineItem], start: date, end: date,
                    workdays: Sequence[int], off: DaysOff = NO_DAYS_OFF
                    ) -> tuple[Occurrence, ...]:
    """Every occurrence dated start..end (inclusive), by date then config order."""
    found: list[tuple[date, int, Occurrence]] = []
    for order, item in enumerate(routine):
        seen: set[date] = set()
        for nominal, moved in _occurrences(item, start - LOOK_AHEAD, end + LOOK_AHEAD, workdays):
            if off.off(moved) or off.off(nominal):
                moved = off.open_workday_before(nominal, tuple(workdays)) or moved
            if not start <= moved <= end or moved in seen:
                continue
            if item.until is None or nominal <= item.until:
                seen.add(moved)
                found.append((moved, order, Occurrence(moved, item, nominal)))
    found.sort(key=lambda f: (f[0], f[1]))
    return tuple(f[2] for f in found)


def _occurrences(item: RoutineItem, start: date, end: date,
                 workdays: Sequence[int]) -> Iterable[tuple[date, date]]:
    """(nominal date, date moved to the next workday) for nominal dates start..end."""
    if end < start:
        return
    if item.every == "week":
        d = start + timedelta(days=(item.day - start.weekday()) % 7)
        while d <= end:
            yield d, d
            d += timedelta(days=7)
        return
    index = start.year * 12 + start.month - 1
    while True:
        year, month = divmod(index, 12)
        month += 1
        if date(year, month, 1) > end:
            return
        index += 1
        if item.every == "quarter" and month not in QUARTER_MONTHS:
            continue
        nominal = date(year, month, min(item.day, calendar.monthrange(year, month)[1]))
        if start <= nominal <= end:
            yield nominal, next_workday(nominal, workdays)


def quarter_end(d: date) -> date:
    last_month = (d.month - 1) // 3 * 3 + 3
    return date(d.year, last_month, calendar.monthrange(d.year, last_month)[1])


# Contacts ------------------------------------------------------------------------------------

def fixed_day(row: ClientRow, days: Sequence[date] | frozenset[date]) -> date | None:
    """The note's own next_contact when it is a plan day."""
    nc = row.note.next_contact
    return nc if nc is not None and nc in days else None


def should_breathe(row: ClientRow, week_end: date) -> bool:
    """Overdue, due by the week's Sunday, or never contacted (see the module docstring)."""
    if row.status == "lost":
        return False
    nxt = row.breath.next
    if nxt is not None and nxt <= week_end:
        return True
    return row.breath.last is None and row.note.next_contact is None


def priority(row: ClientRow, at: date, tier_order: Sequence[str]) -> tuple:
    """Sort key, most urgent first, for the plan starting on `at` (see the docstring)."""
    tier = tier_order.index(row.tier) if row.tier in tier_order else len(tier_order)
    nxt = row.breath.next
    stake = row.stake
    tail = (fold(row.name), str(row.note.path))
    if nxt is not None and nxt < at:
        late = Decimal((at - nxt).days) / max(row.cadence, 1)
        weight = (stake + OVERDUE_FLOOR) * (1 + late)
        return (0, -weight, tier, 0, Decimal(0), *tail)
    if row.breath.last is None:
        return (1, Decimal(0), tier, 0, -stake, *tail)
    return (2, Decimal(0), nxt.toordinal() if nxt else 0, tier, -stake, *tail)


_NOUGHT = Decimal(0)
Ranked = tuple[tuple, int, ClientRow]  # (ranker key, arrival, row)


Ranks = dict[tuple[date, tuple[str, ...]], dict[int, tuple]]  # (at, tiers) -> id(row) -> key


def ranker(at: date, tier_order: Sequence[str], ranks: Ranks | None = None,
           ) -> Callable[[ClientRow], tuple]:
    """`priority(row, at, tier_order)` without its name part, cheaper to make for thousands of
    rows (the tier by a dict, the lateness factor once per next-contact date and cadence).
    Folding a name is the dearest part of a key, and a tie that needs it is rare: `first`
    breaks ties by name as `priority` does. `ranks` keeps the keys for another plan from the
    same day (on a Sunday the week that is over and the next both rank from Monday); it must
    live no longer than the rows."""
    tiers: dict[str, int] = {}
    for i, tier in enumerate(tier_order):
        tiers.setdefault(tier, i)  # the first, as tuple.index finds it
    unknown = len(tier_order)
    factors: dict[tuple[date, int], Decimal] = {}

    def key(row: ClientRow) -> tuple:
        nxt = row.breath.next
        if nxt is not None and nxt < at:
            cadence = row.cadence
            factor = factors.get((nxt, cadence))
            if factor is None:
                factor = factors[nxt, cadence] = 1 + Decimal((at - nxt).days) / max(cadence, 1)
            return (0, -((row.stake + OVERDUE_FLOOR) * factor), tiers.get(row.tier, unknown), 0,
                    _NOUGHT)
        if row.breath.last is None:
            return (1, _NOUGHT, tiers.get(row.tier, unknown), 0, -row.stake)
        return (2, _NOUGHT, nxt.toordinal() if nxt else 0, tiers.get(row.tier, unknown),
                -row.stake)

    if ranks is None:
        return key
    made = ranks.setdefault((at, tuple(tier_order)), {})

    def kept(row: ClientRow) -> tuple:
        found = made.get(id(row))
        if found is None:
            found = made[id(row)] = key(row)
        return found

    return kept


def _whole(e: Ranked) -> tuple:
    """The entry's place in `priority` order, ties kept in arrival order."""
    return e[0], fold(e[2].name), str(e[2].note.path), e[1]


def first(n: int, ranked: Sequence[Ranked]) -> list[Ranked]:
    """The n first entries in `priority` order, by heapq: the names of only the entries tied
    at the cut, or with one another before it, are folded."""
    if n <= 0 or not ranked:
        return []
    head = heapq.nsmallest(n, ranked) if n < len(ranked) else sorted(ranked)
    cut = head[-1][0]
    out = [e for e in head if e[0] != cut]
    out += [e for e in ranked if e[0] == cut] if n < len(ranked) else head[len(out):]
    if len({e[0] for e in out}) < len(out):  # ties: the name decides
        out.sort(key=_whole)
    return out[:n]


class Overflow(Sequence[ClientRow]):
    """Who should breathe this week and found no room, most urgent first.

    Ordered only as far as it is read: at 10,000 clients thousands wait and the view shows ten,
    so the first are picked (heapq) and the whole order is made for a reader that walks it all.
    """

    def __init__(self, waiting: list[Ranked]) -> None:
        self._waiting = waiting  # in no order
        self._head: list[Ranked] = []  # the first ones, in order

    def __len__(self) -> int:
        return len(self._waiting)

    def _first(self, n: int) -> list[Ranked]:
        if n > len(self._head):
            self._head = first(n, self._waiting)
        return self._head

    @overload
    def __getitem__(self, i: int) -> ClientRow: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[ClientRow, ...]: ...

    def __getitem__(self, i: int | slice) -> ClientRow | tuple[ClientRow, ...]:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step == 1 and start >= 0:
                return tuple(e[2] for e in self._first(stop)[start:stop])
            return tuple(e[2] for e in self._first(len(self)))[i]
        if 0 <= i < len(self):
            return self._first(i + 1)[i][2]
        return self._first(len(self))[i][2]

    def __iter__(self) -> Iterator[ClientRow]:
        return iter([e[2] for e in self._first(len(self))])

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same rows in the same order, as the tuple it was."""
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a is b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    @cached_property
    def stake(self) -> Decimal:
        """Their money at stake, summed."""
        return sum((e[2].stake for e in self._waiting), Decimal(0))


def plan_contacts(rows: Iterable[ClientRow], days: Sequence[date], per_day: int, week_end: date,
                  tier_order: Sequence[str],
                  neighbours: Mapping[str, frozenset[str]] | None = None,
                  ranks: Ranks | None = None) -> tuple[dict[date, list[Planned]], Overflow]:
    """({plan day: contacts}, overflow): fixed dates kept up to capacity, the rest chosen by
    priority and routed by region (see the module docstring). Only the chosen are ordered
    here (heapq): the overflow orders itself as far as it is read."""
    listed = neighbours or {}
    by_day: dict[date, list[Planned]] = {d: [] for d in days}
    at = days[0] if days else week_end + timedelta(days=1)
    key = ranker(at, tier_order, ranks)
    plan_dates = frozenset(days)
    fixed_on: dict[date, list[ClientRow]] = {}
    flexible = []
    for row in rows:
        fixed = fixed_day(row, plan_dates)
        if fixed is not None:
            fixed_on.setdefault(fixed, []).append(row)
        elif should_breathe(row, week_end):
            flexible.append(row)
    for day, booked in fixed_on.items():
        booked.sort(key=lambda r: priority(r, at, tier_order))
        stops = _Stops(booked, listed)
        stops.fill(by_day[day], per_day, fixed=True)
        flexible.extend(r for r in stops.left() if r.status != "lost")
    free = sum(max(0, per_day - len(by_day[d])) for d in days)
    ranked = [(key(r), i, r) for i, r in enumerate(flexible)]  # i: ties keep the rows' order
    best = first(free, ranked)
    taken = {e[1] for e in best}
    overflow = Overflow([e for e in ranked if e[1] not in taken])
    stops = _Stops([e[2] for e in best], listed)
    for day in sorted(days, key=lambda d: (not by_day[d], d)):  # routes set by fixed visits first
        stops.fill(by_day[day], per_day)
    for day in days:  # the small regions and clients without one: calls, wherever room is left
        stops.calls(by_day[day], per_day)
    for d in days:
        by_day[d].sort(key=_display_key(by_day[d], at, tier_order))
    return by_day, overflow


def region_key(row: ClientRow) -> str | None:
    """`Łódź` and `łódź ` are one region; no region groups nothing."""
    return fold(row.note.region or "") or None


_FIRST_WORD = re.compile(r"[\s/,-]")


def near(region: str, others: Iterable[str], listed: Mapping[str, frozenset[str]]) -> list[str]:
    """The neighbours of a (folded) region among `others`: listed together in `regions:`, or
    named with the same first word (`krakow` and `krakow-podgorze`, `malopolska/tarnow`)."""
    head = _FIRST_WORD.split(region, 1)[0]
    mine = listed.get(region, frozenset())
    return [o for o in others if o != region
            and (o in mine or (head and _FIRST_WORD.split(o, 1)[0] == head))]


class _Stops:
    """Clients waiting for a day, by region, in priority order; fills a day as one route."""

    def __init__(self, rows: list[ClientRow], listed: Mapping[str, frozenset[str]]) -> None:
        self.order = {id(r): i for i, r in enumerate(rows)}
        self.pending: dict[str, list[ClientRow]] = {}
        self.loose: list[ClientRow] = []  # no region: never a visit
        for row in rows:
            k = region_key(row)
            (self.pending.setdefault(k, []) if k else self.loose).append(row)
        self.listed = listed

    def fill(self, day: list[Planned], per_day: int, fixed: bool = False) -> None:
        """Visits of the day's route: the regions already on it (fixed visits), else the
        region with the most clients waiting; then their neighbours. With `fixed`, the day's
        booked clients: the room left after the route goes to the most urgent of the rest."""
        route = list(dict.fromkeys(k for p in day if p.visit and (k := region_key(p.row))))
        if not route and self.pending:
            route = [min(self.pending, key=self._biggest)]
        for region in route:
            self._visit(day, region, per_day, fixed)
        for region in route:
            for other in sorted(near(region, self.pending, self.listed), key=self._biggest):
                self._visit(day, other, per_day, fixed)
        if fixed:
            self.calls(day, per_day, fixed=True)

    def calls(self, day: list[Planned], per_day: int, fixed: bool = False) -> None:
        """The most urgent of everyone left, as calls, while the day has room."""
        left = sorted([r for rows in self.pending.values() for r in rows] + self.loose,
                      key=lambda r: self.order[id(r)])
        taken = left[:max(0, per_day - len(day))]
        day.extend(Planned(r, fixed, False) for r in taken)
        gone = {id(r) for r in taken}
        self.loose = [r for r in self.loose if id(r) not in gone]
        for k in list(self.pending):
            self.pending[k] = [r for r in self.pending[k] if id(r) not in gone]
            if not self.pending[k]:
                del self.pending[k]

    def left(self) -> list[ClientRow]:
        return sorted([r for rows in self.pending.values() for r in rows] + self.loose,
                      key=lambda r: self.order[id(r)])

    def _biggest(self, region: str) -> tuple[int, int]:
        rows = self.pending[region]
        return -len(rows), self.order[id(rows[0])]

    def _visit(self, day: list[Planned], region: str, per_day: int, fixed: bool) -> None:
        take = self.pending.pop(region, [])
        n = max(0, per_day - len(day))
        day.extend(Planned(r, fixed, True) for r in take[:n])
        if take[n:]:
            self.pending[region] = take[n:]


def _display_key(planned: list[Planned], at: date, tier_order: Sequence[str]):  # noqa: ANN202
    """Within a day: visits first, a region together, the region holding the most urgent
    client first; then the calls, most urgent first."""
    best: dict[str, tuple] = {}
    for p in planned:
        group = (region_key(p.row) or "") if p.visit else f"\x00{p.row.note.path}"
        key = priority(p.row, at, tier_order)
        best[group] = min(best.get(group, key), key)
    return lambda p: (not p.visit,
                      best[(region_key(p.row) or "") if p.visit else f"\x00{p.row.note.path}"],
                      priority(p.row, at, tier_order))


# Tasks ---------------------------------------------------------------------------------------

def task_date(task: Task) -> date | None:
    """The earliest of the task's scheduled and due dates."""
    scheduled, due = task.scheduled, task.due
    if scheduled is None or due is None:
        return due if scheduled is None else scheduled
    return min(scheduled, due)


def _day_of(days: Sequence[date], first: date, week_end: date) -> dict[date, date]:
    """Each date from the first plan day to Sunday -> the last plan day on or before it."""
    if not days:
        return {}
    return {first + timedelta(days=k): max(d for d in days if d <= first + timedelta(days=k))
            for k in range((week_end - first).days + 1)}


def place_tasks(rows: Iterable[ClientRow], days: Sequence[date], week_end: date,
                contact_day: Mapping[int, date] | None = None,
                ) -> tuple[dict[date, list[DueTask]], list[DueTask]]:
    """({plan day: tasks}, unplaced): open tasks of this week; late ones on the day of the
    client's contact (`contact_day`: id(row) -> day), else on the first day."""
    by_day: dict[date, list[DueTask]] = {d: [] for d in days}
    first = days[0] if days else week_end + timedelta(days=1)
    day_of = _day_of(days, first, week_end)
    keyed: list[tuple] = []  # (*sort key, arrival, item): sorted as plain tuples, the arrival
    # keeps ties stable and items uncompared; the row's part of the key is made once per row
    for row in rows:
        tasks = row.note.body.tasks
        if not tasks:
            continue
        who = None
        for task in tasks:
            when = task_date(task)
            if when is None or when > week_end or not task.open:
                continue
            who = who or (fold(row.name), str(row.note.path))
            late = when < first
            keyed.append((not late, when, *who, task.line, len(keyed),
                          DueTask(row, task, when, late)))
    keyed.sort()
    if not days:
        return by_day, [k[-1] for k in keyed]
    contact_day = contact_day or {}
    for k in keyed:
        item = k[-1]
        day = contact_day.get(id(item.row), first) if item.late else day_of.get(k[1], first)
        by_day[day].append(item)
    return by_day, []


def summarize(items: Iterable[DueTask]) -> TaskSummary:
    """Tasks counted per client, each client's earliest kept (the first of equals)."""
    groups: dict[int, list] = {}  # id(row) -> [row, tasks, late, earliest DueTask]
    for item in items:
        g = groups.get(id(item.row))
        if g is None:
            groups[id(item.row)] = [item.row, 1, int(item.late), item]
            continue
        g[1] += 1
        g[2] += item.late
        if (item.when, item.task.line) < (g[3].when, g[3].task.line):
            g[3] = item
    return _summary([ClientTasks(row, n, late, first.task, first.when)
                     for row, n, late, first in groups.values()])


def _summary(clients: list[ClientTasks]) -> TaskSummary:
    return TaskSummary(sum(c.tasks for c in clients), sum(c.late for c in clients),
                       tuple(clients))


def summarize_tasks(rows: Iterable[ClientRow], days: Sequence[date], week_end: date,
                    contact_day: Mapping[int, date] | None = None,
                    ) -> tuple[dict[date, TaskSummary], TaskSummary]:
    """`place_tasks` summarized per day (and the unplaced), in one pass over the tasks: no
    DueTask, no sort. The same as `summarize` of each day's list (tests/test_weekplan_cut.py)."""
    first = days[0] if days else week_end + timedelta(days=1)
    day_of = _day_of(days, first, week_end)
    contact_day = contact_day or {}
    by_day: dict[date | None, list[ClientTasks]] = {}  # None: unplaced
    for row in rows:
        tasks = row.note.body.tasks
        if not tasks:
            continue
        late, late_task, late_when, this_week = _client_tasks(
            tasks, row.note.body.whole, first, week_end, day_of)
        late_day = (contact_day.get(id(row), first) if days else None) if late else None
        for day, (n, when, _, task) in this_week.items():
            if day == late_day:  # one row: the late tasks join, the earliest is late
                n, when, task, late = n + late, late_when, late_task, 0
            _group(by_day, day).append(_tuple(ClientTasks, (row, n, n - this_week[day][0],
                                                            task, when)))
        if late:
            _group(by_day, late_day).append(
                _tuple(ClientTasks, (row, late, late, late_task, late_when)))
    unplaced = _summary(by_day.pop(None, []))
    return {d: _summary(clients) for d, clients in by_day.items() if d is not None}, unplaced


_tuple = tuple.__new__  # a named tuple made without its Python-level __new__: one per client


def _group(by_day: dict[date | None, list[ClientTasks]], day: date | None) -> list[ClientTasks]:
    found = by_day.get(day)
    if found is None:
        found = by_day[day] = []
    return found


_NO_WEEK: dict[date, list] = {}  # never written: the tasks of a client with none this week


def _client_tasks(tasks: Sequence[Task], whole: bool, first: date, week_end: date,
                  day_of: Mapping[date, date]) -> tuple[int, Task, date, dict[date, list]]:
    """(late tasks, the earliest of them, its date, {plan day: [tasks, earliest date, its line,
    its task]}) of one client. Its late tasks all go to one day, so they are counted here in
    locals; only the few dated inside the week are put in buckets by day. A note's summary
    (not `whole`) holds open tasks only, so theirs are not asked again."""
    late, late_when, late_line, late_task = 0, date.max, 0, tasks[0]
    this_week = _NO_WEEK
    for task in tasks:
        _, _, when, scheduled, _, _, _, line = task  # task_date, inline: tens of thousands
        if scheduled is not None and (when is None or scheduled < when):
            when = scheduled
        if when is None or when > week_end or (whole and not task.open):
            continue
        if when < first:
            if when < late_when or (when == late_when and line < late_line):
                late_when, late_line, late_task = when, line, task
            late += 1
            continue
        day = day_of.get(when, first)
        if this_week is _NO_WEEK:
            this_week = {}
        g = this_week.get(day)
        if g is None:
            this_week[day] = [1, when, line, task]
        else:
            g[0] += 1
            if when < g[1] or (when == g[1] and line < g[2]):
                g[1], g[2], g[3] = when, line, task
    return late, late_task, late_when, this_week


class WeekTasks:
    """The week's tasks, placed when first asked for: one by one (`placed`, as `place_tasks`)
    or counted per client (`summaries`, all the views read). Today on a day off needs neither,
    and the views never need every task of a day as an object."""

    def __init__(self, rows: Sequence[ClientRow], days: Sequence[date], week_end: date,
                 contact_day: Mapping[int, date]) -> None:
        self.rows, self.days, self.week_end, self.contact_day = rows, days, week_end, contact_day

    @cached_property
    def placed(self) -> tuple[dict[date, list[DueTask]], list[DueTask]]:
        return place_tasks(self.rows, self.days, self.week_end, self.contact_day)

    @cached_property
    def summaries(self) -> tuple[dict[date, TaskSummary], TaskSummary]:
        return summarize_tasks(self.rows, self.days, self.week_end, self.contact_day)


# Outlook -------------------------------------------------------------------------------------

def due_by_week(rows: Iterable[ClientRow], first: date, weeks: int) -> list[int]:
    """Per week from the Monday `first`: clients whose next contact falls in it (lost ones only
    with their own date). One pass over the rows for all the weeks."""
    due = [0] * weeks
    end = first + timedelta(days=7 * weeks)
    for r in rows:
        nxt = r.breath.next
        if nxt is not None and first <= nxt < end and (r.status != "lost"
                                                       or r.note.next_contact is not None):
            due[(nxt - first).days // 7] += 1
    return due


def outlook(rows: Sequence[ClientRow], monday: date, capacity: Callable[[date], int],
            carried: int, weeks: int = OUTLOOK_WEEKS) -> tuple[WeekLoad, ...]:
    """`capacity(monday)`: the contacts that week can hold."""
    out = []
    due = due_by_week(rows, monday + timedelta(days=7), weeks)
    for k in range(1, weeks + 1):
        week = monday + timedelta(days=7 * k)
        load = WeekLoad(week, due[k - 1], carried, capacity(week))
        out.append(load)
        carried = max(0, load.load - load.capacity)
    return tuple(out)


# The whole week ------------------------------------------------------------------------------

def plan_week(rows: Sequence[ClientRow], config: Config, today: date,
              week: date | None = None, off: DaysOff = NO_DAYS_OFF,
              ranks: Ranks | None = None) -> WeekPlan:
    """The plan of the ISO week holding `week` (default: the week holding today); `ranks`, see
    `ranker`."""
    monday = monday_of(week or today)
    sunday = monday + timedelta(days=6)
    cap = config.capacity
    workdays = tuple(sorted(set(cap.workdays)))
    days = plan_days(monday, today, workdays, off)
    tier_order = tuple(config.tiers)
    contacts, overflow = plan_contacts(rows, days, cap.contacts_per_day, sunday, tier_order,
                                       config.regions, ranks)
    contact_day = {id(p.row): d for d, planned in contacts.items() for p in planned}
    tasks = WeekTasks(rows, days, sunday, contact_day)
    routine = routine_between(config.routine, monday, sunday, workdays, off)
    shown = sorted({monday + timedelta(days=w) for w in workdays} | {o.date for o in routine})
    day_list = tuple(
        Day(d, d.weekday() in workdays, d < today,
            tuple(o for o in routine if o.date == d),
            tuple(contacts.get(d, ())), cap.contacts_per_day if d in contacts else 0,
            off.off(d), off.why(d), _route_names(contacts.get(d, ())), tasks)
        for d in shown)

    def capacity(week_monday: date) -> int:
        open_days = plan_days(week_monday, week_monday, workdays, off)
        return cap.contacts_per_day * len(open_days)

    week_capacity = cap.contacts_per_day * len(workdays)
    should = sum(len(c) for c in contacts.values()) + len(overflow)
    this_week = WeekLoad(monday, should, 0, cap.contacts_per_day * len(days), current=True)
    later = routine_between(config.routine, sunday + timedelta(days=1), quarter_end(sunday),
                            workdays, off)
    return WeekPlan(monday, today, day_list, overflow,
                    tuple(o for o in later if o.item.every != "week"),
                    lambda: (this_week, *outlook(rows, monday, capacity, len(overflow))),
                    cap.contacts_per_day, week_capacity, tasks)


def _route_names(planned: Iterable[Planned]) -> tuple[str, ...]:
    """The regions of the day's visits, in visiting order, as the first note writes each."""
    names: dict[str, str] = {}
    for p in planned:
        if p.visit and (key := region_key(p.row)):
            names.setdefault(key, " ".join((p.row.note.region or "").split()))
    return tuple(names.values())
