"""CLIENT on the command line -> the client's note, read whole.

Through the who-is-who index in `.salesnotes/` when it can answer (a blink on 10,000 notes),
else by loading the vault; the matching itself is `model/lookup.py`'s.
"""

from __future__ import annotations

from pathlib import Path

from salesnotes.errors import UsageProblem, VaultError, said
from salesnotes.local.lookupindex import Index, Who, who_is_who
from salesnotes.local.lookupwalk import Walker
from salesnotes.model.config import Config, load_config
from salesnotes.model.lookup import find_client, typed_nip
from salesnotes.read.names import fold
from salesnotes.read.note import Note, read_note


def find_note(root: Path, query: str, walked: Walker | None = None) -> tuple[Note, Config]:
    """The note `query` names, and the config: through the who-is-who index when it can
    answer, else by loading the vault, which also names a broken note the query meant.
    `walked`: the notes' walk, made meanwhile (`lookupwalk.walked_meanwhile`)."""
    index = who_is_who(root, walked)
    if index is not None:  # every note was readable: the vault would match the same way
        with index:
            who = _find(index, query)
        note = _read(root, who)
        if note is not None:
            return note, load_config(root)[0]
    # the whole vault only when the index cannot answer: `log` does not import it otherwise
    from salesnotes.load.vault import load_vault

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


def _find(index: Index, query: str) -> Who:
    """find_client over every row; a NIP naming one note (its first rule) is answered from
    the index's NIP column without loading the other rows."""
    nip = typed_nip(query)
    if nip is not None:
        hits = index.with_nip(nip)
        if len(hits) == 1:
            return hits[0]
    return find_client(index.everyone(), query)


def _read(root: Path, who: Who) -> Note | None:
    """The note read whole, if it still says what its row says (it may have been saved since
    the index was brought up to date): else None, and the vault decides."""
    try:
        note = read_note(who.path, (root / who.path).read_bytes()).note
    except OSError:
        return None
    if note is None or (note.name, note.nip, note.aliases, note.tier, note.region) != (
            who.name, who.nip, who.aliases, who.tier, who.region):
        return None
    return note


def _whole(root: Path, summary: Note) -> Note:
    """The note read whole (the vault holds summaries: `history` shows every log line)."""
    try:
        read = read_note(summary.path, (root / summary.path).read_bytes())
    except OSError as e:
        raise VaultError(said(summary.path, 0, "err_cannot_read", why=e.strerror)) from None
    if read.note is None:  # changed since the vault was read, and broken now
        raise VaultError(*read.problems)
    return read.note
