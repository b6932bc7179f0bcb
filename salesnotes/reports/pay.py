"""The pay tracker: base, commission in marginal bands, bonuses and benefits, to the grosz.

A grosz wrong in pay destroys a rep's trust, so the rules are few and written down here:
- Periods are fiscal: months from `fiscal_year_start`, quarters of three fiscal months, the year.
- A period's budget is the sum of the clients' budgets spread by seasonality over its months
  (budget.py); its revenue is the sum of ledger amounts dated in it up to today.
- Attainment is always revenue / budget: it alone decides which band each złoty of sales falls
  in. Band i covers revenue from its `from` x budget up to the next band's `from` x budget; the
  top band has no ceiling; revenue below the first band's `from` earns nothing.
- Commission = sum of rate x the basis in each band. With basis `revenue` that is the revenue in
  the band; with basis `margin` the period's margin is split over the bands in the same
  proportion as its revenue (so margin earns the rate of the sales that made it).
- The commission is rounded half-up to the grosz once per period; per-band amounts are shown
  rounded cumulatively, so they add up to it exactly.
- A period without a budget has no attainment: no commission and no bonus can be measured there.
- A bonus is earned when its period's attainment reaches `min_attainment`; it is paid with the
  period where its own period ends, or shown with today's period once already reached.
- `base` is monthly pay; a quarter's base is three of them.
- Months before the ledger starts have no data: their budget is not counted either, so a period
  holding them is measured on its months with data, and one with none has no commission.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import NamedTuple

from salesnotes.model.money import GROSZ, to_grosz
from salesnotes.model.payplan import Band, Benefit, Bonus, PayPlan
from salesnotes.model.portfolio import Book, add_months
from salesnotes.reports.budget import (
    MONTHS,
    ZERO,
    attainment,
    budget_by_month,
    exact,
    first_month,
    fy_sales,
    month_index,
    sales_by_month,
)

PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def grosz_up(value: Decimal) -> Decimal:
    """A distance in money, rounded up: adding it is always enough."""
    return value.quantize(GROSZ, rounding=ROUND_CEILING)


class Period(NamedTuple):
    kind: str  # month | quarter | year
    start: date
    end: date  # exclusive
    number: int  # 1-based within the fiscal year
    first: int  # fiscal index of its first month

    @property
    def months(self) -> tuple[date, ...]:
        return tuple(add_months(self.start, i) for i in range(PERIOD_MONTHS[self.kind]))

    @property
    def last(self) -> date:
        return self.months[-1]


def periods(kind: str, fy_start: date) -> tuple[Period, ...]:
    size = PERIOD_MONTHS[kind]
    return tuple(Period(kind, add_months(fy_start, i), add_months(fy_start, i + size),
                        i // size + 1, i) for i in range(0, MONTHS, size))


def period_of(kind: str, fy_start: date, day: date) -> Period:
    return periods(kind, fy_start)[month_index(fy_start, day) // PERIOD_MONTHS[kind]]


# --- commission -------------------------------------------------------------------------------

class Slice(NamedTuple):
    """One band's share of a period."""

    start: Decimal  # attainment where the band starts
    stop: Decimal | None  # where the next band starts; None for the top band
    low: Decimal  # start x budget (shown rounded)
    high: Decimal | None
    rate: Decimal
    basis: Decimal  # part of the basis in this band, rounded so the slices sum to the basis
    commission: Decimal  # rounded so the slices sum to the period's commission


class Commission(NamedTuple):
    amount: Decimal  # rounded half-up once for the period
    slices: tuple[Slice, ...]
    rate: Decimal  # what the next złoty of sales earns
    next_rate: Decimal | None  # the rate of the next band; None in the top band
    to_next: Decimal | None  # revenue still missing to reach it (rounded up to the grosz)

    @property
    def in_bands(self) -> Decimal:
        """The basis lying in some band (all of it, unless the first band starts above 0)."""
        return sum((s.basis for s in self.slices), ZERO)


def band_revenue(revenue: Decimal, budget: Decimal, bands: Sequence[Band]) -> list[Decimal]:
    """The exact part of the revenue lying in each band (none below the first band)."""
    exact(revenue, budget)
    out = []
    for i, band in enumerate(bands):
        low = band.start * budget
        high = bands[i + 1].start * budget if i + 1 < len(bands) else None
        top = revenue if high is None else min(revenue, high)
        out.append(max(ZERO, top - low))
    return out


def commission(revenue: Decimal, budget: Decimal, bands: Sequence[Band],
               basis: Decimal | None = None) -> Commission | None:
    """The period's commission; `basis` is the margin when the plan pays on margin.

    None when the period has no budget (attainment cannot be measured)."""
    exact(revenue, budget, basis)
    if budget <= 0:
        return None
    parts = band_revenue(revenue, budget, bands)
    if basis is not None:
        parts = [p * basis / revenue if revenue > 0 else ZERO for p in parts]
    earned = [band.rate * part for band, part in zip(bands, parts, strict=False)]
    slices = tuple(
        Slice(band.start, nxt.start if nxt else None, to_grosz(band.start * budget),
              to_grosz(nxt.start * budget) if nxt else None, band.rate, b, c)
        for band, nxt, b, c in zip(bands, [*bands[1:], None], _cumulative(parts),
                                   _cumulative(earned), strict=False))
    rate, next_band = _position(revenue, budget, bands)
    to_next = grosz_up(next_band.start * budget - revenue) if next_band else None
    return Commission(to_grosz(sum(earned, ZERO)), slices, rate,
                      next_band.rate if next_band else None, to_next)


def _cumulative(values: Sequence[Decimal]) -> list[Decimal]:
    """Each value rounded so that the rounded values sum to the rounded total."""
    out, running, shown = [], ZERO, ZERO
    for value in values:
        running += value
        upto = to_grosz(running)
        out.append(upto - shown)
        shown = upto
    return out


def _position(revenue: Decimal, budget: Decimal, bands: Sequence[Band]) -> tuple:
    """(rate of the next złoty, the band that starts next above the revenue or None)."""
    rate, nxt = ZERO, None
    for band in bands:
        if band.start * budget <= revenue:
            rate = band.rate
        elif nxt is None or band.start == nxt.start:
            nxt = band
    return rate, nxt


# --- bonuses ---------------------------------------------------------------------------------

class BonusCheck(NamedTuple):
    bonus: Bonus
    period: Period
    revenue: Decimal
    budget: Decimal
    attainment: Decimal | None
    state: str  # earned | pending (period open) | missed (period over) | no_budget
    missing: Decimal | None  # revenue still needed (pending) or that was lacking (missed)
    counted_in: date  # the month whose pay holds it: its period's last month, or today's


def check_bonus(bonus: Bonus, period: Period, revenue: Decimal, budget: Decimal,
                today: date) -> BonusCheck:
    exact(revenue, budget)
    counted = min(period.last, date(today.year, today.month, 1))
    if budget <= 0:
        return BonusCheck(bonus, period, revenue, budget, None, "no_budget", None, counted)
    target = bonus.min_attainment * budget
    if revenue >= target:
        state, missing = "earned", None
    else:
        state = "missed" if period.end <= today else "pending"
        missing = grosz_up(target - revenue)
    return BonusCheck(bonus, period, revenue, budget, attainment(revenue, budget), state,
                      missing, counted)


# --- the year --------------------------------------------------------------------------------

class MonthLine(NamedTuple):
    month: date
    budget: Decimal
    revenue: Decimal
    basis: Decimal
    attainment: Decimal | None
    no_data: bool = False  # before the ledger starts


class PayRow(NamedTuple):
    period: Period
    budget: Decimal
    revenue: Decimal
    basis: Decimal
    attainment: Decimal | None
    commission: Commission | None
    base: Decimal
    bonuses: Decimal
    total: Decimal  # base + commission + bonuses
    current: bool
    months: tuple[MonthLine, ...]  # the months so far, listed under a quarter
    no_data: bool = False  # every month of it is before the ledger starts


class BenefitUse(NamedTuple):
    name: str
    limit: Decimal | None
    used: Decimal | None
    left: Decimal | None
    share: Decimal | None  # used / limit


class PayYear(NamedTuple):
    plan: PayPlan
    today: date
    fy_start: date
    current: PayRow
    next_gain: Decimal | None  # how much more commission reaching the next band brings
    bonuses: tuple[BonusCheck, ...]  # each bonus in its period holding today
    rows: tuple[PayRow, ...]  # the fiscal year's periods up to today's
    total: PayRow  # sums of the rows
    benefits: tuple[BenefitUse, ...]
    no_margin: int  # sales of this year without a margin (counted as 0 when paid on margin)
    has_ledger: bool
    has_budget: bool


def pay_year(book: Book) -> PayYear | None:
    """The Pay view's numbers, or None when the vault has no `pay:` plan."""
    plan = book.config.pay
    if plan is None:
        return None
    today, fy_start = book.today, book.fy_start
    sales = fy_sales(book)
    months = _month_lines(plan, book, sales)
    cur = month_index(fy_start, today)
    checks = _all_bonus_checks(plan, months, fy_start, today)
    rows = tuple(_row(plan, p, months, checks, cur) for p in periods(plan.period, fy_start)
                 if p.first <= cur)
    current = rows[-1]
    now = tuple(c for c in checks if c.period.start <= today < c.period.end)
    return PayYear(plan, today, fy_start, current, _next_gain(plan, current), now, rows,
                   _sum(rows), tuple(map(_benefit, plan.benefits)),
                   sum(1 for s in sales if s.margin is None), bool(book.vault.sales),
                   any(m.budget > 0 for m in months))


def _month_lines(plan: PayPlan, book: Book, sales: tuple) -> tuple[MonthLine, ...]:
    budgets = budget_by_month(book)
    revenue = sales_by_month(book)
    margin: dict[int, Decimal] = {}
    for sale in sales if plan.basis == "margin" else ():  # only a margin plan reads them
        exact(sale.margin)
        i = month_index(book.fy_start, sale.date)
        margin[i] = margin.get(i, ZERO) + (sale.margin or ZERO)
    first = first_month(book)
    out = []
    for i in range(MONTHS):
        if i < first:
            out.append(MonthLine(add_months(book.fy_start, i), ZERO, ZERO, ZERO, None, True))
            continue
        got = revenue.get(i, ZERO)
        basis = margin.get(i, ZERO) if plan.basis == "margin" else got
        out.append(MonthLine(add_months(book.fy_start, i), budgets[i], got, basis,
                             attainment(got, budgets[i])))
    return tuple(out)


def _sum_months(lines: Sequence[MonthLine]) -> tuple[Decimal, Decimal, Decimal]:
    return (sum((m.budget for m in lines), ZERO), sum((m.revenue for m in lines), ZERO),
            sum((m.basis for m in lines), ZERO))


def _all_bonus_checks(plan: PayPlan, months: tuple[MonthLine, ...], fy_start: date,
                      today: date) -> tuple[BonusCheck, ...]:
    out = []
    for bonus in plan.bonuses:
        for p in periods(bonus.period, fy_start):
            if p.start <= today:
                budget, revenue, _ = _sum_months(months[p.first:p.first + len(p.months)])
                out.append(check_bonus(bonus, p, revenue, budget, today))
    return tuple(out)


def _row(plan: PayPlan, p: Period, months: tuple[MonthLine, ...], checks: tuple[BonusCheck, ...],
         cur: int) -> PayRow:
    lines = months[p.first:p.first + len(p.months)]
    budget, revenue, basis = _sum_months(lines)
    paid = commission(revenue, budget, plan.bands, basis if plan.basis == "margin" else None)
    bonuses = sum((c.bonus.amount for c in checks
                   if c.state == "earned" and p.start <= c.counted_in < p.end), ZERO)
    base = plan.base * len(p.months)
    total = base + (paid.amount if paid else ZERO) + bonuses
    shown = tuple(m for i, m in enumerate(lines) if p.first + i <= cur) if p.kind != "month" else ()
    return PayRow(p, budget, revenue, basis, attainment(revenue, budget), paid, base, bonuses,
                  total, p.first <= cur < p.first + len(p.months), shown,
                  all(m.no_data for m in lines))


def _sum(rows: Sequence[PayRow]) -> PayRow:
    add = lambda f: sum((getattr(r, f) for r in rows), ZERO)  # noqa: E731
    paid = sum((r.commission.amount for r in rows if r.commission), ZERO)
    whole = Period("year", rows[0].period.start, rows[-1].period.end, 0, 0)
    budget, revenue = add("budget"), add("revenue")
    summary = Commission(paid, (), ZERO, None, None)
    return PayRow(whole, budget, revenue, add("basis"), attainment(revenue, budget), summary,
                  add("base"), add("bonuses"), add("total"), False, ())


def _next_gain(plan: PayPlan, row: PayRow) -> Decimal | None:
    """What reaching the next band adds to this period's commission (margin grows in step)."""
    paid = row.commission
    if paid is None or paid.to_next is None:
        return None
    target = row.revenue + paid.to_next
    basis = None
    if plan.basis == "margin":
        if row.revenue <= 0:
            return None
        basis = row.basis * target / row.revenue
    after = commission(target, row.budget, plan.bands, basis)
    return after.amount - paid.amount if after else None


def _benefit(b: Benefit) -> BenefitUse:
    if b.limit is None:
        return BenefitUse(b.name, None, b.used, None, None)
    used = b.used or ZERO
    return BenefitUse(b.name, b.limit, used, b.limit - used,
                      used / b.limit if b.limit > 0 else None)
