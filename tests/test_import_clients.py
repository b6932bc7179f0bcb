"""`import clients`: new NIPs become notes, known NIPs update only their mapped, differing keys.

Every fixture is written by the test in the bytes an ERP, a CRM or Excel would produce.
"""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import TODAY, commits, snapshot, write

from salesnotes.errors import VaultError
from salesnotes.imports.clients import import_clients
from salesnotes.load.vault import load_vault

NIP_A = "5260250274"
NIP_B = "7740001454"
NIP_X = "1234563218"

HAND_WRITTEN = """---
# kept by hand
name: 'Hydro-Tech Sp. z o.o.'
nip: "526-025-02-74"   # checked 2025
tier: A
phone: '+48 600 100 200'  # the buyer
budget: 150000.50
tags: [hvac, kraków]
next_step: Offer for the Q1 pump order
---
# Hydro-Tech Sp. z o.o.

Free text the rep writes.

## Log
- 2026-11-18 phone: spoke to the buyer
"""

CLIENT_LIST = (  # UTF-8 with BOM, `,`, Polish headers, a column salesnotes does not map
    "NIP,Nazwa,Segment,Status,Miasto,Telefon,Email,Budżet,Potencjał,Opiekun,Konkurent,"
    "Kod pocztowy\n"
    'PL 526-025-02-74,Hydro-Tech Sp. z o.o.,B,,,+48 600 100 201,,"150 000,50",,,Aqua,05-092\n'
    f'{NIP_B},"Zakład ""Źdźbło"" s.c.",A,prospect,Łódź,+48 42 000 00 00,biuro@zdzblo.pl,'
    '"12 000,00",240000,Jan Kowalski,,05-092\n'
).encode("utf-8-sig")




@pytest.fixture
def vault(make_vault) -> Path:
    return make_vault({"clients/Hydro-Tech Sp. z o.o..md": HAND_WRITTEN})


def test_a_new_nip_becomes_a_note_with_typed_front_matter(vault, tmp_path):
    result = import_clients(vault, write(tmp_path, "klienci.csv", CLIENT_LIST), TODAY)
    note = vault / "clients" / 'Zakład \'Źdźbło\' s.c..md'
    assert [p for p, _ in result.created] == [note]
    assert note.read_text(encoding="utf-8").startswith(
        '---\nname: "Zakład \\"Źdźbło\\" s.c."\n'
        f'nip: "{NIP_B}"\n'
        "tier: A\nstatus: prospect\nregion: Łódź\n"
        'phone: "+48 42 000 00 00"\nemail: "biuro@zdzblo.pl"\n'
        "budget: 12000.00\npotential: 240000\nowner: Jan Kowalski\n---\n")
    loaded = {n.nip: n for n in load_vault(vault, git=False).notes}
    new = loaded[NIP_B]
    assert (new.name, new.phone, new.budget, new.potential) == (
        'Zakład "Źdźbło" s.c.', "+48 42 000 00 00", Decimal("12000.00"), Decimal("240000"))


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_an_existing_note_changes_only_in_the_mapped_keys_that_differ(make_vault, tmp_path,
                                                                     newline):
    original = HAND_WRITTEN.replace("\n", newline).encode("utf-8")
    root = make_vault({"clients/Hydro-Tech Sp. z o.o..md": original})
    result = import_clients(root, write(tmp_path, "klienci.csv", CLIENT_LIST), TODAY)
    [update] = result.updates
    assert update.changes == (("tier", "A", "B"), ("phone", "+48 600 100 200", "+48 600 100 201"),
                              ("competitor", None, "Aqua"))
    expected = (HAND_WRITTEN
                .replace("tier: A\n", "tier: B\n")
                .replace("'+48 600 100 200'", "'+48 600 100 201'")
                .replace("next_step: Offer for the Q1 pump order\n",
                         "next_step: Offer for the Q1 pump order\ncompetitor: Aqua\n"))
    note = root / "clients" / "Hydro-Tech Sp. z o.o..md"
    assert note.read_bytes() == expected.replace("\n", newline).encode("utf-8")


def test_reimport_changes_nothing_and_makes_no_second_commit(make_vault, tmp_path, run):
    root = make_vault({"clients/Hydro-Tech Sp. z o.o..md": HAND_WRITTEN}, git=True)
    source = write(tmp_path, "klienci.csv", CLIENT_LIST)
    first = run("import", "clients", str(source), "--vault", str(root))
    assert first.exit_code == 0, first.stderr
    assert commits(root) == 2
    subject = subprocess.run(["git", "log", "-1", "--format=%s"], cwd=root, check=True,
                             capture_output=True, text=True).stdout.strip()
    assert subject == "salesnotes: import clients klienci.csv (1 created, 1 updated)"
    before = snapshot(root)
    second = run("import", "clients", str(source), "--vault", str(root))
    assert second.exit_code == 0, second.stderr
    assert snapshot(root) == before
    assert commits(root) == 2
    assert "clients: 0 created, 2 matched (0 updated, 2 unchanged)" in second.stdout


def test_dry_run_lists_creations_and_changes_per_note_and_writes_nothing(vault, tmp_path, run):
    source = write(tmp_path, "klienci.csv", CLIENT_LIST)
    before = snapshot(vault)
    result = run("import", "clients", str(source), "--vault", str(vault), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert snapshot(vault) == before
    assert result.stdout.splitlines() == [
        "klienci.csv: 2 rows, 2 clients (columns: name, tier, status, region, phone, email, "
        "budget, potential, owner, competitor)",
        "would create clients/Zakład 'Źdźbło' s.c..md",
        "would update clients/Hydro-Tech Sp. z o.o..md",
        "  tier: 'A' → 'B'",
        "  phone: '+48 600 100 200' → '+48 600 100 201'",
        "  competitor: (none) → 'Aqua'",
        "clients: 1 to create, 1 matched (1 to update, 0 unchanged)",
        "dry run: nothing written",
    ]


def test_rows_with_invalid_nips_are_listed_by_line_and_nothing_is_written(vault, tmp_path, run):
    data = ("NIP;Nazwa\n"
            "5260250275;Zły NIP\n"
            f"{NIP_B};Dobry\n"
            "123456789;Za krótki\n"
            ";Bez NIP\n").encode("cp1250")
    source = write(tmp_path, "lista.csv", data)
    before = snapshot(vault)
    refused = run("import", "clients", str(source), "--vault", str(vault))
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        f"{source}:2: invalid NIP checksum: '5260250275'",
        f"{source}:4: invalid NIP '123456789': 9 digits, a NIP has 10",
        f"{source}:5: no NIP",
    ]
    assert snapshot(vault) == before
    skipped = run("import", "clients", str(source), "--vault", str(vault), "--skip-bad")
    assert skipped.exit_code == 0, skipped.stderr
    assert skipped.stderr.splitlines()[0] == (
        f"{source}:2: left out: invalid NIP checksum: '5260250275'")
    assert (vault / "clients" / "Dobry.md").is_file()


def test_one_nip_written_three_ways_is_one_client_and_disagreements_are_not_guessed(
        vault, tmp_path):
    data = (b"NIP\tNazwa\tTelefon\tSegment\n"
            b"123-456-32-18\tKowalski\t+48 600 000 001\tB\n"
            b"PL1234563218\tKowalski\t\tB\n"
            b"1234563218\tKowalski\t+48 600 000 002\t\n")
    source = write(tmp_path, "lista.tsv", data)
    with pytest.raises(VaultError) as error:
        import_clients(vault, source, TODAY)
    assert [str(p) for p in error.value.problems] == [
        f"{source}:4: NIP 123-456-32-18: phone '+48 600 000 002' here but '+48 600 000 001' on "
        "line 2: not guessed, make the rows agree"]
    assert not (vault / "clients" / "Kowalski.md").exists()
    result = import_clients(vault, source, TODAY, skip_bad=True)
    assert result.clients == 1
    text = (vault / "clients" / "Kowalski.md").read_text(encoding="utf-8")
    assert f'nip: "{NIP_X}"\ntier: B\n' in text and "phone" not in text


def test_xlsx_numbers_stay_text_and_a_nip_that_lost_its_digits_is_flagged(vault, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["NIP", "Nazwa", "Telefon", "Budżet"])
    ws.append([int(NIP_B), "Liczbowy NIP", 600100200, 12000.5])
    ws.append([123456789, "Zgubione zero", "+48 600 100 200", None])
    wb.save(tmp_path / "lista.xlsx")
    with pytest.raises(VaultError) as error:
        import_clients(vault, tmp_path / "lista.xlsx", TODAY)
    assert [p.line for p in error.value.problems] == [3]
    import_clients(vault, tmp_path / "lista.xlsx", TODAY, skip_bad=True)
    text = (vault / "clients" / "Liczbowy NIP.md").read_text(encoding="utf-8")
    assert f'nip: "{NIP_B}"' in text
    assert 'phone: "600100200"\nbudget: 12000.50\n' in text  # money to the grosz


def test_unknown_tier_and_bad_amount_are_bad_rows(vault, tmp_path):
    data = f"NIP;Nazwa;Segment;Budżet\n{NIP_B};Firma;Z;1,234\n".encode("cp1250")
    source = write(tmp_path, "lista.csv", data)
    with pytest.raises(VaultError) as error:
        import_clients(vault, source, TODAY)
    assert [str(p) for p in error.value.problems] == [
        f"{source}:2: tier: unknown tier 'Z' (known: A, B, C); "
        "budget: ambiguous amount '1,234': thousands or decimals?"]


def test_a_note_that_cannot_be_edited_safely_refuses_the_import(make_vault, tmp_path):
    mid_merge = HAND_WRITTEN + "<<<<<<< HEAD\n- 2026-11-20 email: sent\n=======\n>>>>>>> other\n"
    root = make_vault({"clients/Hydro-Tech Sp. z o.o..md": mid_merge})
    before = snapshot(root)
    source = write(tmp_path, "klienci.csv", CLIENT_LIST)
    with pytest.raises(VaultError) as error:
        import_clients(root, source, TODAY)
    assert [str(p) for p in error.value.problems] == [
        "clients/Hydro-Tech Sp. z o.o..md:17: not updated from the import: merge conflict "
        "markers; resolve the conflict first"]
    assert snapshot(root) == before


def test_a_nip_in_two_notes_is_not_updated(make_vault, tmp_path):
    root = make_vault({"clients/Hydro-Tech Sp. z o.o..md": HAND_WRITTEN,
                       "clients/Hydro copy.md": f'---\nname: Hydro copy\nnip: "{NIP_A}"\n---\n'})
    source = write(tmp_path, "klienci.csv", CLIENT_LIST)
    with pytest.raises(VaultError) as error:
        import_clients(root, source, TODAY)
    assert [str(p) for p in error.value.problems] == [
        f"{source}:2: NIP 526-025-02-74 is in 2 notes (clients/Hydro copy.md, "
        "clients/Hydro-Tech Sp. z o.o..md): fix that first (salesnotes check)"]


def test_an_unreadable_note_holds_back_only_the_nips_its_raw_text_mentions(make_vault, tmp_path,
                                                                          run):
    broken = ("---\nname: Źdźbło\nnip: 774-000-14-54\ntier: [A\n---\n").encode()
    root = make_vault({"clients/Binary.md": b"\x00\x01binary", "clients/Broken.md": broken})
    source = write(tmp_path, "klienci.csv", CLIENT_LIST)
    result = run("import", "clients", str(source), "--vault", str(root))
    assert result.exit_code == 0, result.stderr
    assert "created clients/Hydro-Tech Sp. z o.o..md" in result.stdout
    assert ('774-000-14-54 Zakład "Źdźbło" s.c.: not created: may be in clients/Broken.md, '
            "which cannot be read (line 3)") in result.stdout
    assert sorted(p.name for p in (root / "clients").iterdir()) == [
        "Binary.md", "Broken.md", "Hydro-Tech Sp. z o.o..md"]
