"""`salesnotes review`: write every view, say in a few lines where the portfolio stands, commit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from salesnotes.cli import common_options, labels, locked, pass_today, pass_vault


class IsoWeek(click.ParamType):
    """`2026-W49` -> the Monday of that week."""

    name = "YYYY-Www"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        # imported when the command runs: --help imports every command module
        from salesnotes.review import monday_of

        try:
            return monday_of(str(value))
        except ValueError as e:
            self.fail(str(e), param, ctx)


@click.command()
@click.option("--week", type=IsoWeek(), default=None,
              help="The ISO week to plan (e.g. 2026-W49; default: the week of --today).")
@click.option("--no-commit", is_flag=True, help="Write the views but do not commit them.")
@click.option("--json", "as_json", is_flag=True,
              help="Print what was written and the summary figures as one JSON object.")
@common_options
@locked
@pass_vault
@pass_today
def review(week: date | None, no_commit: bool, as_json: bool, root: Path, today: date) -> None:
    """Write every view into views/, print a short summary and commit the views.

    Views without changes are not rewritten; a hand-made file in views/ is never overwritten.
    Problems in notes are listed on stderr as path:line: message (exit 1), after the views
    are written.

    \b
    Example:
        salesnotes review
        salesnotes review --week 2026-W49 --no-commit
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.console import echo_problems, reading_notes
    from salesnotes.review import run_review

    t = labels()
    with reading_notes(t) as progress:
        result = run_review(root, today, week, commit=not no_commit, progress=progress)
    echo_problems(result.problems, t)
    if as_json:
        # imported when the command runs: --help imports every command module
        from salesnotes.jsonout import review_json

        click.echo(review_json(root, result))
    else:
        _print_summary(result, t)
    if result.commit_error is not None:
        raise result.commit_error
    click.get_current_context().exit(1 if result.problems else 0)


def _print_summary(result, t) -> None:  # noqa: ANN001 - ReviewResult, Labels
    """Where the portfolio stands, in five to ten lines: the rest is in views/Portfolio.md."""
    # imported when the command runs: --help imports every command module
    from salesnotes.model.breath import Breath
    from salesnotes.review import iso_week

    s = result.summary
    breaths = " · ".join(f"{Breath(b).glyph} {k} {t[b]}" for b, k in s.counts.items())
    click.echo(t.say("cli_review_portfolio", clients=t.plural("client", s.clients),
                     breaths=breaths))
    if s.top:
        click.echo(t.cli_review_top)
        for line in _top_lines(s, t):
            click.echo(line)
    written = ", ".join(p.name for p in result.written) or t.cli_none
    click.echo(t.say("cli_review_written", written=written, unchanged=len(result.unchanged))
               + (t.cli_review_skipped if result.skipped else ""))
    if result.sha:
        click.echo(t.say("cli_review_committed", sha=result.sha[:7],
                         message=f"salesnotes: review {iso_week(result.today)}"))
    if result.problems:
        click.echo(t.say("cli_review_problems", problems=t.plural("problem", len(result.problems))))


def _stakes(s) -> list[str]:  # noqa: ANN001 - ReviewSummary
    """The money at stake as the review wrote it down (a state saved before it did: formatted
    now)."""
    if len(s.stakes_shown) == len(s.top):
        return list(s.stakes_shown)
    # babel's locale data only for a summary saved without its texts
    from salesnotes.model.money import format_money

    return [format_money(Decimal(stake), s.currency, s.locale) for _, _, stake, _ in s.top]


def _top_lines(s, t) -> list[str]:  # noqa: ANN001 - ReviewSummary, Labels
    """Aligned columns as plain text: rich's table cost 0.07 s of every review for five rows."""
    rows = [(glyph, name, money, t.plural("day_late", days))
            for (glyph, name, _, days), money in zip(s.top, _stakes(s), strict=True)]
    name_w, money_w, late_w = (max(len(r[i]) for r in rows) for i in (1, 2, 3))
    return [f"{glyph}  {name:<{name_w}}  {money:>{money_w}}  {late:>{late_w}}"
            for glyph, name, money, late in rows]
