"""`check` of a few notes: what a pre-commit hook needs, at about the cost of reading them.

A commit is judged by the notes it holds: a broken note elsewhere in the vault never blocks it
(salesnotes' own commits, Obsidian Git's backups). The config is read for the tiers; its own
problems count only when the config itself is among the files checked. Problems between a
checked note and the rest of the vault (a NIP another note holds) are left to the whole `check`
and to `review`, which read every note anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path, PurePosixPath

from salesnotes.errors import Problem, VaultError, said
from salesnotes.model.config import CONFIG_FILE, load_config
from salesnotes.model.vault import CLIENTS, config_checks
from salesnotes.read.note import Note, read_note
from salesnotes.reports.future_dates import future_contacts


def given_files(root: Path, paths: Iterable[Path]) -> tuple[list[tuple[PurePosixPath, bytes]],
                                                           bool]:
    """(vault path, bytes) of each given client note; and whether the config was given.

    Paths outside `clients/` (views, the ledger, daily notes) and deleted files are no notes
    and are passed over, so a hook may hand over every file of a commit.
    """
    notes: list[tuple[PurePosixPath, bytes]] = []
    config = False
    for path in paths:
        try:
            rel = PurePosixPath(path.resolve().relative_to(root).as_posix())
        except ValueError:
            continue
        if rel == PurePosixPath(CONFIG_FILE):
            config = True
        elif rel.parts[:1] == (CLIENTS,) and rel.suffix == ".md" and path.is_file():
            notes.append((rel, path.read_bytes()))
    return notes, config


def check_files(root: Path, files: list[tuple[PurePosixPath, bytes]], with_config: bool,
                today: date) -> list[Problem]:
    """Every problem of these notes alone, plus the config's when it is asked for."""
    problems: list[Problem] = []
    notes: list[Note] = []
    for rel, data in files:
        result = read_note(rel, data, summary=True)
        problems.extend(result.problems)
        if result.note is not None:
            notes.append(result.note)
    problems.extend(future_contacts(notes, today))
    try:
        config, config_problems = load_config(root)
    except VaultError as e:
        if with_config:
            problems.extend(e.problems)
        return sorted(set(problems))
    if with_config:
        problems.extend(config_problems)
    problems.extend(config_checks(notes, config))
    problems.extend(_duplicate_nips(notes))
    return sorted(set(problems))


def _duplicate_nips(notes: list[Note]) -> list[Problem]:
    """Two of the checked notes holding one NIP (the whole vault's duplicates are review's and
    `check`'s: finding them means reading every note)."""
    out = []
    seen: dict[str, Note] = {}
    for n in notes:
        if n.nip and n.nip in seen:
            out.append(said(n.path, n.line_of("nip"), "err_duplicate_nip", value=repr(n.nip),
                            others=str(seen[n.nip].path)))
        elif n.nip:
            seen[n.nip] = n
    return out
