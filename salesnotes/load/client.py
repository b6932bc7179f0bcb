"""CLIENT on the command line -> the client's note, read whole.

Through the small who-is-who index in `.salesnotes/` when it is certain (a blink on 10,000
notes), else by loading the vault; the matching itself is `model/lookup.py`'s.
"""

from __future__ import annotations

from pathlib import Path

from salesnotes.errors import UsageProblem, VaultError, said
from salesnotes.load.vault import load_vault
from salesnotes.local.lookupindex import who_is_who
from salesnotes.model.config import Config, load_config
from salesnotes.model.lookup import find_client
from salesnotes.read.names import fold
from salesnotes.read.note import Note, read_note


def find_note(root: Path, query: str) -> tuple[Note, Config]:
    """The note `query` names, and the config: through the small who-is-who index when it is
    certain (a blink on 10,000 notes), else by loading the vault, which also names a broken
    note the query meant."""
    people = who_is_who(root)
    if people is not None:  # every note was readable: the vault would match the same way
        who = find_client(people, query)
        try:
            note = read_note(who.path, (root / who.path).read_bytes()).note
        except OSError:
            note = None
        if note is not None:
            return note, load_config(root)[0]
    vault = load_vault(root, git=False, sales=False)
    try:
        found = find_client(vault.notes, query)
    except UsageProblem:
        q = fold(query.strip())
        broken = [p for p in vault.problems if p.path.suffix == ".md"
                  and q in (fold(p.path.stem), fold(p.path.name))]
        if broken:
            raise VaultError(*broken) from None
        raise
    return _whole(root, found), vault.config


def _whole(root: Path, summary: Note) -> Note:
    """The note read whole (the vault holds summaries: `history` shows every log line)."""
    try:
        read = read_note(summary.path, (root / summary.path).read_bytes())
    except OSError as e:
        raise VaultError(said(summary.path, 0, "err_cannot_read", why=e.strerror)) from None
    if read.note is None:  # changed since the vault was read, and broken now
        raise VaultError(*read.problems)
    return read.note
