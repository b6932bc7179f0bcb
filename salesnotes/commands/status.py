"""`salesnotes status`: one row per client in the terminal, the most urgent first."""

from __future__ import annotations

import json
import sys

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
    from salesnotes.console import reading_notes
    from salesnotes.status import status_of

    with reading_notes() as progress:
        rows, problems = status_of(vault_root(), today(), progress)
    if as_json:
        # pretty for a person at a terminal; compact (C encoder, 5x faster) for scripts
        indent = 2 if sys.stdout.isatty() else None
        click.echo(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=indent))
    else:
        _print_table(rows)
    if problems and not as_json:
        click.echo(f"{len(problems)} problems: run `salesnotes check`", err=True)
    click.get_current_context().exit(1 if problems else 0)


COLUMNS = ("", "client", "tier", "status", "last", "next", "late", "next step")


def _print_table(rows) -> None:  # noqa: ANN001
    """Plain aligned columns: 10,000 rows in a fraction of a second (rich needed seconds)."""
    import shutil
    import sys

    width = shutil.get_terminal_size((160, 24)).columns if sys.stdout.isatty() else 160
    name_w = min(36, max([len(r.name) for r in rows] + [6]))
    lines = [_line(COLUMNS, name_w)]
    for r in rows:
        late = str(r.days_overdue) if r.breath == "overdue" else ""
        lines.append(_line((r.glyph, r.name, r.tier, r.status, _d(r.last_contact),
                            _d(r.next_contact), late, r.next_step or ""), name_w))
    click.echo("\n".join(_fit(line, width) for line in lines))


def _line(cells, name_w: int) -> str:  # noqa: ANN001
    glyph, name, tier, status, last, nxt, late, step = cells
    name = " ".join(name.split())
    name = name if len(name) <= name_w else name[: name_w - 1] + "…"
    glyph = glyph or "  "  # an emoji takes two columns
    return (f"{glyph} {name:<{name_w}}  {tier:<4} {status:<9} {last:<10}  {nxt:<10}  "
            f"{late:>4}  {step}")


def _fit(line: str, width: int) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


def _d(d) -> str:  # noqa: ANN001
    return d.isoformat() if d else "-"
