"""A manager's local state: each rep's mirror and parsed summary under `.salesnotes/team/`.

Both are disposable: a deleted folder costs one full fetch and read, never a figure.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import io
import pickle
from pathlib import Path, PurePosixPath
from typing import Any

from salesnotes.edit.files import FileRefused, atomic_write
from salesnotes.local import store

TEAM_DIR = Path(store.DIR) / "team"
_VERSION = 5


def mirror_dir(root: Path, key: str) -> Path:
    return root / TEAM_DIR / f"{key}.git"


def load_summary(root: Path, key: str, kind: str = "notes") -> Any | None:
    """The rep's last summary (`notes`: parsed notes; `figures`: the last figures computed),
    or None when missing, unreadable or from another version."""
    try:
        data = (root / TEAM_DIR / f"{key}.{kind}.pickle").read_bytes()
        version, summary = _Unpickler(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001 - a broken or planted cache is only a slower run
        return None
    return summary if version == _VERSION else None


class _Unpickler(pickle.Unpickler):
    """Only the classes a summary is made of, as for the note cache: a file planted in
    `.salesnotes/team/` cannot make salesnotes call anything."""

    def find_class(self, module: str, name: str) -> Any:
        cls = _allowed().get((module, name))
        if cls is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a team summary")
        return cls


@functools.cache
def _allowed() -> dict[tuple[str, str], type]:
    # the summary's own classes, imported when a summary is read (not when the CLI starts)
    from salesnotes.errors import Problem
    from salesnotes.i18n import Said
    from salesnotes.local.cache import _allowed as note_classes
    from salesnotes.model.breath import Breath
    from salesnotes.model.ledger import Sale
    from salesnotes.team.figures import Client, RepFigures
    from salesnotes.team.snapshot import Parsed

    classes = (Parsed, RepFigures, Client, Breath, Sale, Problem, Said, datetime.date,
               decimal.Decimal, PurePosixPath)
    return {**note_classes(), **{(c.__module__, c.__qualname__): c for c in classes}}


def save_summary(root: Path, key: str, data: Any, kind: str = "notes") -> None:
    """Kept atomically; a refused write only means the next run reads everything again."""
    path = root / TEAM_DIR / f"{key}.{kind}.pickle"
    try:
        atomic_write(path, pickle.dumps((_VERSION, data), protocol=pickle.HIGHEST_PROTOCOL),
                     make_parents=True)
    except FileRefused:
        pass
