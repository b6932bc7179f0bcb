"""Parsed notes kept between runs in `.salesnotes/cache.sqlite`, so a warm run re-reads only
the notes that changed.

Why this shape (PERFORMANCE.md sections 7 and 10):
- One sqlite row per note, keyed by its vault path and checked against (mtime_ns, ctime_ns,
  size): stat-ing every file costs 0.07 s per 10k notes, parsing one costs ~0.4 ms.
- The row holds the note pickled in two parts. The front-matter, checklists and opportunities
  are unpickled on every run; the log and the tasks (three quarters of the objects) stay as
  bytes in a `LazyBody` until something reads them, because most runs never do (`status` reads
  the log only when `last_contact` is missing). The values are the very ones a fresh parse
  gives, so the cache never changes a result; a test compares every view with and without it.
- The cache is disposable: missing, corrupt, locked, written by another salesnotes (version, or
  the source of the parsing modules) or unwritable, it is rebuilt or skipped without a word.
- Pickles are loaded with an allow-list of classes: a cache file planted in a shared vault can
  make salesnotes slower, never run code.
- A cold parse of many notes uses a second process (fork, Linux only): measured 2.0 s instead
  of 3.9 s for 10k notes on 2 cores.

Reading the parsed notes never depends on the config, so the config is not part of the key.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import io
import os
import pickle
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath

import salesnotes
from salesnotes.body import Body
from salesnotes.errors import Problem
from salesnotes.notes import Note, ReadResult, read_note
from salesnotes.vault import Progress, iter_note_files

CACHE_DIR = ".salesnotes"
CACHE_FILE = "cache.sqlite"
SCHEMA = 1
# The modules whose code decides what a note parses to (tests check the list is closed under
# their salesnotes imports); their source is part of the cache's identity, so a changed parser
# never meets old rows, even when the version number did not move.
PARSER_MODULES = ("notes", "body", "fields", "yamlnodes", "money", "errors")
# A file changed less than this before it was read may change again within the same mtime tick
# (FAT has 2 s): it is used, but not stored, so the next run reads it again (git's "racy" rule).
RACY_NS = 2_000_000_000
PARALLEL_MIN = 1500  # files to parse before a second process pays for itself
LAZY = ("log", "tasks")
_PROTOCOL = 5
_BODY_FIELDS = tuple(f.name for f in fields(Body))

Key = tuple[int, int, int]  # (mtime_ns, ctime_ns, size)
Row = tuple[str, int, int, int, bytes, bytes | None, bytes | None]


class LazyBody(Body):
    """A Body whose log and tasks are unpickled on first use; equal to the Body it stands for."""

    def __getattr__(self, name: str) -> object:  # only for fields not loaded yet
        pickled = self.__dict__.get("_pickled")
        if not pickled or name not in pickled:
            raise AttributeError(name)
        value = _loads(pickled[name])
        object.__setattr__(self, name, value)
        pickled.pop(name, None)
        return value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Body):
            return NotImplemented
        return _astuple(self) == _astuple(other)

    __hash__ = Body.__hash__

    def __repr__(self) -> str:
        return repr(Body(*_astuple(self)))

    def __reduce__(self) -> tuple:
        return Body, _astuple(self)


@dataclass(frozen=True)
class Changes:
    """What a reader found changed since the cache (or since its previous call)."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


@dataclass
class _Entry:
    key: Key | None  # None: read it again whatever its stat says
    result: ReadResult


class NoteCache:
    """A `load_vault` reader that remembers: call it again and it re-reads only changed notes.

    `cached_reader` uses one for a single run; `watch` keeps one for its whole life, so each
    rebuild costs a stat of every note plus the parse of the notes that changed.
    """

    def __init__(self, root: Path, *, store: bool = True) -> None:
        self.db_path = Path(root) / CACHE_DIR / CACHE_FILE
        self.store = store
        self.entries: dict[str, _Entry] | None = None  # None until the file cache is loaded
        self.fresh_file = False  # the sqlite file must be started afresh on the next save
        self.changes = Changes()

    def __call__(self, root: Path, progress: Progress | None = None) -> list[ReadResult]:
        started = time.time_ns()  # only to spot racy files (RACY_NS); never part of a result
        files = _scan(Path(root))
        gone: list[str] = []
        with _no_gc():
            if self.entries is None:
                self.entries, gone, self.fresh_file = _load(self.db_path, {f[0] for f in files})
            entries = self.entries
            stale = [f for f in files if (e := entries.get(f[0])) is None or e.key != f[2]]
            fresh, rows = _parse(stale, progress, keep_rows=self.store)
        listed = {f[0] for f in files}
        removed = sorted({*gone, *(rel for rel in entries if rel not in listed)})
        self.changes = Changes(tuple(f[0] for f in stale if f[0] not in entries),
                               tuple(f[0] for f in stale if f[0] in entries), tuple(removed))
        for rel in removed:
            entries.pop(rel, None)
        entries.update(fresh)
        rows = [row for row in rows if not _racy(row, started)]
        if self.store and (rows or removed or self.fresh_file):
            saved = _save(self.db_path, rows, removed, self.fresh_file, entries, started)
            self.fresh_file = self.fresh_file and not saved
        return [entries[f[0]].result for f in files]

    def forget(self, rels: Iterable[str]) -> None:
        """Read these notes again next call, whatever their stat says (watch saw them change)."""
        for rel in rels:
            if self.entries is not None and (entry := self.entries.get(rel)) is not None:
                entry.key = None


def cached_reader(root: Path, progress: Progress | None = None) -> list[ReadResult]:
    """What `read_notes` returns, re-reading only the notes changed since the cache was written."""
    return NoteCache(root)(root, progress)


# -- reading the notes ----------------------------------------------------------------------


def _scan(root: Path) -> list[tuple[str, str, Key | None]]:
    """(vault path, file path, key) of every note, in `iter_note_files` order."""
    out = []
    for rel, entry in iter_note_files(root):
        try:
            st = entry.stat()
        except OSError:
            key = None  # vanished or unreadable: read_note reports it
        else:
            key = (st.st_mtime_ns, st.st_ctime_ns, st.st_size)
        out.append((str(rel), entry.path, key))
    return out


def _read_one(rel: str, path: str) -> tuple[ReadResult, Key | None]:
    """Parse one file as `read_notes` does; the key is taken from the open file, before reading,
    so it never vouches for bytes newer than the ones parsed."""
    rel_path = PurePosixPath(rel)
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            data = f.read()
    except OSError as e:
        return ReadResult(None, (Problem(rel_path, 0, f"cannot read: {e.strerror}"),)), None
    return read_note(rel_path, data), (st.st_mtime_ns, st.st_ctime_ns, st.st_size)


def _parse(files: list, progress: Progress | None,
           keep_rows: bool) -> tuple[dict[str, _Entry], list[Row]]:
    """Parse `files`, in two processes when there are many; with their rows to store."""
    if len(files) >= PARALLEL_MIN and _can_fork():
        done = _parse_parallel(files, progress)
        if done is not None:
            return done if keep_rows else (done[0], [])
    return _parse_here(files, progress, keep_rows, scale=1)


def _parse_here(files: list, progress: Progress | None, keep_rows: bool,
                scale: int) -> tuple[dict[str, _Entry], list[Row]]:
    out: dict[str, _Entry] = {}
    rows: list[Row] = []
    total = len(files) * scale
    for i, (rel, path, _) in enumerate(files):
        result, key = _read_one(rel, path)
        out[rel] = _Entry(key, result)
        if keep_rows and key is not None:
            rows.append(_row(rel, key, result))
        if progress and i % 250 == 0:
            progress(min(i * scale, total), total)
    if progress and files:
        progress(total, total)
    return out, rows


def _racy(row: Row, started: int) -> bool:
    """Written so shortly before it was read that a later write could keep the same mtime.

    (A write sets mtime and ctime alike; an mtime set back by `touch -r` is caught by ctime.)"""
    return row[1] >= started - RACY_NS


def _can_fork() -> bool:
    """fork is safe on Linux and before any thread starts (watch has threads: it never forks)."""
    import threading

    if sys.platform != "linux" or threading.active_count() > 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except (AttributeError, OSError):  # pragma: no cover
        return (os.cpu_count() or 1) > 1


def _parse_parallel(files: list, progress: Progress | None
                    ) -> tuple[dict[str, _Entry], list[Row]] | None:
    """Every other file parsed by a forked child, which sends back rows; None if it fails."""
    mine, theirs = files[0::2], files[1::2]
    try:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: parse, send the rows, leave without running any exit handler
        code = 1
        try:
            os.close(read_fd)
            _, rows = _parse_here(theirs, None, True, scale=1)
            with os.fdopen(write_fd, "wb") as pipe:
                pickle.dump(rows, pipe, protocol=_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    child_rows = None
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            out, rows = _parse_here(mine, progress, True, scale=2)
            try:
                child_rows = pickle.load(pipe)
            except Exception:  # noqa: BLE001 - the child failed: its half is parsed here
                child_rows = None
    finally:
        if child_rows is None:
            _kill(pid)
        _, status = os.waitpid(pid, 0)
    if child_rows is None or status != 0:
        return None
    for row in child_rows:
        result = _from_row(row)
        if result is None:
            return None
        out[row[0]] = _Entry((row[1], row[2], row[3]), result)
    rows.extend(child_rows)
    for rel, path, _ in theirs:  # unreadable files send no row: read them here
        if rel not in out:
            result, key = _read_one(rel, path)
            out[rel] = _Entry(key, result)
    return out, rows


def _kill(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:  # pragma: no cover - already gone
        pass


# -- rows -----------------------------------------------------------------------------------


def _row(rel: str, key: Key, result: ReadResult) -> Row:
    note = result.note
    if note is None:
        return (rel, *key, pickle.dumps((None, None, result.problems), _PROTOCOL), None, None)
    state = {k: v for k, v in note.__dict__.items() if k != "body"}
    body = {k: v for k, v in note.body.__dict__.items() if k not in LAZY and k in _BODY_FIELDS}
    head = pickle.dumps((state, body, result.problems), _PROTOCOL)
    log, tasks = note.body.log, note.body.tasks
    return (rel, *key, head, pickle.dumps(log, _PROTOCOL) if log else None,
            pickle.dumps(tasks, _PROTOCOL) if tasks else None)


def _from_row(row: Row) -> ReadResult | None:
    """The ReadResult a row stands for; None when the row cannot be trusted (a cache miss)."""
    try:
        state, body_state, problems = _loads(row[4])
        if state is None:
            return ReadResult(None, tuple(problems))
        body = object.__new__(LazyBody)
        body.__dict__.update(body_state)
        pickled = {}
        for name, blob in zip(LAZY, row[5:7]):
            if blob is None:
                body.__dict__[name] = ()
            else:
                pickled[name] = bytes(blob)
        if pickled:
            body.__dict__["_pickled"] = pickled
        note = object.__new__(Note)
        note.__dict__.update(state)
        note.__dict__["body"] = body
        return ReadResult(note, tuple(problems))
    except Exception:  # noqa: BLE001 - whatever is wrong with a row, the file is read instead
        return None


class _Unpickler(pickle.Unpickler):
    """Only the classes a parsed note is made of: a planted cache file cannot run code."""

    def find_class(self, module: str, name: str) -> type:
        try:
            return _allowed()[module, name]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not a note's part") from None


def _loads(blob: bytes) -> object:
    return _Unpickler(io.BytesIO(blob)).load()


_ALLOWED: dict[tuple[str, str], type] = {}


def _allowed() -> dict[tuple[str, str], type]:
    if not _ALLOWED:
        import datetime
        import decimal

        from salesnotes import body, notes

        for cls in (notes.Note, notes.ReadResult, body.Body, body.LogEntry, body.Task,
                    body.ChecklistItem, body.ChecklistSection, body.Opportunity, Problem,
                    datetime.date, decimal.Decimal, PurePosixPath):
            _ALLOWED[cls.__module__, cls.__qualname__] = cls
    return _ALLOWED


def _astuple(body: Body) -> tuple:
    return tuple(getattr(body, name) for name in _BODY_FIELDS)


# -- the sqlite file ------------------------------------------------------------------------


@functools.cache
def identity() -> dict[str, str]:
    """What the rows depend on besides the note: salesnotes, its parser's source, the libraries."""
    import yaml

    digest = hashlib.sha256()
    folder = Path(salesnotes.__file__).parent
    for module in PARSER_MODULES:
        digest.update((folder / f"{module}.py").read_bytes())
    try:
        import stdnum

        stdnum_version = stdnum.__version__
    except ImportError:  # pragma: no cover - a dependency
        stdnum_version = "-"
    return {
        "salesnotes": salesnotes.__version__,
        "schema": f"{SCHEMA}:{digest.hexdigest()[:16]}",
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
        "libraries": f"yaml {yaml.__version__} {yaml.__with_libyaml__}; stdnum {stdnum_version}",
    }


def _load(db_path: Path, wanted: set[str]) -> tuple[dict[str, _Entry], list[str], bool]:
    """(trustworthy rows of the notes in `wanted`, paths of other rows, start afresh?)."""
    if not db_path.is_file():
        return {}, [], True
    try:
        con = sqlite3.connect(db_path, timeout=0.5, isolation_level=None)
    except (sqlite3.Error, OSError):
        return {}, [], True
    try:
        if dict(con.execute("SELECT key, value FROM meta")) != identity():
            return {}, [], True
        out: dict[str, _Entry] = {}
        gone: list[str] = []
        for row in con.execute("SELECT path, mtime_ns, ctime_ns, size, head, log, tasks "
                               "FROM notes"):
            if row[0] not in wanted:
                gone.append(row[0])
            elif (result := _from_row(row)) is not None:
                out[row[0]] = _Entry((row[1], row[2], row[3]), result)
        return out, gone, False
    except sqlite3.OperationalError as e:
        return {}, [], not _busy(e)
    except (sqlite3.Error, OSError, ValueError):
        return {}, [], True
    finally:
        con.close()


def _save(db_path: Path, rows: list[Row], removed: list[str], fresh: bool,
          entries: dict[str, _Entry], started: int) -> bool:
    """Upsert `rows` and drop `removed` in one transaction, or write a new file holding every
    entry when the old one is missing, broken or another salesnotes'. False when not written."""
    try:
        _make_folder(db_path.parent)
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
                    return True  # someone else is writing it: fine, ours is only a speed-up
            finally:
                con.close()
        return _write_fresh(db_path, rows, entries, started)
    except (sqlite3.Error, OSError):
        return False


_INSERT = "INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?, ?, ?)"


def _write_fresh(db_path: Path, rows: list[Row], entries: dict[str, _Entry], started: int) -> bool:
    """A new file (built aside, then renamed over the old one) holding every entry."""
    have = {row[0] for row in rows}
    for rel, entry in entries.items():
        if rel not in have and entry.key is not None:
            row = _row(rel, entry.key, entry.result)
            if not _racy(row, started):
                rows.append(row)
    temp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    temp.unlink(missing_ok=True)
    try:
        con = sqlite3.connect(temp, isolation_level=None)
        try:
            con.execute("BEGIN")
            con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            con.execute("CREATE TABLE notes (path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, "
                        "ctime_ns INTEGER NOT NULL, size INTEGER NOT NULL, head BLOB NOT NULL, "
                        "log BLOB, tasks BLOB)")
            con.executemany("INSERT INTO meta VALUES (?, ?)", identity().items())
            con.executemany(_INSERT, rows)
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


def _make_folder(folder: Path) -> None:
    """`.salesnotes/` with a `.gitignore` of `*`: git never sees the cache, ignored or not."""
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# salesnotes' local cache: never commit it\n*\n", encoding="utf-8")


@contextmanager
def _no_gc() -> Iterator[None]:
    """Hundreds of thousands of new objects set off the cyclic GC again and again (PERF 7)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

