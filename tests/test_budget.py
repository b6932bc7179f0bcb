"""Budget.md and salesnotes/budget.py: the spread, the sums, the lists, the goldens, no floats."""

from __future__ import annotations

import decimal
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import GOLDEN, SPEC_NOTE, TODAY, check_golden, template_with_loops
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnotes.load.vault import load_vault
from salesnotes.model.portfolio import Book
from salesnotes.read.body import Opportunity
from salesnotes.reports.budget import (
    _opportunities,
    budget_year,
    month_index,
    spread,
    weighted,
    year_to_date,
)
from salesnotes.views import budget as budget_view
from salesnotes.views import render_views
from salesnotes.views.engine import MARKER, make_env, render_bytes

D = Decimal
SEASONALITY = "[1, 1, 1.2, 1, 1, 1, 0.8, 0.6, 1, 1, 1.2, 1.2]"
HEADER = "date,document,nip,client,amount,margin\n"


def valid_nip(prefix: str) -> str:
    """A checksum-valid NIP starting with the 6-digit prefix (deterministic)."""
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    for n in range(1000):
        digits = f"{prefix}{n:03d}"
        check = sum(int(a) * w for a, w in zip(digits, weights, strict=False)) % 11
        if check != 10:
            return digits + str(check)
    raise AssertionError("no valid NIP")


HYDRO = "5260250274"
AGRO, CMA, NOBUDGET, STRANGER = (valid_nip(p) for p in ("111222", "333444", "555666", "777888"))


def config(locale: str, extra: str = "") -> str:
    return f"owner: Jan Kowalski\nlocale: {locale}\nseasonality: {SEASONALITY}\n{extra}"


def client(name: str, nip: str, tier: str, budget: str | None = None, body: str = "",
           extra: str = "") -> str:
    lines = [f"name: {name}", f'nip: "{nip}"', f"tier: {tier}"]
    lines += [f"budget: {budget}"] if budget else []
    return "---\n" + "\n".join(lines) + f"\n{extra}---\n{body}"


def portfolio_files() -> dict[str, str]:
    """Four clients and a ledger: every list of Budget.md has something in it."""
    return {
        "clients/Hydro-Tech Sp. z o.o..md": SPEC_NOTE,
        "clients/Agro|Mech.md": client(
            "Agro|Mech", AGRO, "B", "60000", extra="last_contact: 2026-10-01\n",
            body="## Opportunities\n- Dryer [value:: 10000] [close:: 2026-12] [probability:: 0.5]\n"
                 "- Old silo [value:: 8000] [close:: 2026-09]\n"),
        "clients/Zakład Ćma.md": client("Zakład Ćma", CMA, "C", "24000",
                                        extra="next_step: First visit\n"),
        "clients/Bez Budżetu.md": client("Bez Budżetu", NOBUDGET, "B"),
        "clients/Prospekt.md": client("Prospekt", valid_nip("999000"), "C"),
        "sales/2025-12.csv": HEADER + f"2025-12-30,FV/0,{HYDRO},Hydro,5000.00,1000.00\n",
        "sales/2026-03.csv": HEADER + f"2026-03-10,FV/1,{HYDRO},Hydro,12000.00,3000.00\n"
                                      f"2026-03-12,FV/2,{AGRO},Agro,4000.50,\n",
        "sales/2026-11.csv": HEADER + f"2026-11-03,FV/9,{HYDRO},Hydro,11234.56,2000.00\n"
                                      f"2026-11-05,FV/10,{NOBUDGET},Bez,700.00,100.00\n"
                                      f"2026-11-06,FV/11,{STRANGER},Nowy Klient,999.99,10.00\n"
                                      f"2026-11-28,FV/12,{HYDRO},Hydro,50000.00,1.00\n",
    }


@pytest.fixture
def vault(make_vault):
    def build(locale: str = "en", files: dict | None = None, extra: str = "") -> Path:
        return make_vault(portfolio_files() if files is None else files,
                          config=config(locale, extra), name=f"vault-{locale}")
    return build


def year_of(root: Path, today: date = TODAY):
    return budget_year(Book.of(load_vault(root, git=False), today))


def budget_md(root: Path) -> str:
    rendered = render_views(load_vault(root, git=False), TODAY)
    assert not rendered.problems
    return rendered.files["Budget.md"].decode("utf-8")


# --- the spread ------------------------------------------------------------------------------

grosze = st.integers(0, 10**11).map(lambda g: D(g) / 100)
weights = st.lists(st.integers(0, 40).map(lambda w: D(w) / 10), min_size=12, max_size=12).filter(
    lambda ws: sum(ws) > 0)


@settings(max_examples=150, deadline=None)
@given(yearly=grosze, ws=weights)
def test_spread_sums_to_the_yearly_budget_and_each_month_is_within_a_grosz(yearly, ws):
    months = spread(yearly, ws)
    assert sum(months) == yearly
    total = sum(ws)
    for amount, w in zip(months, ws, strict=False):
        assert amount == amount.quantize(D("0.01"))
        assert abs(amount - yearly * w / total) <= D("0.01")
        if w == 0:
            assert amount == 0


def test_spread_rounds_half_up_and_gives_the_remainder_where_it_falls():
    assert spread(D("100"), [D(1)] * 12) == (
        D("8.33"), D("8.34"), D("8.33"), D("8.33"), D("8.34"), D("8.33"),
        D("8.33"), D("8.34"), D("8.33"), D("8.33"), D("8.34"), D("8.33"))
    # 0.05 over two equal months: 0.025 rounds half-up to 0.03, the rest is 0.02
    assert spread(D("0.05"), [D(1), D(1)] + [D(0)] * 10)[:2] == (D("0.03"), D("0.02"))


def test_a_float_never_reaches_the_money_code():
    spread(D(150000), [D(1)] * 12)  # cached weights equal to the floats below must not let them in
    with pytest.raises(TypeError):
        spread(150000.0, [D(1)] * 12)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        spread(D(150000), [1.0] * 12)  # type: ignore[list-item]
    with pytest.raises(TypeError):
        weighted(D(48000), 0.6)  # type: ignore[arg-type]


def test_views_run_with_float_operations_trapped(vault):
    root = vault("pl")
    with decimal.localcontext() as ctx:
        ctx.traps[decimal.FloatOperation] = True
        rendered = render_views(load_vault(root, git=False), TODAY)
    assert not rendered.problems and "Budget.md" in rendered.files and "Pay.md" in rendered.files


# --- the numbers -----------------------------------------------------------------------------

def test_months_spread_by_seasonality_and_actuals_are_this_fiscal_year_up_to_today(vault):
    y = year_of(vault())
    budgets = [m.budget for m in y.months]
    # 234 000 a year over weights summing to 12: a weight of 1 is 19 500, 1.2 is 23 400
    assert (budgets[0], budgets[2], budgets[7]) == (D("19500.00"), D("23400.00"), D("11700.00"))
    assert sum(budgets) == y.total.budget == D("234000.00")
    assert y.months[2].actual == D("16000.50")
    # November: FV/12 is dated after today and FV/0 is in the previous fiscal year
    assert y.months[10].actual == D("12934.55") and y.months[10].current
    assert y.months[11].actual is None and y.months[11].cum_actual is None
    assert y.total.actual == D("28935.05") == y.months[10].cum_actual


def test_forecast_adds_weighted_opportunities_from_this_month_and_lists_stale_ones(vault):
    y = year_of(vault())
    assert y.months[11].forecast == D("5000.00")  # Dryer 10 000 x 0.5 in December
    assert y.months[8].forecast == y.months[8].actual  # the past is its actual
    # Hydro-Tech's heat pumps close in 2027: not this fiscal year
    assert y.total.forecast == y.total.actual + D("5000.00")
    assert [(s.name, s.weighted) for s in y.stale] == [("Old silo", D("4000.00"))]  # default p 0.5


def test_clients_sorted_by_gap_to_date_with_this_month_pro_rata(vault):
    y = year_of(vault())
    assert [c.row.name for c in y.clients] == ["Hydro-Tech Sp. z o.o.", "Agro|Mech", "Zakład Ćma"]
    hydro = y.clients[0]
    # Jan-Oct weigh 9.6 of 12: 120 000; November weighs 1.2 (15 000), 27 of its 30 days: 13 500
    assert hydro.to_date == D("133500.00")
    assert hydro.actual == D("23234.56") and hydro.gap == hydro.to_date - hydro.actual
    assert y.clients_total.budget == sum(c.budget for c in y.clients)
    assert y.clients_total.gap == sum(c.gap for c in y.clients)


def test_tier_subtotals_add_up_to_the_total_including_sales_of_no_note(vault):
    y = year_of(vault())
    assert [s.label for s in y.tiers] == ["A", "B", "C", ""]
    for field in ("budget", "to_date", "actual", "gap", "forecast"):
        assert getattr(y.tier_total, field) == sum(getattr(s, field) for s in y.tiers)
    assert y.tier_total.actual == y.total.actual
    assert y.tier_total.forecast == y.total.forecast
    assert y.tiers[1].clients == 2  # Agro|Mech and Bez Budżetu (Prospekt is C)


def test_year_to_date_is_the_total_row_on_any_day(vault):
    root = vault()
    for day in (date(2026, 1, 1), date(2026, 6, 30), TODAY, date(2026, 12, 31)):
        book = Book.of(load_vault(root, git=False), day)
        total = budget_year(book).tier_total
        assert year_to_date(book) == (total.to_date, total.actual, total.attainment)
    assert year_to_date(Book.of(load_vault(root, git=False), TODAY))[1] == D("28935.05")


@settings(max_examples=6, deadline=None)
@given(day=st.dates(date(2025, 1, 1), date(2027, 12, 31)))
def test_year_to_date_is_the_total_row_of_a_2000_client_vault(vault_2000, day):
    book = Book.of(vault_2000, day)
    total = budget_year(book).tier_total
    assert year_to_date(book) == (total.to_date, total.actual, total.attainment)


def test_the_lists_of_missing_budget_missing_sales_and_unknown_nips(vault):
    y = year_of(vault())
    assert [c.row.name for c in y.sales_no_budget] == ["Bez Budżetu"]
    assert [c.row.name for c in y.budget_no_sales] == ["Zakład Ćma"]
    assert [(u.nip, u.client, u.amount, u.count) for u in y.unmatched] == [
        (STRANGER, "Nowy Klient", D("999.99"), 1)]


def test_what_it_takes(vault):
    w = year_of(vault()).what
    assert w.remaining == D("234000.00") - D("28935.05")
    assert w.months_left == 2 and w.needed == D("102532.48")  # 205 064.95 / 2, half-up
    assert w.completed == 10 and w.run_rate == D("1600.05")  # 16 000.50 / 10
    assert w.month_budget == D("23400.00") and w.month_left == D("23400.00") - D("12934.55")


def test_fiscal_year_from_april_indexes_seasonality_by_fiscal_month(vault):
    extra = "fiscal_year_start: 4\nseasonality: [3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    files = {"clients/A.md": client("A", AGRO, "A", "14000")}
    root = vault("en", files, extra="")
    (root / "salesnotes.yaml").write_text(f"owner: x\nlocale: en\n{extra}", encoding="utf-8")
    y = year_of(root)
    assert y.fy_start == date(2026, 4, 1) and y.months[0].month == date(2026, 4, 1)
    assert y.months[0].budget == D("3000.00") and y.months[1].budget == D("1000.00")
    assert month_index(y.fy_start, TODAY) == 7
    assert "# Sales budget 2026/27" in budget_md(root)


# --- the view --------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", ["pl", "en"])
def test_budget_md_golden(vault, locale, update_golden):
    text = budget_md(vault(locale))
    check_golden(GOLDEN / "budget" / locale / "Budget.md", text, update_golden)


def test_budget_md_is_deterministic_links_escaped_and_copies_no_tasks(vault):
    root = vault("en")
    text = budget_md(root)
    assert text == budget_md(root)
    assert "- [ ]" not in text
    assert "[Agro\\|Mech](../clients/Agro%7CMech.md)" in text
    assert "[Zakład Ćma](../clients/Zak%C5%82ad%20%C4%86ma.md)" in text
    table = text[text.index("## Clients by gap to date"):]
    assert table.index("[Hydro-Tech") < table.index("[Agro") < table.index("[Zakład")  # gap first


def test_no_ledger_still_renders_and_says_how_to_add_it(vault):
    files = {k: v for k, v in portfolio_files().items() if not k.startswith("sales/")}
    text = budget_md(vault("en", files))
    assert "No sales ledger yet" in text and "`salesnotes import sales FILE`" in text
    assert "| **Total** | **PLN 234,000.00** | **PLN 0.00** |" in text
    assert "Budget and no sales this year" not in text  # everyone would be in it


def test_no_ledger_in_polish(vault):
    files = {k: v for k, v in portfolio_files().items() if not k.startswith("sales/")}
    text = budget_md(vault("pl", files))
    assert "Brak rejestru sprzedaży" in text and "`salesnotes import sales PLIK`" in text


def test_no_budgets_says_how_to_add_them(vault):
    files = {"clients/A.md": client("A", AGRO, "A"),
             "sales/2026-11.csv": HEADER + f"2026-11-02,FV/1,{AGRO},A,100.00,\n"}
    text = budget_md(vault("en", files))
    assert "No client has a budget yet" in text and "`budget: 150000`" in text
    assert "## What it takes" not in text
    assert "## Sales and no budget (1)" in text


# --- budget.svg ------------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("locale", ["pl", "en"])
def test_budget_svg_golden(vault, locale, update_golden):
    rendered = render_views(load_vault(vault(locale), git=False), TODAY)
    check_golden(GOLDEN / "budget" / locale / "budget.svg", rendered.files["budget.svg"],
                 update_golden)


def test_budget_svg_draws_budget_and_actual_to_scale_with_the_running_totals(vault):
    root = vault("en")
    rendered = render_views(load_vault(root, git=False), TODAY)
    svg = rendered.files["budget.svg"]
    assert svg.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- generated by salesnotes')
    tree = ET.fromstring(svg)
    assert not list(tree.iter(f"{SVG}title"))
    y = year_of(root)

    def heights(kind: str) -> list[float]:
        return [float(r.get("height")) for r in tree.iter(f"{SVG}rect") if r.get("class") == kind]

    budgets, actuals = heights("budget"), heights("actual")
    assert len(budgets) == 12 and len(actuals) == sum(m.actual is not None for m in y.months)
    top = max(range(12), key=lambda i: y.months[i].budget)
    for h, m in zip(budgets, y.months, strict=True):  # to scale, within the 0.1 px written
        assert h == pytest.approx(budgets[top] * float(m.budget / y.months[top].budget), abs=0.15)
    done = [m for m in y.months if m.actual is not None]
    per_zl = budgets[top] / float(y.months[top].budget)
    for h, m in zip(actuals, done, strict=True):
        assert h == pytest.approx(float(m.actual) * per_zl, abs=0.15)
    lines = {p.get("class"): p.get("points").split() for p in tree.iter(f"{SVG}polyline")}
    assert len(lines["cum-budget"]) == 13 and len(lines["cum-actual"]) == len(done) + 1
    now = next(m for m in y.months if m.current)
    label = next(t.text for t in tree.iter(f"{SVG}text") if t.get("class") == "attainment")
    assert label == f"{(now.cum_attainment * 100).quantize(D(1), decimal.ROUND_HALF_UP)}%"
    assert "](budget.svg)" in rendered.files["Budget.md"].decode()


def test_budget_svg_without_ledger_or_budgets_still_draws(vault):
    rendered = render_views(load_vault(vault("pl", files={"clients/A.md": "---\nname: A\n---\n"}),
                                       git=False), TODAY)
    tree = ET.fromstring(rendered.files["budget.svg"])
    assert len([r for r in tree.iter(f"{SVG}rect") if r.get("class") == "budget"]) == 12


# --- the client tables: written in Python, read as the template's loops wrote them ----------

# The loops the built-in template held before its long tables were laid out in Python
# (views/budget.py Rows): a rep's copy of that template still renders with them.
LOOPS = {
    "{% for line in rows.budget_no_sales_lines() %}\n{{ line }}\n{% endfor %}\n":
        "{% for c in y.budget_no_sales %}\n"
        "| {{ c.row.note|link }} | {{ c.row.tier|cell }} | {{ c.budget|money }} | {{ c.glyph }} "
        "| {{ c.row.breath.last|date }} | {{ c.row.note.next_step|cell }} |\n{% endfor %}\n",
    "{% for line in rows.clients_lines() %}\n{{ line }}\n{% endfor %}\n":
        "{% for c in y.clients %}\n"
        "| {{ c.row.note|link }} | {{ c.row.tier|cell }} | {{ c.budget|money }} "
        "| {{ c.to_date|money }} | {{ c.actual|money }} | {{ c.attainment|pct }} "
        "| {{ c.gap|money }} | {{ c.glyph }} |\n{% endfor %}\n",
}


# The calls that wrote each table as one string, before the built-in template wrote its rows
# one by one: a rep's copy of that template still renders with them.
JOINED = {
    "{% for line in rows.budget_no_sales_lines() %}\n{{ line }}\n{% endfor %}\n":
        "{{ rows.budget_no_sales() }}\n",
    "{% for line in rows.clients_lines() %}\n{{ line }}\n{% endfor %}\n":
        "{{ rows.clients() }}\n",
}


def looped_template() -> str:
    return template_with_loops(budget_view, LOOPS)


@pytest.mark.parametrize(("locale", "links"), [("en", "markdown"), ("pl", "wiki")])
def test_a_reps_template_with_the_loops_writes_the_same_budget_md(vault, locale, links):
    """The rows made in Python are the loops' bytes, and a rep's own template (sandboxed)
    still gets every value it got: a copy of the older template renders the same view."""
    root = vault(locale, extra=f"links: {links}\n")
    (root / "clients" / "Pipe.md").write_text(client(
        "Pipe | *Bold* [x]", valid_nip("123123"), "A", "1000",
        extra="next_step: Call | ask *twice*\n"), encoding="utf-8")
    ours = budget_md(root)
    assert "\\*Bold\\* \\[x\\]" in ours and "Call \\| ask \\*twice\\*" in ours
    (root / "templates" / "views").mkdir(parents=True)
    (root / "templates" / "views" / "Budget.md").write_text(looped_template(), encoding="utf-8")
    assert budget_md(root) == ours
    (root / "templates" / "views" / "Budget.md").write_text(
        template_with_loops(budget_view, JOINED), encoding="utf-8")
    assert budget_md(root) == ours


@pytest.mark.parametrize("day", [TODAY, date(2027, 2, 7)])
def test_the_2000_client_tables_are_the_loops_bytes_and_orders(vault_2000, day):
    """At 2,000 clients: every row as the loops wrote it, and each list in its documented
    order (the biggest gap, budget or sales first, then by name; the stale ones by weighted
    value, close month, client, name), however the report sorts them."""
    book = Book.of(vault_2000, day)
    env = make_env(vault_2000.root, "pl", "PLN", "markdown")
    context = budget_view.context(book)
    assert render_bytes(env, "Budget.md", context)[0] == \
        MARKER.encode() + b"\n" + env.trusted.from_string(looped_template()).render(
            **context).lstrip("\n").encode()
    y = budget_year(Book.of(vault_2000, day))
    name = lambda c: c.row.name.casefold()  # noqa: E731
    assert len(y.clients) > 1000 and len(y.budget_no_sales) > 400
    assert day == TODAY or y.stale_more > 100  # the small vault has the sales of no budget
    assert list(y.clients) == sorted(y.clients, key=lambda c: (-c.gap, name(c)))
    assert list(y.budget_no_sales) == sorted((c for c in y.clients if not c.actual),
                                             key=lambda c: (-c.budget, name(c)))
    assert list(y.sales_no_budget) == sorted(y.sales_no_budget, key=lambda c: (-c.actual, name(c)))
    first = y.months[month_index(y.fy_start, day)].month
    stale = sorted((-weighted(o.value, o.probability), o.close, r.name.casefold(), o.name)
                    for r in book.rows for o in r.note.body.opportunities
                    if o.value is not None and o.close and o.close < first)
    assert [(-s.weighted, s.close, s.row.name.casefold(), s.name) for s in y.stale] == stale[:20]
    assert y.stale_more == max(0, len(stale) - 20)


def test_a_float_opportunity_is_refused_after_an_equal_decimal_was_weighed():
    """Weighted values are kept by (value, probability), and 48000.0 == Decimal(48000): the
    float must still be refused, not served the Decimal's result."""
    first = Opportunity("Dryer", D(48000), None, D("0.5"), None, 1)
    again = Opportunity("Dryer", 48000.0, None, D("0.5"), None, 2)  # type: ignore[arg-type]
    book = SimpleNamespace(rows=[SimpleNamespace(note=SimpleNamespace(body=SimpleNamespace(
        opportunities=(first, first))))])
    assert [w for _, _, w in _opportunities(book)] == [D("24000.00")] * 2  # type: ignore[arg-type]
    book.rows[0].note.body.opportunities = (first, again)
    with pytest.raises(TypeError):
        _opportunities(book)  # type: ignore[arg-type]
