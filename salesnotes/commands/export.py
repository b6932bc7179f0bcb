"""`salesnotes export`: clients, status or sales as a spreadsheet for the manager."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from salesnotes.cli import common_options, labels, pass_today, pass_vault

_DATE = click.DateTime(formats=["%Y-%m-%d", "%d.%m.%Y"])


@click.command()
@click.argument("what", type=click.Choice(["clients", "status", "sales"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "start", type=_DATE, help="Sales from this date (inclusive).")
@click.option("--to", "end", type=_DATE, help="Sales up to this date (inclusive).")
@common_options
@pass_vault
@pass_today
def export(what: str, file: Path, start: datetime | None, end: datetime | None, root: Path,
           today: date) -> None:
    """Write WHAT (clients, status or sales) to FILE, an .xlsx or a .csv.

    clients: every note's properties, breath and sales this fiscal year; status: the rows of
    `salesnotes status`; sales: the ledger (--from/--to bound the dates). XLSX has real types
    (NIP as text, dates, money with two decimals), a frozen, filtered header row. CSV is UTF-8
    with BOM, `;` and decimal commas in a Polish vault. An existing FILE is replaced whole.

    \b
    Example:
        salesnotes export clients klienci.xlsx
        salesnotes export sales sprzedaz.csv --from 2026-10-01 --to 2026-12-31
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.edit.files import FileRefused, atomic_write
    from salesnotes.errors import UsageProblem, VaultError, said, saying
    from salesnotes.load.vault import load_vault
    from salesnotes.reports.export import export_table
    from salesnotes.reports.spreadsheet import FORMATS, csv_bytes, xlsx_bytes

    suffix = file.suffix.lower()
    if suffix not in FORMATS:
        raise UsageProblem(said(str(file), 0, "err_export_format"))
    if start and end and end < start:
        raise UsageProblem(said(str(file), 0, "err_export_range"))
    vault = load_vault(root, sales=what != "status", today=today)
    table = export_table(what, vault, today, start.date() if start else None,
                         end.date() if end else None)
    data = xlsx_bytes(table) if suffix == ".xlsx" else csv_bytes(table, vault.config.locale)
    try:
        atomic_write(file.absolute(), data)
    except FileRefused as e:
        raise VaultError(saying(str(file), 0, e.said)) from None
    t = labels(vault.config.locale)
    click.echo(t.say("cli_export_done", what=what, rows=t.plural("row", len(table.rows)),
                     file=file))
