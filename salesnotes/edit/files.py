"""Reading a note whole and replacing it atomically, so neither a crash nor a concurrent save
costs the rep a byte (ARCHITECTURE.md, data safety 5 and 6).

A write goes to a hidden temp file in the same folder (never named `*.md`, so no vault tool
indexes a half-written note), is fsynced, takes the old file's mode, and replaces the note with
one `os.replace` only if the note still holds the bytes the edit was computed from. Any failure
before the replace removes the temp file and leaves the note as it was.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from salesnotes.i18n import Said
from salesnotes.read.notefile import MAX_NOTE_BYTES

# Test hook: called with the target path just before the compare-and-swap check, so a test can
# play "Obsidian saved the note meanwhile".
_before_replace: Callable[[Path], None] | None = None


class FileRefused(Exception):
    """The file cannot be read or replaced safely; `said` says why, for `path:0: message`
    (`message` in English)."""

    def __init__(self, said: Said, path: Path | None = None) -> None:
        super().__init__(str(said))
        self.said = said
        self.message = str(said)
        self.path = path


class FileTooLarge(FileRefused):
    """Over the size cap: a note that big is a mistake (or a binary), never something to edit."""


class NoteChanged(Exception):
    """The note's bytes differ from the snapshot the edit was computed from; nothing written."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: note changed while editing, nothing written")
        self.path = path


class Snapshot(NamedTuple):
    """The exact bytes an edit starts from, and their hash for the compare-and-swap."""

    path: Path
    data: bytes
    digest: str  # sha256 hex of data


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_snapshot(path: Path, *, max_bytes: int = MAX_NOTE_BYTES) -> Snapshot:
    """Read a regular file whole; refuse anything over `max_bytes` before reading it."""
    path = Path(path)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise FileRefused(Said("err_not_regular_read"), path)
        if st.st_size > max_bytes:
            raise FileTooLarge(_too_large(st.st_size, max_bytes), path)
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise FileRefused(Said("err_cannot_read", why=_reason(e)), path) from e
    if len(data) > max_bytes:  # grew between stat and read
        raise FileTooLarge(_too_large(len(data), max_bytes), path)
    return Snapshot(path, data, digest_of(data))


def atomic_write(
    path: Path,
    data: bytes,
    *,
    expect: Snapshot | None = None,
    root: Path | None = None,
    make_parents: bool = False,
    exclusive: bool = False,
) -> bool:
    """Replace `path` by `data` atomically; False (and no write at all) when it already holds them.

    `expect`: the snapshot the new bytes were computed from; if the file no longer matches it,
    NoteChanged is raised and nothing is written. `root`: refuse a target outside that folder.
    `exclusive`: create a new file only; an existing one (even one appearing meanwhile) is
    refused, never overwritten.
    """
    path = Path(path)
    try:
        return _atomic_write(path, data, expect, root, make_parents, exclusive)
    except OSError as e:
        raise FileRefused(Said("err_could_not_write", why=_reason(e)), path) from e


def _atomic_write(
    path: Path,
    data: bytes,
    expect: Snapshot | None,
    root: Path | None,
    make_parents: bool,
    exclusive: bool,
) -> bool:
    if root is not None:
        _refuse_outside(path, root)
    st = _lstat(path)
    if exclusive and st is not None:
        raise FileRefused(Said("err_exists_not_overwritten"), path)
    if st is None:
        if expect is not None:
            raise NoteChanged(path)  # deleted since it was read
        _ensure_folder(path.parent, make_parents)
        mode = _new_file_mode()
    else:
        _refuse_unsafe_target(path, st)
        current = _unless_holding(path, data, st.st_size, whole=expect is not None)
        if current is None:
            return False
        _refuse_read_only(path, st)
        if expect is not None and digest_of(current) != expect.digest:
            raise NoteChanged(path)
        mode = stat.S_IMODE(st.st_mode)
    tmp = _write_temp(path, data, mode, st)
    try:
        if _before_replace is not None:
            _before_replace(path)
        if exclusive:
            _create(path, tmp)
        else:
            _compare_and_swap(path, tmp, expect)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    _fsync_folder(path.parent)
    return True


def _compare_and_swap(path: Path, tmp: Path, expect: Snapshot | None) -> None:
    """Replace only if the target still holds the expected bytes and is still no symlink."""
    st = _lstat(path)
    if st is not None:
        _refuse_unsafe_target(path, st)
    if expect is not None and (st is None or digest_of(_read(path)) != expect.digest):
        raise NoteChanged(path)
    os.replace(tmp, path)


def _create(path: Path, tmp: Path) -> None:
    """Move the temp file to a name that must not exist yet (a hard link never clobbers)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise FileRefused(Said("err_exists_not_overwritten"), path) from None
    except OSError:  # no hard links on this filesystem: check, then replace
        if _lstat(path) is not None:
            raise FileRefused(Said("err_exists_not_overwritten"), path) from None
        os.replace(tmp, path)
        return
    _unlink_quietly(tmp)


def _refuse_outside(path: Path, root: Path) -> None:
    folder = path.parent.resolve()
    if not folder.is_relative_to(Path(root).resolve()):
        raise FileRefused(Said("err_outside_not_written"), path)


def _refuse_unsafe_target(path: Path, st: os.stat_result) -> None:
    if stat.S_ISLNK(st.st_mode):
        raise FileRefused(Said("err_symlink_replace"), path)
    if not stat.S_ISREG(st.st_mode):
        raise FileRefused(Said("err_not_regular_write"), path)


def _refuse_read_only(path: Path, st: os.stat_result) -> None:
    """A read-only note is the rep's decision: say so, never chmod it."""
    if st.st_mode & 0o222 == 0 or not os.access(path, os.W_OK):
        raise FileRefused(Said("err_read_only"), path)


def _ensure_folder(folder: Path, make_parents: bool) -> None:
    if folder.is_dir():
        return
    if not make_parents:
        raise FileRefused(Said("err_no_folder", folder=folder), folder)
    folder.mkdir(parents=True, exist_ok=True)


def _write_temp(path: Path, data: bytes, mode: int, old: os.stat_result | None) -> Path:
    """Write and fsync a hidden sibling temp file; on any failure it is gone again."""
    fd, tmp = _new_temp(path)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
            if old is not None:
                _keep_owner(fd, old)
                _keep_xattrs(path, fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return tmp


_TEMP_FLAGS = (os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_BINARY", 0))


def _new_temp(path: Path) -> tuple[int, Path]:
    """A new hidden sibling of `path`, open, mode 0600, made exclusively (never an existing
    file, never through a link), as `tempfile.mkstemp` makes one: its import (random, shutil
    and the compressors) was a fiftieth of a `log`, for a random name."""
    for _ in range(100):
        tmp = path.with_name(f".{_short(path.name)}.salesnotes-{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, _TEMP_FLAGS, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        if n <= 0:
            raise OSError(errno.EIO, "write returned no progress")
        view = view[n:]


def _keep_owner(fd: int, old: os.stat_result) -> None:
    """Best effort: a note edited by root (or via a shared group) keeps its owner and group."""
    if not hasattr(os, "fchown"):
        return
    st = os.fstat(fd)
    if (st.st_uid, st.st_gid) != (old.st_uid, old.st_gid):
        try:
            os.fchown(fd, old.st_uid, old.st_gid)
        except OSError:
            pass


def _keep_xattrs(path: Path, fd: int) -> None:
    """Extended attributes go over to the new file (macOS keeps Finder tags there, Linux
    desktops their tags and comments): a rename would otherwise drop them silently. Best
    effort, where the OS offers the calls; one the process may not set (a `security.` label)
    stays with the filesystem's default."""
    if not hasattr(os, "listxattr"):
        return
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return
    for name in names:
        try:
            os.setxattr(fd, name, os.getxattr(path, name, follow_symlinks=False))
        except OSError:
            pass


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable. Best effort: the replace already happened, so an error here
    must not make the caller believe the note is unchanged."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _new_file_mode() -> int:
    return 0o666 & ~_umask()


def _umask() -> int:
    """Read the umask without the racy set-and-restore where /proc allows it."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _read(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


_CHUNK = 1 << 20


def _unless_holding(path: Path, data: bytes, size: int, *, whole: bool) -> bytes | None:
    """None when the file holds exactly `data`; else its bytes when `whole` (a note, whose
    digest is checked), or b"". Without `whole` it is compared a chunk at a time: a view of
    100,000 clients is 26 MB, and reading it whole held it twice beside the new bytes."""
    if whole:
        current = _read(path)
        return None if current == data else current
    return None if _holds(path, data, size) else b""


def _holds(path: Path, data: bytes, size: int) -> bool:
    if size != len(data):
        return False
    view = memoryview(data)
    at = 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            if view[at:at + len(chunk)] != chunk:
                return False
            at += len(chunk)
    return at == len(data)


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _short(name: str, limit: int = 100) -> str:
    """The note name cut to `limit` UTF-8 bytes on a character boundary (temp names must fit)."""
    return name.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _too_large(size: int, limit: int) -> Said:
    return Said("err_file_too_large", size=f"{size:,}", mb=f"{limit / 1024 / 1024:g}")


def _reason(e: OSError) -> str:
    return e.strerror or str(e) or type(e).__name__
