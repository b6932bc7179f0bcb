"""`salesnotes new`: a client note from templates/client.md."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from salesnotes.cli import common_options, labels, locked, pass_today, pass_vault


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
@pass_vault
@pass_today
def new(name: str, nip: str | None, tier: str | None, status: str, region: str | None,
        no_commit: bool, root: Path, today: date) -> None:
    """Create a client note under clients/ from templates/client.md.

    Refuses a name or NIP that another note already has, and names that note.

    \b
    Example:
        salesnotes new "Hydro-Tech Sp. z o.o." --nip 526-025-02-74 --tier A --region Kraków
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.edit.addclient import add_client, commit_added
    from salesnotes.edit.newclient import NewClient

    added = add_client(root, NewClient(name, nip, tier, status, region), today)
    click.echo(labels().say("cli_new_created", path=added.rel.as_posix()))
    if added.commit and not no_commit:
        commit_added(root, added, name)
