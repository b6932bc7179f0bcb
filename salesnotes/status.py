"""Rows of `salesnotes status`: every client with its breath, the most urgent first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from salesnotes.breath import breath_of, urgency
from salesnotes.errors import Problem
from salesnotes.vault import Progress, Vault


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
    keyed = []
    for note in vault.notes:
        cadence = vault.cadence(note)
        info = breath_of(note, today, cadence, vault.git_contacts.get(str(note.path)))
        row = StatusRow(note.name, str(note.path), note.nip, note.tier or vault.config.default_tier,
                        note.status or "active", info.state.value, info.state.glyph, info.last,
                        info.next, info.days_overdue, note.next_step)
        keyed.append((urgency(note, info, cadence), row))
    keyed.sort(key=lambda kv: kv[0])
    return [row for _, row in keyed]


STATE_FILE = Path(".salesnotes") / "status.json"


def status_of(root: Path, today: date, progress: Progress | None = None
              ) -> tuple[list[StatusRow], list[Problem]]:
    """(rows, non-strict problems), from `.salesnotes/status.json` when no input changed since
    the last `status` (100,000 notes: a stat walk instead of loading every note), else computed
    and remembered. The same rows either way: the key is review's fingerprint plus git HEAD."""
    from salesnotes import reviewstate
    from salesnotes.vault import load_vault

    key = reviewstate.inputs_key(root, today, None, ("status",)) + reviewstate.git_head(root)
    try:
        state = json.loads((root / STATE_FILE).read_text(encoding="utf-8"))
        if state["key"] == key:
            return ([StatusRow(**_typed(r)) for r in state["rows"]],
                    [Problem(PurePosixPath(p), line, m) for p, line, m in state["problems"]])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    vault = load_vault(root, sales=False, progress=progress)
    rows = status_rows(vault, today)
    problems = [p for p in vault.problems if not p.strict]
    _remember(root, key, rows, problems)
    return rows, problems


def _typed(row: dict) -> dict:
    for k in ("last_contact", "next_contact"):
        row[k] = date.fromisoformat(row[k]) if row[k] else None
    return row


def _remember(root: Path, key: str, rows: list[StatusRow], problems: list[Problem]) -> None:
    from dataclasses import asdict

    from salesnotes.files import atomic_write

    data = {"key": key, "rows": [{**asdict(r), "last_contact": r.as_json()["last_contact"],
                                  "next_contact": r.as_json()["next_contact"]} for r in rows],
            "problems": [[str(p.path), p.line, p.message] for p in problems]}
    try:
        (root / STATE_FILE.parent).mkdir(exist_ok=True)
        atomic_write(root / STATE_FILE, json.dumps(data, ensure_ascii=False).encode("utf-8"),
                     root=root)
    except Exception:  # noqa: BLE001 - a read-only .salesnotes/ only costs the shortcut
        pass
