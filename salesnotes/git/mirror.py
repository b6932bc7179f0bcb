"""Reps' repositories as bare mirrors: fetched, never checked out, read blob by blob.

A manager's machine must never write into a rep's repository, and must not run anything a rep
committed. So each rep's branch is fetched into a bare repository of ours, and files are read
as blobs of the fetched commit (`git ls-tree`, then one `git cat-file --batch` for all of
them): nothing is checked out, no hook or filter of theirs can run, and a file that did not
change since the last sync is known by its blob id without being read again.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from salesnotes.git.run import git_env, git_said, run_git
from salesnotes.i18n import Said

REF = "refs/salesnotes/rep"  # where the rep's branch lands in the mirror
FETCH_TIMEOUT = 300  # seconds: a remote that hangs must not hang the Monday roll-up
_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


class MirrorError(Exception):
    """A rep's repository could not be fetched or read; the message is safe to show, and
    `said` is it for the catalog (the team's language)."""

    def __init__(self, said: Said) -> None:
        super().__init__(str(said))
        self.said = said


@dataclass(frozen=True)
class Synced:
    commit: str
    committed: date  # the commit's own date: what "synced" means to a manager


def redact(url: str) -> str:
    """A remote as it may be shown: `https://user:token@host/x` -> `https://***@host/x`."""
    return _CREDENTIALS.sub("***@", url)


def fetch(remote: str, mirror: Path, branch: str | None, *, offline: bool = False) -> Synced:
    """The rep's branch (default: their HEAD) fetched into `mirror`, forced: a rewritten
    history replaces the old one. Offline, the last fetched commit is used.

    The remote is asked for its branches first (one `ls-remote`, needed anyway to find its
    HEAD): a branch still at the commit last fetched is not fetched again, which on a Monday
    is most reps, and each fetch is a pack negotiation and a maintenance run."""
    fresh = not (mirror / "HEAD").is_file()
    if fresh:
        if offline:
            raise MirrorError(Said("err_team_never_synced"))
        mirror.mkdir(parents=True, exist_ok=True)
        _checked(run_git(mirror, "init", "--quiet", "--bare"), remote)
    have = None if fresh else _synced(mirror)
    if offline:
        if have is None:
            raise MirrorError(Said("err_team_never_synced"))
        return have
    source, tip = _remote_branch(remote, mirror, branch)
    if have is not None and have.commit == tip:
        return have
    done = _remote_git(mirror, remote, "fetch", "--quiet", "--force", "--no-tags",
                       "--no-write-fetch-head", "--", remote, f"+{source}:{REF}")
    if done.returncode:
        said = git_said(done)
        if branch and "couldn't find remote ref" in said:
            raise MirrorError(Said("err_team_no_branch", branch=repr(branch),
                                   remote=redact(remote)))
        raise MirrorError(Said("err_team_cannot_fetch", remote=redact(remote),
                               git=redact(said)))
    synced = _synced(mirror)
    if synced is None:
        raise MirrorError(Said("err_team_never_synced"))
    return synced


def _synced(mirror: Path) -> Synced | None:
    """The commit last fetched into `mirror` and its date; None before the first fetch."""
    shown = run_git(mirror, "log", "-1", "--format=%H %ct", REF, "--")
    if shown.returncode or not shown.stdout.strip():
        return None
    commit, stamp = shown.stdout.split()
    return Synced(commit, datetime.fromtimestamp(int(stamp), UTC).date())


def _remote_branch(remote: str, mirror: Path, branch: str | None) -> tuple[str, str]:
    """(the ref to fetch, the commit it is at): `branch`, else the one the remote's HEAD
    names; when HEAD names none (a bare repository made with `git init --bare`, then pushed
    `main`), `main`, `master` or the only branch there is."""
    wanted = None if branch is None else f"refs/heads/{branch}"
    listed = _remote_git(mirror, remote, "ls-remote", "--symref", "--", remote, "HEAD",
                         "refs/heads/*", *([wanted] if wanted else []))
    if listed.returncode:
        raise MirrorError(Said("err_team_cannot_fetch", remote=redact(remote),
                               git=redact(git_said(listed))))
    heads: dict[str, str] = {}
    target = None
    for line in listed.stdout.splitlines():
        if line.startswith("ref: ") and line.endswith("\tHEAD"):
            target = line[5:].split("\t")[0]
        elif "\trefs/heads/" in line:
            sha, ref = line.split("\t", 1)
            heads[ref] = sha
    if wanted is not None:
        if wanted not in heads:
            raise MirrorError(Said("err_team_no_branch", branch=repr(branch),
                                   remote=redact(remote)))
        return wanted, heads[wanted]
    for name in (target, "refs/heads/main", "refs/heads/master"):
        if name is not None and name in heads:
            return name, heads[name]
    if len(heads) == 1:
        return next(iter(heads.items()))
    raise MirrorError(Said("err_team_no_branches" if not heads else "err_team_no_head",
                           remote=redact(remote)))


def _remote_git(mirror: Path, remote: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A git call that talks to the remote: never prompts, never hangs past the timeout."""
    try:
        return subprocess.run(
            ["git", *args], cwd=mirror,
            env={**git_env(), "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=20"},
            capture_output=True, encoding="utf-8", errors="replace", timeout=FETCH_TIMEOUT,
            check=False)
    except subprocess.TimeoutExpired:
        raise MirrorError(Said("err_team_timeout", remote=redact(remote),
                               seconds=FETCH_TIMEOUT)) from None


def files_at(mirror: Path, commit: str, folders: Iterable[str]) -> dict[str, str]:
    """Path -> blob id of every file under `folders` (and single files named) in `commit`."""
    listed = run_git(mirror, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *folders)
    if listed.returncode:
        raise MirrorError(Said("err_team_cannot_list", commit=commit[:12],
                               git=git_said(listed)))
    out: dict[str, str] = {}
    for entry in listed.stdout.split("\0"):
        if not entry:
            continue
        meta, _, path = entry.partition("\t")
        mode, kind, blob = meta.split()
        if kind == "blob" and mode != "120000":  # a symlink is never followed
            out[path] = blob
    return out


def read_blobs(mirror: Path, blobs: Iterable[str]) -> dict[str, bytes]:
    """Blob id -> content, all in one `git cat-file --batch` process."""
    wanted = list(dict.fromkeys(blobs))
    if not wanted:
        return {}
    done = subprocess.run(["git", "cat-file", "--batch"], cwd=mirror, env=git_env(),
                          input="".join(f"{b}\n" for b in wanted).encode(),
                          capture_output=True, check=False)
    if done.returncode:
        raise MirrorError(Said("err_team_cannot_read_blobs",
                               git=done.stderr.decode(errors="replace").strip()))
    data, pos, out = done.stdout, 0, {}
    for blob in wanted:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        if len(header) != 3:
            raise MirrorError(Said("err_team_blob_missing", blob=blob[:12]))
        size = int(header[2])
        out[blob] = data[end + 1:end + 1 + size]
        pos = end + 1 + size + 1
    return out


def is_ancestor(mirror: Path, old: str, new: str) -> bool:
    """`old` is still in `new`'s history (no force push in between)."""
    return run_git(mirror, "merge-base", "--is-ancestor", old, new).returncode == 0


def _checked(result: subprocess.CompletedProcess[str], remote: str) -> None:
    if result.returncode:
        raise MirrorError(Said("err_in", part=redact(remote), message=redact(git_said(result))))
