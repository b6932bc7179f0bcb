"""One salesnotes at a time per vault: a lock file, so two commands never edit or commit at once.

Why a lock when every write is already a compare-and-swap: the swap keeps each note whole, but
two `salesnotes log` runs on one note still interleave their *commits* (the first commit can carry
the second contact's line, and the second then has nothing to commit). Holding the vault lock
from reading the note to committing it makes each run see the other's finished work.

The lock is an OS lock on `.salesnotes/lock` (the git-ignored local folder), released by the
kernel when the holder dies, so a killed run never leaves the vault locked: `flock(2)` tried
without blocking and polled until the timeout, as filelock's Unix lock does (ARCHITECTURE.md,
speed: start-up, says why not filelock itself there); `filelock.FileLock` where there is no
`fcntl` (Windows). The holder writes its PID and command beside it (`.salesnotes/lock.owner`),
so a waiter that gives up after the timeout can say who holds the vault. Only the CLI takes
the lock; the core stays free of it, and the lock is re-entrant within one process (a command
that calls another command's core does not wait for itself).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from salesnotes.errors import Problem, VaultError, saying
from salesnotes.i18n import Said
from salesnotes.local import store

try:
    import fcntl
except ImportError:  # Windows: filelock's msvcrt lock instead
    fcntl = None  # type: ignore[assignment]

LOCK_DIR = store.DIR
LOCK_NAME = "lock"
OWNER_NAME = "lock.owner"
DEFAULT_TIMEOUT = 10.0
POLL_SECONDS = 0.05
TIMEOUT_ENV = "SALESNOTES_LOCK_TIMEOUT"  # seconds; tests and scripts may shorten the wait

_held: dict[Path, int] = {}  # lock path -> depth, for this process
_guard = threading.Lock()


class VaultBusy(VaultError):
    """Another salesnotes holds the vault; nothing was done (EX_TEMPFAIL, like GitBusy)."""

    exit_code = 75


def lock_path(root: Path) -> Path:
    return Path(root) / LOCK_DIR / LOCK_NAME


@contextmanager
def vault_lock(root: Path, *, timeout: float | None = None, what: str | None = None
               ) -> Iterator[Path]:
    """Hold the vault's lock for the block; VaultBusy after `timeout` seconds of waiting.

    `timeout`: default $SALESNOTES_LOCK_TIMEOUT, else 10 s. `what`: shown to a waiting run
    (default: the command line). Yields the lock file's path.
    """
    path = lock_path(root).absolute()
    with _guard:
        depth = _held.get(path, 0)
        if depth:
            _held[path] = depth + 1
    if depth:
        try:
            yield path
        finally:
            _leave(path)
        return
    release = _acquire(path, Path(root), _timeout(timeout))
    with _guard:
        _held[path] = 1
    try:
        _write_owner(path, what)
        yield path
    finally:
        _leave(path)
        _clear_owner(path)
        release()


def _acquire(path: Path, root: Path, timeout: float) -> Callable[[], None]:
    """The vault's lock taken; the function that gives it back."""
    try:
        store.make_folder(path.parent)
    except OSError as e:
        raise VaultError(_problem(Said("err_lock_folder", folder=f"{LOCK_DIR}/",
                                       why=e.strerror))) from None
    try:
        return _os_lock(path, timeout)
    except TimeoutError:
        raise VaultBusy(_problem(_busy_message(path, timeout))) from None
    except OSError as e:
        raise VaultError(_problem(Said("err_lock", why=e.strerror))) from None


def _os_lock(path: Path, timeout: float) -> Callable[[], None]:
    """The lock on `path`, waiting at most `timeout` seconds (TimeoutError after); the
    function that releases it."""
    if fcntl is None:
        # filelock only where there is no flock(2)
        from filelock import FileLock, Timeout

        lock = FileLock(str(path), timeout=timeout)
        try:
            lock.acquire()
        except Timeout:
            raise TimeoutError(str(path)) from None
        return lock.release
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise TimeoutError(str(path)) from None
            time.sleep(POLL_SECONDS)
            continue
        except OSError:
            os.close(fd)
            raise
        if os.fstat(fd).st_nlink:  # else removed while we waited: lock the file there now
            return lambda: _unlock(fd)
        os.close(fd)


def _unlock(fd: int) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _leave(path: Path) -> None:
    with _guard:
        depth = _held.get(path, 1) - 1
        if depth:
            _held[path] = depth
        else:
            _held.pop(path, None)


def _timeout(given: float | None) -> float:
    if given is not None:
        return given
    try:
        return max(0.0, float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


def _write_owner(path: Path, what: str | None) -> None:
    """Best effort: the PID only makes the waiter's message better, it is not the lock."""
    command = what or " ".join(["salesnotes", *sys.argv[1:3]])
    store.write_text(path.with_name(OWNER_NAME), f"{os.getpid()}\n{' '.join(command.split())}\n")


def _clear_owner(path: Path) -> None:
    owner = path.with_name(OWNER_NAME)
    try:
        if owner.read_text(encoding="utf-8").split("\n", 1)[0] == str(os.getpid()):
            owner.unlink()
    except (OSError, ValueError):
        pass


def holder(root: Path) -> tuple[int, str] | None:
    """(PID, command) of the run holding the vault, as it wrote them; None when unknown."""
    try:
        pid, _, command = lock_path(root).with_name(OWNER_NAME).read_text(
            encoding="utf-8").partition("\n")
        return int(pid), command.strip()
    except (OSError, ValueError):
        return None


def _busy_message(path: Path, timeout: float) -> Said:
    who = holder(path.parent.parent)
    by = (Said("err_busy_by", program=who[1] or "salesnotes", pid=who[0]) if who
          else Said("err_busy_by_another"))
    return Said("err_vault_busy", by=by, waited=f"{timeout:g}")


def _problem(message: Said) -> Problem:
    return saying(PurePosixPath(LOCK_DIR, LOCK_NAME), 0, message)
