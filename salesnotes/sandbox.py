"""Limits on the rep's own templates: CPU time, memory and output, enforced from outside.

A view template or `templates/client.md` is the rep's code: nested loops over a string or
`lipsum(n=2000000)` hung `review` and `watch` forever (and every `log` then waited on the vault
lock). Jinja's sandbox stops unsafe attribute access, not work, so a template runs here under
a budget watched by one daemon thread:

- CPU time of the rendering thread (a few seconds; `SALESNOTES_TEMPLATE_SECONDS` changes it),
- growth of the process's memory while it runs,
- the size of its output, counted as it is produced.

Past a limit the watchdog raises an exception inside the rendering thread at its next Python
step (`PyThreadState_SetAsyncExc`): nothing polls inside the template, so a normal render runs
at full speed. The exception derives from BaseException, so no `except Exception` in a filter
swallows it; the caller gets TemplateLimit with the template's name and line. A single C call
(one huge `str.join`) is not interrupted mid-way; the sandbox's own bounds on repetition,
powers, widths and ranges keep such calls small.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from salesnotes.i18n import Said

CPU_SECONDS = 5.0
MEMORY_BYTES = 512 * 1024 * 1024
MAX_OUTPUT = 20 * 1024 * 1024
_POLL = 0.02
_REPEAT = 0.25  # re-raise this often if a template's code swallowed the first stop


class TemplateLimit(Exception):
    """A template passed a limit and was stopped; `name` and `line` say where it was."""

    def __init__(self, said: Said, name: str | None = None, line: int = 0) -> None:
        super().__init__(str(said))
        self.said = said  # said in the reader's language by whoever reports it
        self.message = str(said)
        self.name = name
        self.line = line


class _Stop(BaseException):
    """Raised inside the rendering thread by the watchdog (an exception class without
    arguments: that is all the C API can raise in another thread)."""


@dataclass
class _Job:
    thread_id: int
    clock: Callable[[], float]
    cpu_start: float
    rss_start: int
    cpu_seconds: float
    fired: Said | None = None
    last_raise: float = 0.0


def cpu_seconds() -> float:
    """The CPU budget: `SALESNOTES_TEMPLATE_SECONDS` when set (a heavy template on a big vault
    may need more), else CPU_SECONDS."""
    given = os.environ.get("SALESNOTES_TEMPLATE_SECONDS", "")
    try:
        value = float(given)
    except ValueError:
        return CPU_SECONDS
    return value if value > 0 else CPU_SECONDS


def render_limited(template: Any, context: dict[str, Any], *,
                   max_output: int = MAX_OUTPUT) -> str:
    """`template.render(**context)` within the limits; TemplateLimit when one is passed."""
    parts: list[str] = []
    size = 0
    pieces = template.generate(**context)
    with limited(template.name, lambda: _suspended_line(pieces)):
        for piece in pieces:
            size += len(piece)
            if size > max_output:
                where, line = _suspended_line(pieces)
                raise TemplateLimit(Said("err_tpl_output", size=_size(max_output)),
                                    where or template.name, line)
            parts.append(piece)
    return "".join(parts)


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


@contextlib.contextmanager
def limited(name: str | None,
            paused: Callable[[], tuple[str | None, int]] | None = None) -> Iterator[None]:
    """Run the block under the CPU and memory budget; TemplateLimit when it is passed.

    `paused`: where the template stands when the stop lands outside its code (between two
    pieces of a generated render)."""
    job = _Job(threading.get_ident(), _thread_clock(), 0.0, _rss(), cpu_seconds())
    job.cpu_start = job.clock()
    _watchdog.add(job)
    stopped: BaseException | None = None
    try:
        yield
    except _Stop as e:
        stopped = e
    finally:
        while True:  # a stop may land while leaving: leave again, then no stop can follow
            try:
                _watchdog.remove(job)
                break
            except _Stop as e:
                stopped = stopped or e
        if job.fired is not None:
            where, line = _template_line(stopped.__traceback__ if stopped else None)
            if not line and paused is not None:
                where, line = paused()
            raise TemplateLimit(job.fired, where or name, line) from None


class _Watchdog:
    """One daemon thread per process, started by a limited render and ended when none runs."""

    def __init__(self) -> None:
        self._reset()
        if hasattr(os, "register_at_fork"):  # a forked render worker starts its own
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._jobs: dict[int, _Job] = {}
        self._thread: threading.Thread | None = None

    def add(self, job: _Job) -> None:
        with self._cond:
            self._jobs[id(job)] = job
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="salesnotes-template-limits",
                                                daemon=True)
                self._thread.start()
            self._cond.notify()

    def remove(self, job: _Job) -> None:
        with self._cond:
            self._jobs.pop(id(job), None)  # under the lock: no stop is raised after this
            if job.fired is not None:  # a stop still pending would hit the caller's next step
                _raise_in(job.thread_id, None)

    def _run(self) -> None:
        """Watch while there are renders to watch, then end: a thread left waiting would keep
        every later fork of this process from happening (forking.can_fork: no fork beside a
        thread), so a review after a rep's own template rendered would render in one process."""
        cond = self._cond
        with cond:
            while self._jobs:
                for job in list(self._jobs.values()):
                    self._check(job)
                cond.wait(_POLL)
            self._thread = None  # under the lock: the next `add` starts a new one

    def _check(self, job: _Job) -> None:
        if job.fired is None:
            used = job.clock() - job.cpu_start
            grown = _rss() - job.rss_start
            if used > job.cpu_seconds:
                job.fired = Said("err_tpl_cpu", seconds=f"{job.cpu_seconds:g}")
            elif grown > MEMORY_BYTES:
                job.fired = Said("err_tpl_memory", size=_size(MEMORY_BYTES))
        now = time.monotonic()
        if job.fired is not None and now - job.last_raise > _REPEAT:
            job.last_raise = now
            _raise_in(job.thread_id, _Stop)


_watchdog = _Watchdog()


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc is not None else None)


def _thread_clock() -> Callable[[], float]:
    """The calling thread's CPU clock, readable from the watchdog thread; the process's CPU
    time where threads have no clock of their own."""
    try:
        clock_id = time.pthread_getcpuclockid(threading.get_ident())
        time.clock_gettime(clock_id)
    except (AttributeError, OSError):
        return time.process_time
    return lambda: time.clock_gettime(clock_id)


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss() -> int:
    """The process's resident memory now (Linux), else its peak (elsewhere)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        pass
    try:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024
    except (ImportError, OSError):
        return 0


def _suspended_line(gen: Any) -> tuple[str | None, int]:
    """(template name, line) where a paused render generator stands: the output cap is
    checked outside the template's code, between two of its pieces."""
    found: tuple[str | None, int] = (None, 0)
    while gen is not None and getattr(gen, "gi_frame", None) is not None:
        frame = gen.gi_frame
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            found = (template.name, int(template.get_corresponding_lineno(frame.f_lineno)))
        gen = gen.gi_yieldfrom
    return found


def _template_line(tb: TracebackType | None) -> tuple[str | None, int]:
    """(template name, line) of the innermost template frame of a traceback."""
    found: tuple[str | None, int] = (None, 0)
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None:
            found = (template.name, int(template.get_corresponding_lineno(tb.tb_lineno)))
        tb = tb.tb_next
    return found
