"""Skip a review whose inputs have not changed since the last one.

Views are pure functions of the vault and the date, so when no note, config, ledger file,
template, salesnotes module, date or git HEAD changed, and views/ still holds exactly what the
last review left there, rendering again would give the same bytes. The fingerprint is two
stat walks (about 0.1 s for 10,000 notes) against seconds of rendering; a review that renders
hands the notes' stats on to the note cache. It never changes a result: any doubt (a missing
or corrupt state file, a different version) renders again.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from operator import attrgetter
from pathlib import Path

import salesnotes
from salesnotes import forking
from salesnotes.git.run import head
from salesnotes.local import store
from salesnotes.local.dailycache import daily_files
from salesnotes.model.where import VIEWS_DIR, FolderKeys, note_stats, stat_keys

STATE_FILE = "review.json"
_STATE_VERSION = 1
_PACKAGE = Path(salesnotes.__file__).parent
_mtime, _size = attrgetter("st_mtime_ns"), attrgetter("st_size")


@dataclass
class ReviewSummary:
    """What the terminal summary shows, kept so a skipped review can show it again."""

    clients: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # breath -> clients
    top: list[tuple[str, str, str, int]] = field(default_factory=list)  # glyph, name, stake, days
    currency: str = "PLN"
    locale: str = "pl"
    # each top stake as the vault writes money: a skipped review shows it without babel's data
    stakes_shown: list[str] = field(default_factory=list)


def inputs_key(root: Path, today: date, week: date | None, views: tuple[str, ...],
               walked: list[FolderKeys] | None = None) -> str:
    """Everything a view is computed from, by (path, mtime, size), plus the date and version.
    `walked`, when given, receives the notes' stats the key was made from, as the note cache
    keys them: a review hands them to the cache, which checks each note by them rather than
    by a walk of its own (the stat results themselves are let go here).

    The notes are hashed a folder at a time, their names, mtimes and sizes as columns made by
    C-level maps and written by marshal (as the who-is-who index does): no Python step per
    note on the stat walk every warm `status` and review makes."""
    h = hashlib.sha256(f"{salesnotes.__version__}|{today}|{week}|{views}".encode())
    newest = 0
    folders: list[FolderKeys] = []
    for rel, names, stats in note_stats(root):
        if None in stats:  # vanished since listed
            mtimes = [-1 if st is None else st.st_mtime_ns for st in stats]
            sizes = [-1 if st is None else st.st_size for st in stats]
        else:
            mtimes, sizes = list(map(_mtime, stats)), list(map(_size, stats))
        newest = max(newest, *mtimes)
        h.update(marshal.dumps((rel, names, mtimes, sizes), 2))
        if walked is not None:
            folders.append((rel, names, stat_keys(stats)))
    lines = []
    for _, rel, st in daily_files(root, None):  # a daily note linking to a client is a contact
        newest = max(newest, st.st_mtime_ns)
        lines.append(f"{rel}\0{st.st_mtime_ns}\0{st.st_size}\n")
    h.update("".join(lines).encode())
    for folder in ("sales", "templates"):
        newest = max(newest, _walk(h, root / folder))
    newest = max(newest, _stat(h, root / "salesnotes.yaml"))
    _walk(h, _PACKAGE)  # salesnotes itself: an upgrade or a template change renders again
    if walked is not None:
        walked.extend(folders)
    if store.is_racy(newest, time.time_ns()):  # saved just now: may change again within one tick
        return f"racy:{os.getpid()}:{time.time_ns()}"  # never matches a later run
    return h.hexdigest()


def start_inputs_key(root: Path, today: date, week: date | None, views: tuple[str, ...]
                     ) -> Callable[[], tuple[str, list[FolderKeys]]]:
    """`inputs_key` with its walk started in a forked child (where one can be forked) and a
    function that waits for (key, walked). A review that is sure to render starts it first and
    imports its renderer meanwhile: on two cores the stats overlap the imports, which a thread
    cannot do (each stat gives up the GIL and waits out the importing thread's switch
    interval). The child sends plain ints by marshal; one that fails costs time, never the
    key: it is then made here."""
    child = forking.meanwhile(lambda: marshal.dumps(_walked_key(root, today, week, views)))

    def result() -> tuple[str, list[FolderKeys]]:
        data = None if child is None else child.result()
        if data is not None:
            try:
                key, walked = marshal.loads(data)
                return str(key), walked
            except (ValueError, EOFError, TypeError):  # not what the child writes
                pass
        return _walked_key(root, today, week, views)

    return result


def _walked_key(root: Path, today: date, week: date | None, views: tuple[str, ...]
                ) -> tuple[str, list[FolderKeys]]:
    walked: list[FolderKeys] = []
    key = inputs_key(root, today, week, views, walked=walked)
    return key, walked


def day_of(today: date, week: date | None) -> str:
    """The dates a review's key holds: one remembered for other dates cannot match."""
    return f"{today}|{week}"


def outputs_key(root: Path) -> str:
    """views/ as the last review left it, and the git HEAD (contact commits move breath)."""
    h = hashlib.sha256()
    _walk(h, root / VIEWS_DIR)
    h.update(head(root).encode())
    return h.hexdigest()


def _walk(h: hashlib._Hash, folder: Path) -> int:
    """Hash the folder's files by stat; the newest mtime in it."""
    newest = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            newest = max(newest, _stat(h, Path(dirpath, name)))
    return newest


def _stat(h: hashlib._Hash, path: Path) -> int:
    try:
        st = path.stat()
    except OSError:
        h.update(f"{path}\0-\n".encode())
        return 0
    h.update(f"{path}\0{st.st_mtime_ns}\0{st.st_size}\n".encode())
    return st.st_mtime_ns


def load(root: Path) -> dict | None:
    return store.read_json(store.path(root, STATE_FILE), _STATE_VERSION)


def save(root: Path, *, inputs: str, views: list[str], problems: list, summary: ReviewSummary,
         git_commit: bool, day: str | None = None) -> None:
    """Remember this review; a failure to remember only costs the next run its shortcut.
    `day`: its `day_of`, so that the next review knows early whether it may be skipped."""
    store.write_json(store.path(root, STATE_FILE), _STATE_VERSION, {
        "inputs": inputs, "outputs": outputs_key(root), "views": views, "git_commit": git_commit,
        "day": day,
        "problems": [p.as_row() for p in problems],
        "summary": asdict(summary)})


def forget(root: Path) -> None:
    store.path(root, STATE_FILE).unlink(missing_ok=True)
