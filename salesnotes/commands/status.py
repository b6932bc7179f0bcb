"""`salesnotes status`: one row per client in the terminal, the most urgent first."""

from __future__ import annotations

import json

import click

from salesnotes.cli import common_options, today, vault_root


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a list of objects on stdout.")
@common_options
def status(as_json: bool) -> None:
    """Every client with its breath (ok, due, overdue, never), the most urgent first.

    \b
    Example:
        salesnotes status
        salesnotes status --json | jq '.[] | select(.breath == "overdue") | .name'
    """
    from salesnotes.status import status_rows

    vault_path = vault_root()
    from salesnotes.vault import load_vault

    vault = load_vault(vault_path)
    rows = status_rows(vault, today())
    if as_json:
        click.echo(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
    else:
        _print_table(rows)
    problems = [p for p in vault.problems if not p.strict]
    if problems and not as_json:
        click.echo(f"{len(problems)} problems: run `salesnotes check`", err=True)
    click.get_current_context().exit(1 if problems else 0)


def _print_table(rows) -> None:  # noqa: ANN001
    from rich.table import Table

    from salesnotes.console import console

    table = Table(box=None, pad_edge=False, header_style="bold")
    for col in ("", "client", "tier", "status", "last", "next", "late", "next step"):
        table.add_column(col, no_wrap=True, overflow="ellipsis",
                         max_width=36 if col == "client" else None,
                         justify="right" if col == "late" else "left")
    for r in rows:
        late = str(r.days_overdue) if r.breath == "overdue" else ""
        table.add_row(r.glyph, r.name, r.tier, r.status, _d(r.last_contact), _d(r.next_contact),
                      late, r.next_step or "")
    out = console()
    if not out.is_terminal:
        out.width = 160  # piped into a file or less: keep one client per line
    out.print(table)


def _d(d) -> str:  # noqa: ANN001
    return d.isoformat() if d else "-"
