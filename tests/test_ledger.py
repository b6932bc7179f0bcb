"""The sales ledger: exact bytes, exact round trip, idempotent merge, CSV-injection guard."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnotes.imports.reader import read_export
from salesnotes.model.ledger import (
    MergeResult,
    Sale,
    combine_lines,
    guard,
    ledger_files,
    merge_sales,
    parse_month,
    read_ledger,
    render_month,
    unguard,
)
from salesnotes.model.money import parse_money as parse_amount

NIP_A = "5260250274"
NIP_B = "7740001454"


def sale(day: int, document: str, amount: str, *, month: int = 3, client: str = "Hydro-Tech",
         nip: str | None = NIP_A, margin: str | None = None) -> Sale:
    return Sale(date(2026, month, day), document, nip, client, Decimal(amount),
                None if margin is None else Decimal(margin))


def write_files(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


# --- format ----------------------------------------------------------------------------------

def test_render_month_exact_bytes_sorted_by_date_then_document():
    sales = [
        sale(6, "FV/10", "-100", client="Ząb, \"Mleczny\"", margin="-5.5"),
        sale(5, "FV/2", "1234.5", nip=None),
        sale(5, "FV/11", "-0.004", client="=HYPERLINK(\"http://x\",\"y\")"),
    ]
    assert render_month(sales) == (
        "date,document,nip,client,amount,margin\n"
        "2026-03-05,FV/11,5260250274,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",0.00,\n"
        "2026-03-05,FV/2,,Hydro-Tech,1234.50,\n"
        "2026-03-06,FV/10,5260250274,\"Ząb, \"\"Mleczny\"\"\",-100.00,-5.50\n"
    ).encode()


def test_render_month_refuses_mixed_months():
    with pytest.raises(ValueError):
        render_month([sale(1, "A", "1"), sale(1, "B", "1", month=4)])


def test_ledger_files_split_by_month_and_do_not_depend_on_input_order():
    sales = [sale(31, "A", "1"), sale(1, "B", "2", month=4), sale(2, "C", "3")]
    files = ledger_files(sales)
    assert list(files) == ["sales/2026-03.csv", "sales/2026-04.csv"]
    assert ledger_files(reversed(sales)) == files


@pytest.mark.parametrize("text", [
    "=HYPERLINK(\"http://x\",\"y\")", "+48 600 100 200", "-5", "@SUM(A1)", "\tTab", "\rCR",
    "'=already quoted", "'t Hooft", "''", "Plain", " spaced ", "line\nbreak", "bare\rCR",
])
def test_csv_injection_guard_round_trips(text):
    assert unguard(guard(text)) == text
    data = render_month([sale(1, text or "X", "1", client=text)])
    [back], problems = parse_month("sales/2026-03.csv", data)
    assert problems == [] and back.client == text and back.document == text


def test_guard_prefixes_only_dangerous_starts():
    assert guard("=1+2") == "'=1+2"
    assert guard("-5") == "'-5"
    assert guard("Hydro") == "Hydro"
    assert guard("'t Hooft") == "'t Hooft"


def test_read_ledger_round_trip_is_exact(tmp_path):
    sales = [sale(5, "FV/1", "1234.56", margin="200.00"),
             sale(6, "FV/2", "-100.00", nip=None, client="@Gęślą"),
             sale(1, "FV/3", "7.00", month=4, client="Łąka", nip=NIP_B)]
    write_files(tmp_path, ledger_files(sales))
    back, problems = read_ledger(tmp_path)
    assert problems == []
    assert back == sorted(sales, key=lambda s: (s.date, s.document))
    assert ledger_files(back) == ledger_files(sales)


def test_read_ledger_without_a_sales_folder(tmp_path):
    assert read_ledger(tmp_path) == ([], [])


def test_read_ledger_reports_problems_as_path_line(tmp_path):
    header = "date,document,nip,client,amount,margin\n"
    write_files(tmp_path, {
        "sales/2026-03.csv": (header + f"2026-03-01,FV/1,{NIP_A},A,10.00,\n"
                              "2026-03-32,FV/2,,B,1.00,\n"
                              "2026-03-02,FV/3,,C,\"1 234,00\",\n"
                              f"2026-04-01,FV/4,{NIP_A},D,5.00,\n"
                              "2026-03-03,FV/5,5260250275,E,5.00,\n"
                              "2026-03-04,FV/6,,F,5.00\n").encode(),
        "sales/2026-04.csv": (header + "2026-04-02,FV/1,,G,1.00,\n").encode(),
        "sales/2026-05.csv": b"data,document\n",
        "sales/2026-06.csv": (header + "2026-06-01,FV/9,,\xa3\xb9ka,1.00,\n").encode("latin-1"),
        "sales/2026-03 (conflict).csv": header.encode(),
        "sales/README.md": b"not a ledger",
    })
    sales, problems = read_ledger(tmp_path)
    assert [str(p) for p in problems] == [
        "sales/2026-03 (conflict).csv:0: not a ledger file name (YYYY-MM.csv): not read",
        "sales/2026-03.csv:3: not a date (YYYY-MM-DD): '2026-03-32'",
        "sales/2026-03.csv:4: not a plain amount (1234.50): '1 234,00'",
        "sales/2026-03.csv:5: date 2026-04-01 is not in 2026-03",
        "sales/2026-03.csv:6: invalid NIP '5260250275'",
        "sales/2026-03.csv:7: 5 cells, expected 6",
        "sales/2026-05.csv:1: header must be date,document,nip,client,amount,margin",
        "sales/2026-06.csv:2: not UTF-8",
        "sales/2026-04.csv:2: document 'FV/1' again (first at sales/2026-03.csv:2)",
    ]
    assert [s.document for s in sales] == ["FV/1", "FV/5", "FV/4", "FV/1"]


# --- merging ---------------------------------------------------------------------------------

def test_reimport_of_the_same_sales_is_unchanged_and_renders_the_same_bytes():
    existing = [sale(5, "FV/1", "1234.50"), sale(6, "FV/2", "10")]
    again = [sale(5, "FV/1", "1234.5"), sale(6, "FV/2", "10.001")]
    assert merge_sales(existing, again) == MergeResult([], 2, [])
    assert ledger_files(existing) == ledger_files(again)


def test_merge_adds_new_documents_and_reports_conflicts_without_overwriting():
    existing = [sale(5, "FV/1", "100.00")]
    new = [sale(5, "FV/1", "101.00"), sale(7, "FV/2", "5.005"), sale(7, "FV/2", "5.01"),
           sale(8, "FV/2", "5.01")]
    result = merge_sales(existing, new)
    assert result.added == [sale(7, "FV/2", "5.01")]
    assert result.unchanged == 1
    assert result.conflicts == [(existing[0], new[0]),
                                (sale(7, "FV/2", "5.01"), sale(8, "FV/2", "5.01"))]


def test_merge_refuses_a_sale_without_a_document_number():
    with pytest.raises(ValueError, match="without a document number"):
        merge_sales([], [sale(5, " ", "1")])


def test_combine_lines_sums_invoice_lines_rounded_per_line():
    lines = [sale(5, "FV/1", "10.005", margin="1"), sale(5, "FV/1", "0.004"),
             sale(5, "FV/2", "3"), sale(6, "FV/1", "9")]
    combined, disagree = combine_lines(lines)
    assert combined == [sale(5, "FV/1", "10.01", margin="1.00"), sale(5, "FV/2", "3.00")]
    assert disagree == [(sale(5, "FV/1", "10.01", margin="1.00"), sale(6, "FV/1", "9.00"))]


def test_import_pipeline_from_a_cp1250_export_is_idempotent(tmp_path):
    """reader -> parsers -> ledger -> reader again: the second import changes nothing."""
    export_file = tmp_path / "export.csv"
    export_file.write_bytes(("Numer;Data;NIP;Kontrahent;Netto\r\n"
                             f"FV/1;05.03.2026;{NIP_A};Śnieżka;1\u00a0234,56\r\n"
                             f"FV/2;01.04.2026;{NIP_B};Źródło;-0,50\r\n").encode("cp1250"))

    def sales_of_export() -> list[Sale]:
        rows = read_export(export_file).rows
        return [Sale(date(*map(int, reversed(r.values["date"].split(".")))), r.values["document"],
                     r.values["nip"], r.values["client"], parse_amount(r.values["amount"]), None)
                for r in rows]

    vault = tmp_path / "vault"
    first = merge_sales([], sales_of_export())
    write_files(vault, ledger_files(first.added))
    existing, problems = read_ledger(vault)
    assert problems == [] and len(existing) == 2
    second = merge_sales(existing, sales_of_export())
    assert second == MergeResult([], 2, [])
    assert ledger_files(existing + second.added) == {
        rel: (vault / rel).read_bytes() for rel in ledger_files(existing)}


# --- properties ------------------------------------------------------------------------------

def polish(value: Decimal, group: str, minus: str, suffix: str) -> str:
    """`-1 234 567,89 zł` as an ERP writes it."""
    whole, frac = f"{abs(value):.2f}".split(".")
    groups = []
    while whole:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    return (minus if value < 0 else "") + group.join(groups) + "," + frac + suffix


amounts = st.decimals(min_value=Decimal("-9999999.99"), max_value=Decimal("9999999.99"),
                      places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(amounts, st.sampled_from(["", " ", "\u00a0", "\u202f"]),
                          st.sampled_from(["-", "\u2212"]), st.sampled_from(["", " zł", "PLN"]),
                          st.integers(1, 60)), min_size=1, max_size=25))
def test_ledger_sum_equals_the_exports_sum_to_the_grosz(rows):
    sales = [Sale(date(2026, 1, 1) + timedelta(days=day), f"FV/{n}", None,
                  "Klient", parse_amount(polish(value, group, minus, suffix)), None)
             for n, (value, group, minus, suffix, day) in enumerate(rows)]
    read_back = []
    for rel, data in ledger_files(sales).items():
        month, problems = parse_month(rel, data)
        assert problems == []
        read_back += month
    assert sum(s.amount for s in read_back) == sum(value for value, *_ in rows)


@settings(max_examples=80, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30),
       amounts, st.one_of(st.none(), amounts))
def test_any_client_text_and_amount_round_trip_exactly(client, amount, margin):
    original = Sale(date(2026, 3, 1), "FV/1", NIP_A, client, amount, margin)
    [back], problems = parse_month("sales/2026-03.csv", render_month([original]))
    assert problems == [] and back == original
    assert render_month([back]) == render_month([original])
