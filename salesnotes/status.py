"""Rows of `salesnotes status`: every client with its breath, the most urgent first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from salesnotes.breath import breath_of, urgency
from salesnotes.vault import Vault


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
