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

    def __init__(self, labels: Mapping[str, str], plurals: Mapping[str, Mapping[str, str]],
                 rules: Mapping[str, str]):
        self.labels = dict(labels)
        self.plurals = {noun: dict(forms) for noun, forms in plurals.items()}
        self.rules = dict(rules)  # CLDR category -> rule, as babel's locale data says it


@lru_cache(maxsize=len(LOCALES))
def catalog(locale: str) -> Catalog:
    """The locale's catalog, read once; an unknown locale reads English."""
    # PyYAML only when YAML is read here
    import yaml

    name = locale if locale in LOCALES else DEFAULT
    with open(CATALOGS / f"{name}.yaml", "rb") as f:
        data = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    clash = set(data["labels"]) & {*dir(Labels), "locale"}
    if clash:  # a label named like a method would hide it (labels live in the instance dict)
        raise ValueError(f"{name}.yaml: labels named like Labels methods: {sorted(clash)}")
    return Catalog(data["labels"], data["plurals"], data["plural_rules"])


@lru_cache(maxsize=len(LOCALES))
def _plural_rule(locale: str) -> Callable[[Any], str]:
    """babel's evaluation of the catalog's CLDR rules: the same rule as babel's locale data
    (tests/test_labels.py), without loading a locale's data (a warm review's tenth) for it."""
    # babel's plural rules only when a count is said
    from babel.plural import PluralRule

    return PluralRule(catalog(locale).rules)


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

    def say(self, key: str, /, **fields: Any) -> str:
        """A message with its `{fields}` filled in; a field that is itself a `Said` (or a
        `Problem`) is said in this locale too, and a tuple is its parts one after the other."""
        return self[key].format(**{k: self._part(v) for k, v in fields.items()})

    def _part(self, value: Any) -> Any:
        if value.__class__ is Said:
            return self.say(value.key, **value.fields)
        if value.__class__ is tuple:
            return "".join(str(self._part(v)) for v in value)
        if hasattr(value, "told"):  # a Problem: `path:line: message`, said here too
            return value.told(self)
        return value

    def word(self, noun: str, n: Any) -> str:
        forms = self._catalog.plurals[noun]
        return forms.get(category(self.locale, n), forms["other"])

    def plural(self, noun: str, n: Any) -> str:
        return f"{n} {self.word(noun, n)}"


@lru_cache(maxsize=1)
def _english() -> Labels:
    """One English `Labels` for every problem's text: making one copies the whole catalog, and
    reading a vault makes a problem for most notes (10k notes: ~1 s of CPU)."""
    return Labels("en")


class Said:
    """A message to be said later, in the reader's language: a catalog key and its fields.

    The core does not know who reads its messages (the CLI finds the vault's locale), so it
    keeps what it means to say; `str()` is the English text, for JSON and logs."""

    __slots__ = ("key", "fields")

    def __init__(self, key: str, /, **fields: Any) -> None:
        self.key = key
        self.fields = fields

    def __str__(self) -> str:
        return _english().say(self.key, **self.fields)

    def __repr__(self) -> str:
        return f"Said({self.key!r}, {self.fields!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Said) and (self.key, self.fields) == (other.key, other.fields)

    def __hash__(self) -> int:
        return hash(self.key)

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "fields": {k: _json(v) for k, v in self.fields.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Said:
        return cls(data["key"], **{k: _unjson(v) for k, v in data["fields"].items()})


def _json(value: Any) -> Any:
    if isinstance(value, Said):
        return value.as_json()
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    return value if isinstance(value, int | str) else str(value)


def _unjson(value: Any) -> Any:
    if isinstance(value, dict):
        return Said.from_json(value)
    if isinstance(value, list):
        return tuple(_unjson(v) for v in value)
    return value
