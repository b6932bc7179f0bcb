"""`salesnotes status`: one row per client in the terminal, the most urgent first."""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

import click

from salesnotes.cli import common_options, labels, pass_today, pass_vault


@click.command()
@click.option("--json", "as_json", is_flag=True,
              help='Print {"version": 1, "clients": [...]} on stdout.')
@common_options
@pass_vault
@pass_today
def status(as_json: bool, root: Path, today: date) -> None:
    """Every client with its breath (ok, due, overdue, never), the most urgent first.

    \b
    Example:
        salesnotes status
        salesnotes status --json | jq '.clients[] | select(.breath == "overdue") | .name'
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.console import reading_notes
    from salesnotes.reports.status import status_of

    # the words only when said: a status with nothing changed prints what it remembered
    with reading_notes(labels) as progress:
        report = status_of(root, today, progress)
    problems = report.problems
    if as_json:  # pretty for a person at a terminal, compact for scripts
        click.echo(report.json(pretty=sys.stdout.isatty()))
    else:
        _print_table(report.table())
    if problems and not as_json:
        t = labels()
        click.echo(t.say("cli_status_problems", problems=t.plural("problem", len(problems))),
                   err=True)
    click.get_current_context().exit(1 if problems else 0)


def _print_table(lines: list[str]) -> None:
    """Plain aligned columns, cut to the terminal: 10,000 rows in a fraction of a second
    (rich needed seconds)."""
    width = shutil.get_terminal_size((160, 24)).columns if sys.stdout.isatty() else 160
    click.echo("\n".join(line if len(line) <= width else line[: width - 1] + "…"
                         for line in lines))
