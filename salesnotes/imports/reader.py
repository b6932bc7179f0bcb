"""One reader for every ERP or accounting export: a CSV or XLSX file in, text by column out.

`import sales` and `import clients` both read through here, so an export that works for one works
for the other. The reader does not interpret values: each row keeps its cells' text (stripped)
under canonical keys (`nip`, `amount`, ...), and the parsers the notes use too
(`model/money.parse_money`, `read/fields.parse_nip`, and `parse_date` here: the one date grammar
in the import's words) turn text into values where the importer decides what a bad value means.
The reader refuses whatever would make it guess: an undecodable byte, a duplicated header it
would use, a missing required column, an XLSX formula whose value was never computed.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from salesnotes.errors import Problem, Refused, VaultError, file_problem, saying
from salesnotes.i18n import Said
from salesnotes.model.columns import COLUMNS
from salesnotes.model.ledger import HEADER as LEDGER_HEADER
from salesnotes.model.ledger import unguard
from salesnotes.model.money import parse_money, to_grosz
from salesnotes.read import fields

MAX_BYTES = 50 * 1024 * 1024  # an export bigger than this is not a rep's sales file
MAX_UNZIPPED = 500 * 1024 * 1024  # an XLSX that inflates beyond this is a zip bomb
XLSX_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = ";\t,"  # in tie-break order: Polish Excel writes `;`
TOTAL_WORDS = ("razem", "suma", "total", "ogolem")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and newlines are text
SERIAL_DATES = (25569, 109575)  # Excel serials of 1970-01-01 and 2200-01-01; others stay numbers
HEADER_SCAN = 20  # rows searched for the header below a report's title lines

def said_all(parts: Sequence[Said | str]) -> Said:
    """Everything wrong with one row, in one message: the parts one after the other."""
    return Said("err_all", parts=tuple(x for i, p in enumerate(parts)
                                       for x in (("; ", p) if i else (p,))))


class ExportError(VaultError):
    """The export as a whole cannot be read (exit 1); carries every problem found."""


class OptionError(ExportError):
    """`--map` or `--encoding` does not fit the file: wrong usage (exit 2)."""

    exit_code = 2


@dataclass(frozen=True)
class Row:
    """One data row: its line (CSV line or sheet row) and the text of each mapped column."""

    line: int
    values: dict[str, str]  # canonical key -> stripped text; "" when the cell is empty


@dataclass(frozen=True)
class Export:
    """What an export holds, before any value is interpreted."""

    path: Path
    encoding: str  # the codec used, or "xlsx"
    headers: list[str]
    columns: dict[str, str]  # canonical key -> header as written in the file
    rows: list[Row]
    totals: list[Row]  # `Razem`/`Suma`/`Total`/`Ogółem` rows: checked, never imported
    delimiter: str | None = None  # None for XLSX
    header_line: int = 1
    problems: list[Problem] = field(default_factory=list)  # rows that could not be split

    def problem(self, line: int, message: Said) -> Problem:
        """A problem at a line of this export, as `path:line: message`."""
        return saying(self.path.as_posix(), line, message)


Table = list[tuple[int, list[Any]]]  # (line or sheet row, raw cells) of the non-blank records


# --- headers -----------------------------------------------------------------------------------

def normalize_header(text: str) -> str:
    """`Wartość  netto:` -> `wartosc netto`: case, diacritics, BOM, punctuation do not count."""
    s = text.replace("\ufeff", "").casefold().replace("ł", "l")
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return " ".join(w for w in re.split(r"[\W_]+", s) if w)


_SYNONYMS = {key: tuple(normalize_header(s) for s in names) for key, names in COLUMNS.items()}
_KNOWN = frozenset(s for names in _SYNONYMS.values() for s in names)


def _map_columns(headers: list[str], mapping: Mapping[str, str], required: Sequence[str],
                 where: tuple[PurePosixPath, int]) -> dict[str, int]:
    """key -> column index; every problem (bad --map, duplicate, missing) reported at once."""
    norm = [normalize_header(h) for h in headers]
    columns: dict[str, int] = {}
    usage: list[Said] = []
    ignored = {key for key, header in mapping.items() if not header.strip()}  # `--map tier=`
    for key, header in mapping.items():
        if key not in COLUMNS:
            usage.append(Said("err_imp_unknown_map_key", option=f"--map {key}={header}",
                              key=repr(key), keys=", ".join(COLUMNS)))
        elif key in ignored:
            continue
        elif (i := _index(norm, normalize_header(header))) is None:
            usage.append(Said("err_imp_no_header", option=f"--map {key}={header}",
                              headers=", ".join(headers)))
        else:
            columns[key] = i
    for key, names in _SYNONYMS.items():
        if key not in columns and key not in ignored:
            free = [norm.index(n) for n in names
                    if n in norm and norm.index(n) not in columns.values()]
            if free:
                columns[key] = free[0]
    problems = _duplicates(headers, norm, columns)
    missing = [k for k in required if k not in columns]
    if missing:
        problems.append(Said("err_imp_missing_columns", columns=", ".join(missing),
                             headers=", ".join(headers)))
    if usage or problems:
        error = OptionError if usage else ExportError
        raise error(*(saying(where[0], where[1], m) for m in usage + problems))
    return columns


def _index(norm: list[str], wanted: str) -> int | None:
    return norm.index(wanted) if wanted and wanted in norm else None


def _duplicates(headers: list[str], norm: list[str], columns: dict[str, int]) -> list[Said]:
    """A header used for a key that appears twice is an error: never first- or last-wins."""
    out = []
    for key, i in columns.items():
        twins = [j + 1 for j, n in enumerate(norm) if n == norm[i] and j != i]
        if twins:
            out.append(Said("err_imp_duplicate_header", header=repr(headers[i]), first=i + 1,
                            others=", ".join(map(str, twins)), key=key))
    return out


def _find_header(table: Table, mapping: Mapping[str, str]) -> int:
    """Index of the header row: the first of the top rows naming two known columns (a report's
    title lines are skipped), else the first non-empty row."""
    known = _KNOWN | {normalize_header(h) for h in mapping.values() if h.strip()}
    for n, (_, cells) in enumerate(table[:HEADER_SCAN]):
        if sum(normalize_header(str(c)) in known for c in cells if c is not None) >= 2:
            return n
    return 0


# --- decoding ----------------------------------------------------------------------------------

# (BOM, the name shown, the codec reading what follows the BOM): decoding after the BOM keeps a
# bad byte's offset that of the file, so its line is its own
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig", "utf-8"), (codecs.BOM_UTF32_LE, "utf-32", "utf-32-le"),
         (codecs.BOM_UTF32_BE, "utf-32", "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"))
_POLISH = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")


def decode_export(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Deterministic order, because generic detectors read Windows-1250
    as Windows-1252: explicit encoding, BOM, strict UTF-8, cp1250/ISO-8859-2, charset-normalizer."""
    if encoding:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise Refused(Said("err_imp_unknown_encoding", encoding=repr(encoding))) from None
        return _strict(data, name), name
    for bom, name, codec in _BOMS:
        if data.startswith(bom):
            return _strict(data, codec, len(bom), name), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        if re.search(rb"[\x80-\xff]", data[:e.start]):  # UTF-8 letters up to a bad byte
            _strict(data, "utf-8")
        return _single_byte(data)


def _strict(data: bytes, name: str, skip: int = 0, shown: str | None = None) -> str:
    """`data[skip:]` decoded; a bad byte is reported at its own line and column, counted in
    the decoded text before it (a UTF-16 newline is two bytes)."""
    try:
        return data[skip:].decode(name)
    except UnicodeDecodeError as e:
        at = skip + e.start
        before = data[skip:at].decode(name, errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise Refused(Said("err_imp_bad_byte", column=column, byte=f"0x{data[at]:02x}",
                                encoding=shown or name), line) from None


def _single_byte(data: bytes) -> tuple[str, str]:
    """Bytes 0x80-0x9F are controls in ISO-8859-2, so they confirm cp1250; otherwise the two
    differ only on ą ś ź Ą Ś Ź, and the decoding with more Polish letters wins."""
    if re.search(rb"[\x80-\x9f]", data):
        return _strict(data, "cp1250"), "cp1250"
    cp, latin2 = data.decode("cp1250"), data.decode("iso8859_2")
    cp_score, latin2_score = (sum(c in _POLISH for c in t) for t in (cp, latin2))
    if not cp_score and not latin2_score:
        if not re.search(rb"[\x80-\x9f\xa1-\xff]", data):  # only NBSP thousands: Polish Excel
            return cp, "cp1250"
        return _detected(data)
    return (cp, "cp1250") if cp_score >= latin2_score else (latin2, "iso8859-2")


def _detected(data: bytes) -> tuple[str, str]:
    # only when an import file's encoding must be guessed
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise Refused(Said("err_imp_which_encoding"))
    return str(best), best.encoding


def sniff_delimiter(text: str) -> str:
    """`;`, `,` or tab: the one splitting the first lines into the most consistent number of
    columns (csv.Sniffer's guess breaks ties), so neither decimal commas in the data nor a
    report's title line can pass for the separator."""
    sample = "\n".join([ln for ln in text[:65536].splitlines() if ln.strip()][:20])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    scores = {d: _consistency(sample, d) for d in DELIMITERS}
    best = max(scores.values())
    if best == (0.0, 0):
        return ","  # one column: any separator reads it
    if sniffed in scores and scores[sniffed] == best:
        return sniffed
    return next(d for d in DELIMITERS if scores[d] == best)


def _consistency(sample: str, delimiter: str) -> tuple[float, int]:
    """(share of lines with the most common column count, that count); (0, 0) for one column."""
    try:
        counts = [len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
                  if r]
    except csv.Error:
        return 0.0, 0
    modal = max(set(counts), key=lambda c: (counts.count(c), c), default=1)
    return (counts.count(modal) / len(counts), modal) if modal > 1 else (0.0, 0)


# --- reading -----------------------------------------------------------------------------------


def read_export(path: Path, *, encoding: str | None = None,
                mapping: Mapping[str, str] | None = None,
                required: Sequence[str] = ()) -> Export:
    """Read a CSV or XLSX export; raises ExportError (OptionError for a bad --map/--encoding).

    Rows that cannot be split (more cells than headers) are in `Export.problems`, so that the
    importer lists them with its own bad rows and `--skip-bad` applies to them alike.
    """
    unknown = [k for k in required if k not in COLUMNS]
    if unknown:
        raise ValueError(f"unknown required keys: {unknown}")
    where = PurePosixPath(path.as_posix())
    if encoding and not _known_codec(encoding):
        raise OptionError(file_problem(where, Said("err_imp_unknown_encoding",
                                                   encoding=repr(encoding))))
    _check_size(path, where)
    if path.suffix.lower() in XLSX_SUFFIXES:
        return _read_xlsx(path, where, dict(mapping or {}), required)
    text, used = _decode_file(path, where, encoding)
    delimiter = sniff_delimiter(text)
    try:
        table = [(n, cells) for n, cells in _csv_table(text, delimiter) if _filled(cells)]
    except Refused as e:
        raise ExportError(_at(where, e)) from None
    hint: Said | str = Said("err_imp_comma_hint") if delimiter == "," else ""
    export, _ = _build(path, where, table, dict(mapping or {}), required,
                       _ledger_text if _is_ledger(table) else lambda cell, key: cell.strip(),
                       hint)
    return replace(export, encoding=used, delimiter=delimiter)


def _is_ledger(table: Table) -> bool:
    """A salesnotes ledger (or its export) read back: its text cells carry the `'` guard
    against spreadsheet formulas, which is salesnotes' own and comes off again. Any other
    file's `'` is the ERP's text, kept."""
    return bool(table) and tuple(c.strip() for c in table[0][1]) == LEDGER_HEADER


def _ledger_text(cell: str, key: str) -> str:
    return unguard(cell.strip())


def _check_size(path: Path, where: PurePosixPath) -> None:
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ExportError(file_problem(where, Said("err_cannot_read", why=e.strerror))) from None
    if size > MAX_BYTES:
        raise ExportError(file_problem(where, Said("err_imp_too_big", mb=size // 2**20,
                                                   limit=MAX_BYTES // 2**20)))


def _decode_file(path: Path, where: PurePosixPath, encoding: str | None) -> tuple[str, str]:
    try:
        return decode_export(path.read_bytes(), encoding)
    except OSError as e:
        raise ExportError(file_problem(where, Said("err_cannot_read", why=e.strerror))) from None
    except Refused as e:
        raise ExportError(_at(where, e)) from None


def _at(where: PurePosixPath, e: Refused) -> Problem:
    return saying(where, e.line, e.said) if e.line else file_problem(where, e.said)


def _known_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _csv_table(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, cells); strict, so a stray quote cannot swallow the file."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise Refused(Said("err_cells_split", why=str(e)), line) from None
        yield line, cells


def _filled(cells: Sequence[object]) -> bool:
    return any(c is not None and str(c).strip() for c in cells)


def _build(path: Path, where: PurePosixPath, table: Table, mapping: dict[str, str],
           required: Sequence[str], text_of: Callable[[Any, str], str],
           width_hint: Said | str | None) -> tuple[Export, dict[str, int]]:
    """Header, column map, data and totals rows. `width_hint` is None when cells to the right of
    the header are harmless (XLSX), else the hint for a row that split into too many cells."""
    if not table:
        raise ExportError(file_problem(where, Said("err_imp_empty")))
    at = _find_header(table, mapping)
    header_line, raw_headers = table[at]
    headers = ["" if h is None else _cell_header(h) for h in raw_headers]
    index = _map_columns(headers, mapping, required, (where, header_line))
    rows: list[Row] = []
    totals: list[Row] = []
    problems: list[Problem] = []
    for line, cells in table[at + 1:]:
        if width_hint is not None and _filled(cells[len(headers):]):
            problems.append(saying(where, line, Said("err_imp_width", n=len(cells),
                                                     header=len(headers), hint=width_hint)))
            continue
        values = {k: text_of(cells[i], k) if i < len(cells) else "" for k, i in index.items()}
        bad = [(i, m.group()) for k, i in index.items() if (m := _CONTROL.search(values[k]))
               ] if _CONTROL.search("".join(values.values())) else []
        if bad:
            problems.append(saying(where, line, said_all([
                Said("err_imp_control", column=i + 1, header=headers[i], char=f"U+{ord(c):04X}")
                for i, c in sorted(bad)])))
            continue
        (totals if _is_total(cells, values) else rows).append(Row(line, values))
    columns = {k: headers[i] for k, i in index.items()}
    export = Export(path, "", headers, columns, rows, totals, None, header_line, problems)
    return export, index


def _cell_header(value: object) -> str:
    return str(value).replace("\ufeff", "").strip()


def _is_total(cells: Sequence[object], values: dict[str, str]) -> bool:
    """`Razem`, `Suma:`, `OGÓŁEM` or `Total` (a subtotal's `Razem klient X:` too) as the first
    non-empty cell, in whatever column (ERPs put it in the date column as often as not), on a
    row with no NIP and no document number."""
    if values.get("nip") and values.get("document"):
        return False  # every sale has both: the quick answer for 50,000 rows
    first = next((str(c).strip() for c in cells if c is not None and str(c).strip()), "")
    words = normalize_header(first).split()
    if not words or words[0] not in TOTAL_WORDS:
        return False
    # the label may sit in the number, date or NIP column; any other text there is a sale's
    return all(values.get(k, "") in ("", first) for k in ("nip", "document", "date"))


# --- XLSX --------------------------------------------------------------------------------------

def _read_xlsx(path: Path, where: PurePosixPath, mapping: dict[str, str],
               required: Sequence[str]) -> Export:
    _check_zip(path, where)
    with _xlsx_errors(where), _sheet(path, data_only=True) as (rows, epoch):
        present = [(n, list(cells)) for n, cells in rows if cells]
    table = [(n, cells) for n, cells in present if _filled(cells)]
    export, index = _build(path, where, table, mapping, required,
                           lambda value, key: _cell_text(value, key, epoch), None)
    empty = {(n, i) for n, cells in present if n > export.header_line
             for i in index.values() if i >= len(cells) or cells[i] is None}
    if empty:
        with _xlsx_errors(where):
            unfinished = _uncached_formulas(path, where, empty)
        if unfinished:
            raise ExportError(*unfinished)
    return replace(export, encoding="xlsx")


@contextmanager
def _xlsx_errors(where: PurePosixPath) -> Iterator[None]:
    """openpyxl, zipfile and defusedxml raise many types; to the user each means one thing."""
    try:
        yield
    except ExportError:
        raise
    except Exception as e:  # noqa: BLE001 - reported with its root cause, never a traceback
        root: BaseException = e
        while (deeper := root.__cause__ or root.__context__) is not None:
            root = deeper
        first = (str(e).splitlines() or [""])[0]
        raise ExportError(file_problem(where, Said("err_imp_xlsx", kind=type(root).__name__,
                                                   why=first))) from e


def _check_zip(path: Path, where: PurePosixPath) -> None:
    """defusedxml guards the XML; this guards the zip around it."""
    # openpyxl only for .xlsx imports
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:
        raise ExportError(file_problem(where, Said("err_imp_defusedxml")))
    try:
        with zipfile.ZipFile(path) as z:
            size = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError) as e:
        raise ExportError(file_problem(where, Said("err_imp_not_xlsx", why=str(e)))) from None
    if size > MAX_UNZIPPED:
        raise ExportError(file_problem(where, Said("err_imp_unpacks", mb=size // 2**20)))


@contextmanager
def _sheet(path: Path, *, data_only: bool) -> Iterator[tuple[Iterator[tuple[int, tuple]], Any]]:
    """(row number, cell values) of the first sheet, streamed; and the workbook's date epoch."""
    # openpyxl only for .xlsx imports
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=data_only)
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # trust the cells, not a writer's <dimension> tag
        yield enumerate(ws.iter_rows(min_row=1, values_only=True), 1), wb.epoch
    finally:
        wb.close()


def _cell_text(value: object, key: str, epoch: datetime) -> str:
    """A cell as the text a CSV would hold: ISO dates, exact numbers, never `1.2E+09`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int | float):
        if key == "date" and SERIAL_DATES[0] <= value < SERIAL_DATES[1]:  # a General cell
            # openpyxl only for .xlsx imports
            from openpyxl.utils.datetime import from_excel

            return from_excel(value, epoch).date().isoformat()
        return _number_text(value)
    return str(value).strip()


def _number_text(value: int | float) -> str:
    """Exact, point decimal; `123.456` is written `123.4560`, which `parse_money` cannot
    mistake for a thousands group (an XLSX number is never ambiguous)."""
    # a float as Excel shows it (15 significant digits): `0.1 + 0.2` is 0.3, not 0.30000000000000004
    d = Decimal(format(value, ".15g")) if isinstance(value, float) else Decimal(value)
    text = str(int(d)) if d == d.to_integral_value() else format(d, "f")
    return text + "0" if re.fullmatch(r"-?[1-9][0-9]{0,2}\.[0-9]{3}", text) else text


def _uncached_formulas(path: Path, where: PurePosixPath,
                       empty: set[tuple[int, int]]) -> list[Problem]:
    """Empty cells that hold a formula Excel never computed (openpyxl `data_only` gives None)."""
    # openpyxl only for .xlsx imports
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    last = max(n for n, _ in empty)
    found = []
    with _sheet(path, data_only=False) as (rows, _):
        for n, cells in rows:
            if n > last:
                break
            for i in sorted(i for m, i in empty if m == n and i < len(cells)):
                v = cells[i]
                if isinstance(v, ArrayFormula | DataTableFormula) or (
                        isinstance(v, str) and v.startswith("=")):
                    ref = f"{get_column_letter(i + 1)}{n}"
                    found.append(saying(where, n, Said("err_imp_formula", cell=ref)))
    return found


# --- values ------------------------------------------------------------------------------------


def parse_date(text: str) -> date:
    """`2026-03-05`, `5.03.2026`, `2026-03-05T10:00+01:00` (the date as written, no shift), by
    the one date reader (`read/fields.py`), in the import's words (errors as Refused)."""
    s = text.strip()
    if not s:
        raise Refused(Said("err_imp_no_date"))
    try:
        return fields.parse_written_date(s, stamped=True)
    except Refused as e:
        if e.said.key == "err_not_a_day":
            raise Refused(Said("err_impossible_date", text=repr(s))) from None
        raise Refused(Said("err_imp_not_a_date", text=repr(s))) from None



def check_totals(export: Export, key: str = "amount") -> list[Problem]:
    """A totals row whose amount is not the sum (to the grosz) of the rows above it, back to the
    previous totals row (or of all rows, for a grand total right after subtotals). Rows with an
    unreadable amount are reported by the importer; while any exist, nothing is checked."""
    try:
        amounts = [(r.line, parse_money(r.values[key])) for r in export.rows
                   if r.values.get(key)]
    except Refused:
        return []
    problems, start = [], 0
    for total in export.totals:
        if not total.values.get(key):
            continue
        part = [a for line, a in amounts if start < line < total.line]
        whole = part if part else [a for line, a in amounts if line < total.line]
        start = total.line
        try:
            stated = to_grosz(parse_money(total.values[key]))
        except Refused as e:
            problems.append(export.problem(total.line, Said("err_imp_totals_row",
                                                            message=e.said)))
            continue
        summed = sum((to_grosz(a) for a in whole), Decimal("0.00"))
        if stated != summed:
            problems.append(export.problem(total.line, Said("err_imp_totals_sum",
                                                            stated=str(stated),
                                                            summed=str(summed))))
    return problems
