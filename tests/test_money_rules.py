"""Money as written, or refused: no third decimal place is rounded away, no absurd amount passes.

Exports are written by the tests as a Polish ERP writes them (Windows-1250, `;`, CRLF).
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import snapshot, write

NIP_A = "5260250274"
NOTE = """---
name: Hydro-Tech
nip: "5260250274"
budget: {budget}
potential: {potential}
---
# Hydro-Tech
"""


def cp1250(lines: list[str]) -> bytes:
    return ("\r\n".join(["Numer;Data;NIP;Kontrahent;Netto", *lines]) + "\r\n").encode("cp1250")


def test_sub_grosz_amounts_are_bad_rows_never_rounded(make_vault, tmp_path, run):
    vault = make_vault({"clients/Hydro.md": NOTE.format(budget=1000, potential=2000)})
    rows = [f"FV/{i};05.03.2026;{NIP_A};Hydro-Tech;0,005" for i in range(1, 201)]
    rows.append(f"FV/201;05.03.2026;{NIP_A};Hydro-Tech;1 234,567")
    source = write(tmp_path, "s.csv", cp1250(rows))
    before = snapshot(vault)
    result = run("import", "sales", str(source), "--vault", str(vault))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 201
    assert lines[0] == f"{source}:2: amount '0,005' has more than 2 decimal places"
    assert lines[-1] == f"{source}:202: amount '1 234,567' has more than 2 decimal places"
    assert snapshot(vault) == before
    # `12,345` stays ambiguous (thousands or decimals?), trailing zeros change no grosz
    source = write(tmp_path, "t.csv", cp1250([f"FV/1;05.03.2026;{NIP_A};H;12,345",
                                              f"FV/2;05.03.2026;{NIP_A};H;1 234,500"]))
    result = run("import", "sales", str(source), "--vault", str(vault))
    assert result.stderr == f"{source}:2: ambiguous amount '12,345': thousands or decimals?\n"


def test_absurd_amounts_are_bad_rows_not_internal_errors(make_vault, tmp_path, run):
    vault = make_vault({"clients/Hydro.md": NOTE.format(budget=1000, potential=2000)})
    huge = "1" * 26
    source = write(tmp_path, "s.csv", cp1250([f"FV/1;05.03.2026;{NIP_A};H;{huge}",
                                              f"FV/2;05.03.2026;{NIP_A};H;10 000 000 000 000,00",
                                              f"FV/3;05.03.2026;{NIP_A};H;9 999 999 999 999,99"]))
    result = run("import", "sales", str(source), "--vault", str(vault))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{source}:2: amount '{huge}' is too large (the limit is 10^13)",
        f"{source}:3: amount '10 000 000 000 000,00' is too large (the limit is 10^13)"]


def test_note_money_with_a_third_place_or_absurd_size_is_a_check_problem(make_vault, run):
    vault = make_vault({"clients/Hydro.md": NOTE.format(budget="1234.567",
                                                        potential="1" * 26)})
    result = run("check", "--json", "--vault", str(vault))
    assert result.exit_code == 1
    found = {(p["path"], p["line"], p["message"]) for p in json.loads(result.stdout)["problems"]}
    assert ("clients/Hydro.md", 4, "budget: amount '1234.567' has more than 2 decimal places"
            ) in found
    assert ("clients/Hydro.md", 5, f"potential: amount '{'1' * 26}' is too large (the limit is "
            "10^13)") in found
    review = run("review", "--no-commit", "--vault", str(vault))
    assert "Traceback" not in review.output


def test_a_hand_edited_ledger_with_a_third_place_is_reported(make_vault, run):
    vault = make_vault({"clients/Hydro.md": NOTE.format(budget=1000, potential=2000),
                        "sales/2026-03.csv": "date,document,nip,client,amount,margin\n"
                                             f"2026-03-05,FV/1,{NIP_A},H,10.005,\n"
                                             f"2026-03-06,FV/2,{NIP_A},H,{'9' * 20},\n"
                                             f"2026-03-07,FV/3,{NIP_A},H,10.50,\n"})
    result = run("check", "--vault", str(vault))
    assert result.exit_code == 1
    assert "sales/2026-03.csv:2: amount '10.005' has more than 2 decimal places" in result.stderr
    assert "sales/2026-03.csv:3: amount '99999999999999999999' is too large" in result.stderr
    assert Path(vault, "sales/2026-03.csv").exists()
