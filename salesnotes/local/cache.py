"""Parsed notes kept between runs in `.salesnotes/` (`cache.pickle` and `cache.sqlite`), so a
warm run re-reads only the notes that changed.

Why this shape (ARCHITECTURE.md, speed: cache and summaries, and measurements on 10k notes):
- Each note is kept by its vault path and checked against (mtime_ns, ctime_ns, size):
  stat-ing every note costs ~0.07 s per 10k, parsing one ~0.4 ms. ctime is in the key
  because a same-size edit whose mtime is put back (`touch -r`, `rsync -t`) still moves it.
- A generation (`cache.pickle`) holds every note in one pickle: loading 10k notes is one
  unpickle, and the values notes share come back shared (0.3 s of CPU, where a row per note
  took 0.76 s). The sqlite file holds a row per note stored since (watch stores each save at
  once; a warm run its few changed notes); rows win over the generation, and past
  REWRITE_ROWS of them, or when a note is gone, a one-shot run writes a new generation.
- A note is kept as its summary (`read_note(..., summary=True)`: front-matter, the newest log
  entry, open dated tasks, checklists, opportunities): what the views read, not every log line
  and done task (ARCHITECTURE.md, speed: summaries). On the 10k bench vault the cache went from
  54 to 23 MB (7 MB as one generation) and the notes held in memory from 116 to 77 MB. The
  values are the very ones a fresh read gives, so the cache never changes a result: a test
  compares every view with and without it.
- Disposable: missing, corrupt, locked, written by another salesnotes (version, parser source,
  libraries) or unwritable, the cache is rebuilt or skipped without a word; every failure
  costs time, never a result.
- Pickles are loaded with an allow-list of classes: a cache file planted in a shared vault can
  make salesnotes slower, never run code.
- A cold parse of many notes forks a second process on Linux (10k notes: 2.0 s instead of 3.9 s
  on 2 cores), never once threads run (watch), where fork is unsafe.

Reading a note never depends on the config, so the config is not part of the key.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import hashlib
import io
import os
import pickle
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from itertools import compress, repeat
from operator import attrgetter, ne
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

import salesnotes
from salesnotes import forking
from salesnotes.errors import Problem, said
from salesnotes.gcpause import gc_paused
from salesnotes.i18n import Said
from salesnotes.local import notecolumns
from salesnotes.local import store as local_store
from salesnotes.model.vault import Meanwhile, Progress
from salesnotes.model.where import FolderKeys, note_stats, stat_keys
from salesnotes.read import compact
from salesnotes.read.body import Body, ChecklistItem, ChecklistSection, LogEntry, Opportunity, Task
from salesnotes.read.note import DATE_KEYS, REPEATED_KEYS, Note, ReadResult, read_note, shared

CACHE_DIR = local_store.DIR
CACHE_FILE = "cache.sqlite"
BLOB_FILE = "cache.pickle"
# Rows written one by one since the last whole generation; past this many, a one-shot run
# writes a new generation (one blob, the rows emptied), so loading stays one unpickle.
REWRITE_ROWS = 300
# Notes per pickle of a generation: a pickler remembers every object it wrote until the end of
# its pickle (34 MB per 10k notes); parts of this size bound that (a value notes share is
# then held once a part), and cost no speed.
GENERATION_PART = 5000
SCHEMA = 3
# The modules whose code decides what a note parses to (a test checks the list is closed under
# their salesnotes imports). Their source is part of the cache's identity, so a changed parser
# never meets old rows, even when the version number did not move.
PARSER_MODULES = ("read/note", "read/notefile", "read/body", "read/compact", "read/fields",
                  "read/yamlnodes", "model/money", "errors", "i18n")
PARALLEL_MIN = 1500  # notes to parse before a second process pays for itself
# Notes per part a forked parser sends back: the review's process holds one part unpickled at a
# time beside the notes it has, and the child holds its notes pickled, not as objects (its
# peak at 100,000 notes: 394 -> 143 MB).
SENT_PART = 5000
_PROTOCOL = 5
# A row pickles field values in field order, without the names (25% faster to load); the
# path (known from the row) and the body (made from its fields) are left as None there.
_NOTE_FIELDS = tuple(f.name for f in fields(Note))
_BODY_FIELDS = tuple(f.name for f in fields(Body))
# Fields whose values repeat across notes, shared again after unpickling (read/compact.py).
_TEXT_AT = tuple(i for i, k in enumerate(_NOTE_FIELDS) if k in REPEATED_KEYS)
_DAY_AT = tuple(i for i, k in enumerate(_NOTE_FIELDS) if k in DATE_KEYS)
_WORDS_AT = tuple(i for i, k in enumerate(_NOTE_FIELDS) if k in ("tags", "checklists"))
_INSERT = "INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?)"
# The body's items made from plain tuples in C, with no Python call per item.
_new = object.__new__
_log_entry = functools.partial(tuple.__new__, LogEntry)
_task = functools.partial(tuple.__new__, Task)
_item = functools.partial(tuple.__new__, ChecklistItem)
_section = functools.partial(tuple.__new__, ChecklistSection)
_opportunity = functools.partial(tuple.__new__, Opportunity)

Key = tuple[int, int, int]  # (mtime_ns, ctime_ns, size)
Row = tuple[str, int, int, int, bytes]


@dataclass(frozen=True)
class Changes:
    """What a reader found since the cache was written (or since its previous call)."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


class _File(NamedTuple):
    """A note found by the scan (100,000 of them at once: no more than the key and the vault
    path; the file's own path is made only for the notes read)."""

    rel: str  # vault path, posix
    key: Key | None  # None when it cannot be stat-ed


@dataclass(slots=True)  # one per note, 100,000 at once: no __dict__ each
class _Entry:
    key: Key | None  # None: read it again whatever its stat says
    result: ReadResult


_NOT_HELD = _Entry(None, ReadResult(None, ()))  # what `_stale` finds for a note not held
_REL, _KEY, _RESULT = attrgetter("rel"), attrgetter("key"), attrgetter("result")


class NoteCache:
    """A `load_vault` reader that remembers: called again, it re-reads only changed notes.

    `cached_reader` uses one for a single run; `watch` keeps one for its whole life, so each
    rebuild costs a stat of every note plus a parse of the notes that changed.
    """

    def __init__(self, root: Path, *, store: bool = True, watched: bool = False,
                 stats: list[FolderKeys] | None = None) -> None:
        """`watched`: a long-lived reader told of every change (watch). It stores notes however
        fresh (a later write within the same mtime tick is an event, and is read again), and
        does not gc.freeze what it loads, or every rebuild's garbage cycles would pile up.
        `stats`: the notes' keys from a walk made just before (a review's fingerprint), for the
        first call instead of a walk of its own; the list is emptied once the notes are keyed."""
        self.root = Path(root)
        self.stats = stats
        self.db_path = local_store.path(self.root, CACHE_FILE)
        self.store = store
        self.watched = watched
        self._refreshed: dict[str, str] = {}  # rel -> added | changed | removed, by refresh()
        self.entries: dict[str, _Entry] | None = None  # None until the sqlite file is loaded
        self.fresh_file = False  # a new generation must be written on the next save
        self.delta = 0  # rows in the sqlite file, over the generation
        self.unsaved: set[str] = set()  # read too soon after a write to be stored yet
        self.changes = Changes()

    def __call__(self, root: Path, progress: Progress | None = None, *,
                 meanwhile: Meanwhile | None = None) -> list[ReadResult]:
        """Every note's ReadResult, in `iter_note_files` order. `meanwhile`: other work for
        this process (the ledger), run once, while a forked child parses a bigger share."""
        started = time.time_ns()  # only to spot racy notes; never part of a result
        gone: list[str] = []
        with gc_paused(freeze=not self.watched):
            if self.stats is None:
                files = _scan(Path(root))
            else:  # once: a later call (watch) walks the notes again
                files = _files(self.stats)
                # handed over: emptied, so the stat result of every note (80 MB at 100,000)
                # is freed now, not when the caller's load and render are over
                self.stats.clear()
                self.stats = None
            # each step a C-level pass over the notes: 10,000 of them at every review
            rels = list(map(_REL, files))
            listed = set(rels)
            if self.entries is None:
                self.entries, gone, self.fresh_file, self.delta = _load(self.db_path, listed)
            entries = self.entries
            stale = _stale(files, rels, entries)
            fresh, rows = _parse(str(root), stale, progress, self.store and not self.fresh_file,
                                 meanwhile)
        removed = sorted({*gone, *(entries.keys() - listed)})
        self.changes = _changes(
            {**self._refreshed, **{f.rel: "changed" if f.rel in entries else "added"
                                   for f in stale}, **dict.fromkeys(removed, "removed")})
        self._refreshed = {}
        for rel in removed:
            entries.pop(rel, None)
        rows += self._ripe(fresh)
        entries.update(fresh)
        self.unsaved = {row[0] for row in rows if not self.watched and _racy(row, started)}
        rows = [row for row in rows if row[0] not in self.unsaved]
        anew = self.fresh_file or (not self.watched and (
            bool(gone) or self.delta + len(rows) > REWRITE_ROWS))
        if self.store and (rows or removed or anew):
            saved = _save(self.db_path, rows, removed, anew, entries,
                          None if self.watched else started)
            self.fresh_file = self.fresh_file and not saved
            self.delta = 0 if anew and saved else self.delta + len(rows)
        return list(map(_RESULT, map(entries.__getitem__, rels)))

    def _ripe(self, fresh: dict[str, _Entry]) -> list[Row]:
        """Rows of notes once too fresh to store, unchanged since (watch lives that long)."""
        out = []
        for rel in self.unsaved:
            entry = (self.entries or {}).get(rel)
            if rel not in fresh and entry is not None and entry.key is not None:
                out.append(_row(rel, entry.key, entry.result))
        return out

    def refresh(self, rels: Iterable[str]) -> None:
        """Read these notes now and store them (watch, as soon as a save is over), so the file
        cache follows an edit within milliseconds; the next call counts them as changed."""
        if self.entries is None:
            return  # the first call reads everything anyway
        rows: list[Row] = []
        removed: list[str] = []
        for rel in rels:
            rel_path = PurePosixPath(rel)
            path = self.root.joinpath(*rel_path.parts)
            had, before = rel in self.entries, self._refreshed.pop(rel, None)
            if not path.is_file():
                if self.entries.pop(rel, None) is not None:
                    removed.append(rel)
                    if before != "added":
                        self._refreshed[rel] = "removed"
                continue
            result, key = _read_one(str(self.root), _File(rel, None), rel_path)
            self.entries[rel] = _Entry(key, result)
            self._refreshed[rel] = "added" if before == "added" or not (had or before) else \
                "changed"
            if key is not None:
                rows.append(_row(rel, key, result))
        if self.store and (rows or removed) and not self.fresh_file:
            _save(self.db_path, rows, removed, False, self.entries, None)
            self.delta += len(rows)

    def forget(self, rels: Iterable[str]) -> None:
        """Read these notes again next call, whatever their stat says (watch saw them change)."""
        for rel in rels:
            if self.entries is not None and (entry := self.entries.get(rel)) is not None:
                entry.key = None


def _stale(files: list[_File], rels: list[str], entries: dict[str, _Entry]) -> list[_File]:
    """The notes to read: not held, held with no key, or held by another key than their stat's."""
    now = list(map(_KEY, files))
    if None in now:  # one could not be stat-ed: it is read, whatever is held
        return [f for f in files
                if (e := entries.get(f.rel)) is None or e.key is None or e.key != f.key]
    held = map(_KEY, map(entries.get, rels, repeat(_NOT_HELD)))
    return list(compress(files, map(ne, held, now)))


def _changes(kinds: dict[str, str]) -> Changes:
    def of(kind: str) -> tuple[str, ...]:
        return tuple(sorted(rel for rel, k in kinds.items() if k == kind))

    return Changes(of("added"), of("changed"), of("removed"))


def cached_reader(root: Path, progress: Progress | None = None, *,
                  meanwhile: Meanwhile | None = None) -> list[ReadResult]:
    """What `read_notes` returns, re-reading only the notes changed since the cache was written."""
    return NoteCache(root)(root, progress, meanwhile=meanwhile)


# -- reading the notes ----------------------------------------------------------------------


def _scan(root: Path) -> list[_File]:
    """Every note with its key, as `iter_note_files` lists them and in its order (the order
    `read_notes` returns)."""
    return _files([(rel, names, stat_keys(stats)) for rel, names, stats in note_stats(root)])


def _files(folders: list[FolderKeys]) -> list[_File]:
    """The notes of a walk as the cache keys them, made by C-level maps a folder at a time
    (a Python step per note cost 40 ms for 10k)."""
    out: list[_File] = []
    for rel, names, keys in folders:
        rels = map(f"{rel}/".__add__, names)
        out += map(tuple.__new__, repeat(_File), zip(rels, keys, strict=True))
    return out


def _read_one(root: str, f: _File, rel_path: PurePosixPath | None = None
              ) -> tuple[ReadResult, Key | None]:
    """Parse one note as `read_notes` does. The key comes from the open file, before reading,
    so it never vouches for bytes newer than the ones parsed. `rel_path`: f.rel as a path,
    unless it is as the scan writes it."""
    rel_path = rel_path or notecolumns.note_path(f.rel)
    try:
        with open(os.path.join(root, f.rel), "rb") as file:
            st = os.fstat(file.fileno())
            data = file.read()
    except OSError as e:
        return ReadResult(None, (said(rel_path, 0, "err_cannot_read", why=e.strerror),)), None
    return (read_note(rel_path, data, summary=True),
            (st.st_mtime_ns, st.st_ctime_ns, st.st_size))


def _parse(root: str, files: list[_File], progress: Progress | None, keep_rows: bool,
           meanwhile: Meanwhile | None = None) -> tuple[dict[str, _Entry], list[Row]]:
    """Parse `files` (in two processes when there are many), with the rows to store."""
    if meanwhile is not None:
        meanwhile = (_once(meanwhile[0]), meanwhile[1])
    if len(files) >= PARALLEL_MIN and forking.can_fork():
        done = _parse_parallel(root, files, progress, keep_rows, meanwhile)
        if done is not None:
            return done
    if meanwhile is not None:
        meanwhile[0]()  # unless it ran before a forked child failed
    return _parse_here(root, files, progress, keep_rows)


def _once(work: Callable[[], object]) -> Callable[[], None]:
    done: list[bool] = []

    def run() -> None:
        if not done:
            done.append(True)
            work()

    return run


def _parse_here(root: str, files: list[_File], progress: Progress | None, keep_rows: bool,
                share: int = 1) -> tuple[dict[str, _Entry], list[Row]]:
    """`share`: how many processes split the work, so the bar counts them all."""
    out: dict[str, _Entry] = {}
    rows: list[Row] = []
    total = len(files) * share
    for i, f in enumerate(files):
        result, key = _read_one(root, f)
        out[f.rel] = _Entry(key, result)
        if keep_rows and key is not None:
            rows.append(_row(f.rel, key, result))
        if progress and i % 250 == 0:
            progress(min(i * share, total), total)
    if progress and files:
        progress(total, total)
    return out, rows


def _racy(row: Row, started: int) -> bool:
    """Too fresh to store: it is used, but a later write could keep its key (the racy rule).

    (A write sets mtime and ctime alike; an mtime set back by `touch -r` is caught by ctime.)"""
    return local_store.is_racy(row[1], started)


def _parse_parallel(root: str, files: list[_File], progress: Progress | None, keep_rows: bool,
                    meanwhile: Meanwhile | None = None
                    ) -> tuple[dict[str, _Entry], list[Row]] | None:
    """Every other note parsed by a forked child, which sends back its notes in parts of
    `SENT_PART` (a part's shared values stay shared), each folded in here and let go before
    the next is read; None if no child could be forked. The notes of a part that never came
    (the child failed) or was refused are parsed here. With `meanwhile`, it runs here
    first."""
    mine, theirs = _shares(files, meanwhile)
    waiting = {f.rel for f in theirs}
    done: list[tuple[dict[str, _Entry], list[Row]]] = []  # here's notes, the parts folded in

    def here() -> tuple[dict[str, _Entry], list[Row]]:
        if meanwhile is not None:
            meanwhile[0]()
        done.append(_parse_here(root, mine, progress, keep_rows, share=2))
        return done[0]

    def fold(sent: notecolumns.Columns) -> bool:
        try:
            part = {rel: _Entry(key, result)
                    for rel, key, result in notecolumns.from_columns(sent)}
        except (TypeError, ValueError):
            return False
        if not part.keys() <= waiting:  # not the notes it was asked for
            return False
        waiting.difference_update(part)
        out, rows = done[0]
        out.update(part)
        if keep_rows:
            rows.extend(_row(rel, e.key, e.result) for rel, e in part.items()
                        if e.key is not None)
        return True

    if forking.in_two_parts(lambda: _in_parts(root, theirs), here, fold) is None:
        return None
    out, rows = done[0]
    if waiting:  # the child failed or sent what was not asked: its missing notes, here
        rest, rest_rows = _parse_here(root, [f for f in theirs if f.rel in waiting], None,
                                      keep_rows)
        out.update(rest)
        rows.extend(rest_rows)
    return out, rows


def _in_parts(root: str, files: list[_File]) -> Iterator[notecolumns.Columns]:
    """`files` parsed, `SENT_PART` at a time, each part as a generation keeps its notes (4
    times faster to unpickle than the notes themselves)."""
    for at in range(0, len(files), SENT_PART):
        yield notecolumns.to_columns(
            (rel, e.key, e.result)
            for rel, e in _parse_here(root, files[at:at + SENT_PART], None, False)[0].items())


def _shares(files: list[_File], meanwhile: Meanwhile | None
            ) -> tuple[list[_File], list[_File]]:
    """(notes parsed here, notes for the child): every other one, and with `meanwhile` the
    child takes over notes of about its weight."""
    mine, theirs = files[0::2], files[1::2]
    if meanwhile is not None and meanwhile[1] > 0:
        size = sum(f.key[2] for f in files if f.key) / len(files) or 1
        handed = min(len(mine) // 2, int(meanwhile[1] / size / 2))
        mine, theirs = mine[: len(mine) - handed], theirs + mine[len(mine) - handed:]
    return mine, theirs


# -- rows -----------------------------------------------------------------------------------


def _row(rel: str, key: Key, result: ReadResult) -> Row:
    """(path, mtime_ns, ctime_ns, size, note); the path is kept out of the pickle."""
    return (rel, *key, pickle.dumps(_flat(result), _PROTOCOL))


def _flat(result: ReadResult) -> tuple:
    """(note fields, body, problems) as plain tuples: a row's pickle and a generation's note.
    No class is named for a note, its body or their items (a named tuple or a dataclass costs
    a Python call per object to unpickle: 0.23 s for 10k notes, where this takes 0.05 s);
    `_from_flat` makes them again in a few C-level calls a note."""
    note = result.note
    if note is None:
        return (None, None, result.problems)
    state = tuple(None if k in ("path", "body") else getattr(note, k) for k in _NOTE_FIELDS)
    b = note.body
    body = (tuple(map(tuple, b.log)), tuple(map(tuple, b.tasks)),
            tuple((s.title, tuple(map(tuple, s.items)), s.line) for s in b.checklists),
            tuple(map(tuple, b.opportunities)), b.problems, b.whole)
    return (state, body, result.problems)


def _from_row(row: Row, rel_path: PurePosixPath) -> ReadResult | None:
    """The ReadResult a row stands for; None when the row cannot be trusted (read the note).
    A row is unpickled alone, so its repeated values are shared again here, as a fresh read
    shares them (a generation's come back shared by its pickle)."""
    try:
        state, body_state, problems = _loads(row[4])
        if state is None:
            return ReadResult(None, tuple(problems))
        note = _from_flat(rel_path, _compact_state(state), _compact_body(body_state))
        fields = note.__dict__
        fields["key_lines"] = compact.mapping(fields["key_lines"], _shared_lines)
        fields["key_types"] = compact.mapping(fields["key_types"], _shared_types)
        return ReadResult(note, tuple(problems))
    except Exception:  # noqa: BLE001 - whatever is wrong with a row, the note is read instead
        return None


def _from_flat(rel_path: PurePosixPath, state: Iterable, body_state: tuple) -> Note:
    """The Note `_flat` was made from. The fields go into each object's own dict in field
    order (the class's shared-key layout, as its __init__ would), then path and body."""
    log, tasks, checklists, opportunities, problems, whole = body_state
    body = _new(Body)
    body.__dict__.update(
        log=tuple(map(_log_entry, log)) if log else (),
        tasks=tuple(map(_task, tasks)) if tasks else (),
        checklists=tuple(_section((t, tuple(map(_item, items)), line))
                         for t, items, line in checklists) if checklists else (),
        opportunities=tuple(map(_opportunity, opportunities)) if opportunities else (),
        problems=problems, whole=whole)
    note = _new(Note)
    fields = note.__dict__
    fields.update(zip(_NOTE_FIELDS, state, strict=True))
    fields["path"] = rel_path
    fields["body"] = body
    return note


def note_row(result: ReadResult) -> bytes:
    """A parsed note as a row's bytes, for another store of parsed notes (a manager's team
    summaries): the same format, and the same checks when read back."""
    return _row("", (0, 0, 0), result)[4]


def note_of_row(data: bytes, rel_path: PurePosixPath) -> ReadResult | None:
    """What `note_row` made, or None when it cannot be trusted (read the note again)."""
    return _from_row(("", 0, 0, 0, data), rel_path)


def _shared_lines(lines: dict[str, int]) -> dict[str, int]:
    return {shared(k): v for k, v in lines.items()}


def _shared_types(types: dict[str, str]) -> dict[str, str]:
    return {shared(k): shared(v) for k, v in types.items()}


def _compact_state(state: tuple) -> list:
    """A row's note fields with the repeated values shared, as a fresh read shares them."""
    out = list(state)
    intern, day = sys.intern, compact.DAYS.setdefault
    for i in _TEXT_AT:
        if (v := out[i]) is not None:
            out[i] = intern(v)
    for i in _DAY_AT:
        if (v := out[i]) is not None:
            out[i] = day(v, v)
    for i in _WORDS_AT:
        if out[i]:
            out[i] = compact.words(out[i])
    return out


def _compact_body(state: tuple) -> tuple:
    """A row's body with its repeated texts and dates shared (see `read.body`), still as
    plain tuples for `_from_flat`."""
    log, tasks, checklists, opportunities, *rest = state
    intern, day = sys.intern, compact.DAYS.setdefault
    if log:
        log = tuple((day(e[0], e[0]), e[1] and intern(e[1]), intern(e[2]), e[3]) for e in log)
    if tasks:
        tasks = tuple((intern(t[0]), t[1], t[2] and day(t[2], t[2]), t[3] and day(t[3], t[3]),
                       t[4] and day(t[4], t[4]), t[5] and day(t[5], t[5]),
                       t[6] and intern(t[6]), t[7]) for t in tasks)
    if checklists:
        checklists = tuple((intern(s[0]), tuple((intern(i[0]), i[1], i[2]) for i in s[1]),
                            s[2]) for s in checklists)
    if opportunities:
        opportunities = tuple((intern(o[0]), o[1], o[2] and day(o[2], o[2]), o[3],
                               o[4] and intern(o[4]), o[5]) for o in opportunities)
    return (log, tasks, checklists, opportunities, *rest)


class _Unpickler(pickle.Unpickler):
    """Only the classes a parsed note's values are made of: a planted cache file cannot run
    code."""

    def find_class(self, module: str, name: str) -> type:
        try:
            return _allowed()[module, name]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a note") from None


def _loads(blob: bytes) -> Any:
    return _Unpickler(io.BytesIO(blob)).load()


@functools.cache
def _allowed() -> dict[tuple[str, str], type]:
    # a note's body and items are kept as plain tuples (`_flat`, `notecolumns`); a Note is
    # unpickled as a bare object whose dict is then filled: no code of its class runs
    classes = (Note, Problem, Said, datetime.date, decimal.Decimal, PurePosixPath)
    return {(cls.__module__, cls.__qualname__): cls for cls in classes}


# -- the sqlite file ------------------------------------------------------------------------


@functools.cache
def identity() -> dict[str, str]:
    """What rows depend on besides the note: salesnotes, its parser's source, the libraries."""
    # PyYAML's version is in the key; the config has imported it already
    import yaml

    digest = hashlib.sha256()
    folder = Path(salesnotes.__file__).parent
    # the parser, and the formats of the rows and the generation
    for module in (*PARSER_MODULES, "local/cache", "local/notecolumns"):
        digest.update((folder / f"{module}.py").read_bytes())
    digest.update((folder / "labels" / "en.yaml").read_bytes())  # a problem's English text
    return {
        "salesnotes": salesnotes.__version__,
        "schema": f"{SCHEMA}:{digest.hexdigest()[:16]}",
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
        "yaml": f"{yaml.__version__} libyaml={yaml.__with_libyaml__}",
        "stdnum": local_store.library_stamp("stdnum"),  # its version, without its import
    }


def stored(root: Path) -> dict[str, Key]:
    """Every note the cache holds, with the stat it was stored by (what a run would trust)."""
    entries = _load(local_store.path(Path(root), CACHE_FILE), None)[0]
    return {rel: entry.key for rel, entry in entries.items() if entry.key is not None}


def _load(db_path: Path, wanted: set[str] | None
          ) -> tuple[dict[str, _Entry], list[str], bool, int]:
    """(the entries of the notes in `wanted` that can be trusted, paths of other entries, write
    a new generation?, rows over the generation). The generation is one pickle of every note
    (`cache.pickle`, one unpickle for 10k notes); the sqlite rows are the notes stored one by
    one since (watch, a few changed notes), and win over the generation. Every entry is
    checked against its note's stat, so an entry of either that is out of date only costs a
    parse. Busy (another salesnotes writing) gives no rows, and no fresh start."""
    out, gone, whole = _load_generation(db_path.with_name(BLOB_FILE), wanted)
    if not db_path.is_file():
        return out, gone, True, 0
    try:
        con = sqlite3.connect(db_path, timeout=0.5, isolation_level=None)
    except (sqlite3.Error, OSError):
        return out, gone, True, 0
    try:
        if dict(con.execute("SELECT key, value FROM meta")) != identity():
            return out, gone, True, 0
        rows = 0
        for row in con.execute("SELECT path, mtime_ns, ctime_ns, size, note FROM notes"):
            rows += 1
            if wanted is not None and row[0] not in wanted:
                gone.append(row[0])
            elif (result := _from_row(row, PurePosixPath(row[0]))) is not None:
                out[row[0]] = _Entry((row[1], row[2], row[3]), result)
        return out, gone, not whole, rows
    except sqlite3.OperationalError as e:
        return out, gone, not _busy(e), 0
    except (sqlite3.Error, OSError, ValueError):
        return out, gone, True, 0
    finally:
        con.close()


def _load_generation(blob: Path, wanted: set[str] | None
                     ) -> tuple[dict[str, _Entry], list[str], bool]:
    """(entries, paths of other entries, whole?) from the generation file; ({}, [], False) when
    it is missing, corrupt, planted or another salesnotes'. Unpickled as one stream: the values
    notes share (key layouts, dates, texts) come back shared, with no pass over each note."""
    parts = local_store.read_pickles(blob, _generation_version(), _allowed())
    if parts is None:
        return {}, [], False
    out: dict[str, _Entry] = {}
    gone: list[str] = []
    try:
        for part in parts:
            for rel, key, result in notecolumns.from_columns(part):
                if wanted is None or rel in wanted:
                    out[rel] = _Entry(key, result)
                else:
                    gone.append(rel)
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, the notes are read
        return {}, [], False
    return out, gone, True


def _generation_version() -> str:
    return repr(sorted(identity().items()))


def _save(db_path: Path, rows: list[Row], removed: list[str], fresh: bool,
          entries: dict[str, _Entry], started: int | None) -> bool:
    """Upsert `rows` and drop `removed` in one transaction; or, when asked (`fresh`), or when
    the file is missing, broken or another salesnotes', write a new generation holding every
    entry. False when nothing was written."""
    try:
        local_store.make_folder(db_path.parent)
        if not fresh:
            con = sqlite3.connect(db_path, timeout=0.5, isolation_level=None)
            try:
                con.execute("BEGIN IMMEDIATE")
                if dict(con.execute("SELECT key, value FROM meta")) == identity():
                    con.executemany("DELETE FROM notes WHERE path = ?", [(r,) for r in removed])
                    con.executemany(_INSERT, rows)
                    con.execute("COMMIT")
                    return True
                con.execute("ROLLBACK")
            except sqlite3.OperationalError as e:
                if _busy(e):
                    return True  # another salesnotes is writing it: ours was only a speed-up
            finally:
                con.close()
        return _write_fresh(db_path, entries, started)
    except (sqlite3.Error, OSError):
        return False


def _write_fresh(db_path: Path, entries: dict[str, _Entry], started: int | None) -> bool:
    """A new generation: every entry (but racy ones, unless `started` is None: a watched
    reader) in one pickle, then a new, empty sqlite file, each built aside and renamed over
    the old one. A crash between the two leaves older rows over a newer generation: those
    only fail their stat check."""
    kept = [(rel, entry.key, entry.result) for rel, entry in entries.items()
            if entry.key is not None and (started is None
                                          or not local_store.is_racy(entry.key[0], started))]
    parts = (notecolumns.to_columns(kept[i:i + GENERATION_PART])
             for i in range(0, len(kept), GENERATION_PART))
    if not local_store.write_pickles(db_path.with_name(BLOB_FILE), _generation_version(), parts):
        return False
    temp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    temp.unlink(missing_ok=True)
    try:
        con = sqlite3.connect(temp, isolation_level=None)
        try:
            con.execute("BEGIN")
            con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            con.execute("CREATE TABLE notes (path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, "
                        "ctime_ns INTEGER NOT NULL, size INTEGER NOT NULL, note BLOB NOT NULL)")
            con.executemany("INSERT INTO meta VALUES (?, ?)", identity().items())
            con.execute("COMMIT")
        finally:
            con.close()
        journal = db_path.with_name(db_path.name + "-journal")
        journal.unlink(missing_ok=True)  # a crashed writer's journal must not meet the new file
        os.replace(temp, db_path)
        return True
    finally:
        temp.unlink(missing_ok=True)


def _busy(e: sqlite3.OperationalError) -> bool:
    return "locked" in str(e) or "busy" in str(e)
