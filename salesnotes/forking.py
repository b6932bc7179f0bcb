"""Half of a big job in a forked child: the cold parse of many notes, the render of the views;
and `log`'s walk of the notes, started in a child while the command imports its editor.

On two cores a fork halves the wall time of work that is pure Python (the GIL keeps threads to
one core) and that starts from data this process already holds: the child inherits it for free
and sends back only its result. Forking is only safe while no other thread runs (a thread
holding a lock at the fork leaves that lock held forever in the child), so `watch`, which runs
threads, never forks here: it has its own worker, forked before its threads start
(views/worker.py). A failing child costs time, never a result: the caller does its share.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from typing import IO, TypeVar

Mine = TypeVar("Mine")
Theirs = TypeVar("Theirs")
Part = TypeVar("Part")
_PROTOCOL = 5


def can_fork() -> bool:
    """Only on Linux, with a second core, and while no other thread runs (watch never forks)."""
    if sys.platform != "linux" or threading.active_count() > 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except (AttributeError, OSError):  # pragma: no cover
        return (os.cpu_count() or 1) > 1


def in_two(theirs: Callable[[], Theirs], mine: Callable[[], Mine]
           ) -> tuple[Mine, Theirs | None] | None:
    """`theirs()` in a forked child while `mine()` runs here.

    Returns (mine's result, theirs' result, or None when the child failed), or None when no
    child could be forked (nothing was run: the caller does all of it).
    """
    # pickle only for a split job: `log`'s walk (`meanwhile`) sends bytes
    import pickle

    started = _start(lambda pipe: pickle.dump(theirs(), pipe, protocol=_PROTOCOL))
    if started is None:
        return None
    pid, read_fd = started
    received, got = False, None
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            here = mine()
            try:
                got, received = pickle.load(pipe), True
            except Exception:  # the child failed: the caller does its share
                got = None
    finally:
        _end(pid, whole=received)
    return here, got


def in_two_parts(theirs: Callable[[], Iterable[Part]], mine: Callable[[], Mine],
                 fold: Callable[[Part], bool]) -> tuple[Mine, bool] | None:
    """`theirs()` in a forked child while `mine()` runs here; the child's result comes back
    as parts, each handed to `fold` here and let go before the next is read, so this process
    never holds the whole result unpickled at once beside what it folds it into (a cold
    parse of 100,000 notes: its child's 50,000 notes).

    The child works out every part before it sends the first (it would otherwise wait on the
    pipe until `mine()` ends, and parse the rest while this process waits), keeping each one
    pickled, which is smaller than the objects. `fold` returns False to refuse a part (the
    stream then stops). Returns (mine's result, whether every part came and was folded), or
    None when no child could be forked (nothing was run: the caller does all of it). When
    not every part came, the caller does what no folded part held.
    """
    # pickle and io only for a split job: `log`'s walk (`meanwhile`) sends bytes
    import io
    import pickle

    def send(pipe: IO[bytes]) -> None:
        sent = []
        for part in theirs():
            buffer = io.BytesIO()
            pickle.dump(part, buffer, protocol=_PROTOCOL)
            sent.append(buffer.getvalue())
            del part, buffer
        while sent:
            pipe.write(sent.pop(0))
        pickle.dump(None, pipe, protocol=_PROTOCOL)  # the end: every part was sent

    started = _start(send)
    if started is None:
        return None
    pid, read_fd = started
    whole = False
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            here = mine()
            while True:
                try:
                    part = pickle.load(pipe)
                except Exception:  # the child failed: the caller does what did not come
                    break
                if part is None:
                    whole = True
                    break
                if not fold(part):
                    break
                del part
    finally:
        _end(pid, whole=whole)
    return here, whole


def _start(send: Callable[[IO[bytes]], None]) -> tuple[int, int] | None:
    """A child forked to run `send(pipe)`, which writes its result into the pipe, and then
    to leave without running any exit handler; (its pid, the pipe's reading end) here, or
    None when no child could be forked."""
    _give_back()
    try:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read_fd)
            with os.fdopen(write_fd, "wb") as pipe:
                send(pipe)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _end(pid: int, *, whole: bool) -> None:
    """A child whose whole result came is left to end (`_reap_later`); any other is stopped
    and reaped now."""
    if whole:  # the child's work is done, only its exit is left
        _reap_later(pid)
    else:
        _kill(pid)
        os.waitpid(pid, 0)


_EXITING: list[int] = []  # children whose result came back whole, not yet reaped


def _reap_later(pid: int) -> None:
    """A child that sent its whole result is left to end without waiting for it: ending, it
    unmaps its copy of this process's memory (10-30 ms after a render at 10k notes), time the
    caller would wait for nothing. It is reaped by the next fork here, or when this process
    exits (`reap_all`, an exit handler): by then it has long ended, and a child reaped by its
    parent is counted in the parent's own resource usage (the peak memory a benchmark reads
    from `wait4` is the larger of the two), where a child left to init is counted nowhere."""
    _EXITING.append(pid)
    for child in _EXITING[:]:
        try:
            done = os.waitpid(child, os.WNOHANG)[0]
        except ChildProcessError:  # reaped already (by whoever waits for any child)
            done = child
        if done:
            _EXITING.remove(child)


def reap_all() -> None:
    """Wait for every child left to end (`_reap_later`). Run at exit, after the work: each
    one sent its result long before, so this waits at most for the end of its unmapping."""
    while _EXITING:
        try:
            os.waitpid(_EXITING.pop(), 0)
        except ChildProcessError:  # reaped already (by whoever waits for any child)
            pass


atexit.register(reap_all)  # cli.main runs the exit handlers before it ends the process


class Meanwhile:
    """A forked child's work under way (`meanwhile`)."""

    def __init__(self, pid: int, read_fd: int) -> None:
        self._pid: int | None = pid
        self._pipe = os.fdopen(read_fd, "rb")

    def result(self) -> bytes | None:
        """The child's bytes, waited for; None when it failed."""
        if self._pid is None:
            return None
        try:
            data = self._pipe.read()
        except OSError:
            data = b""
        status = self._reap(kill=False)
        return data if status == 0 and data else None

    def close(self) -> None:
        """The child stopped and reaped, if its result was never asked for."""
        if self._pid is not None:
            self._reap(kill=True)

    def _reap(self, kill: bool) -> int:
        pid, self._pid = self._pid, None
        self._pipe.close()
        assert pid is not None
        if kill:
            _kill(pid)
        return os.waitpid(pid, 0)[1]


def meanwhile(theirs: Callable[[], bytes]) -> Meanwhile | None:
    """`theirs()` started in a forked child while this process goes on, for work that mostly
    waits on the kernel (`log` stat-ing every note while it imports its editor); None when no
    child can be forked (the caller then does the work itself). The child keeps no descriptor
    of ours but its pipe: a lock held here is never held by it."""
    if not can_fork():
        return None
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # the child: work, send the bytes, leave without running any exit handler
        code = 1
        try:
            _close_all_but(write_fd)
            data = theirs()
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    return Meanwhile(pid, read_fd)


def _close_all_but(keep: int) -> None:
    for fd in map(int, os.listdir("/proc/self/fd")):  # Linux: can_fork said so
        if fd > 2 and fd != keep:
            try:
                os.close(fd)
            except OSError:  # the listing's own descriptor, closed already
                pass


def _give_back() -> None:
    """Hand the C heap's free pages back to the system before a fork. A review forks its
    render after loading the vault, whose reading freed much more than it kept; glibc keeps
    freed memory for reuse, resident in this process and counted again in the child (a
    child's resident size includes every page it shares): 10 MB at 20k notes, more at 100k.
    Nothing else is changed, and where there is no malloc_trim (not glibc) nothing is done."""
    if sys.platform != "linux":
        return
    # ctypes only here: only big vaults fork
    import ctypes

    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # another C library
        pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:  # pragma: no cover - gone already
        pass
