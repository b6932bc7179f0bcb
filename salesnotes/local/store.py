"""The one place that names `.salesnotes/`, the vault's local, never-committed state.

Everything kept there (the note cache, review and status state, the who-is-who index, the
contact dates git keeps, the lock) is a shortcut or a guard, never a record: each file may be
missing, stale, corrupt or another version's, and then it is rebuilt or ignored without a word.
So the helpers here never raise for a file they cannot read or write.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

DIR = ".salesnotes"
# A file written less than this before it was read may be written again within the same mtime
# tick (FAT keeps 2 s) without its stat moving, so a key made of its stat cannot vouch for it:
# git's "racy" rule. Every remembered fingerprint of a file follows it.
RACY_NS = 2_000_000_000
_IGNORE = "# salesnotes' local cache: never commit it\n*\n"


def folder(root: Path) -> Path:
    return Path(root) / DIR


def path(root: Path, name: str) -> Path:
    """A file of the local state, by its name inside `.salesnotes/`."""
    return Path(root) / DIR / name


def rel(name: str) -> PurePosixPath:
    """The vault-relative path of a local file, for messages."""
    return PurePosixPath(DIR, name)


def make_folder(local: Path) -> Path:
    """`.salesnotes/` (given whole) with a `.gitignore` of `*`: git never sees it, whatever the
    vault's own .gitignore says (so Obsidian Git's `add -A` never commits it). Raises OSError."""
    local = Path(local)
    local.mkdir(exist_ok=True)
    ignore = local / ".gitignore"
    if not ignore.exists():
        ignore.write_text(_IGNORE, encoding="utf-8")
    return local


@cache
def library_stamp(name: str) -> str:
    """A library's version as a cache key, without importing it (python-stdnum's import costs
    30 ms, for ssl and pydoc): a digest of its package's `__init__.py`, which holds its
    `__version__`; '-' when it is not installed."""
    # importlib.util's spec lookup only for a cache's identity, made once per run
    from importlib.util import find_spec

    try:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        return hashlib.sha256(Path(origin).read_bytes()).hexdigest()[:16] if origin else "-"
    except (ImportError, ValueError, OSError):
        return "-"


def is_racy(mtime_ns: int, now_ns: int) -> bool:
    """Written so shortly before `now_ns` that a later write could keep the same mtime."""
    return mtime_ns >= now_ns - RACY_NS


def read_json(file: Path, version: int | str) -> dict[str, Any] | None:
    """The object stored by `write_json` with this version; None when missing, corrupt or of
    another version (the caller then rebuilds it)."""
    try:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != version:
        return None
    return data


def write_json(file: Path, version: int | str, data: dict[str, Any]) -> bool:
    """Store `data` (with its version) atomically. False when it cannot be written: a
    read-only vault only loses the shortcut."""
    try:
        with _replacing(Path(file)) as temp:
            temp.write_text(json.dumps({"version": version, **data}, ensure_ascii=False,
                                       separators=(",", ":")), encoding="utf-8")
        return True
    except (OSError, ValueError, TypeError):
        return False


def read_pickle(file: Path, version: int | str,
                allowed: Mapping[tuple[str, str], type]) -> Any | None:
    """The value stored by `write_pickle` with this version, unpickled with only the `allowed`
    classes ((module, qualified name) -> class): a file planted in a shared vault can make a
    run slower, never run code. None when missing, corrupt, planted or of another version."""
    parts = read_pickles(file, version, allowed)
    return parts[0] if parts is not None and len(parts) == 1 else None


def write_pickle(file: Path, version: int | str, data: Any) -> bool:
    """Store `data` (with its version) atomically; False when it cannot be written."""
    return write_pickles(file, version, [data])


def read_pickles(file: Path, version: int | str,
                 allowed: Mapping[tuple[str, str], type]) -> list[Any] | None:
    """The parts stored by `write_pickles` with this version (see `read_pickle`)."""
    parts = []
    try:
        allow_list = _allow_list()
        with open(file, "rb") as f:  # one unpickler a part: each part has its own memo
            if allow_list(f, allowed).load() != version:
                return None
            while f.peek(1):
                parts.append(allow_list(f, allowed).load())
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, the caller rebuilds it
        return None
    return parts


def write_pickles(file: Path, version: int | str, parts: Iterable[Any]) -> bool:
    """Store the parts one pickle after the other, streamed to a temp file renamed over the
    old one. Each part pickles with a fresh memo: pickling 100,000 notes at once would hold
    an entry per object (~340 MB) until the end; parts share nothing but their classes."""
    # pickle only where a pickle is read or written: the JSON state (status, review) is not
    import pickle

    try:
        with _replacing(Path(file)) as temp, open(temp, "wb") as f:
            pickler = pickle.Pickler(f, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dump(version)
            for part in parts:
                pickler.clear_memo()
                pickler.dump(part)
        return True
    except Exception:  # noqa: BLE001 - unwritable or unpicklable: the shortcut is only lost
        return False


@contextmanager
def _replacing(file: Path) -> Iterator[Path]:
    """A temp file beside `file`, renamed over it when the block ends well and removed when it
    does not: a reader sees the old file or the new one, never half of one."""
    temp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    try:
        if file.parent.name == DIR:
            make_folder(file.parent)
        else:
            file.parent.mkdir(parents=True, exist_ok=True)
        yield temp
        os.replace(temp, file)
    except BaseException:
        _remove(temp)
        raise


@cache
def _allow_list() -> type:
    """The unpickler that finds only the `allowed` classes, made at the first pickle read."""
    # pickle only where a pickle is read or written: the JSON state (status, review) is not
    import pickle

    class AllowList(pickle.Unpickler):
        def __init__(self, file: io.BufferedReader,
                     allowed: Mapping[tuple[str, str], type]) -> None:
            super().__init__(file)
            self.allowed = allowed

        def find_class(self, module: str, name: str) -> Any:
            cls = self.allowed.get((module, name))
            if cls is None:
                raise pickle.UnpicklingError(f"{module}.{name} is not allowed here")
            return cls

    return AllowList


def write_text(file: Path, text: str) -> bool:
    """A text file of the local state, atomically; False when it cannot be written."""
    file = Path(file)
    temp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, file)
        return True
    except OSError:
        _remove(temp)
        return False


def _remove(temp: Path) -> None:
    try:
        temp.unlink()
    except OSError:  # never made, or its folder is not one
        pass
