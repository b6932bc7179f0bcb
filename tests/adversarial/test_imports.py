"""Adversarial cases 22-29 (ARCHITECTURE.md): ERP and CRM exports through `import sales` and
`import clients`.

All or nothing: a file with any bad row changes and commits nothing and lists every bad row as
FILE:LINE; a good file imported twice changes nothing the second time.
"""

from __future__ import annotations

import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from adversarial import assert_unchanged, git, git_state, problem_lines, snapshot

HYDRO = '---\nname: Hydro\nnip: "5260250274"\ntier: A\nregion: Kraków  # HQ\n---\n## Log\n'
SALES_HEADER = "Numer;Data;NIP;Kontrahent;Netto"
VALID_NIPS = ["1000000006", "1000000012", "1000000029", "1000000035", "1000000041"]


@pytest.fixture
def vault(make_vault):
    return make_vault({"clients/Hydro.md": HYDRO}, git=True)


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def imports(run, root: Path, kind: str, source: Path, *extra: str):  # noqa: ANN001, ANN201
    return run("import", kind, str(source), "--vault", str(root), *extra)


def refused_whole(result, root: Path, before: dict, state: tuple) -> dict[int, str]:  # noqa: ANN001
    """Exit 1, nothing written or committed; the problems by line."""
    assert result.exit_code == 1, result.output
    problems = problem_lines(result.stderr)
    assert_unchanged(root, before)
    assert git_state(root) == state
    return {int(m["line"] or 0): m["message"] for m in problems}  # 0: the whole file


def ledger(root: Path, month: str = "2026-03") -> str:
    return (root / f"sales/{month}.csv").read_text(encoding="utf-8")


# ------------------------------------------------------------ 22: encodings


@pytest.mark.parametrize("encoding", ["cp1250", "utf-8-sig", "utf-16"])
def test_22_cp1250_bom_and_utf16_exports_are_read_exactly(vault, run, tmp_path, encoding):
    source = write_csv(tmp_path / "sprzedaz.csv", [
        SALES_HEADER, "FV/1;2026-03-02;526-025-02-74;Łódź Żółć Sp. z o.o.;1 234,56"], encoding)
    result = imports(run, vault, "sales", source)
    assert result.exit_code == 0, result.stderr
    assert ledger(vault).splitlines()[1] == (
        "2026-03-02,FV/1,5260250274,Łódź Żółć Sp. z o.o.,1234.56,")


def test_22_the_cp1250_fallback_is_reported(vault, run, tmp_path):
    source = write_csv(tmp_path / "sprzedaz.csv", [
        SALES_HEADER, "FV/1;2026-03-02;5260250274;Łódź;1"], "cp1250")
    result = imports(run, vault, "sales", source, "--dry-run")
    assert "1250" in result.output + result.stderr


def test_22_an_undecodable_byte_is_an_error_at_row_and_column(vault, run, tmp_path):
    source = tmp_path / "sprzedaz.csv"
    source.write_bytes(f"{SALES_HEADER}\nFV/1;2026-03-02;5260250274;Hydro \x81;1\n".encode(
        "latin-1"))
    before, state = snapshot(vault), git_state(vault)
    problems = refused_whole(imports(run, vault, "sales", source, "--encoding", "utf-8"),
                             vault, before, state)
    assert problems == {2: "column 34: byte 0x81 is not valid utf-8 (name the file's encoding "
                           "with --encoding)"}


def test_22_bytes_neither_utf8_nor_cp1250_are_refused_not_guessed(vault, run, tmp_path):
    source = tmp_path / "sprzedaz.csv"
    source.write_bytes(f"{SALES_HEADER}\nFV/1;2026-03-02;5260250274;Hydro \x81\x98;1\n".encode(
        "latin-1"))
    before, state = snapshot(vault), git_state(vault)
    problems = refused_whole(imports(run, vault, "sales", source), vault, before, state)
    assert list(problems) == [2] and "column" in problems[2]


def test_22_control_characters_from_the_file_are_escaped_in_messages(vault, tmp_path):
    from click.testing import CliRunner
    from conftest import TODAY

    from salesnotes.cli import cli

    source = tmp_path / "klienci.csv"
    source.write_bytes(b"Nazwa\x1b[2J\x1b]0;pwned\x07;Miasto\x0bx\nHydro;Krak\xc3\xb3w\n")
    result = CliRunner().invoke(cli, ["import", "clients", str(source), "--vault", str(vault)],
                                env={"SALESNOTES_TODAY": TODAY.isoformat()}, color=True)
    assert result.exit_code == 1
    [problem] = problem_lines(result.stderr)
    assert "missing column" in problem["message"]
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in result.stderr.rstrip("\n"))


# ------------------------------------------------------------ 23: all or nothing


def _thousand_rows(tmp_path: Path) -> Path:
    rows = [SALES_HEADER] + [f"FV/{i};2026-03-{i % 28 + 1:02d};526-025-02-74;Hydro;{i},50"
                             for i in range(1, 1001)]
    rows[500] = "FV/500;2026-03-05;526-025-02-75;Hydro;12,3,4"  # line 501
    rows[900] = "FV/900;2026-02-30;526-025-02-74;Hydro;9,00"  # line 901
    return write_csv(tmp_path / "sprzedaz.csv", rows, "cp1250")


@pytest.mark.parametrize("dry_run", [False, True])
def test_23_bad_rows_refuse_the_whole_file_and_are_all_listed(vault, run, tmp_path, dry_run):
    source = _thousand_rows(tmp_path)
    before, state = snapshot(vault), git_state(vault)
    result = imports(run, vault, "sales", source, *(["--dry-run"] if dry_run else []))
    problems = refused_whole(result, vault, before, state)
    assert sorted(problems) == [501, 901]
    assert "12,3,4" in problems[501] and "checksum" in problems[501]
    assert "2026-02-30" in problems[901]


def test_23_a_bad_client_row_refuses_every_note_change(vault, run, tmp_path):
    source = write_csv(tmp_path / "klienci.csv", [
        "NIP;Nazwa;Region", "5260250274;Hydro;Gdańsk", f"{VALID_NIPS[0]};Nowy;Kraków",
        "1234567890;Zły NIP;Kraków", f"{VALID_NIPS[1]};Drugi;Budżet", ])
    before, state = snapshot(vault), git_state(vault)
    problems = refused_whole(imports(run, vault, "clients", source), vault, before, state)
    assert list(problems) == [4] and "checksum" in problems[4]


# ------------------------------------------------------------ 24: headers


@pytest.mark.parametrize(("kind", "lines", "says"), [
    ("sales", ["Numer,Data,NIP,NIP,Kontrahent,Netto",
               "FV/1,2026-03-02,5260250274,1000000006,H,1"], "duplicate header 'NIP'"),
    ("clients", ["nazwa,NIP,NIP", "Hydro,5260250274,1000000006"], "duplicate header 'NIP'"),
    ("sales", ["Numer;Data;Kontrahent;Netto", "FV/1;2026-03-02;H;1"], "missing column(s): nip"),
    ("clients", ["Nazwa;Miasto", "Hydro;Kraków"], "missing column(s): nip"),
])
def test_24_duplicate_or_missing_headers_are_errors_never_last_wins(
        vault, run, tmp_path, kind, lines, says):
    source = write_csv(tmp_path / "export.csv", lines)
    before, state = snapshot(vault), git_state(vault)
    problems = refused_whole(imports(run, vault, kind, source), vault, before, state)
    assert list(problems) == [1] and says in problems[1]


# ------------------------------------------------------------ 25: idempotence


@pytest.mark.parametrize(("kind", "lines"), [
    ("sales", [SALES_HEADER, "FV/1;05.03.2026;526-025-02-74;Hydro;1 234,56",
               f"FV/2;2026-03-06;{VALID_NIPS[0]};Nowy;2,00"]),
    ("clients", ["NIP;Nazwa;Region;Telefon", "5260250274;Hydro;Gdańsk;+48 600 100 200",
                 f"{VALID_NIPS[0]};Nowy;Kraków;"]),
])
def test_25_the_same_file_twice_changes_and_commits_nothing_the_second_time(
        vault, run, tmp_path, kind, lines):
    source = write_csv(tmp_path / "export.csv", lines)
    extra = ("--create-missing",) if kind == "sales" else ()
    first = imports(run, vault, kind, source, *extra)
    assert first.exit_code == 0, first.stderr
    assert "committed" in first.output
    before, state = snapshot(vault), git_state(vault)
    second = imports(run, vault, kind, source, *extra)
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert_unchanged(vault, before)
    assert git_state(vault) == state


# ------------------------------------------------------------ 26: one client, three spellings


def test_26_three_spellings_of_a_nip_are_one_client(make_vault, run, tmp_path):
    root = make_vault({}, git=True)
    source = write_csv(tmp_path / "klienci.csv", [
        "NIP;Nazwa;Region", "123-456-32-18;Hydro;Kraków", "PL1234563218;Hydro;",
        "1234563218;;Kraków"])
    result = imports(run, root, "clients", source)
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in (root / "clients").iterdir()] == ["Hydro.md"]
    assert 'nip: "1234563218"' in (root / "clients/Hydro.md").read_text()


def test_26_conflicting_fields_are_reported_not_overwritten(make_vault, run, tmp_path):
    root = make_vault({"clients/Hydro.md": HYDRO.replace("5260250274", "1234563218")}, git=True)
    source = write_csv(tmp_path / "klienci.csv", [
        "NIP;Nazwa;Region;Segment", "123-456-32-18;Hydro;Kraków;A", "PL1234563218;Hydro;Gdańsk;",
        "1234563218;Hydro;;B"])
    before, state = snapshot(root), git_state(root)
    problems = refused_whole(imports(run, root, "clients", source), root, before, state)
    assert sorted(problems) == [3, 4]
    assert "'Gdańsk' here but 'Kraków' on line 2" in problems[3]
    assert "'B' here but 'A' on line 2" in problems[4]


# ------------------------------------------------------------ 27: XLSX traps

XLSX_HEADER = ["Numer", "Data", "NIP", "Kontrahent", "Netto"]


def test_27_a_nip_stored_as_a_number_is_flagged_by_its_checksum(vault, run, tmp_path):
    source = write_xlsx(tmp_path / "s.xlsx", [XLSX_HEADER, ["FV/1", 46000, 5260250274, "H", 10],
                                              ["FV/2", 46001, 123456789, "H", 5]])
    before, state = snapshot(vault), git_state(vault)
    problems = refused_whole(imports(run, vault, "sales", source), vault, before, state)
    assert list(problems) == [3] and "123456789" in problems[3]


def test_27_a_serial_number_date_is_converted(vault, run, tmp_path):
    source = write_xlsx(tmp_path / "s.xlsx", [XLSX_HEADER, ["FV/1", 46000, "5260250274", "H",
                                                            10.5]])
    assert imports(run, vault, "sales", source).exit_code == 0
    assert ledger(vault, "2025-12").splitlines()[1] == "2025-12-09,FV/1,5260250274,H,10.50,"


def test_27_a_formula_without_a_cached_value_is_an_error_not_an_empty_cell(vault, run, tmp_path):
    source = write_xlsx(tmp_path / "s.xlsx", [XLSX_HEADER, ["FV/1", 46000, "5260250274", "H",
                                                            "=2+3"]])
    before, state = snapshot(vault), git_state(vault)
    problems = refused_whole(imports(run, vault, "sales", source), vault, before, state)
    assert list(problems) == [2] and "E2" in problems[2] and "formula" in problems[2]


def test_27_an_xml_bomb_is_refused_fast(vault, run, tmp_path):
    plain = write_xlsx(tmp_path / "plain.xlsx", [XLSX_HEADER, ["FV/1", 46000, "5260250274", "H",
                                                               10]])
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    doctype = f'<?xml version="1.0"?>\n<!DOCTYPE worksheet [{entities}]>'.encode()
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(bomb, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = doctype + data.replace(b"<t>H</t>", b"<t>&l9;</t>", 1)
            zout.writestr(info, data)
    before, state = snapshot(vault), git_state(vault)
    started = time.perf_counter()
    result = imports(run, vault, "sales", bomb)
    assert time.perf_counter() - started < 5
    problems = refused_whole(result, vault, before, state)
    assert list(problems) == [0] and "EntitiesForbidden" in problems[0]


# ------------------------------------------------------------ 28: phones and postcodes


def _value(text: str, key: str) -> list:
    """How YAML 1.1 (PyYAML, Obsidian Git's era) and YAML 1.2 (ruamel) read `key` of a note."""
    from ruamel.yaml import YAML

    front = text.split("---\n")[1]
    return [yaml.safe_load(front)[key], YAML(typ="safe").load(front)[key]]


def test_28_phones_and_postcodes_stay_text(vault, run, tmp_path):
    source = write_csv(tmp_path / "klienci.csv", [
        "NIP;Nazwa;Kod;Telefon", "5260250274;Hydro;05-092;+48 600 100 200",
        f"{VALID_NIPS[0]};Nowy;05-092;+48600100200",
        f"{VALID_NIPS[1]};Trzeci;00-950;0048221234567"])
    result = imports(run, vault, "clients", source, "--map", "region=Kod")
    assert result.exit_code == 0, result.stderr
    notes = {p.stem: p.read_text() for p in (vault / "clients").iterdir()}
    assert _value(notes["Hydro"], "phone") == ["+48 600 100 200"] * 2
    assert _value(notes["Hydro"], "region") == ["05-092"] * 2
    assert _value(notes["Nowy"], "phone") == ["+48600100200"] * 2
    assert _value(notes["Trzeci"], "phone") == ["0048221234567"] * 2
    assert _value(notes["Trzeci"], "region") == ["00-950"] * 2
    assert notes["Hydro"].startswith(HYDRO.split("region")[0])  # the rest of the note kept


def test_28_a_phone_stored_as_an_xlsx_number_stays_text(make_vault, run, tmp_path):
    root = make_vault({}, git=True)
    source = write_xlsx(tmp_path / "k.xlsx", [["NIP", "Nazwa", "Telefon", "Kod"],
                                              [VALID_NIPS[0], "Nowy", 48600100200, "05-092"]])
    assert imports(run, root, "clients", source, "--map", "region=Kod").exit_code == 0
    note = (root / "clients/Nowy.md").read_text()
    assert _value(note, "phone") == ["48600100200"] * 2
    assert _value(note, "region") == ["05-092"] * 2


# ------------------------------------------------------------ 29: spreadsheet formulas in cells

FORMULAS = ['=HYPERLINK("http://x","y")', "+48 600", "-5", "@SUM(A1)", "'=quoted"]


def test_29_formula_like_text_is_guarded_in_the_ledger_and_restored_on_reading(
        vault, run, tmp_path):
    quoted = ['"' + name.replace('"', '""') + '"' for name in FORMULAS]
    lines = [SALES_HEADER] + [f"FV/{i};2026-03-0{i + 1};{nip};{name};{i + 1},00"
                              for i, (nip, name) in enumerate(zip(VALID_NIPS, quoted, strict=True))]
    source = write_csv(tmp_path / "sprzedaz.csv", lines)
    result = imports(run, vault, "sales", source, "--create-missing")
    assert result.exit_code == 0, result.stderr
    cells = [line.split(",", 3)[3].rsplit(",", 2)[0] for line in ledger(vault).splitlines()[1:]]
    assert cells == ['"\'=HYPERLINK(""http://x"",""y"")"', "'+48 600", "'-5", "'@SUM(A1)",
                     "''=quoted"]
    from salesnotes.model.ledger import read_ledger

    sales, problems = read_ledger(vault)
    assert not problems
    assert [s.client for s in sales] == FORMULAS
    assert sum(s.amount for s in sales) == Decimal("15.00")
    notes = {p.read_text().split("\n")[1] for p in (vault / "clients").iterdir()}
    assert 'name: "=HYPERLINK(\\"http://x\\",\\"y\\")"' in notes  # verbatim in the note
    before, state = snapshot(vault), git_state(vault)
    again = imports(run, vault, "sales", source, "--create-missing")
    assert again.exit_code == 0 and "nothing changed" in again.output  # re-import: exact trip
    assert_unchanged(vault, before)
    assert git_state(vault) == state
    assert git(vault, "status", "--porcelain") == ""
