"""The ledger's start: a rep who imports October to December sees no alarm about January.

Months before the ledger's first month (or `ledger_start`) show "no data", and every to-date
figure (budget, attainment, pace, pay) counts from it. The export is written as an ERP writes it.
"""

from __future__ import annotations

from decimal import Decimal

from conftest import TODAY, write

from salesnotes.load.vault import load_vault
from salesnotes.model.portfolio import Book
from salesnotes.reports.budget import budget_year
from salesnotes.reports.pay import pay_year

NIP = "5260250274"
NOTE = f'---\nname: Hydro-Tech\nnip: "{NIP}"\nbudget: 120000\n---\n# Hydro-Tech\n'
CONFIG = """owner: Test
locale: en
pay:
  base: 7000.00
  commission:
    basis: revenue
    period: quarter
    rates:
      - {from: 0.0, rate: 0.01}
"""


def october_export() -> bytes:
    lines = ["Data;Numer;NIP;Kontrahent;Netto",
             f"02.10.2026;FV/1/10;{NIP};Hydro-Tech;9\u00a0000,00",
             f"20.10.2026;FV/2/10;{NIP};Hydro-Tech;1\u00a0500,00",
             f"05.11.2026;FV/1/11;{NIP};Hydro-Tech;8\u00a0000,00",
             "Razem;;;;18\u00a0500,00"]
    return ("\r\n".join(lines) + "\r\n").encode("cp1250")


def test_a_ledger_starting_in_october_counts_from_october(make_vault, run, tmp_path):
    vault = make_vault({"clients/Hydro-Tech.md": NOTE}, config=CONFIG)
    source = write(tmp_path, "pazdziernik-listopad.csv", october_export())
    assert run("import", "sales", str(source), "--vault", str(vault)).exit_code == 0
    book = Book.of(load_vault(vault, git=False), TODAY)
    year = budget_year(book)
    assert [m.no_data for m in year.months] == [True] * 9 + [False] * 3
    # to date: October's 10,000 and 27/30 of November's
    assert year.tier_total.to_date == Decimal("19000.00")
    assert year.tier_total.actual == Decimal("18500.00")
    assert year.what.completed == 1 and year.what.run_rate == Decimal("10500.00")
    # still to sell: Oct-Dec's 30,000 less 18,500, over the two months left
    assert year.what.needed == Decimal("5750.00")
    pay = pay_year(book)
    assert [r.no_data for r in pay.rows] == [True, True, True, False]
    assert (pay.current.budget, pay.current.revenue) == (Decimal("30000.00"), Decimal("18500.00"))
    assert run("review", "--no-commit", "--vault", str(vault)).exit_code == 0
    text = (vault / "views" / "Budget.md").read_text(encoding="utf-8")
    assert ("The sales ledger starts in October 2026: months before it have no data, and every "
            "to-date figure counts from it. (its first month;") in text
    assert "| January 2026 | PLN 10,000.00 | *no data* | | | | | |" in text
    assert "| Attainment to date | **97%** |" in text
    assert "the plan needs 55% of it" in text
    pay_md = (vault / "views" / "Pay.md").read_text(encoding="utf-8")
    assert "| Q1 (January 2026 – March 2026) | *no data* |" in pay_md


def test_ledger_start_in_the_config_moves_the_start(make_vault, run, tmp_path):
    vault = make_vault({"clients/Hydro-Tech.md": NOTE}, config=CONFIG + "ledger_start: 2026-09\n")
    source = write(tmp_path, "s.csv", october_export())
    assert run("import", "sales", str(source), "--vault", str(vault)).exit_code == 0
    year = budget_year(Book.of(load_vault(vault, git=False), TODAY))
    assert [m.no_data for m in year.months] == [True] * 8 + [False] * 4
    assert year.months[8].actual == 0  # September: in the ledger's time, nothing sold
    assert run("review", "--no-commit", "--vault", str(vault)).exit_code == 0
    text = (vault / "views" / "Budget.md").read_text(encoding="utf-8")
    assert "starts in September 2026" in text and "(`ledger_start` in salesnotes.yaml)" in text
    bad = make_vault({}, config="ledger_start: 2026-13\n", name="bad")
    result = run("check", "--vault", str(bad))
    assert "salesnotes.yaml:1: ledger_start: nie ma takiego miesiąca: '2026-13'" in result.stderr
