"""Pay.md and salesnotes/pay.py: marginal bands by hand and by property, bonuses, goldens."""

from __future__ import annotations

import decimal
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import GOLDEN, TODAY, check_golden
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnotes.load.vault import load_vault
from salesnotes.model.money import to_grosz
from salesnotes.model.payplan import Band, Bonus
from salesnotes.model.portfolio import Book
from salesnotes.reports.pay import (
    band_revenue,
    check_bonus,
    commission,
    pay_year,
    period_of,
    periods,
)
from salesnotes.views import render_views
from salesnotes.views.pay_chart import percent

D = Decimal
NBSP = "\u00a0"
HEADER = "date,document,nip,client,amount,margin\n"
BIG, SMALL = "5260250274", "1112220004"
THREE_BANDS = (Band(D("0.0"), D("0.01")), Band(D("0.8"), D("0.03")), Band(D("1.0"), D("0.05")))


def zl(amount: str) -> str:
    """`8 000,00` -> babel's `8 000,00 zł` with no-break spaces."""
    return amount.replace(" ", NBSP) + NBSP + "zł"


def plan(period: str = "month", basis: str = "revenue", bonuses: str = "", benefits: str = "",
         start: int = 1) -> str:
    return (f"owner: Jan Kowalski\nlocale: {{locale}}\nfiscal_year_start: {start}\n"
            f"pay:\n  base: 7000.00\n  commission:\n    basis: {basis}\n    period: {period}\n"
            "    rates:\n      - {from: 0.0, rate: 0.01}\n      - {from: 0.8, rate: 0.03}\n"
            f"      - {{from: 1.0, rate: 0.05}}\n{bonuses}{benefits}")


BONUSES = ("  bonuses:\n"
           "    - {name: Monthly target, period: month, min_attainment: 1.0, amount: 500}\n"
           "    - {name: Quarter target, period: quarter, min_attainment: 1.0, amount: 3000}\n"
           "    - {name: Year target, period: year, min_attainment: 0.9, amount: 10000}\n")
BENEFITS = ("  benefits:\n    - {name: Company car}\n"
            "    - {name: Training budget, limit: 2000, used: 800}\n"
            "    - {name: Phone | allowance, limit: 1200, used: 1300}\n")


def note(name: str, nip: str, budget: str) -> str:
    return f'---\nname: {name}\nnip: "{nip}"\ntier: A\nbudget: {budget}\n---\n'


def ledger(rows: list[tuple[str, str, str, str]]) -> dict[str, str]:
    """(date, nip, amount, margin) rows -> `sales/<YYYY-MM>.csv` files, documents numbered."""
    files: dict[str, str] = {}
    for i, (day, nip, amount, margin) in enumerate(rows, 1):
        path = f"sales/{day[:7]}.csv"
        files[path] = files.get(path, HEADER) + f"{day},FV/{i},{nip},Client,{amount},{margin}\n"
    return files


@pytest.fixture
def pay_vault(make_vault):
    def build(config: str, sales: list | None = None, locale: str = "en",
              budgets: tuple[str, str] = ("120000", "60000")) -> Path:
        files = {"clients/Big.md": note("Big", BIG, budgets[0]),
                 "clients/Small.md": note("Small", SMALL, budgets[1]), **ledger(sales or [])}
        return make_vault(files, config=config.replace("{locale}", locale), name=f"v-{locale}")
    return build


def render(root: Path, name: str = "Pay.md") -> str:
    rendered = render_views(load_vault(root, git=False), TODAY)
    assert not rendered.problems
    return rendered.files[name].decode("utf-8")


def year(root: Path):
    return pay_year(Book.of(load_vault(root, git=False), TODAY))


# --- by hand ---------------------------------------------------------------------------------

def test_three_band_month_computed_by_hand_matches_pay_md(pay_vault):
    """Budget 120 000 a year, flat: 10 000 for November. Sales 8 000.00 + 3 234.56 = 11 234.56.

    band 1, 0-80%:    0.00 .. 8 000.00 -> 8 000.00 x 1% = 80.00
    band 2, 80-100%:  8 000.00 .. 10 000.00 -> 2 000.00 x 3% = 60.00
    band 3, 100%+:    10 000.00 .. -> 1 234.56 x 5% = 61.728
    commission = 201.728 -> 201.73 (half-up, once); pay = 7 000.00 + 201.73 = 7 201.73
    """
    sales = [("2026-11-03", BIG, "8000.00", ""), ("2026-11-20", BIG, "3234.56", "")]
    root = pay_vault(plan(), sales, locale="pl", budgets=("120000", "0"))
    text = render(root)
    rows = [
        f"| 1 | 0% – 80% | {zl('0,00')} | {zl('8 000,00')} | {zl('8 000,00')} | 1% | "
        f"{zl('80,00')} |",
        f"| 2 | 80% – 100% | {zl('8 000,00')} | {zl('10 000,00')} | {zl('2 000,00')} | 3% | "
        f"{zl('60,00')} |",
        f"| 3 | 100% – … | {zl('10 000,00')} | … | {zl('1 234,56')} | 5% | {zl('61,73')} |",
        f"| **Razem** | | | | **{zl('11 234,56')}** | | **{zl('201,73')}** |",
        f"| Prowizja | {zl('201,73')} |",
        f"| **Razem** | **{zl('7 201,73')}** |",
    ]
    for row in rows:
        assert row in text
    assert "Jesteś w najwyższym progu: każda kolejna sprzedaż daje 5%." in text
    assert to_grosz(D("8000.00") * D("0.01") + D("2000.00") * D("0.03")
                    + D("1234.56") * D("0.05")) == D("201.73")


def test_distance_to_the_next_band_in_money(pay_vault):
    sales = [("2026-11-03", BIG, "5000.00", "")]
    text = render(pay_vault(plan(), sales, budgets=("120000", "0")))
    # 80% of 10 000 is 8 000: 3 000 more lifts the rate; at 8 000 commission is 80, now 50
    assert "**PLN 3,000.00 more this month lifts the rate to 3%.** " \
           "Commission then grows by PLN 30.00." in text
    pl = render(pay_vault(plan(), sales, locale="pl", budgets=("120000", "0")))
    assert f"**{zl('3 000,00')} więcej w tym miesiącu podnosi stawkę do 3%.**" in pl


def test_margin_basis_splits_the_margin_over_the_bands_like_the_revenue(pay_vault):
    sales = [("2026-11-03", BIG, "8000.00", "1600.00"), ("2026-11-20", BIG, "3234.56", "646.91"),
             ("2026-11-21", BIG, "0.00", "")]
    root = pay_vault(plan(basis="margin"), sales, budgets=("120000", "0"))
    paid = year(root).current.commission
    margin = D("2246.91")
    assert paid.amount == to_grosz(D("201.728") * margin / D("11234.56")) == D("40.35")
    assert sum(s.basis for s in paid.slices) == margin
    text = render(root)
    assert "| Margin | **PLN 2,246.91** |" in text
    assert "Sales of this year with no margin in the ledger: 1" in text


# --- properties ------------------------------------------------------------------------------

money = st.integers(0, 5 * 10**8).map(lambda g: D(g) / 100)
budgets = st.integers(1, 10**8).map(lambda g: D(g) / 100)
band_lists = st.lists(st.tuples(st.integers(0, 250), st.integers(0, 2000)), min_size=1,
                      max_size=5).map(
    lambda xs: tuple(Band(D(s) / 100, D(r) / 10000) for s, r in sorted(xs)))


@settings(max_examples=200, deadline=None)
@given(a=money, b=money, budget=budgets, bands=band_lists)
def test_commission_never_decreases_when_revenue_grows(a, b, budget, bands):
    low, high = sorted((a, b))
    assert commission(low, budget, bands).amount <= commission(high, budget, bands).amount


@settings(max_examples=200, deadline=None)
@given(budget=budgets, bands=band_lists, shift=st.integers(-2, 2))
def test_no_jump_at_a_band_edge(budget, bands, shift):
    top = max(b.rate for b in bands)
    for band in bands:
        edge = to_grosz(band.start * budget) + D(shift) / 100
        if edge < 0:
            continue
        step = commission(edge + D("0.01"), budget, bands).amount - commission(
            edge, budget, bands).amount
        assert D(0) <= step <= D("0.01") * top + D("0.01")


@settings(max_examples=100, deadline=None)
@given(revenue=money, budget=budgets, bands=band_lists)
def test_band_slices_add_up_to_the_commission_rounded_once(revenue, budget, bands):
    paid = commission(revenue, budget, bands)
    slices = band_revenue(revenue, budget, bands)
    exact = sum(b.rate * part for b, part in zip(bands, slices, strict=False))
    assert paid.amount == to_grosz(exact)
    assert sum(s.commission for s in paid.slices) == paid.amount
    assert sum(s.basis for s in paid.slices) == to_grosz(sum(band_revenue(revenue, budget, bands)))


def test_a_float_never_reaches_the_money_code():
    with pytest.raises(TypeError):
        commission(11234.56, D(10000), THREE_BANDS)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        commission(D("11234.56"), 10000.0, THREE_BANDS)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        commission(D("11234.56"), D(10000), THREE_BANDS, basis=2000.0)  # type: ignore[arg-type]
    quarter = periods("quarter", date(2026, 1, 1))[3]
    with pytest.raises(TypeError):
        check_bonus(Bonus("Q", "quarter", D(1), D(3000)), quarter, 1.5, D(1), TODAY)  # type: ignore


def test_pay_view_runs_with_float_operations_trapped(pay_vault):
    root = pay_vault(plan(bonuses=BONUSES, benefits=BENEFITS), [("2026-11-03", BIG, "1.10", "")])
    with decimal.localcontext() as ctx:
        ctx.traps[decimal.FloatOperation] = True
        assert "# Pay: November 2026" in render(root)


# --- periods and bonuses ---------------------------------------------------------------------

def test_fiscal_periods():
    april = date(2026, 4, 1)
    q = period_of("quarter", april, TODAY)
    assert (q.number, q.start, q.end, q.months[-1]) == (3, date(2026, 10, 1), date(2027, 1, 1),
                                                        date(2026, 12, 1))
    assert period_of("month", april, TODAY).number == 8
    assert [p.start.month for p in periods("quarter", april)] == [4, 7, 10, 1]


def test_bonus_states():
    q = periods("quarter", date(2026, 1, 1))
    bonus = Bonus("Quarter target", "quarter", D("1.0"), D("3000"))
    earned = check_bonus(bonus, q[1], D("45000.00"), D("45000.00"), TODAY)
    assert (earned.state, earned.missing, earned.counted_in) == ("earned", None, date(2026, 6, 1))
    missed = check_bonus(bonus, q[0], D("39000.00"), D("45000.00"), TODAY)
    assert (missed.state, missed.missing) == ("missed", D("6000.00"))
    pending = check_bonus(bonus, q[3], D("31234.56"), D("45000.00"), TODAY)
    assert (pending.state, pending.missing) == ("pending", D("13765.44"))
    assert check_bonus(bonus, q[3], D(5), D(0), TODAY).state == "no_budget"
    # missing money is rounded up, so adding it is always enough
    odd = check_bonus(Bonus("x", "quarter", D("0.9"), D(1)), q[3], D(0), D("0.05"), TODAY)
    assert odd.missing == D("0.05")  # 0.045 -> 0.05


def golden_sales() -> list[tuple[str, str, str, str]]:
    return [
        ("2026-01-15", BIG, "16000.00", ""), ("2026-02-10", SMALL, "9000.00", ""),
        ("2026-03-10", BIG, "14000.00", ""), ("2026-04-10", BIG, "15000.00", ""),
        ("2026-05-12", SMALL, "16000.00", ""), ("2026-06-30", BIG, "15500.00", ""),
        ("2026-07-01", BIG, "5000.00", ""), ("2026-08-01", BIG, "5000.00", ""),
        ("2026-09-01", BIG, "5000.00", ""), ("2026-10-20", BIG, "20000.00", ""),
        ("2026-11-03", BIG, "8000.00", ""), ("2026-11-20", SMALL, "3234.56", ""),
    ]


def test_year_so_far_counts_each_bonus_in_the_period_where_it_ends(pay_vault):
    y = year(pay_vault(plan(bonuses=BONUSES), golden_sales()))
    assert len(y.rows) == 11 and y.rows[-1].current and y.current is y.rows[-1]
    bonuses = {r.period.start.month: r.bonuses for r in y.rows if r.bonuses}
    # a month of 15 000 budget met in January, April, May, June and October (500 each);
    # Q2 (46 500 of 45 000) pays 3 000 in June; Q1 (39 000) and Q3 (15 000) missed
    assert bonuses == {1: D(500), 4: D(500), 5: D(500), 6: D(3500), 10: D(500)}
    assert {c.bonus.name: c.state for c in y.bonuses} == {
        "Monthly target": "pending", "Quarter target": "pending", "Year target": "pending"}
    assert y.total.total == sum(r.total for r in y.rows)
    assert y.total.total == y.total.base + y.total.commission.amount + y.total.bonuses


def test_quarter_period_lists_its_months(pay_vault):
    root = pay_vault(plan(period="quarter", start=4), golden_sales())
    y = year(root)
    assert [r.period.number for r in y.rows] == [1, 2, 3]
    assert [m.month.month for m in y.rows[-1].months] == [10, 11]
    assert y.current.base == D("21000.00")
    text = render(root)
    assert "# Pay: Q3 (October 2026 – December 2026)" in text
    assert "more this quarter lifts the rate to" in text
    assert "| · November 2026 | PLN 15,000.00 | PLN 11,234.56 |" in text


@pytest.mark.parametrize("start", [1, 4, 12])
def test_every_day_of_the_year_renders_for_any_fiscal_start(pay_vault, start):
    """The first and last month of a fiscal year, a quarter's edges: no crash, totals hold."""
    cfg = plan(period="quarter", bonuses=BONUSES, benefits=BENEFITS, start=start)
    vault = load_vault(pay_vault(cfg, golden_sales()), git=False)
    for day in (date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1), date(2026, 11, 30),
                date(2026, 12, 31)):
        book = Book.of(vault, day)
        y = pay_year(book)
        assert y.current.period.start <= day < y.current.period.end
        assert y.total.total == sum(r.total for r in y.rows)
        rendered = render_views(vault, day)
        assert not rendered.problems
        assert {"Budget.md", "Pay.md"} <= set(rendered.files)


@pytest.mark.parametrize("locale", ["pl", "en"])
def test_pay_md_golden(pay_vault, locale, update_golden):
    text = render(pay_vault(plan(bonuses=BONUSES, benefits=BENEFITS), golden_sales(), locale))
    assert "- [ ]" not in text
    check_golden(GOLDEN / "pay" / locale / "Pay.md", text, update_golden)


def test_rates_keep_their_decimals():
    assert percent(D("0.025"), "pl") == "2,5%" and percent(D("0.025"), "en") == "2.5%"
    assert percent(D("1.0"), "en") == "100%" and percent(D("0.01"), "en") == "1%"


# --- what is missing -------------------------------------------------------------------------

def test_no_pay_plan_still_renders_and_shows_how_to_add_one(pay_vault):
    root = pay_vault("owner: x\nlocale: {locale}\n", golden_sales())
    text = render(root)
    assert "No pay plan yet: add a `pay:` block to `salesnotes.yaml`" in text
    assert "```yaml\npay:\n  base: 7000.00\n" in text
    assert "Budget.md" in render_views(load_vault(root, git=False), TODAY).files
    pl = render(pay_vault("owner: x\nlocale: {locale}\n", locale="pl"))
    assert "Brak planu wynagrodzenia: dopisz blok `pay:`" in pl


def test_no_ledger_still_renders(pay_vault):
    text = render(pay_vault(plan(bonuses=BONUSES)))
    assert "No sales ledger yet" in text and "`salesnotes import sales FILE`" in text
    assert "| **Total** | **PLN 7,000.00** |" in text


def test_no_budget_means_no_commission_and_says_so(pay_vault):
    root = pay_vault(plan(bonuses=BONUSES), [("2026-11-03", BIG, "100.00", "")],
                     budgets=("0", "0"))
    assert commission(D(100), D(0), THREE_BANDS) is None
    text = render(root)
    assert "This period has no budget" in text
    assert "| Quarter target | Q4 (October 2026 – December 2026) | 100% | – | no budget |" in text


# --- pay.svg ---------------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("locale", ["pl", "en"])
def test_pay_svg_golden(pay_vault, locale, update_golden):
    root = pay_vault(plan(bonuses=BONUSES, benefits=BENEFITS), golden_sales(), locale)
    rendered = render_views(load_vault(root, git=False), TODAY)
    check_golden(GOLDEN / "pay" / locale / "pay.svg", rendered.files["pay.svg"], update_golden)


def svg_of(root: Path) -> ET.Element:
    rendered = render_views(load_vault(root, git=False), TODAY)
    assert "](pay.svg)" in rendered.files["Pay.md"].decode()
    return ET.fromstring(rendered.files["pay.svg"])


def band_edges(tree: ET.Element) -> list[tuple[float, float]]:
    return [(float(r.get("x")), float(r.get("x")) + float(r.get("width")))
            for r in tree.iter(f"{SVG}rect") if r.get("class") == "band"]


def test_pay_svg_shows_the_bands_the_position_and_the_distance_to_the_next(pay_vault):
    """November: budget 15 000 (120 000 + 60 000 over 12), sales 3 000 -> 20%, 9 000.00 short
    of the 3% band at 80%."""
    root = pay_vault(plan(), [("2026-11-03", BIG, "3000.00", "")])
    tree = svg_of(root)
    assert not list(tree.iter(f"{SVG}title"))
    bands = band_edges(tree)
    assert len(bands) == 3
    texts = [t.text for t in tree.iter(f"{SVG}text")]
    assert ["1%", "3%", "5%"] == [t for t in texts if t in ("1%", "3%", "5%")]
    zero, eighty = bands[0][0], bands[1][0]
    you = next(g for g in tree.iter(f"{SVG}g") if g.get("class") == "you")
    at = float(you.find(f"{SVG}line").get("x1"))
    assert at - zero == pytest.approx((eighty - zero) * 20 / 80, abs=0.2)
    assert "You: 20% · PLN 3k" in texts
    assert "PLN 9,000.00 more to the 3% rate" in texts
    arrow = next(g for g in tree.iter(f"{SVG}g") if g.get("class") == "to-next")
    line = arrow.find(f"{SVG}line")
    assert (float(line.get("x1")), float(line.get("x2"))) == (pytest.approx(at, abs=0.1),
                                                              pytest.approx(eighty, abs=0.1))


def test_pay_svg_in_the_top_band_says_so(pay_vault):
    root = pay_vault(plan(), [("2026-11-03", BIG, "16000.00", "")], "pl")
    texts = [t.text for t in svg_of(root).iter(f"{SVG}text")]
    assert "Jesteś w najwyższym progu: każda kolejna sprzedaż daje 5%." in texts
    assert not any(t and "do stawki" in t for t in texts)


def test_no_plan_or_no_budget_draws_no_pay_svg(pay_vault):
    for root in (pay_vault("owner: x\nlocale: {locale}\n", golden_sales()),
                 pay_vault(plan(), [("2026-11-03", BIG, "100.00", "")], "pl",
                           budgets=("0", "0"))):
        rendered = render_views(load_vault(root, git=False), TODAY)
        assert "pay.svg" not in rendered.files
        assert "pay.svg" not in rendered.files["Pay.md"].decode()
