"""Many parsed notes in the form they are pickled, and back: the note cache's generation
(`cache.pickle`) and what a forked parser sends back.

Why this shape (measured on the 10k bench vault): a note, its body and their items pickled as
objects cost a Python call per named tuple, per body and per path to unpickle (0.23 s for 10k
notes). Here a note is pickled as a bare Note whose dict holds its fields (unpickling it is a
C-level dict update, no Python frame) but its path (its rel is kept beside it) and its body,
kept as plain tuples; one plain loop then makes each body, its items and its path (item
assignment into an object's dict is the interpreter's fastest path: `map` over
`object.__setattr__` costs 0.6 us a call). Unpickling plus that loop: ~0.15 s. The values notes
share (key layouts, dates, texts) come back shared by the pickle's memo. No class of a body
or of its items is named in the pickle, and a Note is made bare (no code of its class runs).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from itertools import repeat
from pathlib import PurePosixPath
from typing import Any

from salesnotes.read.body import Body, ChecklistItem, ChecklistSection, LogEntry, Opportunity, Task
from salesnotes.read.note import Note, ReadResult

Key = Any  # the caller's stat key, kept as it is
# (rels, keys, each result's problems, each note as a shell (below), the notes that could not
# be read: (rel, key, problems) each)
Columns = tuple[tuple[str, ...], tuple, tuple, tuple[Note, ...], tuple]

NOTE_FIELDS = tuple(f.name for f in fields(Note))
BODY_FIELDS = tuple(f.name for f in fields(Body))
_new = object.__new__


def to_columns(notes: Iterable[tuple[str, Key, ReadResult]]) -> Columns:
    """(rel, key, result) of many notes in the form `from_columns` reads (see the module)."""
    rels, keys, problems, shells, failed = [], [], [], [], []
    for rel, key, result in notes:
        if result.note is None:
            failed.append((rel, key, result.problems))
            continue
        rels.append(rel)
        keys.append(key)
        problems.append(result.problems)
        shells.append(_shell(result.note))
    return tuple(rels), tuple(keys), tuple(problems), tuple(shells), tuple(failed)


def _shell(note: Note) -> Note:
    """A Note holding its fields but the path (its rel is kept beside it) and with its body as
    plain tuples: unpickled with no Python call (one C-level dict update). Every field is
    there, in field order, as `__init__` sets them: every Note of a process then shares one
    key table (a note whose fields came in another order would hold a whole dict, 3 times
    the size)."""
    b = note.body
    state = {k: getattr(note, k) for k in NOTE_FIELDS}
    state["path"] = None
    state["body"] = (tuple(map(tuple, b.log)), tuple(map(tuple, b.tasks)),
                     tuple((s.title, tuple(map(tuple, s.items)), s.line) for s in b.checklists),
                     tuple(map(tuple, b.opportunities)), b.problems, b.whole)
    shell = _new(Note)
    object.__setattr__(shell, "__dict__", state)
    return shell


def from_columns(columns: Columns) -> Iterator[tuple[str, Key, ReadResult]]:
    """(rel, key, result) of every note `to_columns` was given (the readable ones first).
    Raises ValueError or TypeError when the columns are not what `to_columns` makes."""
    rels, keys, problems, notes, failed = columns
    count = len(rels)
    if any(len(c) != count for c in (keys, problems, notes)) or not set(map(type, notes)) <= {
            Note}:
        raise ValueError("columns of unequal length")
    # one plain loop: item assignment to each object's dict is the interpreter's fastest
    # path, faster than `map` over object.__setattr__ (0.6 us a call)
    new, make_path, tn = _new, note_path, tuple.__new__
    for rel, key, note, said in zip(rels, keys, notes, problems, strict=True):
        fields = note.__dict__
        log, tasks, checklists, opportunities, body_problems, whole = fields["body"]
        body = new(Body)
        state = body.__dict__
        state["log"] = tuple(map(tn, repeat(LogEntry), log)) if log else ()
        state["tasks"] = tuple(map(tn, repeat(Task), tasks)) if tasks else ()
        state["checklists"] = _sections(checklists) if checklists else ()
        state["opportunities"] = (tuple(map(tn, repeat(Opportunity), opportunities))
                                  if opportunities else ())
        state["problems"] = body_problems
        state["whole"] = whole
        fields["path"] = make_path(rel)
        fields["body"] = body
        result = new(ReadResult)
        state = result.__dict__
        state["note"] = note
        state["problems"] = said
        yield rel, key, result
    for rel, key, unread in failed:
        yield rel, key, ReadResult(None, tuple(unread))


def _sections(sections: tuple) -> tuple[ChecklistSection, ...]:
    tn = tuple.__new__
    return tuple([tn(ChecklistSection, (title, tuple(map(tn, repeat(ChecklistItem), items)),
                                        line))
                  for title, items, line in sections])


def _path_maker() -> Callable[[str], PurePosixPath]:
    """PurePosixPath(rel) for a vault path as `walk_notes` makes it (`clients/a/b.md`: no
    `.`, `..` or empty part). On Python 3.11 the parts are handed over split, which costs a
    quarter of parsing them (0.03 -> 0.007 s for 10k notes), and its text is rel itself (one
    string where `str(path)` would make another); elsewhere, or if the result were
    not the very path the constructor makes, the constructor."""
    make = getattr(PurePosixPath, "_from_parsed_parts", None)
    intern = sys.intern
    if sys.version_info[:2] != (3, 11) or make is None:
        return PurePosixPath
    sample = "clients/Kraków Północ/Hydro-Tech (2).md"
    try:
        fast = make("", "", sample.split("/"))
        fast._str = sample
        same = (fast == PurePosixPath(sample) and str(fast) == sample
                and fast.parts == PurePosixPath(sample).parts and hash(fast) == hash(
                    PurePosixPath(sample)) and fast.parent == PurePosixPath(sample).parent)
    except Exception:  # noqa: BLE001 - another pathlib: the public constructor then
        same = False
    if not same:
        return PurePosixPath

    folder_parts: dict[str, list[str]] = {}  # a folder's vault path -> its parts, interned

    def made(rel: str) -> PurePosixPath:
        folder, _, name = rel.rpartition("/")
        if (parts := folder_parts.get(folder)) is None:
            # the folders' names interned, as the constructor does: one `clients` for every
            # note; split once per folder (a few dozen), not once per note
            parts = folder_parts[folder] = list(map(intern, folder.split("/"))) if folder else []
        path = make("", "", [*parts, name])
        path._str = rel  # its text is rel itself: held once, never joined again
        return path

    return made


note_path = _path_maker()
