"""`salesnotes check`: validate the whole vault and list every problem."""

from __future__ import annotations

import json

import click

from salesnotes.cli import common_options, today, vault_root


@click.command()
@click.option("--strict", is_flag=True, help="Also report unknown keys, a key with different "
              "types across notes, and money written as text.")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON on stdout.")
@common_options
def check(strict: bool, as_json: bool) -> None:
    """Validate every note and the config; list each problem as path:line: message.

    Exits 0 when the vault is clean and 1 when it has problems.

    \b
    Example:
        salesnotes check --strict
    """
    from salesnotes.console import echo_problems
    from salesnotes.model.vault import load_vault
    from salesnotes.reports.checklists import load_checklists

    root = vault_root()
    from salesnotes.console import reading_notes

    with reading_notes() as progress:
        vault = load_vault(root, git=False, progress=progress)
    from salesnotes.reports.future_dates import future_contacts

    problems = [p for p in vault.problems if strict or not p.strict]
    problems += future_contacts(vault.notes, today())
    problems += load_checklists(root).problems
    if as_json:
        click.echo(json.dumps({"version": 1, "notes": len(vault.notes),
                               "problems": [p.as_json() for p in problems]}, ensure_ascii=False,
                              indent=2))
    else:
        echo_problems(problems)
        word = "problem" if len(problems) == 1 else "problems"
        click.echo(f"{len(vault.notes)} notes checked, {len(problems)} {word}", err=True)
    click.get_current_context().exit(1 if problems else 0)
