"""The label catalogs: one per locale, complete in every locale, one term per idea."""

import ast
import re
import string
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from babel import Locale

from salesnotes.i18n import CATALOGS, LOCALES, Labels, catalog

PACKAGE = Path(__file__).parent.parent / "salesnotes"
CLDR = {"pl": "pl_PL", "en": "en_US"}
# One term per idea: the word a locale uses, and the synonyms it must not use beside it.
GLOSSARY = {
    "pl": {"rok obrachunkowy": ["rok obrotow", "roku obrotow", "rok finansow", "roku finansow",
                                "rok budżetow", "roku budżetow"],
           "sejf": ["skarb"],  # the vault, as Obsidian's Polish calls it
           "wiersz": ["linia", "linii", "linią"]},  # a line of a file, as in `path:line`
    "en": {"fiscal year": ["financial year", "business year", "accounting year"]},
}
VAULT_TEMPLATE = PACKAGE.parent / "vault_template"

# Messages whose locales name the fields differently on purpose (the code passes all of them).
FIELDS_DIFFER = {"pay_quarter"}  # "III kwartał" / "Q3"


def _raw(locale: str) -> dict:
    return yaml.safe_load((CATALOGS / f"{locale}.yaml").read_text(encoding="utf-8"))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_key_is_in_every_locale():
    raw = {locale: _raw(locale) for locale in LOCALES}
    for section in ("labels", "plurals"):
        keys = {locale: set(raw[locale][section]) for locale in LOCALES}
        for locale in LOCALES:
            missing = set().union(*keys.values()) - keys[locale]
            assert not missing, f"{locale}.yaml {section} lacks {sorted(missing)}"


def test_a_missing_key_is_caught(tmp_path, monkeypatch):
    """The check above can fail: a catalog with one key less is reported."""
    en = _raw("en")
    del en["labels"]["pf_title"]
    (tmp_path / "en.yaml").write_text(yaml.safe_dump(en, allow_unicode=True), encoding="utf-8")
    (tmp_path / "pl.yaml").write_text((CATALOGS / "pl.yaml").read_text(encoding="utf-8"),
                                      encoding="utf-8")
    monkeypatch.setitem(globals(), "CATALOGS", tmp_path)
    with pytest.raises(AssertionError, match="en.yaml labels lacks \\['pf_title'\\]"):
        test_every_key_is_in_every_locale()


def test_a_message_has_the_same_fields_in_every_locale():
    labels = {locale: catalog(locale).labels for locale in LOCALES}
    for key, text in labels["en"].items():
        if key in FIELDS_DIFFER:
            continue
        for locale in LOCALES:
            assert _fields(labels[locale][key]) == _fields(text), (locale, key)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_plural_has_every_cldr_form_of_its_locale(locale):
    tags = Locale.parse(CLDR[locale]).plural_form.tags | {"other"}
    for noun, forms in catalog(locale).plurals.items():
        assert set(forms) >= tags, f"{locale}.yaml plural {noun} lacks {tags - set(forms)}"


@pytest.mark.parametrize("locale", LOCALES)
def test_one_term_per_idea(locale):
    """In the catalog and in what `init` writes (the commented salesnotes.yaml, the templates)."""
    texts = [*catalog(locale).labels.values(),
             *(form for forms in catalog(locale).plurals.values() for form in forms.values()),
             *(p.read_text(encoding="utf-8") for p in (VAULT_TEMPLATE / locale).rglob("*")
               if p.suffix in (".md", ".yaml"))]
    for term, synonyms in GLOSSARY[locale].items():
        for text in texts:
            for synonym in synonyms:
                assert synonym not in text.casefold(), f"{text!r}: say {term!r}"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_catalogs_plural_rules_are_babels(locale):
    """The rules a catalog carries (so a count is said without loading babel's locale data)
    are babel's CLDR rules of the locale, and pick the same form for any count."""
    from salesnotes.i18n import category

    cldr = Locale.parse(CLDR[locale]).plural_form
    assert catalog(locale).rules == cldr.rules
    for n in [*range(0, 250), 1001, 1012, 1022, 1.5, Decimal("2.0")]:
        assert category(locale, n) == cldr(n), (locale, n)


def test_plural_forms_follow_cldr():
    pl, en = Labels("pl"), Labels("en")
    assert [pl.plural("client", n) for n in (1, 2, 5, 22, 112)] == [
        "1 klient", "2 klientów", "5 klientów", "22 klientów", "112 klientów"]
    assert [pl.plural("day_late", n) for n in (1, 2, 5)] == [
        "1 dzień spóźnienia", "2 dni spóźnienia", "5 dni spóźnienia"]
    assert [en.plural("day_late", n) for n in (1, 2)] == ["1 day late", "2 days late"]


def test_labels_are_attributes_items_and_messages():
    t = Labels("pl")
    assert t.pf_title == t["pf_title"] == "Portfel"
    assert Labels("xx").locale == "en"
    with pytest.raises(KeyError, match="no label 'nonsense'"):
        t["nonsense"]


def test_no_catalog_text_is_written_in_the_code():
    """Labels are data: a sentence of the catalogs found as a literal in a module means a view
    or command keeps its own copy of its words again."""
    texts = {text for locale in LOCALES for text in catalog(locale).labels.values()
             if len(text) >= 12 and re.search(r"\s", text)}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert node.value not in texts, f"{path}:{node.lineno}: {node.value!r}"
