"""The contact log that git keeps: every `contact:` commit per note, cached between runs.

`salesnotes log` commits each contact with `Contact-Date:`, `Channel:` and `Client-NIP:`
trailers, so `git log` itself is a machine-readable contact log that survives any edit of the
note. Reading it is one streaming `git log` pass over the whole history (never one per file:
ARCHITECTURE.md, speed: git), run through run.run_git; a JSON cache keyed by HEAD makes the next
run read only the new commits.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from salesnotes.errors import VaultError, said
from salesnotes.git import run as gitrun
from salesnotes.local import store

CONTACT_PREFIX = "contact: "
_CACHE_VERSION = 1
_TRAILER = re.compile(r"([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)")
_OUR_TRAILERS = {"contact-date", "channel", "client-nip"}
_SUBJECT = re.compile(r"contact: (?P<name>.*?)(?: \((?P<channel>[^()]*)\))?\s*")


@dataclass(frozen=True)
class ContactCommit:
    """One `contact:` commit as it touched one note: the contact log that git keeps."""

    sha: str
    path: str  # note path relative to the vault root, posix, as of that commit
    contact_date: date | None  # from the Contact-Date: trailer
    channel: str | None  # Channel: trailer (else the subject's `(channel)`)
    nip: str | None  # Client-NIP: trailer
    name: str  # from the subject `contact: <name> (<channel>)`
    text: str  # the body without trailers
    committed: date  # committer date (UTC date), for ordering


# -- reading the contact log ------------------------------------------------------------------


def contact_history(root: Path, cache_file: Path | None = None) -> dict[str, list[ContactCommit]]:
    """Every `contact:` commit per note path (vault-relative, posix), newest first.

    One `git log` pass over the history (never one per file: ARCHITECTURE.md, speed: git). With a
    `cache_file` the result and the HEAD it reached are kept, and the next call reads only
    `<sha>..HEAD`; a rewritten history or an unreadable cache is rebuilt silently.
    """
    found = _repo_head(root)
    if found is None:
        return {}
    repo, head = found
    cached = _load_cache(cache_file, repo.prefix) if cache_file else None
    if cached is not None and cached[0] == head:
        return cached[1]
    if cached is not None and _is_ancestor(Path(root), cached[0], head):
        history = _merge(_read_log(Path(root), repo.prefix, f"{cached[0]}..{head}"), cached[1])
    else:
        history = _read_log(Path(root), repo.prefix, head)
    if cache_file:
        _store_cache(cache_file, head, repo.prefix, history)
    return history


def _repo_head(root: Path) -> tuple[gitrun.Repo, str] | None:
    """The repository the vault is in and the commit HEAD names; None outside git or before
    the first commit (no history to read)."""
    repo = gitrun.find_repo(root)
    if repo is None:
        return None
    head = gitrun.run_git(root, "rev-parse", "-q", "--verify", "HEAD^{commit}").stdout.strip()
    return (repo, head) if head else None


def last_contact_dates(root: Path, state_file: Path, history_file: Path | None = None
                       ) -> dict[str, date]:
    """The newest Contact-Date per note, kept apart from the full history: the breath of every
    review needs only this, and loading 50,000 cached contacts to get it cost 160 ms a run.

    Same HEAD: the stored map. New commits on top: only `<sha>..HEAD` is read and merged. A
    rewritten history or an unreadable file: one full pass (which refreshes the history too).
    """
    found = _repo_head(root)
    return {} if found is None else _last_dates(root, *found, state_file, history_file)


def start_last_contact_dates(root: Path, state_file: Path, history_file: Path | None = None
                             ) -> Callable[[], dict[str, date]]:
    """`last_contact_dates` in two steps, for a vault in git: the two git runs it needs first
    (where the repository is, what HEAD is) started now, side by side, and a function that
    collects them and finishes. A review starts them before it loads the notes, so they run on
    the other core meanwhile instead of one after the other in the load (ARCHITECTURE.md,
    speed: git)."""
    where = gitrun.start_find_repo(root)
    at = gitrun.start(root, "rev-parse", "-q", "--verify", "HEAD^{commit}")

    def finish() -> dict[str, date]:
        found, named = gitrun.collect(where), gitrun.collect(at)
        repo, head = gitrun.repo_of(Path(root), found), named.stdout.strip()
        if repo is None or not head:
            return {}
        return _last_dates(root, repo, head, state_file, history_file)

    return finish


def _last_dates(root: Path, repo: gitrun.Repo, head: str, state_file: Path,
                history_file: Path | None) -> dict[str, date]:
    stored = _load_last(state_file, repo.prefix)
    if stored is not None and stored[0] == head:
        return stored[1]
    if stored is not None and _is_ancestor(Path(root), stored[0], head):
        last = dict(stored[1])
        for path, newest in last_contacts(
                _read_log(Path(root), repo.prefix, f"{stored[0]}..{head}")).items():
            last[path] = max(newest, last.get(path, newest))
    else:
        last = last_contacts(contact_history(root, history_file))
    store.write_json(Path(state_file), _CACHE_VERSION, {
        "head": head, "prefix": repo.prefix,
        "last": {p: d.isoformat() for p, d in sorted(last.items())}})
    return last


def _load_last(state_file: Path, prefix: str) -> tuple[str, dict[str, date]] | None:
    data = store.read_json(state_file, _CACHE_VERSION)
    try:
        if data is None or data["prefix"] != prefix:
            return None
        day = _DayParser()
        return str(data["head"]), {str(p): day[d] for p, d in data["last"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def last_contacts(history: Mapping[str, Sequence[ContactCommit]]) -> dict[str, date]:
    """The newest Contact-Date per note path; paths with no dated contact are left out."""
    newest: dict[str, date] = {}
    for path, commits in history.items():
        dates = [c.contact_date for c in commits if c.contact_date is not None]
        if dates:
            newest[path] = max(dates)
    return newest


def contact_dates(root: Path, revisions: str, prefix: str = "") -> dict[str, date]:
    """The newest Contact-Date per note in `revisions` of any repository, bare ones included
    (a manager's mirror of a rep's vault)."""
    return last_contacts(_read_log(root, prefix, revisions))


def _is_ancestor(root: Path, old: str, head: str) -> bool:
    return gitrun.run_git(root, "merge-base", "--is-ancestor", old, head).returncode == 0


def _read_log(root: Path, prefix: str, revisions: str) -> dict[str, list[ContactCommit]]:
    result = gitrun.run_git(
        root, "-c", "diff.relative=false", "-c", "log.showSignature=false",
        "log", "-z", "--no-renames", "--name-only", "--no-color", "--encoding=UTF-8",
        "--basic-regexp", "--grep=^contact: ",
        "--format=%x1e%H%x1f%ct%x1f%s%x1f%b%x1f", revisions, "--",
    )
    if result.returncode:
        raise VaultError(said(".", 0, "err_git_step_failed", step="git log",
                              git=gitrun.git_said(result)))
    history: dict[str, list[ContactCommit]] = {}
    with _no_gc():
        for record in result.stdout.split("\x1e")[1:]:
            for commit in _parse_record(record, prefix):
                history.setdefault(commit.path, []).append(commit)
    return history


def _parse_record(record: str, prefix: str) -> list[ContactCommit]:
    """`sha US ts US subject US body US NUL [LF name NUL ...]` into one ContactCommit per note."""
    sha, stamp, subject, rest = record.split("\x1f", 3)
    body, _, names = rest.rpartition("\x1f")
    if not subject.startswith(CONTACT_PREFIX):
        return []
    text, trailers = split_trailers(body)
    match = _SUBJECT.fullmatch(subject)
    name = match["name"] if match else subject[len(CONTACT_PREFIX):]
    channel = trailers.get("channel") or (match["channel"] if match else None) or None
    committed = datetime.fromtimestamp(int(stamp), tz=UTC).date()
    paths = names.removeprefix("\0").removeprefix("\n").split("\0")
    return [
        ContactCommit(sha, path[len(prefix):], _iso_date(trailers.get("contact-date")), channel,
                      trailers.get("client-nip") or None, name.strip(), text, committed)
        for path in paths if path and path.startswith(prefix)
    ]


def split_trailers(body: str) -> tuple[str, dict[str, str]]:
    """The body's text and its trailers (lower-case keys) when its last paragraph is ours.

    Only a last paragraph made wholly of `Key: value` lines with at least one of our keys counts,
    so a note that happens to end with `Note: call back` is kept as text."""
    lines = body.strip("\n").split("\n")
    blanks = [i for i, line in enumerate(lines) if not line.strip()]
    start = blanks[-1] + 1 if blanks else 0
    trailers: dict[str, str] = {}
    for line in lines[start:]:
        if (match := _TRAILER.fullmatch(line)) is not None:
            key = match[1].lower()
            trailers[key] = match[2].strip()
        elif line[:1] in (" ", "\t") and trailers:
            trailers[key] = f"{trailers[key]} {line.strip()}"
        else:
            return body.strip(), {}
    if not _OUR_TRAILERS & trailers.keys():
        return body.strip(), {}
    return "\n".join(lines[:start]).strip(), trailers


def _iso_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None


def _merge(new: dict[str, list[ContactCommit]],
           old: dict[str, list[ContactCommit]]) -> dict[str, list[ContactCommit]]:
    """New commits first; a merged-in side branch may bring older ones, so re-sort those notes."""
    merged = dict(old)
    for path, commits in new.items():
        both = commits + old.get(path, [])
        merged[path] = sorted(both, key=lambda c: c.committed, reverse=True)  # stable
    return merged


# -- the cache: the history as of one HEAD ----------------------------------------------------


def _load_cache(cache_file: Path, prefix: str) -> tuple[str, dict[str, list[ContactCommit]]] | None:
    """(head, history) from the cache, or None when it is missing, stale in shape or corrupt."""
    try:
        with _no_gc():
            data = store.read_json(cache_file, _CACHE_VERSION)
            return _from_cache(data, prefix) if data is not None else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _from_cache(data: dict, prefix: str) -> tuple[str, dict[str, list[ContactCommit]]] | None:
    if data["prefix"] != prefix:
        return None
    day = _DayParser()
    history = {
        # day[committed] raises on a missing date: the caller then rebuilds the cache
        path: [ContactCommit(sha, path, day(contact), channel, nip, name, text, day[committed])
               for sha, contact, channel, nip, name, text, committed in rows]
        for path, rows in data["history"].items()
    }
    return str(data["head"]), history


@contextmanager
def _no_gc() -> Iterator[None]:
    """Tens of thousands of new objects set off the cyclic GC again and again
    (ARCHITECTURE.md, speed: cache)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _DayParser(dict[str, date]):
    """ISO text -> date, each distinct day parsed once (tens of thousands of rows share a few)."""

    def __call__(self, text: str | None) -> date | None:
        return self[text] if text else None

    def __missing__(self, text: str) -> date:
        self[text] = day = date.fromisoformat(text)
        return day


def _store_cache(cache_file: Path, head: str, prefix: str,
                 history: dict[str, list[ContactCommit]]) -> None:
    """Atomic write (temp + rename); a cache that cannot be written is only slower next time."""
    rows = {
        path: [[c.sha, c.contact_date and c.contact_date.isoformat(), c.channel, c.nip, c.name,
                c.text, c.committed.isoformat()] for c in commits]
        for path, commits in history.items()
    }
    store.write_json(Path(cache_file), _CACHE_VERSION,
                     {"head": head, "prefix": prefix, "history": rows})
