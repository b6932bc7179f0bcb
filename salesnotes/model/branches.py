"""One NIP, one company: which note a NIP's money is counted on.

Polish companies often have branches that a rep visits as separate clients, each with its own
note but one NIP. Sales are booked to the NIP, so counting them on every note holding it would
show more than was sold. The rule: notes sharing a NIP are branches when every one but one
carries `branch:`; that one, the head, holds the NIP's money (sales, budget, potential). Any
other sharing is a mistake `check` reports, and the money is still counted once, on the first
note by path, so no figure is ever inflated while the rep fixes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from salesnotes.read.note import Note


@dataclass(frozen=True)
class SharedNip:
    """A NIP held by several notes: where its money is counted, and whether that is declared."""

    nip: str
    head: Note
    others: tuple[Note, ...]  # by path
    declared: bool  # every other note carries `branch:` and the head does not


def shared_nips(notes: Iterable[Note]) -> tuple[SharedNip, ...]:
    """Every NIP held by more than one note, in NIP order (a list is made only for those: a
    review of 10,000 notes calls this twice)."""
    first: dict[str, Note] = {}
    groups: dict[str, list[Note]] = {}
    for note in notes:
        nip = note.nip
        if nip:
            seen = first.setdefault(nip, note)
            if seen is not note:
                groups.setdefault(nip, [seen]).append(note)
    out = []
    for nip, group in sorted(groups.items()):
        group.sort(key=lambda n: str(n.path))
        heads = [n for n in group if not n.branch]
        head = (heads or group)[0]
        out.append(SharedNip(nip, head, tuple(n for n in group if n is not head),
                             len(heads) == 1))
    return tuple(out)
