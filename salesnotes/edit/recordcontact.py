"""`salesnotes log` as core calls that return what they did; the command only says it.

Recording and committing are two calls, so the rep is told the note is saved before git is
asked: a commit that fails (git busy, no identity) never undoes the edit, and the rep must
know the contact is in the note all the same.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from salesnotes.edit.contactlog import Contact, commit_contact, log_contact, make_contact
from salesnotes.errors import Refused, UsageProblem, saying
from salesnotes.load.client import find_note
from salesnotes.local.lookupwalk import Walker
from salesnotes.read.note import Note

if TYPE_CHECKING:  # git only when committing: `log --no-commit` never loads it
    from salesnotes.git.gitlog import Committed


class Recorded(NamedTuple):
    """A contact written into its client's note."""

    note: Note
    contact: Contact
    wrote: bool  # False: this very contact was in the note already
    cadence_days: int  # the client's tier's, for the commit to redo the same edit
    commit: bool  # the vault's config asks for a commit of each contact


def record_contact(root: Path, client: str, text: str, channel: str, when: date | None,
                   next_date: date | None, *, today: date,
                   walked: Walker | None = None) -> Recorded:
    """Find CLIENT's note and log the contact in it; a contact that cannot be true (in the
    future, a next contact before it) is a usage problem at the note. `walked`: the notes'
    walk, made meanwhile (`lookupwalk.walked_meanwhile`)."""
    note, config = find_note(root, client, walked)
    try:
        contact = make_contact(text, channel, when or today, next_date, today=today)
    except Refused as e:
        raise UsageProblem(saying(note.path, 0, e.said)) from None
    cadence = config.cadence(note.tier or config.default_tier)
    wrote = log_contact(root, note, contact, today=today, cadence_days=cadence)
    return Recorded(note, contact, wrote, cadence, config.git_commit)


def commit_recorded(root: Path, recorded: Recorded, *, today: date) -> Committed:
    """The contact's `contact:` commit (see `contactlog.commit_contact`)."""
    return commit_contact(root, recorded.note, recorded.contact, today=today,
                          cadence_days=recorded.cadence_days)
