"""A rep's vault as of one fetched commit: notes, ledger and config read from git blobs.

Every figure a manager sees must equal what the rep's own `review` shows, so the vault is built
by the same reader and the same checks (`read_note`, `parse_config`, `parse_ledger`,
`assemble`); only the bytes come from blobs instead of files. Parsed notes are kept per
(path, blob id): the next sync reads only the blobs that changed, and a rewritten history
(force push) costs nothing special, since an unchanged file keeps its blob id.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from operator import attrgetter
from pathlib import Path, PurePosixPath

from salesnotes.errors import Problem, VaultError
from salesnotes.git import mirror
from salesnotes.git.history import contact_dates
from salesnotes.i18n import Said
from salesnotes.local import cache
from salesnotes.local.dailycache import SKIPPED_TOP, DailyLinks
from salesnotes.model.config import CONFIG_FILE, Config, parse_config
from salesnotes.model.ledger import Sale, parse_ledger
from salesnotes.model.vault import CLIENTS, Vault, assemble
from salesnotes.read.daily import daily_date, link_targets
from salesnotes.read.note import ReadResult, read_note

LEDGER = "sales"


@dataclass
class Parsed:
    """What one rep's sync keeps for the next: parsed notes by blob, the contact log's state."""

    notes: dict[tuple[str, str], ReadResult] = field(default_factory=dict)
    contacts_at: str | None = None  # the commit whose contact log `contacts` holds
    contacts: dict[str, date] = field(default_factory=dict)
    ledger_of: tuple[tuple[str, str], ...] = ()  # the ledger files (path, blob) `ledger` holds
    ledger: tuple[list, list[Problem]] = ([], [])
    daily: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    # the notes as the note cache's rows, as kept on disk (`stored`); made once per blob
    rows: dict[tuple[str, str], bytes] = field(default_factory=dict)
    reader: tuple[tuple[str, str], ...] = ()  # the parser the rows come from

    def daily_links(self) -> list[DailyLinks]:
        """Every daily note's links, as the rep's own review reads them from files."""
        out = []
        for (path, _), links in sorted(self.daily.items()):
            when = daily_date(path.rpartition("/")[2])
            if when is not None:
                out.append((when, path, links))
        return out


def stored(parsed: Parsed) -> Parsed:
    """What is kept on disk: each note as a row of the note cache's format, not as objects.

    A row is written once per blob and then only copied as bytes, so a rep who changed 20
    notes costs 20 rows, not a new pickle of 2,000 notes; reading rows back costs what
    unpickling the objects did."""
    old = parsed.rows
    rows = {key: old.get(key) or cache.note_row(result) for key, result in parsed.notes.items()}
    sales, problems = parsed.ledger
    return replace(parsed, notes={}, rows=rows, reader=_reader(),
                   ledger=(list(map(_sale_fields, sales)), problems))


def restored(kept: object) -> Parsed | None:
    """A kept summary with its notes read back from their rows; None when it is not one, or
    was made by another parser (every note is then read again)."""
    if not isinstance(kept, Parsed) or kept.reader != _reader():
        return None
    notes = {}
    for key, row in kept.rows.items():
        result = cache.note_of_row(row, PurePosixPath(key[0]))
        if result is not None:  # an untrusted row: that note is read again
            notes[key] = result
    rows = {key: kept.rows[key] for key in notes}
    sales, problems = kept.ledger
    return replace(kept, notes=notes, rows=rows,
                   ledger=([Sale(*values) for values in sales], problems))


# A sale kept as its fields in order: unpickling a slotted dataclass runs Python code for each
# one (a rep's ledger is thousands), building it from a tuple does not.
_sale_fields = attrgetter(*(f.name for f in fields(Sale)))


def _reader() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(cache.identity().items()))


def is_note(path: str) -> bool:
    """A client note as the rep's own vault walks them: `.md` under clients/, no hidden part."""
    parts = path.split("/")
    return (parts[0] == CLIENTS and len(parts) > 1 and path.endswith(".md")
            and not any(p.startswith(".") for p in parts))


def read_commit(git_dir: Path, commit: str, root: Path, parsed: Parsed | None
                ) -> tuple[Vault, Parsed]:
    """The vault at `commit` of the mirror `git_dir`; `root` is where its problems point."""
    files = mirror.files_at(git_dir, commit, [])
    if CONFIG_FILE not in files:
        raise mirror.MirrorError(Said("err_team_not_a_vault", config=CONFIG_FILE,
                                      commit=commit[:12]))
    old = parsed or Parsed()
    notes = {p: b for p, b in files.items() if is_note(p)}
    ledger = {p: b for p, b in files.items()
              if p.startswith(f"{LEDGER}/") and p.count("/") == 1 and p.lower().endswith(".csv")}
    fresh = [(p, b) for p, b in notes.items() if (p, b) not in old.notes]
    ledger_of = tuple(sorted(ledger.items()))
    same_ledger = ledger_of == old.ledger_of
    blobs = mirror.read_blobs(git_dir, [*(b for _, b in fresh), files[CONFIG_FILE],
                                        *(() if same_ledger else ledger.values())])
    kept = {(p, b): old.notes[(p, b)] for p, b in notes.items() if (p, b) in old.notes}
    kept.update({(p, b): read_note(PurePosixPath(p), blobs[b], summary=True) for p, b in fresh})
    config, problems = _config(blobs[files[CONFIG_FILE]])
    sold = old.ledger if same_ledger else parse_ledger((p, blobs[b]) for p, b in ledger_of)
    contacts = _contacts(git_dir, commit, old)
    results = [kept[(p, b)] for p, b in sorted(notes.items())]
    vault = assemble(root, config, problems, results, sold[0], sold[1], contacts)
    daily = _daily(git_dir, files, config.daily_notes, old)
    rows = {key: row for key in kept if (row := old.rows.get(key)) is not None}
    return vault, Parsed(kept, commit, contacts, ledger_of, sold, daily, rows)


def is_daily(path: str, folder: str | None) -> bool:
    """A daily note where the rep's own vault looks for them (salesnotes/local/dailycache.py):
    under `daily_notes:`, else anywhere but clients/, views/, templates/, sales/ and hidden."""
    parts = path.split("/")
    if any(p.startswith(".") for p in parts) or daily_date(parts[-1]) is None:
        return False
    if folder:
        return path.startswith(f"{folder.strip('/')}/")
    return len(parts) == 1 or parts[0] not in SKIPPED_TOP


def _daily(git_dir: Path, files: dict[str, str], folder: str | None, old: Parsed
           ) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Each daily note's links by (path, blob): only new or changed daily notes are read."""
    wanted = [(p, b) for p, b in files.items() if is_daily(p, folder)]
    fresh = [(p, b) for p, b in wanted if (p, b) not in old.daily]
    blobs = mirror.read_blobs(git_dir, [b for _, b in fresh])
    out = {key: old.daily[key] for key in wanted if key in old.daily}
    for p, b in fresh:
        try:
            out[(p, b)] = link_targets(blobs[b].decode("utf-8-sig"))
        except UnicodeDecodeError:
            out[(p, b)] = []  # not text: no links (a daily note is never an error)
    return out


def _config(data: bytes) -> tuple[Config, list[Problem]]:
    try:
        return parse_config(data)
    except VaultError as e:
        first = e.problems[0]
        raise mirror.MirrorError(Said("err_team_config", where=f"{first.path}:{first.line}",
                                      message=first.said or first.message)) from None


def _contacts(git_dir: Path, commit: str, old: Parsed) -> dict[str, date]:
    """The rep's `contact:` commits, read only since the last sync when history went on."""
    if old.contacts_at == commit:
        return old.contacts
    if old.contacts_at and mirror.is_ancestor(git_dir, old.contacts_at, commit):
        merged = dict(old.contacts)
        for path, day in contact_dates(git_dir, f"{old.contacts_at}..{commit}").items():
            merged[path] = max(day, merged.get(path, day))
        return merged
    return contact_dates(git_dir, commit)
