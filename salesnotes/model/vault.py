"""Find the vault, load config, notes and ledger into one Vault value with its problems.

Reading is forgiving: every broken note becomes a Problem and the rest loads, so the Monday
review always happens. Checks that span notes (duplicate NIPs or names, one type per key)
and those needing the config (tier, status) are made here, after every note is read.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, compress
from operator import attrgetter, is_not, or_
from pathlib import Path, PurePosixPath

from salesnotes.errors import Problem, said
from salesnotes.model.branches import shared_nips
from salesnotes.model.config import STATUSES, Config, load_config
from salesnotes.model.where import CLIENTS as CLIENTS  # re-exported: callers find them here
from salesnotes.model.where import find_root as find_root
from salesnotes.model.where import walk_notes as walk_notes
from salesnotes.read.note import Note, ReadResult, read_note

Progress = Callable[[int, int], None]
# Work for the reader to do once while it reads the notes, and what it weighs in bytes of
# notes that take as long to read (a reader that forks hands the child that much more).
Meanwhile = tuple[Callable[[], object], int]
Reader = Callable[..., list[ReadResult]]  # (root, progress, *, meanwhile) -> every note
_key_types = attrgetter("key_types")
_NAME, _NOTE, _PROBLEMS, _PATH = (attrgetter(k) for k in ("name", "note", "problems", "path"))
_TIER, _STATUS = attrgetter("tier"), attrgetter("status")
_NOT_NONE = functools.partial(is_not, None)
# One ledger month file parsed: (vault path, file) -> (rows, problems); see model/ledger.py
LedgerFileParser = Callable[[str, Path], tuple[list, list[Problem]]]


@dataclass(frozen=True)
class Vault:
    root: Path
    config: Config
    notes: tuple[Note, ...]
    problems: tuple[Problem, ...]
    sales: tuple = ()  # tuple[ledger.Sale, ...]
    git_contacts: dict[str, date] = field(default_factory=dict)  # note path -> newest git contact
    daily_contacts: dict[str, date] = field(default_factory=dict)  # -> newest daily note linking

    def outside(self, note: Note) -> tuple[date | None, date | None]:
        """(newest git contact, newest daily note) of a note: contacts written elsewhere."""
        rel = str(note.path)
        return self.git_contacts.get(rel), self.daily_contacts.get(rel)

    def cadence(self, note: Note) -> int:
        return self.config.cadence(note.tier or self.config.default_tier)

    def tier(self, note: Note) -> str:
        return note.tier if note.tier in self.config.tiers else self.config.default_tier

    def status(self, note: Note) -> str:
        return note.status if note.status in STATUSES else "active"


def iter_note_files(root: Path) -> Iterator[tuple[PurePosixPath, os.DirEntry[str]]]:
    """Every `.md` under clients/, hidden folders skipped, in a stable order."""
    for rel, entry in walk_notes(root):
        yield PurePosixPath(rel), entry


def read_notes(root: Path, progress: Progress | None = None, *,
               meanwhile: Meanwhile | None = None) -> list[ReadResult]:
    """Every note read now (no cache). `meanwhile`: other work of the caller's, done first."""
    if meanwhile is not None:
        meanwhile[0]()
    files = list(iter_note_files(root))
    results = []
    for i, (rel, entry) in enumerate(files):
        try:
            data = Path(entry.path).read_bytes()
        except OSError as e:
            results.append(ReadResult(None, (said(rel, 0, "err_cannot_read", why=e.strerror),)))
            continue
        results.append(read_note(rel, data, summary=True))
        if progress and i % 500 == 0:
            progress(i, len(files))
    return results


def load_vault(root: Path, *, progress: Progress | None = None, reader: Reader | None = None,
               sales: bool = True, contacts: dict[str, date] | None = None,
               ledger_parser: LedgerFileParser | None = None) -> Vault:
    """The whole vault as one value, from the files alone: no git, nothing written.

    `reader` stands in for reading every note and `ledger_parser` for parsing a ledger file
    (salesnotes/load/vault.py hands in the caches of `.salesnotes/`); `contacts` are the newest
    git contact dates, found by the caller. Its notes are summaries (`read_note(...,
    summary=True)`): what the views need of each. Commands that never look at money (`status`,
    `log`, `history`, `new`) pass sales=False.
    """
    config, problems = load_config(root)
    ledger: list[tuple[list, list[Problem]]] = []  # (sales, problems), once read
    # the ledger is read while notes are: by this process while a forked child parses
    meanwhile = ((lambda: ledger.append(_read_sales(root, ledger_parser)), _ledger_weight(root))
                 if sales else None)
    results = (reader or read_notes)(root, progress, meanwhile=meanwhile)
    if sales and not ledger:  # a reader of the caller's that does no other work
        ledger.append(_read_sales(root, ledger_parser))
    sold, sale_problems = ledger[0] if ledger else ([], [])
    return assemble(root, config, problems, results, sold, sale_problems,
                    contacts if contacts is not None else {})


def assemble(root: Path, config: Config, problems: list[Problem], results: list[ReadResult],
             sales: list, sale_problems: list[Problem], contacts: dict[str, date]) -> Vault:
    """One Vault from its parts, read from files or from a commit: the checks that span notes
    run here, so a vault read either way has the same problems."""
    # each pass over every note a C-level map (10,000 of them at every review)
    notes = list(filter(_NOT_NONE, map(_NOTE, results)))
    problems = [*problems, *chain.from_iterable(map(_PROBLEMS, results)),
                *_vault_checks(notes, config), *sale_problems]
    paths = list(map(str, map(_PATH, notes)))
    ranked = sorted(range(len(notes)), key=paths.__getitem__)  # stable, as notes.sort was
    return Vault(root, config, tuple(map(notes.__getitem__, ranked)),
                 tuple(sorted(set(problems))), tuple(sales), contacts)


def _read_sales(root: Path, parser: LedgerFileParser | None) -> tuple[list, list[Problem]]:
    if not (root / "sales").is_dir():
        return [], []
    # the ledger reader only when there are sales (status, log and new never read them)
    from salesnotes.model.ledger import read_ledger

    sales, problems = read_ledger(root, parser)
    return list(sales), list(problems)


def _ledger_weight(root: Path) -> int:
    """The ledger's weight in bytes of notes that take as long to read: about its own size
    (20,000 sales in 1.8 MB are read in 0.13 s, as long as ~500 notes of 3 KB)."""
    try:
        return sum(e.stat().st_size for e in os.scandir(root / "sales")
                   if e.name.endswith(".csv"))
    except OSError:
        return 0


def _vault_checks(notes: list[Note], config: Config) -> list[Problem]:
    problems = config_checks(notes, config)
    problems.extend(_shared_nips(notes))
    problems.extend(_duplicates(notes, _folded_names, "client name"))
    problems.extend(_type_mismatches(notes))
    return problems


def config_checks(notes: list[Note], config: Config) -> list[Problem]:
    """What each note must agree on with the config alone (a hook checks a few notes so)."""
    problems: list[Problem] = []
    # the notes with an unknown tier or status, found by the distinct values in C
    odd_tiers = {t for t in set(map(_TIER, notes)) if t is not None and t not in config.tiers}
    odd_statuses = {s for s in set(map(_STATUS, notes)) if s is not None and s not in STATUSES}
    if not odd_tiers and not odd_statuses:
        return problems
    tiers = ", ".join(config.tiers)
    for n in compress(notes, map(or_, map(odd_tiers.__contains__, map(_TIER, notes)),
                                 map(odd_statuses.__contains__, map(_STATUS, notes)))):
        if n.tier is not None and n.tier not in config.tiers:
            problems.append(said(n.path, n.line_of("tier"), "err_unknown_tier", tier=n.tier,
                                 known=tiers))
        if n.status is not None and n.status not in STATUSES:
            problems.append(said(n.path, n.line_of("status"), "err_unknown_status",
                                 status=n.status, known=", ".join(STATUSES)))
    return problems


def _folded_names(notes: list[Note]) -> list[str]:
    """Each note's name as duplicates are told (NFC, casefolded, spaces collapsed), each step a
    C-level map over all of them: a Python call per note cost 30 ms of every review at 10k."""
    nfc = functools.partial(unicodedata.normalize, "NFC")
    return list(map(" ".join, map(str.split, map(str.casefold, map(nfc, map(_NAME, notes))))))


def _duplicates(notes: list[Note], keys_of: Callable[[list[Note]], list[str]],
                what: str) -> list[Problem]:
    keys = keys_of(notes)
    # only the keys seen twice get a group: counting all of them is one C-level pass
    twice = {k for k, count in Counter(keys).items() if count > 1 and k is not None}
    if not twice:
        return []
    groups: dict[str, list[Note]] = defaultdict(list)
    for n, k in zip(notes, keys, strict=True):
        if k in twice:
            groups[k].append(n)
    out = []
    for k, group in groups.items():
        for n in group:
            others = ", ".join(str(o.path) for o in group if o is not n)
            line = n.line_of("nip" if what == "NIP" else "name")
            shown = k if what == "NIP" else n.name
            out.append(said(n.path, line, f"err_duplicate_{'nip' if what == 'NIP' else 'name'}",
                            value=repr(shown), others=others))
    return out


def _shared_nips(notes: list[Note]) -> list[Problem]:
    """Notes sharing a NIP are fine as declared branches; any other sharing is reported on each
    note, saying where the money is counted meanwhile (once, on the first note by path)."""
    out = []
    for shared in shared_nips(notes):
        if shared.declared:
            continue
        group = sorted((shared.head, *shared.others), key=lambda n: str(n.path))
        for n in group:
            others = ", ".join(str(o.path) for o in group if o is not n)
            out.append(said(n.path, n.line_of("nip"), "err_shared_nip", nip=repr(shared.nip),
                            others=others, head=str(shared.head.path)))
    return out


def _type_mismatches(notes: list[Note]) -> list[Problem]:
    """Obsidian keeps one property type per key across the vault (strict check)."""
    # notes share their key layouts (read/compact.py: a handful in a vault), so each layout's
    # kinds are counted once, times the notes holding it
    held = list(map(_key_types, notes))
    idents = list(map(id, held))
    holding = Counter(idents)  # in order of first sight, as the notes are
    layouts = dict(zip(idents, held, strict=True))  # an id is one layout's, alive meanwhile
    counted: Counter[tuple[str, str]] = Counter()
    for ident, times in holding.items():  # in order of first sight, as the notes are
        for kt in layouts[ident].items():
            counted[kt] += times
    kinds: dict[str, dict[str, int]] = {}  # key -> kind -> notes, in order of first sight
    for (k, t), count in counted.items():
        if t != "empty":
            kinds.setdefault(k, {})[t] = count
    out = []
    for key, counts in kinds.items():
        if len(counts) < 2:
            continue
        usual, seen = max(counts.items(), key=lambda kc: kc[1])  # the first seen on a tie
        # the notes holding a layout with another kind, found by their layout's id in C
        odd = {ident for ident, types in layouts.items()
               if types.get(key) not in (None, "empty", usual)}
        for n in compress(notes, map(odd.__contains__, idents)):
            kind = n.key_types.get(key)
            if kind not in (None, "empty", usual):
                out.append(said(n.path, n.line_of(key), "err_type_mismatch", strict=True,
                                name=key, kind=kind, usual=usual, seen=seen))
    return out
