"""`import sales`: every export format to the same ledger, to the grosz, all or nothing, idempotent.

Fixtures are written by the tests in the bytes the ERPs write (adversarial cases 22-29).
`time_imports` at the end is the benchmark's entry point (no timing is asserted here).
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import commits, snapshot, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesnotes.errors import VaultError
from salesnotes.imports.sales import import_sales, plan_sales
from salesnotes.load.vault import load_vault
from salesnotes.model.ledger import parse_month, read_ledger

TODAY = date(2026, 11, 27)
NBSP = "\u00a0"
NIP_A = "5260250274"  # has a note in the test vaults
NIP_B = "7740001454"  # unknown
NIP_C = "9542751368"  # unknown

NOTE_A = f"""---
name: Hydro-Tech Sp. z o.o.
nip: "{NIP_A}"
tier: A
status: active
---
# Hydro-Tech Sp. z o.o.
"""

# (document, date, NIP as the ERP writes it, client, amount, margin)
ROWS = [
    ("FV/1/03/2026", date(2026, 3, 5), "526-025-02-74", "Hydro-Tech Sp. z o.o.",
     Decimal("12345.67"), Decimal("2000.00")),
    ("FV/2/03/2026", date(2026, 3, 6), f"PL{NIP_B}", "Zakład Ślusarski Źdźbło",
     Decimal("1000.00"), None),
    ("FV/2/03/2026", date(2026, 3, 6), f"PL{NIP_B}", "Zakład Ślusarski Źdźbło",
     Decimal("234.56"), None),  # a second line of the same invoice
    ("KOR/1/04/2026", date(2026, 4, 2), NIP_A, "Hydro-Tech Sp. z o.o.",
     Decimal("-100.50"), Decimal("-10.00")),  # a correction
    ("FV/7/04/2026", date(2026, 4, 30), NIP_C, "Gęślą Jaźń Sp. z o.o.",
     Decimal("1000000.01"), None),
]
FILE_SUM = sum(r[4] for r in ROWS)
LEDGER = {
    "sales/2026-03.csv": (
        "date,document,nip,client,amount,margin\n"
        f"2026-03-05,FV/1/03/2026,{NIP_A},Hydro-Tech Sp. z o.o.,12345.67,2000.00\n"
        f"2026-03-06,FV/2/03/2026,{NIP_B},Zakład Ślusarski Źdźbło,1234.56,\n"),
    "sales/2026-04.csv": (
        "date,document,nip,client,amount,margin\n"
        f"2026-04-02,KOR/1/04/2026,{NIP_A},Hydro-Tech Sp. z o.o.,-100.50,-10.00\n"
        f"2026-04-30,FV/7/04/2026,{NIP_C},Gęślą Jaźń Sp. z o.o.,1000000.01,\n"),
}


# --- writing exports the way ERPs do -------------------------------------------------------------

def pl_amount(value: Decimal, sep: str = NBSP) -> str:
    """`-1 234,50` with the given thousands separator, as a Polish Excel or ERP writes it."""
    sign = "-" if value < 0 else ""
    whole, frac = f"{abs(value):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{sep.join(groups)},{frac}"


def cp1250_export(rows=ROWS, total: Decimal | None = None) -> bytes:
    """Comarch/Subiekt style: Windows-1250, `;`, CRLF, DD.MM.YYYY, NBSP thousands, `Razem` row."""
    lines = ["Numer;Data wystawienia;NIP;Kontrahent;Netto;Marża"]
    for doc, day, nip, client, amount, margin in rows:
        lines.append(f"{doc};{day:%d.%m.%Y};{nip};{client};{pl_amount(amount)};"
                     f"{pl_amount(margin) if margin is not None else ''}")
    total = sum((r[4] for r in rows), Decimal(0)) if total is None else total
    lines.append(f"Razem;;;;{pl_amount(total)};")
    return ("\r\n".join(lines) + "\r\n").encode("cp1250")


def bom_comma_export(rows=ROWS) -> bytes:
    """A web tool: UTF-8 with BOM, `,`, ISO dates, point decimals, English headers."""
    lines = ["Document,Date,NIP,Client,Amount,Margin"]
    for doc, day, nip, client, amount, margin in rows:
        quoted = '"' + client.replace('"', '""') + '"'
        lines.append(f"{doc},{day.isoformat()},{nip},{quoted},{amount},"
                     f"{'' if margin is None else margin}")
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def tab_export(rows=ROWS) -> bytes:
    """Copied out of a spreadsheet: UTF-8, tabs, decimal commas, plain-space thousands."""
    lines = ["Nr dokumentu\tData sprzedaży\tNIP\tNabywca\tWartość netto\tMarża"]
    for doc, day, nip, client, amount, margin in rows:
        lines.append(f"{doc}\t{day:%d.%m.%Y}\t{nip}\t{client}\t{pl_amount(amount, ' ')}\t"
                     f"{pl_amount(margin, ' ') if margin is not None else ''}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_export(path: Path, rows=ROWS) -> Path:
    """Excel: real dates and numbers, a title line above the header, a SUM-free totals row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Sprzedaż marzec-kwiecień 2026"])
    ws.append(["Numer", "Data", "NIP", "Kontrahent", "Netto", "Marża"])
    for doc, day, nip, client, amount, margin in rows:
        ws.append([doc, datetime(day.year, day.month, day.day), nip, client, amount,
                   margin])
    ws.append(["Razem", None, None, None, sum(r[4] for r in rows), None])
    wb.save(path)
    return path




def git_show(root: Path, fmt: str) -> list[str]:
    """The last commit's subject (`fmt`) and the paths it touched, one a line."""
    out = subprocess.run(["git", "-c", "core.quotepath=off", "show", "--name-only",
                          f"--format={fmt}", "HEAD"], cwd=root, check=True, capture_output=True,
                         encoding="utf-8")
    return out.stdout.splitlines()


def ledger_text(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted((root / "sales").glob("*.csv"))}


@pytest.fixture
def vault(make_vault) -> Path:
    return make_vault({"clients/Hydro-Tech Sp. z o.o..md": NOTE_A}, locale="pl")


# --- every format, one ledger ------------------------------------------------------------------

@pytest.mark.parametrize("name,make", [
    ("sprzedaz.csv", lambda tmp: cp1250_export()),
    ("sales.csv", lambda tmp: bom_comma_export()),
    ("sales.tsv", lambda tmp: tab_export()),
    ("sales.xlsx", lambda tmp: xlsx_export(tmp / "sales.xlsx").read_bytes()),
])
def test_every_export_format_gives_the_same_ledger_to_the_grosz(vault, tmp_path, name, make):
    source = write(tmp_path, name, make(tmp_path))
    result = import_sales(vault, source, TODAY)
    assert ledger_text(vault) == LEDGER
    sales, problems = read_ledger(vault)
    assert problems == []
    assert sum(s.amount for s in sales) == FILE_SUM == result.total
    assert (len(result.added), result.unchanged, result.imported_rows) == (4, 0, 5)
    assert result.matched == [NIP_A]
    assert [(u.nip, u.name, u.total, u.rows) for u in result.unknown] == [
        (NIP_B, "Zakład Ślusarski Źdźbło", Decimal("1234.56"), 2),
        (NIP_C, "Gęślą Jaźń Sp. z o.o.", Decimal("1000000.01"), 1)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 6),  # document: lines of one invoice share it
                          st.decimals(min_value=Decimal("-99999.99"),
                                      max_value=Decimal("9999999.99"), places=2)),
                min_size=1, max_size=40))
def test_ledger_sum_equals_the_file_sum_to_the_grosz(lines):
    rows = [(f"FV/{doc}/2026", date(2026, 3, 1 + doc), NIP_A, "Hydro-Tech Sp. z o.o.",
             amount, None) for doc, amount in lines]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "clients").mkdir()
        (root / "salesnotes.yaml").write_text("owner: X\n", encoding="utf-8")
        source = write(root, "export.csv", cp1250_export(rows))
        plan = plan_sales(load_vault(root, git=False), source, TODAY)
    ledger = [s for rel, data in plan.files.items() for s in parse_month(rel, data)[0]]
    assert sum(s.amount for s in ledger) == sum(a for _, a in lines) == plan.total
    assert len(ledger) == len({doc for doc, _ in lines})


# --- all or nothing ----------------------------------------------------------------------------

def thousand_rows_with_bad_ones() -> bytes:
    """Row 500 of 1000 has a bad NIP checksum and the amount `12,3,4` (adversarial case 23)."""
    rows = [f"FV/{i}/2026;{1 + i % 28:02d}.03.2026;{NIP_A};Hydro-Tech;{i},50;"
            for i in range(1, 1001)]
    rows[499] = "FV/500/2026;15.03.2026;5260250275;Hydro-Tech;12,3,4;"
    rows[699] = "FV/700/2026;31.02.2026;5260250274;Hydro-Tech;700,50;"
    rows[899] = ";20.03.2026;5260250274;Hydro-Tech;900,50;"
    return ("Numer;Data;NIP;Kontrahent;Netto;Marża\n" + "\n".join(rows) + "\n").encode("cp1250")


def test_a_bad_row_refuses_the_whole_file_listing_every_bad_line(vault, tmp_path, run):
    source = write(tmp_path, "big.csv", thousand_rows_with_bad_ones())
    before = snapshot(vault)
    for extra in ((), ("--dry-run",), ("--create-missing",)):
        result = run("import", "sales", str(source), "--vault", str(vault), *extra)
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"{source}:501: to nie kwota: '12,3,4'; błędna suma kontrolna NIP-u: '5260250275'",
            f"{source}:701: nie ma takiej daty: '31.02.2026'",
            f"{source}:901: brak numeru dokumentu",
        ]
        assert result.stdout == ""
        assert snapshot(vault) == before  # zero files changed


def test_skip_bad_imports_the_good_rows_and_lists_what_was_left_out(vault, tmp_path, run):
    source = write(tmp_path, "big.csv", thousand_rows_with_bad_ones())
    result = run("import", "sales", str(source), "--vault", str(vault), "--skip-bad")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        f"{source}:501: pominięty: to nie kwota: '12,3,4'; błędna suma kontrolna NIP-u: "
        "'5260250275'")
    sales, _ = read_ledger(vault)
    assert len(sales) == 997
    assert "pominięte (--skip-bad): 3 wiersze, lista wyżej" in result.stdout


def test_skip_bad_leaves_out_the_whole_document_of_a_bad_line(vault, tmp_path):
    rows = "Numer;Data;NIP;Netto\nFV/1;01.03.2026;5260250274;100,00\nFV/1;01.03.2026;5260250274;x\n"
    source = write(tmp_path, "s.csv", rows.encode())
    with pytest.raises(VaultError):
        import_sales(vault, source, TODAY)
    result = import_sales(vault, source, TODAY, skip_bad=True)
    assert result.documents == [] and not (vault / "sales" / "2026-03.csv").exists()
    assert [p.line for p in result.skipped] == [2, 3]


def test_a_totals_row_that_does_not_add_up_is_an_error_even_with_skip_bad(vault, tmp_path, run):
    source = write(tmp_path, "s.csv", cp1250_export(total=FILE_SUM + Decimal("0.01")))
    before = snapshot(vault)
    for extra in ((), ("--skip-bad",)):
        result = run("import", "sales", str(source), "--vault", str(vault), *extra)
        assert result.exit_code == 1
        assert result.stderr == (f"{source}:7: wiersz sumy podaje 1013479.75, a wiersze powyżej "
                                 "sumują się do 1013479.74\n")
    assert snapshot(vault) == before


def test_lines_of_one_document_that_disagree_refuse_the_file(vault, tmp_path):
    rows = ("Numer;Data;NIP;Netto\n"
            "FV/1;01.03.2026;5260250274;100,00\nFV/1;02.03.2026;5260250274;5,00\n")
    source = write(tmp_path, "s.csv", rows.encode())
    with pytest.raises(VaultError) as error:
        import_sales(vault, source, TODAY)
    assert [str(p) for p in error.value.problems] == [
        f"{source}:3: document 'FV/1' is also on line 2 with another date, NIP or client"]


# --- idempotence, conflicts, git ---------------------------------------------------------------

def test_reimport_is_byte_identical_and_makes_no_second_commit(make_vault, tmp_path, run):
    root = make_vault({"clients/Hydro-Tech Sp. z o.o..md": NOTE_A}, git=True, locale="pl")
    source = write(tmp_path, "sprzedaz.csv", cp1250_export())
    (root / "notes.txt").write_text("the rep's own uncommitted file\n", encoding="utf-8")
    first = run("import", "sales", str(source), "--vault", str(root))
    assert first.exit_code == 0, first.stderr
    assert commits(root) == 2
    shown = git_show(root, "%s")
    assert shown == ["salesnotes: import sales sprzedaz.csv (5 rows, 1 013 479,74 zł)", "",
                     "sales/2026-03.csv", "sales/2026-04.csv"]
    assert first.stdout.splitlines()[-1].startswith("zapisano w git ")
    before = snapshot(root)
    second = run("import", "sales", str(source), "--vault", str(root))
    assert second.exit_code == 0, second.stderr
    assert snapshot(root) == before
    assert commits(root) == 2
    assert "(nowe: 0, już w rejestrze: 4)" in second.stdout
    assert "nic się nie zmieniło" in second.stdout


def test_a_document_already_in_the_ledger_with_another_amount_is_a_conflict(vault, tmp_path):
    import_sales(vault, write(tmp_path, "a.csv", cp1250_export()), TODAY)
    before = snapshot(vault)
    changed = [ROWS[0][:4] + (Decimal("12345.68"), ROWS[0][5]),
               ("FV/9/03/2026", date(2026, 3, 9), NIP_A, "Hydro-Tech Sp. z o.o.",
                Decimal("1.00"), None)]
    source = write(tmp_path, "b.csv", cp1250_export(changed))
    with pytest.raises(VaultError) as error:
        import_sales(vault, source, TODAY)
    assert [str(p) for p in error.value.problems] == [
        f"{source}:2: document 'FV/1/03/2026' is already in the ledger (sales/2026-03.csv) with "
        "other values (amount 12345.68 here, 12345.67 there): not changed; a correction needs "
        "its own document number"]
    assert snapshot(vault) == before
    result = import_sales(vault, source, TODAY, skip_bad=True)
    assert [s.document for s in result.added] == ["FV/9/03/2026"]
    sales, _ = read_ledger(vault)
    assert [s.amount for s in sales if s.document == "FV/1/03/2026"] == [Decimal("12345.67")]


def test_a_ledger_with_problems_is_not_rewritten(vault, tmp_path):
    (vault / "sales").mkdir()
    (vault / "sales" / "2026-03.csv").write_text("date,document\n2026-03-01,X\n", encoding="utf-8")
    with pytest.raises(VaultError) as error:
        import_sales(vault, write(tmp_path, "a.csv", cp1250_export()), TODAY)
    assert str(error.value.problems[0]).startswith("sales/2026-03.csv:1: header must be")


def test_formula_like_client_names_are_guarded_and_reimport_stays_unchanged(vault, tmp_path):
    rows = [("FV/1", date(2026, 3, 1), NIP_B, '=HYPERLINK("http://x","y")', Decimal("1.00"), None),
            ("FV/2", date(2026, 3, 2), NIP_C, "-5", Decimal("2.00"), None)]
    source = write(tmp_path, "s.csv", bom_comma_export(rows))
    import_sales(vault, source, TODAY)
    text = (vault / "sales" / "2026-03.csv").read_text(encoding="utf-8")
    assert """'=HYPERLINK(""http://x"",""y"")\"""" in text and ",'-5," in text
    again = import_sales(vault, source, TODAY)
    assert (again.files, again.unchanged) == ({}, 2)


def test_map_and_encoding_options(vault, tmp_path, run):
    data = "Dokument;Dzień;NIP;Wartość\nFV/1;01.03.2026;5260250274;1,50\n".encode("cp1250")
    source = write(tmp_path, "s.csv", data)
    missing = run("import", "sales", str(source), "--vault", str(vault))
    assert missing.exit_code == 1 and "brak kolumn: document, date, amount" in missing.stderr
    mapped = run("import", "sales", str(source), "--vault", str(vault), "--encoding", "cp1250",
                 "--map", "document=Dokument", "--map", "date=Dzień", "--map", "amount=Wartość")
    assert mapped.exit_code == 0, mapped.stderr
    assert read_ledger(vault)[0][0].amount == Decimal("1.50")
    bad_map = run("import", "sales", str(source), "--vault", str(vault), "--map", "amount")
    assert bad_map.exit_code == 2
    unknown = run("import", "sales", str(source), "--vault", str(vault), "--encoding", "klingon")
    assert unknown.exit_code == 2 and "nieznane kodowanie 'klingon'" in unknown.stderr


# --- clients: unknown and created --------------------------------------------------------------

def test_unknown_nips_are_listed_and_create_missing_makes_their_notes(make_vault, tmp_path, run):
    root = make_vault({"clients/Hydro-Tech Sp. z o.o..md": NOTE_A}, git=True, locale="en")
    data = tab_export().decode().replace("Marża", "Miasto").replace("\t\n", "\tGdańsk\n")
    source = write(tmp_path, "s.tsv", data.encode())
    listed = run("import", "sales", str(source), "--vault", str(root), "--dry-run")
    assert listed.exit_code == 0, listed.stderr
    assert ("unknown NIPs (their sales are in the ledger; --create-missing creates their "
            "notes):") in listed.stdout
    assert "  774-000-14-54  Zakład Ślusarski Źdźbło  PLN 1,234.56 (2 rows)" in listed.stdout
    assert "  954-275-13-68  Gęślą Jaźń Sp. z o.o.  PLN 1,000,000.01 (1 row)" in listed.stdout
    created = run("import", "sales", str(source), "--vault", str(root), "--create-missing")
    assert created.exit_code == 0, created.stderr
    note = (root / "clients" / "Zakład Ślusarski Źdźbło.md").read_text(encoding="utf-8")
    assert note.startswith(f'---\nname: Zakład Ślusarski Źdźbło\nnip: "{NIP_B}"\ntier: C\n'
                           "status: active\nregion: Gdańsk\n---\n")
    assert (root / "clients" / "Gęślą Jaźń Sp. z o.o..md").is_file()
    assert "clients: 1 matched, 2 unknown, 2 created" in created.stdout
    files = git_show(root, "")
    assert sorted(filter(None, files)) == ["clients/Gęślą Jaźń Sp. z o.o..md",
                             "clients/Zakład Ślusarski Źdźbło.md",
                             "sales/2026-03.csv", "sales/2026-04.csv"]
    again = run("import", "sales", str(source), "--vault", str(root), "--create-missing")
    assert "clients: 3 matched, 0 unknown, 0 created" in again.stdout
    assert commits(root) == 2


def test_create_missing_refuses_a_name_another_note_has(make_vault, tmp_path):
    other = NOTE_A.replace(f'nip: "{NIP_A}"\n', "")
    root = make_vault({"clients/Hydro-Tech Sp. z o.o..md": other})
    source = write(tmp_path, "s.csv", bom_comma_export(ROWS[:1]))
    with pytest.raises(VaultError) as error:
        import_sales(root, source, TODAY, create_missing=True)
    assert str(error.value.problems[0]).startswith(
        f"{source}:2: cannot create a note for NIP 526-025-02-74: client 'Hydro-Tech Sp. z o.o.' "
        "already exists")
    assert not (root / "sales").exists()


def test_dry_run_prints_the_same_plan_and_writes_nothing(vault, tmp_path, run):
    source = write(tmp_path, "s.csv", cp1250_export())
    before = snapshot(vault)
    dry = run("import", "sales", str(source), "--vault", str(vault), "--dry-run",
              "--create-missing")
    assert snapshot(vault) == before
    real = run("import", "sales", str(source), "--vault", str(vault), "--create-missing")
    expected = [line.replace("do utworzenia:", "utworzono:").replace("do zapisania:", "zapisano:")
                .replace("do utworzenia", "utworzeni") for line in dry.stdout.splitlines()]
    assert expected[-1] == "próba: nic nie zapisano"
    assert expected[:-1] == real.stdout.splitlines()


def test_progress_is_reported_for_every_thousand_rows(vault, tmp_path):
    source = write(tmp_path, "big.csv", thousand_rows_with_bad_ones())
    seen: list[tuple[int, int]] = []
    plan_sales(load_vault(vault, git=False), source, TODAY, skip_bad=True,
               progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 1000), (1000, 1000)]


# --- the benchmark's entry point ----------------------------------------------------------------

def sales_rows_export(path: Path, rows: int, clients: int) -> Path:
    """`rows` sales over `clients` NIPs and twelve months, cp1250 `;` with a totals row."""
    nips = valid_nips(clients)
    out = ["Numer;Data wystawienia;NIP;Kontrahent;Netto;Marża"]
    total = Decimal(0)
    for i in range(rows):
        amount = Decimal(i % 100000) / 100 + 1
        total += amount
        out.append(f"FV/{i}/2026;{1 + i % 28:02d}.{1 + i % 12:02d}.2026;{nips[i % clients]};"
                   f"Klient {i % clients};{pl_amount(amount)};")
    out.append(f"Razem;;;;{pl_amount(total)};")
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("cp1250"))
    return path


def clients_export(path: Path, clients: int) -> Path:
    out = ["NIP;Nazwa;Segment;Miasto;Telefon;Budżet"]
    for i, nip in enumerate(valid_nips(clients)):
        out.append(f"{nip};Klient {i};{'ABC'[i % 3]};Miasto {i % 50};+48 600 {i:06d};"
                   f"{pl_amount(Decimal(i * 1000))}")
    path.write_bytes(("\n".join(out) + "\n").encode("utf-8"))
    return path


def valid_nips(n: int) -> list[str]:
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    found, i = [], 0
    while len(found) < n:
        digits = f"{100000000 + i * 7919:09d}"[:9]
        check = sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11
        if check < 10:
            found.append(digits + str(check))
        i += 1
    return found


def time_imports(folder: Path, sales_rows: int = 50_000, clients: int = 5_000) -> dict[str, float]:
    """Seconds for: importing `clients` new clients, re-importing them (no change), importing
    `sales_rows` sales, and re-importing them (no change), in a fresh vault under `folder`.
    In-process (no interpreter start-up); no git, so only salesnotes' own work is timed."""
    root = folder / "bench-vault"
    (root / "clients").mkdir(parents=True)
    (root / "salesnotes.yaml").write_text("owner: Bench\nlocale: pl\n", encoding="utf-8")
    client_file = clients_export(folder / "clients.csv", clients)
    sales_file = sales_rows_export(folder / "sales.csv", sales_rows, clients)
    times = {}
    for label, run_import in (
            ("clients", lambda: import_clients(root, client_file, TODAY)),
            ("clients again", lambda: import_clients(root, client_file, TODAY)),
            ("sales", lambda: import_sales(root, sales_file, TODAY)),
            ("sales again", lambda: import_sales(root, sales_file, TODAY))):
        start = time.perf_counter()
        run_import()
        times[label] = time.perf_counter() - start
    return times


def import_clients(root: Path, source: Path, today: date):  # noqa: ANN201
    from salesnotes.imports.clients import import_clients as core

    return core(root, source, today)


def test_time_imports_runs_small(tmp_path):
    times = time_imports(tmp_path, sales_rows=3000, clients=60)
    assert set(times) == {"clients", "clients again", "sales", "sales again"}
    sales, problems = read_ledger(tmp_path / "bench-vault")
    assert (len(sales), problems) == (3000, [])
    assert len(list((tmp_path / "bench-vault" / "clients").glob("*.md"))) == 60
