"""`salesnotes check`: validate the whole vault, or only the notes given (a pre-commit hook)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from salesnotes.cli import common_options, labels, pass_today, pass_vault

if TYPE_CHECKING:
    from salesnotes.i18n import Labels


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--staged", is_flag=True, help="Check the client notes staged for the next git "
              "commit, as staged (what a pre-commit hook runs).")
@click.option("--strict", is_flag=True, help="Also report unknown keys, a key with different "
              "types across notes, and money written as text.")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON on stdout.")
@common_options
@pass_vault
@pass_today
def check(paths: tuple[Path, ...], staged: bool, strict: bool, as_json: bool, root: Path,
          today: date) -> None:
    """Validate every note and the config; list each problem as path:line: message.

    With PATH...: only those client notes (and salesnotes.yaml when given), at about the cost
    of reading them; other files are passed over. Exits 0 when clean, 1 with problems.

    \b
    Example:
        salesnotes check --strict
        salesnotes check clients/Hydro-Tech.md
        salesnotes check --staged
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.console import echo_problems

    t = labels()
    if paths or staged:
        count, problems = _some(root, paths, staged, today)
    else:
        count, problems = _whole(root, t, today)
    problems = [p for p in problems if strict or not p.strict]
    if as_json:
        # imported when the command runs: --help imports every command module
        from salesnotes.jsonout import dumps

        click.echo(dumps({"notes": count, "problems": [p.as_json() for p in problems]}))
    else:
        echo_problems(problems, t)
        click.echo(t.say("cli_check_done", notes=t.plural("note", count),
                         problems=t.plural("problem", len(problems))), err=True)
    click.get_current_context().exit(1 if problems else 0)


def _whole(root: Path, t: Labels, today: date) -> tuple[int, list]:
    # imported when the command runs: --help imports every command module
    from salesnotes.console import reading_notes
    from salesnotes.load.vault import load_vault
    from salesnotes.reports.checklists import load_checklists

    with reading_notes(t) as progress:
        vault = load_vault(root, git=False, progress=progress, store_cache=False)
    # imported when the command runs: --help imports every command module
    from salesnotes.reports.future_dates import future_contacts

    return len(vault.notes), [*vault.problems, *future_contacts(vault.notes, today),
                              *load_checklists(root).problems]


def _some(root: Path, paths: tuple[Path, ...], staged: bool, today: date) -> tuple[int, list]:
    # imported when the command runs: --help imports every command module
    from salesnotes.reports.notecheck import check_files, given_files

    files, with_config = given_files(root, paths)
    if staged:
        # imported when the command runs: --help imports every command module
        from salesnotes.git.staged import staged_notes

        in_commit, config = staged_notes(root)
        files += in_commit
        with_config = with_config or config
    return len(files), check_files(root, files, with_config, today)
