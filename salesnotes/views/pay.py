"""Pay.md: base, commission by band, bonuses and benefits, to the grosz, and the next move.

The numbers come from salesnotes/pay.py (pure, tested); this module names them for the template and
formats rates exactly (2.5% stays 2.5%, unlike a whole-percent attainment).
"""

from __future__ import annotations

from typing import Any

from salesnotes.model.portfolio import Book
from salesnotes.reports.pay import pay_year
from salesnotes.views.budget import fiscal_label, substitute
from salesnotes.views.pay_chart import pay_svg, percent

FILENAME = "Pay.md"
TEMPLATE = "Pay.md"
CHART = "pay.svg"

EXAMPLE_PLAN = """pay:
  base: 7000.00
  commission:
    basis: revenue    # revenue or margin
    period: month     # month or quarter
    rates:
      - {from: 0.0, rate: 0.01}
      - {from: 0.8, rate: 0.03}
      - {from: 1.0, rate: 0.05}
  bonuses:
    - {name: Quarter target, period: quarter, min_attainment: 1.0, amount: 3000}
  benefits:
    - {name: Company car}
    - {name: Training budget, limit: 2000, used: 800}
"""


ROMAN = ("I", "II", "III", "IV")


def context(book: Book) -> dict[str, Any]:
    locale = book.config.locale
    return {
        "p": book.once(pay_year),
        "chart": CHART,
        "today": book.today,
        "fy": fiscal_label(book.fy_start),
        "example_plan": EXAMPLE_PLAN,
        "rate": lambda fraction: percent(fraction, locale),
        "roman": ROMAN,
        "sub": substitute,
    }


def extra_files(book: Book) -> dict[str, bytes]:
    """pay.svg when the period has bands to draw (a plan and a budget); else nothing, and the
    view says in words what is missing."""
    picture = pay_svg(book)
    return {CHART: picture} if picture is not None else {}
