"""The columns an import reads, and the headers ERP and CRM exports give them.

Data, not code: the importer matches headers against these synonyms, and the config checks
the keys of its `import.*.map` (the headers a rep names once instead of `--map` each month)
against them, so both sides know the same columns without the model importing the importer.
"""

from __future__ import annotations

# key -> header synonyms; when two headers map to one key, the earlier synonym wins
COLUMNS: dict[str, tuple[str, ...]] = {
    "nip": ("NIP", "NIP nabywcy", "Nabywca NIP", "Tax ID", "VAT ID"),
    "client": ("Kontrahent", "Nabywca", "Odbiorca", "Nazwa pełna", "Pełna nazwa", "Nazwa",
               "Nazwa kontrahenta", "Nazwa skrócona", "Klient", "Client", "Customer", "Name"),
    "document": ("Numer", "Nr dokumentu", "Numer dokumentu", "Nr faktury", "Document", "Invoice",
                 "Number"),
    "date": ("Data wystawienia", "Data sprzedaży", "Data", "Date", "Invoice date"),
    "amount": ("Netto", "Wartość netto", "Kwota netto", "Amount", "Net", "Net amount"),
    "margin": ("Marża", "Zysk", "Margin"),
    "city": ("Miasto", "Miejscowość", "City", "Town"),
    "region": ("Region", "Województwo"),
    "tier": ("Segment", "Tier", "Grupa"),  # `Grupa` is a tier only if its values are tiers
    "group": ("Grupa", "Grupa kontrahentów", "Grupa kontrahenta", "Group"),
    "status": ("Status",),
    "phone": ("Telefon", "Tel", "Telefon 1", "Phone"),
    "email": ("Email", "E-mail", "Mail"),
    "budget": ("Budżet", "Budget", "Plan"),
    "potential": ("Potencjał", "Potential"),
    "owner": ("Handlowiec", "Opiekun", "Owner", "Sales rep"),
    "competitor": ("Konkurent", "Competitor"),
}
