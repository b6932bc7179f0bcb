"""Days off: Polish public holidays (the `holidays` package) and `days_off:` in salesnotes.yaml
get no contacts; a routine falling on one moves to the workday before."""

from __future__ import annotations

from datetime import date, timedelta

from conftest import TODAY
from test_weekplan import MON, config, names, row

from salesnotes.local import store as local
from salesnotes.local.holidays import STORE, polish_holidays
from salesnotes.model.config import RoutineItem, load_config
from salesnotes.model.daysoff import DaysOff
from salesnotes.reports.week_plan import plan_week, routine_between

W52 = date(2026, 12, 21)
WORKDAYS = (0, 1, 2, 3, 4)


def test_polish_holidays_include_christmas_eve_and_are_kept(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    import salesnotes.local.holidays as store

    (tmp_path / "ro").write_text("a file: no folder can be made here", encoding="utf-8")
    monkeypatch.setattr(store, "INSTALL_STORE", tmp_path / "ro" / "cache" / "holidays.json")
    monkeypatch.setattr(store, "_memo", {})
    days = polish_holidays([2026, 2027], "pl", tmp_path)
    assert days[date(2026, 12, 24)] == "Wigilia Bożego Narodzenia"
    assert {date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)} <= set(days)
    assert date(2026, 12, 23) not in days
    assert local.path(tmp_path, STORE).is_file()  # an install that cannot keep them: the vault does
    assert polish_holidays([2027], "en", tmp_path)[date(2027, 1, 1)] == "New Year's Day"


def test_days_off_config_dates_ranges_and_a_wrong_one_named_by_line(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "salesnotes.yaml").write_text(
        "owner: X\ndays_off:\n  - 2026-12-28\n  - 2027-02-15..2027-02-19\n  - 2027-02-30\n"
        "  - 2027-03-05..2027-03-01\ncalendar_id: marta\n", encoding="utf-8")
    cfg, problems = load_config(tmp_path)
    assert cfg.days_off == {date(2026, 12, 28)} | {date(2027, 2, d) for d in range(15, 20)}
    assert cfg.calendar_id == "marta"
    assert [(p.line, p.message.split(":")[0]) for p in problems] == \
        [(5, "days_off"), (6, "days_off")]
    assert "2027-03-05..2027-03-01" in problems[1].message


def test_holidays_and_leave_get_no_contacts() -> None:
    off = DaysOff({date(2026, 12, 24): "Wigilia", date(2026, 12, 25): "Boże Narodzenie"},
                  frozenset({date(2026, 12, 21)}))
    rows = [row(i, last=W52 - timedelta(days=60 + i)) for i in range(20)]
    plan = plan_week(rows, config(per_day=3), date(2026, 12, 18), W52, off)
    assert [d.date.day for d in plan.plan_days] == [22, 23]
    for day in plan.days:
        assert bool(day.contacts) == (day.date.day in (22, 23))
    assert next(d for d in plan.days if d.date.day == 24).holiday == "Wigilia"
    assert len(plan.overflow) == 20 - 6
    assert plan.weeks[0].capacity == 6


def test_a_fixed_date_on_a_day_off_is_spread_like_any_other() -> None:
    off = DaysOff({}, frozenset({MON + timedelta(days=1)}))
    rows = [row(1, last=date(2026, 11, 20), next_contact=MON + timedelta(days=1))]
    plan = plan_week(rows, config(per_day=3), TODAY, MON, off)
    assert [(d.date, names(d.contacts)) for d in plan.days if d.contacts] == \
        [(MON, ["Client 001"])]


def test_routine_on_a_day_off_moves_to_the_workday_before() -> None:
    off = DaysOff({date(2026, 12, 25): "Boże Narodzenie", date(2027, 1, 1): "Nowy Rok"},
                  frozenset(date(2027, 2, d) for d in range(15, 20)))
    routine = (RoutineItem("week", 4, "Weekly report"), RoutineItem("month", 1, "Budget"),
               RoutineItem("week", 0, "Review"))
    found = routine_between(routine, date(2026, 12, 21), date(2027, 2, 19), WORKDAYS, off)
    got = {(o.item.task, o.nominal): o.date for o in found}
    assert got[("Weekly report", date(2026, 12, 25))] == date(2026, 12, 24)  # not a holiday here
    assert got[("Budget", date(2027, 1, 1))] == date(2026, 12, 31)
    assert got[("Review", date(2027, 2, 15))] == date(2027, 2, 12)  # the Friday before leave
    assert ("Weekly report", date(2027, 2, 19)) not in got  # the same Friday: listed once
    assert sum(1 for o in found if o.date == date(2027, 2, 12)) == 2
    assert not [o for o in found if off.off(o.date)]


def test_with_no_days_off_the_routine_is_unchanged() -> None:
    routine = (RoutineItem("month", 1, "Budget"),)
    found = routine_between(routine, date(2027, 5, 1), date(2027, 5, 31), WORKDAYS)
    assert [(o.nominal, o.date) for o in found] == [(date(2027, 5, 1), date(2027, 5, 3))]


def test_a_wrong_day_off_reaches_the_user_as_path_line_message(make_vault, run) -> None:  # noqa: ANN001
    root = make_vault(config="owner: X\ndays_off: [2026-12-28, 2027-13-01]\n")
    result = run("check", "--vault", str(root))
    assert result.exit_code == 1
    assert "salesnotes.yaml:2: days_off: " in result.stderr and "2027-13-01" in result.stderr
    assert "Traceback" not in result.stderr
