"""Budget.md: the revenue budget table, plan vs actual vs forecast, per month, tier and client.

The numbers come from salesnotes/budget.py (pure, tested); this module only names them for the
template and registers the view's labels in both languages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from salesnotes.model.portfolio import Book, add_months
from salesnotes.reports.budget import budget_year
from salesnotes.i18n import register

FILENAME = "Budget.md"
TEMPLATE = "Budget.md"

register({
    "pl": {
        "bud_title": "Budżet sprzedaży",
        "bud_as_of": "Stan na",
        "bud_fiscal_year": "Rok obrachunkowy",
        "bud_no_ledger": "Brak rejestru sprzedaży, więc wykonanie wynosi wszędzie 0. Zaimportuj "
                         "eksport sprzedaży z ERP: `salesnotes import sales PLIK`.",
        "bud_no_budgets": "Żaden klient nie ma jeszcze budżetu. Dopisz w nagłówku notatki klienta "
                          "jego budżet na ten rok obrachunkowy, np. `budget: 150000`.",
        "bud_glance": "W skrócie",
        "bud_year_budget": "Budżet na rok",
        "bud_to_date": "Budżet do dziś",
        "bud_actual_to_date": "Wykonanie do dziś",
        "bud_attainment_to_date": "Realizacja do dziś",
        "bud_gap_to_date": "Luka do dziś",
        "bud_forecast_year": "Prognoza roku",
        "bud_of_budget": "budżetu",
        "bud_what": "Co trzeba zrobić",
        "bud_what_left": "Do sprzedania w tym roku: {amount} w {months} (z bieżącym): "
                         "**{needed} miesięcznie**.",
        "bud_what_met": "Budżet roku wykonany: {amount} ponad plan.",
        "bud_what_rate": "Dotychczasowe tempo: {rate} miesięcznie (średnia z {months}); "
                         "plan wymaga {ratio} tego tempa.",
        "bud_what_rate_only": "Dotychczasowe tempo: {rate} miesięcznie (średnia z {months}).",
        "bud_what_first": "To pierwszy miesiąc roku: tempa jeszcze nie ma.",
        "bud_what_month": "W tym miesiącu: sprzedane {actual} z {budget} budżetu; "
                          "zostało {left}.",
        "bud_months": "Miesiące",
        "bud_month": "Miesiąc",
        "bud_pct": "%",
        "bud_cum_budget": "Budżet narast.",
        "bud_cum_actual": "Wykonanie narast.",
        "bud_cum_pct": "% narast.",
        "bud_forecast": "Prognoza",
        "bud_months_note": "Budżet klienta rozłożony na miesiące wg `seasonality` (pierwsza waga "
                           "to pierwszy miesiąc roku obrachunkowego). Prognoza: wykonanie plus, "
                           "od bieżącego miesiąca, szanse ważone prawdopodobieństwem w miesiącu "
                           "zamknięcia.",
        "bud_tiers": "Segmenty",
        "bud_clients_n": "Klienci",
        "bud_no_note": "sprzedaż bez notatki klienta",
        "bud_by_gap": "Klienci wg luki do dziś",
        "bud_by_gap_note": "Luka = budżet do dziś − wykonanie do dziś; największe braki na górze. "
                           "Budżet do dziś obejmuje bieżący miesiąc proporcjonalnie do dni.",
        "bud_gap": "Luka",
        "bud_no_sales": "Z budżetem, bez sprzedaży w tym roku",
        "bud_no_sales_note": "Te firmy mają plan, a nic jeszcze nie kupiły: zadzwoń najpierw do "
                             "największych.",
        "bud_no_budget": "Ze sprzedażą, bez budżetu",
        "bud_no_budget_note": "Dopisz im `budget:` w notatce, żeby ich sprzedaż miała plan.",
        "bud_unmatched": "Sprzedaż bez notatki klienta",
        "bud_unmatched_note": "NIP-y z rejestru, których nie ma żadna notatka. Utwórz notatki: "
                              "`salesnotes import sales PLIK --create-missing` albo "
                              "`salesnotes new NAZWA --nip NIP`.",
        "bud_ledger_client": "Kontrahent w rejestrze",
        "bud_documents": "Dokumenty",
        "bud_stale": "Szanse po terminie zamknięcia",
        "bud_stale_note": "Miesiąc zamknięcia minął, więc nie liczą się do prognozy: zaktualizuj "
                          "`close::` albo usuń szansę.",
        "bud_stale_more": "i {n} więcej",
        "bud_opportunity": "Szansa",
        "bud_close": "Zamknięcie",
        "bud_value": "Wartość",
        "bud_weighted": "Ważona",
        "bud_next_step": "Następny krok",
    },
    "en": {
        "bud_title": "Sales budget",
        "bud_as_of": "As of",
        "bud_fiscal_year": "Fiscal year",
        "bud_no_ledger": "No sales ledger yet, so every actual is 0. Import your ERP's sales "
                         "export: `salesnotes import sales FILE`.",
        "bud_no_budgets": "No client has a budget yet. Add this fiscal year's budget to the "
                          "front-matter of each client note, e.g. `budget: 150000`.",
        "bud_glance": "At a glance",
        "bud_year_budget": "Budget for the year",
        "bud_to_date": "Budget to date",
        "bud_actual_to_date": "Actual to date",
        "bud_attainment_to_date": "Attainment to date",
        "bud_gap_to_date": "Gap to date",
        "bud_forecast_year": "Forecast for the year",
        "bud_of_budget": "of budget",
        "bud_what": "What it takes",
        "bud_what_left": "Still to sell this year: {amount} in {months} (this one included): "
                         "**{needed} a month**.",
        "bud_what_met": "The year's budget is met: {amount} above plan.",
        "bud_what_rate": "Run rate so far: {rate} a month (average of {months}); the plan needs "
                         "{ratio} of it.",
        "bud_what_rate_only": "Run rate so far: {rate} a month (average of {months}).",
        "bud_what_first": "This is the year's first month: there is no run rate yet.",
        "bud_what_month": "This month: sold {actual} of a {budget} budget; {left} to go.",
        "bud_months": "Months",
        "bud_month": "Month",
        "bud_pct": "%",
        "bud_cum_budget": "Cum. budget",
        "bud_cum_actual": "Cum. actual",
        "bud_cum_pct": "Cum. %",
        "bud_forecast": "Forecast",
        "bud_months_note": "Each client's budget is spread over the months by `seasonality` (the "
                           "first weight is the fiscal year's first month). Forecast: actual plus, "
                           "from this month on, opportunities weighted by probability in their "
                           "close month.",
        "bud_tiers": "Tiers",
        "bud_clients_n": "Clients",
        "bud_no_note": "sales of no client note",
        "bud_by_gap": "Clients by gap to date",
        "bud_by_gap_note": "Gap = budget to date − actual to date; the biggest shortfalls first. "
                           "Budget to date counts this month pro rata by days.",
        "bud_gap": "Gap",
        "bud_no_sales": "Budget and no sales this year",
        "bud_no_sales_note": "These clients have a plan and have bought nothing yet: call the "
                             "biggest first.",
        "bud_no_budget": "Sales and no budget",
        "bud_no_budget_note": "Add `budget:` to their notes so their sales have a plan.",
        "bud_unmatched": "Sales of no client note",
        "bud_unmatched_note": "NIPs in the ledger that no note has. Create the notes: "
                              "`salesnotes import sales FILE --create-missing` or "
                              "`salesnotes new NAME --nip NIP`.",
        "bud_ledger_client": "Client in the ledger",
        "bud_documents": "Documents",
        "bud_stale": "Opportunities past their close month",
        "bud_stale_note": "Their close month has passed, so they are not forecast: update "
                          "`close::` or remove them.",
        "bud_stale_more": "and {n} more",
        "bud_opportunity": "Opportunity",
        "bud_close": "Close",
        "bud_value": "Value",
        "bud_weighted": "Weighted",
        "bud_next_step": "Next step",
    },
}, plurals={
    "bud_month_in": {"pl": {"one": "miesiącu", "few": "miesiącach", "many": "miesiącach",
                            "other": "miesiąca"},
                     "en": {"one": "month", "other": "months"}},
    "bud_month_of": {"pl": {"one": "miesiąca", "few": "miesięcy", "many": "miesięcy",
                            "other": "miesiąca"},
                     "en": {"one": "month", "other": "months"}},
})


def fiscal_label(start: date) -> str:
    """`2026` for a calendar fiscal year, `2026/27` for one starting later in the year."""
    return str(start.year) if start.month == 1 else f"{start.year}/{(start.year + 1) % 100:02d}"


def context(book: Book) -> dict[str, Any]:
    year = budget_year(book)
    return {
        "y": year,
        "clients_total": year.clients_total,
        "forecast_share": year.forecast_share,
        "fy": fiscal_label(year.fy_start),
        "fy_last": add_months(year.fy_end, -1),
        "sub": substitute,
    }


def substitute(text: str, **values: Any) -> str:
    """Fill `{name}` placeholders of a label (templates pass already formatted values)."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text
