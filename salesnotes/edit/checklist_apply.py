"""`checklist apply`: give notes a checklist section, or top it up with new template items.

Each note is edited through edit.py (splice, verify, atomic, refuse a note changed meanwhile),
so apart from the inserted lines every byte stays, CRLF and BOM included. The change is
decided again from the bytes edit.py hands over, not from the vault read earlier, so a note
saved in Obsidian in between gets exactly what it lacks then. Nothing is ever removed or
unticked: `--sync` only appends the template items the section does not have yet. A note that
cannot be edited is a problem in the result; the others still go ahead, and all the notes
written go into one commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from salesnotes.edit.editor import edit_bytes, edit_note
from salesnotes.errors import Problem, UsageProblem, VaultError, said
from salesnotes.git import gitlog
from salesnotes.i18n import Said
from salesnotes.model.lookup import find_client
from salesnotes.model.vault import Vault
from salesnotes.read.names import fold
from salesnotes.read.note import Note, read_note
from salesnotes.reports.checklists import (
    TEMPLATES,
    Checklist,
    Checklists,
    applies,
    item_lines,
    load_checklists,
    missing_items,
    sections_of,
)

if TYPE_CHECKING:
    from salesnotes.edit.editor import NoteText

INSERT, SYNC = "insert", "sync"


@dataclass(frozen=True)
class Change:
    """One note's edit: a new section (`insert`) or items appended to it (`sync`)."""

    path: PurePosixPath
    name: str
    kind: str
    items: tuple[str, ...]  # the template items added


@dataclass
class ApplyResult:
    checklist: Checklist
    dry_run: bool
    changes: list[Change] = field(default_factory=list)  # made, or with dry_run to be made
    complete: list[Note] = field(default_factory=list)  # nothing to add
    outdated: list[Note] = field(default_factory=list)  # lack new items; `--sync` adds them
    problems: list[Problem] = field(default_factory=list)  # notes not edited, and why
    commit: str | None = None
    git_error: VaultError | None = None  # edits saved, commit not made
    kept_back: list[Problem] = field(default_factory=list)  # edits saved, left out of the commit

    @property
    def commit_message(self) -> str:
        n = len(self.changes)
        return f"salesnotes: checklist {self.checklist.name} ({n} client{'' if n == 1 else 's'})"


def apply_checklist(vault: Vault, name: str, clients: Sequence[str] = (), *, sync: bool = False,
                    dry_run: bool = False) -> ApplyResult:
    """Insert (and with `sync` top up) checklist `name` in the given clients' notes, else in
    every note it applies to. Raises VaultError, changing nothing, when the checklist is
    unknown or a CLIENT is unknown or ambiguous."""
    checklist = _checklist(load_checklists(vault.root), name)
    notes, problems = _targets(vault, checklist, clients)
    result = ApplyResult(checklist, dry_run, problems=problems)
    for note in notes:
        _one(vault, checklist, note, sync, result)
    if result.changes and not dry_run and vault.config.git_commit:
        _commit(vault, result, sync)
    return result


def _checklist(found: Checklists, name: str) -> Checklist:
    checklist = found.find(name)
    if checklist is not None:
        return checklist
    own = [p for p in found.problems if fold(p.path.stem) == fold(name)]
    if own:
        raise VaultError(*own)
    known = ", ".join(found.by_name) or Said("err_none_yet")
    raise UsageProblem(said(TEMPLATES / f"{name}.md", 0, "err_no_checklist", name=repr(name),
                            known=known))


def _targets(vault: Vault, checklist: Checklist, clients: Sequence[str]
             ) -> tuple[list[Note], list[Problem]]:
    """The notes to edit, sorted by path, and the notes that could not even be read."""
    unreadable = _unreadable(vault)
    if not clients:
        notes = [n for n in vault.notes if applies(checklist, n, vault.config)]
        return notes, [p for problems in unreadable.values() for p in problems]

    picked: dict[PurePosixPath, Note] = {}
    problems: list[Problem] = []
    for query in clients:
        broken = [path for path in unreadable if fold(query) in (fold(path.stem), fold(str(path)))]
        if broken:
            problems.extend(unreadable[broken[0]])
            continue
        note = find_client(vault.notes, query)  # UsageProblem before anything is written
        picked[note.path] = note
    return sorted(picked.values(), key=lambda n: str(n.path)), problems


def _unreadable(vault: Vault) -> dict[PurePosixPath, list[Problem]]:
    """Notes under clients/ that failed to read at all (so they are not in vault.notes)."""
    read = {n.path for n in vault.notes}
    out: dict[PurePosixPath, list[Problem]] = {}
    for p in vault.problems:
        if p.path.parts[:1] == ("clients",) and p.path.suffix == ".md" and p.path not in read:
            out.setdefault(p.path, []).append(p)
    return out


def plan(checklist: Checklist, note: Note, sync: bool) -> Change | None:
    """What the note needs: the whole section, the missing items (with sync), or nothing."""
    sections = sections_of(checklist, note)
    if not sections:
        return Change(note.path, note.name, INSERT, tuple(i.text for i in checklist.items))
    missing = missing_items(checklist, sections)
    if sync and missing:
        return Change(note.path, note.name, SYNC, tuple(i.text for i in missing))
    return None


def _one(vault: Vault, checklist: Checklist, note: Note, sync: bool, result: ApplyResult) -> None:
    planned = plan(checklist, note, sync)
    if planned is None:
        sections = sections_of(checklist, note)
        (result.outdated if missing_items(checklist, sections) else result.complete).append(note)
        return
    if result.dry_run:
        result.changes.append(planned)
        return
    try:
        made = edit_checklist(vault, checklist, note.path, sync)
    except VaultError as e:
        result.problems.extend(e.problems)
        return
    if made is not None:
        result.changes.append(made)
    else:
        result.complete.append(note)


def edit_checklist(vault: Vault, checklist: Checklist, rel: PurePosixPath,
                   sync: bool) -> Change | None:
    """Edit one note; the change is worked out from the bytes being edited, every attempt."""
    done: list[Change | None] = [None]
    wrote = edit_note(vault.root / rel, vault.root, checklist_edit(checklist, rel, sync, done))
    return done[0] if wrote else None


def checklist_edit(checklist: Checklist, rel: PurePosixPath, sync: bool,
                   done: list[Change | None] | None = None) -> Callable[[NoteText], None]:
    """The edit as a function of the note's text, so that it applies as well to the note's
    committed version (what the commit holds); `done[0]` says what it changed."""
    said: list[Change | None] = done if done is not None else [None]

    def change(text: NoteText) -> None:
        data = text.to_bytes()  # nothing changed yet: the exact bytes being edited
        read = read_note(rel, data)
        if read.note is None:
            raise VaultError(*read.problems)
        said[0] = planned = plan(checklist, read.note, sync)
        if planned is None:
            return
        if planned.kind == INSERT:
            text.insert_section(checklist.heading, item_lines(checklist.items), before="## Log")
            return
        first = sections_of(checklist, read.note)[0]
        items = tuple(i for i in checklist.items if i.text in planned.items)
        text.append_to_section(_line(data, first.line), item_lines(items))

    return change


def _line(data: bytes, number: int) -> str:
    """File line `number` (1-based) as text, BOM and CR dropped: the heading as written."""
    text = data.decode("utf-8-sig")
    return text.split("\n")[number - 1].rstrip("\r")


def _commit(vault: Vault, result: ApplyResult, sync: bool) -> None:
    """One commit of the checklist's edits, each applied to the note's committed version."""
    if not gitlog.is_repo(vault.root):
        return
    changes = [gitlog.Change(vault.root / c.path,
                             edit_bytes(c.path, checklist_edit(result.checklist, c.path, sync)))
               for c in result.changes]
    try:
        done = gitlog.commit_changes(vault.root, changes, result.commit_message)
    except VaultError as e:  # the notes are saved; only the commit is missing
        result.git_error = e
        return
    result.commit = done.sha
    result.kept_back = list(done.kept_back)
