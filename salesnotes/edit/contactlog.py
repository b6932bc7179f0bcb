"""`log` and `history`: record a contact in seconds, read every contact back.

A contact is one line at the top of the note's `## Log`, the note's `last_contact` (and
`next_contact`) kept in step, and in a git vault one commit touching that note alone, whose
trailers make `git log` itself a machine-readable contact log. Editing goes through edit.py,
so nothing else in the note moves by a byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from salesnotes.read.body import CHANNELS, canonical_channel
from salesnotes.read.note import Note

LOG_HEADING = "## Log"


@dataclass(frozen=True)
class Contact:
    when: date
    channel: str
    text: str
    next_date: date | None = None

    @property
    def line(self) -> str:
        return f"- {self.when.isoformat()} {self.channel}: {self.text}"


@dataclass(frozen=True)
class LogResult:
    path: Path
    last_contact_updated: bool
    commit: str | None


def one_line(text: str) -> str:
    return " ".join(text.split())


def make_contact(text: str, channel: str, when: date, next_date: date | None,
                 today: date | None = None) -> Contact:
    """The contact to log; ValueError with a plain sentence for one that cannot be true.

    A contact after `today` is a typo (2062 for 2026) that would hide the client from every
    view for years; a next contact before this one would make the client overdue at once.
    """
    canonical = canonical_channel(channel)
    if canonical is None:
        raise ValueError(f"unknown channel {channel!r} (known: {', '.join(CHANNELS)})")
    clean = one_line(text)
    if not clean:
        raise ValueError("the contact text is empty")
    if today is not None and when > today:
        raise ValueError(f"the contact date {when.isoformat()} is after today "
                         f"({today.isoformat()}); log a contact once it has happened, and plan "
                         "the next one with --next")
    if next_date is not None and next_date < when:
        raise ValueError(f"the next contact {next_date.isoformat()} is before this contact "
                         f"({when.isoformat()}); give a --next on or after it")
    return Contact(when, canonical, clean, next_date)


def log_contact(root: Path, note: Note, contact: Contact) -> bool:
    """Edit the note; True when `last_contact` moved (the contact is the newest)."""
    from salesnotes.edit.editor import edit_note

    newer = note.last_contact is None or contact.when > note.last_contact
    # the current log may hold a later date than last_contact (a hand-written line)
    newest_logged = max((e.date for e in note.body.log), default=None)
    if newest_logged and contact.when < newest_logged and note.last_contact is None:
        newer = False

    def change(text) -> None:  # noqa: ANN001 - edit.NoteText
        text.prepend_to_section(LOG_HEADING, [contact.line])
        if newer:
            text.set_scalar("last_contact", contact.when)
        if contact.next_date is not None:
            text.set_scalar("next_contact", contact.next_date)
        elif newer and text.get("next_contact") is not None:
            text.remove_key("next_contact")  # the tier's cadence applies from the new contact

    edit_note(root / note.path, root, change)
    return newer


def commit_contact(root: Path, note: Note, contact: Contact) -> str | None:
    from salesnotes.git import gitlog

    trailers = {}
    if note.nip:
        trailers["Client-NIP"] = note.nip
    trailers["Contact-Date"] = contact.when.isoformat()
    trailers["Channel"] = contact.channel
    return gitlog.commit_paths(root, [root / note.path], f"contact: {note.name} ({contact.channel})",
                               body=contact.text, trailers=trailers)


@dataclass(frozen=True)
class HistoryEntry:
    date: date
    channel: str | None
    text: str
    sources: tuple[str, ...]  # "log:<line>" and/or "git:<short sha>"

    def as_json(self) -> dict[str, object]:
        kinds = sorted({s.split(":")[0] for s in self.sources}, key=("log", "git").index)
        return {"date": self.date.isoformat(), "channel": self.channel, "text": self.text,
                "source": "+".join(kinds), "sources": list(self.sources)}


def history(root: Path, note: Note, commits: list | None = None) -> list[HistoryEntry]:
    """Every contact, newest first: the note's `## Log` merged with `contact:` commits.

    A commit whose date, channel and text match a log line is the same contact, shown once
    with both sources; a commit whose line was later deleted by hand still shows.
    """
    if not note.body.whole:
        raise ValueError("history needs the note read whole, not the vault's summary of it")
    if commits is None:
        from salesnotes.git import gitlog

        commits = gitlog.contact_history(root).get(str(note.path), [])
    entries: dict[tuple, list] = {}
    for e in note.body.log:
        key = (e.date, e.channel, one_line(e.text))
        entries.setdefault(key, []).append(f"log:{e.line}")
    for c in commits:
        when = c.contact_date or c.committed
        key = (when, c.channel, one_line(c.text))
        entries.setdefault(key, []).append(f"git:{c.sha[:10]}")
    out = [HistoryEntry(d, ch, text, tuple(src)) for (d, ch, text), src in entries.items()]
    out.sort(key=lambda h: (h.date, h.sources[0].startswith("log")), reverse=True)
    return out
