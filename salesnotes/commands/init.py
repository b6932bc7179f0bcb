"""`salesnotes init`: a new vault, optionally with the demo portfolio."""

from __future__ import annotations

from pathlib import Path

import click

from salesnotes.cli import common_options, today


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--demo", is_flag=True, help="Add a sample portfolio of 150+ clients with a year "
              "of sales, so every view shows real numbers.")
@click.option("--locale", type=click.Choice(["pl", "en"]), default="pl", show_default=True,
              help="Language of the config, templates, checklists and views.")
@click.option("--hook", is_flag=True, help="Also install a git pre-commit hook that checks the "
              "client notes each commit holds (`salesnotes hook install`).")
@common_options
def init(directory: Path, demo: bool, locale: str, hook: bool) -> None:
    """Create a vault in DIRECTORY (default: here): config, templates, checklists, git.

    \b
    Example:
        salesnotes init my-vault --demo --locale en
        cd my-vault && salesnotes review
    """
    from salesnotes.edit.vaultinit import create_vault
    from salesnotes.git import gitlog

    directory = directory.resolve()
    written = create_vault(directory, locale=locale, demo=demo, today=today())
    clients = sum(1 for p in written if p.relative_to(directory).parts[0] == "clients"
                  and p.suffix == ".md")
    click.echo(f"vault created in {directory} ({len(written)} files"
               + (f", {clients} demo clients" if demo else "") + ")")
    _own_repository(directory)
    try:
        gitlog.commit_paths(directory, written, "salesnotes: new vault")
    except gitlog.GitIdentityMissing as e:
        gitlog.commit_paths(directory, written, "salesnotes: new vault", fallback_identity=True)
        for p in e.problems:
            click.echo(f"note: first commit made as 'salesnotes'. {p.message}", err=True)
    if hook:
        from salesnotes.git.hookinstall import install_hook

        click.echo(f"pre-commit hook installed: {install_hook(directory)[0]}")
    click.echo(f"next: cd {directory} && salesnotes review")


def _own_repository(directory: Path) -> None:
    """The vault's own repository: made when there is none, or when the folder sits inside
    another one (a clone of a project, a dotfiles repository), so that no commit of the vault
    ever lands in a repository that is not the vault's."""
    from salesnotes.errors import VaultError, problem
    from salesnotes.git import gitlog

    outer = gitlog.find_repo(directory)
    if outer is not None and outer.top.resolve() == directory:
        return
    gitlog.init_repo(directory)
    own = gitlog.find_repo(directory)
    if own is None or own.top.resolve() != directory:
        raise VaultError(problem(".", 0, "git init did not make the vault its own repository; "
                                         "the vault is created but not committed"))
    if outer is not None:
        click.echo(f"git: {directory} is inside the repository {outer.top}, so the vault got "
                   "its own git repository (nothing is committed to the outer one)")
