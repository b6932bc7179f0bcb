"""`salesnotes history`: a client's contacts, newest first, from its log and git."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from salesnotes.cli import common_options, labels, pass_today, pass_vault
from salesnotes.commands.completion import complete_client

if TYPE_CHECKING:
    from salesnotes.read.note import Note


@click.command()
@click.argument("client", shell_complete=complete_client)
@click.option("--json", "as_json", is_flag=True,
              help='Print {"version": 1, "client": ..., "contacts": [...]} on stdout.')
@common_options
@pass_vault
@pass_today
def history(client: str, as_json: bool, root: Path, today: date) -> None:
    """Every contact with CLIENT, newest first: its `## Log` lines, its `contact:` commits and
    the daily notes (`YYYY-MM-DD.md`) linking to it.

    A contact recorded by `salesnotes log` whose line was later deleted still shows (from git).

    \b
    Example:
        salesnotes history "Hydro-Tech" --json
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.edit import contactlog
    from salesnotes.load.client import find_note

    note, config = find_note(root, client)
    entries = contactlog.history(root, note, daily=_daily(root, note, config.daily_notes, today))
    if as_json:
        data = {"version": 1, "client": {"name": note.name, "file": str(note.path)},
                "contacts": [e.as_json() for e in entries]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    t = labels()
    click.echo(f"{note.name} ({note.path})")
    for e in entries:
        where = ", ".join(e.sources)
        channel = t[f"channel_{e.channel}"] if e.channel else "-"  # the word the rep writes
        click.echo(f"  {e.date.isoformat()}  {channel:9} {e.text}   [{where}]")
    if not entries:
        click.echo(f"  {t.cli_history_none}")


def _daily(root: Path, note: Note, folder: str | None, today: date) -> list:
    # imported when the command runs: --help imports every command module
    from salesnotes.local.dailycache import daily_links
    from salesnotes.model.daily import daily_contacts

    return daily_contacts([note], daily_links(root, folder), today).get(str(note.path), [])
