"""Pay.md: base, commission by band, bonuses and benefits, to the grosz, and the next move.

The numbers come from salesnotes/pay.py (pure, tested); this module names them for the template,
formats rates exactly (2.5% stays 2.5%, unlike a whole-percent attainment) and registers labels.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from salesnotes.model.portfolio import Book
from salesnotes.i18n import register
from salesnotes.reports.pay import pay_year
from salesnotes.views.budget import fiscal_label, substitute

FILENAME = "Pay.md"
TEMPLATE = "Pay.md"

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

register({
    "pl": {
        "pay_title": "Wynagrodzenie",
        "pay_no_plan": "Brak planu wynagrodzenia: dopisz blok `pay:` do `salesnotes.yaml` "
                       "(podstawa, progi prowizji, premie, świadczenia), na przykład:",
        "pay_no_ledger": "Brak rejestru sprzedaży, więc przychód wynosi wszędzie 0. Zaimportuj "
                         "eksport sprzedaży z ERP: `salesnotes import sales PLIK`.",
        "pay_no_budget": "Ten okres nie ma budżetu, więc nie da się zmierzyć realizacji, prowizji "
                         "ani premii: dopisz klientom `budget:` w notatkach.",
        "pay_no_margin": "Sprzedaże bez marży w rejestrze w tym roku: {n}; liczą się jako marża 0.",
        "pay_plan_line": "Prowizja od: {basis}, okres rozliczenia: {period}. Progi są krańcowe: "
                         "stawka progu dotyczy tylko części sprzedaży mieszczącej się w progu.",
        "pay_revenue": "Przychód (sprzedaż netto)",
        "pay_margin": "Marża",
        "pay_basis_revenue": "przychodu",
        "pay_basis_margin": "marży",
        "pay_period_month": "miesiąc",
        "pay_period_quarter": "kwartał",
        "pay_current": "Bieżący okres",
        "pay_budget": "Budżet okresu",
        "pay_attainment": "Realizacja budżetu",
        "pay_next_month": "{amount} więcej w tym miesiącu podnosi stawkę do {rate}.",
        "pay_next_quarter": "{amount} więcej w tym kwartale podnosi stawkę do {rate}.",
        "pay_next_gain": "Prowizja wzrośnie wtedy o {amount}.",
        "pay_top_band": "Jesteś w najwyższym progu: każda kolejna sprzedaż daje {rate}.",
        "pay_bands": "Prowizja w progach",
        "pay_band": "Próg",
        "pay_band_range": "Realizacja",
        "pay_band_from": "Sprzedaż od",
        "pay_band_to": "do",
        "pay_in_band": "W progu",
        "pay_rate": "Stawka",
        "pay_commission": "Prowizja",
        "pay_bonuses": "Premie",
        "pay_bonus": "Premia",
        "pay_period": "Okres",
        "pay_needs": "Wymaga",
        "pay_state": "Stan",
        "pay_earned": "zdobyta",
        "pay_pending": "brakuje {amount}",
        "pay_missed": "nie zdobyta (zabrakło {amount})",
        "pay_state_no_budget": "brak budżetu",
        "pay_amount": "Kwota",
        "pay_this_period": "Wynagrodzenie za ten okres",
        "pay_base": "Podstawa",
        "pay_total": "Razem",
        "pay_year_so_far": "Rok obrachunkowy {fy} do dziś",
        "pay_benefits": "Świadczenia",
        "pay_benefit": "Świadczenie",
        "pay_limit": "Limit",
        "pay_used": "Wykorzystano",
        "pay_left": "Zostało",
        "pay_quarter": "{roman} kwartał",
        "pay_year": "rok",
        "pay_bonuses_note": "Premia liczy się w okresie, w którym kończy się jej okres, albo w "
                            "bieżącym, gdy próg jest już osiągnięty.",
    },
    "en": {
        "pay_title": "Pay",
        "pay_no_plan": "No pay plan yet: add a `pay:` block to `salesnotes.yaml` (base, "
                       "commission bands, bonuses, benefits), for example:",
        "pay_no_ledger": "No sales ledger yet, so revenue is 0 everywhere. Import your ERP's "
                         "sales export: `salesnotes import sales FILE`.",
        "pay_no_budget": "This period has no budget, so attainment, commission and bonuses cannot "
                         "be measured: give clients a `budget:` in their notes.",
        "pay_no_margin": "Sales of this year with no margin in the ledger: {n}; they count as "
                         "margin 0.",
        "pay_plan_line": "Commission on: {basis}, settled per {period}. Bands are marginal: a "
                         "band's rate applies only to the part of sales lying in that band.",
        "pay_revenue": "Revenue (net sales)",
        "pay_margin": "Margin",
        "pay_basis_revenue": "revenue",
        "pay_basis_margin": "margin",
        "pay_period_month": "month",
        "pay_period_quarter": "quarter",
        "pay_current": "This period",
        "pay_budget": "Period budget",
        "pay_attainment": "Attainment",
        "pay_next_month": "{amount} more this month lifts the rate to {rate}.",
        "pay_next_quarter": "{amount} more this quarter lifts the rate to {rate}.",
        "pay_next_gain": "Commission then grows by {amount}.",
        "pay_top_band": "You are in the top band: every further sale earns {rate}.",
        "pay_bands": "Commission by band",
        "pay_band": "Band",
        "pay_band_range": "Attainment",
        "pay_band_from": "Sales from",
        "pay_band_to": "to",
        "pay_in_band": "In band",
        "pay_rate": "Rate",
        "pay_commission": "Commission",
        "pay_bonuses": "Bonuses",
        "pay_bonus": "Bonus",
        "pay_period": "Period",
        "pay_needs": "Needs",
        "pay_state": "Status",
        "pay_earned": "earned",
        "pay_pending": "{amount} to go",
        "pay_missed": "missed (short by {amount})",
        "pay_state_no_budget": "no budget",
        "pay_amount": "Amount",
        "pay_this_period": "Pay for this period",
        "pay_base": "Base",
        "pay_total": "Total",
        "pay_year_so_far": "Fiscal year {fy} so far",
        "pay_benefits": "Benefits",
        "pay_benefit": "Benefit",
        "pay_limit": "Limit",
        "pay_used": "Used",
        "pay_left": "Left",
        "pay_quarter": "Q{n}",
        "pay_year": "year",
        "pay_bonuses_note": "A bonus counts in the period where its own period ends, or in this "
                            "one once its threshold is reached.",
    },
})

ROMAN = ("I", "II", "III", "IV")


def percent(fraction: Decimal | None, locale: str) -> str:
    """An exact percentage: 0.01 -> `1%`, 0.025 -> `2,5%` (pl) / `2.5%` (en)."""
    if fraction is None:
        return "–"
    text = format((fraction * 100).normalize(), "f")
    return (text.replace(".", ",") if locale == "pl" else text) + "%"


def context(book: Book) -> dict[str, Any]:
    locale = book.config.locale
    return {
        "p": pay_year(book),
        "today": book.today,
        "fy": fiscal_label(book.fy_start),
        "example_plan": EXAMPLE_PLAN,
        "rate": lambda fraction: percent(fraction, locale),
        "roman": ROMAN,
        "sub": substitute,
    }
