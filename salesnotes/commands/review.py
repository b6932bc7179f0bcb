"""`salesnotes review`: write every view, say in a few lines where the portfolio stands, commit."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from salesnotes.cli import common_options, today, vault_root


class IsoWeek(click.ParamType):
    """`2026-W49` -> the Monday of that week."""

    name = "YYYY-Www"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        from salesnotes.review import monday_of

        try:
            return monday_of(str(value))
        except ValueError as e:
            self.fail(str(e), param, ctx)


@click.command()
@click.option("--week", type=IsoWeek(), default=None,
              help="The ISO week to plan (e.g. 2026-W49; default: the week of --today).")
@click.option("--no-commit", is_flag=True, help="Write the views but do not commit them.")
@common_options
def review(week: date | None, no_commit: bool) -> None:
    """Write every view into views/, print a short summary and commit the views.

    Views without changes are not rewritten; a hand-made file in views/ is never overwritten.
    Problems in notes are listed on stderr as path:line: message (exit 1), after the views
    are written.

    \b
    Example:
        salesnotes review
        salesnotes review --week 2026-W49 --no-commit
    """
    from salesnotes.console import echo_problems
    from salesnotes.review import run_review

    result = run_review(vault_root(), today(), week, commit=not no_commit)
    echo_problems(result.problems)
    _print_summary(result)
    if result.commit_error is not None:
        raise result.commit_error
    click.get_current_context().exit(1 if result.problems else 0)


def _print_summary(result) -> None:  # noqa: ANN001 - ReviewResult
    from rich.table import Table

    from salesnotes.console import console
    from salesnotes.money import format_money

    cfg = result.vault.config
    out = console()
    counts = result.breath_counts
    breaths = " · ".join(f"{b.glyph} {n} {b.value}" for b, n in counts.items())
    out.print(f"Portfolio: {len(result.book.rows)} clients  {breaths}", markup=False, emoji=False)
    top = result.most_at_stake
    if top:
        out.print("Most money at stake, out of breath:", markup=False)
        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
        for row in top:
            late = row.breath.days_overdue or 0
            table.add_row(row.breath.state.glyph, " ".join(row.name.split()),
                          format_money(row.stake, cfg.currency, cfg.locale),
                          f"{late} days late")
        out.print(table, markup=False, emoji=False)
    out.print(_files_line(result), markup=False, emoji=False)
    if result.sha:
        out.print(f"Committed {result.sha[:7]}: review: {_week(result)}", markup=False)
    if result.problems:
        n = len(result.problems)
        out.print(f"{n} problem{'s' if n != 1 else ''} (listed on stderr)", markup=False)


def _files_line(result) -> str:  # noqa: ANN001
    written = ", ".join(p.name for p in result.written) or "none"
    return f"Views written: {written}; unchanged: {len(result.unchanged)}"


def _week(result) -> str:  # noqa: ANN001
    from salesnotes.review import iso_week

    return iso_week(result.book.today)
