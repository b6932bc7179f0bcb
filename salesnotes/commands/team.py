"""`salesnotes team ...`: a sales manager's Monday over every rep's vault, fetched with git."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from salesnotes.cli import common_options, labels, pass_today

if TYPE_CHECKING:
    from salesnotes.i18n import Labels


def _labels(root: Path) -> Labels:
    """The team vault's words (team.yaml's locale)."""
    # imported when the command runs: --help imports every command module
    from salesnotes.team.config import load_team

    return labels(load_team(root)[0].locale)


def _root() -> Path:
    # imported when the command runs: --help imports every command module
    from salesnotes.team.config import find_team_root

    return find_team_root(click.get_current_context().meta.get("salesnotes.vault"), Path.cwd())


@click.group("team")
def team_group() -> None:
    """A manager's roll-up over the reps' vaults, with git as the engine.

    Each rep keeps pushing their vault as today (Obsidian Git or `git push`); the team vault
    fetches every rep into mirrors of its own, never writes into theirs, and writes
    views/Team.md and views/team.svg.

    \b
    Example:
        salesnotes team init sales-team --locale pl
        cd sales-team
        salesnotes team add "Anna Nowak" git@git.firma.pl:sprzedaz/anna.git
        salesnotes team review
    """


@team_group.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--locale", type=click.Choice(["pl", "en"]), default="pl", show_default=True,
              help="The language of the team views.")
def team_init(directory: Path, locale: str) -> None:
    """Make a team vault in DIRECTORY: team.yaml, views/, its own git repository.

    \b
    Example:
        salesnotes team init sales-team --locale en
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.team.config import create_team

    sha = create_team(directory, locale)
    t = labels(locale)
    click.echo(t.say("cli_team_created", folder=directory)
               + (t.say("cli_team_committed", sha=sha[:7]) if sha else ""))
    click.echo(t.cli_team_next)


@team_group.command("add")
@click.argument("name")
@click.argument("remote")
@click.option("--branch", default=None, help="The rep's branch (default: the remote's HEAD).")
@common_options
def team_add(name: str, remote: str, branch: str | None) -> None:
    """Add a rep: NAME and the git URL or path of their vault.

    team.yaml keeps its comments and layout; only the new line is added.

    \b
    Example:
        salesnotes team add "Piotr Wiśniewski" ../piotr-vault --branch main
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.git.mirror import redact
    from salesnotes.team.config import add_rep

    root = _root()
    add_rep(root, name, remote, branch)
    click.echo(_labels(root).say("cli_team_added", name=name, remote=redact(remote)))


@team_group.command("review")
@click.option("--offline", is_flag=True, help="Do not fetch: use what was fetched last time.")
@click.option("--no-commit", is_flag=True, help="Write the views but do not commit them.")
@common_options
@pass_today
def team_review_command(offline: bool, no_commit: bool, today: date) -> None:
    """Fetch every rep, write views/Team.md and views/team.svg, commit them.

    Reps are read straight from the fetched commits, with each rep's own salesnotes.yaml, so
    their figures equal their own review. A rep that cannot be fetched is listed (exit 1) and
    the others are built.

    \b
    Example:
        salesnotes team review
        salesnotes team review --offline --today 2026-12-07
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.console import echo_problems
    from salesnotes.team.review import team_review

    result = team_review(_root(), today, fetch=not offline, commit=not no_commit)
    t = labels(result.rollup.team.locale)
    echo_problems(result.problems, t)
    click.echo(t.say("cli_team_built", built=len(result.rollup.built),
                     reps=len(result.rollup.reps), conflicts=len(result.rollup.conflicts)))
    click.echo(t.say("cli_team_written", written=", ".join(p.name for p in result.written)
                     or t.cli_none))
    if result.sha:
        click.echo(t.say("cli_team_sha", sha=result.sha[:7]))
    if result.commit_error is not None:
        raise result.commit_error
    click.get_current_context().exit(1 if result.problems else 0)


@team_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (see README) instead of a table.")
@common_options
@pass_today
def team_status(as_json: bool, today: date) -> None:
    """One row per rep, from what was fetched last (no network).

    \b
    Example:
        salesnotes team status
        salesnotes team status --json
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.console import echo_problems
    from salesnotes.team.review import status_json
    from salesnotes.team.rollup import roll_up

    rollup = roll_up(_root(), today, fetch=False)
    data = status_json(rollup)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        t = labels(rollup.team.locale)
        for r, row in zip(rollup.reps, data["reps"], strict=True):
            click.echo(f"{row['name']:<28} {row['synced'] or '–':<10}  " + _row(r, row, t))
    echo_problems(rollup.problems, labels(rollup.team.locale))
    click.get_current_context().exit(1 if rollup.problems else 0)


def _row(rep, row: dict, t) -> str:  # noqa: ANN001 - RepResult, Labels
    """A rep's figures with money as the team's locale writes it; a rep never read has none."""
    # imported when the command runs: --help imports every command module
    from salesnotes.model.money import money_formatter

    if rep.figures is None:
        return t.team_not_synced
    cash = money_formatter(rep.figures.currency, t.locale)
    return t.say("cli_team_row", **{**row, **{k: cash(getattr(rep.figures, k)) for k in (
        "actual_ytd", "budget_ytd", "commission") if getattr(rep.figures, k) is not None}})
