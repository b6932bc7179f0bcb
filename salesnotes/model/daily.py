"""Which client each daily note's link names: by file name or path (as Obsidian resolves a
link), else by an alias or the client's name. A link to no client (a project note, a person)
is simply not a contact."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from salesnotes.read.daily import target_keys
from salesnotes.read.note import Note

DailyLinks = tuple[date, str, list[tuple[str, str]]]  # date, daily note path, (target, line)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


class Resolver:
    """Link target -> the client notes it names (usually one). Names and aliases are indexed
    only when a link matches no file name (most links do)."""

    def __init__(self, notes: Sequence[Note]) -> None:
        self.notes_ = notes
        self.by_path: dict[str, list[str]] = defaultdict(list)
        self.by_stem: dict[str, list[str]] = defaultdict(list)
        self._by_name: dict[str, list[str]] | None = None
        for n in notes:
            rel = str(n.path)
            path = _fold(rel[:-3] if rel.endswith(".md") else rel)
            self.by_path[path].append(rel)
            inside = path.split("/", 1)[1] if "/" in path else path
            self.by_path[inside].append(rel)
            self.by_stem[path.rsplit("/", 1)[-1]].append(rel)

    def by_name(self) -> dict[str, list[str]]:
        if self._by_name is None:
            self._by_name = defaultdict(list)
            for n in self.notes_:
                for alias in (*n.aliases, n.name):
                    self._by_name[_fold(alias)].append(str(n.path))
        return self._by_name

    def notes(self, target: str) -> list[str]:
        path, stem = target_keys(target)
        if "/" in path and path in self.by_path:
            return sorted(set(self.by_path[path]))
        found = self.by_stem.get(stem) or self.by_name().get(_fold(target)) or []
        return sorted(set(found))


def daily_contacts(notes: Sequence[Note], daily: Iterable[DailyLinks],
                   today: date) -> dict[str, list[tuple[date, str, str]]]:
    """Note path -> (date, daily note path, the line) of each daily note linking to it, oldest
    first. A daily note dated after `today` is a plan, not a contact."""
    daily = [d for d in daily if d[2] and d[0] <= today]
    if not daily:  # most vaults: no daily notes, nothing to index
        return {}
    resolver = Resolver(notes)
    out: dict[str, list[tuple[date, str, str]]] = defaultdict(list)
    for when, rel, links in daily:
        if when > today:
            continue
        for target, said in links:
            for note in resolver.notes(target):
                out[note].append((when, rel, said))
    return {k: sorted(set(v)) for k, v in out.items()}


def newest_daily(contacts: dict[str, list[tuple[date, str, str]]]) -> dict[str, date]:
    return {k: v[-1][0] for k, v in contacts.items()}
