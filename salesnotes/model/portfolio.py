"""The portfolio as the views see it: one row per client for a date, money summed exactly.

Book.of(vault, today) is computed once per review and handed to every view, so "overdue",
"actual this year" and "money at stake" mean the same in Portfolio, Week plan and Budget.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from itertools import repeat
from operator import attrgetter, is_not
from typing import Any, TypeVar

from salesnotes.model.branches import SharedNip, shared_nips
from salesnotes.model.breath import (
    BreathInfo,
    breath_from,
    last_contact,
    money_at_stake,
    urgency_of,
)
from salesnotes.model.vault import Vault
from salesnotes.read.note import Note

ZERO = Decimal(0)
T = TypeVar("T")
_DATE, _AMOUNT, _MARGIN = attrgetter("date"), attrgetter("amount"), attrgetter("margin")
_NOT_NONE = partial(is_not, None)


def add_months(d: date, months: int) -> date:
    """The first of the month `months` after d's month."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def fiscal_year(today: date, start_month: int) -> tuple[date, date]:
    """[start, end) of the fiscal year holding `today`."""
    year = today.year if today.month >= start_month else today.year - 1
    start = date(year, start_month, 1)
    return start, add_months(start, 12)


@dataclass(frozen=True, slots=True)  # one per client: no __dict__ each
class ClientRow:
    note: Note
    tier: str  # a configured tier (unknown tiers fall back to default_tier)
    status: str
    breath: BreathInfo
    cadence: int
    stake: Decimal  # potential, else budget
    actual_ytd: Decimal  # ledger sales this fiscal year up to today; 0 unless it holds its NIP
    margin_ytd: Decimal
    # A NIP's money sits on one note (model/branches.py): its head holds the budget and
    # potential of every note sharing the NIP; the others hold none and name the head here.
    budget: Decimal | None = None
    potential: Decimal | None = None
    counted_on: Note | None = None

    @property
    def name(self) -> str:
        return self.note.name


# Each field's slot, set straight (in C, no __init__ per row): see `_rows`.
_ROW_SLOTS = tuple(getattr(ClientRow, f.name).__set__ for f in fields(ClientRow))


@dataclass(frozen=True)
class Book:
    vault: Vault
    today: date
    fy_start: date
    fy_end: date
    rows: tuple[ClientRow, ...]  # most urgent first
    sales_by_nip: dict[str, tuple]  # nip -> sales of this fiscal year up to today
    unmatched_sales: tuple  # sales whose NIP is no client's
    shared: tuple[SharedNip, ...] = ()  # NIPs held by several notes: counted once, on the head
    ledger_start: date | None = None  # the ledger's first month (or `ledger_start`); None: none
    _once: dict[Callable, Any] = field(default_factory=dict, init=False, repr=False,
                                       compare=False)

    @property
    def config(self):  # noqa: ANN201
        return self.vault.config

    def once(self, fn: Callable[[Book], T]) -> T:
        """`fn(self)`, computed once per book: what several views derive alike (the year's
        sales, each client's budget by month) is then shared, not redone per view."""
        if fn not in self._once:
            self._once[fn] = fn(self)
        return self._once[fn]

    @property
    def sales_from(self) -> date:
        """The first day sales count from: the fiscal year's, or the ledger's start when later
        (months before the ledger have no data, never zero sales)."""
        start = self.ledger_start
        return start if start is not None and start > self.fy_start else self.fy_start

    @property
    def problems(self):  # noqa: ANN201
        return tuple(p for p in self.vault.problems if not p.strict)

    @classmethod
    def of(cls, vault: Vault, today: date) -> Book:
        fy_start, fy_end = fiscal_year(today, vault.config.fiscal_year_start)
        start = ledger_start(vault)
        first = max(fy_start, start) if start else fy_start
        by_nip, unmatched = _sales_of(vault, first, today)
        # each NIP's money summed once, in sale order, by C-level maps (not a generator per note)
        actual = {nip: sum(map(_AMOUNT, sales), ZERO) for nip, sales in by_nip.items()}
        margin = {nip: sum(filter(_NOT_NONE, map(_MARGIN, sales)), ZERO)
                  for nip, sales in by_nip.items()}
        shared = shared_nips(vault.notes)
        head_of = {id(n): s.head for s in shared for n in s.others}
        group_of = {id(s.head): (s.head, *s.others) for s in shared}
        cells: list[tuple] = []  # each row's fields, in ClientRow's order
        order = []  # each row's urgency: sorted by, then let go (a name folded, a Decimal each)
        # a note's tier and cadence depend on its tier as written alone, its status on its
        # status: worked out once each
        by_tier: dict[str | None, tuple[str, int]] = {}
        by_status: dict[str | None, str] = {}
        elsewhere = vault.git_contacts or vault.daily_contacts  # else no note has any
        # A breath depends on (last, next, source) and the date alone: clients alike share
        # one, made once (breath.breath_from), rather than one made for each of 10,000.
        breaths: dict[tuple, BreathInfo] = {}
        steps: dict[int, timedelta] = {}  # cadence -> its timedelta
        for note in vault.notes:
            if (tiered := by_tier.get(note.tier)) is None:
                tiered = by_tier[note.tier] = (vault.tier(note), vault.cadence(note))
            tier, cadence = tiered
            if (status := by_status.get(note.status)) is None:
                status = by_status[note.status] = vault.status(note)
            last, source = (last_contact(note, *vault.outside(note)) if elsewhere
                            else last_contact(note))
            if (nxt := note.next_contact) is None and last is not None:
                if (step := steps.get(cadence)) is None:
                    step = steps[cadence] = timedelta(days=cadence)
                nxt = last + step
            if (info := breaths.get((last, nxt, source))) is None:
                info = breaths[last, nxt, source] = breath_from(last, nxt, source, today)
            stake = money_at_stake(note)
            if not shared:
                head = group = None
            else:
                head, group = head_of.get(id(note)), group_of.get(id(note))
            nip = note.nip if head is None else None
            cells.append((
                note, tier, status, info, cadence, stake,
                actual.get(nip, ZERO) if nip else ZERO, margin.get(nip, ZERO) if nip else ZERO,
                None if head else _summed(group, "budget") if group else note.budget,
                None if head else _summed(group, "potential") if group else note.potential,
                head))
            order.append(urgency_of(info, cadence, stake, note.name))
        rows = _rows(cells)
        ranked = sorted(range(len(rows)), key=order.__getitem__)  # stable: ties keep note order
        return cls(vault, today, fy_start, fy_end, tuple(map(rows.__getitem__, ranked)),
                   {k: tuple(v) for k, v in by_nip.items()}, tuple(unmatched), shared, start)


def _rows(cells: list[tuple]) -> list[ClientRow]:
    """ClientRow(*c) for each of `cells`, made bare and filled a field at a time by C-level
    slot setters (as `ledger.sales_of_columns`): a frozen dataclass's __init__ is a Python
    call and a `object.__setattr__` per field, 11 per client."""
    if not cells:  # no client: no column to fill
        return []
    rows = list(map(object.__new__, repeat(ClientRow, len(cells))))
    for slot, column in zip(_ROW_SLOTS, zip(*cells, strict=True), strict=True):
        deque(map(slot, rows, column), 0)
    return rows


def _sales_of(vault: Vault, first: date, today: date) -> tuple[dict[str, list], list]:
    """The sales from `first` to `today`: by the NIP of a client, and those of no client."""
    by_nip: dict[str, list] = defaultdict(list)
    unmatched = []
    nips = {n.nip for n in vault.notes if n.nip}
    for sale in vault.sales:
        if not first <= sale.date <= today:
            continue
        if sale.nip in nips:
            by_nip[sale.nip].append(sale)
        else:
            unmatched.append(sale)
    return by_nip, unmatched


def ledger_start(vault: Vault) -> date | None:
    """`ledger_start` from the config, else the first month the ledger holds; None without
    either (no ledger: every actual is 0, and the views say so)."""
    if vault.config.ledger_start is not None:
        return vault.config.ledger_start
    return min(map(_DATE, vault.sales)).replace(day=1) if vault.sales else None


def _summed(notes: tuple[Note, ...], key: str) -> Decimal | None:
    """The notes' amounts added up; None when none of them has one."""
    amounts = [a for n in notes if (a := getattr(n, key)) is not None]
    return sum(amounts, ZERO) if amounts else None
