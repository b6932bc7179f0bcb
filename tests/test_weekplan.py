"""The week plan's rules (salesnotes/weekplan.py), tested on rows built in memory."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import PurePosixPath

from conftest import TODAY
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnotes.model.breath import breath_of, money_at_stake
from salesnotes.model.config import Capacity, Config, RoutineItem
from salesnotes.model.portfolio import ZERO, ClientRow
from salesnotes.read.body import Body, Task
from salesnotes.read.note import Note
from salesnotes.reports.week_plan import (
    iso_week,
    monday_of,
    plan_days,
    plan_week,
    priority,
    routine_between,
    should_breathe,
)
from salesnotes.views.weekcal import slugify

MON = date(2026, 11, 30)  # Monday of 2026-W49; TODAY is Friday 2026-11-27
WORKDAYS = (0, 1, 2, 3, 4)
TIERS = ("A", "B", "C")


def config(per_day: int = 3, workdays: tuple[int, ...] = WORKDAYS,
           routine: tuple[RoutineItem, ...] = ()) -> Config:
    return Config(capacity=Capacity(per_day, workdays), routine=routine)


def task(text: str, *, due: date | None = None, scheduled: date | None = None,
         status: str = " ", line: int = 10) -> Task:
    return Task(text, status, due, scheduled, None, None, None, line)


def row(i: int, *, tier: str = "B", status: str = "active", region: str | None = None,
        stake: int = 0, last: date | None = None, next_contact: date | None = None,
        tasks: tuple[Task, ...] = (), today: date = TODAY, cfg: Config | None = None) -> ClientRow:
    note = Note(PurePosixPath(f"clients/c{i:03d}.md"), f"Client {i:03d}", tier=tier,
                status=status, region=region, potential=Decimal(stake) if stake else None,
                last_contact=last, next_contact=next_contact,
                body=Body((), tasks, (), (), ()))
    cadence = (cfg or config()).cadence(tier)
    return ClientRow(note, tier, status, breath_of(note, today, cadence), cadence,
                     money_at_stake(note), ZERO, ZERO)


def names(items) -> list[str]:  # noqa: ANN001
    return [p.row.name for p in items]


# Days and routine ----------------------------------------------------------------------------

def test_plan_days_from_today_in_the_current_week() -> None:
    assert plan_days(monday_of(TODAY), TODAY, WORKDAYS) == (TODAY,)
    assert plan_days(MON, TODAY, WORKDAYS) == tuple(MON + timedelta(days=i) for i in range(5))
    assert plan_days(MON - timedelta(days=14), TODAY, WORKDAYS) == ()
    assert iso_week(MON) == "2026-W49" and iso_week(date(2027, 1, 1)) == "2026-W53"


def test_weekly_routine_and_until() -> None:
    items = (RoutineItem("week", 0, "Review"), RoutineItem("week", 2, "Old", date(2026, 12, 1)),
             RoutineItem("week", 5, "Fair"))
    found = routine_between(items, MON, MON + timedelta(days=6), WORKDAYS)
    assert [(o.date, o.item.task) for o in found] == [(MON, "Review"), (date(2026, 12, 5), "Fair")]


def test_monthly_routine_moves_to_the_next_workday() -> None:
    items = (RoutineItem("month", 29, "Clean-up"), RoutineItem("month", 31, "Close"))
    found = routine_between(items, date(2026, 10, 26), date(2026, 12, 31), WORKDAYS)
    got = [(o.date, o.item.task, o.nominal) for o in found]
    assert (date(2026, 10, 29), "Clean-up", date(2026, 10, 29)) in got
    assert (date(2026, 11, 2), "Close", date(2026, 10, 31)) in got  # Saturday -> Monday
    assert (date(2026, 11, 30), "Clean-up", date(2026, 11, 29)) in got  # Sunday -> Monday
    assert (date(2026, 11, 30), "Close", date(2026, 11, 30)) in got  # 31 -> November's last day
    assert (date(2026, 12, 31), "Close", date(2026, 12, 31)) in got
    assert len(got) == 6


def test_quarterly_routine_follows_calendar_quarters() -> None:
    item = RoutineItem("quarter", 1, "Re-segment")
    found = routine_between((item,), date(2027, 1, 1), date(2028, 1, 31), WORKDAYS)
    assert [o.date for o in found] == [date(2027, 1, 1), date(2027, 4, 1), date(2027, 7, 1),
                                       date(2027, 10, 1), date(2028, 1, 3)]
    assert found[-1].nominal == date(2028, 1, 1) and found[-1].moved


def test_until_compares_the_unmoved_date() -> None:
    item = RoutineItem("month", 1, "Budget", until=date(2026, 11, 1))
    found = routine_between((item,), date(2026, 10, 1), date(2026, 12, 31), WORKDAYS)
    assert [o.date for o in found] == [date(2026, 10, 1), date(2026, 11, 2)]


def test_routine_on_days_before_today_is_listed_but_gets_no_contacts() -> None:
    cfg = config(routine=(RoutineItem("week", 0, "Review"),))
    rows = [row(i, last=TODAY - timedelta(days=60)) for i in range(3)]
    plan = plan_week(rows, cfg, TODAY)
    monday = plan.days[0]
    assert monday.past and [o.item.task for o in monday.routine] == ["Review"]
    assert not monday.contacts and [d.date for d in plan.plan_days] == [TODAY]


# Who, when, in which order -------------------------------------------------------------------

def test_priority_overdue_then_never_then_due() -> None:
    at = MON
    overdue = row(1, last=date(2026, 10, 1), stake=1000)
    never = row(2, stake=900000)
    due = row(3, last=date(2026, 11, 3), stake=500000)  # B: next 2026-12-03
    order = sorted([due, never, overdue], key=lambda r: priority(r, at, TIERS))
    assert [r.name for r in order] == [overdue.name, never.name, due.name]


def test_priority_counts_lateness_in_cadences_and_money() -> None:
    a_late = row(1, tier="A", last=MON - timedelta(days=28), stake=10000)  # 14 days = 1 cadence
    c_late = row(2, tier="C", last=MON - timedelta(days=120), stake=10000)  # 30 days < 1 cadence
    rich = row(3, tier="C", last=MON - timedelta(days=120), stake=90000)
    order = sorted([c_late, a_late, rich], key=lambda r: priority(r, MON, TIERS))
    assert [r.name for r in order] == [rich.name, a_late.name, c_late.name]


def test_never_contacted_by_tier_then_money() -> None:
    rows = [row(1, tier="C", stake=900000), row(2, tier="A", stake=10), row(3, tier="A", stake=50)]
    order = sorted(rows, key=lambda r: priority(r, MON, TIERS))
    assert [r.name for r in order] == ["Client 003", "Client 002", "Client 001"]


def test_who_should_breathe() -> None:
    sunday = MON + timedelta(days=6)
    assert should_breathe(row(1), sunday)  # never contacted
    assert not should_breathe(row(2, next_contact=date(2027, 1, 5)), sunday)  # waits for its date
    assert should_breathe(row(3, last=date(2026, 11, 5)), sunday)  # B: next 2026-12-05
    assert not should_breathe(row(4, last=date(2026, 11, 10)), sunday)  # next 2026-12-10
    assert not should_breathe(row(5, status="lost", last=date(2026, 1, 1)), sunday)


def test_fixed_dates_fill_their_day_up_to_capacity_the_rest_compete() -> None:
    tue = MON + timedelta(days=1)
    rows = [row(i, last=date(2026, 11, 20), next_contact=tue, stake=1000 * i) for i in range(5)]
    rows.append(row(9, status="lost", last=date(2026, 1, 1), next_contact=tue))
    plan = plan_week(rows, config(per_day=3), TODAY, MON)
    day = next(d for d in plan.days if d.date == tue)
    assert len(day.contacts) == 3 and day.fixed == 3 and day.over == 0
    assert sorted(names(day.contacts)) == ["Client 002", "Client 003", "Client 004"]
    elsewhere = [p for d in plan.days if d.date != tue for p in d.contacts]
    assert sorted(names(elsewhere)) == ["Client 000", "Client 001"]  # lost: only on its date
    assert not any(p.fixed for p in elsewhere) and not plan.overflow


def test_a_full_day_of_fixed_dates_keeps_one_route() -> None:
    tue = MON + timedelta(days=1)
    regions = ["Kraków", "Tarnów", "Kraków-Podgórze", "Rzeszów", "Kraków", "Tarnów"]
    rows = [row(i, region=regions[i], last=date(2026, 11, 20), next_contact=tue)
            for i in range(6)]
    plan = plan_week(rows, config(per_day=3), TODAY, MON)
    day = next(d for d in plan.days if d.date == tue)
    assert sorted(p.row.note.region for p in day.contacts) == \
        ["Kraków", "Kraków", "Kraków-Podgórze"]  # the biggest region, then its neighbour
    assert all(p.visit for p in day.contacts) and day.route == ("Kraków", "Kraków-Podgórze")


def test_neighbours_from_the_config_join_a_short_route_and_calls_fill_the_rest() -> None:
    cfg = Config(capacity=Capacity(4, (0,)), regions={"wieliczka": frozenset({"krakow"}),
                                                      "krakow": frozenset({"wieliczka"})})
    regions = ["Kraków", "Kraków", "Wieliczka", "Gdańsk"]
    rows = [row(i, region=regions[i], last=MON - timedelta(days=60), stake=10 - i)
            for i in range(4)]
    plan = plan_week(rows, cfg, TODAY, MON)
    monday = plan.plan_days[0]
    assert [(p.row.note.region, p.visit) for p in monday.contacts] == \
        [("Kraków", True), ("Kraków", True), ("Wieliczka", True), ("Gdańsk", False)]


def test_overflow_holds_the_least_urgent_with_their_money() -> None:
    rows = [row(i, last=MON - timedelta(days=40 + i), stake=1000 * (i + 1)) for i in range(20)]
    plan = plan_week(rows, config(per_day=2), TODAY, MON)
    planned = {p.row.name for p in plan.contacts}
    assert len(planned) == 10 and len(plan.overflow) == 10
    worst = max(priority(r, MON, TIERS) for r in rows if r.name in planned)
    assert all(priority(r, MON, TIERS) > worst for r in plan.overflow)


def test_same_region_on_the_same_day() -> None:
    regions = ["Kraków", "Tarnów"] * 3
    rows = [row(i, region=regions[i], last=MON - timedelta(days=50 + i)) for i in range(6)]
    plan = plan_week(rows, config(per_day=3, workdays=(0, 1)), TODAY, MON)
    for day in plan.plan_days:
        assert len({p.row.note.region for p in day.contacts}) == 1, names(day.contacts)


def test_fixed_visit_pulls_its_region() -> None:
    wed = MON + timedelta(days=2)
    rows = [row(1, region="Łódź", last=date(2026, 11, 20), next_contact=wed),
            row(2, region="łódź ", last=MON - timedelta(days=90)),
            row(3, region="Gdańsk", last=MON - timedelta(days=80))]
    plan = plan_week(rows, config(per_day=3), TODAY, MON)
    by_name = {p.row.name: d.date for d in plan.days for p in d.contacts}
    assert by_name == {"Client 001": wed, "Client 002": wed, "Client 003": MON}


def test_no_plan_day_left_everything_overflows_and_tasks_stay_listed() -> None:
    saturday = TODAY + timedelta(days=1)
    rows = [row(1, last=date(2026, 10, 1), today=saturday,
                tasks=(task("Offer", due=date(2026, 11, 26)),))]
    plan = plan_week(rows, config(), saturday)
    assert not plan.plan_days and [r.name for r in plan.overflow] == ["Client 001"]
    assert [t.task.text for t in plan.unplaced_tasks] == ["Offer"]


# Tasks ---------------------------------------------------------------------------------------

def test_tasks_by_day() -> None:
    tasks = (task("late", due=date(2026, 11, 20)), task("wed", due=MON + timedelta(days=2)),
             task("sched", scheduled=MON + timedelta(days=1), due=date(2026, 12, 20)),
             task("saturday", due=MON + timedelta(days=5)), task("done", due=MON, status="x"),
             task("cancelled", due=MON, status="-"), task("later", due=date(2026, 12, 7)),
             task("undated"))
    plan = plan_week([row(1, last=date(2026, 11, 25), tasks=tasks)], config(), TODAY, MON)
    got = {t.task.text: (t.row.name, d.date, t.late) for d in plan.days for t in d.tasks}
    assert got == {"late": ("Client 001", MON, True),
                   "wed": ("Client 001", MON + timedelta(days=2), False),
                   "sched": ("Client 001", MON + timedelta(days=1), False),
                   "saturday": ("Client 001", MON + timedelta(days=4), False)}


def test_tasks_with_the_same_date_keep_the_order_of_their_note() -> None:
    tasks = (task("second", due=MON, line=7), task("first", due=MON, line=7),
             task("third", due=MON, line=9))  # one line twice: only a hand-made Body does that
    rows = [row(2, last=date(2026, 11, 25), tasks=tasks), row(1, last=date(2026, 11, 25),
                                                          tasks=(task("other", due=MON),))]
    plan = plan_week(rows, config(), TODAY, MON)
    assert [t.task.text for t in plan.days[0].tasks] == ["other", "second", "first", "third"]


# Outlook -------------------------------------------------------------------------------------

def test_outlook_counts_due_and_carries_overflow() -> None:
    rows = [row(i, last=MON - timedelta(days=40)) for i in range(4)]  # overdue B
    rows += [row(10 + i, last=MON + timedelta(days=7 - 30)) for i in range(3)]  # due W50 Monday
    plan = plan_week(rows, config(per_day=1, workdays=(0, 1)), TODAY, MON)
    this, w50, w51 = plan.weeks[:3]
    assert (this.current, this.due, this.capacity, this.over) == (True, 4, 2, True)
    assert (w50.due, w50.carried, w50.capacity, w50.over) == (3, 2, 2, True)
    assert (w51.due, w51.carried) == (0, 3)
    assert len(plan.weeks) == 5


def test_later_routine_to_the_end_of_the_quarter() -> None:
    cfg = config(routine=(RoutineItem("week", 0, "Review"), RoutineItem("month", 25, "Budget"),
                          RoutineItem("quarter", 2, "Segments")))
    plan = plan_week([], cfg, TODAY, MON)  # W49: the rest of December
    assert [(o.date, o.item.task) for o in plan.later_routine] == [(date(2026, 12, 25), "Budget")]
    plan = plan_week([], cfg, date(2026, 9, 1), date(2026, 9, 14))  # Q3 ends with September
    assert [(o.date, o.item.task) for o in plan.later_routine] == [(date(2026, 9, 25), "Budget")]
    plan = plan_week([], cfg, TODAY, date(2026, 12, 28))  # W53 ends in January: Q1 2027
    got = [(o.date, o.item.task) for o in plan.later_routine]
    assert got == [(date(2027, 1, 4), "Segments"),  # Saturday 2 January, moved out of W53
                   (date(2027, 1, 25), "Budget"), (date(2027, 2, 25), "Budget"),
                   (date(2027, 3, 25), "Budget")]
    assert all(o.item.every != "week" for o in plan.later_routine)


def test_slugs_are_ascii_and_stable() -> None:
    assert slugify("Przegląd portfela (Łódź)") == "przeglad-portfela-lodz"
    assert slugify("Ревизия") == "item"


# Properties over generated portfolios --------------------------------------------------------

client = st.fixed_dictionaries({
    "tier": st.sampled_from(TIERS),
    "status": st.sampled_from(("prospect", "active", "dormant", "lost")),
    "region": st.sampled_from((None, "Kraków", "Tarnów", "Łódź", "Gdańsk")),
    "stake": st.integers(0, 500000),
    "last": st.none() | st.integers(-200, 0),
    "next": st.none() | st.integers(-20, 30),
})


@settings(max_examples=150, deadline=None)
@given(clients=st.lists(client, max_size=40), per_day=st.integers(1, 6),
       workdays=st.sets(st.integers(0, 6), min_size=1), weeks_ahead=st.integers(-1, 2),
       today_offset=st.integers(0, 6))
def test_plan_properties(clients: list[dict], per_day: int, workdays: set[int], weeks_ahead: int,
                         today_offset: int) -> None:
    today = date(2026, 11, 23) + timedelta(days=today_offset)
    cfg = config(per_day, tuple(sorted(workdays)))
    rows = [row(i, tier=c["tier"], status=c["status"], region=c["region"], stake=c["stake"],
                last=today + timedelta(days=c["last"]) if c["last"] is not None else None,
                next_contact=today + timedelta(days=c["next"]) if c["next"] is not None else None,
                today=today, cfg=cfg)
            for i, c in enumerate(clients)]
    monday = monday_of(today) + timedelta(weeks=weeks_ahead)
    sunday = monday + timedelta(days=6)
    plan = plan_week(rows, cfg, today, monday)
    plan_dates = {d.date for d in plan.plan_days}
    planned = [p.row.note.path for p in plan.contacts]
    overflow = [r.note.path for r in plan.overflow]

    assert len(planned) == len(set(planned)), "a client planned twice"
    assert not set(planned) & set(overflow), "a client both planned and left out"
    for day in plan.days:
        if day.date not in plan_dates:
            assert not day.contacts
        assert len(day.contacts) <= per_day, "a day over capacity"
        routes = {p.row.note.region for p in day.contacts if p.visit}
        assert all(p.row.note.region for p in day.contacts if p.visit)
        assert len(routes) <= len({p.row.note.region for p in day.contacts})
    full_of_fixed = {d.date for d in plan.days if d.fixed >= per_day}
    for r in rows:
        fixed = r.note.next_contact in plan_dates
        due = r.status != "lost" and (
            (r.breath.next is not None and r.breath.next <= sunday)
            or (r.breath.last is None and r.note.next_contact is None))
        where = [d.date for d in plan.days for p in d.contacts if p.row is r]
        if fixed and r.note.next_contact not in full_of_fixed:
            assert where == [r.note.next_contact], "a fixed next_contact day was moved"
        elif fixed:
            assert where == [r.note.next_contact] or where or r.note.path in overflow \
                or r.status == "lost"
        elif due:
            assert where or r.note.path in overflow, "a due client was dropped"
        else:
            assert not where and r.note.path not in overflow
    if plan.overflow:
        assert all(len(d.contacts) >= per_day for d in plan.plan_days), "a slot left free"
    assert plan.weeks[0].due == len(planned) + len(overflow)


def test_same_rows_same_plan() -> None:
    rows = [row(i, region=("A", "B", None)[i % 3], last=MON - timedelta(days=10 * i),
                stake=1000 * i) for i in range(30)]
    first = plan_week(rows, config(), TODAY, MON)
    again = plan_week(list(reversed(rows)), config(), TODAY, MON)
    assert [(d.date, names(d.contacts)) for d in first.days] == \
        [(d.date, names(d.contacts)) for d in again.days]
