"""`salesnotes init`: a new vault, optionally with the demo portfolio."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from salesnotes.cli import common_options, labels, pass_today


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--demo", is_flag=True, help="Add a sample portfolio of 150+ clients with a year "
              "of sales, so every view shows real numbers.")
@click.option("--locale", type=click.Choice(["pl", "en"]),
              help="Language of the config, templates, checklists, views and messages "
                   "[default: pl].")
@click.option("--hook", is_flag=True, help="Also install a git pre-commit hook that checks the "
              "client notes each commit holds (`salesnotes hook install`).")
@common_options
@pass_today
def init(directory: Path, demo: bool, locale: str | None, hook: bool, today: date) -> None:
    """Create a vault in DIRECTORY (default: here): config, templates, checklists, git.

    The vault is its own git repository: inside another one (a clone of a project) it gets a
    new one, and nothing is committed to the outer repository.

    \b
    Example:
        salesnotes init my-vault --demo --locale en
        cd my-vault && salesnotes review
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.edit.vaultinit import commit_vault, create_vault, own_repository

    t = labels(locale or "en")  # no vault yet: the language asked for, else English
    directory = directory.resolve()
    written = create_vault(directory, locale=locale or "pl", demo=demo, today=today)
    clients = sum(1 for p in written if p.relative_to(directory).parts[0] == "clients"
                  and p.suffix == ".md")
    click.echo(t.say("cli_init_created_demo" if demo else "cli_init_created", folder=directory,
                     files=t.plural("file", len(written)), clients=clients))
    outer = own_repository(directory)
    if outer is not None:
        click.echo(t.say("cli_init_inside_repo", folder=directory, outer=outer))
    for p in commit_vault(directory, written):
        click.echo(t.say("cli_init_identity", message=p.text(t)), err=True)
    if hook:
        # imported when the command runs: --help imports every command module
        from salesnotes.git.hookinstall import install_hook

        click.echo(t.say("cli_init_hook", path=install_hook(directory)[0]))
    click.echo(t.say("cli_init_next", folder=directory))
