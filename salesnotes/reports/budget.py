"""The revenue budget of one fiscal year: plan vs actual vs forecast, by month, tier and client.

A rep earns what they could only with a budget table per client, so every number here is exact
(Decimal, half-up to the grosz) and every total is the sum of the rows shown above it.

Definitions (the view explains them in words, pay.py builds on them):
- A client's yearly `budget` is spread over the fiscal months by `seasonality`; the weights are
  indexed by *fiscal* month (the first weight is the month `fiscal_year_start`). Month i gets
  budget x weight[i] / sum(weights), rounded cumulatively: month i = round(cumulative to i) -
  round(cumulative to i-1), so the 12 months sum exactly to the yearly budget, no month is more
  than a grosz off its exact share, and a month of weight 0 gets exactly 0.
- The ledger starts at its first month (or `ledger_start`): months before it have no data, not
  zero sales, so every to-date figure (actual, budget, attainment, run rate) counts from it.
- Actual: ledger sales dated from the start of the fiscal year (or the ledger) up to `today`.
- Budget to date: the months before this one (from the ledger's start), plus this month pro rata
  by calendar days.
- Forecast of a month: its actual, plus (from the current month on) every opportunity closing
  in it, weighted by its probability. Opportunities whose close month has passed are not
  forecast; they are listed as stale, to be updated.
"""

from __future__ import annotations

import calendar
import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple, cast

from salesnotes.model.branches import SharedNip
from salesnotes.model.breath import Breath
from salesnotes.model.money import GROSZ, to_grosz
from salesnotes.model.portfolio import Book, ClientRow, add_months
from salesnotes.read.body import Opportunity

ZERO = Decimal(0)
MONTHS = 12
_GLYPHS = {b: b.glyph for b in Breath}  # the enum's property makes a dict per call
STALE_SHOWN = 20


def exact(*values: object) -> None:
    """Refuse a float before it can reach money: binary rounding must never touch pay."""
    for value in values:
        if isinstance(value, float):
            raise TypeError("money must be Decimal, never float")


def spread(yearly: Decimal, weights: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """The yearly amount over the months by weight, cumulatively rounded to the grosz."""
    exact(yearly, *weights)  # before the cache: 1.0 == Decimal(1) there
    return _spread(yearly, tuple(weights))


def _spread(yearly: Decimal, weights: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    cumulative, total = _cumulative_weights(weights)
    out, shown = [], ZERO
    for upto_weight in cumulative:
        upto = (yearly * upto_weight / total).quantize(GROSZ, rounding=ROUND_HALF_UP)
        out.append(upto - shown)
        shown = upto
    return tuple(out)


@lru_cache(maxsize=16)
def _cumulative_weights(weights: tuple[Decimal, ...]) -> tuple[tuple[Decimal, ...], Decimal]:
    """Running sums of the weights and their total: computed once per review, not per client."""
    running, out = ZERO, []
    for weight in weights:
        running += weight
        out.append(running)
    if running <= 0:
        raise ValueError("seasonality weights must not all be zero")
    return tuple(out), running


def fiscal_months(fy_start: date) -> tuple[date, ...]:
    """The first day of each of the 12 fiscal months."""
    return tuple(add_months(fy_start, i) for i in range(MONTHS))


def month_index(fy_start: date, day: date) -> int:
    """0 for the fiscal year's first month ... 11 for its last."""
    return (day.year - fy_start.year) * 12 + day.month - fy_start.month


def pro_rata(amount: Decimal, day: date) -> Decimal:
    """The part of a month's amount due by `day` (inclusive), by calendar days."""
    days = calendar.monthrange(day.year, day.month)[1]
    return to_grosz(amount * day.day / days)


def fy_sales(book: Book) -> tuple:
    """Every ledger sale of this fiscal year up to today, matched to a client or not (once per
    book: Budget and Pay both read them)."""
    return book.once(_fy_sales)


def _fy_sales(book: Book) -> tuple:
    # the ledger's own order is (date, document) already, which makes this sort a single pass
    first = book.sales_from
    fy = (s for s in book.vault.sales if first <= s.date <= book.today)
    return tuple(sorted(fy, key=lambda s: (s.date, s.document)))


def sales_by_month(book: Book) -> dict[int, Decimal]:
    """Fiscal month index -> the year's sales in it (once per book: Budget and Pay read it)."""
    return book.once(_sales_by_month)


def _sales_by_month(book: Book) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for sale in fy_sales(book):
        exact(sale.amount)
        i = month_index(book.fy_start, sale.date)
        out[i] = out.get(i, ZERO) + sale.amount
    return out


def budget_to_date(yearly: Decimal, weights: Sequence[Decimal], fy_start: date,
                   today: date, first: int = 0) -> Decimal:
    """The part of a yearly budget due by `today`: whole fiscal months before today's (from
    fiscal month `first`, where the ledger starts), and today's month by its days gone.
    Portfolio and Budget both use this, so they agree."""
    exact(yearly, *weights)
    return _planned(yearly, tuple(weights), fy_start, today, first)[2]


@lru_cache(maxsize=8192)
def _planned(yearly: Decimal, weights: tuple[Decimal, ...], fy_start: date,
             today: date, first: int = 0) -> tuple[tuple[Decimal, ...], Decimal, Decimal]:
    """(by fiscal month, for the year, due by today from fiscal month `first`) of one yearly
    budget.

    Cached because budgets repeat (round amounts); the result depends on the amount's value
    only, never its exponent (every part is rounded to the grosz), so `150000` and `150000.00`
    rightly share an entry."""
    monthly = _spread(yearly, weights)
    cur = month_index(fy_start, today)
    now = pro_rata(monthly[cur], today) if cur >= first else ZERO
    return monthly, sum(monthly, ZERO), sum(monthly[first:cur], ZERO) + now


def first_month(book: Book) -> int:
    """The fiscal index of the first month with data: 0, or where the ledger starts (12 when it
    starts after this fiscal year)."""
    return max(0, min(MONTHS, month_index(book.fy_start, book.sales_from)))


def row_budgets(book: Book) -> tuple[tuple[tuple[Decimal, ...], Decimal, Decimal], ...]:
    """Each book row's budget as (by fiscal month, for the year, due by today), once per book:
    Portfolio, Budget and Pay all read them. A row without a budget has zeros."""
    return book.once(_row_budgets)


def _row_budgets(book: Book) -> tuple[tuple[tuple[Decimal, ...], Decimal, Decimal], ...]:
    weights = tuple(book.config.seasonality)
    exact(*weights)
    first = first_month(book)
    none = ((ZERO,) * MONTHS, ZERO, ZERO)
    # by amount: the lru key of `_planned` hashes twelve weights, a dict one Decimal
    planned: dict[Decimal, tuple[tuple[Decimal, ...], Decimal, Decimal]] = {}
    out = []
    for row in book.rows:
        yearly = row.budget  # a NIP's budget, on the note its sales are counted on
        if yearly:
            parts = planned.get(yearly)
            if parts is None:
                exact(yearly)
                parts = planned[yearly] = _planned(yearly, weights, book.fy_start, book.today,
                                                   first)
            out.append(parts)
        else:
            out.append(none)
    return tuple(out)


def budget_by_month(book: Book) -> tuple[Decimal, ...]:
    """The portfolio's budget per fiscal month: the sum of every client's rounded spread."""
    return book.once(_budget_by_month)


def _budget_by_month(book: Book) -> tuple[Decimal, ...]:
    # Rows of one amount share one spread (the same tuple): added as spread x count. Decimal
    # sums and products of grosz amounts are exact, so this is what adding row by row gave.
    count: dict[int, list] = {}
    for parts in row_budgets(book):
        seen = count.get(id(parts))
        if seen is None:
            count[id(parts)] = [parts[0], 1]
        else:
            seen[1] += 1
    if not count:
        return (ZERO,) * MONTHS
    return tuple(sum((month[i] * n for month, n in count.values()), ZERO) for i in range(MONTHS))


def attainment(actual: Decimal, budget: Decimal) -> Decimal | None:
    return actual / budget if budget > 0 else None


class MonthRow(NamedTuple):
    month: date
    budget: Decimal
    actual: Decimal | None  # None for months still to come
    attainment: Decimal | None
    cum_budget: Decimal
    cum_actual: Decimal | None
    cum_attainment: Decimal | None
    forecast: Decimal
    current: bool
    no_data: bool = False  # before the ledger starts: no actual, not a zero one


# A named tuple, not a dataclass: one per client, and a tuple is built three times faster.
class ClientBudget(NamedTuple):
    """One client's year. Attainment, gap and forecast are worked out when read, not kept:
    three Decimals a client were ~30 MB at 100,000 clients (ARCHITECTURE.md, speed: memory),
    and each is read once or twice (a sort key, a table cell, a subtotal)."""

    row: ClientRow
    budget: Decimal  # yearly; 0 when the note has none
    to_date: Decimal
    actual: Decimal
    ahead: Decimal  # weighted opportunities closing from this month to year end
    monthly: tuple[Decimal, ...]  # the budget spread over the fiscal months
    glyph: str  # the client's breath, as the other views show it

    @property
    def attainment(self) -> Decimal | None:
        return self.actual / self.to_date if self.to_date > 0 else None

    @property
    def gap(self) -> Decimal:
        """Budget to date - actual to date: > 0 is behind."""
        return self.to_date - self.actual

    @property
    def forecast(self) -> Decimal:
        """Actual + weighted opportunities closing from this month to year end."""
        return self.actual + self.ahead


class Subtotal(NamedTuple):
    label: str  # a tier name; "" for sales of no client note; "*" for the total
    clients: int
    budget: Decimal
    to_date: Decimal
    actual: Decimal
    attainment: Decimal | None
    gap: Decimal
    forecast: Decimal


@dataclass(frozen=True)
class Unmatched:
    nip: str | None
    client: str
    amount: Decimal
    count: int


class Stale(NamedTuple):
    row: ClientRow
    name: str
    close: date
    value: Decimal | None  # as written; None: no value (the weighted one is estimated)
    weighted: Decimal


class WhatItTakes(NamedTuple):
    year_budget: Decimal
    actual: Decimal
    remaining: Decimal  # year budget - actual to date
    months_left: int  # this month included
    needed: Decimal | None  # per month left; None once the budget is met
    completed: int  # fiscal months already over since the ledger starts
    run_rate: Decimal | None  # average actual of the completed months
    ratio: Decimal | None  # needed / run rate
    month_budget: Decimal
    month_actual: Decimal
    month_left: Decimal  # this month's budget still to sell (0 when met)
    ledger_starts_now: bool = False  # no run rate yet because the ledger starts this month


class BudgetYear(NamedTuple):
    today: date
    fy_start: date
    fy_end: date
    months: tuple[MonthRow, ...]
    total: MonthRow  # its cum_* fields repeat the totals
    tiers: tuple[Subtotal, ...]
    tier_total: Subtotal
    clients: tuple[ClientBudget, ...]  # with a budget, the biggest gap to date first
    clients_total: Subtotal  # the sums of `clients`
    sales_no_budget: tuple[ClientBudget, ...]
    budget_no_sales: tuple[ClientBudget, ...]
    unmatched: tuple[Unmatched, ...]
    stale: tuple[Stale, ...]
    stale_more: int
    what: WhatItTakes
    has_ledger: bool
    has_budgets: bool
    shared: tuple[SharedNip, ...] = ()  # NIPs several notes hold: where their money is counted
    ledger_start: date | None = None  # the ledger's first month (or `ledger_start`)
    ledger_start_set: bool = False  # `ledger_start` is in salesnotes.yaml

    @property
    def forecast_share(self) -> Decimal | None:
        """The year's forecast as a fraction of its budget."""
        return attainment(self.total.forecast, self.total.budget)


def weighted(value: Decimal, probability: Decimal) -> Decimal:
    exact(value, probability)
    return to_grosz(value * probability)


def opportunities(book: Book) -> tuple[tuple[ClientRow, Opportunity, Decimal | None], ...]:
    """(row, opportunity, weighted value or None without a value) of every opportunity, once
    per book: Portfolio and Budget both list and sum them."""
    return book.once(_opportunities)


def _opportunities(book: Book) -> tuple[tuple[ClientRow, Opportunity, Decimal | None], ...]:
    # `weighted` once per (value, probability): 14,000 opportunities in 10,000 clients hold
    # 1,500 of them; a float is refused before the lookup, where 0.5 == Decimal("0.5")
    weighed: dict[tuple[Decimal, Decimal], Decimal] = {}
    out = []
    for row in book.rows:
        for opp in row.note.body.opportunities:
            value = opp.value
            if value is not None:
                probability = opp.probability
                if value.__class__ is float or probability.__class__ is float:
                    exact(value, probability)
                key = (value, probability)
                known = weighed.get(key)
                if known is None:
                    known = weighed[key] = weighted(value, probability)
                value = known
            out.append((row, opp, value))
    return tuple(out)


def _ahead(book: Book, first: date, end: date) -> tuple[dict[int, Decimal], dict[date, Decimal]]:
    """The weighted opportunities closing in [first, end), by client (the `id` of its book
    row: a note's path hashes ten times slower) and by close month."""
    by_row: dict[int, Decimal] = {}
    by_month: dict[date, Decimal] = {}
    for row, opp, value in opportunities(book):
        if value is not None and opp.close and first <= opp.close < end:
            by_row[id(row)] = by_row.get(id(row), ZERO) + value
            by_month[opp.close] = by_month.get(opp.close, ZERO) + value
    return by_row, by_month


def _stale_shown(book: Book, first: date) -> tuple[tuple[Stale, ...], int]:
    """The biggest STALE_SHOWN opportunities whose close month has passed, and how many more
    there are: only those shown become Stale rows (thousands are stale in a big vault)."""
    found = [(row, opp, value) for row, opp, value in opportunities(book)
             if value is not None and opp.close and opp.close < first]
    shown = heapq.nsmallest(STALE_SHOWN, found, key=lambda f: (
        -f[2], f[1].close, f[0].note.name.casefold(), f[1].name))
    return (tuple(Stale(row, opp.name, cast(date, opp.close), opp.value, value)
                  for row, opp, value in shown), max(0, len(found) - STALE_SHOWN))


def budget_year(book: Book) -> BudgetYear:
    """The whole Budget view's numbers for the fiscal year holding `book.today`."""
    today, fy_start = book.today, book.fy_start
    months = fiscal_months(fy_start)
    cur = month_index(fy_start, today)
    this_month = months[cur]
    by_row, by_month = _ahead(book, this_month, book.fy_end)
    clients = [_client(row, parts, by_row.get(id(row), ZERO))
               for row, parts in zip(book.rows, row_budgets(book), strict=True)]
    actual = sales_by_month(book)
    first = first_month(book)
    month_rows = _months(months, budget_by_month(book), actual, by_month, cur, first)
    # by name once; each list below keeps that order under its own key (sorts are stable)
    by_name = sorted((c for c in clients if c.budget or c.actual),
                     key=lambda c: c.row.note.name.casefold())
    budgeted = sorted((c for c in by_name if c.budget), key=_gap, reverse=True)
    stale, stale_more = _stale_shown(book, this_month)
    tiers = _tiers(book, clients)
    return BudgetYear(
        today=today, fy_start=fy_start, fy_end=book.fy_end, months=month_rows,
        total=_total(month_rows, first), tiers=tuple(tiers[:-1]), tier_total=tiers[-1],
        clients=tuple(budgeted), clients_total=_subtotal("*", budgeted),
        sales_no_budget=tuple(sorted((c for c in by_name if not c.budget and c.actual),
                                     key=_actual, reverse=True)),
        budget_no_sales=tuple(sorted((c for c in by_name if c.budget and not c.actual),
                                     key=_budget, reverse=True)),
        unmatched=_unmatched(book.unmatched_sales), stale=stale,
        stale_more=stale_more, what=_what(month_rows, cur, first),
        has_ledger=bool(book.vault.sales), has_budgets=any(c.budget for c in clients),
        shared=book.shared, ledger_start=book.ledger_start,
        ledger_start_set=book.config.ledger_start is not None)


def year_to_date(book: Book) -> tuple[Decimal, Decimal, Decimal | None]:
    """The Budget view's total row as (budget due by today, actual, attainment), without the
    rest of the view: a manager's roll-up reads only these, for every rep. The same sums as
    `budget_year`'s `tier_total` (every client's due budget and actual, plus the sales of no
    client), added in another order: sums of grosz amounts are exact, so they are equal."""
    due = sum((to_date for _, _, to_date in row_budgets(book)), ZERO)
    actual = (sum((row.actual_ytd for row in book.rows), ZERO)
              + sum((s.amount for s in book.unmatched_sales), ZERO))
    return due, actual, attainment(actual, due)


# The lists' orders, each applied (reversed, stably) to clients already sorted by name: the
# biggest gap, sales or budget first, then by name.
_gap = attrgetter("gap")
_actual = attrgetter("actual")
_budget = attrgetter("budget")


def _client(row: ClientRow, parts: tuple[tuple[Decimal, ...], Decimal, Decimal],
            ahead: Decimal) -> ClientBudget:
    monthly, year, to_date = parts
    return _tuple(ClientBudget, (row, year, to_date, row.actual_ytd, ahead, monthly,
                                 _GLYPHS[row.breath.state]))


_tuple = tuple.__new__  # a ClientBudget made without its Python-level __new__: one per client


def _months(months: tuple[date, ...], budgets: tuple[Decimal, ...], actual: dict[int, Decimal],
            by_month: dict[date, Decimal], cur: int, first: int = 0) -> tuple[MonthRow, ...]:
    ahead: dict[date, Decimal] = defaultdict(lambda: ZERO, by_month)
    rows, cum_b, cum_a = [], ZERO, ZERO
    for i, (month, budget) in enumerate(zip(months, budgets, strict=True)):
        if i < first:  # before the ledger: its budget is shown, nothing is measured
            rows.append(MonthRow(month, budget, None, None, cum_b, None, None,
                                 ahead[month] if i >= cur else ZERO, i == cur, True))
            continue
        cum_b += budget
        done = i <= cur
        got = actual.get(i, ZERO) if done else None
        cum_a += got or ZERO
        rows.append(MonthRow(
            month, budget, got, attainment(cast(Decimal, got), budget) if done else None, cum_b,
            cum_a if done else None, attainment(cum_a, cum_b) if done else None,
            (got or ZERO) + (ahead[month] if i >= cur else ZERO), i == cur))
    return tuple(rows)


def _total(rows: tuple[MonthRow, ...], first: int = 0) -> MonthRow:
    """The year: its whole budget, and attainment against the months the ledger covers."""
    budget = sum((r.budget for r in rows), ZERO)
    measured = sum((r.budget for r in rows[first:]), ZERO)
    actual = sum((r.actual or ZERO for r in rows), ZERO)
    return MonthRow(rows[0].month, budget, actual, attainment(actual, measured), budget, actual,
                    attainment(actual, measured), sum((r.forecast for r in rows), ZERO), False)


def _subtotal(label: str, items: Sequence[ClientBudget]) -> Subtotal:
    budget = sum((c.budget for c in items), ZERO)
    to_date = sum((c.to_date for c in items), ZERO)
    actual = sum((c.actual for c in items), ZERO)
    return Subtotal(label, len(items), budget, to_date, actual, attainment(actual, to_date),
                    to_date - actual, sum((c.forecast for c in items), ZERO))


def _tiers(book: Book, clients: list[ClientBudget]) -> list[Subtotal]:
    """One row per tier (configured order), one for sales of no client note, then the total."""
    by_tier: dict[str, list[ClientBudget]] = defaultdict(list)
    for c in clients:
        by_tier[c.row.tier].append(c)
    rows = [_subtotal(t, by_tier[t]) for t in book.config.tiers if by_tier.get(t)]
    rows += [_subtotal(t, v) for t, v in sorted(by_tier.items()) if t not in book.config.tiers]
    loose = sum((s.amount for s in book.unmatched_sales), ZERO)
    if loose:
        rows.append(Subtotal("", 0, ZERO, ZERO, loose, None, -loose, loose))
    total = _sum_rows("*", len(clients), rows)
    return rows + [total]


def _sum_rows(label: str, clients: int, rows: list[Subtotal]) -> Subtotal:
    add = lambda f: sum((getattr(r, f) for r in rows), ZERO)  # noqa: E731
    return Subtotal(label, clients, add("budget"), add("to_date"), add("actual"),
                    attainment(add("actual"), add("to_date")), add("gap"), add("forecast"))


def _unmatched(sales: Iterable) -> tuple[Unmatched, ...]:
    groups: dict[tuple, list] = defaultdict(list)
    for sale in sales:
        groups[(sale.nip, sale.client if not sale.nip else "")].append(sale)
    out = [Unmatched(nip, group[-1].client, sum((s.amount for s in group), ZERO), len(group))
           for (nip, _), group in groups.items()]
    return tuple(sorted(out, key=lambda u: (-u.amount, u.client.casefold(), u.nip or "")))


def _what(rows: tuple[MonthRow, ...], cur: int, first: int = 0) -> WhatItTakes:
    """The pace needed for the rest of the year against the pace so far, both counted from the
    ledger's start: months before it hold no data, not zero sales."""
    year_budget = sum((r.budget for r in rows[first:]), ZERO)
    actual = sum((r.actual or ZERO for r in rows), ZERO)
    remaining = year_budget - actual
    left = MONTHS - cur
    needed = to_grosz(remaining / left) if remaining > 0 else None
    completed = max(0, cur - first)
    done = sum((r.actual or ZERO for r in rows[first:cur]), ZERO)
    run_rate = to_grosz(done / completed) if completed else None
    ratio = needed / run_rate if needed is not None and run_rate and run_rate > 0 else None
    month = rows[cur]
    got = month.actual or ZERO
    return WhatItTakes(year_budget, actual, remaining, left, needed, completed, run_rate, ratio,
                       month.budget, got, max(ZERO, month.budget - got), 0 < first == cur)
