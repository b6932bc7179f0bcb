"""`import clients`: a client list from an ERP or CRM into notes, keyed by NIP, all or nothing.

Why keyed by NIP: names are spelled a dozen ways across systems, the tax number only one way
once compacted (`123-456-32-18`, `PL1234563218` and `1234563218` are one client). A NIP no note
holds becomes a new note through `plan_note`, the same template and safe file name as
`salesnotes new`. A NIP a note holds updates that note, and only where the file says something
else: only the keys whose column the file maps (by a recognized header or `--map`), only when the
cell is not empty, and only through `edit_note`, so every other byte of the note (other keys,
comments, quoting, the body) stays. Nothing is ever deleted: an empty cell changes nothing.

What refuses the whole file (listed `FILE:LINE: why`; `--skip-bad` leaves them out instead):
a row with a missing or invalid NIP, an unreadable amount, an unknown tier or status; rows of one
NIP that disagree on a key (reported, never guessed: that key is left as it is); a new client
without a name; a note that cannot be edited safely. Planning edits nothing, so `--dry-run`
shows exactly what a real run creates and changes, key by key.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from salesnotes.edit.editor import NoteText, edit_bytes, edit_note
from salesnotes.edit.newclient import NewClient
from salesnotes.errors import Problem, Refused, VaultError, file_problem, saying
from salesnotes.git import gitlog
from salesnotes.git.gitlog import Change
from salesnotes.i18n import Labels, Said
from salesnotes.imports.common import (
    PROGRESS_EVERY,
    Progress,
    cached_nip,
    commit_import,
    formatted_nip,
    note_planner,
    settle,
    unreadable_notes,
    write_files,
)
from salesnotes.imports.reader import (
    COLUMNS,
    Export,
    ExportError,
    normalize_header,
    read_export,
    said_all,
)
from salesnotes.load.vault import load_vault
from salesnotes.model.config import STATUSES
from salesnotes.model.money import parse_money, to_grosz
from salesnotes.model.vault import Vault
from salesnotes.model.where import CLIENTS
from salesnotes.read.note import Note, read_note

if TYPE_CHECKING:
    from salesnotes.git.gitlog import Change

# the front-matter keys an import may set, in the order a new note has them
KEYS = ("name", "tier", "status", "group", "region", "phone", "email", "budget", "potential",
        "owner", "competitor")
MONEY = ("budget", "potential")
EXTRA = ("group", "phone", "email", "budget", "potential", "owner", "competitor")  # NewClient.extra
_COLUMN = {"name": "client"}  # note key -> the reader's key, where they differ
_GROUP_HEADERS = frozenset(map(normalize_header, COLUMNS["group"]))
Value = str | Decimal


@dataclass(frozen=True)
class Update:
    """The keys one existing note gets: (key, old value or None, new value)."""

    path: PurePosixPath  # relative to the vault root
    nip: str
    changes: tuple[tuple[str, object, Value], ...]


@dataclass(frozen=True)
class ClientsImport:
    """The whole plan of one import; `written`/`commit` are filled once it has been applied."""

    source: Path
    rows: int  # data rows in the file
    clients: int  # distinct valid NIPs
    matched: int  # of them, held by a note
    columns: tuple[str, ...]  # the note keys this file maps
    created: list[tuple[Path, bytes]]
    updates: list[Update]
    skipped: list[Problem]  # only with skip_bad: what was left out, and why
    held: list[tuple[str, str, Said]] = field(default_factory=list)  # (NIP, name, why) not made
    kept_as_group: list[str] = field(default_factory=list)  # why a tier/status column is `group:`
    written: list[Path] = field(default_factory=list)
    commit: str | None = None
    # notes that already say what the file says: an earlier run may have written them and been
    # refused its commit (git busy), so the commit of this run holds them too (clients_changes)
    agreed: list[Update] = field(default_factory=list)


@dataclass
class _Client:
    """One NIP of the file, merged over its rows: values agreed by every row that has them."""

    nip: str
    line: int
    values: dict[str, tuple[Value, int]] = field(default_factory=dict)  # key -> (value, line)
    clashes: set[str] = field(default_factory=set)


# --- planning ----------------------------------------------------------------------------------

def plan_clients(vault: Vault, source: Path, today: date, *, skip_bad: bool = False,
                 mapping: Mapping[str, str] | None = None, encoding: str | None = None,
                 progress: Progress | None = None) -> ClientsImport:
    """Everything the import would do, or VaultError listing every reason it must not."""
    mapping = {**vault.config.import_maps.get("clients", {}), **(mapping or {})}
    export = read_export(Path(source), encoding=encoding, mapping=mapping, required=("nip",))
    columns = _columns(export, {k for k, header in mapping.items() if not header.strip()})
    kept = _tier_or_group(vault, export, columns, set(mapping))
    clients, problems = _read_clients(vault, export, columns, progress)
    updates, agreed, new, matched = _match(vault, export, clients, problems)
    if new and "name" not in columns:
        raise ExportError(export.problem(export.header_line, Said(
            "err_imp_no_name_column", n=len(new),
            headers=", ".join(h for h in export.headers if h))))
    created, held, refused = _create(vault, export, new, today)
    skipped = settle(problems + refused, skip_bad)
    return ClientsImport(Path(source), len(export.rows), len(clients), matched,
                         tuple(k for k in KEYS if k in columns), created,
                         sorted(updates, key=lambda u: u.path), skipped, held, kept,
                         agreed=agreed)


def _tier_or_group(vault: Vault, export: Export, columns: dict[str, str],
                   mapped: set[str]) -> list[str]:
    """A column recognised by its header as the tier (or status) is taken as one only when its
    values are: Subiekt's `Grupa` holds `Hurtownie`, `Detal`, which are groups, not tiers, and an
    ERP's `Status` says `Aktywny`. Such a column is kept as `group:` (plain text) and said so.
    A column named with --map, or headed `Segment`/`Tier`, stays strict: a wrong value there is
    a typo to report, not a group."""
    valid = {"tier": set(vault.config.tiers), "status": set(STATUSES)}
    kept = []
    for key in ("tier", "status"):
        if key not in columns or key in mapped:
            continue
        if key == "tier" and normalize_header(export.columns[key]) not in _GROUP_HEADERS:
            continue
        values = sorted({v for r in export.rows if (v := r.values.get(key, "").strip())})
        wrong = [v for v in values if v not in valid[key]]
        if not wrong:
            continue
        header = export.columns[key]
        del columns[key]
        shown = ", ".join(wrong[:3]) + (", …" if len(wrong) > 3 else "")
        if "group" not in columns and "group" not in mapped:
            columns["group"] = key
            kept.append(f"column {header!r} kept as group: (not {key} values: {shown})")
        else:
            kept.append(f"column {header!r} left out (not {key} values: {shown}; "
                        "name it with --map)")
    return kept


def _match(vault: Vault, export: Export, clients: Mapping[str, _Client], problems: list[Problem]
           ) -> tuple[list[Update], list[Update], list[_Client], int]:
    """(updates of the notes holding a NIP, the notes that say what the file says already,
    clients no note holds, how many NIPs matched); a NIP in two notes, or a note that cannot
    be edited, goes to `problems`."""
    by_nip: dict[str, list[Note]] = {}
    for note in vault.notes:
        if note.nip:
            by_nip.setdefault(note.nip, []).append(note)
    updates, agreed, new, matched = [], [], [], 0
    for client in clients.values():
        notes = by_nip.get(client.nip, [])
        matched += bool(notes)
        heads = [n for n in notes if not n.branch]
        if len(notes) > 1 and len(heads) == 1:
            notes = heads  # declared branches: the company's list updates the head
        if len(notes) > 1:
            paths = ", ".join(str(n.path) for n in notes)
            problems.append(export.problem(client.line, Said(
                "err_imp_nip_in_notes", nip=formatted_nip(client.nip), n=len(notes),
                paths=paths)))
        elif notes:
            update, refused = _update(vault, notes[0], client)
            updates += [update] if update else []
            problems += [refused] if refused else []
            if not update and not refused and client.values:
                agreed.append(Update(notes[0].path, client.nip, tuple(
                    (key, value, value) for key in KEYS
                    if (value := client.values.get(key, (None,))[0]) is not None)))
        else:
            new.append(client)
    return updates, agreed, new, matched


def _columns(export: Export, ignored: set[str]) -> dict[str, str]:
    """note key -> reader key, for the columns this file maps; a city stands in for a region
    (unless the region was ignored with `--map region=`)."""
    found = {key: _COLUMN.get(key, key) for key in KEYS if _COLUMN.get(key, key) in export.columns}
    if "region" not in found and "region" not in ignored and "city" in export.columns:
        found["region"] = "city"
    return found


def _read_clients(vault: Vault, export: Export, columns: Mapping[str, str],
                  progress: Progress | None) -> tuple[dict[str, _Client], list[Problem]]:
    """Rows typed and merged by NIP; bad rows and disagreeing rows as problems."""
    problems = list(export.problems)
    clients: dict[str, _Client] = {}
    nips: dict[str, str | Refused] = {}
    total = len(export.rows)
    for i, row in enumerate(export.rows):
        if progress and i % PROGRESS_EVERY == 0:
            progress(i, total)
        nip, values, errors = _row(vault, row.values, columns, nips)
        if errors or nip is None:
            problems.append(export.problem(row.line, said_all(errors)))
            continue
        client = clients.setdefault(nip, _Client(nip, row.line))
        problems += [export.problem(row.line, m) for m in _merge(client, values, row.line)]
    if progress:
        progress(total, total)
    for client in clients.values():
        for key in client.clashes:
            client.values.pop(key, None)  # reported, never guessed
    return clients, problems


def _row(vault: Vault, cells: Mapping[str, str], columns: Mapping[str, str],
         nips: dict[str, str | Refused]) -> tuple[str | None, dict[str, Value], list[Said]]:
    errors: list[Said] = []
    nip = cached_nip(cells.get("nip", ""), nips, errors)
    values: dict[str, Value] = {}
    for key, column in columns.items():
        text = cells.get(column, "").strip()
        if not text:
            continue  # an empty cell never deletes what the note says
        try:
            values[key] = _value(vault, key, text)
        except Refused as e:
            errors.append(Said("err_in", part=key, message=e.said))
    return nip, values, errors


def _value(vault: Vault, key: str, text: str) -> Value:
    """Money exact (never a float), tier and status as the config knows them, the rest text."""
    if key in MONEY:
        amount = parse_money(text)  # `240000` stays whole; `12000.5` is written `12000.50`
        return to_grosz(amount) if amount != amount.to_integral_value() else amount
    if key == "tier" and text not in vault.config.tiers:
        raise Refused(Said("err_unknown_tier", tier=text,
                                known=", ".join(vault.config.tiers)))
    if key == "status" and text not in STATUSES:
        raise Refused(Said("err_unknown_status", status=text, known=", ".join(STATUSES)))
    return unicodedata.normalize("NFC", text)


def _merge(client: _Client, values: Mapping[str, Value], line: int) -> list[Said]:
    """Add a row's values to its client; a key two rows disagree on is a clash."""
    clashes = []
    for key, value in values.items():
        before = client.values.setdefault(key, (value, line))
        if before[0] != value:
            clashes.append(Said("err_imp_clash", nip=formatted_nip(client.nip), key=key,
                                here=_shown(value), there=_shown(before[0]), line=before[1]))
            client.clashes.add(key)
    return clashes


def _update(vault: Vault, note: Note, client: _Client) -> tuple[Update | None, Problem | None]:
    """The keys whose value differs, tried on the note's text now so that a note that cannot be
    edited safely refuses the import before anything is written."""
    changes = []
    for key in KEYS:
        if key in client.values and _differs(getattr(note, key), client.values[key][0]):
            changes.append((key, getattr(note, key), client.values[key][0]))
    if not changes:
        return None, None

    try:
        text = NoteText((vault.root / note.path).read_bytes())
        _apply(tuple(changes))(text)
        text.to_bytes()
    except Refused as e:
        return None, saying(note.path, e.line, Said("err_imp_not_updated", message=e.said))
    except OSError as e:
        return None, file_problem(note.path, Said("err_cannot_read", why=e.strerror))
    return Update(note.path, client.nip, tuple(changes)), None


def _differs(old: object, new: Value) -> bool:
    if old is None or old == "":
        return True
    if isinstance(new, Decimal):
        return not isinstance(old, Decimal) or old != new
    return str(old) != new


def _apply(changes: tuple[tuple[str, object, Value], ...]) -> Callable[[object], None]:
    def change(text) -> None:  # noqa: ANN001 - edit.NoteText
        for key, _, value in changes:
            text.set_scalar(key, value)

    return change


def _create(vault: Vault, export: Export, clients: list[_Client], today: date
            ) -> tuple[list[tuple[Path, bytes]], list[tuple[str, str, Said]], list[Problem]]:
    """A note per new NIP, through the one note template; a new client needs a name. A NIP an
    unreadable note may hold is held back, with the reason (it could be a second note)."""
    if not clients:
        return [], [], []
    planner = note_planner(vault, today)
    unreadable = unreadable_notes(vault)
    created, held, problems = [], [], []
    for client in sorted(clients, key=lambda c: c.line):
        values = {k: v for k, (v, _) in client.values.items()}
        if (holder := unreadable.holder(client.nip)) is not None:
            held.append((client.nip, str(values.get("name") or ""), holder))
            continue
        if not values.get("name"):
            problems.append(export.problem(client.line, Said(
                "err_imp_new_no_name", nip=formatted_nip(client.nip))))
            continue
        planned = planner.plan(NewClient(
            str(values["name"]), client.nip, _text(values.get("tier")),
            str(values.get("status") or "active"), _text(values.get("region")),
            tuple((k, values[k]) for k in EXTRA if k in values)))
        if isinstance(planned, Said):
            problems.append(export.problem(client.line, Said("err_imp_cannot_create_note",
                                                             why=planned)))
        else:
            created.append(planned)
    return created, held, problems


def _text(value: Value | None) -> str | None:
    return None if value is None else str(value)


def _shown(value: object) -> Said | str:
    if value is None or value == "":
        return Said("err_imp_none")
    if isinstance(value, Decimal):
        return format(value, "f")
    return repr(str(value))


# --- applying ----------------------------------------------------------------------------------

def write_clients(root: Path, plan: ClientsImport) -> list[Path]:
    """Create the new notes, then edit the existing ones; returns the paths written."""
    written = write_files(root, {}, dict(plan.created))
    for update in plan.updates:
        path = root / update.path
        if edit_note(path, root, _apply(update.changes)):
            written.append(path)
    return written


def clients_changes(root: Path, plan: ClientsImport) -> list[Path | Change]:
    """What the commit holds: each updated note as its committed version with the import's
    values set (the rep's own uncommitted edits in it stay uncommitted), new notes whole.

    A re-run completes a run whose commit was refused (git busy: "saved, not committed"):
    a note that says what the file says but is not committed so is committed the same way,
    its committed version with the file's values set (or whole, when git does not have it:
    a note that run created)."""
    updates = {root / u.path: u for u in plan.updates}
    changes: list[Path | Change] = [
        Change(path, edit_bytes(updates[path].path, _apply(updates[path].changes)))
        if path in updates else path for path in plan.written]
    pending = gitlog.uncommitted(root, CLIENTS) if plan.agreed else set()
    changes += [Change(root / u.path, _caught_up(u)) for u in plan.agreed
                if u.path.as_posix() in pending]
    return changes


def _caught_up(agreed: Update) -> Callable[[bytes], bytes]:
    """The file's values set on another version of the note (git's committed one) where that
    version says otherwise, by the rule of a first run (`_update`): a version that says it all
    already stays byte for byte itself."""

    def redo(data: bytes) -> bytes:
        read = read_note(agreed.path, data)
        if read.note is None:
            raise VaultError(*read.problems)
        note = read.note
        changes = tuple((key, getattr(note, key), value) for key, _, value in agreed.changes
                        if _differs(getattr(note, key), value))
        return edit_bytes(agreed.path, _apply(changes))(data) if changes else data

    return redo


def clients_message(plan: ClientsImport) -> str:
    return (f"salesnotes: import clients {plan.source.name} ({len(plan.created)} created, "
            f"{len(plan.updates)} updated)")


def import_clients(root: Path, source: Path, today: date, *, dry_run: bool = False,
                   skip_bad: bool = False, mapping: Mapping[str, str] | None = None,
                   encoding: str | None = None, progress: Progress | None = None
                   ) -> ClientsImport:
    """Plan, write and commit in one call (for scripts, tests and the benchmark)."""
    vault = load_vault(root, git=False)
    plan = plan_clients(vault, source, today, skip_bad=skip_bad, mapping=mapping,
                        encoding=encoding, progress=progress)
    if dry_run:
        return plan
    plan = replace(plan, written=write_clients(root, plan))
    return replace(plan, commit=commit_import(root, vault, clients_changes(root, plan),
                                              clients_message(plan)))


# --- the report --------------------------------------------------------------------------------

def clients_summary(plan: ClientsImport, root: Path, t: Labels, *, dry_run: bool = False
                    ) -> list[str]:
    """The lines the command prints, in `t`'s words: each creation, each change as
    `key: old → new`."""
    out = [t.say("cli_import_columns", file=plan.source.name, rows=t.plural("row", plan.rows),
                 clients=t.plural("client", plan.clients),
                 columns=", ".join(plan.columns) or t.cli_import_nip_only)]
    out += plan.kept_as_group
    if plan.skipped:
        out.append(t.say("cli_import_skipped", what=t.plural("problem", len(plan.skipped))))
    created = "cli_import_would_create" if dry_run else "cli_import_created"
    for path, _ in plan.created:
        out.append(t.say(created, path=path.relative_to(root).as_posix()))
    out += [t.say("cli_import_held", nip=formatted_nip(nip), name=name or t.cli_import_no_name,
                  why=why) for nip, name, why in plan.held]
    updated = "cli_import_would_update" if dry_run else "cli_import_updated"
    for update in plan.updates:
        out.append(t.say(updated, path=update.path))
        out += [t.say("cli_import_change", key=key, old=_shown(old), new=_shown(new))
                for key, old, new in update.changes]
    unchanged = plan.matched - len(plan.updates)
    out.append(t.say(
        "cli_import_clients_done", matched=plan.matched, unchanged=unchanged,
        created=t.say("cli_import_to_create" if dry_run else "cli_import_n_created",
                      n=len(plan.created)),
        updated=t.say("cli_import_to_update" if dry_run else "cli_import_n_updated",
                      n=len(plan.updates))))
    if not dry_run and not plan.created and not plan.updates:
        out.append(t.cli_import_nothing)
    return out
