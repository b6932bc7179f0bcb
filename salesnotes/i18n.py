"""Labels of every view in Polish and English, and plural forms by babel's CLDR rules.

Views never hard-code words: templates ask `t.key` (or `t.plural('client', n)`), so a user's
template override works in both languages, and `1 klient, 2 klientów, 5 klientów` is right.
"""

from __future__ import annotations

from functools import lru_cache

# Words with a count: CLDR categories (pl: one, few, many, other; en: one, other).
PLURALS: dict[str, dict[str, dict[str, str]]] = {
    "client": {"pl": {"one": "klient", "few": "klientów", "many": "klientów", "other": "klienta"},
               "en": {"one": "client", "other": "clients"}},
    "day": {"pl": {"one": "dzień", "few": "dni", "many": "dni", "other": "dnia"},
            "en": {"one": "day", "other": "days"}},
    "problem": {"pl": {"one": "problem", "few": "problemy", "many": "problemów",
                       "other": "problemu"},
                "en": {"one": "problem", "other": "problems"}},
    "task": {"pl": {"one": "zadanie", "few": "zadania", "many": "zadań", "other": "zadania"},
             "en": {"one": "task", "other": "tasks"}},
    "contact": {"pl": {"one": "kontakt", "few": "kontakty", "many": "kontaktów",
                       "other": "kontaktu"},
                "en": {"one": "contact", "other": "contacts"}},
    "opportunity": {"pl": {"one": "szansa", "few": "szanse", "many": "szans", "other": "szansy"},
                    "en": {"one": "opportunity", "other": "opportunities"}},
    "note": {"pl": {"one": "notatka", "few": "notatki", "many": "notatek", "other": "notatki"},
             "en": {"one": "note", "other": "notes"}},
    "item": {"pl": {"one": "punkt", "few": "punkty", "many": "punktów", "other": "punktu"},
             "en": {"one": "item", "other": "items"}},
}

# Plain labels shared by all views; each view may add its own with `register`.
LABELS: dict[str, dict[str, str]] = {
    "pl": {
        "ok": "oddycha", "due": "kontakt w tym tygodniu", "overdue": "po terminie",
        "never": "bez kontaktu", "tier": "Segment", "status": "Status", "client": "Klient",
        "clients": "Klienci", "total": "Razem", "budget": "Budżet", "actual": "Wykonanie",
        "potential": "Potencjał", "next_step": "Następny krok", "last_contact": "Ostatni kontakt",
        "next_contact": "Następny kontakt", "breath": "Oddech", "region": "Region",
        "prospect": "potencjalny", "active": "aktywny", "dormant": "uśpiony", "lost": "utracony",
        "problems": "Problemy w notatkach", "none": "brak", "legend": "Legenda",
    },
    "en": {
        "ok": "breathing", "due": "due this week", "overdue": "overdue", "never": "never contacted",
        "tier": "Tier", "status": "Status", "client": "Client", "clients": "Clients",
        "total": "Total", "budget": "Budget", "actual": "Actual", "potential": "Potential",
        "next_step": "Next step", "last_contact": "Last contact", "next_contact": "Next contact",
        "breath": "Breath", "region": "Region", "prospect": "prospect", "active": "active",
        "dormant": "dormant", "lost": "lost", "problems": "Problems in notes", "none": "none",
        "legend": "Legend",
    },
}


def register(labels: dict[str, dict[str, str]],
             plurals: dict[str, dict[str, dict[str, str]]] | None = None) -> None:
    """Add a view's own labels (both languages must be given, so none is ever missing)."""
    missing = set(labels["pl"]) ^ set(labels["en"])
    if missing:
        raise ValueError(f"labels missing in one language: {sorted(missing)}")
    for lang in ("pl", "en"):
        LABELS[lang].update(labels[lang])
    PLURALS.update(plurals or {})
    _plural_rule.cache_clear()


@lru_cache(maxsize=4)
def _plural_rule(locale: str):  # noqa: ANN202 - babel type
    from babel import Locale

    return Locale.parse("pl_PL" if locale == "pl" else "en_US").plural_form


@lru_cache(maxsize=4096)
def _int_category(locale: str, n: int) -> str:
    """The CLDR category of a whole number, cached: a view asks it for thousands of rows (days
    late, tasks), and babel evaluates the rule in Python. Only ints: 1.0 is not 1 in CLDR."""
    return _plural_rule(locale)(n)


class Labels:
    """`t.overdue`, `t['overdue']`, `t.plural('client', 3)` -> '3 klientów'."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LABELS else "en"

    def __getattr__(self, key: str) -> str:
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def __getitem__(self, key: str) -> str:
        try:
            return LABELS[self.locale][key]
        except KeyError:
            raise KeyError(f"no label {key!r} in locale {self.locale!r}") from None

    def word(self, noun: str, n: int) -> str:
        forms = PLURALS[noun][self.locale]
        category = (_int_category(self.locale, n) if n.__class__ is int
                    else _plural_rule(self.locale)(n))
        return forms.get(category, forms["other"])

    def plural(self, noun: str, n: int) -> str:
        return f"{n} {self.word(noun, n)}"
