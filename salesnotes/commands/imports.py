"""`salesnotes import sales|clients`: ERP and CRM exports (CSV or XLSX) into the vault.

Thin wrappers: the core plans (validating every row first), the command prints the plan, writes
it unless `--dry-run`, and commits the written paths once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from salesnotes.cli import common_options, labels, locked, pass_today, pass_vault

if TYPE_CHECKING:
    from salesnotes.errors import Problem

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_MAP_HELP = ("Column for a key when its header is not recognized, e.g. amount=Netto or "
             "nip='NIP nabywcy'; repeat for more. Keys: nip, client, document, date, amount, "
             "margin, city, region, tier, status, group, phone, email, budget, potential, owner, "
             "competitor. KEY= (nothing after =) ignores that column. Mappings saved in "
             "salesnotes.yaml (import: {sales: {map: ...}, clients: {map: ...}}) apply first.")
_ENCODING_HELP = ("The file's encoding (e.g. cp1250) when detection (UTF-8 BOM, UTF-8, "
                  "Windows-1250) gets it wrong.")


def _mapping(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        key, sep, header = value.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{value!r}: write KEY=HEADER, e.g. amount=Netto "
                                     "(KEY= ignores a column)")
        out[key.strip()] = header.strip()
    return out


def _import_options(f):  # noqa: ANN001, ANN201 - decorator
    f = click.option("--encoding", metavar="E", help=_ENCODING_HELP)(f)
    f = click.option("--map", "mapping", multiple=True, metavar="KEY=HEADER", callback=_mapping,
                     help=_MAP_HELP)(f)
    f = click.option("--skip-bad", is_flag=True,
                     help="Import the good rows and list the bad ones, instead of refusing "
                          "the whole file.")(f)
    f = click.option("--json", "as_json", is_flag=True,
                     help="Print what was imported as one JSON object (with `version`).")(f)
    return click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")(f)


def _echo_left_out(problems, t) -> None:  # noqa: ANN001 - list[Problem], Labels
    for p in problems:
        click.echo(f"{p.path}:{p.line}: " + t.say("cli_import_left_out", message=p.text(t)),
                   err=True)


@click.group("import")
def import_group() -> None:
    """Bring ERP and CRM exports (CSV or XLSX) into the vault.

    Polish and English headers are recognized; encodings (UTF-8 with or without BOM,
    Windows-1250), separators (; , tab), decimal commas and thousands spaces are detected.

    \b
    Example:
        salesnotes import clients klienci.csv --dry-run
        salesnotes import sales sprzedaz-2026-03.csv --create-missing
    """


@import_group.command("sales")
@click.argument("file", type=_FILE)
@click.option("--create-missing", is_flag=True,
              help="Create a note (status active) for every NIP no note holds.")
@_import_options
@common_options
@locked
@pass_vault
@pass_today
def sales(file: Path, create_missing: bool, dry_run: bool, as_json: bool, skip_bad: bool,
          mapping: dict[str, str], encoding: str | None, root: Path, today: date) -> None:
    """Add FILE's sales to the ledger (sales/YYYY-MM.csv), keyed by document number.

    Every row is checked first: one bad row (NIP checksum, amount, date, missing document)
    refuses the whole file and lists every bad row as FILE:LINE; nothing is written. An amount
    has at most two decimal places (more is a bad row, never rounded). A totals or subtotals
    row (first non-empty cell Razem/Suma/Ogółem/Total, in any column, no NIP and no document
    number) must add up and is not imported. A document already in the ledger with another amount
    is a conflict: the ledger keeps its row and the file is refused (with --skip-bad that
    document is left out). Re-importing a file changes nothing. Unknown NIPs are listed with
    their totals; their sales are in the ledger all the same. An unreadable note never blocks
    the import: only a new note for a NIP its raw text holds is held back, and listed. One git
    commit per import.

    \b
    Example:
        salesnotes import sales sprzedaz-2026-03.csv --dry-run
        salesnotes import sales export.xlsx --map amount="Wartość netto" --create-missing
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.console import progress
    from salesnotes.imports import sales as core
    from salesnotes.load.vault import load_vault

    t = labels()
    vault = load_vault(root, git=False)
    with progress(t.cli_checking_rows) as bar:
        plan = core.plan_sales(vault, file, today, create_missing=create_missing,
                               skip_bad=skip_bad, mapping=mapping, encoding=encoding, progress=bar)
    _echo_left_out(plan.skipped, t)
    if not dry_run:
        plan = replace(plan, written=core.write_sales(root, plan))
    if as_json:
        # imported when the command runs: --help imports every command module
        from salesnotes.jsonout import sales_import_json

        sha = None if dry_run else core.commit_sales(root, vault, plan)
        click.echo(sales_import_json(root, replace(plan, commit=sha), dry_run))
        return
    click.echo("\n".join(core.sales_summary(plan, vault, t, dry_run=dry_run)))
    _finish(t, dry_run, lambda: core.commit_sales(root, vault, plan),
            core.sales_message(plan, vault))


@import_group.command("clients")
@click.argument("file", type=_FILE)
@_import_options
@common_options
@locked
@pass_vault
@pass_today
def clients(file: Path, dry_run: bool, as_json: bool, skip_bad: bool,
            mapping: dict[str, str], encoding: str | None, root: Path, today: date) -> None:
    """Create or update client notes from FILE, a client list keyed by NIP.

    A new NIP gets a note from templates/client.md. A NIP a note holds updates only the keys
    whose column the file has (name, tier, status, group, region or city, phone, email, budget,
    potential, owner, competitor) and only where the value differs; nothing else in the note
    changes, and an empty cell deletes nothing. A `Grupa` (or ERP `Status`) column whose
    values are not tiers (statuses) is kept as group:. Rows with an invalid NIP, or rows of
    one NIP that disagree, refuse the file (listed as FILE:LINE) unless --skip-bad. One git
    commit.

    \b
    Example:
        salesnotes import clients klienci.csv --dry-run
        salesnotes import clients crm.xlsx --map owner=Opiekun --map region=Powiat
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.console import progress
    from salesnotes.imports import clients as core
    from salesnotes.imports.common import commit_import
    from salesnotes.load.vault import load_vault

    t = labels()
    vault = load_vault(root, git=False)
    with progress(t.cli_checking_rows) as bar:
        plan = core.plan_clients(vault, file, today, skip_bad=skip_bad, mapping=mapping,
                                 encoding=encoding, progress=bar)
    _echo_left_out(plan.skipped, t)
    if not dry_run:
        plan = replace(plan, written=core.write_clients(root, plan))
    if as_json:
        # imported when the command runs: --help imports every command module
        from salesnotes.jsonout import clients_import_json

        sha = None if dry_run else commit_import(root, vault, core.clients_changes(root, plan),
                                                 core.clients_message(plan), _warn)
        click.echo(clients_import_json(root, replace(plan, commit=sha), dry_run))
        return
    click.echo("\n".join(core.clients_summary(plan, root, t, dry_run=dry_run)))
    message = core.clients_message(plan)
    _finish(t, dry_run, lambda: commit_import(root, vault, core.clients_changes(root, plan),
                                              message, _warn), message)


def _warn(kept: Problem) -> None:
    t = labels()
    click.echo(t.say("cli_note", text=kept.told(t)), err=True)


def _finish(t, dry_run: bool, commit, message: str) -> None:  # noqa: ANN001 - Labels, () -> sha
    if dry_run:
        click.echo(t.cli_import_dry_run)
    elif sha := commit():
        click.echo(t.say("cli_committed", sha=sha[:10], message=message))
