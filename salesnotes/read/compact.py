"""One object for values that repeat across notes, so a vault's size in memory is its notes'
distinct content rather than their count.

A generated 10k-note vault repeats 2 key layouts, 18 regions, 65 next steps, 56 task texts and
a few hundred dates; each note holding its own copy cost ~3 KB of its ~7.4 KB. The read path
and the cache's rows both pass their values through here, so either way a note shares them.
Shared values are never mutated: notes are frozen, and their mappings are only read.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import TypeVar

_LIMIT = 1 << 14  # distinct layouts or dates kept; past it values are simply not shared
_MAPPINGS: dict[tuple[tuple[str, object], ...], dict] = {}
DAYS: dict[date, date] = {}  # the cache's rows share through it too (setdefault, in C)
_WORDS: dict[tuple[str, ...], tuple[str, ...]] = {}

V = TypeVar("V")


def mapping(items: dict[str, V],
            prepare: Callable[[dict[str, V]], dict[str, V]] | None = None) -> dict[str, V]:
    """The one dict equal to `items` (same order) that every note with this layout holds;
    `prepare` makes a first-seen layout's own dict (the cache shares its keys' strings)."""
    key = tuple(items.items())
    got = _MAPPINGS.get(key)
    if got is None:
        got = prepare(items) if prepare else items
        if len(_MAPPINGS) < _LIMIT:
            _MAPPINGS[key] = got
    return got


def words(items: tuple[str, ...]) -> tuple[str, ...]:
    """The one tuple of interned words for a list many notes repeat (`tags`, `checklists`:
    100,000 notes would hold 100,000 copies of `[hvac, krakow]`)."""
    got = _WORDS.get(items)
    if got is None:
        got = tuple(map(sys.intern, items))
        if len(_WORDS) < _LIMIT:
            _WORDS[got] = got
    return got


def day(value: date) -> date:
    got = DAYS.get(value)
    if got is None:
        if len(DAYS) >= _LIMIT:
            return value
        DAYS[value] = got = value
    return got


def day_or_none(value: date | None) -> date | None:
    return None if value is None else day(value)


def text(value: str) -> str:
    """Interned: freed again with the last note holding it (sys.intern strings are mortal)."""
    return sys.intern(value)


def text_or_none(value: str | None) -> str | None:
    return None if value is None else sys.intern(value)
