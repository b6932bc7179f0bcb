"""The daily notes' links, remembered by each file's (mtime, size) like the note cache.

A review must stay fast with years of daily notes: only a daily note saved since the last run
is read again; the others cost a stat. The file is only a shortcut: deleted or stale, the
links are read from the notes and the result is the same.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from salesnotes.local import store
from salesnotes.read.daily import daily_date, link_targets

CACHE_FILE = "daily-links.json"
_VERSION = 1
# Not daily notes: the rep's clients, salesnotes' own folders, and hidden ones (.git, .obsidian)
SKIPPED_TOP = {"clients", "views", "templates", "sales"}

DailyLinks = tuple[date, str, list[tuple[str, str]]]  # date, vault path, (target, line text)


def daily_files(root: Path, folder: str | None) -> list[tuple[date, str, os.stat_result]]:
    """(date, vault path, stat) of every daily note: under `folder` when the config names
    one, else anywhere outside clients/, views/, templates/, sales/ and hidden folders."""
    start = os.path.join(root, folder) if folder else str(root)
    prefix = f"{folder.strip('/')}/" if folder else ""
    out = []
    stack = [(start, prefix)]
    while stack:
        path, rel = stack.pop()
        try:
            with os.scandir(path) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                if rel or folder or name not in SKIPPED_TOP:
                    stack.append((entry.path, f"{rel}{name}/"))
            elif (when := daily_date(name)) is not None and entry.is_file():
                out.append((when, f"{rel}{name}", entry.stat()))
    out.sort(key=lambda f: f[1])
    return out


def daily_links(root: Path, folder: str | None) -> list[DailyLinks]:
    """Every daily note's links, from the cache where the file has not changed."""
    cache_path = store.path(root, CACHE_FILE)
    stored = _load(cache_path)
    fresh: dict[str, list] = {}
    out: list[DailyLinks] = []
    for when, rel, st in daily_files(root, folder):
        row = stored.get(rel)
        if row is None or row[0] != st.st_mtime_ns or row[1] != st.st_size:
            try:
                text = (root / rel).read_bytes().decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue  # not readable as text: no links (a daily note is never an error)
            row = [st.st_mtime_ns, st.st_size, [list(x) for x in link_targets(text)]]
        fresh[rel] = row
        out.append((when, rel, [(t, said) for t, said in row[2]]))
    if fresh != stored:
        _store(cache_path, fresh)
    return out


def _load(path: Path) -> dict[str, list]:
    data = store.read_json(path, _VERSION)
    files = data.get("files") if data else None
    return files if isinstance(files, dict) else {}


def _store(path: Path, files: dict[str, list]) -> None:
    store.write_json(path, _VERSION, {"files": files})  # a read-only vault only loses the shortcut
