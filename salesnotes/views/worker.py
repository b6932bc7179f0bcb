"""A second process that renders half of the views for `watch`, so a save on a 10,000-note
vault reaches views/ within a second on two cores.

Why this shape:
- `review` forks a child per render (views/__init__.py), but `watch` runs watchdog's threads,
  and forking a process with threads can copy a lock held by another thread. So the worker is
  forked once, in `start()`, before the observer starts a thread, and lives as long as the watch.
- It never reads the vault itself: the watcher sends it exactly the notes it loaded (only
  those that changed since the last request; the rest it keeps), so both halves of the views
  are rendered from one snapshot. Only user templates are read by each process on its own; a
  template saved in between is an event of its own, and the next rebuild renders both again.
- Any failure (the worker died, sent garbage, is not there) returns None, and the caller
  renders those views itself: the worker only ever saves time.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import threading
from datetime import date
from pathlib import Path
from typing import Any

from salesnotes.gcpause import gc_paused
from salesnotes.model.portfolio import Book
from salesnotes.model.vault import Vault
from salesnotes.read.note import Note
from salesnotes.views.engine import make_env
from salesnotes.views.render import render_unit

_HEADER = struct.Struct("!Q")


class RenderWorker:
    """`submit(vault, today, names)`, render other views meanwhile, then `collect()`."""

    def __init__(self) -> None:
        self.pid = 0
        self._to: int | None = None
        self._from: int | None = None
        self._sent: dict[str, Note] = {}  # what the worker holds, by note path
        self._sales: tuple = ()

    def start(self) -> bool:
        """Fork the worker; False (and no worker) where that is not safe or possible."""
        if not (hasattr(os, "fork") and threading.active_count() == 1 and _cores() > 1):
            return False
        child_in, parent_out = os.pipe()  # os.pipe() is (read end, write end)
        parent_in, child_out = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # out of processes or memory: the watch renders alone
            for fd in (child_in, parent_out, parent_in, child_out):
                os.close(fd)
            return False
        if pid == 0:  # the worker: serve until the watcher closes its pipe, then leave
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the watcher's to handle
                os.close(parent_out)
                os.close(parent_in)
                _serve(child_in, child_out)
                code = 0
            finally:
                os._exit(code)
        os.close(child_in)
        os.close(child_out)
        self.pid, self._to, self._from = pid, parent_out, parent_in
        return True

    def submit(self, vault: Vault, today: date, names: list[str],
               week: date | None = None) -> bool:
        """Ask for these units (views, or parts of one: views/__init__.py) to be rendered;
        `collect()` gets them. Only the notes that changed since the last request travel."""
        if self._to is None:
            return False
        notes = {str(n.path): n for n in vault.notes}
        changed = {rel: n for rel, n in notes.items() if self._sent.get(rel) is not n}
        removed = [rel for rel in self._sent if rel not in notes]
        sales = None if _same(vault.sales, self._sales) else vault.sales
        request = (changed, removed, sales, vault.root, vault.config, vault.problems,
                   vault.git_contacts, vault.daily_contacts, today, week, names)
        try:
            _send(self._to, request)
        except (OSError, pickle.PickleError, ValueError):
            self.stop()
            return False
        self._sent, self._sales = notes, vault.sales
        return True

    def collect(self) -> dict | None:
        """{view module name: Rendered} for the last `submit`, or None when it failed (the
        worker is stopped then, so later rebuilds do not wait on it)."""
        if self._from is None:
            return None
        try:
            reply = _receive(self._from)
        except (OSError, EOFError, pickle.PickleError, ValueError):
            reply = None
        if not isinstance(reply, dict):
            self.stop()
            return None
        return reply

    def stop(self) -> None:
        """Close the pipes (the worker leaves) and reap it."""
        for fd in (self._to, self._from):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._to = self._from = None
        self._sent = {}
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = 0


def _serve(inbox: int, outbox: int) -> None:
    """The worker's loop: keep the notes in step with the watcher's, render what is asked."""
    notes: dict[str, Note] = {}
    sales: tuple = ()
    while True:
        try:
            request = _receive(inbox)
        except EOFError:
            return
        (changed, removed, new_sales, root, config, problems, contacts, daily, today, week,
         names) = request
        notes.update(changed)
        for rel in removed:
            notes.pop(rel, None)
        if new_sales is not None:
            sales = new_sales
        vault = Vault(Path(root), config, tuple(notes[rel] for rel in sorted(notes)), problems,
                      sales, contacts, daily)
        with gc_paused(collect=True, freeze=True):
            try:
                book = Book.of(vault, today)
                env = make_env(vault.root, config.locale, config.currency, config.links,
                               clients=len(vault.notes))
                reply: object = {unit: render_unit(unit, book, env, week)
                                 for unit in names}
            except Exception:  # noqa: BLE001 - the watcher renders them itself
                reply = None
            _send(outbox, reply)
            del vault, reply


def _same(a: tuple, b: tuple) -> bool:
    """The same sales objects (the ledger is remembered by file stat): nothing to send."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def _send(fd: int, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int) -> Any:
    size = _HEADER.unpack(_read(fd, _HEADER.size))[0]
    return pickle.loads(_read(fd, size))


def _read(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the other process is gone")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1
