"""What `salesnotes export` hands a manager: clients, status or sales as one typed table.

A table is data, not text: each column has a kind (text, date, money, int), so the XLSX writer
gives Excel real dates and numbers and the CSV writer formats them for the vault's locale. The
header row is the note keys, the same words the rep sees in the notes' properties.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from salesnotes.model.portfolio import Book, ClientRow
from salesnotes.model.vault import Vault

Cell = str | date | Decimal | int | None
WHAT = ("clients", "status", "sales")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | date | money | int


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Cell, ...]]


def _cols(spec: str) -> tuple[Column, ...]:
    """`name:kind name:kind ...`; a bare name is text."""
    return tuple(Column(*(part.split(":") if ":" in part else (part, "text")))
                 for part in spec.split())


CLIENT_COLUMNS = _cols(
    "name file nip vat_id tier status region owner phone email potential:money budget:money "
    "last_contact:date next_contact:date breath days_overdue:int next_step competitor "
    "sales_this_year:money margin_this_year:money tags")
STATUS_COLUMNS = _cols(
    "name file nip tier status breath last_contact:date next_contact:date days_overdue:int "
    "next_step")
SALES_COLUMNS = _cols("date:date document nip client amount:money margin:money")


def export_table(what: str, vault: Vault, today: date, start: date | None = None,
                 end: date | None = None) -> Table:
    """The table for `what`; `start`/`end` (inclusive) bound the sales' dates."""
    if what == "sales":
        return Table("sales", SALES_COLUMNS, _sales(vault, start, end))
    book = Book.of(vault, today)
    if what == "status":
        return Table("status", STATUS_COLUMNS, [_status(r) for r in book.rows])
    return Table("clients", CLIENT_COLUMNS,
                 [_client(r) for r in sorted(book.rows, key=lambda r: str(r.note.path))])


def _status(r: ClientRow) -> tuple[Cell, ...]:
    n, b = r.note, r.breath
    overdue = b.days_overdue if b.state.value == "overdue" else None
    return (n.name, str(n.path), n.nip, r.tier, r.status, b.state.value, b.last, b.next, overdue,
            n.next_step)


def _client(r: ClientRow) -> tuple[Cell, ...]:
    n, b = r.note, r.breath
    overdue = b.days_overdue if b.state.value == "overdue" else None
    return (n.name, str(n.path), n.nip, n.vat_id, r.tier, r.status, n.region, n.owner, n.phone,
            n.email, n.potential, n.budget, b.last, b.next, b.state.value, overdue, n.next_step,
            n.competitor, r.actual_ytd, r.margin_ytd, ", ".join(n.tags) or None)


def _sales(vault: Vault, start: date | None, end: date | None) -> list[tuple[Cell, ...]]:
    return [(s.date, s.document, s.nip, s.client, s.amount, s.margin) for s in vault.sales
            if (start is None or s.date >= start) and (end is None or s.date <= end)]


def kinds(table: Table) -> Sequence[str]:
    return [c.kind for c in table.columns]
