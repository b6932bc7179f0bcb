"""The manager's Monday: sync every rep, read each vault at its commit, roll the figures up.

Read-only towards the reps: their repositories are only fetched from, into mirrors of ours,
and nothing of theirs runs (their templates are never rendered). One rep's failure is a
problem on their `team.yaml` line; the others are built all the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from salesnotes.errors import Problem
from salesnotes.git import mirror
from salesnotes.local import team as store
from salesnotes.team.config import TEAM_FILE, Rep, Team, load_team
from salesnotes.team.figures import Client, RepFigures, figures_of, owned_by
from salesnotes.team.snapshot import Parsed, read_commit

FETCHES_AT_ONCE = 8  # network-bound: more at once than cores
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Source:
    """One repository to sync: a rep's own vault, or the vault a whole team shares."""

    key: str
    remote: str
    branch: str | None


@dataclass
class RepResult:
    rep: Rep
    synced: mirror.Synced | None = None  # the commit read: this run's, or the last good one
    error: str | None = None  # why this run could not sync the rep
    figures: RepFigures | None = None


@dataclass
class Conflict:
    nip: str
    holders: tuple[Client, ...]  # one per rep holding the NIP


@dataclass
class Rollup:
    team: Team
    today: date
    reps: list[RepResult]
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def built(self) -> list[RepResult]:
        return [r for r in self.reps if r.figures is not None]


def roll_up(root: Path, today: date, *, fetch: bool = True,
            progress: Progress | None = None) -> Rollup:
    """Every rep synced (unless `fetch` is False: the mirrors as last fetched) and summed."""
    team, problems = load_team(root)
    sources = _sources(root, team)
    synced = _sync_all(root, sources, fetch)
    results = []
    read: dict[str, tuple] = {}  # source key -> (vault, synced) once read
    for i, rep in enumerate(team.reps):
        source = sources[rep.name]
        result = RepResult(rep)
        state, error = synced[source.key]
        result.error = error
        if state is not None:
            try:
                if source.key not in read:
                    read[source.key] = _read(root, source.key, state)
                vault = read[source.key][0]
                if rep.owner and team.shared:
                    vault = owned_by(vault, rep.owner)
                result.synced = state
                result.figures = figures_of(rep.name, vault, today)
            except mirror.MirrorError as e:
                result.error = str(e)
        if result.error:
            problems.append(Problem(PurePosixPath(TEAM_FILE), rep.line,
                                    f"rep {rep.name!r}: {result.error}"))
        results.append(result)
        if progress:
            progress(i + 1, len(team.reps))
    return Rollup(team, today, results, conflicts(results), problems)


def _sources(root: Path, team: Team) -> dict[str, Source]:
    if team.shared:
        shared = Source(Rep("shared", team.shared, None, None, 0).key,
                        _located(root, team.shared), team.shared_branch)
        return {rep.name: shared for rep in team.reps}
    return {rep.name: Source(rep.key, _located(root, rep.remote or ""), rep.branch)
            for rep in team.reps}


def _located(root: Path, remote: str) -> str:
    """A URL (`https://...`, `git@host:path`) as it is; a plain path from the team vault, as
    team.yaml's author wrote it, whatever folder the command runs in."""
    head = remote.split(":", 1)[0]
    if "://" in remote or (":" in remote and "/" not in head and len(head) > 1):
        return remote
    return str((root / Path(remote).expanduser()).resolve())


def _sync_all(root: Path, sources: dict[str, Source], fetch: bool
              ) -> dict[str, tuple[mirror.Synced | None, str | None]]:
    """Source key -> (the commit to read, why this run's fetch failed), fetched in parallel.

    A failed fetch still reads the last good commit, so the manager sees the rep's figures as
    of then, marked as not synced."""
    unique = {s.key: s for s in sources.values()}

    def one(source: Source) -> tuple[mirror.Synced | None, str | None]:
        where = store.mirror_dir(root, source.key)
        if not fetch:
            try:
                return mirror.fetch(source.remote, where, source.branch, offline=True), None
            except mirror.MirrorError as e:
                return None, str(e)
        try:
            return mirror.fetch(source.remote, where, source.branch), None
        except mirror.MirrorError as e:
            try:
                return mirror.fetch(source.remote, where, source.branch, offline=True), str(e)
            except mirror.MirrorError:
                return None, str(e)

    workers = max(1, min(FETCHES_AT_ONCE, len(unique)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(unique, pool.map(one, unique.values()), strict=True))


def _read(root: Path, key: str, state: mirror.Synced) -> tuple:
    """The source's vault at the synced commit, reading only blobs new since the last run."""
    parsed = store.load_summary(root, key)
    git_dir = store.mirror_dir(root, key)
    vault, kept = read_commit(git_dir, state.commit, git_dir,
                              parsed if isinstance(parsed, Parsed) else None)
    store.save_summary(root, key, kept)
    return vault, state


def conflicts(results: list[RepResult]) -> list[Conflict]:
    """Every NIP held by two or more reps, with each rep's note: who calls that company?"""
    holders: dict[str, dict[str, Client]] = defaultdict(dict)
    for r in results:
        for client in r.figures.holdings if r.figures else ():
            if client.nip:
                holders[client.nip].setdefault(r.rep.name, client)
    return [Conflict(nip, tuple(by_rep.values()))
            for nip, by_rep in sorted(holders.items()) if len(by_rep) > 1]
