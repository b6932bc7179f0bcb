"""What `import sales` and `import clients` share: all-or-nothing rules, new notes, writing.

Both imports follow the same contract, so it lives in one place: any problem refuses the whole
file unless the rep asked to skip bad rows; an unreadable note never blocks an import, but a NIP
its raw text may hold gets no new note (it could be a second note for one client); files are
written atomically, a file to create that appeared meanwhile is never overwritten; and one git
commit holds exactly the written paths.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from salesnotes.edit.files import FileRefused, atomic_write
from salesnotes.edit.newclient import NewClient, plan_note
from salesnotes.errors import Problem, Refused, VaultError, file_problem
from salesnotes.git import gitlog
from salesnotes.i18n import Said
from salesnotes.imports.reader import said_all
from salesnotes.model.vault import Vault, iter_note_files
from salesnotes.read.fields import parse_nip
from salesnotes.read.names import name_key, taken_keys
from salesnotes.read.notefile import MAX_NOTE_BYTES

if TYPE_CHECKING:
    from salesnotes.git.gitlog import Change

PROGRESS_EVERY = 1000
Progress = Callable[[int, int], None]


def settle(problems: Sequence[Problem], skip_bad: bool) -> list[Problem]:
    """All or nothing: any problem refuses the whole import, every one listed, unless the rep
    asked to skip bad rows; then they are what was left out, in file order."""
    ordered = sorted(set(problems))
    if ordered and not skip_bad:
        raise VaultError(*ordered)
    return ordered


_NUMBER = re.compile(rb"[0-9](?:[0-9 .\-/]|\xc2\xa0)*[0-9]")  # digits, maybe with separators


@dataclass(frozen=True)
class Unreadable:
    """The notes that did not load, and the NIPs their raw text may hold: a new note for such a
    NIP could be a second note for one client, so it is held back (and said so), never made."""

    digits: dict[str, tuple[str, int]]  # 10 digits -> (note path, line where they are written)

    def holder(self, nip: str) -> Said | None:
        """`may be in clients/X.md, which cannot be read (line N)`, or None when no unreadable
        note mentions the NIP."""
        found = self.digits.get(nip)
        if found is None:
            return None
        return Said("err_imp_held", path=found[0], line=found[1])


def unreadable_notes(vault: Vault) -> Unreadable:
    """Every run of digits (spaces, dots, dashes and slashes between them ignored) in the raw
    bytes of each note that did not load: `526-025-02-74`, `PL 526 025 02 74` and `5260250274`
    alike. Ten digits may be a NIP; so may any ten inside a longer run."""
    loaded = {str(n.path) for n in vault.notes}
    digits: dict[str, tuple[str, int]] = {}
    for rel, entry in iter_note_files(vault.root):
        if str(rel) in loaded:
            continue
        try:
            with open(entry.path, "rb") as f:
                data = f.read(MAX_NOTE_BYTES)  # a NIP written in a note sits near its top
        except OSError:
            data = b""
        for no, line in enumerate(data.splitlines(), 1):
            for run in _NUMBER.findall(line):
                compact = re.sub(rb"[^0-9]", b"", run).decode()
                for i in range(len(compact) - 9):
                    digits.setdefault(compact[i:i + 10], (str(rel), no))
    return Unreadable(digits)


class NotePlanner:
    """`plan_note` for many notes at once: names, NIPs and file names planned in this import
    count as taken too, so two rows can never make two notes for one client or one file."""

    def __init__(self, vault: Vault, today: date) -> None:
        self.vault, self.today, self._key = vault, today, name_key
        self.names = {name_key(n.name): str(n.path) for n in vault.notes}
        self.nips = {n.nip: str(n.path) for n in vault.notes if n.nip}
        self.files: dict[str, str] = {}
        clients = vault.root / "clients"
        self.existing = (taken_keys(p.name for p in clients.rglob("*.md")) if clients.is_dir()
                         else {})

    def plan(self, client: NewClient) -> tuple[Path, bytes] | Said:
        """(path, bytes) of the new note, or why it cannot be made."""
        try:
            path, data = plan_note(self.vault, client, self.today, self.names, self.nips,
                                   self.existing)
        except VaultError as e:
            return said_all([p.said or p.message for p in e.problems])
        rel = shown_path(self.vault.root, path)
        stem = self._key(path.stem)
        if stem in self.files:
            return Said("err_imp_same_file", name=repr(client.name), path=self.files[stem])
        self.files[stem] = rel
        self.existing[stem] = path.name
        self.names[self._key(client.name)] = rel
        if client.nip:
            self.nips[parse_nip(client.nip)] = rel
        return path, data


def write_files(root: Path, replace_files: Mapping[Path, bytes],
                new_files: Mapping[Path, bytes]) -> list[Path]:
    """Atomic writes; a file to create that appeared meanwhile is never overwritten."""
    written = []
    try:
        for path in new_files:
            if path.exists():
                raise FileRefused(Said("err_appeared"), path)
        for path, data in [*replace_files.items(), *new_files.items()]:
            if atomic_write(path, data, root=root, make_parents=True):
                written.append(path)
    except FileRefused as e:
        where = shown_path(root, e.path) if e.path else "."
        done = Said("err_written_before", n=len(written)) if written else ""
        raise VaultError(file_problem(where, Said("err_then", message=e.said, then=done))) from None
    return written


def commit_import(root: Path, vault: Vault, paths: Iterable[Path | Change], message: str,
                  warn: Callable[[Problem], None] | None = None) -> str | None:
    """One commit of exactly the written paths (a note edited: its committed version with the
    same edit), when the vault is a repo and commits are on. A note whose committed version
    cannot take the edit stays uncommitted, and `warn` is told which and why."""
    paths = list(paths)
    if not paths or not vault.config.git_commit:
        return None

    done = gitlog.commit_changes(root, paths, message, fallback_identity=True)
    for kept in done.kept_back:
        if warn is not None:
            warn(kept)
    return done.sha


def formatted_nip(nip: str) -> str:
    """A NIP as the rep writes it: `123-456-32-18`."""
    # python-stdnum only when a NIP is checked or described
    from stdnum.pl import nip as nip_number

    return str(nip_number.format(nip))


def shown_path(root: Path, path: Path) -> str:
    """`path` relative to the vault root, as the rep sees it (as given when outside it)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def cached_nip(text: str, cache: dict[str, str | Refused], errors: list[Said]) -> str | None:
    """A row's NIP, each written form checked once: an export names the same few hundred NIPs
    tens of thousands of times. A wrong one adds its message to `errors` and gives None."""
    if text not in cache:
        try:
            cache[text] = parse_nip(text)
        except Refused as e:
            cache[text] = e
    found = cache[text]
    if isinstance(found, Refused):
        errors.append(found.said)
        return None
    return found


def note_planner(vault: Vault, today: date) -> NotePlanner:
    """A planner for new notes. An unreadable note never blocks it: see `Unreadable`."""
    return NotePlanner(vault, today)
