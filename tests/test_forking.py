"""Half of a big job in a forked child: the result comes back, and the heap freed before the
fork is handed back to the system rather than held (and counted) by both processes."""

from __future__ import annotations

import os
import sys

import pytest

from salesnotes import forking


def _resident_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


@pytest.mark.skipif(sys.platform != "linux", reason="fork and malloc_trim are Linux's")
def test_memory_freed_before_a_fork_is_given_back():
    chunks = [bytes(2000) + i.to_bytes(4, "little") for i in range(40_000)]  # ~80 MB in C heap
    pin = [bytes(2000) for _ in range(10)]  # keeps the heap's top in use: no automatic trim
    del chunks
    before = _resident_kb()
    forking._give_back()
    assert before - _resident_kb() > 40_000  # most of the 80 MB
    assert pin


@pytest.mark.skipif(not forking.can_fork(), reason="needs fork and a second core")
def test_the_child_s_half_comes_back():
    done = forking.in_two(lambda: sum(range(1000)), lambda: "here")
    assert done == ("here", 499500)
