"""The walk the who-is-who index is checked against: every note file stat-ed, a folder at a time.

Nothing cheaper proves a note unchanged (an edit in place leaves its folder's mtime alone), so
`log` stats every note on every run: 10,000 system calls, most of a warm `log`'s own time, and
time spent waiting on the kernel. `walked_meanwhile` does it in a forked child while `log`
imports its editor: on two cores the walk then costs the command next to nothing. A thread
could not: each system call gives up the GIL, and taking it back waits out the other thread's
switch interval.

This module is light on purpose (no sqlite, no YAML): it is imported before the fork.
"""

from __future__ import annotations

import marshal
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from salesnotes import forking
from salesnotes.model.where import note_folders

File = tuple[str, int, int, int]  # (vault path, mtime_ns, ctime_ns, size)
_name, _mtime = attrgetter("name"), attrgetter("st_mtime_ns")
_ctime, _size = attrgetter("st_ctime_ns"), attrgetter("st_size")
# Each folder opened once and its notes stat-ed relative to it (fstatat), not each by its
# whole path from the root: the kernel resolves one name, not the whole path.
_BY_FOLDER = os.scandir in os.supports_fd and os.stat in os.supports_dir_fd


class Listing(NamedTuple):
    """One folder's notes and their stats, as columns: made by C-level maps, not a Python
    step per note."""

    names: list[str]
    mtimes: list[int]
    ctimes: list[int]
    sizes: list[int]

    def files(self, folder: str) -> list[File]:
        columns = zip(self.names, self.mtimes, self.ctimes, self.sizes, strict=True)
        return [(f"{folder}/{name}", m, c, s) for name, m, c, s in columns]


class Folder(NamedTuple):
    """A folder as walked: one digest of its notes' names and stats (compared with the one
    the index keeps), its newest mtime (the racy rule), its note count, and the listing
    itself, marshalled: made into lists only for a folder whose digest moved."""

    digest: bytes
    newest: int
    notes: int
    data: bytes

    def listing(self) -> Listing:
        return Listing(*marshal.loads(self.data))


class Walk(NamedTuple):
    """Every folder holding notes, and when the walk ended (the racy rule's now)."""

    folders: dict[str, Folder]
    ended: int


Walker = Callable[[], "Walk | None"]  # the walk as the caller gets it, when it needs it


def walk(root: Path) -> Walk | None:
    """Every note file with its stat, by folder; None when one vanished meanwhile."""
    listings = _listings(root)
    if listings is None:
        return None
    folders = {folder: _folder(listing) for folder, listing in listings.items()}
    return Walk(folders, time.time_ns())


@contextmanager
def walked_meanwhile(root: Path) -> Iterator[Walker]:
    """The walk started in a forked child (where one can be forked), asked for when needed;
    a child that failed costs time, never a result: the walk is then made here."""
    child = forking.meanwhile(lambda: marshal.dumps(_plain(walk(root))))
    try:
        yield lambda: _received(child, root)
    finally:
        if child is not None:
            child.close()


def _plain(done: Walk | None) -> tuple[dict[str, tuple], int] | None:
    """What marshal writes: plain tuples and dicts, no named tuple."""
    return None if done is None else ({k: tuple(f) for k, f in done.folders.items()},
                                      done.ended)


def _received(child: forking.Meanwhile | None, root: Path) -> Walk | None:
    data = None if child is None else child.result()
    if data is None:
        return walk(root)
    done = marshal.loads(data)
    if done is None:
        return None
    folders, ended = done
    return Walk({name: Folder(*folder) for name, folder in folders.items()}, ended)


def digest(listing: Listing) -> bytes:
    """One value for a folder's note names and stats. marshal (version 2: no back-references)
    writes equal lists alike, in C; two writings of one list could only differ (an interned
    string) by marking the folder moved, which costs time, not truth."""
    return _folder(listing).digest


def _folder(listing: Listing) -> Folder:
    # hashlib (OpenSSL) only when a walk is made: in the child, where there is one
    import hashlib

    data = marshal.dumps(tuple(listing), 2)
    return Folder(hashlib.blake2b(data, digest_size=16).digest(), max(listing.mtimes),
                  len(listing.names), data)


def _listings(root: Path, by_descriptor: bool = _BY_FOLDER) -> dict[str, Listing] | None:
    """Every folder's notes (`where.note_folders`' rule) with their stats, each folder's made
    relative to it where it can be listed by its descriptor; None when a note or folder could
    not be stat-ed or listed (one vanished meanwhile)."""
    folders: dict[str, Listing] = {}
    found = note_folders(root, by_descriptor=by_descriptor)
    try:
        for folder, notes in found:
            stats = list(map(os.DirEntry.stat, notes))  # the folder is open meanwhile
            folders[folder] = _listing(notes, stats)
    except OSError:
        return None
    finally:
        found.close()
    return folders


def _listing(notes: list[os.DirEntry[str]], stats: list[os.stat_result]) -> Listing:
    return Listing(list(map(_name, notes)), list(map(_mtime, stats)), list(map(_ctime, stats)),
                   list(map(_size, stats)))
