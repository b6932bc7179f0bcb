"""`salesnotes watch`, the core: rebuild the views whenever the vault changes. Prints nothing.

How (ARCHITECTURE.md, speed: watch and data safety 13; adversarial cases 34-36):
- watchdog's inotify observer on the vault root; created, modified, closed-after-write, deleted
  and moved events count, a move by its `dest_path` too, because editors save atomically
  (write a temp file, rename it over the note). Opens, reads and attribute changes do not, so
  reading the notes never triggers a rebuild.
- Only notes (`clients/**/*.md`), templates, `salesnotes.yaml` and `sales/*.csv` matter.
  `views/` and `.salesnotes/` (our own writes), `.git/`, `.obsidian/`, hidden and temp files are
  ignored by path, and views are written only when their bytes change: idle means no rebuild.
- Two paces. A saved note is read and stored in the file cache 30 ms after its last event
  (the "save -> index updated" target in bench/README.md), so `status` in another terminal is
  current at once. The views wait for a quiet period (50 ms) or, in a long burst such as a
  `git checkout` of thousands of notes, at most 2 s; events during a rebuild make one more.
  A rebuild re-reads only the notes whose stat changed or which an event named since they
  were last read (salesnotes/cache.py), then renders and writes the views as `review` does,
  without a commit.
- A broken config, a note that turned unreadable (saved mid-typing) or a crash in a view keeps
  the last good views on disk and is reported; the watch goes on. Templates that fail keep
  their own view's last file (render_views).
- inotify limits (ENOSPC, EMFILE) fall back to polling, with a notice.

The clock is the caller's: `today` is a callable, read once per rebuild.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from salesnotes.errors import Problem, VaultError
from salesnotes.gcpause import gc_paused
from salesnotes.i18n import Said
from salesnotes.load.vault import load_vault
from salesnotes.local import store
from salesnotes.local.cache import Changes, NoteCache
from salesnotes.model.vault import CLIENTS, Progress, walk_notes
from salesnotes.read.daily import daily_date
from salesnotes.views import PARALLEL_FROM, render_views, write_views
from salesnotes.views.worker import RenderWorker

if TYPE_CHECKING:
    from salesnotes.views.worker import RenderWorker

INDEX_QUIET = 0.03  # seconds after a note's last event before it is re-read and stored
QUIET = 0.05  # seconds without events before a rebuild (an editor's save is one burst)
MAX_WAIT = 2.0  # seconds from the first event to a rebuild, however busy the vault
POLL_INTERVAL = 1.0  # seconds between scans when inotify is not available
CONFIG = "salesnotes.yaml"
IGNORED_TOP = {"views", store.DIR, ".git", ".obsidian", ".trash"}
TEMP_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".part", ".crdownload")
EVENTS = {"created", "modified", "deleted", "moved", "closed"}  # closed = closed after writing
LIMITS = {errno.ENOSPC, errno.EMFILE, errno.ENFILE}


@dataclass
class Rebuild:
    """One rebuild, for the caller to show: what changed, how long it took, what was written."""

    number: int  # 0 for the first build
    notes: Changes  # notes added, changed and removed since the previous rebuild
    others: tuple[str, ...]  # other files that changed: config, templates, sales
    note_count: int
    seconds: float
    written: tuple[str, ...] = ()  # file names under views/
    problems: tuple[Problem, ...] = ()  # all current problems (the strict ones left out)
    new_problems: tuple[Problem, ...] = ()  # those not reported by the previous rebuild
    kept: Problem | Said | None = None  # why the views on disk were left as they were


def relevant(rel: PurePosixPath, is_dir: bool = False) -> bool:
    """Can a change at this vault path change a view?"""
    parts = rel.parts
    if not parts or parts[0] in IGNORED_TOP or any(p.startswith(".") for p in parts):
        return False
    name = parts[-1]
    if name.endswith(TEMP_SUFFIXES) or name.startswith("~$"):
        return False
    top = parts[0]
    if top == CLIENTS:
        return is_dir or name.endswith(".md")
    if top == "templates":
        return True
    if top == "sales":
        return is_dir or (len(parts) == 2 and name.lower().endswith(".csv"))
    if daily_date(name) is not None:  # a daily note linking to a client is a contact
        return True
    return len(parts) == 1 and name == CONFIG


class Watcher:
    """Rebuild the views of `root` on every relevant change, until `stop()`.

    `on_rebuild` gets one Rebuild per rebuild (the first build included); `on_notice` gets
    sentences about the watch itself (polling instead of inotify). Both are called from the
    thread that calls `run()`, except `on_notice` from `start()`.
    """

    def __init__(self, root: Path, today: Callable[[], date], *,
                 on_rebuild: Callable[[Rebuild], None],
                 on_notice: Callable[[Said], None] = lambda message: None,
                 progress: Callable[[], AbstractContextManager[Progress | None]] | None = None,
                 git: bool = True, quiet: float = QUIET, max_wait: float = MAX_WAIT,
                 guard: Callable[[], AbstractContextManager[object]] | None = None) -> None:
        self.root = Path(root)
        self.guard = guard or (lambda: nullcontext(None))  # the CLI's vault lock, per rebuild
        self.today = today
        self.on_rebuild = on_rebuild
        self.on_notice = on_notice
        self.progress = progress or (lambda: nullcontext(None))
        self.git = git
        self.quiet = quiet
        self.max_wait = max_wait
        self.reader = NoteCache(self.root, watched=True)
        self.observer = None
        self.worker: RenderWorker | None = None  # renders half of the views on big vaults
        self.count = 0
        self._reported: set[Problem] = set()
        self._good_notes: set[str] = set()  # readable notes in the views last written
        self._pending: set[str] = set()  # changed since the last rebuild
        self._dirty: set[str] = set()  # notes changed since they were last read
        self._unread: set[str] = set()  # notes refresh() failed on: the rebuild reads them
        self._first = self._last = 0.0
        self._stopped = False
        self._idle = False  # the loop waits for changes holding or waiting on _cond
        self._cond = threading.Condition()

    # -- the loop --------------------------------------------------------------------------

    def start(self) -> None:
        """Start watching (inotify, else polling). Call before the first build, so a change
        made during it is not missed. A big vault's render worker is forked first, while no
        thread runs (salesnotes/views/worker.py)."""
        if sum(1 for _ in walk_notes(self.root)) >= PARALLEL_FROM:
            worker = RenderWorker()
            self.worker = worker if worker.start() else None
        self.observer = _start_observer(self.root, _Handler(self), self.on_notice)

    def run(self) -> None:
        """Build once, then rebuild after each burst of changes until `stop()` or
        `interrupt()`."""
        if not self._stopped:
            self.on_rebuild(self.build(set()))
        while (batch := self._next_batch()) is not None and not self._stopped:
            self.on_rebuild(self.build(*batch))

    def interrupt(self) -> None:
        """Ctrl-C or SIGTERM: end `run()`. Called by the command's signal handler, in the
        thread that runs `run()`.

        The request is a flag first, read by the loop at least every 0.5 s, because an exception
        alone can be lost: Python runs a signal handler at the main thread's next step, which may
        be inside a finalizer (a weakref callback, a `__del__`, a generator closed as it is
        freed; each rebuild frees its writing threads, and with them `threading`'s weakref
        callbacks), and an exception raised there is printed as "ignored" and dropped: the watch
        went on, deaf to the Ctrl-C. KeyboardInterrupt is raised as well, except while the loop
        waits for changes, so that a long rebuild or re-read is cut short; the wait is left
        alone, as the condition it holds cannot be released mid-way by an exception there
        (`threading.Condition.wait` is plain Python)."""
        self._stopped = True
        if not self._idle:
            raise KeyboardInterrupt

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop()
        observer, self.observer = self.observer, None
        if observer is not None:
            observer.stop()
            if observer.is_alive():
                observer.join(timeout=2)

    def changed(self, paths: Iterable[str]) -> None:
        """Note changed vault paths (called by the observer's thread)."""
        now = time.monotonic()
        with self._cond:
            if not self._pending:
                self._first = now
            self._pending.update(paths)
            self._dirty.update(p for p in paths if p.startswith(CLIENTS + "/"))
            self._last = now
            self._cond.notify_all()

    def _next_batch(self) -> tuple[set[str], set[str]] | None:
        """(paths changed in the next burst, notes to read again), once the burst is quiet or
        has lasted max_wait. Meanwhile each saved note is read and stored as soon as its save is
        over (INDEX_QUIET), so the file cache follows an edit within milliseconds."""
        self._idle = True
        try:
            return self._wait_for_batch()
        finally:
            self._idle = False

    def _wait_for_batch(self) -> tuple[set[str], set[str]] | None:
        with self._cond:
            while not self._pending and not self._stopped:
                self._cond.wait(timeout=0.5)  # short waits: Ctrl-C is never held up
            while not self._stopped:
                now = time.monotonic()
                due = min(self._last + self.quiet, self._first + self.max_wait)
                if now >= due:
                    break
                if self._dirty and now >= self._last + INDEX_QUIET:
                    dirty, self._dirty = self._dirty, set()
                    self._cond.release()
                    try:
                        self._refresh(dirty)
                    finally:
                        self._cond.acquire()
                    continue
                wake = self._last + INDEX_QUIET if self._dirty else due
                self._cond.wait(timeout=min(max(wake - now, 0.001), 0.5))
            if self._stopped:
                return None
            batch, self._pending = self._pending, set()
            reread, self._dirty, self._unread = self._dirty | self._unread, set(), set()
            return batch, reread

    def _refresh(self, notes: set[str]) -> None:
        """Read and store these notes now (the wait's lock released): an interrupt may cut it
        short."""
        self._idle = False
        try:
            if not self._stopped:
                self.reader.refresh(sorted(notes))
        except Exception:  # noqa: BLE001 - only a head start: the rebuild reads them anyway
            if os.environ.get("SALESNOTES_DEBUG"):
                raise
            self._unread |= notes
        finally:
            self._idle = True

    # -- one rebuild -----------------------------------------------------------------------

    def build(self, changed: set[str], reread: set[str] | None = None) -> Rebuild:
        """Reload (only changed notes are read), render, write the views whose bytes changed.

        `reread`: notes to read again whatever their stat says (default: those in `changed`).
        """
        started = time.perf_counter()
        number, self.count = self.count, self.count + 1
        notes = {p for p in changed if p.startswith(CLIENTS + "/")}
        others = tuple(sorted(changed - notes))
        self.reader.forget(notes if reread is None else reread)
        try:
            with gc_paused(collect=True, freeze=True), self.guard(), \
                    self.progress() as progress:
                rebuild = self._build(number, others, progress)
        except VaultError as e:  # the config is broken: nothing was read
            rebuild = Rebuild(number, Changes(), others, 0, 0.0,
                              problems=tuple(e.problems), kept=e.problems[0])
        except Exception as e:  # noqa: BLE001 - a watch that dies on a bug helps no one
            if os.environ.get("SALESNOTES_DEBUG"):
                raise
            rebuild = Rebuild(number, self.reader.changes, others, 0, 0.0,
                              kept=Said("cli_internal_error", error=f"{type(e).__name__}: {e}"))
        rebuild.seconds = time.perf_counter() - started
        rebuild.new_problems = tuple(p for p in rebuild.problems if p not in self._reported)
        self._reported = set(rebuild.problems)
        return rebuild

    def _build(self, number: int, others: tuple[str, ...], progress: Progress | None) -> Rebuild:
        today = self.today()
        vault = load_vault(self.root, git=self.git, progress=progress, reader=self.reader,
                           today=today)
        problems = tuple(p for p in vault.problems if not p.strict)
        rebuild = Rebuild(number, self.reader.changes, others, len(vault.notes), 0.0,
                          problems=problems)
        readable = {str(n.path) for n in vault.notes}
        entries = self.reader.entries or {}
        broken = sorted(rel for rel in self._good_notes if rel in entries and rel not in readable)
        if broken:  # a note in the last views cannot be read now: keep them until it can
            why = next((p for p in problems if str(p.path) == broken[0]), None)
            rebuild.kept = why or Said("err_watch_unreadable", path=broken[0])
            return rebuild
        rendered = render_views(vault, today, worker=self.worker)
        written = write_views(self.root, rendered.files)
        self._good_notes = readable
        rebuild.written = tuple(p.name for p in written.written)
        rebuild.problems = problems + tuple(rendered.problems) + tuple(written.problems)
        return rebuild


class _Handler:
    """watchdog's callback: relevant vault paths of an event, handed to the watcher."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher
        self.root = str(watcher.root)

    def dispatch(self, event) -> None:  # noqa: ANN001 - a watchdog FileSystemEvent
        if event.event_type not in EVENTS or (event.is_directory and event.event_type in
                                              ("modified", "closed")):
            return
        found = []
        for path in (event.src_path, getattr(event, "dest_path", "")):
            rel = self._relative(os.fsdecode(path)) if path else None
            if rel is not None and relevant(rel, event.is_directory):
                found.append(str(rel))
        if found:
            self.watcher.changed(found)

    def _relative(self, path: str) -> PurePosixPath | None:
        try:
            rel = os.path.relpath(path, self.root)
        except ValueError:  # pragma: no cover - another drive on Windows
            return None
        if rel == "." or rel.startswith(".."):
            return None
        return PurePosixPath(*Path(rel).parts)


def _start_observer(root: Path, handler: _Handler, notice: Callable[[Said], None]):  # noqa: ANN202
    """inotify (or the platform's own) observer; polling when the system limits are reached."""
    try:
        return _observe(_native_observer(), root, handler)
    except OSError as e:
        if e.errno not in LIMITS:
            raise
        notice(Said("cli_watch_polling", why=e.strerror or str(e), seconds=f"{POLL_INTERVAL:g}"))
    # watchdog only for `watch`
    from watchdog.observers.polling import PollingObserver

    return _observe(PollingObserver(timeout=POLL_INTERVAL), root, handler)


def _native_observer():  # noqa: ANN202 - a test replaces it to play "inotify limit reached"
    # watchdog only for `watch`
    from watchdog.observers import Observer

    return Observer()


def _observe(observer, root: Path, handler: _Handler):  # noqa: ANN001, ANN202
    # watchdog only for `watch`
    from watchdog import events as e

    wanted = [e.FileCreatedEvent, e.FileModifiedEvent, e.FileDeletedEvent, e.FileMovedEvent,
              e.FileClosedEvent, e.DirCreatedEvent, e.DirDeletedEvent, e.DirMovedEvent]
    observer.schedule(handler, str(root), recursive=True, event_filter=wanted)  # not opens
    observer.daemon = True
    observer.start()
    return observer
