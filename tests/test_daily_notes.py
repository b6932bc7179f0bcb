"""Daily notes count as contacts: a `YYYY-MM-DD.md` linking to a client, except from a plan."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from salesnotes.model.breath import last_contact
from salesnotes.read.daily import daily_date, link_targets
from salesnotes.read.note import read_note

HYDRO = ("---\nname: Hydro-Tech Sp. z o.o.\nnip: \"5260250274\"\ntier: A\naliases: [Hydro]\n"
         "last_contact: 2026-10-01\n---\n# Hydro-Tech\n")
BAUMAX = "---\nname: Baumax\ntier: B\n---\n# Baumax\n"
HYDRO_FILE = "clients/Kraków/Hydro-Tech Sp. z o.o..md"


def test_link_targets_follow_obsidian_links_and_skip_plans():
    text = (
        "# 2026-11-28\n"
        "- called [[Hydro-Tech Sp. z o.o.|Hydro]] about the offer\n"
        "- [x] visited [Baumax](../clients/Baumax%20Sp.%20z%20o.o..md#Log)\n"
        "- [ ] call [[Plan Co]] tomorrow\n"
        "- [-] cancelled [[Cancelled Co]]\n"
        "```\n[[In Code]]\n```\n"
        "<!-- [[In A Comment]] -->\n"
        "see [site](https://example.com/x.md) and [[Kraków/Żabka#Tasks]] and ![[chart.svg]]\n"
    )
    assert link_targets(text) == [
        ("Hydro-Tech Sp. z o.o.", "called [[Hydro-Tech Sp. z o.o.|Hydro]] about the offer"),
        ("../clients/Baumax Sp. z o.o..md",
         "visited [Baumax](../clients/Baumax%20Sp.%20z%20o.o..md#Log)"),
        ("Kraków/Żabka", "see [site](https://example.com/x.md) and [[Kraków/Żabka#Tasks]] and "
                          "![[chart.svg]]"),
        ("chart.svg", "see [site](https://example.com/x.md) and [[Kraków/Żabka#Tasks]] and "
                      "![[chart.svg]]"),
    ]
    assert daily_date("2026-11-28.md") == date(2026, 11, 28)
    assert daily_date("2026-02-30.md") is None and daily_date("2026-11-28 notes.md") is None


def _status(run, root) -> dict[str, dict]:
    out = run("status", "--json", "--vault", str(root))
    return {r["name"]: r for r in json.loads(out.stdout)["clients"]}


def test_a_daily_note_link_is_a_contact_for_breath_and_history(make_vault, run):
    root = make_vault({
        HYDRO_FILE: HYDRO, "clients/Baumax.md": BAUMAX,
        "journal/2026-11-20.md": "- [[Hydro-Tech Sp. z o.o.]] phoned back about prices\n",
        "2026-11-25.md": ("- [x] visited [the plant](clients/Kraków/Hydro-Tech%20Sp.%20z%20o.o..md)"
                          "\n- [ ] call [[Baumax]] on Monday\n"),
        "2026-12-01.md": "- [[Baumax]] (a note for next week: after --today, a plan)\n",
        "clients/2026-11-26.md": "---\nname: Dated Client\n---\n[[Baumax]]\n",
        "views/2026-11-26.md": "[[Baumax]]\n",
    })
    rows = _status(run, root)
    hydro = rows["Hydro-Tech Sp. z o.o."]
    assert (hydro["last_contact"], hydro["next_contact"], hydro["breath"]) == (
        "2026-11-25", "2026-12-09", "ok")  # the newest daily note + the A cadence (14 days)
    assert rows["Baumax"]["breath"] == "never"  # a plan, a future note, clients/ and views/
    history = json.loads(run("history", "hydro", "--json", "--vault", str(root)).stdout)
    assert [(c["date"], c["source"], c["text"]) for c in history["contacts"]] == [
        ("2026-11-25", "daily",
         "visited [the plant](clients/Kraków/Hydro-Tech%20Sp.%20z%20o.o..md)"),
        ("2026-11-20", "daily", "[[Hydro-Tech Sp. z o.o.]] phoned back about prices")]
    assert history["contacts"][0]["sources"] == ["daily:2026-11-25.md"]


def test_by_alias_and_only_in_the_configured_folder(make_vault, run):
    config = "owner: Jan\nlocale: en\ndaily_notes: Daily\n"
    root = make_vault({HYDRO_FILE: HYDRO, "clients/Baumax.md": BAUMAX,
                       "Daily/2026/2026-11-24.md": "- lunch with [[Hydro]]\n",
                       "2026-11-26.md": "- [[Baumax]]\n"}, config=config)
    rows = _status(run, root)
    assert rows["Hydro-Tech Sp. z o.o."]["last_contact"] == "2026-11-24"
    assert rows["Baumax"]["breath"] == "never"  # outside the daily_notes folder


def test_review_sees_a_new_daily_note_and_remembers_links(make_vault, run):
    root = make_vault({HYDRO_FILE: HYDRO})
    assert run("review", "--no-commit", "--vault", str(root)).exit_code == 0
    before = (root / "views" / "Portfolio.md").read_text(encoding="utf-8")
    (root / "2026-11-26.md").write_text("Called [[Hydro-Tech Sp. z o.o.]]\n", encoding="utf-8")
    again = run("review", "--no-commit", "--vault", str(root))
    assert "nothing changed since the last review" not in again.stdout
    assert (root / "views" / "Portfolio.md").read_text(encoding="utf-8") != before
    assert _status(run, root)["Hydro-Tech Sp. z o.o."]["last_contact"] == "2026-11-26"
    cache = json.loads((root / ".salesnotes" / "daily-links.json").read_text(encoding="utf-8"))
    assert cache["files"]["2026-11-26.md"][2] == [["Hydro-Tech Sp. z o.o.",
                                                   "Called [[Hydro-Tech Sp. z o.o.]]"]]


dates = st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 12, 31)))


@given(front=dates, log=dates, git=dates, daily=dates)
def test_last_contact_is_the_newest_wherever_it_was_written(front, log, git, daily):
    text = "---\nname: X\n" + (f"last_contact: {front}\n" if front else "") + "---\n"
    if log:
        text += f"## Log\n- {log} phone: called\n- {log - timedelta(days=3)} email: sent\n"
    note = read_note(PurePosixPath("clients/X.md"), text.encode(), summary=True).note
    assert note is not None
    last, source = last_contact(note, git, daily)
    written = [d for d in (front, log, git, daily) if d is not None]
    assert last == (max(written) if written else None)
    assert (source is None) == (last is None)
