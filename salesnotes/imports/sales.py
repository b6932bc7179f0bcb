"""`import sales`: an ERP sales export into the ledger (`sales/<YYYY-MM>.csv`), all or nothing.

Why plan first and write later: a rep's ledger feeds the Budget and Pay views, so a half-imported
file is worse than none. Every row is validated, the whole merge with the existing ledger is
computed, and only then is anything written: the ledger files whose bytes change, the notes
`--create-missing` asked for, and one git commit of exactly those paths. `--dry-run` stops after
the plan, so it shows exactly what a real run would do.

Decisions a rep can rely on (they are in the command's help too):
- a bad row (NIP checksum, amount, date, missing document, a line that cannot be split) refuses
  the whole file, every bad row listed as `FILE:LINE: why`; with `--skip-bad` the bad rows, and
  every other line of their documents, are left out and listed instead;
- a document already in the ledger with other values (amount, margin, date, NIP, client) is a
  conflict: the ledger row is never changed; it refuses the file like a bad row, and `--skip-bad`
  leaves that document out (a correction is a new document, as in accounting);
- a totals row that does not add up always refuses the file: the file itself is incomplete;
- an unknown NIP is not an error: its rows go into the ledger and it is listed with its total.

What `imports/clients.py` shares with it (`settle`, `unreadable_notes`, `NotePlanner`,
`write_files`, `commit_import`) is in `imports/common.py`: both follow the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from salesnotes.edit.newclient import NewClient
from salesnotes.errors import Problem, Refused, VaultError, file_problem
from salesnotes.i18n import Labels, Said
from salesnotes.imports.common import (
    PROGRESS_EVERY,
    Progress,
    cached_nip,
    commit_import,
    formatted_nip,
    note_planner,
    settle,
    shown_path,
    unreadable_notes,
    write_files,
)
from salesnotes.imports.reader import (
    Export,
    Row,
    check_totals,
    parse_date,
    read_export,
    said_all,
)
from salesnotes.load.vault import load_vault
from salesnotes.model.ledger import Sale, combine_lines, merge_sales, month_path, render_month
from salesnotes.model.money import format_money, parse_money, to_grosz
from salesnotes.model.vault import Vault

REQUIRED = ("document", "date", "nip", "amount")
_LEDGER_FILE = re.compile(r"sales/[0-9]{4}-(0[1-9]|1[0-2])\.csv")


@dataclass(frozen=True)
class UnknownClient:
    """A NIP of the export that no note holds: listed, and created with `--create-missing`."""

    nip: str
    name: str  # the export's client name (first non-empty one)
    region: str | None  # the export's region, else its city
    line: int  # first line of the export naming it
    rows: int
    total: Decimal


@dataclass(frozen=True)
class SalesImport:
    """The whole plan of one import; `written`/`commit` are filled once it has been applied."""

    source: Path
    rows: int  # data rows in the file (totals rows not counted)
    imported_rows: int  # rows whose documents are in the ledger after the import
    documents: list[Sale]  # this file's documents (lines combined), as the ledger holds them
    added: list[Sale]
    unchanged: int
    skipped: list[Problem]  # only with skip_bad: what was left out, and why
    files: dict[str, bytes]  # ledger files whose bytes change: `sales/2026-03.csv` -> bytes
    matched: list[str]  # NIPs of this file that a note holds
    unknown: list[UnknownClient]
    without_nip: int  # documents with no NIP at all (kept in the ledger, matched to no one)
    notes: list[tuple[Path, bytes]]  # notes `--create-missing` creates
    total: Decimal  # sum of `documents`, to the grosz
    written: list[Path] = field(default_factory=list)
    commit: str | None = None
    encoding: str = "utf-8"
    totals: int = 0  # totals and subtotals rows: checked against the rows above, not imported
    held: list[tuple[UnknownClient, Said]] = field(default_factory=list)  # not created, and why


# --- planning ----------------------------------------------------------------------------------

def plan_sales(vault: Vault, source: Path, today: date, *, create_missing: bool = False,
               skip_bad: bool = False, mapping: Mapping[str, str] | None = None,
               encoding: str | None = None, progress: Progress | None = None) -> SalesImport:
    """Everything the import would do, or VaultError listing every reason it must not."""
    _refuse_broken_ledger(vault)
    mapping = {**vault.config.import_maps.get("sales", {}), **(mapping or {})}
    export = read_export(Path(source), encoding=encoding, mapping=mapping, required=REQUIRED)
    lines, problems = _validate(export, progress)
    totals = check_totals(export)
    if totals:
        raise VaultError(*sorted(problems + totals))
    kept, left_out = _whole_documents(export, lines, problems) if skip_bad else (lines, [])
    first_line = _first_lines(kept)
    documents, disagree = _combine(export, kept)
    merge = merge_sales(vault.sales, documents)
    conflicts = {new.document: _conflict(export, first_line[new.document], old, new)
                 for old, new in merge.conflicts}
    documents = [s for s in documents if s.document not in conflicts]
    problems += left_out + disagree + list(conflicts.values())
    imported = {s.document for s in documents}
    used = [item for item in kept if item[1].document in imported]
    unknown, matched = _clients(vault, used)
    notes, held, note_problems = (_new_notes(vault, unknown, today, export) if create_missing
                                  else ([], [], []))
    skipped = settle(problems + note_problems, skip_bad)
    return SalesImport(
        Path(source), len(export.rows), len(used), documents, merge.added, merge.unchanged,
        skipped, _ledger_files(vault, merge.added), matched, unknown,
        sum(1 for s in documents if s.nip is None), notes,
        sum((s.amount for s in documents), Decimal("0.00")), encoding=export.encoding,
        totals=len(export.totals), held=held)


def _refuse_broken_ledger(vault: Vault) -> None:
    """A ledger file with problems would lose rows when rewritten: fix it first."""
    broken = [p for p in vault.problems if _LEDGER_FILE.fullmatch(str(p.path))]
    if broken:
        raise VaultError(*broken, file_problem("sales", Said("err_imp_ledger_broken")))


Line = tuple[int, Sale, Row]  # (export line, its sale, its row)


def _validate(export: Export, progress: Progress | None) -> tuple[list[Line], list[Problem]]:
    """Every row typed; a bad row becomes one problem listing all that is wrong with it."""
    problems = list(export.problems)
    lines: list[Line] = []
    nips: dict[str, str | Refused] = {}
    total = len(export.rows)
    for i, row in enumerate(export.rows):
        if progress and i % PROGRESS_EVERY == 0:
            progress(i, total)
        sale, errors = _sale_of(row.values, nips)
        if sale is None:
            problems.append(export.problem(row.line, said_all(errors)))
        else:
            lines.append((row.line, sale, row))
    if progress:
        progress(total, total)
    return lines, problems


def _sale_of(values: Mapping[str, str], nips: dict[str, str | Refused]
             ) -> tuple[Sale | None, list[Said]]:
    errors: list[Said] = []
    document = values.get("document", "").strip()
    if not document:
        errors.append(Said("err_no_document"))
    day = _typed(parse_date, values.get("date", ""), errors)
    amount = _typed(parse_money, values.get("amount", ""), errors)
    margin = _typed(parse_money, values["margin"], errors) if values.get("margin") else None
    nip = _nip(values.get("nip", ""), nips, errors)
    if errors:
        return None, errors
    return Sale(day, document, nip, values.get("client", "").strip(), amount, margin), []


def _typed(parse: Callable[[str], object], text: str, errors: list[Said]):  # noqa: ANN202
    try:
        return parse(text)
    except Refused as e:
        errors.append(e.said)
        return None


def _nip(text: str, cache: dict[str, str | Refused], errors: list[Said]) -> str | None:
    """An empty NIP is a sale to no known client (kept); a wrong one is a bad row."""
    return cached_nip(text, cache, errors) if text.strip() else None


def _whole_documents(export: Export, lines: list[Line], problems: list[Problem]
                     ) -> tuple[list[Line], list[Problem]]:
    """With --skip-bad a document with one bad line is left out whole: importing the rest of
    it would put a wrong amount in the ledger, and the corrected file would then conflict."""
    bad_lines = {p.line for p in problems}
    bad_docs: dict[str, int] = {}
    for row in export.rows:
        if row.line in bad_lines and (document := row.values.get("document", "").strip()):
            bad_docs.setdefault(document, row.line)
    kept = [item for item in lines if item[1].document not in bad_docs]
    left_out = [export.problem(line, Said("err_imp_left_out", document=repr(sale.document),
                                          line=bad_docs[sale.document]))
                for line, sale, _ in lines if sale.document in bad_docs]
    return kept, left_out


def _first_lines(lines: list[Line]) -> dict[str, int]:
    first: dict[str, int] = {}
    for line, sale, _ in lines:
        first.setdefault(sale.document, line)
    return first


def _combine(export: Export, lines: list[Line]) -> tuple[list[Sale], list[Problem]]:
    """One sale per document; a document whose lines disagree on date, NIP or client is bad
    (which one is right cannot be told), every line after its first one listed."""
    sales, disagree = combine_lines(sale for _, sale, _ in lines)
    bad = {first.document for first, _ in disagree}
    if not bad:
        return sales, []
    at: dict[str, list[int]] = {}
    for line, sale, _ in lines:
        if sale.document in bad:
            at.setdefault(sale.document, []).append(line)
    problems = [export.problem(line, Said("err_imp_disagree", document=repr(doc),
                                          line=found[0]))
                for doc, found in at.items() for line in found[1:]]
    return [s for s in sales if s.document not in bad], problems


def _conflict(export: Export, line: int, old: Sale, new: Sale) -> Problem:
    changes = [Said("err_imp_change", name=Said(f"err_imp_field_{name}"), here=_shown(a),
                    there=_shown(b)) for name, a, b in (
        ("amount", new.amount, old.amount), ("margin", new.margin, old.margin),
        ("date", new.date, old.date), ("nip", new.nip, old.nip),
        ("client", new.client, old.client)) if a != b]
    return export.problem(line, Said("err_imp_conflict", document=repr(new.document),
                                     month=month_path(old.date), changes=tuple(
                                         x for i, c in enumerate(changes)
                                         for x in ((", ", c) if i else (c,)))))


def _shown(value: object) -> Said | str:
    if value in (None, ""):
        return Said("cli_none")
    return repr(value) if isinstance(value, str) else str(value)


def _clients(vault: Vault, used: list[Line]) -> tuple[list[UnknownClient], list[str]]:
    """(unknown NIPs with their names and totals, matched NIPs), both in NIP order."""
    known = {n.nip for n in vault.notes if n.nip}
    seen: dict[str, list[Line]] = {}
    for item in used:
        if item[1].nip:
            seen.setdefault(item[1].nip, []).append(item)
    unknown = [_unknown(nip, items) for nip, items in sorted(seen.items()) if nip not in known]
    return unknown, sorted(nip for nip in seen if nip in known)


def _unknown(nip: str, items: list[Line]) -> UnknownClient:
    name = next((s.client for _, s, _ in items if s.client), "")
    region = next((r.values.get(k, "").strip() for _, _, r in items for k in ("region", "city")
                   if r.values.get(k, "").strip()), None)
    total = sum((to_grosz(s.amount) for _, s, _ in items), Decimal("0.00"))
    return UnknownClient(nip, name, region, items[0][0], len(items), total)


def _new_notes(vault: Vault, unknown: list[UnknownClient], today: date, export: Export
               ) -> tuple[list[tuple[Path, bytes]], list[tuple[UnknownClient, Said]],
                          list[Problem]]:
    """A note per unknown NIP (status active), through `plan_note` like `salesnotes new`;
    held back, with the reason, when an unreadable note may hold that NIP."""
    if not unknown:
        return [], [], []
    planner = note_planner(vault, today)
    unreadable = unreadable_notes(vault)
    notes, held, problems = [], [], []
    for client in unknown:
        if (holder := unreadable.holder(client.nip)) is not None:
            held.append((client, holder))
            continue
        name = client.name or formatted_nip(client.nip)
        planned = planner.plan(NewClient(name, client.nip, status="active", region=client.region))
        if isinstance(planned, Said):
            problems.append(export.problem(client.line, Said(
                "err_imp_cannot_create", nip=formatted_nip(client.nip), why=planned)))
        else:
            notes.append(planned)
    return notes, held, problems


def _ledger_files(vault: Vault, added: list[Sale]) -> dict[str, bytes]:
    """Only the months that gain a sale, and of those only files whose bytes change."""
    months: dict[str, list[Sale]] = {}
    for sale in added:
        months.setdefault(month_path(sale.date), []).append(sale)
    if not months:
        return {}
    existing: dict[str, list[Sale]] = {}
    for sale in vault.sales:
        if (path := month_path(sale.date)) in months:
            existing.setdefault(path, []).append(sale)
    files = {}
    for rel, sales in sorted(months.items()):
        data = render_month(existing.get(rel, []) + sales)
        target = vault.root / rel
        if not target.is_file() or target.read_bytes() != data:
            files[rel] = data
    return files


# --- applying ----------------------------------------------------------------------------------

def write_sales(root: Path, plan: SalesImport) -> list[Path]:
    """Write the plan's ledger files and notes; returns the paths whose bytes changed."""
    ledger = {root / rel: data for rel, data in plan.files.items()}
    return write_files(root, ledger, dict(plan.notes))


def commit_sales(root: Path, vault: Vault, plan: SalesImport) -> str | None:
    """One commit of what this import wrote, and of its months' ledger files that an earlier
    run of it left uncommitted (a commit refused with "saved, not committed"): so running the
    import again completes it."""
    paths = list(dict.fromkeys([*plan.written, *_own_ledger_files(vault, plan)]))
    return commit_import(root, vault, paths, sales_message(plan, vault))


def _own_ledger_files(vault: Vault, plan: SalesImport) -> list[Path]:
    """The ledger months of this file's documents whose bytes are salesnotes' own (what it
    would write for the ledger as read), never a month someone edited by hand since."""
    months = {month_path(sale.date) for sale in plan.documents}
    sales: dict[str, list[Sale]] = {}
    for sale in vault.sales:
        if (rel := month_path(sale.date)) in months:
            sales.setdefault(rel, []).append(sale)
    own = []
    for rel in sorted(months):
        path = vault.root / rel
        try:
            if rel in plan.files or path.read_bytes() == render_month(sales.get(rel, [])):
                own.append(path)
        except OSError:
            continue
    return own


def sales_message(plan: SalesImport, vault: Vault) -> str:
    total = format_money(plan.total, vault.config.currency, vault.config.locale)
    total = total.replace("\u00a0", " ").replace("\u202f", " ")  # git subjects: plain spaces
    return f"salesnotes: import sales {plan.source.name} ({plan.imported_rows} rows, {total})"


def import_sales(root: Path, source: Path, today: date, *, dry_run: bool = False,
                 create_missing: bool = False, skip_bad: bool = False,
                 mapping: Mapping[str, str] | None = None, encoding: str | None = None,
                 progress: Progress | None = None) -> SalesImport:
    """Plan, write and commit in one call (for scripts, tests and the benchmark)."""
    vault = load_vault(root, git=False)
    plan = plan_sales(vault, source, today, create_missing=create_missing, skip_bad=skip_bad,
                      mapping=mapping, encoding=encoding, progress=progress)
    if dry_run:
        return plan
    plan = replace(plan, written=write_sales(root, plan))
    return replace(plan, commit=commit_sales(root, vault, plan))


# --- the report --------------------------------------------------------------------------------

def sales_summary(plan: SalesImport, vault: Vault, t: Labels, *, dry_run: bool = False
                  ) -> list[str]:
    """The lines the command prints (skipped rows go to stderr separately), in `t`'s words."""
    cfg = vault.config

    def money(value: Decimal) -> str:
        return format_money(value, cfg.currency, cfg.locale)

    out = [t.say("cli_import_rows", file=plan.source.name, rows=t.plural("row", plan.rows),
                 documents=t.plural("document", len(plan.documents)), new=len(plan.added),
                 unchanged=plan.unchanged)]
    if plan.encoding not in ("utf-8", "utf-8-sig", "xlsx"):
        out.append(t.say("cli_import_encoding", encoding=plan.encoding))
    if plan.totals:
        out.append(t.say("cli_import_totals", totals=t.plural("totals_row", plan.totals)))
    if plan.skipped:
        out.append(t.say("cli_import_skipped", what=t.plural("row", len(plan.skipped))))
    if plan.unknown:
        out.append(t.cli_import_unknown if plan.notes else t.cli_import_unknown_hint)
        out += [f"  {formatted_nip(u.nip)}  {u.name or t.cli_import_no_name}  {money(u.total)} "
                f"({t.plural('row', u.rows)})" for u in plan.unknown]
    created = "cli_import_would_create" if dry_run else "cli_import_created"
    out += [t.say(created, path=shown_path(vault.root, p)) for p, _ in plan.notes]
    out += [t.say("cli_import_held", nip=formatted_nip(u.nip), name=u.name or t.cli_import_no_name,
                  why=why) for u, why in plan.held]
    wrote = "cli_import_would_write" if dry_run else "cli_import_wrote"
    out += [t.say(wrote, path=rel) for rel in plan.files]
    out.append(t.say("cli_import_sales_clients", matched=len(plan.matched),
                     unknown=len(plan.unknown),
                     created=t.say("cli_import_to_create" if dry_run else "cli_import_n_created",
                                   n=len(plan.notes)))
               + (t.say("cli_import_without_nip", documents=t.plural("document", plan.without_nip))
                  if plan.without_nip else ""))
    out.append(t.say("cli_import_total", amount=money(plan.total),
                     rows=t.plural("row", plan.imported_rows)))
    if not dry_run and not plan.files and not plan.notes:
        out.append(t.cli_import_nothing)
    return out
