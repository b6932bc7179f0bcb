"""Where the vault and its notes are: the root folder, and every note file under clients/.

Kept apart from `model/vault.py` so that a command which only needs the files (`log` finding one
client through the who-is-who index, shell completion) does not import the whole vault model.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from itertools import compress
from operator import and_, attrgetter, methodcaller, not_
from pathlib import Path

from salesnotes.errors import UsageProblem, said

CONFIG_FILE = "salesnotes.yaml"  # here, not in config.py: finding the vault reads no YAML
CLIENTS = "clients"
VIEWS_DIR = "views"  # written by salesnotes alone (views/__init__.py write_views)
_name = attrgetter("name")
_HIDDEN = methodcaller("startswith", ".")
_MARKDOWN = methodcaller("endswith", ".md")
_IS_FOLDER = methodcaller("is_dir", follow_symlinks=False)


def find_root(explicit: str | None, env: str | None, cwd: Path) -> Path:
    """`--vault`, else `$SALESNOTES_VAULT`, else the nearest folder up holding salesnotes.yaml."""
    given = explicit or env
    if given:
        root = Path(given).expanduser()
        if not root.is_dir():
            raise UsageProblem(said(given, 0, "err_no_vault_folder"))
        if not (root / CONFIG_FILE).is_file():
            raise UsageProblem(said(given, 0, "err_not_a_vault", config=CONFIG_FILE))
        return root.resolve()
    for folder in (cwd, *cwd.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise UsageProblem(said(".", 0, "err_no_vault_found", config=CONFIG_FILE))


def walk_notes(root: Path) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every `.md` under clients/, hidden folders skipped, in a stable order, with the vault
    path as a plain string (`clients/a/b.md`): stat walks of 100,000 notes run twice as fast
    without making a PurePosixPath for each."""
    for rel, entries in note_folders(root):
        for entry in entries:
            yield f"{rel}/{entry.name}", entry


# A folder of notes with their stats: (its vault path, its notes' names, each one's stat or
# None when it vanished since it was listed), by `note_stats`.
FolderStats = tuple[str, list[str], list[os.stat_result | None]]
# The same folder with each note's stat as the note cache keys it: (mtime_ns, ctime_ns, size),
# None when it vanished. Plain ints, so a walk made in a forked child comes back by marshal.
StatKey = tuple[int, int, int]
FolderKeys = tuple[str, list[str], list[StatKey | None]]
_MTIME, _CTIME, _SIZE = (attrgetter(f"st_{k}") for k in ("mtime_ns", "ctime_ns", "size"))


def note_stats(root: Path) -> list[FolderStats]:
    """`note_folders` with every note's stat, made by C-level maps a folder at a time. One
    walk serves a review twice: its fingerprint (local/reviewstate.py) and the note cache's
    check of every note (local/cache.py) read the same stats, where each made its own."""
    out: list[FolderStats] = []
    for rel, entries in note_folders(root):
        try:
            stats: list[os.stat_result | None] = list(map(os.DirEntry.stat, entries))
        except OSError:  # one vanished meanwhile: the others still count
            stats = list(map(_stat_or_none, entries))
        out.append((rel, list(map(_name, entries)), stats))
    return out


def stat_keys(stats: list[os.stat_result | None]) -> list[StatKey | None]:
    """Each stat as the note cache keys a note, made by C-level maps unless one is missing."""
    if None in stats:
        return [None if st is None else (st.st_mtime_ns, st.st_ctime_ns, st.st_size)
                for st in stats]
    return list(zip(map(_MTIME, stats), map(_CTIME, stats), map(_SIZE, stats), strict=True))


def _stat_or_none(entry: os.DirEntry[str]) -> os.stat_result | None:
    try:
        return entry.stat()
    except OSError:
        return None


def note_folders(root: Path, *, by_descriptor: bool = False
                 ) -> Generator[tuple[str, list[os.DirEntry[str]]], None, None]:
    """`walk_notes` a folder at a time: (its vault path, its notes by name), for a caller
    that handles a folder's notes together (the who-is-who index keeps one digest per folder).

    `by_descriptor` opens each folder once and lists it by its descriptor, which stays open
    while its notes are handed over: a caller's `entry.stat()` is then made relative to the
    folder (fstatat), so the kernel resolves one name, not the whole path from the root
    (local/lookupwalk.py; only where `os.supports_fd` has scandir)."""
    stack = [(os.path.join(root, CLIENTS), CLIENTS)]
    while stack:
        folder, rel = stack.pop()
        fd = None
        try:
            if by_descriptor:
                fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            with os.scandir(folder if fd is None else fd) as it:
                entries = sorted(it, key=_name)
        except (FileNotFoundError, NotADirectoryError):
            if fd is not None:
                os.close(fd)
            continue
        try:
            # each test a C-level map over the folder's entries (10,000 notes at every run)
            names = list(map(_name, entries))
            if any(map(_HIDDEN, names)):
                entries = list(compress(entries, map(not_, map(_HIDDEN, names))))
                names = list(map(_name, entries))
            folders = list(map(_IS_FOLDER, entries))
            for entry in compress(entries, folders):
                stack.append((os.path.join(folder, entry.name), f"{rel}/{entry.name}"))
            # a name ending in .md that is a file (a link to one too): the others are not asked
            named = list(compress(entries, map(and_, map(not_, folders), map(_MARKDOWN, names))))
            notes = list(compress(named, map(os.DirEntry.is_file, named)))
            if notes:
                yield rel, notes
        finally:
            if fd is not None:
                os.close(fd)
