"""`team review` and `team status` as results: the rendered views written and committed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from salesnotes.errors import Problem, VaultError
from salesnotes.git import gitlog
from salesnotes.model.breath import Breath
from salesnotes.team.rollup import Progress, Rollup, roll_up
from salesnotes.views import team as view
from salesnotes.views import write_views
from salesnotes.views.engine import make_env, render

STATUS_VERSION = 1
TWO_PLACES = Decimal("0.01")


@dataclass
class TeamReview:
    rollup: Rollup
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sha: str | None = None
    commit_error: VaultError | None = None


def team_review(root: Path, today: date, *, fetch: bool = True, commit: bool = True,
                progress: Progress | None = None) -> TeamReview:
    """Sync, roll up, write views/Team.md and views/team.svg, commit them in the team vault."""
    rollup = roll_up(root, today, fetch=fetch, progress=progress)
    result = TeamReview(rollup, problems=list(rollup.problems))
    env = make_env(root, rollup.team.locale, "PLN", "markdown")
    text, problem = render(env, view.TEMPLATE, view.context(rollup))
    files = {view.SVG: view.team_svg(rollup)}
    if text is None:
        result.problems.append(problem)  # type: ignore[arg-type]
    else:
        files[view.FILENAME] = text.encode("utf-8")
    written = write_views(root, files)
    result.written, result.unchanged = written.written, written.unchanged
    result.problems.extend(written.problems)
    if commit and result.written and gitlog.is_repo(root):
        try:
            result.sha = gitlog.commit_paths(root, result.written,
                                             f"salesnotes: team review {today.isoformat()}",
                                             fallback_identity=True)
        except VaultError as e:
            result.commit_error = e
    return result


def status_json(rollup: Rollup) -> dict[str, Any]:
    """`team status --json`: one object per rep, money as strings with two decimals."""
    rows = []
    for r in rollup.reps:
        f = r.figures
        rows.append({
            "name": r.rep.name,
            "commit": r.synced.commit if r.synced else None,
            "synced": r.synced.committed.isoformat() if r.synced else None,
            "clients": f.clients if f else None,
            **{b.value: (f.counts[b] if f else None) for b in
               (Breath.OVERDUE, Breath.NEVER, Breath.DUE, Breath.OK)},
            "budget_ytd": _money(f.budget_ytd) if f else None,
            "actual_ytd": _money(f.actual_ytd) if f else None,
            "commission": _money(f.commission) if f and f.commission is not None else None,
            "error": r.error and str(r.error),
        })
    return {"version": STATUS_VERSION, "reps": rows}


def _money(value: Decimal) -> str:
    return str(value.quantize(TWO_PLACES))
