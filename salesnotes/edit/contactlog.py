"""`log` and `history`: record a contact in seconds, read every contact back.

A contact is one line at the top of the note's `## Log`, the note's `last_contact` (and
`next_contact`) kept in step, and in a git vault one commit touching that note alone, whose
trailers make `git log` itself a machine-readable contact log. Editing goes through edit.py,
so nothing else in the note moves by a byte.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from salesnotes.edit.editor import edit_bytes, edit_note
from salesnotes.errors import Refused, VaultError
from salesnotes.i18n import Said
from salesnotes.model.config import Config
from salesnotes.read.body import CHANNELS, canonical_channel
from salesnotes.read.fields import parse_date
from salesnotes.read.note import Note, read_note

if TYPE_CHECKING:
    from salesnotes.edit.editor import NoteText
    from salesnotes.git.gitlog import Committed

LOG_HEADING = "## Log"


class Contact(NamedTuple):
    when: date
    channel: str
    text: str
    next_date: date | None = None

    @property
    def line(self) -> str:
        return f"- {self.when.isoformat()} {self.channel}: {self.text}"


class LogResult(NamedTuple):
    path: Path
    last_contact_updated: bool
    commit: str | None


def one_line(text: str) -> str:
    return " ".join(text.split())


def make_contact(text: str, channel: str, when: date, next_date: date | None,
                 today: date | None = None) -> Contact:
    """The contact to log; Refused with a plain sentence for one that cannot be true.

    A contact after `today` is a typo (2062 for 2026) that would hide the client from every
    view for years; a next contact before this one would make the client overdue at once.
    """
    canonical = canonical_channel(channel)
    if canonical is None:
        raise Refused(Said("err_unknown_channel", channel=repr(channel),
                           known=", ".join(CHANNELS)))
    clean = one_line(text)
    if not clean:
        raise Refused(Said("err_empty_contact"))
    if today is not None and when > today:
        raise Refused(Said("err_contact_in_future", when=when.isoformat(),
                           today=today.isoformat()))
    if next_date is not None and next_date < when:
        raise Refused(Said("err_next_before_contact", next=next_date.isoformat(),
                           when=when.isoformat()))
    return Contact(when, canonical, clean, next_date)


def log_contact(root: Path, note: Note, contact: Contact, *, today: date | None = None,
                cadence_days: int | None = None) -> bool:
    """Edit the note; True when it changed (False: this very contact was in it already)."""
    return edit_note(root / note.path, root, contact_edit(note.path, contact, today=today,
                                                          cadence_days=cadence_days))


def contact_edit(rel: PurePosixPath, contact: Contact, *, today: date | None = None,
                 cadence_days: int | None = None) -> Callable[[NoteText], None]:
    """The edit `log` makes, worked out from the text it is given, not from the note as read
    before: so it applies alike to the note on disk and to its committed version (what the
    commit holds), and a contact whose line (date, channel, text) is already logged is not
    written twice (a retry after "saved, not committed", or Obsidian Git committing first).

    Without `--next`, a `next_contact` after `today` is a booked visit and stays exactly as
    written (comment included); one on or before `today` has been reached, so it moves to this
    contact plus the tier's cadence (`cadence_days`), by changing its value only.
    """
    reached = today or contact.when

    def change(text: NoteText) -> None:
        read = read_note(rel, text.to_bytes())
        if read.note is None:
            raise VaultError(*read.problems)
        note = read.note
        newer = note.last_contact is None or contact.when > note.last_contact
        # the current log may hold a later date than last_contact (a hand-written line)
        newest_logged = max((e.date for e in note.body.log), default=None)
        if newest_logged and contact.when < newest_logged and note.last_contact is None:
            newer = False
        if not is_logged(note, contact):
            text.prepend_to_section(LOG_HEADING, [contact.line])
        if newer:
            text.set_scalar("last_contact", contact.when)
        if contact.next_date is not None:
            text.set_scalar("next_contact", contact.next_date)
        elif newer:
            booked = _written_date(text.get("next_contact"))
            if booked is not None and booked <= reached:
                cadence = cadence_days if cadence_days is not None else Config().cadence(
                    note.tier or Config().default_tier)
                text.set_scalar("next_contact", contact.when + timedelta(days=cadence))

    return change


def _written_date(raw: str | None) -> date | None:
    """The date a front-matter value's source text holds; None for none or an unreadable one
    (which is then left alone: a value salesnotes cannot read is never overwritten)."""
    if raw is None:
        return None
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    try:
        return parse_date(text)
    except Refused:
        return None


def is_logged(note: Note, contact: Contact) -> bool:
    """The note's log already has this contact: same date, channel and text."""
    return any((e.date, e.channel, one_line(e.text)) == (contact.when, contact.channel,
                                                         contact.text) for e in note.body.log)


def commit_contact(root: Path, note: Note, contact: Contact, *, today: date | None = None,
                   cadence_days: int | None = None) -> Committed:
    """The `contact:` commit: salesnotes' edit applied to the note's committed version, so the
    rep's own uncommitted edits of the note stay uncommitted. Made even when the change is
    already committed (by Obsidian Git, say), as a commit with no file change, so that
    `git log --grep '^contact:'` is the complete contact log; not made twice for one contact."""
    # git only when committing: `log --no-commit` and a vault without commits never load it
    from salesnotes.git import gitlog

    trailers = {}
    if note.nip:
        trailers["Client-NIP"] = note.nip
    trailers["Contact-Date"] = contact.when.isoformat()
    trailers["Channel"] = contact.channel
    edit = contact_edit(note.path, contact, today=today, cadence_days=cadence_days)
    change = gitlog.Change(root / note.path, edit_bytes(note.path, edit))
    return gitlog.commit_changes(root, [change], f"contact: {note.name} ({contact.channel})",
                                 body=contact.text, trailers=trailers, allow_empty=True)


class HistoryEntry(NamedTuple):
    date: date
    channel: str | None
    text: str
    sources: tuple[str, ...]  # "log:<line>", "git:<short sha>", "daily:<daily note path>"

    def as_json(self) -> dict[str, object]:
        kinds = sorted({s.split(":")[0] for s in self.sources}, key=("log", "git", "daily").index)
        return {"date": self.date.isoformat(), "channel": self.channel, "text": self.text,
                "source": "+".join(kinds), "sources": list(self.sources)}


def history(root: Path, note: Note, commits: list | None = None,
            daily: Sequence[tuple[date, str, str]] = ()) -> list[HistoryEntry]:
    """Every contact, newest first: the note's `## Log` merged with `contact:` commits, and the
    daily notes linking to it (`daily`: date, daily note path, the line).

    A commit whose date, channel and text match a log line is the same contact, shown once
    with both sources; a commit whose line was later deleted by hand still shows.
    """
    if not note.body.whole:
        raise ValueError("history needs the note read whole, not the vault's summary of it")
    if commits is None:
        # git's contact log only when the caller has none: `log` never reads it
        from salesnotes.git.history import contact_history

        commits = contact_history(root).get(str(note.path), [])
    entries: dict[tuple, list] = {}
    for e in note.body.log:
        key = (e.date, e.channel, one_line(e.text))
        entries.setdefault(key, []).append(f"log:{e.line}")
    for c in commits:
        when = c.contact_date or c.committed
        key = (when, c.channel, one_line(c.text))
        entries.setdefault(key, []).append(f"git:{c.sha[:10]}")
    for when, rel, said in daily:
        entries.setdefault((when, None, one_line(said)), []).append(f"daily:{rel}")
    out = [HistoryEntry(d, ch, text, tuple(src)) for (d, ch, text), src in entries.items()]
    out.sort(key=lambda h: (h.date, h.sources[0].startswith("log")), reverse=True)
    return out
