"""The phone-first cells shared by Week plan and Today: tap-to-call links and capped task rows."""

from __future__ import annotations

from datetime import date, timedelta

from test_weekplan import row, task

from salesnotes.reports.week_plan import DueTask
from salesnotes.views.contacts import reach, task_rows

NBSP = "\u00a0"


def test_reach_links_a_dialable_phone_and_a_real_address() -> None:
    assert reach("+48 (12) 345-67-89", "a.b+c@firma.pl") == (
        f"[+48{NBSP}(12){NBSP}345-67-89](tel:+48123456789) · "
        "[a.b+c@firma.pl](mailto:a.b+c@firma.pl)")
    assert reach("ask the secretary", "not an address") == "ask the secretary · not an address"
    assert reach(None, "x|y@a.pl") == "[x\\|y@a.pl](mailto:x%7Cy@a.pl)"  # `|` breaks no cell
    assert reach(" ", None) == ""


def test_task_rows_one_row_per_client_contacted_first_then_money_rest_counted() -> None:
    day = date(2026, 11, 30)
    rows = [row(i, stake=1000 * i) for i in range(20)]
    tasks = [DueTask(r, task(f"t{i}-{k}", due=day - timedelta(days=k), line=k), day - timedelta(
        days=k), k > 0) for i, r in enumerate(rows) for k in range(i % 3 + 1)]
    capped = task_rows(tasks, {id(rows[2])}, rows=5)
    assert [g.name for g in capped.shown] == ["Client 002", "Client 019", "Client 018",
                                              "Client 017", "Client 016"]
    first = capped.shown[0]
    assert (first.tasks, first.late, first.first, first.contacted) == (3, 2, "t2-2", True)
    assert capped.more_clients == 15
    assert capped.more_tasks == len(tasks) - sum(g.tasks for g in capped.shown)


def test_calendar_owner_keeps_two_reps_apart_whatever_their_alphabet() -> None:
    from salesnotes.views.weekcal import calendar_owner

    assert calendar_owner("marta") == "marta"
    assert calendar_owner("Марта") != calendar_owner("Ревизия")
    assert calendar_owner("Marta Nowak") != calendar_owner("marta-nowak")
    assert calendar_owner("Łucja").startswith("lucja-")
