"""`salesnotes hook install`: a plain git pre-commit hook checking only the staged notes."""

from __future__ import annotations

from pathlib import Path

import click

from salesnotes.cli import common_options, labels, pass_vault


@click.group("hook")
def hook_group() -> None:
    """A git pre-commit hook that checks the client notes a commit holds.

    Other notes, broken or not, never block a commit: salesnotes' own commits and Obsidian
    Git's backups go through unless they carry a broken note. With the pre-commit framework,
    use this repository's `salesnotes-check` hook instead (see README).

    \b
    Example:
        salesnotes hook install
    """


@hook_group.command("install")
@common_options
@pass_vault
def install(root: Path) -> None:
    """Write .git/hooks/pre-commit running `salesnotes check --staged`.

    A pre-commit hook salesnotes did not write is never replaced.

    \b
    Example:
        salesnotes hook install
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.git.hookinstall import install_hook

    path, changed = install_hook(root)
    t = labels()
    click.echo(t.say("cli_hook_installed" if changed else "cli_hook_already", path=path))
