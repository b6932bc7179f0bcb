"""The only module that runs git: commit the paths salesnotes wrote (the contact log is read
through `run_git` by contacthistory.py, whose names are re-exported here).

Why the git binary through subprocess: one streaming `git log` is 7x faster than pygit2 and over
100x faster than dulwich (PERFORMANCE.md section 8), and `git commit --only -- <paths>` already
does what DATA-SAFETY rule 14 asks: it commits those paths as they are in the work tree and
leaves whatever else the user staged staged and uncommitted. A commit failure never touches the
files: the caller's edit is already saved, we only report why it is not committed.

Every path given to or returned from this module is relative to the vault root (posix), even when
the vault is a subfolder of a larger git repository.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# The contact log lives in contacthistory.py; its names stay importable from here. It imports
# this module only inside its functions, so neither import waits for the other.
from salesnotes.git.history import ContactCommit, contact_history, last_contacts, split_trailers
from salesnotes.errors import GitBusy, VaultError, problem

__all__ = [
    "FALLBACK_IDENTITY", "SAVED", "ContactCommit", "GitIdentityMissing", "Repo", "commit_paths",
    "contact_history", "find_repo", "git_said", "init_repo", "is_repo", "last_contacts", "run_git",
    "split_trailers",
]

FALLBACK_IDENTITY = ("-c", "user.name=salesnotes", "-c", "user.email=salesnotes@localhost")
SAVED = "your edits are saved but not committed"
_BUSY_STATES = (  # (file in the git dir, why git cannot commit now)
    ("index.lock", "{path} is held (another git program is running?)"),
    ("MERGE_HEAD", "a merge is in progress (finish it, or run `git merge --abort`)"),
    ("rebase-merge", "a rebase is in progress (finish it, or run `git rebase --abort`)"),
    ("rebase-apply", "a rebase or `git am` is in progress (finish or abort it)"),
    ("CHERRY_PICK_HEAD", "a cherry-pick is in progress (finish it, or `git cherry-pick --abort`)"),
    ("REVERT_HEAD", "a revert is in progress (finish it, or `git revert --abort`)"),
)
_NOTHING = ("nothing to commit", "nothing added to commit", "no changes added to commit")
_NO_IDENTITY = ("Please tell me who you are", "empty ident name", "unable to auto-detect email")


class GitIdentityMissing(VaultError):
    """git does not know who commits; say how to tell it once (obsidian-git#213)."""

    def __init__(self, where: str = ".") -> None:
        super().__init__(problem(where, 0, (
            f"git does not know who you are, so {SAVED}; set it once with: "
            'git config --global user.name "Jan Kowalski" and '
            'git config --global user.email "jan.kowalski@example.com"'
        )))


@dataclass(frozen=True)
class Repo:
    """Where a vault sits in its git work tree."""

    root: Path  # the vault root, where messages' paths start
    git_dir: Path
    prefix: str  # the vault's folder inside the work tree: "" or "sub/dir/"


class _Locked(Exception):
    """git hit index.lock (or a ref lock) mid-way: wait and try again."""


# -- running git ------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    """Plain, predictable git: C messages (we match some), literal paths, no prompts, no editor."""
    return {
        **os.environ,
        "LC_ALL": "C",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_LITERAL_PATHSPECS": "1",
        "GIT_OPTIONAL_LOCKS": "0",  # `git status` must not take index.lock from Obsidian Git
        "GIT_EDITOR": ":",
    }


def run_git(root: Path, *args: str,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """git with `_env()` in the vault root; text out, undecodable bytes kept as surrogates."""
    return subprocess.run(
        ["git", "-c", "core.quotepath=off", *args],
        cwd=root, env=_env(), input=stdin, capture_output=True,
        encoding="utf-8", errors="surrogateescape", check=False,
    )


def find_repo(root: Path) -> Repo | None:
    """The repository the vault root is in, or None (no folder, not a work tree)."""
    if not Path(root).is_dir():
        return None
    out = run_git(root, "rev-parse", "--is-inside-work-tree", "--absolute-git-dir", "--show-prefix")
    lines = out.stdout.split("\n")
    if out.returncode or len(lines) < 3 or lines[0] != "true":
        return None
    return Repo(Path(root), Path(lines[1]), lines[2])


def git_said(result: subprocess.CompletedProcess[str]) -> str:
    """git's own words on one line, for a Problem's message."""
    said = (result.stderr.strip() or result.stdout.strip()).splitlines()
    return " | ".join(line.strip() for line in said if line.strip()) or f"exit {result.returncode}"


def is_repo(root: Path) -> bool:
    """True when the vault root is inside a git work tree."""
    return find_repo(root) is not None


def init_repo(root: Path) -> None:
    """`git init` with the branch `main`, also on git older than 2.28 (no `-b`)."""
    Path(root).mkdir(parents=True, exist_ok=True)
    if run_git(root, "init", "-q", "-b", "main").returncode == 0:
        return
    for args in (("init", "-q"), ("symbolic-ref", "HEAD", "refs/heads/main")):
        result = run_git(root, *args)
        if result.returncode:
            raise VaultError(problem(".", 0, f"git init failed: {git_said(result)}"))


# -- committing -------------------------------------------------------------------------------


def commit_paths(
    root: Path,
    paths: Sequence[Path],
    message: str,
    *,
    body: str = "",
    trailers: Mapping[str, str] | None = None,
    wait_seconds: float = 3.0,
    fallback_identity: bool = False,
) -> str | None:
    """Commit exactly `paths` (written, created or deleted) and nothing else; return the sha.

    `paths` are absolute or relative to the vault root; a folder is refused (it would sweep in
    the user's own edits).
    None when not in a repository or when those paths have no changes (no empty commits).
    Raises GitBusy (exit 75) after waiting up to `wait_seconds` for index.lock or a merge/rebase,
    GitIdentityMissing, or VaultError (conflict markers, detached HEAD, a failing hook). The files
    are never touched here, so a failure keeps the user's edit on disk.
    """
    repo = find_repo(root)
    if repo is None:
        return None
    rel = _vault_relative(Path(root), paths)
    if not rel:
        return None
    where = rel[0]
    _refuse_conflict_markers(Path(root), rel)
    text = _commit_message(message, body, trailers)
    deadline = time.monotonic() + wait_seconds
    _wait_until_free(repo, where, deadline)
    _refuse_detached(repo, where)
    identity = _identity(Path(root), where, fallback_identity)
    delays = _backoff()
    while True:
        try:
            return _commit(Path(root), repo, rel, text, identity, where, fallback_identity)
        except _Locked:  # taken between our look and git's: wait like for any other lock
            _pause(next(delays), deadline, repo, where)
            _wait_until_free(repo, where, deadline)


def _commit_message(subject: str, body: str = "", trailers: Mapping[str, str] | None = None) -> str:
    """Subject, blank line, body, blank line, `Key: value` trailers: what `git interpret-trailers`
    and `%(trailers)` read back. The subject and the values are kept to one line each."""
    parts = [" ".join(subject.split())]
    if body.strip():
        parts.append(body.strip("\n").rstrip())
    lines = []
    for key, value in (trailers or {}).items():
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", key):
            raise ValueError(f"not a git trailer key: {key!r}")
        lines.append(f"{key}: {' '.join(str(value).split())}")
    if lines:
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _backoff() -> Iterator[float]:
    delay = 0.05
    while True:
        yield delay
        delay = min(delay * 2, 0.5)


def _vault_relative(root: Path, paths: Sequence[Path]) -> list[str]:
    """Posix paths relative to the vault root, in order, once each; refuse a path outside it.

    A relative path is taken from the vault root, except one that starts with a relative `root`
    itself: that one was built as `root / name` and is taken from the current folder."""
    rel: list[str] = []
    base = Path(os.path.normpath(root))
    for path in map(Path, paths):
        if not base.is_absolute() and base.parts and path.parts[:len(base.parts)] == base.parts:
            path = Path(*path.parts[len(base.parts):])
        full = Path(os.path.normpath(base / path))  # an absolute `path` stays itself
        try:
            posix = full.relative_to(base).as_posix()
        except ValueError:
            posix = _resolved_relative(base, full).as_posix()
        if posix == "." or full.is_dir():  # a folder would sweep in the user's own edits
            raise ValueError(f"commit_paths takes files, not a folder: {posix}")
        if posix not in rel:
            rel.append(posix)
    return rel


def _resolved_relative(root: Path, path: Path) -> Path:
    try:
        return path.parent.resolve().joinpath(path.name).relative_to(root.resolve())
    except ValueError:
        raise VaultError(problem(path.as_posix(), 0, "outside the vault: not committed")) from None


def _refuse_conflict_markers(root: Path, rel: Sequence[str]) -> None:
    """A note with `<<<<<<<` lines is mid-merge: committing it would bury the conflict."""
    for name in rel:
        try:
            data = (root / name).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            continue
        for number, line in enumerate(data.splitlines(), start=1):
            if re.match(rb"(<{7}|>{7})( |$)", line):
                raise VaultError(problem(name, number, (
                    f"git conflict markers: resolve the conflict first; {SAVED}")))


def _busy_reason(repo: Repo) -> str | None:
    for name, why in _BUSY_STATES:
        path = repo.git_dir / name
        if path.exists():
            return why.format(path=_shown(repo, name))
    return None


def _wait_until_free(repo: Repo, where: str, deadline: float) -> None:
    """Bounded backoff while another git program works; never delete its lock (obsidian-git#342)."""
    for delay in _backoff():
        if _busy_reason(repo) is None:
            return
        _pause(delay, deadline, repo, where)


def _pause(delay: float, deadline: float, repo: Repo, where: str) -> None:
    """Sleep a while, or say "busy" when the wait is over (a timeout, not the calendar)."""
    left = deadline - time.monotonic()
    if left <= 0:
        lock = _BUSY_STATES[0][1].format(path=_shown(repo, "index.lock"))
        reason = _busy_reason(repo) or lock
        raise GitBusy(problem(where, 0, f"vault busy: {reason}; {SAVED}"))
    time.sleep(min(delay, left))


def _shown(repo: Repo, name: str) -> str:
    return Path(os.path.relpath(repo.git_dir / name, repo.root)).as_posix()


def _refuse_detached(repo: Repo, where: str) -> None:
    try:
        head = (repo.git_dir / "HEAD").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    if not head.startswith("ref:"):
        raise VaultError(problem(where, 0, (
            f"git HEAD is detached (not on a branch); switch to one (git switch main); {SAVED}")))


def _identity(root: Path, where: str, fallback: bool) -> tuple[str, ...]:
    """`()` when author and committer emails are set explicitly, else the fallback or an error.

    git would otherwise invent `user@host` from the machine, which nobody wants in a contact log.
    """
    out = run_git(root, "config", "--get-regexp", r"^(user|author|committer)\.email$").stdout
    keys = {line.split(" ", 1)[0] for line in out.splitlines() if line.partition(" ")[2].strip()}
    env = os.environ
    author = env.get("GIT_AUTHOR_EMAIL") or keys & {"user.email", "author.email"}
    committer = env.get("GIT_COMMITTER_EMAIL") or keys & {"user.email", "committer.email"}
    if (author and committer) or env.get("EMAIL"):
        return ()
    if fallback:
        return FALLBACK_IDENTITY
    raise GitIdentityMissing(where)


def _commit(root: Path, repo: Repo, rel: list[str], text: str, identity: tuple[str, ...],
            where: str, fallback: bool) -> str | None:
    changed, untracked = _changes(root, repo, rel)
    if not changed:
        return None
    if untracked:  # `commit --only` takes only paths git knows; new notes must be added first
        _check_lock(added := run_git(root, "add", "--", *untracked))
        if added.returncode:
            raise VaultError(problem(where, 0, f"git add failed: {git_said(added)}; {SAVED}"))
    result = run_git(root, *identity, "commit", "-q", "--only", "--cleanup=whitespace", "-F", "-",
                  "--", *changed, stdin=text)
    if result.returncode == 0:
        return run_git(root, "rev-parse", "HEAD").stdout.strip()
    _unstage(root, untracked)
    _check_lock(result)
    if any(s in result.stdout for s in _NOTHING):
        return None
    if any(s in result.stderr for s in _NO_IDENTITY):
        if fallback and identity != FALLBACK_IDENTITY:
            return _commit(root, repo, rel, text, FALLBACK_IDENTITY, where, fallback)
        raise GitIdentityMissing(where)
    raise VaultError(problem(where, 0, f"git commit failed: {git_said(result)}; {SAVED}"))


def _changes(root: Path, repo: Repo, rel: list[str]) -> tuple[list[str], list[str]]:
    """Which of `rel` differ from HEAD, and which of those git does not track yet.

    Ignored untracked files are not listed, so they are never committed."""
    status = run_git(root, "status", "--porcelain", "-z", "--no-renames", "--untracked-files=all",
                  "--", *rel)
    if status.returncode:
        raise VaultError(problem(rel[0], 0, f"git status failed: {git_said(status)}; {SAVED}"))
    changed: list[str] = []
    untracked: list[str] = []
    for entry in status.stdout.split("\0"):
        if len(entry) < 4 or not entry[3:].startswith(repo.prefix):
            continue
        path = entry[3:][len(repo.prefix):]  # porcelain paths are from the top of the work tree
        if path not in changed:
            changed.append(path)
        if entry[:2] == "??":
            untracked.append(path)
    return changed, untracked


def _check_lock(result: subprocess.CompletedProcess[str]) -> None:
    said = result.stderr
    if result.returncode and ("index.lock" in said or "cannot lock ref" in said):
        raise _Locked


def _unstage(root: Path, untracked: list[str]) -> None:
    """Undo our own `git add` of new files when the commit did not happen (best effort)."""
    if untracked:
        run_git(root, "rm", "--cached", "-q", "--ignore-unmatch", "--", *untracked)

