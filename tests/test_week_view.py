"""Week plan.md and week.ics on a 30-client vault: golden files (pl, en), calendar, no tasks."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import GOLDEN, TODAY, check_golden

from salesnotes.load.vault import load_vault
from salesnotes.views import render_views

W49 = date(2026, 11, 30)  # the Monday after TODAY (Friday 2026-11-27)
TASK_LINE = re.compile(r"^\s*[-*] \[.\]", re.M)

ROUTINE = {
    "en": ("Portfolio review", "Weekly report", "Call the old distributor", "Budget vs actual",
           "Pipeline clean-up", "Re-segment the portfolio"),
    "pl": ("Przegląd portfela", "Raport tygodniowy", "Telefon do dawnego dystrybutora",
           "Budżet a wykonanie", "Porządki w lejku", "Nowy podział na segmenty"),
}


def config(locale: str) -> str:
    r = ROUTINE[locale]
    return f"""owner: Jan Kowalski
locale: {locale}
capacity: {{contacts_per_day: 3, workdays: [mon, tue, wed, thu, fri]}}
routine:
  - {{every: week, day: mon, task: {r[0]}}}
  - {{every: week, day: fri, task: {r[1]}}}
  - {{every: week, day: wed, task: {r[2]}, until: 2026-12-01}}
  - {{every: month, day: 1, task: {r[3]}}}
  - {{every: month, day: 29, task: {r[4]}}}
  - {{every: quarter, day: 1, task: {r[5]}}}
"""


# name, tier, status, region, potential, last_contact, next_contact, extra front-matter, body
CLIENTS = [
    ("Hydro-Tech Sp. z o.o.", "A", "active", "Kraków", 240000, "2026-10-20", None,
     'phone: "+48 12 345 67 89"\nemail: zakupy@hydro.example\n',
     "- [ ] Send Q1 offer 📅 2026-11-20\n- [x] Samples delivered ✅ 2026-11-15\n"),
    ("Aqua-Serwis S.A.", "A", "active", "Kraków", 180000, "2026-11-01", None, "", ""),
    ("Termo-Bud", "B", "active", "Kraków", 60000, "2026-10-01", None, "",
     "- [ ] Call about *invoice* | dispute ⏳ 2026-12-03\n"),
    ("Kotłownia Wawel", "C", "active", "Kraków", 20000, "2026-08-01", None, "", ""),
    ("Ciepło-Tarnów", "B", "active", "Tarnów", 90000, "2026-10-10", None,
     'phone: "14 600 00 00"\n', ""),
    ("Tarnowskie Rury", "C", "prospect", "Tarnów", 30000, None, None, "", ""),
    ("Mazowsze Instal", "A", "active", "Warszawa", 300000, "2026-11-20", "2026-12-01",
     "email: biuro@mazowsze.example\n", "- [ ] Prepare the framework contract 📅 2026-12-01\n"),
    ("Stołeczne Pompy", "B", "active", "Warszawa", 75000, "2026-11-02", "2026-12-01", "", ""),
    ("Wola Klima", "B", "active", "Warszawa", 45000, "2026-11-03", "2026-12-01", "", ""),
    ("Praga Serwis", "C", "active", "Warszawa", 15000, "2026-09-01", "2026-12-01", "", ""),
    ("Łódzkie Ciepło", "A", "active", "Łódź", 210000, "2026-11-18", "2026-12-03", "",
     "- [ ] Site visit checklist 📅 2026-12-05\n"),
    ("Manufaktura HVAC", "B", "active", "Łódź", 50000, "2026-11-04", None, "", ""),
    ("Bałtyk Chłodnictwo", "B", "active", "Gdańsk", 120000, None, None, "", ""),
    ("Sopot Wentylacja", "C", "prospect", "Gdańsk", None, None, None, "", ""),
    ("Alfa | Beta Sp. z o.o.", "B", "active", None, 40000, "2026-10-15", None, "",
     "- [ ] Quote [due:: 2026-11-30]\n- [-] Cancelled idea 📅 2026-11-30\n"),
    ("Gamma Trade", "C", "active", None, 10000, "2026-06-01", None, "", ""),
    ("Delta Metal", "C", "dormant", None, 80000, "2026-03-01", None, "", ""),
    ("Epsilon Energia", "A", "active", "Poznań", 150000, "2026-11-19", None, "",
     "- [ ] Follow up on tender 📅 2027-01-15\n"),
    ("Zeta Budownictwo", "B", "active", "Poznań", 35000, "2026-11-01", None, "", ""),
    ("Eta Systemy", "C", "lost", "Poznań", 90000, "2026-01-10", None, "", ""),
    ("Theta Grzanie", "C", "active", "Wrocław", 25000, "2026-11-20", None, "", ""),
    ("Iota Solar", "B", "active", "Wrocław", 65000, "2026-11-10", None, "", ""),
    ("Kappa Klimatyzacja", "A", "active", "Wrocław", 95000, "2026-11-16", None, "", ""),
    ("Lambda Pompy Ciepła", "B", "prospect", None, 55000, None, "2026-12-02", "",
     "- [ ] Send catalogue ⏳ 2026-11-26\n"),
    ("Mi Serwis", "C", "active", None, None, "2026-11-25", None, "", ""),
    ("Ni Instalacje", "B", "active", "Lublin", 70000, "2026-10-31", None, "", ""),
    ("Ksi Ogrzewanie", "C", "active", "Lublin", 12000, "2026-09-01", "2027-01-10", "", ""),
    ("Omikron Chłód", "A", "active", "Lublin", 130000, None, "2027-02-01", "", ""),
    ("Pi Technika", "B", "active", "Kraków", 42000, "2026-11-05", None, "",
     "- [ ] Old task without dates\n"),
    ("Rho Energia", "A", "active", "Kraków", 175000, "2026-11-21", None, "", ""),
]


def note(spec: tuple) -> tuple[str, str]:
    name, tier, status, region, potential, last, nxt, extra, tasks = spec
    lines = [f"name: {name!r}" if "|" in name else f"name: {name}", f"tier: {tier}",
             f"status: {status}"]
    if region:
        lines.append(f"region: {region}")
    if potential is not None:
        lines.append(f"potential: {potential}")
    if last:
        lines.append(f"last_contact: {last}")
    if nxt:
        lines.append(f"next_contact: {nxt}")
    lines.append(f"next_step: Talk to {name.split()[0]} about Q1")
    body = f"# {name}\n\n" + (f"## Tasks\n{tasks}\n" if tasks else "")
    folder = f"clients/{region}/" if region in ("Kraków", "Warszawa") else "clients/"
    fname = name.replace("|", "-").rstrip(".")
    return f"{folder}{fname}.md", "---\n" + "\n".join(lines) + "\n" + extra + "---\n" + body


def vault_files() -> dict[str, str]:
    return dict(note(spec) for spec in CLIENTS)


@pytest.fixture(params=["pl", "en"])
def locale(request: pytest.FixtureRequest) -> str:
    return request.param


def rendered(make_vault, locale: str, week: date | None = None) -> dict[str, bytes]:  # noqa: ANN001
    root = make_vault(vault_files(), config=config(locale), name=f"v-{locale}-{week}")
    out = render_views(load_vault(root, git=False), TODAY, week=week)
    assert not [p for p in out.problems if "Week plan" in str(p.path)], out.problems
    return out.files


@pytest.mark.parametrize("week", [None, W49], ids=["current", "W49"])
def test_golden(make_vault, locale: str, week: date | None, update_golden: bool) -> None:  # noqa: ANN001
    files = rendered(make_vault, locale, week)
    tag = "current" if week is None else "2026-W49"
    check_golden(GOLDEN / "week_plan" / locale / f"{tag}.md", files["Week plan.md"], update_golden)
    check_golden(GOLDEN / "week_plan" / locale / f"{tag}.ics", files["week.ics"], update_golden)


def test_no_task_lines_and_marker(make_vault, locale: str) -> None:  # noqa: ANN001
    text = rendered(make_vault, locale, W49)["Week plan.md"].decode("utf-8")
    assert text.startswith("<!-- generated by salesnotes: do not edit -->\n")
    assert not TASK_LINE.search(text)
    assert "Call about \\*invoice\\* \\| dispute" in text  # task text escaped in its cell


def test_plan_content_w49(make_vault) -> None:  # noqa: ANN001
    text = rendered(make_vault, "en", W49)["Week plan.md"].decode("utf-8")
    tuesday = text.split("## Tuesday")[1].split("\n## ")[0]
    kept = [n for n in ("Mazowsze Instal", "Stołeczne Pompy", "Wola Klima", "Praga Serwis")
            if f"{n}](" in tuesday]
    assert kept == ["Mazowsze Instal", "Stołeczne Pompy", "Wola Klima"]  # fixed, up to capacity
    assert "**Contacts: 3/3** · 🚗 Route: Warszawa (3)" in tuesday
    assert "Praga Serwis" in text.split("## Not this week")[1]  # the fourth competes, and waits
    assert "Budget vs actual" in tuesday
    monday = text.split("## Monday")[1].split("\n## ")[0]
    assert "Pipeline clean-up (moved from 2026-11-29)" in monday
    assert "Prepare the framework contract" in tuesday
    friday = text.split("## Friday")[1].split("\n## ")[0]
    assert "Site visit checklist" in friday  # due Saturday: on Friday's list
    assert "Call the old distributor" not in text.split("## Wednesday")[1].split("\n## ")[0]
    assert "Eta Systemy" not in text  # lost
    assert "Old task without dates" not in text
    assert "Cancelled idea" not in text and "Samples delivered" not in text
    assert "[Alfa \\| Beta Sp. z o.o.](../clients/Alfa%20-%20Beta%20Sp.%20z%20o.o.md)" in text


def test_every_due_client_planned_or_overflowed(make_vault) -> None:  # noqa: ANN001
    text = rendered(make_vault, "en", W49)["Week plan.md"].decode("utf-8")
    plan_part, rest = text.split("## Not this week")
    overflow = rest.split("## Outlook")[0]
    due = ["Hydro-Tech", "Aqua-Serwis", "Termo-Bud", "Kotłownia Wawel", "Ciepło-Tarnów",
           "Tarnowskie Rury", "Bałtyk Chłodnictwo", "Sopot Wentylacja", "Gamma Trade",
           "Delta Metal", "Zeta Budownictwo", "Manufaktura HVAC", "Ni Instalacje",
           "Lambda Pompy", "Pi Technika"]
    for name in due:
        assert (name in plan_part) != (name in overflow), name
    for waiting in ("Omikron Chłód", "Ksi Ogrzewanie", "Theta Grzanie", "Iota Solar",
                    "Mi Serwis", "Eta Systemy"):
        assert waiting not in plan_part and waiting not in overflow


def test_week_ics(make_vault, locale: str) -> None:  # noqa: ANN001
    from icalendar import Calendar

    root = make_vault(vault_files(), config=config(locale), name=f"v-{locale}-2026-11-30")
    first = render_views(load_vault(root, git=False), TODAY, week=W49).files["week.ics"]
    again = render_views(load_vault(root, git=False), TODAY, week=W49).files["week.ics"]
    assert first == again
    assert b"generated by salesnotes: do not edit" in first[:4096]
    assert not first.startswith(b"\xef\xbb\xbf") and b"\r\n" in first
    cal = Calendar.from_ical(first)
    events = cal.walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    owner = f"v-{locale}-2026-11-30"  # the vault folder's name: no calendar_id in the config
    assert f"{owner}-20261130-routine-portfolio-review@salesnotes" in uids or locale == "pl"
    text = render_views(load_vault(root, git=False), TODAY,
                        week=W49).files["Week plan.md"].decode()
    planned = re.findall(r"^\| (?:🚗|📞) \d+ \|", text, re.M)
    contact_events = [e for e in events if "-routine-" not in str(e["UID"])]
    assert len(contact_events) == len(planned) > 0  # one event per planned contact
    prefixes = (f"{owner}-202611", f"{owner}-202612")  # the rep's calendar, then the date
    assert all(str(e["UID"]).startswith(prefixes) for e in contact_events)
    assert f"-//salesnotes//salesnotes//{locale.upper()}" == str(cal["PRODID"])
    for e in events:
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert type(start) is date and (end - start).days == 1
        assert str(e["TRANSP"]) == "TRANSPARENT"
        assert e.decoded("DTSTAMP").isoformat() == "2026-11-27T00:00:00+00:00"
    hydro = next(e for e in contact_events if "Mazowsze Instal" in str(e["SUMMARY"]))
    assert str(e["SUMMARY"]).startswith(("🚗 ", "📞 "))
    assert str(hydro["SUMMARY"]).endswith(": Talk to Mazowsze about Q1")  # client: next step
    assert "biuro@mazowsze.example" in str(hydro["DESCRIPTION"])
    assert "Note: clients/Warszawa/Mazowsze Instal.md" in str(hydro["DESCRIPTION"]) or \
        locale == "pl"
    assert "obsidian://open?vault=" in str(hydro["DESCRIPTION"])
    assert hydro.decoded("DTSTART") == date(2026, 12, 1)


def uids(ics: bytes) -> set[str]:
    from icalendar import Calendar

    return {str(e["UID"]) for e in Calendar.from_ical(ics).walk("VEVENT")}


def test_ics_uids_belong_to_the_rep_the_note_and_the_date(make_vault) -> None:  # noqa: ANN001
    """A re-import updates (same UIDs); two reps' calendars never share one."""
    files = vault_files()
    marta = make_vault(files, config=config("en") + "calendar_id: marta\n", name="a")
    jan = make_vault(files, config=config("en") + "calendar_id: jan\n", name="b")
    same = make_vault(files, config=config("en") + "calendar_id: marta\n", name="c")
    ics = {n: render_views(load_vault(r, git=False), TODAY, week=W49).files["week.ics"]
           for n, r in (("marta", marta), ("jan", jan), ("same", same))}
    assert uids(ics["marta"]) == uids(ics["same"])  # another folder, the same calendar
    assert not uids(ics["marta"]) & uids(ics["jan"])
    assert all(u.startswith("marta-") for u in uids(ics["marta"]))
    files["clients/New One.md"] = "---\nname: New One\ntier: A\n---\n"
    changed = make_vault(files, config=config("en") + "calendar_id: marta\n", name="d")
    after = render_views(load_vault(changed, git=False), TODAY, week=W49).files["week.ics"]
    routine = {u for u in uids(ics["marta"]) if "-routine-" in u}
    assert routine <= uids(after)  # the routine's events are updated in place


def test_current_week_plans_from_today(make_vault) -> None:  # noqa: ANN001
    text = rendered(make_vault, "en")["Week plan.md"].decode("utf-8")
    earlier = text.split("## Earlier this week")[1].split("\n## ")[0]
    assert "- Monday, 2026-11-23: 🔁 Portfolio review" in earlier
    assert "- Wednesday, 2026-11-25: 🔁 Call the old distributor" in earlier
    assert "## Monday" not in text
    friday = text.split("## Friday")[1].split("\n## ")[0]
    assert "**Contacts: 3/3**" in friday
    assert "Send Q1 offer" in friday  # overdue task on the first plan day
    assert "Send catalogue" in friday  # scheduled yesterday: late, on today
