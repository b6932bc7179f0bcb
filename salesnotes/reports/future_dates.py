"""Dates that cannot be true yet: a `last_contact` after today.

Reading a note never knows the date (a parsed note is cached), so this check runs where
`today` is given: `check`. A contact in 2062 (typed for 2026) would keep the client "ok" for
decades and hide it from every overdue list, so it is a problem, not a strict-mode hint.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from salesnotes.errors import Problem, said
from salesnotes.read.note import Note


def future_contacts(notes: Iterable[Note], today: date) -> list[Problem]:
    return [said(n.path, n.line_of("last_contact"), "err_last_contact_future",
                 when=n.last_contact.isoformat(), today=today.isoformat())
            for n in notes if n.last_contact is not None and n.last_contact > today]
