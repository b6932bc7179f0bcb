"""`salesnotes team ...`: a sales manager's Monday over every rep's vault, fetched with git."""

from __future__ import annotations

import json
from pathlib import Path

import click

from salesnotes.cli import common_options, labels, today


def _root() -> Path:
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
    from salesnotes.team.config import create_team

    sha = create_team(directory, locale)
    click.echo(f"Team vault in {directory}" + (f" (committed {sha[:7]})" if sha else ""))
    click.echo("Next: salesnotes team add NAME REMOTE, then salesnotes team review")


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
    from salesnotes.git.mirror import redact
    from salesnotes.team.config import add_rep

    add_rep(_root(), name, remote, branch)
    click.echo(f"Added {name} ({redact(remote)})")


@team_group.command("review")
@click.option("--offline", is_flag=True, help="Do not fetch: use what was fetched last time.")
@click.option("--no-commit", is_flag=True, help="Write the views but do not commit them.")
@common_options
def team_review_command(offline: bool, no_commit: bool) -> None:
    """Fetch every rep, write views/Team.md and views/team.svg, commit them.

    Reps are read straight from the fetched commits, with each rep's own salesnotes.yaml, so
    their figures equal their own review. A rep that cannot be fetched is listed (exit 1) and
    the others are built.

    \b
    Example:
        salesnotes team review
        salesnotes team review --offline --today 2026-12-07
    """
    from salesnotes.console import echo_problems
    from salesnotes.team.review import team_review

    result = team_review(_root(), today(), fetch=not offline, commit=not no_commit)
    echo_problems(result.problems, labels(result.rollup.team.locale))
    built = len(result.rollup.built)
    click.echo(f"Reps: {built} of {len(result.rollup.reps)} built; "
               f"conflicts: {len(result.rollup.conflicts)}")
    click.echo("Views written: " + (", ".join(p.name for p in result.written) or "none"))
    if result.sha:
        click.echo(f"Committed {result.sha[:7]}")
    if result.commit_error is not None:
        raise result.commit_error
    click.get_current_context().exit(1 if result.problems else 0)


@team_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (see README) instead of a table.")
@common_options
def team_status(as_json: bool) -> None:
    """One row per rep, from what was fetched last (no network).

    \b
    Example:
        salesnotes team status
        salesnotes team status --json
    """
    from salesnotes.console import echo_problems
    from salesnotes.team.review import status_json
    from salesnotes.team.rollup import roll_up

    rollup = roll_up(_root(), today(), fetch=False)
    data = status_json(rollup)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for row in data["reps"]:
            click.echo(f"{row['name']:<28} {row['synced'] or '–':<10}  clients {row['clients']}"
                       f"  🔴 {row['overdue']}  ⚪ {row['never']}  🟡 {row['due']}  🟢 {row['ok']}"
                       f"  actual {row['actual_ytd']} / budget {row['budget_ytd']}"
                       f"  commission {row['commission']}")
    echo_problems(rollup.problems, labels(rollup.team.locale))
    click.get_current_context().exit(1 if rollup.problems else 0)
