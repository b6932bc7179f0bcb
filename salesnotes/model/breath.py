"""A client's breath for a date, exactly as README.md defines it, and how urgent it is.

Pure functions of the note, the date, the cadence and the git contact date; every view and
`status` use these, so "overdue" means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a type only: the review's summary shows glyphs without the note reader
    from salesnotes.read.note import Note

DUE_WINDOW_DAYS = 7


class Breath(str, Enum):  # noqa: UP042 - a StrEnum prints 'ok' where this prints 'Breath.OK'
    OK = "ok"
    DUE = "due"
    OVERDUE = "overdue"
    NEVER = "never"

    @property
    def glyph(self) -> str:
        return {"ok": "🟢", "due": "🟡", "overdue": "🔴", "never": "⚪"}[self.value]


@dataclass(frozen=True, slots=True)  # one per client: no __dict__ each
class BreathInfo:
    state: Breath
    last: date | None
    next: date | None
    days_overdue: int | None  # None when there is no next contact at all
    last_source: str | None  # front-matter | log | git | daily


def last_contact(note: Note, git_last: date | None = None,
                 daily_last: date | None = None) -> tuple[date | None, str | None]:
    """The newest of `last_contact`, the `## Log`, `contact:` commits and daily notes: a contact
    counts wherever it was written (on a tie, the first of these names the source)."""
    newest = note.last_contact
    source: str | None = None if newest is None else "front-matter"
    log = note.body.log
    if log:  # a strictly newer date names its source: on a tie the earlier one stays
        logged = max([e.date for e in log])
        if newest is None or logged > newest:
            newest, source = logged, "log"
    if git_last is not None and (newest is None or git_last > newest):
        newest, source = git_last, "git"
    if daily_last is not None and (newest is None or daily_last > newest):
        newest, source = daily_last, "daily"
    return newest, source


def breath_of(note: Note, today: date, cadence_days: int, git_last: date | None = None,
              daily_last: date | None = None) -> BreathInfo:
    last, source = last_contact(note, git_last, daily_last)
    nxt = note.next_contact or (last + timedelta(days=cadence_days) if last else None)
    return breath_from(last, nxt, source, today)


def breath_from(last: date | None, nxt: date | None, source: str | None,
                today: date) -> BreathInfo:
    """The breath of a client last contacted on `last` (told by `source`) and next due on
    `nxt`: all a breath depends on but the date, so a book shares one per (last, nxt, source)."""
    overdue = max(0, (today - nxt).days) if nxt else None
    if last is None:
        state = Breath.NEVER
    elif nxt is not None and nxt < today:
        state = Breath.OVERDUE
    elif nxt is not None and (nxt - today).days <= DUE_WINDOW_DAYS:
        state = Breath.DUE
    else:
        state = Breath.OK
    return BreathInfo(state, last, nxt, overdue, source)


def money_at_stake(note: Note) -> Decimal:
    """What the client is worth a year: its potential, else its budget."""
    return note.potential or note.budget or Decimal(0)


_RANK = {Breath.OVERDUE: 0, Breath.NEVER: 1, Breath.DUE: 2, Breath.OK: 3}


def urgency_of(info: BreathInfo, cadence_days: int, stake: Decimal, name: str
               ) -> tuple[int, Decimal | int, str]:
    """`urgency`, sorting the same: a due or ok client's weight is its next date's day number
    as an int rather than a Decimal (equal values, and ranks never mix their weights), which
    a book of 10,000 clients makes and compares faster."""
    state = info.state
    if state is Breath.OVERDUE:
        return 0, -((stake + 1000) * (1 + Decimal(info.days_overdue or 0)
                                      / max(cadence_days, 1))), name.casefold()
    if state is Breath.NEVER:
        return 1, -stake, name.casefold()
    return _RANK[state], (info.next - date.min).days if info.next else 0, name.casefold()


def urgency(note: Note, info: BreathInfo, cadence_days: int,
            stake: Decimal | None = None) -> tuple[int, Decimal, str]:
    """Sort key, most urgent first: overdue by money x lateness, then never, due, ok.

    Lateness is measured in cadences, so an A client 14 days late weighs like a C client 90
    days late; money at stake multiplies it, so a big client slips up the list sooner.
    `stake`: the note's money at stake, when the caller has it already.
    """
    if stake is None:
        stake = money_at_stake(note)
    rank = _RANK[info.state]
    if info.state is Breath.OVERDUE:
        weight = (stake + 1000) * (1 + Decimal(info.days_overdue or 0) / max(cadence_days, 1))
    elif info.state is Breath.NEVER:
        weight = stake
    else:
        weight = -Decimal((info.next - date.min).days) if info.next else Decimal(0)
    return rank, -weight, note.name.casefold()
