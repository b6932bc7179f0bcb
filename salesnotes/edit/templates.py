"""The packaged vault template: `common/` files overlaid by one language's, as bytes.

Both a new vault (vaultinit) and the demo portfolio (demo) are made from these files, and
`new` renders its client note from the template's `templates/client.md`.
"""

from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

import salesnotes
from salesnotes.model.config import LOCALES

__all__ = ["LOCALES", "template_files", "template_root"]

# Stored without the dot so packaging keeps them; copied with it.
DOTFILES = {"gitignore", "gitattributes", "gitkeep"}


def template_root() -> Traversable:
    """The packaged template; the source tree's `vault_template/` when running from a checkout."""
    try:
        return importlib.resources.files("salesnotes.vault_template")
    except ModuleNotFoundError:
        return Path(salesnotes.__file__).parent.parent / "vault_template"


def template_files(locale: str) -> dict[str, bytes]:
    """Relative posix path in the new vault -> bytes: `common/` overlaid by `<locale>/`."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r} (known: {', '.join(LOCALES)})")
    root = template_root()
    files = dict(_walk(root / "common", PurePosixPath()))
    files.update(_walk(root / locale, PurePosixPath()))
    return files


def _walk(folder: Traversable, rel: PurePosixPath) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        name = f".{entry.name}" if entry.name in DOTFILES else entry.name
        if entry.is_dir():
            found.update(_walk(entry, rel / name))
        else:
            found[str(rel / name)] = entry.read_bytes()
    return found
