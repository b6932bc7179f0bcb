"""One NIP, one company: its sales are counted once in every figure of every view.

Branches share their head's NIP (`branch:` on every note but the head); an undeclared duplicate
is a `check` problem and is counted once too, on the first note by path. The property at the end
holds for any vault and ledger: every sales total of Portfolio, Budget and Pay equals the
ledger's sum for its period, to the grosz.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from conftest import TODAY, write_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesnotes.load.vault import load_vault
from salesnotes.model.ledger import Sale, ledger_files
from salesnotes.model.portfolio import Book
from salesnotes.reports.budget import budget_year
from salesnotes.reports.pay import pay_year
from salesnotes.views import portfolio

NIP_A, NIP_B, NIP_C = "5260250274", "7740001454", "9542751368"
UNKNOWN = "1234563218"
CONFIG = """owner: Test
locale: en
pay:
  base: 7000.00
  commission:
    basis: revenue
    period: quarter
    rates:
      - {from: 0.0, rate: 0.01}
      - {from: 1.0, rate: 0.05}
"""


def note(name: str, nip: str | None, *, branch: str | None = None, budget: str | None = None,
         potential: str | None = None) -> str:
    lines = [f"name: {name}", f'nip: "{nip}"' if nip else "", f"branch: {branch}" if branch else "",
             f"budget: {budget}" if budget else "", f"potential: {potential}" if potential else ""]
    return "---\n" + "".join(f"{line}\n" for line in lines if line) + f"---\n# {name}\n"


def ledger(*rows: tuple[str, str, str | None, str]) -> dict[str, str]:
    sales = [Sale(date.fromisoformat(day), doc, nip, "ERP name", Decimal(amount))
             for day, doc, nip, amount in rows]
    return {rel: data.decode() for rel, data in ledger_files(sales).items()}


BRANCHES = {
    "clients/Hydro-Tech.md": note("Hydro-Tech", NIP_A, budget="100000", potential="300000"),
    "clients/Hydro-Tech Gdańsk.md": note("Hydro-Tech Gdańsk", NIP_A, branch="Gdańsk",
                                         budget="50000", potential="100000"),
    "clients/Hydro-Tech Łódź.md": note("Hydro-Tech Łódź", NIP_A, branch="Łódź"),
    "clients/Beta 1.md": note("Beta 1", NIP_B, budget="20000"),
    "clients/Beta 2.md": note("Beta 2", NIP_B, budget="10000"),
    **ledger(("2026-03-05", "FV/1", NIP_A, "100000.00"), ("2026-04-05", "FV/2", NIP_A, "20000.50"),
             ("2026-05-05", "FV/3", NIP_B, "5000.25"), ("2026-06-05", "FV/4", UNKNOWN, "1.00")),
}
LEDGER_SUM = Decimal("125001.75")


def test_branches_carry_no_money_and_check_accepts_them(make_vault, run):
    vault = make_vault(BRANCHES, config=CONFIG)
    result = run("check", "--json", "--vault", str(vault))
    problems = json.loads(result.stdout)["problems"]
    assert sorted(p["path"] for p in problems) == ["clients/Beta 1.md", "clients/Beta 2.md"]
    assert problems[0]["message"].startswith("duplicate NIP '7740001454': also in clients/Beta 2.md"
                                             " (its sales are counted once, on clients/Beta 1.md;")
    book = Book.of(load_vault(vault, git=False), TODAY)
    rows = {r.name: r for r in book.rows}
    head, gdansk, lodz = rows["Hydro-Tech"], rows["Hydro-Tech Gdańsk"], rows["Hydro-Tech Łódź"]
    assert (head.actual_ytd, head.budget, head.potential, head.counted_on) == (
        Decimal("120000.50"), Decimal("150000"), Decimal("400000"), None)
    for branch in (gdansk, lodz):
        assert (branch.actual_ytd, branch.budget, branch.potential) == (0, None, None)
        assert branch.counted_on is head.note
    assert (rows["Beta 1"].actual_ytd, rows["Beta 2"].actual_ytd) == (Decimal("5000.25"), 0)
    assert rows["Beta 2"].counted_on is rows["Beta 1"].note
    assert_every_total_is_the_ledger(book)


def test_the_views_say_where_a_shared_nip_is_counted(make_vault, run):
    vault = make_vault(BRANCHES, config=CONFIG)
    assert run("review", "--no-commit", "--vault", str(vault)).exit_code == 1  # Beta: a problem
    budget = (vault / "views" / "Budget.md").read_text(encoding="utf-8")
    assert "| Actual to date | **PLN 125,001.75** |" in budget
    section = budget.split("## One NIP, several notes (2)")[1].split("\n## ")[0]
    assert ("| 5260250274 | [Hydro-Tech](../clients/Hydro-Tech.md) | [Hydro-Tech Gdańsk]"
            "(../clients/Hydro-Tech%20Gda%C5%84sk.md) (Gdańsk), [Hydro-Tech Łódź]"
            "(../clients/Hydro-Tech%20%C5%81%C3%B3d%C5%BA.md) (Łódź) |") in section
    assert "| 7740001454 | [Beta 1](../clients/Beta%201.md) | [Beta 2](../clients/Beta%202.md)" \
           " · ⚠️ not declared" in section
    folio = (vault / "views" / "Portfolio.md").read_text(encoding="utf-8")
    assert ("> ⚠️ NIP 7740001454 is in 2 notes without `branch:`: its sales are counted once, on "
            "clients/Beta 1.md") in folio
    assert "PLN 125,001.75" in folio


def assert_every_total_is_the_ledger(book: Book) -> None:
    """Every sales total of Portfolio, Budget and Pay is the ledger's sum for its period."""
    start = book.sales_from  # the fiscal year's start, or the ledger's when later
    total = sum((s.amount for s in book.vault.sales if start <= s.date <= book.today), Decimal(0))
    folio = portfolio.context(book)
    assert folio["revenue"] is None or folio["revenue"].actual == total
    if folio["revenue"] is not None:
        assert folio["totals"].actual_ytd + folio["revenue"].unmatched == total
    assert sum((s.actual_ytd for s in folio["tiers"]), Decimal(0)) == folio["totals"].actual_ytd
    year = budget_year(book)
    assert year.total.actual == total
    assert sum((m.actual or 0 for m in year.months), Decimal(0)) == total
    assert year.tier_total.actual == total
    assert sum((s.actual for s in year.tiers), Decimal(0)) == total
    per_client = (sum((c.actual for c in year.clients), Decimal(0))
                  + sum((c.actual for c in year.sales_no_budget), Decimal(0))
                  + sum((u.amount for u in year.unmatched), Decimal(0)))
    assert per_client == total
    pay = pay_year(book)
    if pay is not None:
        assert pay.total.revenue == total
        assert sum((r.revenue for r in pay.rows), Decimal(0)) == total


NIPS = st.sampled_from([NIP_A, NIP_B, None])
MONEY = st.decimals(min_value=Decimal("-999999.99"), max_value=Decimal("999999.99"), places=2)
NOTES = st.lists(st.tuples(NIPS, st.booleans(), st.one_of(st.none(), MONEY.map(abs)),
                           st.booleans()), min_size=1, max_size=7)
SALES = st.lists(st.tuples(st.dates(date(2025, 11, 1), date(2027, 1, 31)),
                           st.sampled_from([NIP_A, NIP_B, UNKNOWN, None]), MONEY),
                 min_size=1, max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NOTES, SALES, st.sampled_from([1, 4, 10]), st.sampled_from([None, "2026-03", "2026-10"]))
def test_every_sales_total_equals_the_ledger_to_the_grosz(notes, sales, fy_start, start):
    """Random vaults (shared NIPs, branches, broken notes, notes without a NIP), ledgers
    (unknown NIPs, sales without a NIP, corrections, dates outside the year) and ledger starts
    (sales before a configured `ledger_start` count in no figure)."""
    files: dict[str, str | bytes] = {}
    for i, (nip, branch, budget, broken) in enumerate(notes):
        text = note(f"C{i}", nip, branch=f"B{i}" if branch else None,
                    budget=None if budget is None else str(budget))
        files[f"clients/C{i}.md"] = text.replace("---\n#", "tier: [\n---\n#") if broken else text
    files.update(ledger(*((day.isoformat(), f"FV/{i}", nip, str(amount))
                          for i, (day, nip, amount) in enumerate(sales))))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "clients").mkdir()
        config = CONFIG + f"fiscal_year_start: {fy_start}\n"
        config += f"ledger_start: {start}\n" if start else ""
        (root / "salesnotes.yaml").write_text(config, encoding="utf-8")
        write_files(root, files)
        vault = load_vault(root, git=False, cache=False)
        assert len(vault.sales) == len(sales)
        assert_every_total_is_the_ledger(Book.of(vault, TODAY))
