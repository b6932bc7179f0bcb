"""A vault holds what its notes repeat once: the same objects whether a note was parsed now or
came from the cache, and the notes equal either way (100,000 notes must fit in memory)."""

from __future__ import annotations

import os
from pathlib import Path

from salesnotes.load.vault import load_vault
from salesnotes.local.cache import NoteCache

NOTE = """---
name: {name}
tier: A
status: active
region: Małopolska
next_step: Send the new price list
last_contact: 2026-11-0{day}
budget: 120 000
potential: {potential}
tags: [hvac, krakow]
checklists: key-account
aliases: [C{day}]
---
# {name}

## Log
- 2026-11-0{day} phone: talked about the spring order

## Tasks
- [ ] Call back about the samples 📅 2026-12-0{day}
- [ ] Ask for the {name} references 📅 2026-12-10

## Opportunities
- Pumps [value:: 48000.00] [probability:: 0.6]

## Checklist: Key account
- [x] Annual meeting booked
- [ ] Credit limit reviewed
"""


def _vault(make_vault) -> Path:  # noqa: ANN001 - the conftest fixture
    root = make_vault({f"clients/Client {i}.md": NOTE.format(
        name=f"Client {i}", day=i, potential="300000" if i < 3 else "300000.0")
        for i in range(1, 4)})
    old = 1_700_000_000  # long ago: the cache stores notes only once they are not racy
    for p in (root / "clients").iterdir():
        os.utime(p, (old, old))
    return root


def _shared(notes) -> None:  # noqa: ANN001
    a, b, c = notes
    assert a.key_lines is b.key_lines is c.key_lines
    assert a.key_types is b.key_types is c.key_types
    assert a.region is b.region and a.next_step is b.next_step and a.status is b.status
    assert a.body.tasks[0].text is b.body.tasks[0].text
    assert a.body.tasks[1].due is b.body.tasks[1].due
    assert a.body.tasks[1].text is not b.body.tasks[1].text  # a text of its own stays its own
    assert a.body.checklists[0].items[1].text is c.body.checklists[0].items[1].text
    assert a.body.log[0].text is c.body.log[0].text
    assert a.budget is b.budget is c.budget and a.potential is b.potential
    assert a.tags is b.tags is c.tags and a.tags == ("hvac", "krakow")
    assert a.checklists is c.checklists == ("key-account",)
    assert a.aliases == ("C1",) and a.aliases is not b.aliases
    assert str(c.potential) == "300000.0"  # equal, but written otherwise: its own Decimal
    opportunities = [n.body.opportunities[0] for n in notes]
    assert opportunities[0].value is opportunities[1].value is opportunities[2].value
    assert opportunities[0].probability is opportunities[2].probability


def test_parsed_and_cached_notes_share_repeated_values_and_are_equal(make_vault) -> None:  # noqa: ANN001
    root = _vault(make_vault)
    fresh = load_vault(root, git=False, cache=False).notes
    _shared(fresh)
    load_vault(root, git=False)  # writes the cache
    assert (root / ".salesnotes" / "cache.sqlite").is_file()
    reader = NoteCache(root)
    cached = load_vault(root, git=False, reader=reader).notes
    assert len(reader.changes) == 0  # every note came from its row, none was parsed
    _shared(cached)
    assert cached == fresh
    assert [n.body for n in cached] == [n.body for n in fresh]
    assert fresh[0].body.tasks[0].due.isoformat() == "2026-12-01"
