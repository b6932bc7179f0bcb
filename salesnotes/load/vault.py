"""The vault as the commands see it: the pure model (`model/vault.py`) fed by the local cache
and by the contact dates git keeps.

This is the one place where reading the vault meets local state and git: `model/` reads the
files and nothing else, `local/` keeps what makes the next run fast, `git/` runs git. A command
that must not write (`check`) asks for the cache without storing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from salesnotes.git.history import last_contact_dates, start_last_contact_dates
from salesnotes.git.run import in_git
from salesnotes.local import store
from salesnotes.local.cache import NoteCache
from salesnotes.local.dailycache import daily_links
from salesnotes.local.ledgercache import LedgerCache
from salesnotes.model.config import Config
from salesnotes.model.daily import daily_contacts, newest_daily
from salesnotes.model.vault import Progress, Reader, Vault
from salesnotes.model.vault import load_vault as read_vault
from salesnotes.model.where import FolderKeys
from salesnotes.read.note import Note

__all__ = ["git_contacts", "load_vault"]


def load_vault(root: Path, *, git: bool = True, progress: Progress | None = None,
               reader: Reader | None = None, cache: bool = True, store_cache: bool = True,
               sales: bool = True, today: date | None = None,
               stats: list[FolderKeys] | None = None) -> Vault:
    """The whole vault as one value; the same value whichever of these options are given.

    With `cache`, notes (unless a `reader` is given) and ledger months unchanged since the last
    run come from the caches in `.salesnotes/` (written back unless `store_cache` is False).
    With `git` (contacts found outside the notes), the newest contact date of each note is read
    from the contact commits, and daily notes dated up to `today` (default: any date) linking
    to a client count too. `stats`: the notes' keys from a walk made just before
    (`reviewstate.inputs_key`, `walked`), so the cache does not walk them again.
    """
    # git works on the other core while the notes load (ARCHITECTURE.md, speed: git)
    contacts = _start_git_contacts(root) if git else None
    try:
        if reader is None and cache:
            reader = NoteCache(root, store=store_cache, stats=stats)
        ledger = LedgerCache(root, store=store_cache) if cache and sales else None
        vault = read_vault(root, progress=progress, reader=reader, sales=sales,
                           ledger_parser=ledger)
        if ledger is not None:
            ledger.save()
    finally:  # collected whatever happened: no git process is left behind
        git_last = _finish(contacts) if contacts is not None else {}
    if not git:
        return vault
    return replace(vault, git_contacts=git_last,
                   daily_contacts=_daily_contacts(root, vault.config, vault.notes, today))


def git_contacts(root: Path) -> dict[str, date]:
    """The newest contact date per note from `contact:` commits; {} outside git."""
    if not in_git(root):
        return {}
    try:
        return last_contact_dates(root, store.path(root, "git-last.json"),
                                  store.path(root, "git-contacts.json"))
    except Exception:  # noqa: BLE001 - the contact log is a bonus; a git hiccup never stops a review
        return {}


def _start_git_contacts(root: Path) -> Callable[[], dict[str, date]] | None:
    """`git_contacts` started; None when there is nothing to ask git (then {})."""
    if not (root.is_dir() and in_git(root)):
        return None
    try:
        return start_last_contact_dates(root, store.path(root, "git-last.json"),
                                        store.path(root, "git-contacts.json"))
    except Exception:  # as git_contacts: no git, no contacts from it
        return None


def _finish(contacts: Callable[[], dict[str, date]]) -> dict[str, date]:
    try:
        return contacts()
    except Exception:  # as git_contacts: a git hiccup never stops a review
        return {}


def _daily_contacts(root: Path, config: Config, notes: tuple[Note, ...],
                    today: date | None) -> dict[str, date]:
    try:
        links = daily_links(root, config.daily_notes)
    except Exception:  # daily notes are a bonus: they never stop a review
        return {}
    return newest_daily(daily_contacts(notes, links, today or date.max))
