"""Who is who, without loading every note: name, NIP and aliases per note file, by its stat.

`log` runs after every call a rep makes, so it must answer in a blink on 10,000 notes; loading
every cached note just to find one by name cost 0.4 s. This small JSON index holds only what
`lookup.find_client` reads, is checked file by file against (mtime, size) like the note cache,
and is only a shortcut: when it finds nothing certain, the caller loads the vault as before.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from salesnotes.local import store
from salesnotes.local.cache import cached_reader
from salesnotes.model.lookup import search_text
from salesnotes.model.vault import walk_notes
from salesnotes.read.note import Note, read_note

INDEX_FILE = "lookup.json"
_VERSION = 2  # 2: tier and region (an ambiguous CLIENT lists them), the search words


@dataclass(frozen=True)
class Who:
    """The fields find_client reads, for one note file."""

    rel: str  # the vault path as text: a PurePosixPath is made only when asked (10k: 50 ms)
    name: str
    nip: str | None
    aliases: tuple[str, ...]
    tier: str | None = None
    region: str | None = None
    words: str | None = None  # lookup.search_text, kept so `log` folds no name per run

    @functools.cached_property
    def path(self) -> PurePosixPath:
        return PurePosixPath(self.rel)


def who_is_who(root: Path) -> list[Who] | None:
    """Every readable note's Who, or None when some note cannot be read (the caller then loads
    the vault, which says what is wrong with it)."""
    stored = _load(store.path(root, INDEX_FILE))
    files = list(walk_notes(root))
    known = _from_note_cache(root) if len(stored) < len(files) // 2 else {}
    if known is None:
        return None
    now = time.time_ns()
    fresh: dict[str, list] = {}
    out: list[Who] = []
    dirty = False
    for key, entry in files:
        st = entry.stat()
        row = stored.get(key)
        if row is None or row[0] != st.st_mtime_ns or row[1] != st.st_size:
            note = known.get(key) or read_note(PurePosixPath(key), Path(entry.path).read_bytes(),
                                               summary=True).note
            if note is None:
                return None
            row = [st.st_mtime_ns, st.st_size, note.name, note.nip, list(note.aliases),
                   note.tier, note.region, search_text(note.name, note.aliases, key)]
            dirty = True
        if not store.is_racy(st.st_mtime_ns, now):
            fresh[key] = row
        else:
            dirty = True
        out.append(Who(key, row[2], row[3], tuple(row[4]), row[5], row[6], row[7]))
    if dirty or len(fresh) != len(stored):
        store.write_json(store.path(root, INDEX_FILE), _VERSION, {"notes": fresh})
    return out


def _from_note_cache(root: Path) -> dict[str, Note] | None:
    """Notes from the note cache (warm after a review): the first index of a big vault in a
    fraction of a second instead of reading every file."""
    results = cached_reader(root)
    if any(r.note is None for r in results):
        return None
    return {str(r.note.path): r.note for r in results if r.note is not None}


def _load(path: Path) -> dict[str, list]:
    data = store.read_json(path, _VERSION)
    notes = data.get("notes") if data else None
    return notes if isinstance(notes, dict) else {}
