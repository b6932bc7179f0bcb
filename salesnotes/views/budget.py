"""Budget.md: the revenue budget table, plan vs actual vs forecast, per month, tier and client.

The numbers come from salesnotes/budget.py (pure, tested); this module only names them for the
template; its words are in the label catalogs (salesnotes/labels/).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from salesnotes.model.portfolio import Book, add_months
from salesnotes.reports.budget import budget_year
from salesnotes.views.budget_chart import budget_svg

FILENAME = "Budget.md"
TEMPLATE = "Budget.md"
CHART = "budget.svg"


def fiscal_label(start: date) -> str:
    """`2026` for a calendar fiscal year, `2026/27` for one starting later in the year."""
    return str(start.year) if start.month == 1 else f"{start.year}/{(start.year + 1) % 100:02d}"


def context(book: Book) -> dict[str, Any]:
    year = book.once(budget_year)
    return {
        "y": year,
        "clients_total": year.clients_total,
        "forecast_share": year.forecast_share,
        "fy": fiscal_label(year.fy_start),
        "fy_last": add_months(year.fy_end, -1),
        "sub": substitute,
        "chart": CHART,
    }


def extra_files(book: Book) -> dict[str, bytes]:
    return {CHART: budget_svg(book)}


def substitute(text: str, **values: Any) -> str:
    """Fill `{name}` placeholders of a label (templates pass already formatted values)."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text
