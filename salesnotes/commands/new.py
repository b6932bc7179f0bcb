"""`salesnotes new`: a client note from templates/client.md."""

from __future__ import annotations

import click

from salesnotes.cli import common_options, labels, locked, today, vault_root


@click.command()
@click.argument("name")
@click.option("--nip", help="Tax number, any written form (526-025-02-74, PL5260250274).")
@click.option("--tier",
              help="Segment: a key of `tiers` in salesnotes.yaml (default: default_tier).")
@click.option("--status", default="active", show_default=True,
              type=click.Choice(["prospect", "active", "dormant", "lost"]))
@click.option("--region", help="Town or area, to group visits on the same day.")
@click.option("--no-commit", is_flag=True, help="Do not commit the new note.")
@common_options
@locked
def new(name: str, nip: str | None, tier: str | None, status: str, region: str | None,
        no_commit: bool) -> None:
    """Create a client note under clients/ from templates/client.md.

    Refuses a name or NIP that another note already has, and names that note.

    \b
    Example:
        salesnotes new "Hydro-Tech Sp. z o.o." --nip 526-025-02-74 --tier A --region Kraków
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.edit.files import atomic_write
    from salesnotes.edit.newclient import NewClient, plan_note
    from salesnotes.load.vault import load_vault

    root = vault_root()
    vault = load_vault(root, git=False, sales=False)
    path, data = plan_note(vault, NewClient(name, nip, tier, status, region), today())
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data, root=root, exclusive=True)
    rel = path.relative_to(root)
    click.echo(labels().say("cli_new_created", path=rel.as_posix()))
    if vault.config.git_commit and not no_commit:
        # imported when the command runs: --help imports every command module
        from salesnotes.git import gitlog

        if gitlog.is_repo(root):
            gitlog.commit_paths(root, [path], f"salesnotes: new {name}", fallback_identity=True)
