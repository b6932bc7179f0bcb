"""The manager's Monday: sync every rep, read each vault at its commit, roll the figures up.

Read-only towards the reps: their repositories are only fetched from, into mirrors of ours,
and nothing of theirs runs (their templates are never rendered). One rep's failure is a
problem on their `team.yaml` line; the others are built all the same.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import salesnotes
from salesnotes import forking
from salesnotes.errors import Problem, saying
from salesnotes.gcpause import gc_paused
from salesnotes.git import mirror
from salesnotes.i18n import Said
from salesnotes.local import team as store
from salesnotes.local.dailycache import DailyLinks
from salesnotes.model.daily import daily_contacts, newest_daily
from salesnotes.model.vault import Vault
from salesnotes.team.config import TEAM_FILE, Rep, Team, load_team
from salesnotes.team.figures import Client, RepFigures, figures_of, owned_by
from salesnotes.team.snapshot import read_commit, restored, stored

FETCHES_AT_ONCE = 8  # network-bound: more at once than cores
PARALLEL_FROM = 4  # repositories to read before a process per core pays for its fork
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
    error: Said | None = None  # why this run could not sync the rep
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
    """Every rep synced (unless `fetch` is False: the mirrors as last fetched) and summed.

    Each source is read as soon as its fetch is done, while the others are still fetching,
    so both cores work from the first fetched rep to the last read one. The cyclic collector
    is off throughout (parsed notes hold no cycles; see salesnotes/gcpause.py), here and in
    the workers forked from here."""
    team, problems = load_team(root)
    sources = _sources(root, team)
    groups: dict[str, list[Rep]] = defaultdict(list)  # source key -> its reps
    for rep in team.reps:
        groups[sources[rep.name].key].append(rep)
    unique = {sources[reps[0].name].key: sources[reps[0].name] for reps in groups.values()}
    synced: dict[str, tuple[mirror.Synced | None, Said | None]] = {}
    built: dict[str, tuple[RepFigures | None, Said | None]] = {}
    with gc_paused(), _workers(len(unique)) as submit:
        pending = []
        for key, outcome in _sync_all(root, unique, fetch):
            synced[key] = outcome
            state, reps = outcome[0], groups[key]
            if state is None:
                continue
            kept = _kept_figures(root, key, _basis(state, reps, today))
            if kept is not None:  # nothing pushed since this day's last run: no parse
                built.update(kept)
            else:
                pending.append(submit(_build, root, key, state, reps, team.shared is not None,
                                      today))
        for done, job in enumerate(pending, 1):
            built.update(job.result())
            if progress:
                progress(done, len(pending))
    results = []
    for rep in team.reps:
        key = sources[rep.name].key
        state, error = synced[key]
        figures, read_error = built.get(rep.name, (None, None))
        result = RepResult(rep, state if figures else None, error or read_error, figures)
        if result.error:
            problems.append(saying(TEAM_FILE, rep.line, Said("err_team_rep", name=repr(rep.name),
                                                             message=result.error)))
        results.append(result)
    return Rollup(team, today, results, conflicts(results), problems)


def _build(root: Path, key: str, state: mirror.Synced, reps: list[Rep], shared: bool,
           today: date) -> dict[str, tuple[RepFigures | None, Said | None]]:
    """One source's reps: (figures, None), or (None, why it could not be read).

    Called only for sources whose kept figures do not fit (roll_up looks first); what it
    computes is kept with what it was computed from (commit, date, reps, salesnotes)."""
    try:
        vault, daily = _read(root, key, state)
    except mirror.MirrorError as e:
        return {rep.name: (None, e.said) for rep in reps}
    # daily notes dated up to today count, as in the rep's own review for that day
    vault = replace(vault, daily_contacts=newest_daily(daily_contacts(vault.notes, daily, today)))
    built: dict[str, tuple[RepFigures | None, Said | None]] = {
        rep.name: (figures_of(rep.name, owned_by(vault, rep.owner)
                                   if shared and rep.owner else vault, today), None)
        for rep in reps}
    store.save_summary(root, key, (_basis(state, reps, today), built), "figures")
    return built


def _basis(state: mirror.Synced, reps: list[Rep], today: date) -> tuple:
    """What a source's figures were computed from: its commit, the day, its reps, salesnotes."""
    return state.commit, today, tuple((r.name, r.owner) for r in reps), salesnotes.__version__


def _kept_figures(root: Path, key: str, basis: tuple
                  ) -> dict[str, tuple[RepFigures | None, Said | None]] | None:
    kept = store.load_summary(root, key, "figures")
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == basis:
        return kept[1]
    return None


Built = dict[str, tuple[RepFigures | None, Said | None]]
Submit = Callable[..., "Future[Built]"]


@contextmanager
def _workers(sources: int) -> Iterator[Submit]:
    """Where `_build` runs: a process per core when there are enough sources to pay for the
    forks (reading 2,000 notes is CPU work; fetching is done by git, in threads), else here.

    The workers are forked at once, before any fetching thread starts: a fork while other
    threads run may leave a lock held forever in the child (salesnotes/forking.py)."""
    if sources < PARALLEL_FROM or not forking.can_fork():
        yield _here
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=context) as pool:
        pool.submit(int).result()  # a fork context forks every worker on the first job
        yield pool.submit


def _here(fn: Callable[..., Built], *args: object) -> Future[Built]:
    done: Future[Built] = Future()
    done.set_result(fn(*args))
    return done


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
              ) -> Iterator[tuple[str, tuple[mirror.Synced | None, Said | None]]]:
    """(source key, (the commit to read, why this run's fetch failed)) for each source, as
    its fetch ends; several are fetched at once.

    A failed fetch still reads the last good commit, so the manager sees the rep's figures as
    of then, marked as not synced."""
    workers = max(1, min(FETCHES_AT_ONCE, len(sources)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        running = {pool.submit(_sync, root, source, fetch): key for key, source in sources.items()}
        for job in as_completed(running):
            yield running[job], job.result()


def _sync(root: Path, source: Source, fetch: bool) -> tuple[mirror.Synced | None, Said | None]:
    where = store.mirror_dir(root, source.key)
    if not fetch:
        try:
            return mirror.fetch(source.remote, where, source.branch, offline=True), None
        except mirror.MirrorError as e:
            return None, e.said
    try:
        return mirror.fetch(source.remote, where, source.branch), None
    except mirror.MirrorError as e:
        try:
            return mirror.fetch(source.remote, where, source.branch, offline=True), e.said
        except mirror.MirrorError:
            return None, e.said


def _read(root: Path, key: str, state: mirror.Synced) -> tuple[Vault, list[DailyLinks]]:
    """The source's vault at the synced commit, reading only blobs new since the last run."""
    old = restored(store.load_summary(root, key))
    git_dir = store.mirror_dir(root, key)
    vault, kept = read_commit(git_dir, state.commit, git_dir, old)
    if (old is None or old.contacts_at != kept.contacts_at or old.ledger_of != kept.ledger_of
            or old.notes.keys() != kept.notes.keys() or old.daily.keys() != kept.daily.keys()):
        store.save_summary(root, key, stored(kept))
    return vault, kept.daily_links()


def conflicts(results: list[RepResult]) -> list[Conflict]:
    """Every NIP held by two or more reps, with each rep's note: who calls that company?

    One pass over every client (100,000 in a big team), remembering only the first holder of
    each NIP, so the common case (a NIP of one rep) costs a dict lookup."""
    first: dict[str, Client] = {}
    shared: dict[str, dict[str, Client]] = {}
    for r in results:
        if r.figures is None:
            continue
        for client in r.figures.members:
            nip = client.nip
            if not nip:
                continue
            holder = first.setdefault(nip, client)
            if holder.rep != client.rep:
                shared.setdefault(nip, {holder.rep: holder}).setdefault(client.rep, client)
    return [Conflict(nip, tuple(by_rep.values())) for nip, by_rep in sorted(shared.items())]
