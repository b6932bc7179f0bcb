"""One rep's figures for a date, from the same Book, Budget and Pay the rep's own views use.

Nothing is recomputed here by a rule of its own: breath comes from `Book.of`, budget and actual
to date from `year_to_date` (the total row of the rep's Budget.md, without the rest of that
view), commission from `pay_year` (their Pay.md). So a manager and a rep never argue about
whose number is right.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from salesnotes.model.breath import Breath
from salesnotes.model.portfolio import Book
from salesnotes.model.vault import Vault
from salesnotes.reports.budget import year_to_date
from salesnotes.reports.pay import pay_year

ZERO = Decimal(0)
OUT_OF_BREATH = (Breath.OVERDUE, Breath.NEVER)


class Client(NamedTuple):
    """A named tuple: 100,000 of them are kept between runs, and tuples unpickle fastest."""

    rep: str
    name: str
    path: str  # in the rep's vault
    nip: str | None
    breath: Breath
    days_overdue: int | None
    stake: Decimal
    last: date | None


@dataclass(frozen=True)
class RepFigures:
    rep: str
    currency: str
    clients: int
    counts: dict[Breath, int]
    at_stake: Decimal  # money at stake of the clients out of breath (overdue or never)
    budget_ytd: Decimal
    actual_ytd: Decimal
    attainment: Decimal | None
    commission: Decimal | None  # this period's, by the rep's own pay plan; None without one
    problems: int  # broken notes and other problems the rep's `check` would list
    out_of_breath: tuple[Client, ...]  # by money at stake, most first
    members: tuple[Client, ...]  # every client, in the rep's order of urgency

    @property
    def holdings(self) -> tuple[Client, ...]:
        """The clients with a NIP: what territory conflicts compare."""
        return tuple(c for c in self.members if c.nip)


def figures_of(rep: str, vault: Vault, today: date) -> RepFigures:
    book = Book.of(vault, today)
    counts = {b: 0 for b in Breath}
    clients = []
    for row in book.rows:
        counts[row.breath.state] += 1
        clients.append(Client(rep, row.name, str(row.note.path), row.note.nip, row.breath.state,
                              row.breath.days_overdue, row.stake, row.breath.last))
    out = sorted((c for c in clients if c.breath in OUT_OF_BREATH),
                 key=lambda c: (-c.stake, c.name.casefold()))
    due, actual, attained = year_to_date(book)
    pay = pay_year(book)
    earned = pay.current.commission if pay is not None else None
    return RepFigures(
        rep, vault.config.currency, len(book.rows), counts, sum((c.stake for c in out), ZERO),
        due, actual, attained,
        earned.amount if earned is not None else (ZERO if pay is not None else None),
        len(book.problems), tuple(out), tuple(clients))


def owned_by(vault: Vault, owner: str) -> Vault:
    """The part of a shared vault that is one rep's: their notes, and the sales of those NIPs."""
    wanted = owner.casefold().strip()
    notes = tuple(n for n in vault.notes if (n.owner or "").casefold().strip() == wanted)
    nips = {n.nip for n in notes if n.nip}
    paths = {str(n.path) for n in notes}
    return replace(vault, notes=notes, sales=tuple(s for s in vault.sales if s.nip in nips),
                   problems=tuple(p for p in vault.problems if str(p.path) in paths),
                   git_contacts={p: d for p, d in vault.git_contacts.items() if p in paths},
                   daily_contacts={p: d for p, d in vault.daily_contacts.items() if p in paths})
