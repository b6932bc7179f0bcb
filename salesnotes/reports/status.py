"""Rows of `salesnotes status`: every client with its breath, the most urgent first."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from salesnotes.errors import Problem
from salesnotes.i18n import Labels
from salesnotes.local import store

if TYPE_CHECKING:
    from salesnotes.model.vault import Progress, Vault


@dataclass(frozen=True)
class StatusRow:
    name: str
    file: str
    nip: str | None
    tier: str
    status: str
    breath: str
    glyph: str
    last_contact: date | None
    next_contact: date | None
    days_overdue: int | None
    next_step: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name, "file": self.file, "nip": self.nip, "tier": self.tier,
            "status": self.status, "breath": self.breath,
            "last_contact": self.last_contact.isoformat() if self.last_contact else None,
            "next_contact": self.next_contact.isoformat() if self.next_contact else None,
            "days_overdue": self.days_overdue,
        }


def status_rows(vault: Vault, today: date) -> list[StatusRow]:
    # with the rows: a status with nothing changed shows the remembered ones
    from salesnotes.model.breath import breath_of, urgency

    keyed = []
    for note in vault.notes:
        cadence = vault.cadence(note)
        info = breath_of(note, today, cadence, *vault.outside(note))
        row = StatusRow(note.name, str(note.path), note.nip, note.tier or vault.config.default_tier,
                        note.status or "active", info.state.value, info.state.glyph, info.last,
                        info.next, info.days_overdue, note.next_step)
        keyed.append((urgency(note, info, cadence), row))
    keyed.sort(key=lambda kv: kv[0])
    return [row for _, row in keyed]


STATE_FILE = "status.json"  # the key and the problems
ROWS_FILE = "status-rows.txt"  # the key, then the rows as JSON lists
OUTPUT_FILE = "status-out.txt"  # the key, then `status --json` as a script gets it
TABLE_FILE = "status-table.txt"  # the key, then the table before it is cut to width
_STATE_VERSION = 1
_FIELDS = tuple(f.name for f in fields(StatusRow))
_DATES = ("last_contact", "next_contact")


@dataclass
class Status:
    """What `status` shows. Remembered rows are made only when asked: a script's `--json` of
    100,000 clients is the text remembered last time (what stands between it and 1.2 s is
    the stat walk, not 100,000 objects made and serialized again)."""

    problems: list[Problem]
    locale: str
    computed: list[StatusRow] | None = None
    remembered: Callable[[str], str | None] | None = None  # file -> its text, when still valid
    compute: Callable[[], list[StatusRow]] | None = None  # when a remembered file is not

    @property
    def rows(self) -> list[StatusRow]:
        if self.computed is None:
            text = self.remembered(ROWS_FILE) if self.remembered else None
            if text is not None:
                self.computed = [_row(r) for r in json.loads(text)]
            else:  # another status overwrote it meanwhile: never show a stale or empty list
                self.computed = self.compute() if self.compute else []
        return self.computed

    def json(self, pretty: bool = False) -> str:
        """The versioned JSON object of the rows: indented for a person, compact for a script."""
        if not pretty and self.computed is None and self.remembered:
            text = self.remembered(OUTPUT_FILE)
            if text is not None:
                return text
        return _json(self.rows, pretty)

    def table(self) -> list[str]:
        """The terminal table's lines, a header first, each as long as its cells make it."""
        if self.computed is None and self.remembered:
            text = self.remembered(TABLE_FILE)
            if text is not None:
                return text.split("\n")
        return table(self.rows, Labels(self.locale))


COLUMNS = ("client", "tier", "status", "last", "next", "late", "next_step")


def table(rows: list[StatusRow], t: Labels) -> list[str]:
    """Aligned columns in the vault's language; a status salesnotes knows is said in it too."""
    # with the rows: a status with nothing changed shows the remembered table
    from salesnotes.model.config import STATUSES

    head = [t[f"cli_status_{c}"] for c in COLUMNS]
    statuses = {s: t[s] for s in STATUSES}
    widths = (min(36, max([len(r.name) for r in rows] + [len(head[0])])),
              max(4, len(head[1])), max(len(head[2]), *map(len, statuses.values())),
              max(10, len(head[3])), max(10, len(head[4])), max(4, len(head[5])))
    lines = [_line(("", *head), widths)]
    for r in rows:
        late = str(r.days_overdue) if r.breath == "overdue" else ""
        lines.append(_line((r.glyph, r.name, r.tier, statuses.get(r.status, r.status),
                            _d(r.last_contact), _d(r.next_contact), late, r.next_step or ""),
                           widths))
    return lines


def _line(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    glyph, name, tier, status, last, nxt, late, step = cells
    name_w, tier_w, status_w, last_w, next_w, late_w = widths
    name = " ".join(name.split())
    name = name if len(name) <= name_w else name[: name_w - 1] + "…"
    glyph = glyph or "  "  # an emoji takes two columns
    return (f"{glyph} {name:<{name_w}}  {tier:<{tier_w}} {status:<{status_w}} {last:<{last_w}}  "
            f"{nxt:<{next_w}}  {late:>{late_w}}  {step}")


def _d(d: date | None) -> str:
    return d.isoformat() if d else "-"


def status_of(root: Path, today: date, progress: Progress | None = None) -> Status:
    """The rows and the non-strict problems, from `.salesnotes/` when no input changed since
    the last `status` (100,000 notes: a stat walk instead of loading every note), else computed
    and remembered. The same rows either way: the key is review's fingerprint plus git HEAD."""
    # status_of composes local state and git, which sit above this module
    from salesnotes.git.run import head
    from salesnotes.local import reviewstate

    key = (reviewstate.inputs_key(root, today, None, ("status", f"json{JSON_VERSION}"))
           + head(root))

    def compute() -> tuple[list[StatusRow], list[Problem], str]:
        # the loader sits above this module, and a status with nothing changed does not load
        from salesnotes.load.vault import load_vault

        vault = load_vault(root, sales=False, progress=progress, today=today)
        return (status_rows(vault, today), [p for p in vault.problems if not p.strict],
                vault.config.locale)

    state = store.read_json(store.path(root, STATE_FILE), _STATE_VERSION)
    try:
        if state is not None and state["key"] == key:
            return Status([Problem.from_row(row) for row in state["problems"]],
                          state["locale"],
                          remembered=lambda name: _remembered(store.path(root, name), key),
                          compute=lambda: compute()[0])
    except (KeyError, TypeError, ValueError):
        pass
    rows, problems, locale = compute()
    _remember(root, key, rows, problems, locale)
    return Status(problems, locale, rows)


JSON_VERSION = 1  # `status --json`: {"version": 1, "clients": [...]}; scripts check the version


def _json(rows: list[StatusRow], pretty: bool) -> str:
    # the C encoder (5x faster) only runs without indent
    return json.dumps({"version": JSON_VERSION, "clients": [r.as_json() for r in rows]},
                      ensure_ascii=False, indent=2 if pretty else None)


def _row(values: list) -> StatusRow:
    row = dict(zip(_FIELDS, values, strict=True))
    for k in _DATES:
        row[k] = date.fromisoformat(row[k]) if row[k] else None
    return StatusRow(**row)


def _remembered(path: Path, key: str) -> str | None:
    """The text after the key line, when the file was written with this key."""
    try:
        head, _, text = path.read_text(encoding="utf-8").partition("\n")
    except (OSError, ValueError):
        return None
    return text if head == key else None


def _remember(root: Path, key: str, rows: list[StatusRow], problems: list[Problem],
              locale: str) -> None:
    """The big files first, the key file last: a crash in between leaves a key that no longer
    matches, or big files whose own key line does not; either way status computes again. A
    read-only `.salesnotes/` only costs the shortcut."""
    listed = [[(v.isoformat() if v else None) if f in _DATES else v
               for f in _FIELDS for v in (getattr(r, f),)] for r in rows]
    texts = {ROWS_FILE: json.dumps(listed, ensure_ascii=False), OUTPUT_FILE: _json(rows, False),
             TABLE_FILE: "\n".join(table(rows, Labels(locale)))}
    state = store.path(root, STATE_FILE)
    try:
        store.make_folder(state.parent)
        state.unlink(missing_ok=True)
    except OSError:
        return
    if all([store.write_text(store.path(root, name), f"{key}\n{text}")
            for name, text in texts.items()]):
        store.write_json(state, _STATE_VERSION, {
            "key": key, "locale": locale, "problems": [p.as_row() for p in problems]})
