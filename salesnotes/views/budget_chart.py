"""budget.svg: budget against actual per month, and the two running totals below.

The months table says it to the grosz; the picture says at a glance which months fell short
and whether the year is catching up. Bars per month (budget grey, actual blue, the forecast of
this and later months as a dashed outline), then the cumulative budget and actual as lines on
the same months. Amounts are Decimals until they become pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from salesnotes.i18n import Labels
from salesnotes.model.portfolio import ZERO, Book
from salesnotes.reports.budget import BudgetYear, MonthRow, budget_year
from salesnotes.views.svg import GRID, MUTED, compact_money, document, long_date, text
from salesnotes.views.svg import width as em_width

FILENAME = "budget.svg"
WIDTH, HEIGHT = 900, 446
LEFT, RIGHT = 78, 16  # room for the axis' amounts
BARS = (74, 262)  # top and bottom of the monthly panel
LINES = (308, 420)  # of the cumulative panel
BUDGET, ACTUAL, FORECAST = "#B8B8B8", "#0072B2", "#9CC9E6"


def budget_svg(book: Book) -> bytes:
    """The picture of the fiscal year holding today; the same book gives the same bytes."""
    year = book.once(budget_year)
    t = Labels(book.config.locale)
    money = compact_money(book.config.currency, book.config.locale)
    locale = book.config.locale
    months = year.months
    slot = (WIDTH - LEFT - RIGHT) / len(months)
    parts = [
        f'<text x="{LEFT - 60}" y="24" font-size="16" font-weight="bold">'
        f"{text(t.bud_chart_title)}: {text(_fy(year))}</text>",
        *_legend(t),
        *_bars(months, slot, money, t),
        *_cumulative(months, slot, money, t),
        *_month_labels(months, slot, locale),
    ]
    label = f"{t.bud_chart_title}: {_fy(year)}, {long_date(year.today, locale)}"
    return document(WIDTH, HEIGHT, label, parts)


def _fy(year: BudgetYear) -> str:
    start = year.fy_start
    return str(start.year) if start.month == 1 else f"{start.year}/{(start.year + 1) % 100:02d}"


def _legend(t: Labels) -> list[str]:
    out = ['<g class="legend">']
    x = float(LEFT - 60)
    for fill, label, dashed in ((BUDGET, t.budget, False), (ACTUAL, t.actual, False),
                                (FORECAST, t.bud_forecast, True)):
        dash = f' stroke="{ACTUAL}" stroke-dasharray="3 2"' if dashed else ""
        out.append(f'<rect x="{x:.0f}" y="36" width="12" height="12" fill="{fill}"{dash}/>')
        out.append(f'<text x="{x + 17:.0f}" y="46">{text(label)}</text>')
        x += 17 + em_width(label) * 12 + 22
    for stroke, label, dash in ((BUDGET, t.bud_cum_budget, ' stroke-dasharray="6 3"'),
                                (ACTUAL, t.bud_cum_actual, "")):
        out.append(f'<line x1="{x:.0f}" y1="42" x2="{x + 22:.0f}" y2="42" stroke="{stroke}" '
                   f'stroke-width="3"{dash}/>')
        out.append(f'<text x="{x + 27:.0f}" y="46">{text(label)}</text>')
        x += 27 + em_width(label) * 12 + 22
    out.append("</g>")
    return out


def nice_step(top: Decimal, ticks: int = 4) -> Decimal:
    """A round step (1, 2 or 5 times a power of ten) giving at most `ticks` grid lines."""
    if top <= 0:
        return Decimal(1)
    raw = top / ticks
    power = Decimal(10) ** (raw.adjusted())
    for factor in (1, 2, 5, 10):
        if power * factor >= raw:
            return power * factor
    return power * 10  # pragma: no cover - 10 is always enough


def _axis(top: Decimal, panel: tuple[int, int], money: Callable[[Decimal], str]
          ) -> tuple[list[str], Callable[[Decimal], float]]:
    """Grid lines and amounts for 0..top, and the amount -> y function of the panel."""
    step = nice_step(top)
    ceiling = max(step, (top / step).to_integral_value(ROUND_CEILING) * step)
    low, high = panel

    def y(value: Decimal) -> float:
        return high - float(value / ceiling) * (high - low)

    out = ['<g class="axis">']
    value = ZERO
    while value <= ceiling:
        out.append(f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{WIDTH - RIGHT}" '
                   f'y2="{y(value):.1f}" stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
                   f'font-size="11" fill="{MUTED}">{text(money(value))}</text>')
        value += step
    out.append("</g>")
    return out, y


def _bars(months: Sequence[MonthRow], slot: float, money: Callable[[Decimal], str],
          t: Labels) -> list[str]:
    top = max([m.budget for m in months] + [m.forecast for m in months]
              + [m.actual or ZERO for m in months] + [ZERO])
    out, y = _axis(top, BARS, money)
    out.append(f'<text x="{LEFT}" y="{BARS[0] - 10}" font-weight="bold">'
               f"{text(t.bud_chart_monthly)}</text>")
    bar = slot * 0.36
    for i, m in enumerate(months):
        x = LEFT + i * slot + slot * 0.12
        out.append(_rect("budget", x, y(m.budget), bar, BARS[1] - y(m.budget), f'fill="{BUDGET}"'))
        ax = x + bar + slot * 0.04
        if m.actual is None or m.current:  # this month and later: the forecast as an outline
            out.append(_rect("forecast", ax, y(m.forecast), bar, BARS[1] - y(m.forecast),
                             f'fill="{FORECAST}" stroke="{ACTUAL}" stroke-dasharray="3 2"'))
        if m.actual is not None:
            out.append(_rect("actual", ax, y(m.actual), bar, BARS[1] - y(m.actual),
                             f'fill="{ACTUAL}"'))
        if m.current:
            out.append(f'<rect class="now" x="{LEFT + i * slot:.1f}" y="{BARS[0]}" '
                       f'width="{slot:.1f}" height="{BARS[1] - BARS[0]}" fill="none" '
                       f'stroke="{MUTED}" stroke-dasharray="2 3"/>')
    return out


def _rect(kind: str, x: float, y: float, w: float, h: float, paint: str) -> str:
    return (f'<rect class="{kind}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" '
            f'height="{max(0.0, h):.1f}" {paint}/>')


def _cumulative(months: Sequence[MonthRow], slot: float, money: Callable[[Decimal], str],
                t: Labels) -> list[str]:
    top = max([m.cum_budget for m in months] + [m.cum_actual or ZERO for m in months]
              + [ZERO])
    out, y = _axis(top, LINES, money)
    out.append(f'<text x="{LEFT}" y="{LINES[0] - 10}" font-weight="bold">'
               f"{text(t.bud_chart_cumulative)}</text>")

    def x(i: int) -> float:
        return LEFT + (i + 1) * slot  # a running total is reached at the month's end

    budget = " ".join(f"{x(i):.1f},{y(m.cum_budget):.1f}" for i, m in enumerate(months))
    out.append(f'<polyline class="cum-budget" points="{LEFT},{y(ZERO):.1f} {budget}" '
               f'fill="none" stroke="{BUDGET}" stroke-width="3" stroke-dasharray="6 3"/>')
    done = [(i, m) for i, m in enumerate(months) if m.cum_actual is not None]
    if done:
        actual = " ".join(f"{x(i):.1f},{y(m.cum_actual or ZERO):.1f}" for i, m in done)
        out.append(f'<polyline class="cum-actual" points="{LEFT},{y(ZERO):.1f} {actual}" '
                   f'fill="none" stroke="{ACTUAL}" stroke-width="3"/>')
        i, last = done[-1]
        if last.cum_attainment is not None:
            share = (last.cum_attainment * 100).quantize(Decimal(1), ROUND_HALF_UP)
            out.append(f'<circle cx="{x(i):.1f}" cy="{y(last.cum_actual or ZERO):.1f}" r="4" '
                       f'fill="{ACTUAL}"/>')
            right = i >= len(months) - 2  # near the edge: the label goes left of the point
            anchor = ' text-anchor="end"' if right else ""
            out.append(f'<text class="attainment" x="{x(i) + (-6 if right else 6):.1f}" '
                       f'y="{y(last.cum_actual or ZERO) - 8:.1f}" font-weight="bold" '
                       f'fill="{ACTUAL}"{anchor}>{share}%</text>')
    return out


def _month_labels(months: Sequence[MonthRow], slot: float, locale: str) -> list[str]:
    out = ['<g class="months" text-anchor="middle" font-size="11">']
    for i, m in enumerate(months):
        name = long_date(m.month, locale, "LLL")
        bold = ' font-weight="bold"' if m.current else ""
        for top in (BARS[1], LINES[1]):
            out.append(f'<text x="{LEFT + (i + 0.5) * slot:.1f}" y="{top + 14}"{bold}>'
                       f"{text(name)}</text>")
    out.append("</g>")
    return out
