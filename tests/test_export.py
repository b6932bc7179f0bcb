"""`salesnotes export`: a spreadsheet the manager opens, read back exactly as Excel would."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from salesnotes.model.ledger import unguard
from salesnotes.reports.export import Column, Table
from salesnotes.reports.spreadsheet import csv_bytes, xlsx_bytes

PL_CONFIG = "owner: Jan Kowalski\nlocale: pl\nfiscal_year_start: 1\n"
ZERO_NIP = "0123456708"  # a leading zero Excel would drop from a number
NOTES = {
    "clients/Zero.md": (f'---\nname: Zero-Tech\nnip: "{ZERO_NIP}"\ntier: A\nstatus: active\n'
                        "potential: 240000.50\nbudget: 1234.56\nlast_contact: 2026-11-18\n"
                        "phone: +48 600 100 200\ntags: [hvac, kraków]\n---\n"),
    "clients/Formula.md": ('---\nname: \'=HYPERLINK("http://x","y")\'\nnip: "5260250274"\n'
                           "tier: B\nbudget: 0.10\n---\n"),
}
LEDGER = ("date,document,nip,client,amount,margin\n"
          f"2026-10-30,FV/10/1,{ZERO_NIP},Zero-Tech,1000.01,100.00\n"
          f"2026-11-02,FV/11/1,{ZERO_NIP},Zero-Tech,1234.56,200.05\n"
          "2026-11-03,FV/11/2,5260250274,@SUM(A1),0.99,\n")


@pytest.fixture
def vault(make_vault):
    return make_vault({**NOTES, "sales/2026-10.csv": LEDGER.split("2026-11-02")[0],
                       "sales/2026-11.csv": "date,document,nip,client,amount,margin\n"
                       + "2026-11-02" + LEDGER.split("2026-11-02")[1]}, config=PL_CONFIG)


def _sheet(path):
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    return ws, rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_clients_xlsx_has_real_types_exact_to_the_grosz(vault, run, tmp_path):
    out = tmp_path / "klienci.xlsx"
    result = run("export", "clients", str(out), "--vault", str(vault))
    assert result.exit_code == 0, result.stderr
    ws, header, rows = _sheet(out)
    assert header[:3] == ("name", "file", "nip")
    last = ws.cell(1, len(header)).column_letter
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{last}3"
    by_file = {r["file"]: r for r in rows}
    zero = by_file["clients/Zero.md"]
    assert zero["nip"] == ZERO_NIP  # text: the leading zero is kept
    assert zero["last_contact"] == datetime(2026, 11, 18)  # a date cell, not text
    assert Decimal(repr(zero["potential"])) == Decimal("240000.5")
    assert Decimal(repr(zero["budget"])) == Decimal("1234.56")
    assert Decimal(repr(zero["sales_this_year"])) == Decimal("2234.57")  # 1000.01 + 1234.56
    assert zero["phone"] == "+48 600 100 200" and zero["tags"] == "hvac, kraków"
    formula = by_file["clients/Formula.md"]
    assert formula["name"] == '=HYPERLINK("http://x","y")'  # text, never a formula
    assert Decimal(repr(formula["budget"])) == Decimal("0.1")
    col = {name: i + 1 for i, name in enumerate(header)}
    zero_row = 2 + [r["file"] for r in rows].index("clients/Zero.md")
    assert ws.cell(zero_row, col["budget"]).number_format == "#,##0.00"
    assert ws.cell(zero_row, col["nip"]).data_type == "s"
    assert ws.cell(zero_row, col["last_contact"]).is_date
    assert ws.cell(2 + [r["file"] for r in rows].index("clients/Formula.md"),
                   col["name"]).data_type == "s"


def test_sales_csv_for_polish_excel(vault, run, tmp_path):
    out = tmp_path / "sprzedaz.csv"
    result = run("export", "sales", str(out), "--from", "01.11.2026", "--to", "2026-11-30",
                 "--vault", str(vault))
    assert result.exit_code == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows == [["date", "document", "nip", "client", "amount", "margin"],
                    ["2026-11-02", "FV/11/1", ZERO_NIP, "Zero-Tech", "1234,56", "200,05"],
                    ["2026-11-03", "FV/11/2", "5260250274", "'@SUM(A1)", "0,99", ""]]


def test_english_vault_csv_uses_commas_and_points(make_vault, run, tmp_path):
    root = make_vault(NOTES, locale="en")
    out = tmp_path / "status.csv"
    assert run("export", "status", str(out), "--vault", str(root)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert [r["file"] for r in rows] == ["clients/Formula.md", "clients/Zero.md"]  # never first
    assert rows[0]["name"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert (rows[1]["breath"], rows[1]["last_contact"], rows[1]["next_contact"]) == (
        "due", "2026-11-18", "2026-12-02")
    out = tmp_path / "clients.csv"
    assert run("export", "clients", str(out), "--vault", str(root)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert (rows[1]["potential"], rows[1]["budget"], rows[1]["phone"]) == (
        "240000.50", "1234.56", "'+48 600 100 200")


def test_sales_xlsx_range_and_atomic_replace(vault, run, tmp_path):
    out = tmp_path / "sales.xlsx"
    out.write_bytes(b"an old export")
    assert run("export", "sales", str(out), "--to", "2026-10-31", "--vault",
               str(vault)).exit_code == 0
    _, _, rows = _sheet(out)
    assert [(r["date"], r["document"], Decimal(repr(r["amount"]))) for r in rows] == [
        (datetime(2026, 10, 30), "FV/10/1", Decimal("1000.01"))]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_export_refuses_an_unknown_format_and_a_backwards_range(vault, run, tmp_path):
    bad = run("export", "sales", str(tmp_path / "x.ods"), "--vault", str(vault))
    assert bad.exit_code == 2 and "x.ods:0: zapisz do pliku .xlsx albo .csv" in bad.stderr
    back = run("export", "sales", str(tmp_path / "x.csv"), "--from", "2026-11-02", "--to",
               "2026-11-01", "--vault", str(vault))
    assert back.exit_code == 2 and not (tmp_path / "x.csv").exists()
    assert "--to jest przed --from" in back.stderr  # the vault is Polish
    assert date(2026, 11, 27)  # the fixed --today of every test


cell_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                    max_size=30)
cents = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"),
                    places=2)


@settings(max_examples=100, deadline=None)
@given(names=st.lists(cell_text, min_size=1, max_size=5), amounts=st.lists(cents, min_size=1,
                                                                           max_size=5),
       locale=st.sampled_from(["pl", "en"]))
def test_csv_reads_back_exactly_for_any_text_and_amount(names, amounts, locale):
    """Whatever a name holds (separators, quotes, newlines, a leading =), the CSV read back and
    unguarded gives it back; every amount comes back to the grosz in the locale's notation."""
    rows = [(n, a) for n, a in zip(names, amounts * len(names), strict=False)]
    table = Table("t", (Column("name", "text"), Column("amount", "money")), rows)
    data = csv_bytes(table, locale)
    assert data.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""),
                           delimiter=";" if locale == "pl" else ","))
    assert read[0] == ["name", "amount"]
    for (name, amount), (text, money) in zip(rows, read[1:], strict=True):
        assert unguard(text) == name
        assert not text.startswith(("=", "+", "-", "@"))
        assert Decimal(money.replace(",", ".")) == amount


@settings(max_examples=20, deadline=None)
@given(names=st.lists(cell_text, min_size=1, max_size=4), amount=cents)
@example(names=["a\uffff\ufffeb\x01\r\nc\r"], amount=Decimal("0.01"))
def test_xlsx_reads_back_text_as_text_and_money_to_the_grosz(names, amount, tmp_path_factory):
    table = Table("t", (Column("name", "text"), Column("amount", "money")),
                  [(n, amount) for n in names])
    path = tmp_path_factory.mktemp("x") / "t.xlsx"
    path.write_bytes(xlsx_bytes(table))
    ws = openpyxl.load_workbook(path).active
    for row, name in zip(ws.iter_rows(min_row=2), names, strict=True):
        text, money = row
        kept = name.replace("\r\n", "\n").replace("\r", "\n")
        kept = "".join(c for c in kept if c in "\t\n" or (c >= " " and c not in "\ufffe\uffff"))
        assert (text.value or "") == kept
        assert text.data_type == "s" or text.value is None
        assert Decimal(repr(money.value)).quantize(Decimal("0.01")) == amount
