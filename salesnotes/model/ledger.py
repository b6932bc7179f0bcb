"""The sales ledger: `sales/<YYYY-MM>.csv`, one normalized row per sale document.

`import sales` writes it and the Budget and Pay views sum it, so its format is fixed to the byte:
UTF-8 without BOM, `\\n` newlines, header `date,document,nip,client,amount,margin`, ISO dates,
point decimals with two places, rows sorted by (date, document), minimal quoting. The same sales
therefore always render to the same bytes, and a re-import rewrites nothing.

The key of a sale is its document number: an ERP never issues the same number twice, while NIP,
date and client all legitimately repeat. A sale without a document number cannot be keyed, so
the importer must report such a row as bad; `merge_sales` refuses one.

Text cells starting with `= + - @ TAB CR` are written with a leading `'` (OWASP CSV injection),
so a ledger opened in Excel never runs a client's name as a formula; reading removes it again.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import islice, repeat
from operator import attrgetter, eq, itemgetter, lt
from pathlib import Path, PurePosixPath

from salesnotes.errors import Problem, saying
from salesnotes.i18n import Said
from salesnotes.model.money import LIMIT_DIGITS, PLACES, to_grosz
from salesnotes.read.compact import day as day_of

HEADER = ("date", "document", "nip", "client", "amount", "margin")
LEDGER_DIR = "sales"
_MONTH_FILE = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])\.csv")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_NEEDS_GUARD = re.compile(r"'*[=+\-@\t\r]")  # a leading run of `'` is escaped too: exact trip
_GUARDED = re.compile(r"'+[=+\-@\t\r]")


@dataclass(frozen=True, slots=True)
class Sale:
    """One sale document: net amount and margin in PLN, exact. Slotted: a team ledger holds
    hundreds of thousands, and a per-sale dict doubled what each one costs."""

    date: date
    document: str
    nip: str | None  # 10 compact digits
    client: str
    amount: Decimal
    margin: Decimal | None = None


SALE_FIELDS = tuple(f.name for f in fields(Sale))
# Each field's slot, set straight (in C, no __init__ per sale): see `sales_of_columns`.
_SLOTS = tuple(getattr(Sale, name).__set__ for name in SALE_FIELDS)
_DATE_DOCUMENT = attrgetter("date", "document")
_DOCUMENT = attrgetter("document")
_TEXT_OR_NONE = {str, type(None)}


def sale_columns(sales: Iterable[Sale]) -> tuple[tuple, ...]:
    """Sales as one tuple per field, amounts as their text: what `sales_of_columns` reads."""
    sales = tuple(sales)
    dates, documents, nips, clients, amounts, margins = (
        tuple(map(attrgetter(name), sales)) for name in SALE_FIELDS)
    return (dates, documents, nips, clients, tuple(map(str, amounts)),
            tuple(None if m is None else str(m) for m in margins))


def sales_of_columns(columns: tuple[tuple, ...]) -> tuple[Sale, ...]:
    """The sales `sale_columns` was given, equal field by field. Each is made bare and its
    slots filled by C-level maps, a column at a time: a frozen dataclass's __init__ costs a
    Python call and six `object.__setattr__` per sale (a warm review makes 20,000 of them at
    10k clients: 70 -> 25 ms). Raises ValueError, TypeError or ArithmeticError for columns
    not made so."""
    dates, documents, nips, clients, amounts, margins = columns
    count = len(dates)
    if any(len(c) != count for c in columns):
        raise ValueError("columns of unequal length")
    if not (set(map(type, dates)) <= {date} and set(map(type, documents)) <= {str}
            and set(map(type, clients)) <= {str} and set(map(type, amounts)) <= {str}
            and set(map(type, nips)) <= _TEXT_OR_NONE and set(map(type, margins)) <= _TEXT_OR_NONE):
        raise TypeError("a column of the wrong type")
    sales = list(map(object.__new__, repeat(Sale, count)))
    values = (dates, documents, nips, clients, map(Decimal, amounts),
              [None if m is None else Decimal(m) for m in margins])
    for slot, column in zip(_SLOTS, values, strict=True):
        deque(map(slot, sales, column), 0)
    return tuple(sales)


@dataclass(frozen=True)
class MergeResult:
    """What an import adds: new documents, how many were already there, and the documents whose
    ledger row differs from the import (existing, new) — reported, never overwritten."""

    added: list[Sale]
    unchanged: int
    conflicts: list[tuple[Sale, Sale]]


def month_path(day: date) -> str:
    """`sales/2026-03.csv`, relative to the vault root."""
    return f"{LEDGER_DIR}/{day:%Y-%m}.csv"


def normalized(sale: Sale) -> Sale:
    """The sale as the ledger stores it: amounts rounded half-up to the grosz."""
    margin = None if sale.margin is None else _grosz(sale.margin)
    return replace(sale, amount=_grosz(sale.amount), margin=margin)


def _grosz(value: Decimal) -> Decimal:
    rounded = to_grosz(value)
    return rounded if rounded else abs(rounded)  # never `-0.00`


# --- writing -----------------------------------------------------------------------------------

def render_month(sales: Iterable[Sale]) -> bytes:
    """One month's file, byte-deterministic. All sales must fall in one month."""
    sales = sorted(map(normalized, sales), key=_order)
    if len({month_path(s.date) for s in sales}) > 1:
        raise ValueError("render_month got sales from more than one month")
    lines = [",".join(HEADER)] + [",".join(map(_cell, _cells(s))) for s in sales]
    return ("\n".join(lines) + "\n").encode("utf-8")


def ledger_files(sales: Iterable[Sale]) -> dict[str, bytes]:
    """Relative path (`sales/2026-03.csv`) -> content, for every month holding a sale."""
    months: dict[str, list[Sale]] = {}
    for sale in sales:
        months.setdefault(month_path(sale.date), []).append(sale)
    return {path: render_month(group) for path, group in sorted(months.items())}


def _order(sale: Sale) -> tuple:
    """(date, document), then every other field, so even duplicates sort the same way."""
    margin = Decimal(0) if sale.margin is None else sale.margin
    return (sale.date, sale.document, sale.nip or "", sale.client, sale.amount, margin)


def _cells(sale: Sale) -> tuple[str, ...]:
    margin = "" if sale.margin is None else format(sale.margin, "f")
    return (sale.date.isoformat(), guard(sale.document), guard(sale.nip or ""),
            guard(sale.client), format(sale.amount, "f"), margin)


def _cell(text: str) -> str:
    """Minimal quoting; unlike csv.writer with `\\n` lines, a bare CR is quoted too."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def guard(text: str) -> str:
    """`=HYPERLINK(...)` -> `'=HYPERLINK(...)`: a spreadsheet shows it as text."""
    return "'" + text if _NEEDS_GUARD.match(text) else text


def unguard(text: str) -> str:
    """The inverse of `guard`."""
    return text[1:] if _GUARDED.match(text) else text


# --- reading -----------------------------------------------------------------------------------

Rows = list[tuple[str, int, Sale]]  # (vault path, line, sale)
_SALE_OF_ROW = itemgetter(2)
FileParser = Callable[[str, Path], tuple[Rows, list[Problem]]]  # (vault path, file); OSError


def read_ledger(root: Path, parse_file: FileParser | None = None
                ) -> tuple[list[Sale], list[Problem]]:
    """Every sale under `<root>/sales/`, sorted by (date, document); problems as path:line.

    `parse_file` stands in for parsing one month's file (load/ hands in the parse cache of
    `.salesnotes/`); it must give what `parse_file_rows` gives for the file's bytes."""
    parse_file = parse_file or _parsed
    folder = root / LEDGER_DIR
    if not folder.is_dir():
        return [], []
    found: list[tuple[str, int, Sale]] = []
    problems: list[Problem] = []
    for file in sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv"):
        rel = f"{LEDGER_DIR}/{file.name}"
        if not _MONTH_FILE.fullmatch(file.name):
            problems.append(_problem(rel, 0, Said("err_ledger_name")))
            continue
        try:
            rows, bad = parse_file(rel, file)
        except OSError as e:
            problems.append(_problem(rel, 0, Said("err_cannot_read", why=e.strerror)))
            continue
        found += rows
        problems += bad
    problems += _repeated_documents(found)
    return _sorted([s for _, _, s in found]), problems


def _sorted(sales: list[Sale]) -> list[Sale]:
    """`sorted(sales, key=_order)`: by (date, document) alone, a C-level key, when no two
    sales share both (the ledger's own rule: then the rest of `_order` never decides).
    Sales read in order (each month file is written sorted, the months come in order) are
    handed back as they are: a sort holds a key per sale (200,000 sales at 100,000 notes:
    ~15 MB of (date, document) pairs, then a list of them again to find a tie), while the
    check makes each pair as it compares it."""
    if all(map(lt, map(_DATE_DOCUMENT, sales), map(_DATE_DOCUMENT, islice(sales, 1, None)))):
        return sales  # strictly increasing: sorted already, and no two share both
    ranked = sorted(sales, key=_DATE_DOCUMENT)
    if any(map(eq, map(_DATE_DOCUMENT, ranked), map(_DATE_DOCUMENT, islice(ranked, 1, None)))):
        return sorted(sales, key=_order)
    return ranked


def parse_ledger(files: Iterable[tuple[str, bytes]]) -> tuple[list[Sale], list[Problem]]:
    """`read_ledger` for files given as (vault path, bytes), e.g. blobs of a rep's commit."""
    found: list[tuple[str, int, Sale]] = []
    problems: list[Problem] = []
    for rel, data in sorted(files):
        if not _MONTH_FILE.fullmatch(rel.rpartition("/")[2]):
            problems.append(_problem(rel, 0, Said("err_ledger_name")))
            continue
        rows, bad = parse_file_rows(rel, data)
        found += rows
        problems += bad
    problems += _repeated_documents(found)
    return _sorted([s for _, _, s in found]), problems


def _parsed(rel: str, file: Path) -> tuple[Rows, list[Problem]]:
    return parse_file_rows(rel, file.read_bytes())


def parse_month(relpath: str, data: bytes) -> tuple[list[Sale], list[Problem]]:
    """One ledger file's sales and problems; `relpath` (`sales/2026-03.csv`) names the month."""
    rows, problems = parse_file_rows(relpath, data)
    return [s for _, _, s in rows], problems + _repeated_documents(rows)


def parse_file_rows(rel: str, data: bytes) -> tuple[Rows, list[Problem]]:
    """One month file's rows (with their lines) and its own problems; a document repeated
    across files is found by the caller, once every file is read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return [], [_problem(rel, data.count(b"\n", 0, e.start) + 1, Said("err_not_utf8_plain"))]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[str, int, Sale]] = []
    problems: list[Problem] = []
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if header is None or tuple(c.strip() for c in header) != HEADER:
        return [], [_problem(rel, 1, Said("err_ledger_header", header=",".join(HEADER)))]
    named = _MONTH_FILE.fullmatch(PurePosixPath(rel).name)
    month = f"{named[1]}-{named[2]}" if named else None  # every sale's date must be in it
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return rows, problems
        except csv.Error as e:
            return rows, problems + [_problem(rel, line, Said("err_cells_split", why=str(e)))]
        if any(c.strip() for c in cells):
            _parse_row(rel, month, line, cells, rows, problems)


def _parse_row(rel: str, month: str | None, line: int, cells: list[str], rows: list,
               problems: list) -> None:
    """Append the row's sale, or its problem. A sale with a doubtful field is still kept (and
    reported): the ledger is the rep's record, and dropping a row would hide money."""
    if len(cells) != len(HEADER):
        problems.append(_problem(rel, line, Said("err_cells_count", n=len(cells),
                                                   expected=len(HEADER))))
        return
    day, document, nip, client, amount, margin = cells
    when = _iso_date(day)
    if when is None:
        problems.append(_problem(rel, line, Said("err_ledger_date", text=repr(day))))
        return
    for text in (amount, margin) if margin else (amount,):
        if not _PLAIN.fullmatch(text):
            problems.append(_problem(rel, line, Said("err_ledger_amount", text=repr(text))))
            return
        whole, _, places = text.lstrip("-").partition(".")
        if len(places.rstrip("0")) > PLACES:
            problems.append(_problem(rel, line, Said("err_amount_places", text=repr(text),
                                                     places=PLACES)))
            return
        if len(whole.lstrip("0")) > LIMIT_DIGITS:
            problems.append(_problem(rel, line, Said("err_amount_too_large", text=repr(text))))
            return
    nip = unguard(nip)  # a client's name and NIP repeat on each of its sales: held once
    sale = Sale(day_of(when), unguard(document), sys.intern(nip) if nip else None,
                sys.intern(unguard(client)), Decimal(amount), Decimal(margin) if margin else None)
    if not sale.document:
        problems.append(_problem(rel, line, Said("err_no_document")))
    if sale.nip is not None and not _valid_nip(sale.nip):
        problems.append(_problem(rel, line, Said("err_invalid_nip", nip=repr(sale.nip))))
    if month is not None and day[:7] != month:
        problems.append(_problem(rel, line, Said("err_date_not_in_month", date=str(sale.date),
                                                   month=month)))
    rows.append((rel, line, sale))


def _iso_date(text: str) -> date | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def _valid_nip(nip: str) -> bool:
    """A ledger repeats each client's NIP on every sale: check each NIP once."""
    # python-stdnum only when a ledger file is parsed: a warm review finds every month parsed
    from stdnum.pl import nip as nip_number

    return len(nip) == 10 and nip_number.is_valid(nip)


def _repeated_documents(rows: list[tuple[str, int, Sale]]) -> list[Problem]:
    documents = list(map(_DOCUMENT, map(_SALE_OF_ROW, rows)))
    if len(set(documents)) == len(documents):  # every document once: one C-level pass
        return []
    first: dict[str, tuple[str, int]] = {}
    problems = []
    for rel, line, sale in rows:
        if sale.document and sale.document in first:
            where = "{}:{}".format(*first[sale.document])
            problems.append(_problem(rel, line, Said("err_document_again",
                                                     document=repr(sale.document), where=where)))
        first.setdefault(sale.document, (rel, line))
    return problems


def _problem(rel: str, line: int, message: Said) -> Problem:
    return saying(rel, line, message)


# --- merging -----------------------------------------------------------------------------------

def merge_sales(existing: Iterable[Sale], new: Iterable[Sale]) -> MergeResult:
    """Add the new documents; an import row equal (to the grosz) to its ledger row is unchanged,
    a different one is a conflict. A document repeated within `new` is compared with its first
    occurrence the same way (use `combine_lines` first for exports with one row per line item).
    Raises ValueError for a sale without a document number: the importer must reject those."""
    known = {s.document: normalized(s) for s in reversed(list(existing)) if s.document}
    added: list[Sale] = []
    conflicts: list[tuple[Sale, Sale]] = []
    unchanged = 0
    for sale in map(normalized, new):
        if not sale.document.strip():
            raise ValueError(f"sale without a document number: {sale}")
        before = known.setdefault(sale.document, sale)
        if before is sale:
            added.append(sale)
        elif before == sale:
            unchanged += 1
        else:
            conflicts.append((before, sale))
    return MergeResult(added, unchanged, conflicts)


def combine_lines(lines: Iterable[Sale]) -> tuple[list[Sale], list[tuple[Sale, Sale]]]:
    """One sale per document from an export with one row per invoice line: amounts and margins
    (each rounded to the grosz first, as invoices do) are summed. Lines of one document that
    disagree on date, NIP or client are returned as (first, other) pairs and not summed."""
    sales: dict[str, Sale] = {}
    disagree: list[tuple[Sale, Sale]] = []
    for line in map(normalized, lines):
        first = sales.setdefault(line.document, line)
        if first is line:
            continue
        if (first.date, first.nip, first.client) != (line.date, line.nip, line.client):
            disagree.append((first, line))
            continue
        margin = None if first.margin is None and line.margin is None else (
            (first.margin or Decimal(0)) + (line.margin or Decimal(0)))
        sales[line.document] = normalized(
            replace(first, amount=first.amount + line.amount, margin=margin))
    return list(sales.values()), disagree
