"""The cyclic garbage collector held off while salesnotes makes or holds many objects.

A vault of 10,000 notes is a million Python objects. The collector runs whenever enough new
containers were made, and a full collection walks every live object: 0.1-0.3 s at 10k notes,
several times per review or per watch rebuild. Notes hold no reference cycles (reference
counting frees them), so no collection is needed while notes are read or views rendered.
ARCHITECTURE.md, speed: cache: turning it off cut bulk loads by 30-45 %.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused(*, collect: bool = False, freeze: bool = False) -> Iterator[None]:
    """No cyclic collection inside. `collect`: one collection at the end, for a long-lived
    process (watch), so a rebuild's cycles do not pile up. `freeze`: what is alive at the end
    is never walked again (the notes just read); only cycles among those would leak, and a
    one-shot command ends soon, while watch collects first."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collect:
            gc.collect()
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()
