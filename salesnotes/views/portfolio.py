"""Portfolio.md: every client at once, who is out of breath, and where the money sits.

The Monday question is "what do I do next, and where is the money". Everything is computed
here (counts, shares, gaps, weighted values), so the template only lays it out and the numbers
are tested in Python. Long lists are cut to their most important rows: the map above them
still shows every client, so nobody disappears, and the file stays readable with 2,000 clients.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import compress
from operator import attrgetter, itemgetter
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from salesnotes.errors import Problem
from salesnotes.i18n import Labels
from salesnotes.model.branches import SharedNip
from salesnotes.model.breath import Breath
from salesnotes.model.money import to_grosz
from salesnotes.model.portfolio import ZERO, Book, ClientRow
from salesnotes.read.body import Opportunity
from salesnotes.reports.budget import opportunities, row_budgets
from salesnotes.views import treemap
from salesnotes.views.reach import reach

FILENAME = "Portfolio.md"
TEMPLATE = "Portfolio.md"
SVG_FILENAME = treemap.FILENAME
MAP_COLUMNS = 5  # clients per map row: 500 clients make 100 short rows
MAP_NAME_CHARS = 32  # longer names are cut on the map (the link still opens the note)
LIST_LIMIT = 25  # rows of a ranked list; the rest are counted, and all are on the map
DO_NOW_LIMIT = 10  # "Do now": what fits the first screen with the headline and the tiers
COMPETITOR_CLIENTS = 5  # clients named per competitor
EXPECTED_DAYS = 90
EXPECTED_LIMIT = 40
PROBLEM_LIMIT = 50
BREATHS = (Breath.OVERDUE, Breath.NEVER, Breath.DUE, Breath.OK)  # the legend's order: worst first
STATUS_ORDER = ("active", "prospect", "dormant", "lost")
_LOOKS = {b: (b.glyph, b.value) for b in Breath}  # the enum's properties, read once not per client
OVERDUE, NEVER = Breath.OVERDUE.value, Breath.NEVER.value


# Client and Purchase are named tuples, not dataclasses: one per client (and opportunity),
# and a tuple is built three times faster in a third of the memory.
class Client(NamedTuple):
    """One client as a template sees it; `path` and `name` make it work with the `link` filter."""

    path: PurePosixPath
    name: str
    glyph: str
    breath: str  # ok | due | overdue | never (also a label key: `t[c.breath]`)
    tier: str
    status: str  # also a label key
    region: str | None
    stake: Decimal
    potential: Decimal | None
    budget: Decimal | None
    actual_ytd: Decimal
    last: date | None
    next: date | None
    days_overdue: int
    next_step: str | None
    competitor: str | None
    phone: str | None

    # `short` and `gap` are made when read, not kept: a cut name and a Decimal per client
    # were ~17 MB at 100,000 clients (ARCHITECTURE.md, speed: memory); the map reads each
    # client's short name once, the gap list each gap a few times
    @property
    def short(self) -> str:
        """The name cut for the map."""
        name = self.name
        return name if len(name) <= MAP_NAME_CHARS else name[: MAP_NAME_CHARS - 1].rstrip() + "…"

    @property
    def gap(self) -> Decimal:
        """Potential - actual this year, never below zero."""
        potential, actual = self.potential, self.actual_ytd
        return potential - actual if potential and potential > actual else ZERO

    @property
    def reach(self) -> str:
        """Markdown: the phone as a `tel:` link (Week plan's and Today's cell). Made when a
        template asks: "Do now" prints ten of them, the map none of its 10,000 clients'."""
        return reach(self.phone, None) if self.phone else ""


@dataclass(frozen=True)
class Count:
    key: str  # a breath or a status: also its label key
    glyph: str
    count: int
    share: Decimal  # of all clients, 0..1


@dataclass(frozen=True)
class TierSummary:
    name: str
    count: int
    breaths: dict[str, int]  # breath -> count
    potential: Decimal
    actual_ytd: Decimal


@dataclass(frozen=True)
class TierMap:
    name: str
    count: int
    breaths: tuple[Count, ...]  # only the breaths present in the tier
    # MAP_COLUMNS cells each, padded with None; a breath starts a new row, so colours form blocks
    rows: tuple[tuple[Client | None, ...], ...]


class Headline(NamedTuple):
    """The money behind the red and the grey: what a week without calls puts at risk."""

    at_risk: Decimal  # money at stake of the overdue and never-contacted clients
    stake: Decimal  # of every client
    share: Decimal  # at_risk / stake, 0..1


class Ranked(NamedTuple):
    """The first rows of a ranked list, and how many more there are."""

    rows: tuple[Any, ...]
    total: int
    more: int
    amount: Decimal = ZERO  # the list's total, over every row (not only the shown ones)


@dataclass(frozen=True)
class CompetitorGroup:
    name: str
    count: int
    potential: Decimal
    clients: tuple[Client, ...]
    more: int


class Purchase(NamedTuple):
    client: Client
    name: str
    close: date | None
    stage: str | None
    value: Decimal | None
    probability: Decimal
    weighted: Decimal | None


class Expected(NamedTuple):
    start: date
    end: date
    purchases: Ranked
    value: Decimal
    weighted: Decimal
    slipped: Ranked  # opportunities whose close month has passed: update or drop them


class Revenue(NamedTuple):
    start: date  # the fiscal year's first day, or the ledger's when it starts later
    actual: Decimal  # every sale this fiscal year up to today, matched to a client or not
    unmatched: Decimal
    unmatched_count: int
    budget_year: Decimal  # the sum of the clients' `budget`
    budget_to_date: Decimal  # its share due by today, by the seasonality weights
    attainment: Decimal | None  # actual / budget to date
    undeclared: tuple[SharedNip, ...] = ()  # NIPs in several notes without `branch:`


class ProblemRow(NamedTuple):
    path: PurePosixPath
    name: str  # `path:line` as the link text
    message: str


def context(book: Book) -> dict[str, Any]:
    clients = [_client(row) for row in book.rows]
    by_tier = _by_tier(clients, list(book.config.tiers))
    return {
        "today": book.today,
        "total": len(clients),
        "svg": SVG_FILENAME,
        "breaths": _breath_counts(clients),
        "headline": _headline(clients),
        "do_now": do_now(clients),
        "statuses": _status_counts(clients),
        "tiers": tuple(_tier_summary(t, group) for t, group in by_tier.items()),
        "totals": _tier_summary("", clients),
        "revenue": revenue(book),
        "columns": MAP_COLUMNS,
        "map": _tier_maps(by_tier),
        "overdue": _ranked([c for c in clients if c.breath == OVERDUE]),
        "never": _ranked([c for c in clients if c.breath == NEVER]),
        "gaps": _gaps(clients),
        "dormant": _dormant(clients),
        "competitors": _ranked(competitor_groups(clients)),
        "expected": expected_purchases(book, _client),
        "problems": _problems(book.problems, Labels(book.config.locale)),
    }


# The picture: treemap.py's own, so that a process rendering the picture alone imports
# treemap.py and not this module (views/render.py, LIGHT_PARTS).
extra_files = treemap.extra_files


def _client(row: ClientRow) -> Client:
    note, info = row.note, row.breath
    name = _name(note.name)
    glyph, breath = _LOOKS[info.state]
    competitor = note.competitor
    return _tuple(Client, (note.path, name, glyph, breath, row.tier, row.status,
                           note.region, row.stake, row.potential, row.budget, row.actual_ytd,
                           info.last, info.next, info.days_overdue or 0, note.next_step,
                           (" ".join(competitor.split()) or None) if competitor else None,
                           note.phone))


_tuple = tuple.__new__  # a Client made without its Python-level __new__: one per client


def _name(text: str) -> str:
    """A client's name on one line, as the views show it: the note's own string when it needs
    no change, not a copy per client (100,000 at once)."""
    name = " ".join(text.split())
    return text if name == text else name


def _share(part: int, whole: int) -> Decimal:
    return Decimal(part) / whole if whole else ZERO


# a client's fields read in C by map(), not by a generator: 10,000 clients, a dozen passes
_BREATH, _STATUS, _STAKE = attrgetter("breath"), attrgetter("status"), attrgetter("stake")
_ACTUAL, _GAP = attrgetter("actual_ytd"), attrgetter("gap")
_DUE = itemgetter(2)  # of a row's budget: (by month, for the year, due by today)


def _breath_counts(clients: list[Client]) -> tuple[Count, ...]:
    counts = Counter(map(_BREATH, clients))
    return tuple(Count(b.value, b.glyph, counts[b.value], _share(counts[b.value], len(clients)))
                 for b in BREATHS)


def _headline(clients: list[Client]) -> Headline:
    at_risk = sum([c.stake for c in clients if c.breath in (OVERDUE, NEVER)], ZERO)
    stake = sum(map(_STAKE, clients), ZERO)
    return Headline(at_risk, stake, at_risk / stake if stake else ZERO)


def do_now(clients: list[Client]) -> Ranked:
    """The calls most worth making this week: out of breath or never contacted, the most money
    first (then the longest delay). Lost clients are left to the lists below: a call there is
    a win-back, not this week's routine. `amount` is the money behind the whole list."""
    rows = [c for c in clients if c.breath in (OVERDUE, NEVER) and c.status != "lost"]
    return _ranked(rows, DO_NOW_LIMIT, amount=sum(map(_STAKE, rows), ZERO),
                   key=lambda c: (-c.stake, -c.days_overdue, c.name.casefold(), str(c.path)),
                   lead=lambda c: -c.stake)


def _status_counts(clients: list[Client]) -> tuple[Count, ...]:
    counts = Counter(map(_STATUS, clients))
    return tuple(Count(s, "", counts[s], _share(counts[s], len(clients)))
                 for s in STATUS_ORDER if counts[s])


def _tier_summary(name: str, clients: list[Client]) -> TierSummary:
    counts = Counter(map(_BREATH, clients))
    return TierSummary(name, len(clients), {b.value: counts[b.value] for b in BREATHS},
                       sum([c.potential for c in clients if c.potential is not None], ZERO),
                       sum(map(_ACTUAL, clients), ZERO))


def _by_tier(clients: list[Client], tiers: list[str]) -> dict[str, list[Client]]:
    groups: dict[str, list[Client]] = {t: [] for t in tiers}
    for c in clients:
        groups.setdefault(c.tier, []).append(c)
    return groups


def _tier_maps(by_tier: dict[str, list[Client]]) -> tuple[TierMap, ...]:
    """Per tier, per breath (worst first), each breath from a new row: the colours form blocks
    instead of confetti. Within a breath the book's order holds (most urgent first)."""
    maps = []
    for tier, group in by_tier.items():
        if not group:
            continue
        by_breath: dict[str, list[Client | None]] = {b.value: [] for b in BREATHS}
        for c in group:
            by_breath[c.breath].append(c)
        rows: list[tuple[Client | None, ...]] = []
        for cells in by_breath.values():
            cells += [None] * (-len(cells) % MAP_COLUMNS)
            rows.extend(tuple(cells[i:i + MAP_COLUMNS]) for i in range(0, len(cells), MAP_COLUMNS))
        breaths = tuple(c for c in _breath_counts(group) if c.count)
        maps.append(TierMap(tier, len(group), breaths, tuple(rows)))
    return tuple(maps)


def _ranked(rows: list[Any], limit: int = LIST_LIMIT, amount: Decimal = ZERO,
            key: Callable[[Any], Any] | None = None,
            lead: Callable[[Any], Any] | None = None) -> Ranked:
    """The first `limit` rows, in `key` order when given: only those are sorted (nsmallest is
    sorted()[:limit], ties included), since a list of 10,000 shows 25. `lead`, the start of
    `key` (its first item), makes that quicker: only the rows whose lead is among the `limit`
    smallest can be among the first, so the whole key (casefolded names) is made for those."""
    if key is None:
        first = rows[:limit]
    else:
        first = heapq.nsmallest(limit, _contenders(rows, limit, lead) if lead else rows, key=key)
    return Ranked(tuple(first), len(rows), max(0, len(rows) - limit), amount)


def _contenders(rows: list[Any], limit: int, lead: Callable[[Any], Any]) -> list[Any]:
    """The rows that may be among the `limit` first by a key starting with `lead`, in their
    order: a row whose lead is above the limit-th smallest has `limit` rows before it."""
    if len(rows) <= limit or limit < 1:
        return rows if limit > 0 else []
    leads = list(map(lead, rows))
    cut = heapq.nsmallest(limit, leads)[-1]
    return [row for row, first in zip(rows, leads, strict=True) if first <= cut]


def _gaps(clients: list[Client]) -> Ranked:
    """The largest potential not yet bought this year: where the next money is."""
    gaps = list(map(_GAP, clients))  # each client's gap made once here
    rows = list(compress(clients, map(ZERO.__lt__, gaps)))
    return _ranked(rows, amount=sum(filter(ZERO.__lt__, gaps), ZERO),
                   key=lambda c: (-c.gap, c.name.casefold()), lead=lambda c: -c.gap)


def _dormant(clients: list[Client]) -> Ranked:
    rows = [c for c in clients if c.status == "dormant" and (c.potential or ZERO) > 0]
    return _ranked(rows, amount=sum([c.potential or ZERO for c in rows], ZERO),
                   key=lambda c: (-(c.potential or ZERO), c.name.casefold()),
                   lead=lambda c: -(c.potential or ZERO))


def competitor_groups(clients: list[Client]) -> list[CompetitorGroup]:
    """Clients served by a competitor, per competitor (spellings differing in case are one)."""
    groups: dict[str, list[Client]] = defaultdict(list)
    for c in clients:
        if c.competitor:
            groups[c.competitor.casefold()].append(c)
    out = []
    for members in groups.values():
        spelled = Counter(c.competitor for c in members)
        name = min(spelled, key=lambda s: (-spelled[s], s))
        members.sort(key=lambda c: (-(c.potential or ZERO), c.name.casefold()))
        out.append(CompetitorGroup(name, len(members),  # type: ignore[arg-type]
                                   sum((c.potential or ZERO for c in members), ZERO),
                                   tuple(members[:COMPETITOR_CLIENTS]),
                                   max(0, len(members) - COMPETITOR_CLIENTS)))
    out.sort(key=lambda g: (-g.potential, -g.count, g.name.casefold()))
    return out


def expected_purchases(book: Book, client: Callable[[ClientRow], Client]) -> Expected:
    """Opportunities closing from this month to today + 90 days; `client` makes a row's
    Client, asked only for the rows that may be listed (no map of every row to its Client).

    A close written as a month (`2026-12`) is read as its first day, so "this month" counts from
    the first of today's month; an earlier close has slipped and is listed apart. 10,000
    clients have thousands of them: a Purchase is made only for the rows shown.
    """
    start = book.today.replace(day=1)
    end = book.today + timedelta(days=EXPECTED_DAYS)
    due: list[tuple[date, Decimal, ClientRow, Opportunity, Decimal | None, Decimal | None]] = []
    slipped: list[tuple[date, ClientRow, Opportunity, Decimal | None]] = []
    for row, opp, weighted in opportunities(book):
        close = opp.close
        if close is None or close > end:  # neither listed: skip their rounding
            continue
        if close >= start:
            value = to_grosz(opp.value) if opp.value is not None else None
            due.append((close, -value if value else ZERO, row, opp, value, weighted))
        else:
            slipped.append((close, row, opp, weighted))

    def purchase(row: ClientRow, opp: Opportunity, weighted: Decimal | None) -> Purchase:
        value = to_grosz(opp.value) if opp.value is not None else None
        return Purchase(client(row), opp.name, opp.close, opp.stage, value,
                        opp.probability, weighted)

    # (close, -value) leads the order; names are folded only for the contenders (closes
    # are months: a thousand and more of them tie at 10,000 clients), from the name alone,
    # not from a whole Client made for each
    first_due = heapq.nsmallest(EXPECTED_LIMIT, _contenders(due, EXPECTED_LIMIT, _close_value),
                                key=lambda d: (d[0], d[1], _name(d[2].note.name).casefold(),
                                               d[3].name))
    first_slipped = heapq.nsmallest(LIST_LIMIT, _contenders(slipped, LIST_LIMIT, _close),
                                    key=lambda d: (d[0], _name(d[1].note.name).casefold(),
                                                   d[2].name))
    return Expected(
        start, end,
        Ranked(tuple(purchase(d[2], d[3], d[5]) for d in first_due), len(due),
               max(0, len(due) - EXPECTED_LIMIT)),
        sum([d[4] for d in due if d[4] is not None], ZERO),
        sum([d[5] for d in due if d[5] is not None], ZERO),
        Ranked(tuple(purchase(*d[1:]) for d in first_slipped), len(slipped),
               max(0, len(slipped) - LIST_LIMIT)))


_close_value = itemgetter(0, 1)
_close = itemgetter(0)


def revenue(book: Book) -> Revenue | None:
    """Revenue this fiscal year against the budget due by today; None without a ledger."""
    if not book.vault.sales:
        return None
    matched = sum(map(_ACTUAL, book.rows), ZERO)
    unmatched = sum((s.amount for s in book.unmatched_sales), ZERO)
    budget_year = sum([r.budget for r in book.rows if r.budget is not None], ZERO)
    due = sum(map(_DUE, row_budgets(book)), ZERO)
    actual = matched + unmatched
    return Revenue(book.sales_from, actual, unmatched, len(book.unmatched_sales), budget_year, due,
                   actual / due if due else None,
                   tuple(s for s in book.shared if not s.declared))


def _problems(problems: tuple[Problem, ...], t: Labels) -> Ranked:
    """The first problems in words (a broken vault may hold thousands), and how many more."""
    rows = [ProblemRow(p.path, f"{p.path}:{p.line}", p.text(t)) for p in problems[:PROBLEM_LIMIT]]
    return Ranked(tuple(rows), len(problems), max(0, len(problems) - PROBLEM_LIMIT))
