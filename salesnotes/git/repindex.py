"""The rep's own index after a salesnotes commit: only the committed paths follow.

The commit is built without the index, so afterwards the index would still hold the old
version of each committed file and `git status` would show salesnotes' change staged in
reverse. Each committed path's entry therefore moves to what was committed, when it held what
HEAD had before (the usual case) or nothing; when the rep had staged their own version of a
note, salesnotes' edit is applied to that staged version too, so it stays staged as they left
it, minus nothing. Every other entry (the rep's other staged files) is left exactly as it was.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from salesnotes.errors import VaultError
from salesnotes.git.run import Repo, hash_files, run_git
from salesnotes.git.trees import REGULAR, Entry, Objects

_WAIT = 2.0  # seconds a held index.lock is waited for after the commit is made


def start_listing(repo: Repo, paths: list[str], env: Mapping[str, str]
                  ) -> subprocess.Popen[str] | None:
    """The index entries of `paths` (`ls-files -s`), read while the commit is being made."""
    if not paths:
        return None
    return subprocess.Popen(["git", "ls-files", "-s", "-z", "--", *paths], cwd=repo.top,
                            env=dict(env), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, encoding="utf-8", errors="surrogateescape")


def follow(repo: Repo, objects: Objects, listed: subprocess.CompletedProcess[str] | None,
           before: Mapping[str, Entry | None], after: Mapping[str, Entry | None],
           redo: Mapping[str, Callable[[bytes], bytes]], env: Mapping[str, str],
           deadline: float) -> list[str]:
    """Update the index entries of the committed paths (`listed`: what they were before the
    commit); what to tell the rep if it could not."""

    if not after or listed is None:
        return []
    if listed.returncode:
        return [_stale(repo, list(after))]
    current, conflicted = _entries(listed.stdout)
    updates: dict[str, Entry | None] = {}
    for path, new in after.items():
        now = current.get(path)
        if path in conflicted or now == new:
            continue
        if now == before.get(path):
            updates[path] = new
        elif path in redo and now is not None and now.mode in REGULAR:
            staged = _redone(repo, objects, now, redo[path], env)
            if staged is not None:
                updates[path] = staged
    if not updates:
        return []
    zero = "0" * len(next(e.sha for e in [*after.values(), *before.values()] if e))
    lines = "".join(f"{e.mode} {e.sha}\t{p}\0" if e else f"0 {zero}\t{p}\0"
                    for p, e in updates.items())
    return _update_index(repo, lines, list(updates), env, max(deadline, time.monotonic() + _WAIT))


def _update_index(repo: Repo, lines: str, paths: list[str], env: Mapping[str, str],
                  until: float) -> list[str]:
    """`update-index --index-info`, waiting a while on another git's index.lock."""
    delay = 0.05
    while True:
        done = run_git(repo.top, "update-index", "-z", "--index-info", stdin=lines, env=env)
        if done.returncode == 0:
            return []
        if "index.lock" not in done.stderr or time.monotonic() >= until:
            return [_stale(repo, paths)]
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def _entries(listing: str) -> tuple[dict[str, Entry], set[str]]:
    """`ls-files -s -z` as entries by path (stage 0), and the paths with conflict stages."""
    entries: dict[str, Entry] = {}
    conflicted: set[str] = set()
    for record in listing.split("\0"):
        info, tab, path = record.partition("\t")
        parts = info.split()
        if not tab or len(parts) != 3:
            continue
        if parts[2] != "0":
            conflicted.add(path)
        else:
            entries[path] = Entry(parts[0], parts[1])
    return entries, conflicted


def _redone(repo: Repo, objects: Objects, staged: Entry, redo: Callable[[bytes], bytes],
            env: Mapping[str, str]) -> Entry | None:
    """The rep's staged version with salesnotes' edit; None when it cannot take it."""
    found = objects.read(staged.sha)
    if found is None:
        return None
    try:
        data = redo(found[2])
    except (VaultError, ValueError):
        return None
    if data == found[2]:
        return None
    with tempfile.TemporaryDirectory(dir=repo.git_dir, prefix="salesnotes-") as folder:
        name = os.path.join(folder, "staged.blob")
        Path(name).write_bytes(data)
        sha = hash_files(repo.top, [name], env, filters=False)[0]
    return Entry(staged.mode, sha)


def _stale(repo: Repo, paths: list[str]) -> str:
    shown = " ".join(f"'{p}'" for p in paths[:3]) + (" ..." if len(paths) > 3 else "")
    return (f"committed, but git's index could not follow (index.lock held?): `git status` may "
            f"show the change staged in reverse until you run `git reset -q -- {shown}`")
