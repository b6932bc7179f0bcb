"""`salesnotes new` as core calls that return what they did; the command only says it.

Writing and committing are two calls, so the rep is told the note exists before git is
asked: a commit that fails never removes the note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from salesnotes.edit.files import atomic_write
from salesnotes.edit.newclient import NewClient, plan_note
from salesnotes.git import gitlog
from salesnotes.load.vault import load_vault


@dataclass(frozen=True)
class Added:
    """A client note written under clients/."""

    path: Path
    rel: Path  # from the vault root
    commit: bool  # the vault's config asks for a commit


def add_client(root: Path, client: NewClient, today: date) -> Added:
    """Write the new client's note (never over an existing file); UsageProblem when its name
    or NIP is taken, or the template cannot make it."""
    vault = load_vault(root, git=False, sales=False)
    path, data = plan_note(vault, client, today)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data, root=root, exclusive=True)
    return Added(path, path.relative_to(root), vault.config.git_commit)


def commit_added(root: Path, added: Added, name: str) -> str | None:
    """The note's `salesnotes: new` commit, in a git vault; the commit's sha, or None."""
    if not gitlog.is_repo(root):
        return None
    return gitlog.commit_paths(root, [added.path], f"salesnotes: new {name}",
                               fallback_identity=True)
