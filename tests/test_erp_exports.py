"""Exports as ERPs write them: totals rows where ERPs put them, bad cells, bad bytes, re-imports.

Every file is written here byte for byte (Windows-1250, `;`, CRLF, NBSP thousands), as Subiekt,
Comarch or Symfonia write them; the real CLI imports them into a real vault.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import snapshot, write

from salesnotes.model.ledger import read_ledger

NBSP = "\u00a0"
NIP_A = "5260250274"
NIP_B = "7740001454"
NOTE_A = f'---\nname: Hydro-Tech\nnip: "{NIP_A}"\n---\n# Hydro-Tech\n'


def cp1250(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("cp1250")


@pytest.fixture
def vault(make_vault) -> Path:
    return make_vault({"clients/Hydro-Tech.md": NOTE_A})


def imported(vault: Path) -> list[tuple[str, str]]:
    return [(s.document, str(s.amount)) for s in read_ledger(vault)[0]]


def test_razem_in_the_first_column_which_is_the_date_column(vault, tmp_path, run):
    source = write(tmp_path, "sprzedaz.csv", cp1250(
        "Data wystawienia;Numer;NIP;Kontrahent;Netto",
        f"05.03.2026;FV/1/2026;{NIP_A};Hydro-Tech;61{NBSP}944{NBSP}000,00",
        f"06.03.2026;FV/2/2026;{NIP_B};Źdźbło Sp. z o.o.;286,65",
        f"Razem;;;;61{NBSP}944{NBSP}286,65"))
    result = run("import", "sales", str(source), "--vault", str(vault))
    assert result.exit_code == 0, result.stderr
    assert "1 totals row checked against the rows above (they add up), not imported" in (
        result.stdout)
    assert imported(vault) == [("FV/1/2026", "61944000.00"), ("FV/2/2026", "286.65")]


@pytest.mark.parametrize("label", ["Razem:", "SUMA", "ogółem", "Total:"])
def test_a_totals_label_in_a_later_column_any_case_optional_colon(vault, tmp_path, run, label):
    source = write(tmp_path, "s.csv", cp1250(
        "Numer;Data;NIP;Kontrahent;Netto",
        f"FV/1;05.03.2026;{NIP_A};Hydro-Tech;100,00",
        f"FV/2;05.03.2026;{NIP_A};Hydro-Tech;23,45",
        f";;;{label};123,45"))
    result = run("import", "sales", str(source), "--vault", str(vault))
    assert result.exit_code == 0, result.stderr
    assert imported(vault) == [("FV/1", "100.00"), ("FV/2", "23.45")]


def test_a_dated_row_or_one_with_a_nip_is_a_sale_whatever_its_first_cell(vault, tmp_path, run):
    source = write(tmp_path, "s.csv", cp1250(
        "Data;Numer;NIP;Kontrahent;Netto",
        f"05.03.2026;;{NIP_A};Suma Sp. z o.o.;100,00",
        f"Razem;;{NIP_A};Hydro-Tech;100,00"))
    result = run("import", "sales", str(source), "--vault", str(vault))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"{source}:2: no document number",
                                          f"{source}:3: no document number; not a date: 'Razem' "
                                          "(write YYYY-MM-DD or DD.MM.YYYY)"]


def subtotals(first: str, second: str, grand: str) -> bytes:
    return cp1250(
        "Data;Numer;NIP;Kontrahent;Netto",
        f"05.03.2026;FV/1;{NIP_A};Hydro-Tech;1{NBSP}000,00",
        f"06.03.2026;FV/2;{NIP_A};Hydro-Tech;500,50",
        f"Razem Hydro-Tech:;;;;{first}",
        f"07.03.2026;FV/3;{NIP_B};Źdźbło;99,50",
        f"Razem Źdźbło:;;;;{second}",
        f"Ogółem;;;;{grand}")


def test_subtotals_and_a_grand_total_are_checked_and_not_imported(vault, tmp_path, run):
    source = write(tmp_path, "s.csv", subtotals(f"1{NBSP}500,50", "99,50", f"1{NBSP}600,00"))
    result = run("import", "sales", str(source), "--vault", str(vault))
    assert result.exit_code == 0, result.stderr
    assert "3 totals rows checked" in result.stdout
    assert imported(vault) == [("FV/1", "1000.00"), ("FV/2", "500.50"), ("FV/3", "99.50")]


def test_a_subtotal_that_does_not_add_up_refuses_the_file_at_its_line(vault, tmp_path, run):
    before = snapshot(vault)
    source = write(tmp_path, "s.csv", subtotals(f"1{NBSP}500,50", "99,51", f"1{NBSP}600,00"))
    result = run("import", "sales", str(source), "--vault", str(vault))
    assert result.exit_code == 1
    assert result.stderr == f"{source}:6: totals row says 99.51 but the rows above sum to 99.50\n"
    assert snapshot(vault) == before


def test_a_control_character_in_a_cell_is_a_bad_row_naming_line_and_column(vault, tmp_path,
                                                                             run):
    source = write(tmp_path, "s.csv", cp1250(
        "Numer;Data;NIP;Kontrahent;Netto",
        f"FV/1;05.03.2026;{NIP_A};Hydro\x00Tech;100,00",
        f"FV/2;05.03.2026;{NIP_A};Hydro-Tech;1\x0b00,00",
        f"FV/3;05.03.2026;{NIP_A};Hydro-Tech;5,00"))
    result = run("import", "sales", str(source), "--vault", str(vault))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{source}:2: column 4 (Kontrahent): control character U+0000 in the cell",
        f"{source}:3: column 5 (Netto): control character U+000B in the cell"]
    skipped = run("import", "sales", str(source), "--vault", str(vault), "--skip-bad")
    assert skipped.exit_code == 0
    assert imported(vault) == [("FV/3", "5.00")]
    assert b"\x00" not in (vault / "sales" / "2026-03.csv").read_bytes()


def test_a_ledger_exported_and_reimported_gets_its_text_back_without_the_guard(make_vault,
                                                                             tmp_path, run):
    vault = make_vault({"clients/Hydro-Tech.md": NOTE_A})
    source = write(tmp_path, "s.csv", cp1250(
        "Numer;Data;NIP;Kontrahent;Netto",
        f'FV/1;05.03.2026;{NIP_B};"=HYPERLINK(""http://x"",""y"")";1,00',
        f"-FV/2;05.03.2026;{NIP_B};+48 Handel;2,00"))
    assert run("import", "sales", str(source), "--vault", str(vault)).exit_code == 0
    ledger = (vault / "sales" / "2026-03.csv").read_bytes()
    assert b"'=HYPERLINK" in ledger and b"'-FV/2" in ledger and b"'+48 Handel" in ledger
    other = make_vault({"clients/Hydro-Tech.md": NOTE_A}, name="other")
    exported = write(tmp_path, "ledger-copy.csv", ledger)
    result = run("import", "sales", str(exported), "--vault", str(other))
    assert result.exit_code == 0, result.stderr
    assert [(s.document, s.client) for s in read_ledger(other)[0]] == [
        ("-FV/2", "+48 Handel"), ("FV/1", '=HYPERLINK("http://x","y")')]
    assert (other / "sales" / "2026-03.csv").read_bytes() == ledger
    again = run("import", "sales", str(exported), "--vault", str(vault))
    assert "nothing changed" in again.stdout


@pytest.mark.parametrize("bom, encode", [
    (b"\xef\xbb\xbf", lambda t: t.encode("utf-8")),
    (b"", lambda t: t.encode("utf-8")),
    (b"", lambda t: t.encode("cp1250")),
])
def test_a_bad_byte_is_reported_at_its_own_line(vault, tmp_path, run, bom, encode):
    head = encode("Numer;Data;NIP;Kontrahent;Netto\r\n"
                  f"FV/1;05.03.2026;{NIP_A};Łódź;1,00\r\nFV/2;05.03.2026;{NIP_A};")
    bad = b"\x81" if encode("ł") == b"\xb3" else b"\xff"  # undefined in cp1250; never UTF-8
    source = write(tmp_path, "s.csv", bom + head + bad + b"x;2,00\r\n")
    result = run("import", "sales", str(source), "--vault", str(vault))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{source}:3: column 28: byte 0x{bad[0]:02x} is not valid")


def test_no_import_problem_is_reported_at_line_zero(vault, tmp_path, run):
    empty = write(tmp_path, "empty.csv", b"\r\n")
    result = run("import", "sales", str(empty), "--vault", str(vault))
    assert result.exit_code == 1
    assert result.stderr == f"{empty}: no header row: the file is empty\n"
    xlsx = write(tmp_path, "x.xlsx", b"not a zip")
    result = run("import", "clients", str(xlsx), "--vault", str(vault))
    assert result.stderr.startswith(f"{xlsx}: not an XLSX file")


def test_an_unreadable_note_never_blocks_the_monthly_import(make_vault, tmp_path, run):
    nip_c = "9542751368"
    broken = "---\nname: Źdźbło\n# old NIP below\nnip: PL 774 000 14 54\n---\n".encode("cp1250")
    vault = make_vault({"clients/Hydro-Tech.md": NOTE_A, "clients/Źdźbło.md": broken},
                       git=True)
    source = write(tmp_path, "s.csv", cp1250(
        "Numer;Data;NIP;Kontrahent;Netto",
        f"FV/1;05.03.2026;{NIP_A};Hydro-Tech;100,00",
        f"FV/2;05.03.2026;{NIP_B};Źdźbło s.c.;200,00",
        f"FV/3;05.03.2026;{nip_c};Gęślą Jaźń;300,00"))
    result = run("import", "sales", str(source), "--vault", str(vault), "--create-missing")
    assert result.exit_code == 0, result.stderr
    assert imported(vault) == [("FV/1", "100.00"), ("FV/2", "200.00"), ("FV/3", "300.00")]
    assert "created clients/Gęślą Jaźń.md" in result.stdout
    assert ("774-000-14-54 Źdźbło s.c.: not created: may be in clients/Źdźbło.md, which cannot "
            "be read (line 4)") in result.stdout
    assert ":0:" not in result.stdout + result.stderr
    assert sorted(p.name for p in (vault / "clients").iterdir()) == [
        "Gęślą Jaźń.md", "Hydro-Tech.md", "Źdźbło.md"]
    again = write(tmp_path, "t.csv", cp1250(
        "Numer;Data;NIP;Kontrahent;Netto", f"FV/9;06.03.2026;{NIP_B};Źdźbło s.c.;1,00",
        ";;;Razem:;1,00"))
    result = run("import", "sales", str(again), "--vault", str(vault), "--create-missing",
                 "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["not_created"] == [{"nip": NIP_B, "name": "Źdźbło s.c.", "why": (
        "may be in clients/Źdźbło.md, which cannot be read (line 4)")}]
    assert report["totals_rows"] == 1


def test_salesnotes_export_sales_reimported_elsewhere_gives_the_same_ledger(make_vault, tmp_path,
                                                                          run):
    vault = make_vault({"clients/Hydro-Tech.md": NOTE_A}, locale="pl")
    source = write(tmp_path, "s.csv", cp1250(
        "Numer;Data;NIP;Kontrahent;Netto",
        f'FV/1;05.03.2026;{NIP_B};"=HYPERLINK(""http://x"")";1{NBSP}234,50',
        f"-FV/2;05.03.2026;{NIP_B};@Handel;2,00"))
    assert run("import", "sales", str(source), "--vault", str(vault)).exit_code == 0
    exported = tmp_path / "sprzedaz.csv"
    assert run("export", "sales", str(exported), "--vault", str(vault)).exit_code == 0
    assert b"'=HYPERLINK" in exported.read_bytes()  # guarded for Excel
    other = make_vault({}, locale="pl", name="other")
    result = run("import", "sales", str(exported), "--vault", str(other))
    assert result.exit_code == 0, result.stderr
    assert [s.client for s in read_ledger(other)[0]] == ["@Handel", '=HYPERLINK("http://x")']
    assert (other / "sales/2026-03.csv").read_bytes() == (vault / "sales/2026-03.csv").read_bytes()
