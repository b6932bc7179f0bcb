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


@pytest.mark.skipif(not forking.can_fork(), reason="needs fork and a second core")
def test_the_result_comes_back_without_waiting_for_the_child_to_end(monkeypatch):
    """Ending, the child unmaps its copy of the parent's memory (10-30 ms after a render at
    10,000 notes): a whole result is returned at once, and the child reaped later."""
    import time

    real_exit = os._exit

    def slow_exit(code: int) -> None:  # runs in the child only: the parent never calls it
        time.sleep(1.5)
        real_exit(code)

    monkeypatch.setattr(forking.os, "_exit", slow_exit)
    started = time.monotonic()
    done = forking.in_two(lambda: "theirs", lambda: "here")
    assert done == ("here", "theirs")
    assert time.monotonic() - started < 1.2
    monkeypatch.undo()
    pid = forking._EXITING[-1]  # this child: it is still ending
    time.sleep(1.8)
    assert forking.in_two(lambda: 2, lambda: 1) == (1, 2)  # and the first child is reaped
    assert pid not in forking._EXITING
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


@pytest.mark.skipif(not forking.can_fork(), reason="needs fork and a second core")
def test_a_child_left_to_end_is_reaped_when_the_process_exits():
    """A child reaped by its parent is counted in the parent's resource usage (the peak
    memory `wait4` gives a benchmark); one left to init is counted nowhere. So the exit
    handlers (which cli.main runs) wait for the children `in_two` did not wait for."""
    import subprocess
    import textwrap

    code = textwrap.dedent("""
        import atexit, os, time
        from salesnotes import forking
        real_exit = os._exit
        def slow_exit(code):  # the child only: it ends a while after sending its result
            time.sleep(0.5)
            real_exit(code)
        os._exit = slow_exit
        assert forking.in_two(lambda: 2, lambda: 1) == (1, 2)
        os._exit = real_exit
        pid = forking._EXITING[-1]
        assert os.waitpid(pid, os.WNOHANG) == (0, 0)  # still ending
        atexit._run_exitfuncs()
        assert not forking._EXITING
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            print("reaped")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["reaped"]
