"""Who is who, without loading every note: name, NIP, aliases, tier and region per note file.

`log` runs after every call a rep makes, so it must answer in a blink on 10,000 notes: loading
every cached note to find one cost 0.4 s, and a JSON file of every note's row cost 0.2 s more,
loaded whole and written whole after each edit. So the index is a small sqlite file, one row per
note, with the NIP indexed:

- Proven fresh on every run, never trusted: every note file is stat-ed (mtime, ctime, size, the
  note cache's key). Nothing cheaper proves a note unchanged, since a note edited in place keeps
  its folder's mtime. Each folder's stats are kept as one digest, so a run compares one value
  per folder and loads the rows of a folder only when its digest moved (a note edited, added,
  renamed or deleted there).
- Only what changed is written: a changed note's row and its folder's digest, one transaction.
- A note written within the racy window (`store.is_racy`) is kept without its stat, and its
  folder without a digest, so the next run reads that note again.
- A NIP, what reps paste from an invoice, is answered from the NIP column alone; the other
  rows are loaded only when a query needs them (`Index.everyone`).
- A shortcut, not a record: missing, broken, another salesnotes' or unwritable, the file is
  rebuilt, or the index is built in memory; busy, or with a note that cannot be read, there is
  no index and the caller loads the vault (which says what is wrong with the note).
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import NamedTuple

import yaml

import salesnotes
from salesnotes.local import store
from salesnotes.local.lookupwalk import File, Folder, Walker, walk
from salesnotes.model.lookup import search_text
from salesnotes.read.fields import accept_nips, nip_keeper
from salesnotes.read.note import Note, read_note

INDEX_FILE = "lookup.sqlite"
_SCHEMA = 3  # 3: sqlite, one row per note, folder digests (2 was lookup.json)
# The modules whose code decides a row (the parser, the folding of words, this row format):
# their source is part of the index's identity, so a changed rule never meets old rows.
_SOURCES = ("read/note", "read/notefile", "read/fields", "read/yamlnodes", "read/names",
            "model/lookup", "local/lookupindex", "local/lookupwalk")
_COLUMNS = "rel, name, nip, aliases, tier, region, words"
_TABLES = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE folders (folder TEXT PRIMARY KEY, digest BLOB)",
    "CREATE TABLE who (rel TEXT PRIMARY KEY, folder TEXT NOT NULL, mtime_ns INTEGER,"
    " ctime_ns INTEGER, size INTEGER, name TEXT NOT NULL, nip TEXT, aliases TEXT, tier TEXT,"
    " region TEXT, words TEXT NOT NULL) WITHOUT ROWID",
    "CREATE INDEX who_nip ON who (nip)",
    "CREATE INDEX who_folder ON who (folder)",
)

Row = tuple  # who's columns, in table order


class Who(NamedTuple):
    """The fields find_client reads, for one note file (a tuple: 10,000 are made in a blink)."""

    rel: str  # the vault path as text: a PurePosixPath is made only when asked
    name: str
    nip: str | None
    aliases: tuple[str, ...]
    tier: str | None
    region: str | None
    words: str  # lookup.search_text, kept so that a query folds no name

    @property
    def path(self) -> PurePosixPath:
        return PurePosixPath(self.rel)


class Index:
    """The index as of this run, every note accounted for; a context manager."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self._con = con
        self._vouching = ExitStack()

    def keeps_nip(self, nip: str) -> bool:
        """A note holds this compact NIP, as `parse_nip` returned it when the row was made."""
        sql = "SELECT 1 FROM who WHERE nip = ? LIMIT 1"
        return self._con.execute(sql, (nip,)).fetchone() is not None

    def with_nip(self, nip: str) -> list[Who]:
        """The notes holding this NIP (compact digits), without loading the others."""
        sql = f"SELECT {_COLUMNS} FROM who WHERE nip = ? ORDER BY rel"
        return [_who(r) for r in self._con.execute(sql, (nip,))]

    def everyone(self) -> list[Who]:
        """Every note, by vault path."""
        return [_who(r) for r in self._con.execute(f"SELECT {_COLUMNS} FROM who")]

    def close(self) -> None:
        self._vouching.close()
        self._con.close()

    def __enter__(self) -> Index:
        """The index, vouching meanwhile for the NIPs it keeps (read/fields.py, accept_nips):
        a NIP typed or read is then checked without importing python-stdnum."""
        self._vouching.enter_context(nip_keeper(self.keeps_nip))
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def who_is_who(root: Path, walked: Walker | None = None) -> Index | None:
    """The index, brought up to date with every note file of the vault (as `walked` found
    them, else as walked now); None when a note cannot be read or stat-ed, or the index is
    busy (the caller then loads the vault)."""
    done = walked() if walked is not None else walk(root)
    if done is None:
        return None
    path = store.path(root, INDEX_FILE)
    for con in _connections(path):
        try:
            if _refresh(con, root, done.folders, done.ended):
                con.execute("COMMIT")
                return Index(con)
            con.close()
            return None
        except sqlite3.OperationalError as e:
            con.close()
            if _busy(e):
                return None
        except sqlite3.DatabaseError:  # broken inside: the next run starts afresh
            con.close()
            _remove(path)
        except OSError:
            con.close()
    return None


def _connections(path: Path) -> Iterable[sqlite3.Connection]:
    """The file's connection in a write transaction, holding an index of this salesnotes;
    else (broken, unwritable) one in memory, to be filled from the notes."""
    try:
        store.make_folder(path.parent)
        yield _ready(sqlite3.connect(path, timeout=0.5, isolation_level=None))
    except sqlite3.OperationalError as e:
        if _busy(e):
            return
    except sqlite3.DatabaseError:  # not a database (a torn or planted file): start afresh
        try:
            _remove(path)
            yield _ready(sqlite3.connect(path, timeout=0.5, isolation_level=None))
        except (sqlite3.Error, OSError):
            pass
    except OSError:
        pass
    yield _ready(sqlite3.connect(":memory:", isolation_level=None))


def _ready(con: sqlite3.Connection) -> sqlite3.Connection:
    """`con` in a write transaction, its tables made anew unless they are this version's.

    Written without waiting for the disk (`synchronous = OFF`): the index is a shortcut, and
    one torn by a crash is a broken file the next run rebuilds; a `log` whose note's folder
    moved then commits its rows without two fsyncs of the index."""
    try:
        con.execute("PRAGMA synchronous = OFF")
        con.execute("BEGIN IMMEDIATE")
        try:
            same = dict(con.execute("SELECT key, value FROM meta")) == {"identity": _identity()}
        except sqlite3.OperationalError as e:
            if _busy(e):
                raise
            same = False  # no tables yet
        if not same:
            for table in ("meta", "folders", "who"):
                con.execute(f"DROP TABLE IF EXISTS {table}")
            for sql in _TABLES:
                con.execute(sql)
            con.execute("INSERT INTO meta VALUES ('identity', ?)", (_identity(),))
        return con
    except BaseException:
        con.close()
        raise


def _refresh(con: sqlite3.Connection, root: Path, folders: dict[str, Folder],
             now: int) -> bool:
    """Bring the rows in step with `folders`; False when a note cannot be read."""
    stored = dict(con.execute("SELECT folder, digest FROM folders"))
    for gone in stored.keys() - folders.keys():
        con.execute("DELETE FROM who WHERE folder = ?", (gone,))
        con.execute("DELETE FROM folders WHERE folder = ?", (gone,))
    moved = {}
    for folder, found in folders.items():
        digest = None if store.is_racy(found.newest, now) else found.digest
        if digest is None or stored.get(folder) != digest:
            moved[folder] = digest
    if not moved:
        return True
    old: dict[str, Row] = {}
    for folder in moved:
        old.update((r[0], r) for r in con.execute("SELECT * FROM who WHERE folder = ?",
                                                  (folder,)))
    accept_nips(row[6] for row in old.values())  # a note saved again keeps its NIP, mostly
    files = [(folder, f) for folder in moved for f in folders[folder].listing().files(folder)]
    stale = [(folder, f) for folder, f in files
             if (row := old.get(f[0])) is None or row[2:5] != f[1:]]
    count = sum(found.notes for found in folders.values())
    notes = _read(root, [f[0] for _, f in stale], many=len(stale) > count // 2)
    if notes is None:
        return False
    gone = old.keys() - {f[0] for _, f in files}
    con.executemany("DELETE FROM who WHERE rel = ?", [(rel,) for rel in gone])
    rows = [_row(folder, f, notes[f[0]], now) for folder, f in stale]
    con.executemany("INSERT OR REPLACE INTO who VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [r for r in rows if old.get(r[0]) != r])
    con.executemany("INSERT OR REPLACE INTO folders VALUES (?, ?)",
                    [(f, d) for f, d in moved.items() if stored.get(f, b"") != d])
    return True


def _read(root: Path, rels: list[str], many: bool) -> dict[str, Note] | None:
    """The notes at `rels` (their summaries); None when one cannot be read. Many of them (a
    first index) come from the note cache when a review left it warm."""
    known = _from_note_cache(root) if many else {}
    if known is None:
        return None
    out: dict[str, Note] = {}
    for rel in rels:
        note = known.get(rel)
        if note is None:
            try:
                data = (root / rel).read_bytes()
            except OSError:
                return None
            note = read_note(PurePosixPath(rel), data, summary=True).note
            if note is None:
                return None
        out[rel] = note
    return out


def _from_note_cache(root: Path) -> dict[str, Note] | None:
    """Notes from the note cache: the first index of a big vault in a fraction of a second
    instead of reading every file."""
    # the note cache (pickle, forking) only for a first index: `log` never pays for it
    from salesnotes.local.cache import cached_reader

    results = cached_reader(root)
    if any(r.note is None for r in results):
        return None
    return {str(r.note.path): r.note for r in results if r.note is not None}


def _row(folder: str, file: File, note: Note, now: int) -> Row:
    rel, mtime, ctime, size = file
    stat: tuple[int | None, ...] = ((None, None, None) if store.is_racy(mtime, now)
                                    else (mtime, ctime, size))
    aliases = json.dumps(list(note.aliases), ensure_ascii=False) if note.aliases else None
    return (rel, folder, *stat, note.name, note.nip, aliases, note.tier, note.region,
            search_text(note.name, note.aliases, rel))


def _who(row: tuple) -> Who:
    rel, name, nip, aliases, tier, region, words = row
    return Who(rel, name, nip, tuple(json.loads(aliases)) if aliases else (), tier, region,
               words)


@functools.cache
def _identity() -> str:
    digest = hashlib.sha256()
    package = Path(salesnotes.__file__).parent
    for module in _SOURCES:
        digest.update((package / f"{module}.py").read_bytes())
    return (f"{_SCHEMA}:{digest.hexdigest()[:16]} salesnotes {salesnotes.__version__} "
            f"yaml {yaml.__version__}")


def _busy(e: sqlite3.OperationalError) -> bool:
    return "locked" in str(e) or "busy" in str(e)


def _remove(path: Path) -> None:
    for stale in (path, path.with_name(path.name + "-journal")):
        try:
            stale.unlink(missing_ok=True)
        except OSError:  # a read-only vault keeps it: the index is then built in memory
            pass
