"""Week plan, Dziś and week.ics at 2,000 clients (conftest's vault made by bench/generate.py
once per test session): one screen a day, nobody over capacity, nobody on a holiday,
phone-width tables."""

from __future__ import annotations

import re
from datetime import date

import pytest
from markdown_it import MarkdownIt

from salesnotes.model.portfolio import Book
from salesnotes.views import available_views, render_one
from salesnotes.views.engine import make_env

CHRISTMAS_MONDAY = date(2026, 12, 21)  # W52: 24-26 December are holidays
W53 = date(2026, 12, 28)  # 1 January 2027 is a holiday
HOLIDAYS = ("2026-12-24", "2026-12-25", "2026-12-26", "2027-01-01")
PER_DAY = 8  # the vault template's capacity.contacts_per_day
CONTACT_ROW = re.compile(r"^\| (?:🚗|📞) \d+ \|", re.M)


@pytest.fixture(scope="module")
def big(vault_2000) -> dict[date, dict[str, bytes]]:  # noqa: ANN001 - conftest's session vault
    """Week plan and Dziś only (the other views are tested elsewhere), for W52 and W53."""
    book = Book.of(vault_2000, CHRISTMAS_MONDAY)
    env = make_env(vault_2000.root, "pl", "PLN", "markdown")
    views = [v for v in available_views() if v.__name__.endswith((".week_plan", ".today"))]
    out = {}
    for week in (CHRISTMAS_MONDAY, W53):
        files: dict[str, bytes] = {}
        for view in views:
            rendered = render_one(view, book, env, week)
            assert not rendered.problems
            files.update(rendered.files)
        out[week] = files
    return out


def days(text: str) -> dict[str, str]:
    """Each day's section of the Week plan by `year-month-day` of its heading."""
    out = {}
    for part in text.split("\n## ")[1:]:
        m = re.match(r"\w+, (\d+) (\w+) (\d{4})", part)
        if m:
            out[f"{m[3]}-{m[2]}-{int(m[1]):02d}"] = part
    return out


def table_widths(text: str) -> list[int]:
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    widths, cells = [], 0
    for tok in tokens:
        if tok.type == "tr_open":
            cells = 0
        elif tok.type in ("th_open", "td_open"):
            cells += 1
        elif tok.type == "tr_close":
            widths.append(cells)
    return widths


def test_week_plan_fits_in_60_kb(big: dict) -> None:
    for files in big.values():
        assert len(files["Week plan.md"]) <= 60 * 1024


def test_no_day_over_capacity_and_a_dozen_task_rows(big: dict) -> None:
    for files in big.values():
        sections = days(files["Week plan.md"].decode())
        assert len(sections) >= 5
        for section in sections.values():
            body = section.split("\n## ")[0]
            assert len(CONTACT_ROW.findall(body)) <= PER_DAY
            tasks = body.split("| Klient | Zadania |")
            if len(tasks) > 1:
                rows = [ln for ln in tasks[1].splitlines()[2:] if ln.startswith("| ")]
                assert len(rows) <= 12


def test_no_contacts_on_public_holidays(big: dict) -> None:
    from icalendar import Calendar

    for files in big.values():
        sections = days(files["Week plan.md"].decode())
        for heading in ("2026-grudnia-24", "2026-grudnia-25", "2027-stycznia-01"):
            if heading in sections:
                assert not CONTACT_ROW.search(sections[heading]), heading
                assert "święto, bez kontaktów" in sections[heading]
        events = Calendar.from_ical(files["week.ics"]).walk("VEVENT")
        contact_days = {e.decoded("DTSTART").isoformat() for e in events
                        if "-routine-" not in str(e["UID"])}
        assert contact_days and not contact_days & set(HOLIDAYS)
        routine_days = {e.decoded("DTSTART").isoformat() for e in events
                        if "-routine-" in str(e["UID"])}
        assert not routine_days & set(HOLIDAYS)
    assert {"2026-grudnia-24", "2026-grudnia-25"} <= set(days(
        big[CHRISTMAS_MONDAY]["Week plan.md"].decode()))
    sections = days(big[W53]["Week plan.md"].decode())
    assert "2027-stycznia-01" in sections
    assert "Budżet vs wykonanie (przeniesione z 2027-01-01)" in sections["2026-grudnia-31"]


def test_every_table_fits_a_phone(big: dict) -> None:
    files = big[CHRISTMAS_MONDAY]
    for name in ("Week plan.md", "Dziś.md"):
        widths = table_widths(files[name].decode())
        assert widths and max(widths) <= 5, name


def test_not_this_week_is_a_count_money_and_ten(big: dict) -> None:
    text = big[CHRISTMAS_MONDAY]["Week plan.md"].decode()
    rest = text.split("\n## Nie w tym tygodniu: ")[1].split("\n## ")[0]
    count = int(rest.split(" ")[0])
    rows = re.findall(r"^\| \d+ \|", rest, re.M)
    assert count > 10 and len(rows) == 10
    assert f"Pozostali ({count - 10}) są w [Portfolio](Portfolio.md)" in rest
    assert "Potencjał: **" in rest and "zł**" in rest
