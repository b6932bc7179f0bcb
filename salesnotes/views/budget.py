"""Budget.md: the revenue budget table, plan vs actual vs forecast, per month, tier and client.

The numbers come from salesnotes/budget.py (pure, tested); this module only names them for the
template; its words are in the label catalogs (salesnotes/labels/).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from jinja2 import pass_environment

from salesnotes.model.portfolio import Book, add_months
from salesnotes.reports.budget import BudgetYear, ClientBudget, budget_year
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
        "rows": Rows(year),
    }


class Rows:
    """The two client tables' rows, laid out here: each may hold every client with a budget
    (7,000 rows of 6 to 8 cells in the 10,000-client bench vault, both tables alike), which
    jinja wrote cell by cell through a filter call each. The cells are still the template's
    own filters (jinja hands its environment in), so `{{ rows.clients() }}` writes the very
    text the loop did; a client's link and tier are made once for both tables (kept from the
    first table, which lists a few, until the second, which lists them all, uses them), and
    the money cells once per distinct (budget, to date, actual). The built-in template calls
    them; every other value is still in the context for a rep's own template."""

    def __init__(self, year: BudgetYear) -> None:
        self.year = year
        self._heads: dict[int, str] = {}  # id(row) -> its first two cells, kept for `clients`

    def _head(self, env: Any, c: ClientBudget, *, keep: bool) -> str:
        head = self._heads.pop(id(c.row), None) if not keep else self._heads.get(id(c.row))
        if head is None:
            link, cell = env.filters["link"], env.filters["cell"]
            head = f"| {link(c.row.note)} | {cell(c.row.tier)} | "
            if keep:
                self._heads[id(c.row)] = head
        return head

    @pass_environment
    def budget_no_sales(self, env: Any) -> str:
        """The lines under `## budget and no sales`, without the last newline."""
        return "\n".join(self.budget_no_sales_lines(env))

    @pass_environment
    def budget_no_sales_lines(self, env: Any) -> Iterator[str]:
        """Those lines one by one: the built-in template writes each as it comes, so a table
        of 100,000 rows is never held whole (ARCHITECTURE.md, speed: memory)."""
        head, (cell, money, day) = self._head, (env.filters[f] for f in ("cell", "money", "date"))
        for c in self.year.budget_no_sales:
            yield (f"{head(env, c, keep=True)}{money(c.budget)} | {c.glyph} "
                   f"| {day(c.row.breath.last)} | {cell(c.row.note.next_step)} |")

    @pass_environment
    def clients(self, env: Any) -> str:
        """The lines under `## clients by gap`, without the total row and the last newline."""
        return "\n".join(self.clients_lines(env))

    @pass_environment
    def clients_lines(self, env: Any) -> Iterator[str]:
        """Those lines one by one, as `budget_no_sales_lines`."""
        money, pct = env.filters["money"], env.filters["pct"]
        amounts: dict[tuple, str] = {}
        for c in self.year.clients:
            key = (c.budget, c.to_date, c.actual)
            cells = amounts.get(key)
            if cells is None:
                if len(amounts) >= _AMOUNTS_KEPT:  # mostly distinct (each actual differs)
                    amounts.clear()
                cells = amounts[key] = (f"{money(c.budget)} | {money(c.to_date)} "
                                        f"| {money(c.actual)} | {pct(c.attainment)} "
                                        f"| {money(c.gap)}")
            yield f"{self._head(env, c, keep=False)}{cells} | {c.glyph} |"


# money cells kept per distinct (budget, to date, actual): the repeats (a round budget, no
# sales yet) come close together in the gap order, and the cells of 100,000 clients, kept
# whole, were ~15 MB held until the table's last line (ARCHITECTURE.md, speed: memory)
_AMOUNTS_KEPT = 4096


def extra_files(book: Book) -> dict[str, bytes]:
    return {CHART: budget_svg(book)}


def substitute(text: str, **values: Any) -> str:
    """Fill `{name}` placeholders of a label (templates pass already formatted values)."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text
