"""The week plan's shortcuts give the plan a plain computation gives: the chosen clients and the
"not this week" order (picked by heapq, not sorted whole), the tasks counted per client (one
pass, no object per task), the task rows and Today's top cut by money before their keys are
made. Each is checked against a straightforward reference written here, on weeks with more due
clients and tasks than the days hold, so the cut matters."""

from __future__ import annotations

import heapq
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from test_weekplan import MON, TIERS, config, row, task

from salesnotes.reports.week_plan import (
    DueTask,
    first,
    place_tasks,
    plan_week,
    priority,
    ranker,
    summarize,
    summarize_tasks,
    task_date,
)
from salesnotes.views.contacts import client_rows, stake_floor

SUNDAY = MON + timedelta(days=6)

client = st.fixed_dictionaries({
    "tier": st.sampled_from((*TIERS, "Z")),  # Z: a tier the config does not list
    "status": st.sampled_from(("active", "active", "prospect", "lost")),
    "region": st.sampled_from((None, "Kraków", "Tarnów")),
    "stake": st.sampled_from((0, 0, 1000, 5000, 250000)),  # few values: many ties
    "last": st.none() | st.integers(1, 120),  # days before the week
    "name": st.integers(0, 3),  # few names: ties go down to the name and the path
})


def make_rows(clients: list[dict]) -> list:
    out = []
    for i, c in enumerate(clients):
        r = row(i, tier=c["tier"], status=c["status"], region=c["region"], stake=c["stake"],
                last=MON - timedelta(days=c["last"]) if c["last"] is not None else None)
        out.append(replace(r, note=replace(r.note, name=f"Client {c['name']}")))
    return out


@settings(max_examples=150, deadline=None)
@given(clients=st.lists(client, min_size=0, max_size=60), per_day=st.integers(1, 3))
def test_the_chosen_and_the_waiting_are_the_plain_sorts(clients: list[dict],
                                                        per_day: int) -> None:
    rows = make_rows(clients)
    plan = plan_week(rows, config(per_day), MON - timedelta(days=3), MON)
    due = [r for r in rows if r.status != "lost" and (
        (r.breath.next is not None and r.breath.next <= SUNDAY) or r.breath.last is None)]
    ordered = sorted(due, key=lambda r: priority(r, MON, TIERS))  # the plain way: sort them all
    free = per_day * 5
    chosen = {id(p.row) for p in plan.contacts}
    assert chosen == {id(r) for r in ordered[:free]}
    assert [id(r) for r in plan.overflow] == [id(r) for r in ordered[free:]]
    assert plan.overflow == tuple(ordered[free:]) and tuple(ordered[free:]) == plan.overflow
    assert len(plan.overflow) == len(ordered[free:])
    assert [id(r) for r in plan.overflow[:3]] == [id(r) for r in ordered[free:free + 3]]
    if plan.overflow:
        assert plan.overflow[0] is ordered[free] and plan.overflow[-1] is ordered[-1]
    assert plan.overflow.stake == sum((r.stake for r in ordered[free:]), 0)


def test_a_cut_through_ties_keeps_the_names_order() -> None:
    """Forty clients alike but for the name: the ten planned are the first by name."""
    rows = [row(i, last=MON - timedelta(days=60)) for i in reversed(range(40))]
    plan = plan_week(rows, config(per_day=2), MON - timedelta(days=3), MON)
    assert sorted(p.row.name for p in plan.contacts) == [f"Client {i:03d}" for i in range(10)]
    assert [r.name for r in plan.overflow[:2]] == ["Client 010", "Client 011"]


@settings(max_examples=150, deadline=None)
@given(clients=st.lists(client, min_size=1, max_size=30), at=st.integers(-3, 10),
       n=st.integers(0, 12))
def test_the_first_by_ranker_are_the_first_by_priority(clients: list[dict], at: int,
                                                       n: int) -> None:
    rows = make_rows(clients)
    day = MON + timedelta(days=at)
    key = ranker(day, TIERS)
    ranked = [(key(r), i, r) for i, r in enumerate(rows)]
    plain = sorted(rows, key=lambda r: priority(r, day, TIERS))
    assert [e[2] for e in first(n, ranked)] == plain[:n]
    assert [e[2] for e in first(len(rows), ranked)] == plain


dated = st.fixed_dictionaries({
    "due": st.none() | st.integers(-20, 9),  # days from Monday; 6 is Sunday
    "scheduled": st.none() | st.integers(-20, 9),
    "status": st.sampled_from((" ", " ", " ", "x", "-", "/")),
    "line": st.integers(5, 8),  # a few lines: ties on date and line too
})


@settings(max_examples=150, deadline=None)
@given(notes=st.lists(st.lists(dated, max_size=8), max_size=8),
       today=st.integers(0, 6), workdays=st.sets(st.integers(0, 6), min_size=1),
       contacted=st.lists(st.integers(0, 7), max_size=4))
def test_tasks_summarized_in_one_pass_as_placed_one_by_one(
        notes: list[list[dict]], today: int, workdays: set[int], contacted: list[int]) -> None:
    rows = [row(i, last=MON - timedelta(days=5), tasks=tuple(
        task(f"t{i}-{k}", status=t["status"], line=t["line"],
             due=MON + timedelta(days=t["due"]) if t["due"] is not None else None,
             scheduled=MON + timedelta(days=t["scheduled"]) if t["scheduled"] is not None
             else None) for k, t in enumerate(ts))) for i, ts in enumerate(notes)]
    days = tuple(d for d in (MON + timedelta(days=w) for w in sorted(workdays))
                 if d >= MON + timedelta(days=today))
    contact_day = {id(rows[i]): days[i % len(days)] for i in contacted if i < len(rows) and days}
    placed, unplaced = place_tasks(rows, days, SUNDAY, contact_day)
    by_day, rest = summarize_tasks(rows, days, SUNDAY, contact_day)
    for day in days:
        assert _plain(by_day.get(day)) == _plain(summarize(placed[day])) == _reference(
            [t for t in _due(rows, days) if _day(t, days, contact_day) == day])
    assert set(by_day) <= set(days)
    assert _plain(rest) == _plain(summarize(unplaced))
    if not days:
        assert _plain(rest) == _reference(_due(rows, days))


def _due(rows: list, days: tuple) -> list[DueTask]:
    first = days[0] if days else SUNDAY + timedelta(days=1)
    return [DueTask(r, t, task_date(t), task_date(t) < first) for r in rows
            for t in r.note.body.tasks if t.open and task_date(t) and task_date(t) <= SUNDAY]


def _day(t: DueTask, days: tuple, contact_day: dict) -> date:
    """The rule, written plainly: late ones on the contact's day, others on the last plan day
    on or before their date."""
    if t.late:
        return contact_day.get(id(t.row), days[0])
    return max((d for d in days if d <= t.when), default=days[0])


def _reference(items: list[DueTask]) -> tuple:
    """Per client: how many, how many late, the earliest (date, line, then the note's order)."""
    out = {}
    for r in {id(t.row): t.row for t in items}.values():
        mine = [t for t in items if t.row is r]
        first = min(mine, key=lambda t: (t.when, t.task.line, r.note.body.tasks.index(t.task)))
        out[r.note.path] = (len(mine), sum(t.late for t in mine), first.task.text, first.when)
    return len(items), sum(t.late for t in items), out


def _plain(summary) -> tuple:  # noqa: ANN001
    if summary is None:
        return 0, 0, {}
    return summary.total, summary.late, {
        c.row.note.path: (c.tasks, c.late, c.first.text, c.when) for c in summary.clients}


@settings(max_examples=100, deadline=None)
@given(stakes=st.lists(st.sampled_from((0, 0, 10, 10, 500, 90000)), max_size=40),
       contacted=st.sets(st.integers(0, 39), max_size=5), rows=st.integers(0, 6))
def test_task_rows_cut_by_money_first(stakes: list[int], contacted: set[int], rows: int) -> None:
    clients = [row(i, stake=s) for i, s in enumerate(stakes)]
    tasks = [DueTask(r, task(f"t{i}", due=MON - timedelta(days=i % 4)),
                     MON - timedelta(days=i % 4), True) for i, r in enumerate(clients)]
    ids = {id(clients[i]) for i in contacted if i < len(clients)}
    got = client_rows(summarize(tasks), ids, rows)
    plain = sorted(tasks, key=lambda t: (id(t.row) not in ids, -t.row.stake, t.when,
                                         str(t.row.note.path)))[:rows]
    assert [g.name for g in got.shown] == [t.row.name for t in plain]
    assert got.more_clients == len(tasks) - len(plain)


def test_stake_floor_is_the_nth_largest_or_none() -> None:
    assert stake_floor([3, 1, 2, 2], 3) == 2
    assert stake_floor([3, 1], 2) < -10**30


def test_today_alone_is_today_after_the_week_plan(make_vault, monkeypatch) -> None:  # noqa: ANN001
    """A forked review may render Today in a process that made no Week plan: same bytes; and
    on a day off Today places no task at all (it shows none)."""
    from test_week_view import config, vault_files

    from salesnotes.load.vault import load_vault
    from salesnotes.model.portfolio import Book
    from salesnotes.reports import week_plan
    from salesnotes.views import available_views, render_one
    from salesnotes.views import week_plan as week_view
    from salesnotes.views.engine import make_env

    root = make_vault(vault_files(), config=config("en"), name="alone")
    vault = load_vault(root, git=False)
    env = make_env(vault.root, "en", "PLN", "markdown")
    views = {v.__name__.rsplit(".", 1)[-1]: v for v in available_views()}
    for day in (date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 30)):
        book = Book.of(vault, day)
        after = [render_one(views[v], book, env, None).files for v in ("week_plan", "today")][1]
        week_view._plans.clear()
        alone = render_one(views["today"], Book.of(vault, day), env, None).files
        assert alone == after and alone["Today.md"]
    counted = []
    monkeypatch.setattr(week_plan, "summarize_tasks", lambda *a: counted.append(a) or ({}, None))
    render_one(views["today"], Book.of(vault, date(2026, 11, 28)), env, None)  # a Saturday
    assert not counted


@settings(max_examples=100, deadline=None)
@given(clients=st.lists(client, max_size=40), called=st.sets(st.integers(0, 39), max_size=4),
       n=st.integers(1, 6))
def test_todays_top_cut_by_money_first(clients: list[dict], called: set[int], n: int) -> None:
    from salesnotes.model.breath import Breath
    from salesnotes.views.today import _richest_out_of_breath

    rows = make_rows(clients)
    ids = {id(rows[i]) for i in called if i < len(rows)}
    key = lambda r: (-r.stake, -(r.breath.days_overdue or 0), r.note.name)  # noqa: E731
    plain = heapq.nsmallest(n, [r for r in rows if r.breath.state in (Breath.OVERDUE, Breath.NEVER)
                                and r.status != "lost" and id(r) not in ids], key=key)
    assert heapq.nsmallest(n, _richest_out_of_breath(rows, ids, n), key=key) == plain


@settings(max_examples=60, deadline=None)
@given(clients=st.lists(client, max_size=40), per_day=st.integers(1, 3))
def test_keys_kept_for_the_next_week_plan_the_same(clients: list[dict], per_day: int) -> None:
    """On a Sunday the week that is over and the next both rank from Monday: the second plan
    reuses the first's keys (views/week_plan.py keeps them with the book) and plans the same."""
    rows = make_rows(clients)
    sunday = MON - timedelta(days=1)
    ranks: dict = {}
    for week in (sunday, MON):
        kept = plan_week(rows, config(per_day), sunday, week, ranks=ranks)
        fresh = plan_week(rows, config(per_day), sunday, week)
        assert [(d.date, [id(p.row) for p in d.contacts]) for d in kept.days] == \
            [(d.date, [id(p.row) for p in d.contacts]) for d in fresh.days]
        assert kept.overflow == fresh.overflow
    assert list(ranks) == [(MON, TIERS)]
