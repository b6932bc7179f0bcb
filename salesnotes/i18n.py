"""Every word salesnotes shows, from one catalog per locale (`salesnotes/labels/<locale>.yaml`).

Views and the CLI never hard-code words: templates ask `t.key` (or `t.plural('client', n)`),
commands ask `t.say('key', name=...)`, so a user's template override works in both languages,
a translator edits one file, and `1 klient, 2 klientów, 5 klientów` is right by babel's CLDR
plural rules. Keys stay flat (`pf_title`, `cli_status_header`): they are what user templates
already name. A catalog is read once per process and locale (YAML with the C loader, a few ms),
never for `--help`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

CATALOGS = Path(__file__).parent / "labels"
LOCALES = ("pl", "en")
DEFAULT = "en"  # before a vault (and its locale) is known


class Catalog:
    """One locale's texts: plain labels, and words whose form follows a count."""

    def __init__(self, labels: Mapping[str, str], plurals: Mapping[str, Mapping[str, str]]):
        self.labels = dict(labels)
        self.plurals = {noun: dict(forms) for noun, forms in plurals.items()}


@lru_cache(maxsize=len(LOCALES))
def catalog(locale: str) -> Catalog:
    """The locale's catalog, read once; an unknown locale reads English."""
    import yaml

    name = locale if locale in LOCALES else DEFAULT
    with open(CATALOGS / f"{name}.yaml", "rb") as f:
        data = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    clash = set(data["labels"]) & {*dir(Labels), "locale"}
    if clash:  # a label named like a method would hide it (labels live in the instance dict)
        raise ValueError(f"{name}.yaml: labels named like Labels methods: {sorted(clash)}")
    return Catalog(data["labels"], data["plurals"])


@lru_cache(maxsize=len(LOCALES))
def _plural_rule(locale: str) -> Callable[[Any], str]:
    from babel import Locale

    return Locale.parse("pl_PL" if locale == "pl" else "en_US").plural_form


@lru_cache(maxsize=4096)
def _int_category(locale: str, n: int) -> str:
    """The CLDR category of a whole number, cached: a view asks it for thousands of rows (days
    late, tasks), and babel evaluates the rule in Python. Only ints: 1.0 is not 1 in CLDR."""
    return _plural_rule(locale)(n)


def category(locale: str, n: Any) -> str:
    """CLDR's plural category of `n` in `locale`: one, few, many or other."""
    return _int_category(locale, n) if n.__class__ is int else _plural_rule(locale)(n)


class Labels:
    """`t.overdue`, `t['overdue']`, `t.plural('client', 3)` -> '3 klientów',
    `t.say('cli_saved', path=p)` -> the label with its fields filled in."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LOCALES else DEFAULT
        self._catalog = catalog(self.locale)
        # Labels as instance attributes: a template reads thousands of them per view, and a
        # plain attribute is found without a __getattr__ call.
        self.__dict__.update(self._catalog.labels)

    def __getattr__(self, key: str) -> str:
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def __getitem__(self, key: str) -> str:
        try:
            return self._catalog.labels[key]
        except KeyError:
            raise KeyError(f"no label {key!r} in locale {self.locale!r}") from None

    def say(self, key: str, **fields: Any) -> str:
        """A message with its `{fields}` filled in."""
        return self[key].format(**fields)

    def word(self, noun: str, n: Any) -> str:
        forms = self._catalog.plurals[noun]
        return forms.get(category(self.locale, n), forms["other"])

    def plural(self, noun: str, n: Any) -> str:
        return f"{n} {self.word(noun, n)}"
