"""A table as the bytes of an `.xlsx` or a `.csv` file, typed the way Excel reads them.

XLSX (openpyxl): a NIP stays text (a leading zero is never lost), dates are dates, money is a
number shown with two decimals, the header row is frozen and filtered. CSV: UTF-8 with a BOM,
which Polish Excel needs to read UTF-8; `;` and a decimal comma in a Polish vault, as Excel
with Polish settings expects; text that a spreadsheet would run as a formula gets a `'`.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

from salesnotes.model.ledger import guard
from salesnotes.reports.export import Cell, Table

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
FORMATS = (".xlsx", ".csv")
CENT = Decimal("0.01")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xlsx_bytes(table: Table) -> bytes:
    # openpyxl only for .xlsx imports
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = table.title
    ws.append([c.name for c in table.columns])
    for row in table.rows:
        ws.append([_xlsx_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    for i, column in enumerate(table.columns, start=1):
        letter = get_column_letter(i)
        fmt = {"money": MONEY_FORMAT, "date": DATE_FORMAT, "text": "@"}.get(column.kind)
        for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
            if fmt:
                cell.number_format = fmt
            if cell.data_type == "f":  # a name like `=HYPERLINK(...)` is text, never run
                cell.data_type = "s"
        width = max([len(column.name)] + [len(str(r[i - 1])) for r in table.rows[:200]
                                          if r[i - 1] is not None])
        ws.column_dimensions[letter].width = min(50, width + 2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _xlsx_value(value: Cell, kind: str) -> Cell:
    if kind == "money" and isinstance(value, Decimal):
        return value.quantize(CENT)
    if isinstance(value, str):
        return xlsx_text(value)
    return value


def xlsx_text(text: str) -> str:
    """What an .xlsx cell can hold of a text: XML has no control characters and no U+FFFE or
    U+FFFF (openpyxl writes them, and Excel then refuses the whole file), and reads a CR as LF."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def csv_bytes(table: Table, locale: str) -> bytes:
    """UTF-8 with BOM; `;` and `1234,56` in a Polish vault, `,` and `1234.56` otherwise."""
    polish = locale == "pl"
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";" if polish else ",", lineterminator="\r\n")
    writer.writerow([c.name for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_text(v, c.kind, polish)
                         for v, c in zip(row, table.columns, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_text(value: Cell, kind: str, polish: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if kind == "money" and isinstance(value, Decimal):
        text = format(value.quantize(CENT), "f")
        return text.replace(".", ",") if polish else text
    if isinstance(value, int):
        return str(value)
    return guard(str(value))
