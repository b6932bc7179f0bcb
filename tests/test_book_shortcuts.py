"""Book.of's shortcuts held to the plain computation: a breath shared by the clients alike
(`breath_from` once per (last, next, source)) and the urgency key with an int weight for due
and ok clients (`urgency_of`) give what `breath_of` and `urgency` give for every client."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from salesnotes.load.vault import load_vault
from salesnotes.model.breath import (
    Breath,
    BreathInfo,
    breath_of,
    money_at_stake,
    urgency,
    urgency_of,
)
from salesnotes.model.portfolio import Book, ClientRow

days = st.dates(min_value=date(2026, 10, 1), max_value=date(2027, 2, 1))
infos = st.builds(
    BreathInfo, st.sampled_from(list(Breath)), st.none() | days, st.none() | days,
    st.none() | st.integers(0, 400), st.sampled_from([None, "log", "git"]))
clients = st.tuples(infos, st.integers(0, 120),
                    st.decimals(0, 10**6, places=2, allow_nan=False, allow_infinity=False),
                    st.sampled_from(["Ala", "ala", "Ąla", "Bolek", "bolek ", "Zenon"]))


@settings(max_examples=120, deadline=None)
@given(st.lists(clients, max_size=20))
def test_urgency_of_sorts_as_urgency(rows):
    def plain(r: tuple) -> tuple:
        info, cadence, stake, name = r
        return urgency(SimpleNamespace(name=name), info, cadence, stake)  # type: ignore[arg-type]

    def fast(r: tuple) -> tuple:
        return urgency_of(*r)

    ranked = sorted(range(len(rows)), key=lambda i: fast(rows[i]))
    assert ranked == sorted(range(len(rows)), key=lambda i: plain(rows[i]))


def test_every_row_has_the_breath_breath_of_gives(make_vault):
    notes = {}
    for i in range(40):
        lines = [f"name: Client {i}", f"tier: {'ABC'[i % 3]}"]
        if i % 4:
            lines.append(f"last_contact: {date(2026, 9, 1) + timedelta(days=(i * 7) % 80)}")
        if i % 5 == 0:
            lines.append(f"next_contact: {date(2026, 11, 1) + timedelta(days=i)}")
        if i % 7 == 0:
            lines.append(f"potential: {1000 * i}")
        logged = date(2026, 10, 1) + timedelta(days=i)
        body = f"\n## Log\n- {logged} phone: called\n" if i % 6 == 0 else ""
        notes[f"clients/C{i}.md"] = "---\n" + "\n".join(lines) + "\n---\n" + body
    vault = load_vault(make_vault(notes), git=False)
    today = date(2026, 11, 30)
    book = Book.of(vault, today)
    by_path = {row.note.path: row for row in book.rows}
    assert len(by_path) == 40
    for note in vault.notes:
        row = by_path[note.path]
        assert row.breath == breath_of(note, today, vault.cadence(note), *vault.outside(note))
    plain = sorted(vault.notes, key=lambda n: urgency(
        n, breath_of(n, today, vault.cadence(n)), vault.cadence(n)))
    assert [r.note for r in book.rows] == plain
    assert len({r.breath.state for r in book.rows}) >= 3  # the vault holds several breaths
    assert Decimal(0) in {r.stake for r in book.rows}
    assert {"log", "front-matter", None} <= {r.breath.last_source for r in book.rows}
    # rows made bare and filled by slot (portfolio._rows) hold each field where it belongs
    for row in book.rows:
        note = row.note
        assert isinstance(row, ClientRow)
        assert (row.tier, row.status, row.cadence) == (vault.tier(note), vault.status(note),
                                                       vault.cadence(note))
        assert (row.stake, row.actual_ytd, row.margin_ytd) == (money_at_stake(note), 0, 0)
        assert (row.budget, row.potential, row.counted_on) == (note.budget, note.potential, None)


def test_a_vault_without_clients_has_a_book_without_rows(make_vault):
    vault = load_vault(make_vault({}), git=False)
    assert vault.notes == () and Book.of(vault, date(2026, 11, 30)).rows == ()
