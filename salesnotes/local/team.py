"""A manager's local state: each rep's mirror and parsed summary under `.salesnotes/team/`.

Both are disposable: a deleted folder costs one full fetch and read, never a figure.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from salesnotes.edit.files import FileRefused, atomic_write
from salesnotes.local import store

TEAM_DIR = Path(store.DIR) / "team"
_VERSION = 2


def mirror_dir(root: Path, key: str) -> Path:
    return root / TEAM_DIR / f"{key}.git"


def load_summary(root: Path, key: str, kind: str = "notes") -> Any | None:
    """The rep's last summary (`notes`: parsed notes; `figures`: the last figures computed),
    or None when missing, unreadable or from another version."""
    try:
        version, data = pickle.loads((root / TEAM_DIR / f"{key}.{kind}.pickle").read_bytes())
    except Exception:  # noqa: BLE001 - a broken cache is only a slower run
        return None
    return data if version == _VERSION else None


def save_summary(root: Path, key: str, data: Any, kind: str = "notes") -> None:
    """Kept atomically; a refused write only means the next run reads everything again."""
    path = root / TEAM_DIR / f"{key}.{kind}.pickle"
    try:
        atomic_write(path, pickle.dumps((_VERSION, data), protocol=pickle.HIGHEST_PROTOCOL),
                     make_parents=True)
    except FileRefused:
        pass
