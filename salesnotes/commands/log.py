"""`salesnotes log`: record a contact in the client's note (and commit it)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from salesnotes.cli import common_options, labels, pass_today, pass_vault
from salesnotes.commands.completion import complete_client
from salesnotes.commands.params import Channel, WrittenDate

if TYPE_CHECKING:
    from salesnotes.git.gitlog import Committed
    from salesnotes.read.note import Note


@click.command()
@click.argument("client", shell_complete=complete_client)
@click.argument("text")
@click.option("--via", "channel", type=Channel(), default="other", show_default=True,
              help="How you were in touch; Polish words too (telefon, mail, sms, wizyta, "
                   "spotkanie, inne).")
@click.option("--date", "when", type=WrittenDate(),
              help="When it happened, not after today (default: today).")
@click.option("--next", "next_date", type=WrittenDate(),
              help="Next contact, not before this one (default: a booked next_contact still "
                   "in the future stays, else the tier's cadence from this contact).")
@click.option("--no-commit", is_flag=True, help="Edit the note but make no git commit.")
@common_options
@pass_vault
@pass_today
def log(client: str, text: str, channel: str, when: date | None, next_date: date | None,
        no_commit: bool, root: Path, today: date) -> None:
    """Add a contact to CLIENT's `## Log` and update last_contact / next_contact.

    CLIENT is a NIP, file name, name or alias, or words each starting a word of one client's
    name (any order, Polish letters optional: `zar serwis`); several matches are listed and
    nothing changes. Only the log line and those two dates change in the note; in a git vault
    the note alone is committed as `contact: <name> (<channel>)` with Client-NIP,
    Contact-Date and Channel trailers, so `git log` is your contact log.

    \b
    Example:
        salesnotes log hydro "Buyer wants the Q1 offer by Friday" --via phone --next 2026-12-04
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.gcpause import gc_paused
    from salesnotes.local.lock import vault_lock
    from salesnotes.local.lookupwalk import walked_meanwhile

    # one contact: no cycles worth collecting while the index stats every note (10k: ~10 %);
    # the notes are walked (stat-ed) in a child while the editor is imported here
    with gc_paused(), vault_lock(root), walked_meanwhile(root) as walked:
        # imported while the notes are walked
        from salesnotes.edit.recordcontact import commit_recorded, record_contact

        done = record_contact(root, client, text, channel, when, next_date, today=today,
                              walked=walked)
        click.echo(f"{done.note.path}: {done.contact.line}"
                   + ("" if done.wrote else labels().cli_log_in_note))
        if no_commit or not done.commit:
            return
        _say_committed(done.note, done.contact.channel, commit_recorded(root, done, today=today))


def _say_committed(note: Note, channel: str, done: Committed) -> None:
    t = labels()
    if done.outside_git:  # a vault without git is allowed: the note is the record
        click.echo(t.cli_log_no_git, err=True)
        return
    for kept in done.kept_back:
        click.echo(t.say("cli_log_kept_back", text=kept), err=True)
    subject = f"contact: {note.name} ({channel})"
    if done.sha and done.already:
        click.echo(t.say("cli_log_already", sha=done.sha[:10], message=subject))
    elif done.sha:
        why = t.cli_log_no_change if done.empty and not done.kept_back else ""
        click.echo(t.say("cli_committed", sha=done.sha[:10], message=subject) + why)
    for note_said in done.notes:
        click.echo(t.say("cli_note", text=note_said), err=True)
