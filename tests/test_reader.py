"""The export reader: encodings, separators, headers, totals, XLSX, and the value parsers.

Every fixture is written by the test itself, in the bytes an ERP or Excel would produce.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from salesnotes.errors import Refused
from salesnotes.imports import reader
from salesnotes.imports.reader import (
    ExportError,
    OptionError,
    check_totals,
    decode_export,
    normalize_header,
    parse_date,
    read_export,
    sniff_delimiter,
)
from salesnotes.model.money import parse_money as parse_amount
from salesnotes.read.fields import parse_nip

NIP_A = "5260250274"
NIP_B = "7740001454"
NBSP = "\u00a0"

CP1250_SALES = (
    "Numer;Data wystawienia;NIP;Kontrahent;Netto;Marża\r\n"
    f"FV/1/03/2026;05.03.2026;{NIP_A};Zakład Ślusarski Źdźbło;1{NBSP}234,56;200,00\r\n"
    "\r\n"
    f"FV/2/03/2026;2026-03-06;PL {NIP_B[:3]}-{NIP_B[3:6]}-{NIP_B[6:8]}-{NIP_B[8:]};"
    "Gęślą Jaźń Sp. z o.o.;-100,00;\r\n"
    f"Razem;;;;1{NBSP}134,56;200,00\r\n"
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def problems_of(error: pytest.ExceptionInfo[ExportError]) -> list[str]:
    return [str(p) for p in error.value.problems]


# --- encodings -------------------------------------------------------------------------------

def test_cp1250_semicolon_export_with_nbsp_thousands_and_totals_row(tmp_path):
    path = write(tmp_path, "sprzedaz.csv", CP1250_SALES.encode("cp1250"))
    export = read_export(path, required=("document", "date", "nip", "client", "amount"))
    assert (export.encoding, export.delimiter) == ("cp1250", ";")
    assert export.columns["margin"] == "Marża"
    assert [r.line for r in export.rows] == [2, 4]
    first, second = export.rows
    assert first.values["client"] == "Zakład Ślusarski Źdźbło"
    assert second.values["client"] == "Gęślą Jaźń Sp. z o.o."
    assert parse_amount(first.values["amount"]) == Decimal("1234.56")
    assert parse_amount(second.values["amount"]) == Decimal("-100.00")
    assert parse_nip(second.values["nip"]) == NIP_B
    assert second.values["margin"] == ""
    assert [t.line for t in export.totals] == [5]
    assert check_totals(export) == []


def test_totals_row_that_does_not_add_up_is_reported_with_its_line(tmp_path):
    data = CP1250_SALES.replace(f"1{NBSP}134,56", f"1{NBSP}134,57").encode("cp1250")
    export = read_export(write(tmp_path, "s.csv", data))
    assert [str(p) for p in check_totals(export)] == [
        f"{tmp_path.as_posix()}/s.csv:5: totals row says 1134.57 but the rows above sum to 1134.56"]


def test_cp1250_is_not_mistaken_for_cp1252():
    data = "Kraśnik;Źródło;Łódź\n".encode("cp1250")
    assert b"\x9c" in data and b"\x8f" in data  # ś and Ź live where cp1252 has œ and Ź
    text, encoding = decode_export(data)
    assert encoding == "cp1250"
    assert "ś" in text and "Ź" in text and "œ" not in text


def test_cp1250_without_c1_bytes_is_told_from_latin2_by_polish_letters():
    text, encoding = decode_export("Zażółć gęślą".encode("cp1250").replace(b"\x9c", b"s"))
    assert encoding == "cp1250" and "ą" in text
    text, encoding = decode_export("Świętochłowice, ąś".encode("iso8859_2"))
    assert (text, encoding) == ("Świętochłowice, ąś", "iso8859-2")


def test_utf8_bom_comma_file_strips_the_bom_from_the_first_header(tmp_path):
    data = ("NIP,Client,Document,Date,Net amount\n"
            f'{NIP_A},"Hydro-Tech, Sp. z o.o.",FV 1,2026-03-05,"1 234,50"\n').encode("utf-8-sig")
    export = read_export(write(tmp_path, "s.csv", data), required=("nip", "amount"))
    assert (export.encoding, export.delimiter) == ("utf-8-sig", ",")
    assert export.headers[0] == "NIP" and export.columns["nip"] == "NIP"
    assert export.rows[0].values["client"] == "Hydro-Tech, Sp. z o.o."
    assert parse_amount(export.rows[0].values["amount"]) == Decimal("1234.50")


def test_tab_separated_file(tmp_path):
    data = f"NIP\tKlient\tKwota netto\n{NIP_A}\tHydro\t12,50\n".encode()
    export = read_export(write(tmp_path, "s.txt", data))
    assert (export.encoding, export.delimiter) == ("utf-8", "\t")
    assert export.rows[0].values == {"nip": NIP_A, "client": "Hydro", "amount": "12,50"}


def test_utf16_with_bom(tmp_path):
    data = f"NIP;Nazwa\r\n{NIP_A};Łącka\r\n".encode("utf-16")
    export = read_export(write(tmp_path, "s.csv", data))
    assert export.encoding == "utf-16"
    assert export.rows[0].values["client"] == "Łącka"


def test_explicit_encoding_reports_an_undecodable_byte_with_line_and_column(tmp_path):
    data = "NIP;Nazwa\n1;ok\n2;Kraśnik\n".encode("cp1250")
    with pytest.raises(ExportError) as e:
        read_export(write(tmp_path, "s.csv", data), encoding="utf-8")
    [message] = problems_of(e)
    assert message.endswith("s.csv:3: column 6: byte 0x9c is not valid utf-8 "
                            "(name the file's encoding with --encoding)")


def test_explicit_encoding_overrides_detection(tmp_path):
    export = read_export(write(tmp_path, "s.csv", "NIP;Nazwa\n1;Łąka\n".encode("iso8859_2")),
                         encoding="latin2")
    assert export.encoding == "iso8859-2" and export.rows[0].values["client"] == "Łąka"


def test_unknown_encoding_is_wrong_usage(tmp_path):
    with pytest.raises(OptionError) as e:
        read_export(write(tmp_path, "s.csv", b"NIP\n1\n"), encoding="klingon")
    assert e.value.exit_code == 2


# --- separators and splitting ----------------------------------------------------------------

def test_decimal_commas_in_the_data_do_not_fool_the_sniffer():
    assert sniff_delimiter("NIP;Netto\n1;1,5\n2;2,5\n3;3,5\n") == ";"
    assert sniff_delimiter("Raport\nNIP;Netto\n1;2\n") == ";"
    assert sniff_delimiter("NIP\n1\n") == ","


def test_separator_survives_a_title_line_with_a_comma():
    text = "Zestawienie sprzedaży, marzec 2026\nNIP;Nazwa;Netto\n1;A;1,5\n2;B;2,5\n"
    assert sniff_delimiter(text) == ";"
    assert sniff_delimiter('NIP,Nazwa,Netto\n1,"A; B","1,5"\n') == ","
    assert sniff_delimiter("NIP\tNazwa\n1\tA, B; C\n") == "\t"


def test_unquoted_decimal_comma_in_a_comma_file_is_a_row_problem(tmp_path):
    data = f"NIP,Nazwa,Netto\n{NIP_A},A,12\n{NIP_A},B,12,50\n{NIP_A},C,3,\n".encode()
    export = read_export(write(tmp_path, "s.csv", data))
    assert [r.line for r in export.rows] == [2, 4]  # a trailing empty cell is harmless
    assert [p.line for p in export.problems] == [3]
    assert "4 cells but the header has 3 (a decimal comma not in quotes?)" in str(
        export.problems[0])


def test_a_stray_quote_cannot_swallow_the_rest_of_the_file(tmp_path):
    data = f'NIP;Nazwa\n{NIP_A};"Hydro"x\n{NIP_A};B\n'.encode()
    with pytest.raises(ExportError) as e:
        read_export(write(tmp_path, "s.csv", data))
    assert ":2: cannot split into cells" in problems_of(e)[0]


def test_line_numbers_count_multiline_cells_blank_lines_and_title_lines(tmp_path):
    data = ('Zestawienie sprzedaży\n\nNIP;Nazwa;Netto\n'
            f'{NIP_A};"Hydro\nTech";1\n\n{NIP_B};B;2\n').encode()
    export = read_export(write(tmp_path, "s.csv", data))
    assert export.header_line == 3
    assert [(r.line, r.values["client"]) for r in export.rows] == [(4, "Hydro\nTech"), (7, "B")]


# --- headers ---------------------------------------------------------------------------------

def test_headers_match_without_case_or_diacritics():
    assert normalize_header("\ufeffWARTOŚĆ  netto:") == "wartosc netto"
    assert normalize_header("Marza") == normalize_header("MARŻA") == "marza"
    assert normalize_header("E-mail") == "e mail"


def test_earlier_synonym_wins_whatever_the_column_order(tmp_path):
    data = b"Data sprzeda\xc5\xbcy;Data wystawienia;NIP\n2026-03-01;2026-03-02;1\n"
    export = read_export(write(tmp_path, "s.csv", data))
    assert export.columns["date"] == "Data wystawienia"
    assert export.rows[0].values["date"] == "2026-03-02"


def test_duplicated_header_is_an_error_never_last_wins(tmp_path):
    data = f"NIP;Nazwa;nip\n{NIP_A};A;{NIP_B}\n".encode()
    with pytest.raises(ExportError) as e:
        read_export(write(tmp_path, "s.csv", data))
    assert problems_of(e) == [f"{tmp_path.as_posix()}/s.csv:1: duplicate header 'NIP' "
                              "(columns 1 and 3) for nip: rename one"]


def test_duplicated_unused_header_is_harmless(tmp_path):
    export = read_export(write(tmp_path, "s.csv", b"NIP;Uwagi;Uwagi\n1;a;b\n"))
    assert export.rows[0].values == {"nip": "1"}


def test_missing_required_column_lists_what_is_missing_and_what_was_found(tmp_path):
    with pytest.raises(ExportError) as e:
        read_export(write(tmp_path, "s.csv", b"NIP;Nazwa;Brutto\n1;a;2\n"),
                    required=("nip", "amount", "date"))
    assert e.value.exit_code == 1
    assert problems_of(e)[0].endswith(
        "s.csv:1: missing column(s): amount, date; headers found: NIP, Nazwa, Brutto "
        "(name one with --map KEY=HEADER)")


def test_map_overrides_and_its_mistakes_are_usage_errors(tmp_path):
    path = write(tmp_path, "s.csv", b"NIP;Netto;Brutto\n1;10,00;12,30\n")
    export = read_export(path, mapping={"amount": "brutto"}, required=("amount",))
    assert export.columns["amount"] == "Brutto"
    assert export.rows[0].values["amount"] == "12,30"
    with pytest.raises(OptionError) as e:
        read_export(path, mapping={"amount": "Kwota", "amout": "Netto"})
    assert e.value.exit_code == 2
    messages = problems_of(e)
    assert "--map amount=Kwota: no such header; headers found: NIP, Netto, Brutto" in messages[0]
    assert "--map amout=Netto: unknown key 'amout'" in messages[1]


def test_empty_file_has_no_header(tmp_path):
    with pytest.raises(ExportError, match="no header row"):
        read_export(write(tmp_path, "s.csv", b"\n\n"))


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_BYTES", 10)
    with pytest.raises(ExportError, match="too big"):
        read_export(write(tmp_path, "s.csv", b"NIP;Nazwa\n1;2\n"))


# --- XLSX ------------------------------------------------------------------------------------

def make_xlsx(path: Path, rows: dict[int, list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for number, values in rows.items():
        for column, value in enumerate(values, 1):
            if value is not None:
                ws.cell(number, column, value)
    wb.save(path)
    return path


XLSX_HEADER = ["Numer", "Data", "NIP", "Kontrahent", "Netto", "Telefon", "Kod pocztowy"]


def test_xlsx_values_become_faithful_text(tmp_path):
    path = make_xlsx(tmp_path / "s.xlsx", {
        2: XLSX_HEADER,
        3: ["FV/1", dt.date(2026, 3, 5), int(NIP_A), "Hydro", 1234.5, "+48 600 100 200", "05-092"],
        5: ["FV/2", 46082, 123456789, "Ząb", 1e-7, None, None],
        8: ["FV/4", 5, NIP_A, "Ul", 123.456, None, None],
        6: ["FV/3", dt.datetime(2026, 3, 7, 14, 30), NIP_B, "Ćma", 1234567890123.25, 600100200,
            None],
        7: ["Razem", None, None, None, 1234567891357.75, None, None],
    })
    # FV/4 is below the totals row on purpose: the check sums rows above each total
    export = read_export(path, required=("nip", "date", "amount"))
    assert (export.encoding, export.delimiter, export.header_line) == ("xlsx", None, 2)
    assert [r.line for r in export.rows] == [3, 5, 6, 8]
    one, two, three, four = (r.values for r in export.rows)
    assert one == {"document": "FV/1", "date": "2026-03-05", "nip": NIP_A, "client": "Hydro",
                   "amount": "1234.5", "phone": "+48 600 100 200"}
    assert two["date"] == "2026-03-01"  # a serial number in a General cell
    assert two["amount"] == "0.0000001"
    with pytest.raises(Refused, match="invalid NIP '123456789'"):
        parse_nip(two["nip"])
    assert three["date"] == "2026-03-07T14:30:00"
    assert parse_date(three["date"]) == dt.date(2026, 3, 7)
    assert three["amount"] == "1234567890123.25"
    assert three["phone"] == "600100200"
    assert [t.line for t in export.totals] == [7]
    assert check_totals(export) == []
    assert four["date"] == "5"  # too small to be a serial date: left for parse_date to refuse
    # an XLSX number is never `1.234` (thousands): refused for its third place, not as ambiguous
    with pytest.raises(Refused, match="more than 2 decimal places"):
        parse_amount(four["amount"])


def test_xlsx_title_rows_above_the_header_are_skipped(tmp_path):
    path = make_xlsx(tmp_path / "s.xlsx", {
        1: ["Sprzedaż marzec 2026"], 2: [dt.date(2026, 3, 31), 42],
        4: ["NIP", "Netto"], 5: [int(NIP_A), 7.25]})
    export = read_export(path)
    assert export.header_line == 4
    assert [(r.line, r.values) for r in export.rows] == [(5, {"nip": NIP_A, "amount": "7.25"})]


def test_xlsx_formula_without_cached_value_is_an_error_naming_its_cell(tmp_path):
    path = make_xlsx(tmp_path / "s.xlsx", {
        1: ["NIP", "Netto", "Ilość", "Cena"],
        2: [NIP_A, 10, 2, 5],
        3: [NIP_A, "=C3*D3", 2, 5],
    })
    with pytest.raises(ExportError) as e:
        read_export(path)
    assert problems_of(e) == [f"{tmp_path.as_posix()}/s.xlsx:3: cell B3: formula with no "
                              "cached value (open and save the file in Excel, or paste values)"]


def test_xlsx_blank_cells_that_are_really_blank_pass(tmp_path):
    path = make_xlsx(tmp_path / "s.xlsx", {1: ["NIP", "Netto", "Marża"], 2: [NIP_A, 10, None]})
    assert read_export(path).rows[0].values == {"nip": NIP_A, "amount": "10", "margin": ""}


def test_a_file_named_xlsx_that_is_not_one(tmp_path):
    with pytest.raises(ExportError, match="not an XLSX file"):
        read_export(write(tmp_path, "s.xlsx", b"NIP;Nazwa\n"))



def test_xlsx_with_xml_entities_is_refused_by_defusedxml(tmp_path):
    plain = make_xlsx(tmp_path / "plain.xlsx", {1: ["NIP", "Netto"], 2: [NIP_A, 1]})
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(bomb, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<worksheet", b'<!DOCTYPE b [<!ENTITY a "aaaa">'
                                    b'<!ENTITY b "&a;&a;&a;&a;">]><worksheet', 1)
            zout.writestr(item, data)
    with pytest.raises(ExportError) as e:
        read_export(bomb)
    assert "bomb.xlsx: cannot read as XLSX (EntitiesForbidden)" in problems_of(e)[0]

# --- value parsers ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("1234", "1234"), ("1234,5", "1234.5"), ("1234.50", "1234.50"), ("1 234,56", "1234.56"),
    ("1\u00a0234\u00a0567,89", "1234567.89"), ("1\u202f234,56", "1234.56"),
    ("1.234,56", "1234.56"), ("1,234.56", "1234.56"), ("1.234.567", "1234567"),
    ("-1 234,56", "-1234.56"), ("\u22125,00", "-5.00"), ("1 234,56 zł", "1234.56"),
    ("99,99 PLN", "99.99"), ("1 234,500", "1234.500"), ("9999999999999,99", "9999999999999.99"),
])
def test_parse_amount_reads_polish_and_plain_forms(text, value):
    assert parse_amount(text) == Decimal(value)
    assert str(parse_amount(text)) == value  # exact: no float ever


@pytest.mark.parametrize("text, message", [
    ("12,3,4", "not an amount"), ("1,234", "ambiguous amount"), ("1.234", "ambiguous amount"),
    ("1 234.567,89", "not an amount"), ("1.234,5.6", "not an amount"), ("1 23,00", "not an amount"),
    ("", "no amount"), ("12 EUR", "not an amount"), ("1e5", "not an amount"),
    ("#DIV/0!", "not an amount"), ("5-", "not an amount"),
    ("0,125", "more than 2 decimal places"), ("0,005", "more than 2 decimal places"),
    ("10000000000000", "too large"), ("1" * 26, "too large"), ("-1" + "0" * 13, "too large"),
])
def test_parse_amount_refuses_to_guess(text, message):
    with pytest.raises(Refused, match=message):
        parse_amount(text)


@pytest.mark.parametrize("text", [
    "2026-03-05", "5.03.2026", "05.03.2026", "5.3.2026", "05.03.2026 r.",
    "2026-03-05T23:30:00+01:00", "2026-03-05 08:15", "2026-03-05T10:00:00Z",
])
def test_parse_date_forms(text):
    assert parse_date(text) == dt.date(2026, 3, 5)


@pytest.mark.parametrize("text, message", [
    ("2026-02-30", "impossible date"), ("31.04.2026", "impossible date"),
    ("46082", "not a date"), ("03/05/2026", "not a date"), ("", "no date"),
])
def test_parse_date_errors(text, message):
    with pytest.raises(Refused, match=message):
        parse_date(text)


def test_parse_nip_accepts_pl_dashes_and_spaces_and_checks_the_checksum():
    assert parse_nip("PL 526-025-02-74") == NIP_A
    assert parse_nip(" 526 025 02 74 ") == NIP_A
    with pytest.raises(Refused, match="invalid NIP checksum: '5260250275'"):
        parse_nip("5260250275")
    with pytest.raises(Refused, match="9 digits"):
        parse_nip("526025027")
    with pytest.raises(Refused, match="no NIP"):
        parse_nip(" ")

