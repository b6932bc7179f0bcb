"""CLIENT on the command line -> one note: a name, file name, NIP or unambiguous prefix.

Case- and diacritics-insensitive (`lodz serwis` finds `Łódź Serwis`). An ambiguous query
lists the candidates and an unknown one suggests the closest names; neither changes anything.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from salesnotes.model.config import Config
from salesnotes.errors import Problem, UsageProblem
from salesnotes.read.fields import FieldError, parse_nip
from salesnotes.read.names import fold
from salesnotes.read.note import Note


def find_client(notes: Sequence[Note], query: str) -> Note:
    """The one note `query` names; UsageProblem (exit 2) when it names none or several."""
    q = fold(query.strip())
    if not q:
        _refuse(query, "empty client name")
    nip = _as_nip(query)
    if nip:
        hits = [n for n in notes if n.nip == nip]
        if len(hits) == 1:
            return hits[0]
    files = [(n, *_file_names(n)) for n in notes]
    verbatim = [n for n, rel, name, stem in files if query in (n.name, stem, name)]
    if len(verbatim) == 1:
        return verbatim[0]
    exact = [n for n, rel, name, stem in files
             if q in (fold(n.name), fold(stem), fold(name), fold(rel))
             or q in (fold(a) for a in n.aliases)]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        _ambiguous(query, exact)
    prefix = [n for n, rel, name, stem in files
              if fold(n.name).startswith(q) or fold(stem).startswith(q)]
    if len(prefix) == 1:
        return prefix[0]
    if len(prefix) > 1:
        _ambiguous(query, prefix)
    names = {fold(n.name): n.name for n in notes}
    close = difflib.get_close_matches(q, list(names), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(names[c]) for c in close)}?" if close else ""
    _refuse(query, f"no client matches {query!r}{hint}")
    raise AssertionError  # pragma: no cover


def _file_names(note: Note) -> tuple[str, str, str]:
    """(vault path, file name, stem) as text; from `Who.rel` without making 10,000 paths."""
    rel = getattr(note, "rel", None) or str(note.path)
    name = rel.rpartition("/")[2]
    return rel, name, name[:-3] if name.endswith(".md") and len(name) > 3 else name


def find_note(root: Path, query: str) -> tuple[Note, Config]:
    """The note `query` names, and the config: through the small who-is-who index when it is
    certain (a blink on 10,000 notes), else by loading the vault, which also names a broken
    note the query meant."""
    from salesnotes.model.config import load_config
    from salesnotes.errors import VaultError
    from salesnotes.local.lookupindex import who_is_who
    from salesnotes.read.note import read_note
    from salesnotes.model.vault import load_vault

    people = who_is_who(root)
    if people is not None:
        try:
            who = find_client(people, query)
            note = read_note(who.path, (root / who.path).read_bytes()).note
        except (UsageProblem, OSError):
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
    from salesnotes.errors import VaultError
    from salesnotes.read.note import read_note

    try:
        read = read_note(summary.path, (root / summary.path).read_bytes())
    except OSError as e:
        raise VaultError(Problem(summary.path, 0, f"cannot read: {e.strerror}")) from None
    if read.note is None:  # changed since the vault was read, and broken now
        raise VaultError(*read.problems)
    return read.note


def _as_nip(query: str) -> str | None:
    digits = sum(c.isdigit() for c in query)
    if digits < 10:
        return None
    try:
        return parse_nip(query)
    except FieldError:
        return None


def _ambiguous(query: str, notes: list[Note]) -> None:
    listed = "\n  ".join(f"{n.name} ({n.path})" for n in sorted(notes, key=lambda n: n.name)[:20])
    more = f"\n  ... and {len(notes) - 20} more" if len(notes) > 20 else ""
    _refuse(query, f"{query!r} matches {len(notes)} clients; say which:\n  {listed}{more}")


def _refuse(query: str, message: str) -> None:
    raise UsageProblem(Problem(PurePosixPath("clients"), 0, message))
