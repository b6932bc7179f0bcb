"""Commit what salesnotes changed, and nothing else, in the vault's own repository.

Why the git binary through subprocess: one streaming `git log` is 7x faster than pygit2 and over
100x faster than dulwich (ARCHITECTURE.md, speed: git), and git's plumbing commits without
touching the work tree. The contact log is read through `run_git` by history.py; nothing outside
`salesnotes/git/` runs git.

What a commit holds: each note salesnotes edited is committed as its COMMITTED version with the
same edit applied (`Change.redo`), so the rep's own uncommitted edits in that note stay
uncommitted; a file salesnotes wrote whole (a new note, a view, a ledger month) as it is on disk.
The commit is built from those blobs and HEAD's trees (trees.py), never from the rep's index, and
the branch moves only if it still points where it did (`update-ref <new> <old>`), so a commit
made meanwhile by another tool (Obsidian Git) is never lost: the work starts again from it. The
rep's index then follows the committed paths only. A commit failure never touches the files:
the edit is already saved, we only report why it is not committed.

git runs through run.py, in the vault's own repository whatever the environment says. Paths
given to this module are relative to the vault root (posix), even when the vault is a subfolder
of a larger repository.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from salesnotes.errors import GitBusy, Problem, VaultError, problem, said
from salesnotes.git import hooks, repindex
from salesnotes.git.run import (
    SAVED,
    Repo,
    collect,
    find_repo,
    git_env,
    git_said,
    hash_files,
    run_git,
    start,
)

# where the vault is: kept in run.py, which a warm status or review imports without the committer
from salesnotes.git.run import head as head
from salesnotes.git.run import in_git as in_git
from salesnotes.git.run import is_repo as is_repo
from salesnotes.git.trees import REGULAR, Entry, Objects, TreeWriter, tree_with
from salesnotes.i18n import Said

FALLBACK_IDENTITY = ("-c", "user.name=salesnotes", "-c", "user.email=salesnotes@localhost")
_BUSY_STATES = (  # (file in the git dir, why git cannot commit now: a catalog key)
    ("index.lock", "err_git_index_lock"),
    ("MERGE_HEAD", "err_git_merge"),
    ("rebase-merge", "err_git_rebase"),
    ("rebase-apply", "err_git_rebase_apply"),
    ("CHERRY_PICK_HEAD", "err_git_cherry_pick"),
    ("REVERT_HEAD", "err_git_revert"),
)
_NO_IDENTITY = ("Please tell me who you are", "empty ident name", "unable to auto-detect email")
_RECENT = 50  # commits looked through for an identical contact commit before an empty one


class GitIdentityMissing(VaultError):
    """git does not know who commits; say how to tell it once (obsidian-git#213)."""

    def __init__(self, where: str = ".") -> None:
        super().__init__(said(where, 0, "err_git_identity", saved=SAVED))


@dataclass(frozen=True)
class Change:
    """A file salesnotes wrote; for a note it edited, the same edit as a function of bytes.

    With `redo`, the commit holds `redo(<the file's committed bytes>)`: salesnotes' edit
    alone. Without it (a new note, a view, a ledger month: files salesnotes wrote whole), or for
    a file git does not have yet, the file as it is on disk. `redo` raises VaultError (or
    ValueError) when the committed version cannot take the edit."""

    path: Path
    redo: Callable[[bytes], bytes] | None = None


@dataclass(frozen=True)
class Committed:
    """What a commit call did."""

    sha: str | None = None  # the commit made (or found: `already`); None: nothing to commit
    empty: bool = False  # the commit changes no file: the change was committed by another tool
    already: bool = False  # a commit with this very message already records it; none made
    kept_back: tuple[Problem, ...] = ()  # changes left uncommitted in the work tree, and why
    notes: tuple[str, ...] = ()  # things to tell the rep although the commit is made
    outside_git: bool = False  # the vault is in no git work tree: nothing can be committed


class _Locked(Exception):
    """git hit index.lock or a ref lock, or the branch moved, mid-way: wait and try again."""


def init_repo(root: Path) -> None:
    """`git init` with the branch `main`, also on git older than 2.28 (no `-b`)."""
    Path(root).mkdir(parents=True, exist_ok=True)
    if run_git(root, "init", "-q", "-b", "main").returncode == 0:
        return
    for args in (("init", "-q"), ("symbolic-ref", "HEAD", "refs/heads/main")):
        result = run_git(root, *args)
        if result.returncode:
            raise VaultError(problem(".", 0, f"git init failed: {git_said(result)}"))


def uncommitted(root: Path, folder: str) -> set[str]:
    """The files under `folder` (vault paths) whose working copy is not what HEAD holds:
    changed, or not in git yet and not ignored. Empty outside git. An import asks it to
    finish the commit an earlier run of it was refused, without reading every note's blob."""
    repo = find_repo(root)
    if repo is None:
        return set()
    done = run_git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all",
                   "--no-renames", "--", folder)
    if done.returncode:
        return set()
    # `XY path` entries, paths from the top of the work tree
    return {entry[3:][len(repo.prefix):] for entry in done.stdout.split("\0")
            if len(entry) > 3 and entry[3:].startswith(repo.prefix)}


# -- committing -------------------------------------------------------------------------------


def commit_paths(root: Path, paths: Sequence[Path | Change], message: str, *, body: str = "",
                 trailers: Mapping[str, str] | None = None, wait_seconds: float = 3.0,
                 fallback_identity: bool = False) -> str | None:
    """`commit_changes` for files salesnotes wrote whole; the new commit's sha, or None."""
    return commit_changes(root, paths, message, body=body, trailers=trailers,
                          wait_seconds=wait_seconds, fallback_identity=fallback_identity).sha


def commit_changes(
    root: Path,
    changes: Sequence[Path | Change],
    message: str,
    *,
    body: str = "",
    trailers: Mapping[str, str] | None = None,
    wait_seconds: float = 3.0,
    fallback_identity: bool = False,
    allow_empty: bool = False,
) -> Committed:
    """One commit of exactly these changes (files written, created or deleted) on the branch.

    `changes` are paths (absolute or from the vault root) or `Change`s; a folder is refused
    (it would sweep in the user's own edits). Nothing is committed outside a repository, or
    when the changes are all in HEAD already, unless `allow_empty`: then a commit with this
    message is made anyway (a contact another tool committed first still gets its `contact:`
    commit), except when one of the last commits already has the very same message.
    Raises GitBusy (exit 75) after waiting up to `wait_seconds` for index.lock, a merge or a
    rebase; GitIdentityMissing; or VaultError (conflict markers, detached HEAD, a failing hook).
    The files are never touched here, so a failure keeps the user's edit on disk.
    """
    emails = start(Path(root), "config", "--get-regexp", r"^(user|author|committer)\.email$")
    repo = find_repo(root)
    if repo is None:
        collect(emails)
        return Committed(outside_git=True)
    items = _vault_relative(Path(root), changes)
    if not items:
        collect(emails)
        return Committed()
    where = items[0][0]
    text = _commit_message(message, body, trailers)
    deadline = time.monotonic() + wait_seconds
    identity = _identity(collect(emails).stdout, where, fallback_identity)
    _wait_until_free(repo, where, deadline)
    delays = _backoff()
    while True:
        try:
            return _attempt(repo, items, text, identity, where, allow_empty, deadline)
        except _Locked:  # taken between our look and git's, or the branch moved: start again
            _pause(next(delays), deadline, repo, where)
            _wait_until_free(repo, where, deadline)
        except _NoIdentity:
            if not fallback_identity or identity == FALLBACK_IDENTITY:
                raise GitIdentityMissing(where) from None
            identity = FALLBACK_IDENTITY
        except OSError as e:  # git's plumbing failed (a damaged repository, a full disk)
            raise VaultError(said(where, 0, "err_git_plumbing", why=str(e), saved=SAVED)) from None


class _NoIdentity(Exception):
    """commit-tree could not tell who commits."""


def _commit_message(subject: str, body: str = "", trailers: Mapping[str, str] | None = None) -> str:
    """Subject, blank line, body, blank line, `Key: value` trailers: what `git interpret-trailers`
    and `%(trailers)` read back. The subject and the values are kept to one line each."""
    parts = [" ".join(subject.split())]
    if body.strip():  # what `git commit --cleanup=whitespace` would keep
        kept = "\n".join(line.rstrip() for line in body.strip("\n").split("\n"))
        parts.append(re.sub(r"\n{3,}", "\n\n", kept))
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


def _vault_relative(root: Path, changes: Sequence[Path | Change]
                    ) -> list[tuple[str, Change]]:
    """(posix path from the vault root, change), in order, once each; refuse a path outside it.

    A relative path is taken from the vault root, except one that starts with a relative `root`
    itself: that one was built as `root / name` and is taken from the current folder."""
    out: dict[str, Change] = {}
    base = Path(os.path.normpath(root))
    for change in changes:
        change = change if isinstance(change, Change) else Change(Path(change))
        path = Path(change.path)
        if not base.is_absolute() and base.parts and path.parts[:len(base.parts)] == base.parts:
            path = Path(*path.parts[len(base.parts):])
        full = Path(os.path.normpath(base / path))  # an absolute `path` stays itself
        try:
            posix = full.relative_to(base).as_posix()
        except ValueError:
            posix = _resolved_relative(base, full).as_posix()
        if posix == "." or full.is_dir():  # a folder would sweep in the user's own edits
            raise ValueError(f"commit_paths takes files, not a folder: {posix}")
        if "\n" in posix:
            raise VaultError(said(posix, 0, "err_git_line_break", saved=SAVED))
        out.setdefault(posix, change)
    return list(out.items())


def _resolved_relative(root: Path, path: Path) -> Path:
    try:
        return path.parent.resolve().joinpath(path.name).relative_to(root.resolve())
    except ValueError:
        raise VaultError(said(path.as_posix(), 0, "err_git_outside")) from None


def _refuse_conflict_markers(name: str, data: bytes) -> None:
    """A note with `<<<<<<<` lines is mid-merge: committing it would bury the conflict."""
    for number, line in enumerate(data.splitlines(), start=1):
        if re.match(rb"(<{7}|>{7})( |$)", line):
            raise VaultError(said(name, number, "err_git_conflict", saved=SAVED))


def _busy_reason(repo: Repo) -> Said | None:
    for name, why in _BUSY_STATES:
        path = repo.git_dir / name
        if path.exists():
            return Said(why, path=_shown(repo, name))
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
        lock = Said(_BUSY_STATES[0][1], path=_shown(repo, "index.lock"))
        reason = _busy_reason(repo) or lock
        raise GitBusy(said(where, 0, "err_git_busy", reason=reason, saved=SAVED))
    time.sleep(min(delay, left))


def _shown(repo: Repo, name: str) -> str:
    return Path(os.path.relpath(repo.git_dir / name, repo.root)).as_posix()


def _branch(repo: Repo, where: str) -> str:
    """The branch HEAD names (`refs/heads/main`), born or not; refuse a detached HEAD."""
    try:
        head = (repo.git_dir / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
    except OSError as e:
        raise VaultError(said(where, 0, "err_git_head_unreadable", why=e.strerror,
                              saved=SAVED)) from None
    if not head.startswith("ref:"):
        raise VaultError(said(where, 0, "err_git_detached", saved=SAVED))
    return head[4:].strip()


def _identity(out: str, where: str, fallback: bool) -> tuple[str, ...]:
    """`()` when author and committer emails are set explicitly (`out`: their `git config
    --get-regexp` lines), else the fallback or an error.

    git would otherwise invent `user@host` from the machine, which nobody wants in a contact log.
    """
    keys = {line.split(" ", 1)[0] for line in out.splitlines() if line.partition(" ")[2].strip()}
    env = os.environ
    author = env.get("GIT_AUTHOR_EMAIL") or keys & {"user.email", "author.email"}
    committer = env.get("GIT_COMMITTER_EMAIL") or keys & {"user.email", "committer.email"}
    if (author and committer) or env.get("EMAIL"):
        return ()
    if fallback:
        return FALLBACK_IDENTITY
    raise GitIdentityMissing(where)


# -- one attempt: blobs, trees, commit, branch, index ----------------------------------------


@dataclass
class _Plan:
    """The tree entries to set (None: remove), what HEAD had there, what stays uncommitted."""

    entries: dict[str, Entry | None]
    before: dict[str, Entry | None]
    redo: dict[str, Callable[[bytes], bytes]]
    kept_back: list[Problem]


def _attempt(repo: Repo, items: list[tuple[str, Change]], text: str,
             identity: tuple[str, ...], where: str, allow_empty: bool,
             deadline: float) -> Committed:
    env = git_env()
    branch = _branch(repo, where)
    with Objects(repo.top, env) as objects:
        head = objects.read(branch)
        if head is not None and head[1] != "commit":
            raise VaultError(said(where, 0, "err_git_not_commit", branch=branch, saved=SAVED))
        parent = head[0] if head else None
        base = _tree_line(head[2]) if head else None
        plan = _plan(repo, objects, items, base, env)
        tree: str | None = base
        if plan.entries:
            with TreeWriter(repo.top, env) as writer:
                tree = tree_with(objects, writer, base, plan.entries)
        kept = tuple(plan.kept_back)
        if tree is None or tree == base:
            if not allow_empty:
                return Committed(kept_back=kept)
            earlier = _same_message(repo, branch, text, env)
            if earlier:
                return Committed(earlier, already=True, kept_back=kept)
            if tree is None:  # an empty commit on an unborn branch
                with TreeWriter(repo.top, env) as writer:
                    tree = writer.write({})
        assert tree is not None
        text = hooks.before_commit(repo, tree, text, env, where)
        listing = repindex.start_listing(repo, list(plan.entries), env)
        try:
            sha = _commit_tree(repo, tree, parent, text, identity, env, where)
            _move_branch(repo, branch, sha, parent, text, env, where)
        finally:
            listed = collect(listing) if listing else None
        notes = repindex.follow(repo, objects, listed, plan.before, plan.entries, plan.redo,
                                env, deadline)
    hooks.after_commit(repo)
    return Committed(sha, empty=tree == base, kept_back=kept, notes=tuple(notes))


def _tree_line(commit: bytes) -> str:
    first = commit.split(b"\n", 1)[0].split()
    if len(first) != 2 or first[0] != b"tree":
        raise OSError("a git commit without a tree")
    return first[1].decode("ascii")


def _plan(repo: Repo, objects: Objects, items: list[tuple[str, Change]], base: str | None,
          env: Mapping[str, str]) -> _Plan:
    """Each change as a tree entry: redone on the committed blob, or hashed from the disk."""
    plan = _Plan({}, {}, {}, [])
    on_disk: list[tuple[str, str, Entry | None]] = []  # (vault path, top path, HEAD's entry)
    made: list[tuple[str, bytes, str]] = []  # (top path, bytes, mode)
    for rel, change in items:
        full = repo.prefix + rel
        old = objects.entry(base, full) if base else None
        if change.redo is not None and old is not None:
            redone = _redo(objects, rel, old, change.redo, plan)
            if redone is not None:
                _refuse_conflict_markers(rel, redone)
                made.append((full, redone, old.mode))
                plan.redo[full] = change.redo
                plan.before[full] = old
            continue
        path = repo.root / rel
        if path.is_symlink():
            plan.kept_back.append(said(rel, 0, "err_git_kept_symlink"))
        elif path.is_file():
            on_disk.append((rel, full, old))
        elif old is not None:  # deleted
            plan.entries[full], plan.before[full] = None, old
    _plan_on_disk(repo, on_disk, env, plan)
    if made:
        _plan_made(repo, made, env, plan)
    for full in [f for f, e in plan.entries.items() if e == plan.before.get(f)]:
        del plan.entries[full]  # already so in HEAD
    return plan


def _plan_on_disk(repo: Repo, on_disk: list[tuple[str, str, Entry | None]],
                  env: Mapping[str, str], plan: _Plan) -> None:
    """Files committed as they are on disk (git's filters applied), ignored new files left out."""
    new = [rel for rel, _, old in on_disk if old is None]
    ignored = _ignored(repo, new, env) if new else set()
    on_disk = [(rel, full, old) for rel, full, old in on_disk if rel not in ignored]
    for rel, _, _ in on_disk:
        _refuse_conflict_markers(rel, _read(repo.root / rel))
    shas = hash_files(repo.top, [full for _, full, _ in on_disk], env, filters=True)
    for (rel, full, old), sha in zip(on_disk, shas, strict=True):
        mode = old.mode if old is not None and old.mode in REGULAR else _mode(repo.root / rel)
        plan.entries[full], plan.before[full] = Entry(mode, sha), old


def _plan_made(repo: Repo, made: list[tuple[str, bytes, str]], env: Mapping[str, str],
               plan: _Plan) -> None:
    """Edits redone on the committed blobs, written as blobs (no filters: they are git's)."""
    with tempfile.TemporaryDirectory(dir=repo.git_dir, prefix="salesnotes-") as folder:
        names = []
        for number, (_, data, _) in enumerate(made):
            name = os.path.join(folder, f"{number}.blob")
            Path(name).write_bytes(data)
            names.append(name)
        shas = hash_files(repo.top, names, env, filters=False)
    for (full, _, mode), sha in zip(made, shas, strict=True):
        plan.entries[full] = Entry(mode, sha)


def _redo(objects: Objects, rel: str, old: Entry, redo: Callable[[bytes], bytes],
          plan: _Plan) -> bytes | None:
    """The edit applied to the committed blob; None (and why, in `kept_back`) when it cannot
    be, or when the committed version has it already."""
    if old.mode not in REGULAR:
        plan.kept_back.append(said(rel, 0, "err_git_kept_not_plain"))
        return None
    found = objects.read(old.sha)
    if found is None:
        raise OSError(f"git object {old.sha} of {rel} cannot be read")
    try:
        data = redo(found[2])
    except VaultError as e:
        why = tuple(x for i, p in enumerate(e.problems)
                    for x in (("; ", p.said or p.message) if i else (p.said or p.message,)))
        plan.kept_back.append(said(rel, 0, "err_git_kept_cannot_take",
                                   why=why or Said("err_git_refused")))
        return None
    except ValueError as e:
        plan.kept_back.append(said(rel, 0, "err_git_kept_cannot_take", why=str(e)))
        return None
    return None if data == found[2] else data


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _mode(path: Path) -> str:
    try:
        return "100755" if os.stat(path).st_mode & 0o111 else "100644"
    except OSError:
        return "100644"


def _ignored(repo: Repo, rels: list[str], env: Mapping[str, str]) -> set[str]:
    """New files git is told to ignore: never committed by salesnotes."""
    out = run_git(repo.root, "check-ignore", "-z", "--stdin", stdin="\0".join(rels) + "\0",
                  env={**env, "GIT_LITERAL_PATHSPECS": "0"})  # it refuses pathspec magic
    return {p for p in out.stdout.split("\0") if p}


def _same_message(repo: Repo, branch: str, text: str, env: Mapping[str, str]) -> str | None:
    """The newest of the last commits whose message is `text`: a retry finds its own commit."""
    out = run_git(repo.top, "log", f"-n{_RECENT}", "--format=%H%x00%B%x1e", branch, "--",
                  env=env)
    want = text.strip()
    for record in out.stdout.split("\x1e"):
        sha, _, message = record.strip("\n").partition("\0")
        if sha and message.strip() == want:
            return sha
    return None


def _commit_tree(repo: Repo, tree: str, parent: str | None, text: str,
                 identity: tuple[str, ...], env: Mapping[str, str], where: str) -> str:
    args = [*identity, "commit-tree", tree, *(["-p", parent] if parent else []), "-F", "-"]
    done = run_git(repo.top, *args, stdin=text, env=env)
    if done.returncode == 0:
        return done.stdout.strip()
    if any(s in done.stderr for s in _NO_IDENTITY):
        raise _NoIdentity
    raise VaultError(said(where, 0, "err_git_failed", step="git commit", git=git_said(done),
                          saved=SAVED))


def _move_branch(repo: Repo, branch: str, sha: str, parent: str | None, text: str,
                 env: Mapping[str, str], where: str) -> None:
    """The branch moves to `sha` only if it still names `parent` (no ref at all: unborn)."""
    kind = "commit" if parent else "commit (initial)"
    reason = f"{kind}: {text.split(chr(10), 1)[0]}"
    done = run_git(repo.top, "update-ref", "-m", reason, branch, sha, parent or "", env=env)
    if done.returncode == 0:
        return
    if "cannot lock ref" in done.stderr or "but expected" in done.stderr:
        raise _Locked
    raise VaultError(said(where, 0, "err_git_failed", step="git commit", git=git_said(done),
                          saved=SAVED))
