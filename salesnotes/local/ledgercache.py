"""Parsed ledger months kept between runs in `.salesnotes/ledger.pickle`, so a review parses
only the month files that changed.

The ledger is rewritten once a month by `import sales`, and read by every review: on the 10k
bench vault parsing its 20,000 rows cost 0.7 s of a 3 s review, while loading them parsed
costs a tenth of that. Each month's rows and problems are kept with the file's stat
(mtime_ns, ctime_ns, size, inode), so an edited, replaced or touched file is parsed again,
and a bad row is reported at its line on every run, cached or not. A file written less than
two seconds before it was read is used but not kept (the racy rule, `store.is_racy`).

Disposable like everything in `.salesnotes/`: missing, corrupt, planted, of another
salesnotes (version or parser source) or unwritable, it costs one parse, never a result. Only
the classes a parsed ledger is made of are unpickled. Within one process (watch) the parses are
also kept in memory, so a rebuild never reads the file again.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import hashlib
import os
import sys
import time
from array import array
from itertools import repeat
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import salesnotes
from salesnotes.errors import Problem
from salesnotes.i18n import Said
from salesnotes.local import store

if TYPE_CHECKING:
    from salesnotes.model.ledger import Rows, Sale

FILE = "ledger.pickle"
_VERSION = 2
# The files that decide what a ledger file parses to (a problem's English text comes from the
# catalog), and this module (its format).
_SOURCES = ("model/ledger.py", "model/money.py", "read/compact.py", "errors.py", "i18n.py",
            "labels/en.yaml", "local/ledgercache.py")

Key = tuple[int, int, int, int]  # (mtime_ns, ctime_ns, size, inode)
# (key, each sale's line, the sales, problems): held for the process's life (watch), so no
# (path, line, sale) tuple per sale (100,000 notes: 200,000 sales, 18 MB of them)
Entry = tuple[Key, "array[int]", tuple["Sale", ...], tuple[Problem, ...]]
# (key, lines, the sales as columns (model/ledger.py, sale_columns), problems)
Stored = tuple[Key, tuple[int, ...], tuple[tuple, ...], tuple[Problem, ...]]
_MEMO: dict[str, Entry] = {}  # absolute path -> its last parse, for this process's life


class LedgerCache:
    """A `read_ledger` file parser that remembers: call it per month file, then `save()`."""

    def __init__(self, root: Path, *, store: bool = True) -> None:
        """`store`: write what was parsed back (`check` writes nothing)."""
        self.file = store_path(root)
        self.store = store
        self.started = time.time_ns()  # only to spot racy files; never part of a result
        self.kept: dict[str, Stored] | None = None  # the file's entries, once read
        self.kept_keys: dict[str, Key] = {}  # their keys, which stay when an entry is used
        self.used: dict[str, Entry] = {}  # this run's, to keep
        self.parsed = 0  # files parsed this run (not found in memory or in the file)

    def __call__(self, rel: str, file: Path) -> tuple[Rows, list[Problem]]:
        """One month file's rows and problems, as `parse_file_rows` gives them. The key comes
        from the open file, before reading, so it never vouches for bytes newer than these."""
        # the ledger's parser (and python-stdnum) only once a vault has sales: every command
        # loading a vault imports this module, and `log` or a skipped review read no sales
        from salesnotes.model.ledger import parse_file_rows

        with open(file, "rb") as f:
            st = os.fstat(f.fileno())
            key = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
            entry = _MEMO.get(str(file))
            if entry is None or entry[0] != key:
                entry = self._from_kept(rel, key)
            if entry is None:
                rows, problems = parse_file_rows(rel, f.read())
                entry = (key, array("L", [line for _, line, _ in rows]),
                         tuple(sale for _, _, sale in rows), tuple(problems))
                self.parsed += 1
        _MEMO[str(file)] = entry
        if not store.is_racy(max(st.st_mtime_ns, st.st_ctime_ns), self.started):
            self.used[rel] = entry
        return (list(zip(repeat(rel, len(entry[2])), entry[1], entry[2], strict=True)),
                list(entry[3]))

    def _from_kept(self, rel: str, key: Key) -> Entry | None:
        """The file's parse of `rel` if made from these very bytes. Sales are kept as columns
        (amounts as text): unpickled as a few long tuples, made again a column at a time
        (`sales_of_columns`): 12 months of 20,000 sales in 30 ms, where a tuple per sale made
        by `Sale(*cells)` took 110."""
        if (kept := self._kept().get(rel)) is None or kept[0] != key:
            return None
        # imported by __call__ already; here for its name
        from salesnotes.model.ledger import sales_of_columns

        # let go as soon as it is made again: a month's columns (its amounts as text) are
        # not held while the next months are (35 MB for 200,000 sales)
        del self._kept()[rel]
        _, lines, columns, problems = kept
        try:
            sales = sales_of_columns(columns)
        except (ValueError, TypeError, ArithmeticError):  # not what `save` wrote: parse it
            return None
        return key, array("L", lines), sales, problems

    def _kept(self) -> dict[str, Stored]:
        if self.kept is None:
            parts = store.read_pickles(self.file, version(), _allowed())
            try:
                self.kept = dict(parts) if parts else {}
            except (TypeError, ValueError):  # not what `save` wrote: every month parsed again
                self.kept = {}
            if not all(isinstance(rel, str) for rel in self.kept):
                self.kept = {}
            self.kept_keys = _keys(self.kept)
        return self.kept

    def save(self) -> bool:
        """Keep this run's parses when they differ from the file's; False when not written.
        A run that found every month in memory (watch) never read the file and leaves it:
        a month removed meanwhile is only an entry never asked for again."""
        if not self.store or self.kept is None or self.kept_keys == _keys(self.used):
            return False
        # imported by __call__ already; here for its name
        from salesnotes.model.ledger import sale_columns

        # a month a pickle, each made when it is written: one pickle of every month held
        # every month's columns (and the pickler's memo of them) at once, a cold review's
        # peak at 200,000 sales (+44 MB)
        return store.write_pickles(self.file, version(), (
            (rel, (key, tuple(lines), sale_columns(sales), problems))
            for rel, (key, lines, sales, problems) in self.used.items()))


def _keys(entries: dict[str, Entry] | dict[str, Stored]) -> dict[str, Key]:
    return {rel: entry[0] for rel, entry in entries.items()}


def store_path(root: Path) -> Path:
    return store.path(root, FILE)


@functools.cache
def version() -> str:
    """This format and the parser's source: a changed parser never meets old parses."""
    digest = hashlib.sha256()
    folder = Path(salesnotes.__file__).parent
    for source in _SOURCES:
        digest.update((folder / source).read_bytes())
    return (f"{_VERSION}:{salesnotes.__version__}:{digest.hexdigest()[:16]}:"
            f"{sys.version_info[0]}.{sys.version_info[1]}:{store.library_stamp('stdnum')}")


@functools.cache
def _allowed() -> dict[tuple[str, str], type]:
    # the Sale class is not unpickled (sales are kept as tuples); none of the ledger is needed
    classes = (Problem, Said, datetime.date, decimal.Decimal, PurePosixPath)
    return {(cls.__module__, cls.__qualname__): cls for cls in classes}
