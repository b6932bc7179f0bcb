"""pay.svg: this period's commission bands as one bar, where the rep stands, and how far the
next band is.

The bands table gives the amounts; the bar answers "how close am I to the better rate" without
reading a row. The bar runs along attainment of the period's budget; each band is a segment
labelled with its rate, darker as it pays more; the marker is the rep's revenue so far, and an
arrow spans the sales still missing to the next band.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from salesnotes.i18n import Labels
from salesnotes.model.money import money_formatter
from salesnotes.model.portfolio import Book
from salesnotes.reports.pay import Commission, PayRow, PayYear, pay_year
from salesnotes.views.svg import INK, MUTED, compact_money, document, fit_line, text
from salesnotes.views.svg import width as em_width

FILENAME = "pay.svg"
WIDTH, HEIGHT = 900, 180
LEFT, RIGHT = 20, 20
BAR_Y, BAR_H = 86, 36
SHADES = ("#D6E6F2", "#A9CBE6", "#6FA8D6", "#3A7FBF", "#1F5F94", "#123F66")
MARK, REACH = "#D55E00", "#009E73"


def pay_svg(book: Book) -> bytes | None:
    """The picture of the period holding today; None without a pay plan or a budget (the
    view then says what is missing, in words)."""
    year = book.once(pay_year)
    if year is None or year.current.commission is None:
        return None
    t = Labels(book.config.locale)
    return _draw(year, year.current, year.current.commission, t,
                 money_formatter(book.config.currency, book.config.locale),
                 compact_money(book.config.currency, book.config.locale))


def percent(fraction: Decimal | None, locale: str) -> str:
    """An exact percentage: 0.01 -> `1%`, 0.025 -> `2,5%` (pl) / `2.5%` (en)."""
    if fraction is None:
        return "–"
    text = format((fraction * 100).normalize(), "f")
    return (text.replace(".", ",") if locale == "pl" else text) + "%"


def _draw(year: PayYear, row: PayRow, k: Commission, t: Labels, money: Callable[[Decimal], str],
          compact: Callable[[Decimal], str]) -> bytes:
    locale = t.locale

    def rate(fraction: Decimal) -> str:
        return percent(fraction, locale)

    attainment = row.attainment or Decimal(0)
    last = k.slices[-1].start
    end = max(Decimal("1.2"), last + Decimal("0.2"), attainment + Decimal("0.1"))
    end = (end * 10).to_integral_value(ROUND_CEILING) / 10

    def x(share: Decimal) -> float:
        return LEFT + float(min(share, end) / end) * (WIDTH - LEFT - RIGHT)

    title = (f"{t.pay_chart_title} · {t.pay_attainment} {_whole(attainment)} · "
             f"{t.pay_commission} {money(k.amount)}")
    parts = [f'<text x="{LEFT}" y="24" font-size="16" font-weight="bold">{text(title)}</text>']
    parts.extend(_bands(k, x, end, rate, compact))
    parts.extend(_you(row, attainment, x, t, compact))
    parts.extend(_to_next(k, attainment, x, t, money, rate))
    return document(WIDTH, HEIGHT, title, parts)


def _whole(fraction: Decimal) -> str:
    return f"{(fraction * 100).quantize(Decimal(1), ROUND_HALF_UP)}%"


def _bands(k: Commission, x: Callable[[Decimal], float], end: Decimal,
           rate: Callable[[Decimal], str], compact: Callable[[Decimal], str]) -> list[str]:
    out = ['<g class="bands">']
    for i, s in enumerate(k.slices):
        x0, x1 = x(s.start), x(s.stop if s.stop is not None else end)
        fill = SHADES[min(i, len(SHADES) - 1)]
        ink = "#FFFFFF" if i >= 3 else INK
        out.append(f'<rect class="band" x="{x0:.1f}" y="{BAR_Y}" width="{x1 - x0:.1f}" '
                   f'height="{BAR_H}" fill="{fill}" stroke="#FFFFFF" stroke-width="2"/>')
        label = fit_line(rate(s.rate), x1 - x0 - 8, 15, bold=True)
        if label:
            out.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{BAR_Y + BAR_H / 2 + 5:.1f}" '
                       f'text-anchor="middle" font-size="15" font-weight="bold" fill="{ink}">'
                       f"{text(label)}</text>")
        below = f"{_whole(s.start)} · {compact(s.low)}"
        if em_width(below) * 11 < x1 - x0 + 20 or i == 0:
            out.append(f'<line x1="{x0:.1f}" y1="{BAR_Y + BAR_H}" x2="{x0:.1f}" '
                       f'y2="{BAR_Y + BAR_H + 6}" stroke="{MUTED}"/>')
            out.append(f'<text x="{x0 + 2:.1f}" y="{BAR_Y + BAR_H + 19}" font-size="11" '
                       f'fill="{MUTED}">{text(below)}</text>')
    out.append("</g>")
    return out


def _you(row: PayRow, attainment: Decimal, x: Callable[[Decimal], float], t: Labels,
         compact: Callable[[Decimal], str]) -> list[str]:
    at = x(attainment)
    label = f"{t.pay_chart_you}: {_whole(attainment)} · {compact(row.revenue)}"
    right = at > WIDTH / 2  # the label on the side with room
    anchor, dx = ("end", -6) if right else ("start", 6)
    return ['<g class="you">',
            f'<rect x="{LEFT}" y="{BAR_Y + BAR_H - 7}" width="{max(0.0, at - LEFT):.1f}" '
            f'height="7" fill="{MARK}"/>',
            f'<line x1="{at:.1f}" y1="{BAR_Y - 30}" x2="{at:.1f}" y2="{BAR_Y + BAR_H + 4}" '
            f'stroke="{MARK}" stroke-width="3"/>',
            f'<text x="{at + dx:.1f}" y="{BAR_Y - 18}" text-anchor="{anchor}" '
            f'font-weight="bold" fill="{MARK}">{text(label)}</text>',
            "</g>"]


def _to_next(k: Commission, attainment: Decimal, x: Callable[[Decimal], float],
             t: Labels, money: Callable[[Decimal], str],
             rate: Callable[[Decimal], str]) -> list[str]:
    y = BAR_Y + BAR_H + 44
    if k.to_next is None or k.next_rate is None:
        return [f'<text class="top-band" x="{LEFT}" y="{y}" font-weight="bold" fill="{REACH}">'
                f"{text(t.say('pay_top_band', rate=rate(k.rate)))}</text>"]
    target = next((s.start for s in k.slices if s.start > attainment), None)
    if target is None:
        return []
    x0, x1 = x(attainment), x(target)
    label = t.say("pay_chart_to_next", amount=money(k.to_next), rate=rate(k.next_rate))
    mid = (x0 + x1) / 2
    anchor = "middle"
    if mid - em_width(label) * 6.5 < LEFT:
        anchor, mid = "start", x0
    elif mid + em_width(label) * 6.5 > WIDTH - RIGHT:
        anchor, mid = "end", x1
    return ['<g class="to-next">',
            f'<line x1="{x0:.1f}" y1="{y - 14}" x2="{x1:.1f}" y2="{y - 14}" stroke="{REACH}" '
            f'stroke-width="2"/>',
            f'<path d="M{x1:.1f},{y - 14} l-7,-4 v8 z" fill="{REACH}"/>',
            f'<line x1="{x1:.1f}" y1="{BAR_Y + BAR_H}" x2="{x1:.1f}" y2="{y - 10}" '
            f'stroke="{REACH}" stroke-width="2"/>',
            f'<text x="{mid:.1f}" y="{y + 4}" text-anchor="{anchor}" font-weight="bold" '
            f'fill="{REACH}">{text(label)}</text>',
            "</g>"]
