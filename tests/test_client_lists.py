"""Client lists as real ERPs export them: Subiekt GT's `Grupa` and `Nazwa pełna`, ignored
columns, a missing name column, and mappings saved in salesnotes.yaml.

Every file is written here as the ERP writes it (Windows-1250, `;`, CRLF).
"""

from __future__ import annotations

from pathlib import Path

from conftest import write

from salesnotes.load.vault import load_vault
from salesnotes.model.ledger import read_ledger

NIP_A, NIP_B = "5260250274", "7740001454"


def cp1250(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("cp1250")


def subiekt(groups: tuple[str, str] = ("Hurtownie", "Detal")) -> bytes:
    """Kontrahenci exported from Subiekt GT: symbol, short and full name, NIP with dashes."""
    return cp1250("Symbol;Nazwa;Nazwa pełna;NIP;Miejscowość;Grupa;Telefon",
                  f"HYDRO;Hydro-Tech;Hydro-Tech Sp. z o.o.;526-025-02-74;Kraków;{groups[0]};"
                  "+48 12 000 00 00",
                  f"ZDZB;Źdźbło;Zakład Ślusarski Źdźbło s.c.;774-000-14-54;Łódź;{groups[1]};")


def front(vault: Path) -> dict[str, dict[str, str | None]]:
    return {n.name: {"group": n.group, "tier": n.tier, "region": n.region}
            for n in load_vault(vault, git=False).notes}


def test_a_subiekt_list_imports_with_grupa_kept_as_group(make_vault, tmp_path, run):
    vault = make_vault()
    source = write(tmp_path, "kontrahenci.csv", subiekt())
    result = run("import", "clients", str(source), "--vault", str(vault))
    assert result.exit_code == 0, result.stderr
    assert ("column 'Grupa' kept as group: (not tier values: Detal, Hurtownie)"
            in result.stdout)
    assert front(vault) == {
        "Hydro-Tech Sp. z o.o.": {"group": "Hurtownie", "tier": "C", "region": "Kraków"},
        "Zakład Ślusarski Źdźbło s.c.": {"group": "Detal", "tier": "C", "region": "Łódź"}}
    assert run("check", "--strict", "--vault", str(vault)).exit_code == 0


def test_grupa_holding_tiers_is_the_tier(make_vault, tmp_path, run):
    vault = make_vault()
    source = write(tmp_path, "kontrahenci.csv", subiekt(("A", "B")))
    result = run("import", "clients", str(source), "--vault", str(vault))
    assert result.exit_code == 0, result.stderr
    assert "kept as group" not in result.stdout
    assert [(v["tier"], v["group"]) for v in front(vault).values()] == [("A", None), ("B", None)]


def test_map_key_with_nothing_after_it_ignores_a_column(make_vault, tmp_path, run):
    vault = make_vault()
    source = write(tmp_path, "kontrahenci.csv", subiekt())
    result = run("import", "clients", str(source), "--vault", str(vault), "--map", "group=",
                 "--map", "region=")
    assert result.exit_code == 0, result.stderr
    assert "column 'Grupa' left out (not tier values: Detal, Hurtownie; name it with --map)" in (
        result.stdout)
    assert {v["group"] for v in front(vault).values()} == {None}
    assert {v["region"] for v in front(vault).values()} == {None}


def test_a_missing_name_column_lists_the_headers_and_suggests_map(make_vault, tmp_path, run):
    vault = make_vault()
    source = write(tmp_path, "k.csv", cp1250("NIP;Firma;Miasto", f"{NIP_A};Hydro-Tech;Kraków"))
    result = run("import", "clients", str(source), "--vault", str(vault))
    assert result.exit_code == 1
    assert result.stderr == (f"{source}:1: no name column, and the new clients (1) need a name "
                             "for their notes; headers found: NIP, Firma, Miasto (name one with "
                             "--map client=HEADER)\n")
    missing = write(tmp_path, "m.csv", cp1250("Numer;Firma", "1;Hydro-Tech"))
    result = run("import", "clients", str(missing), "--vault", str(vault))
    assert result.stderr == (f"{missing}:1: missing column(s): nip; headers found: Numer, Firma "
                             "(name one with --map KEY=HEADER)\n")


def test_saved_mappings_make_the_monthly_imports_need_no_flags(make_vault, tmp_path, run):
    config = ("owner: Test\nlocale: en\nimport:\n"
              "  clients: {map: {client: Firma, group: }}\n"
              "  sales: {map: {amount: Wartość, document: Dokument}}\n")
    vault = make_vault(config=config)
    clients = write(tmp_path, "k.csv", cp1250("NIP;Firma;Grupa", f"{NIP_A};Hydro-Tech;Hurtownie"))
    result = run("import", "clients", str(clients), "--vault", str(vault))
    assert result.exit_code == 0, result.stderr
    assert front(vault) == {"Hydro-Tech": {"group": None, "tier": "C", "region": None}}
    sales = write(tmp_path, "s.csv", cp1250("Dokument;Data;NIP;Wartość",
                                            f"FV/1;05.03.2026;{NIP_A};1 234,50"))
    result = run("import", "sales", str(sales), "--vault", str(vault))
    assert result.exit_code == 0, result.stderr
    assert [(s.document, str(s.amount)) for s in read_ledger(vault)[0]] == [("FV/1", "1234.50")]
    # the command line wins over the saved mapping
    other = write(tmp_path, "o.csv", cp1250("Nr;Data;NIP;Wartość;Netto",
                                            f"FV/2;05.03.2026;{NIP_A};1,00;2,00"))
    result = run("import", "sales", str(other), "--vault", str(vault), "--map", "document=Nr",
                 "--map", "amount=Netto")
    assert result.exit_code == 0, result.stderr
    assert [str(s.amount) for s in read_ledger(vault)[0]] == ["1234.50", "2.00"]


def test_an_erp_status_column_is_kept_as_group_but_a_segment_typo_is_a_bad_row(make_vault,
                                                                                tmp_path, run):
    vault = make_vault()
    source = write(tmp_path, "k.csv", cp1250("NIP;Nazwa;Status", f"{NIP_A};Hydro-Tech;Aktywny"))
    result = run("import", "clients", str(source), "--vault", str(vault))
    assert result.exit_code == 0, result.stderr
    assert "column 'Status' kept as group: (not status values: Aktywny)" in result.stdout
    typo = write(tmp_path, "t.csv", cp1250("NIP;Nazwa;Segment", f"{NIP_B};Źdźbło;Z"))
    result = run("import", "clients", str(typo), "--vault", str(vault))
    assert result.exit_code == 1
    assert result.stderr == f"{typo}:2: tier: unknown tier 'Z' (known: A, B, C)\n"


def test_a_client_list_updates_the_head_of_declared_branches(make_vault, tmp_path, run):
    head = f'---\nname: Hydro-Tech\nnip: "{NIP_A}"\n---\n'
    branch = f'---\nname: Hydro-Tech Gdańsk\nnip: "{NIP_A}"\nbranch: Gdańsk\n---\n'
    vault = make_vault({"clients/Hydro-Tech.md": head, "clients/Hydro Gdańsk.md": branch})
    source = write(tmp_path, "k.csv", cp1250("NIP;Nazwa;Miasto", f"{NIP_A};Hydro-Tech;Kraków"))
    result = run("import", "clients", str(source), "--vault", str(vault))
    assert result.exit_code == 0, result.stderr
    assert "updated clients/Hydro-Tech.md" in result.stdout
    assert (vault / "clients/Hydro Gdańsk.md").read_text(encoding="utf-8") == branch
