"""Plainly written front matter is edited without asking ruamel.yaml: the shortcut must never
let through a text that ruamel (YAML 1.2) would read with other keys or other places, nor a
bare date that ruamel would not read as that date."""

from __future__ import annotations

from datetime import date
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesnotes.edit import yamlspans
from salesnotes.edit.contactlog import contact_edit, make_contact
from salesnotes.edit.editor import NoteText
from salesnotes.errors import Refused

PROPERTY = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# the characters where YAML readers part: indicators, quotes, escapes, spaces, line breaks
# other than '\n', a BOM, letters beyond ASCII and typographic quotes
HOSTILE = st.text(st.sampled_from(list("aZ9 _-:#,[]{}'\"\\&*!|>%@`?.()/+=\t\r\x85\u2028"
                                       "\u2029\ufeffłż„”…\u00a0\x07")), max_size=8)
FRIENDLY = st.text(st.sampled_from(list("aZ9 _-.,()/+@:#'\"łż„”")), max_size=8)
CLEAN = st.text(st.sampled_from(list("aZ9 -.,()/łż„”")), min_size=1, max_size=8)
PIECES = st.one_of(CLEAN, CLEAN, CLEAN, CLEAN.map('"{}"'.format), CLEAN.map("'{}'".format),
                   FRIENDLY, HOSTILE)
KEYS = st.sampled_from(["name", "tier", "tags", "next_step", "nip", "on", "kraków", "a-b"])


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """Lines shaped like a note's (key lines, list items, comments), filled with the
    troublesome pieces: many are plain, many almost so."""
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        shape = draw(st.sampled_from(["key"] * 4 + ["flow", "block", "comment", "blank", "raw"]))
        key, value = draw(KEYS), draw(PIECES)
        if shape == "key":
            lines.append(f"{key}: {value}{draw(st.sampled_from(['', '  # why', ' ']))}")
        elif shape == "flow":
            items = draw(st.lists(PIECES, max_size=3))
            lines.append(f"{key}: [{', '.join(items)}]")
        elif shape == "block":
            indent = draw(st.sampled_from(["", "  ", "    "]))
            lines.append(f"{key}:")
            lines += [f"{indent}- {item}" for item in draw(st.lists(PIECES, max_size=3))]
        elif shape == "comment":
            lines.append(f"{draw(st.sampled_from(['', '  ']))}# {value}")
        elif shape == "blank":
            lines.append("")
        else:
            lines.append(value)
    return "".join(line + "\n" for line in lines)


def _ruamel_keys(text: str) -> list[tuple[str, int]]:
    root = yamlspans.ruamel().compose(text)
    return [] if root is None else [(k.value, k.start_mark.index) for k, _ in root.value]


@PROPERTY
@given(front_matter())
def test_plainly_written_front_matter_is_read_alike_by_ruamel(text: str) -> None:
    """Whenever the shortcut skips ruamel, ruamel would have found the same keys at the same
    places (the cross-check it replaces)."""
    if not yamlspans.plainly_agreed(text):
        return
    try:
        entries = yamlspans.parse_front_matter(text)
    except Refused:  # libyaml refuses it: no edit reaches the cross-check
        return
    assert _ruamel_keys(text) == [(e.key, e.key_index) for e in entries]


@PROPERTY
@given(st.dates(), st.sampled_from(["", "  # booked", " ", "   #x: y"]))
def test_a_bare_iso_date_is_that_date_to_ruamel_too(day: date, tail: str) -> None:
    loaded = yamlspans.ruamel().load(f"next_contact: {day.isoformat()}{tail}\n")
    assert type(loaded["next_contact"]) is date and loaded["next_contact"] == day


def test_the_shortcut_takes_what_notes_are_made_of() -> None:
    plain = ("name: Spółdzielnia „Zielone Wzgórze” (Tarnów 3)\nnip: \"6769023069\"\n"
             "tier: C  # why\ntags: [hvac, kraków]\naliases:\n  - Hydro\n  - HT\n\n# card\n"
             "email: biuro@example.pl\nsite: https://example.pl/a\nphone: '+48 12 345'\n"
             "last_contact: 2026-05-24\nchecklists: []\nx:\n")
    assert yamlspans.plainly_agreed(plain)
    for odd in ("a: b\n  c\n", "a: {x: 1}\n", "a: x\tc\n", 'a: "x\\"y"\n', "a: b:\n",
                "a: x: y\n", "tags:\n  - a\n   - b\n", "a: |\n  x\n", "a: x\u2028\n",
                "a: &x b\n", "a: [x,\n  y]\n", "- a\n", "a: 'it''s'\n", "a: @x\n"):
        assert not yamlspans.plainly_agreed(odd), odd


@pytest.fixture
def ruamel_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each use of ruamel by the editor, by what it was asked."""
    calls: list[str] = []
    real = yamlspans.ruamel()

    class Spy:
        def compose(self, text: str) -> object:
            calls.append("compose")
            return real.compose(text)

        def load(self, text: str) -> object:
            calls.append("load")
            return real.load(text)

    monkeypatch.setattr(yamlspans, "ruamel", lambda: Spy())
    monkeypatch.setattr("salesnotes.edit.yamltokens.ruamel", lambda: Spy())
    return calls


NOTE = ("---\nname: Hydro\ntier: A\nlast_contact: 2026-11-18  # visit\n"
        "next_contact: 2026-11-20\n{extra}---\n## Log\n")
TODAY = date(2026, 11, 27)


def _log(text: str) -> str:
    note = NoteText(text.encode())
    contact = make_contact("Called", "phone", TODAY, None, today=TODAY)
    contact_edit(PurePosixPath("clients/x.md"), contact, today=TODAY, cadence_days=14)(note)
    return note.to_bytes().decode()


def test_a_log_on_a_plain_note_asks_no_ruamel(ruamel_calls: list[str]) -> None:
    out = _log(NOTE.format(extra=""))
    assert "last_contact: 2026-11-27  # visit\nnext_contact: 2026-12-11\n" in out
    assert ruamel_calls == []


def test_a_log_on_a_note_not_plainly_written_is_cross_checked_by_ruamel(
        ruamel_calls: list[str]) -> None:
    out = _log(NOTE.format(extra="address:\n  city: Kraków\n"))
    assert "last_contact: 2026-11-27  # visit\n" in out and "  city: Kraków\n" in out
    assert ruamel_calls.count("compose") == 2  # the note as read, and the edit's result


def test_a_quoted_date_is_read_back_by_ruamel(ruamel_calls: list[str]) -> None:
    out = _log(NOTE.format(extra="").replace("2026-11-18", '"2026-11-18"'))
    assert 'last_contact: "2026-11-27"  # visit' in out
    assert "load" in ruamel_calls


def test_the_plain_rule_costs_linear_time_on_a_hostile_line() -> None:
    for line in ("a: [" + "x " * 50_000 + ",\n", "a: " + "x " * 50_000 + ":\n"):
        assert not yamlspans.plainly_agreed(line)


def test_a_plain_note_is_edited_byte_for_byte(tmp_path: Path) -> None:
    text = NOTE.format(extra="tags: [a, b]   # kept\n")
    out = _log(text)
    assert out.replace("2026-11-27  # visit", "2026-11-18  # visit").replace(
        "next_contact: 2026-12-11", "next_contact: 2026-11-20").replace(
        "## Log\n- 2026-11-27 phone: Called\n", "## Log\n") == text
