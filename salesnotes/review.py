"""The Monday review: load the vault, render every view, write what changed, commit it.

This is the whole of `salesnotes review` except printing, so `watch` and tests call it too. It
never prints and never reads the clock: the result says what happened, and the command shows it.
A broken note, a failing template or a hand-made file in views/ is a problem in the result, never
a stop: every other view is still written (README.md; ARCHITECTURE.md, data safety 8).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from salesnotes.errors import Problem, VaultError
from salesnotes.gcpause import gc_paused
from salesnotes.local import reviewstate
from salesnotes.local.reviewstate import ReviewSummary
from salesnotes.model.money import format_money
from salesnotes.model.where import VIEWS_DIR

if TYPE_CHECKING:
    from salesnotes.model.portfolio import Book
    from salesnotes.model.vault import Progress, Vault
    from salesnotes.model.where import FolderKeys

TOP_AT_STAKE = 5


@dataclass
class ReviewResult:
    vault: Vault | None  # None when nothing changed since the last review (nothing was read)
    book: Book | None
    written: list[Path] = field(default_factory=list)  # absolute paths under views/
    unchanged: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the vault's (non-strict), views'
    sha: str | None = None  # the review commit, when one was made
    commit_error: VaultError | None = None  # git busy or failing: the views are written anyway
    summary: ReviewSummary = field(default_factory=ReviewSummary)
    today: date | None = None
    skipped: bool = False  # inputs unchanged since the last review: nothing rendered


def summarize(book: Book) -> ReviewSummary:
    """Counts by breath and the overdue clients with the most money at stake."""
    # imported with the Book it reads: a skipped review has none
    from salesnotes.model.breath import Breath

    counts = {b.value: 0 for b in (Breath.OVERDUE, Breath.NEVER, Breath.DUE, Breath.OK)}
    for row in book.rows:
        counts[row.breath.state.value] += 1
    overdue = [r for r in book.rows if r.breath.state is Breath.OVERDUE]
    top = sorted(overdue, key=lambda r: -r.stake)[:TOP_AT_STAKE]
    cfg = book.config
    return ReviewSummary(len(book.rows), counts,
                         [(r.breath.state.glyph, " ".join(r.name.split()), str(r.stake),
                           r.breath.days_overdue or 0) for r in top],
                         cfg.currency, cfg.locale,
                         [format_money(r.stake, cfg.currency, cfg.locale) for r in top])


def iso_week(day: date) -> str:
    """`2026-W48`: the ISO week holding `day`, as the review commit names it."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(iso: str) -> date:
    """`2026-W49` -> the Monday of that ISO week; ValueError when it is no such week."""
    text = iso.strip().upper()
    try:
        year, week = text.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ValueError(f"{iso!r} is not an ISO week like 2026-W49") from None


def run_review(root: Path, today: date, week: date | None = None, commit: bool = True, *,
               git: bool = True, progress: Progress | None = None) -> ReviewResult:
    """Write every view for `today` (and `week`) and commit the files written under views/.

    Raises VaultError only when there is no vault to review (bad config, no folder).
    """
    # One review: what it loads and renders is freed with the process. No collection runs
    # from its start to the end of the render (imports, the git history and the load made 64
    # young collections, ~20 ms at 10k notes), and what is alive then is frozen, so that no
    # collection walks it afterwards: the first one after the render walked every object the
    # load, the book and the views made (~0.1-0.3 s at 10k notes) while the views were written.
    with gc_paused(freeze=True):
        state, day, inputs, stats = _inputs(root, today, week)
        skipped = _unchanged(root, state, inputs, today, commit)
        if skipped is not None:
            return skipped
        # imported when something changed: rendering needs the model, the views and jinja
        from salesnotes.load.vault import load_vault
        from salesnotes.model.portfolio import Book
        from salesnotes.views import render_and_write

        vault = load_vault(root, git=git, progress=progress, today=today, stats=stats)
        del stats  # a key per note (at 100,000 notes): the cache has keyed the notes by them
        book = Book.of(vault, today)
        # each view written as soon as it is rendered, its bytes let go (render_and_write)
        rendered, written = render_and_write(vault, today, week=week, book=book, parallel=True)
    result = ReviewResult(vault, book, written.written, written.unchanged,
                          [*book.problems, *rendered.problems, *written.problems],
                          summary=summarize(book), today=today)
    if commit and vault.config.git_commit and written.written:
        try:
            result.sha = _commit(vault.root, written.written, today)
        except VaultError as e:  # GitBusy (exit 75) or a failing commit: views stay written
            result.commit_error = e
    if result.commit_error is None and not rendered.problems:
        reviewstate.save(root, inputs=inputs, views=sorted(rendered.handed),
                         problems=result.problems, summary=result.summary,
                         git_commit=vault.config.git_commit, day=day)
    else:
        reviewstate.forget(root)
    return result


def _inputs(root: Path, today: date, week: date | None
            ) -> tuple[dict | None, str, str, list[FolderKeys]]:
    """(the last review's state, this one's day, its inputs key, the notes' keys it was made
    of). The views' code is part of the key through the package's own files (reviewstate)."""
    state, day = reviewstate.load(root), reviewstate.day_of(today, week)
    if state is None or state.get("day") != day:
        # Another date (a Monday) cannot be skipped: the notes are stat-ed in a child while
        # this process imports what renders (ARCHITECTURE.md, speed: start-up)
        walking = reviewstate.start_inputs_key(root, today, week, ("review",))
        _import_renderer()
        inputs, stats = walking()
    else:
        stats = []
        inputs = reviewstate.inputs_key(root, today, week, ("review",), walked=stats)
    return state, day, inputs, stats


def _import_renderer() -> None:
    """What a review that renders imports, imported now (while its walk runs elsewhere)."""
    # imported only for a review that renders: a skipped one needs none of them
    import salesnotes.load.vault
    import salesnotes.model.portfolio
    import salesnotes.views  # noqa: F401


def _unchanged(root: Path, state: dict | None, inputs: str, today: date, commit: bool
               ) -> ReviewResult | None:
    """The last review's result (`state`) when nothing it read has changed, else None."""
    if not state or state["inputs"] != inputs or state["outputs"] != reviewstate.outputs_key(root):
        return None
    paths = [root / VIEWS_DIR / name for name in state["views"]]
    result = ReviewResult(None, None, [], paths,
                          [Problem.from_row(row) for row in state["problems"]],
                          summary=reviewstate.ReviewSummary(**state["summary"]), today=today,
                          skipped=True)
    if commit and state["git_commit"]:
        try:  # a --no-commit run may have left the views uncommitted
            result.sha = _commit(root, paths, today)
        except VaultError as e:
            result.commit_error = e
        if result.sha:
            reviewstate.save(root, inputs=inputs, views=state["views"], problems=result.problems,
                             summary=result.summary, git_commit=True, day=state.get("day"))
    return result


def _commit(root: Path, paths: list[Path], today: date) -> str | None:
    # the committer only when committing: a `--no-commit` review with nothing changed runs no git
    from salesnotes.git import gitlog

    if not gitlog.is_repo(root):
        return None
    ours = [p for p in paths if p.parent == root / VIEWS_DIR]
    return gitlog.commit_paths(root, ours, f"salesnotes: review {iso_week(today)}",
                               fallback_identity=True)
