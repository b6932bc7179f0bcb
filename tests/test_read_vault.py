"""Reading real reps' vaults: every problem kind at its path:line, messy notes read anyway."""

import json
import unicodedata

import pytest

from salesnotes.load.vault import load_vault
from salesnotes.read.note import read_note


def status(run, root):
    result = run("status", "--json", "--vault", str(root))
    return {row["file"]: row for row in json.loads(result.stdout)["clients"]}


@pytest.mark.parametrize("written", ["5260250274", "526-025-02-74", '"PL 526 025 02 74"',
                                     "PL5260250274"])
def test_every_written_form_of_a_nip_is_the_same_nip(make_vault, run, written):
    root = make_vault({"clients/A.md": f"---\nnip: {written}\n---\n"})
    assert status(run, root)["clients/A.md"]["nip"] == "5260250274"
    assert run("check", "--vault", str(root)).exit_code == 0


def test_a_nip_is_never_an_int_even_with_a_leading_zero(make_vault, run):
    # 0000000000 has a valid checksum of 0; written plain, YAML 1.1 would read an octal int
    root = make_vault({"clients/A.md": "---\nnip: 0000000000\n---\n"})
    assert status(run, root)["clients/A.md"]["nip"] == "0000000000"


PROBLEM_NOTES = {
    "clients/yaml.md": ("---\nname: Ok\ntier: [A\n---\n", 3, "malformed YAML"),
    "clients/checksum.md": ("---\nname: Check\nnip: 5260250275\n---\n", 3,
                            "invalid NIP checksum: '5260250275'"),
    "clients/tier.md": ("---\ntier: D\n---\n", 2, "unknown tier 'D' (known: A, B, C)"),
    "clients/status.md": ("---\n\nstatus: sleeping\n---\n", 3, "unknown status 'sleeping'"),
    "clients/date.md": ("---\nlast_contact: 2026-02-30\n---\n", 2, "impossible date"),
    "clients/latin2.md": ("---\nname: Łódź\n---\n".encode("cp1250"), 2, "not UTF-8"),
    "clients/unclosed.md": ("---\nname: x\n", 1, "never closed"),
    "clients/alias.md": ("---\na: &x 1\nb: *x\n---\n", 2, "anchors/aliases are not supported"),
    "clients/tag.md": ("---\nx: !!python/object/apply:os.system [ls]\n---\n", 2,
                       "unsupported YAML tag"),
    "clients/dupkey.md": ("---\ntier: A\ntier: B\n---\n", 3, "duplicate key 'tier'"),
    "clients/opp.md": ("# X\n\n## Opportunities\n- Pumps [value:: 12,3,4]\n", 4, "opportunity"),
}


@pytest.mark.parametrize("rel", sorted(PROBLEM_NOTES))
def test_each_problem_kind_is_reported_at_its_line(make_vault, run, rel):
    content, line, message = PROBLEM_NOTES[rel]
    root = make_vault({rel: content, "clients/good.md": "---\ntier: A\n---\n"})
    result = run("check", "--vault", str(root))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    ours = [ln for ln in result.stderr.splitlines() if ln.startswith(rel + ":")]
    assert ours, result.stderr
    assert ours[0].startswith(f"{rel}:{line}: ") and message in ours[0], ours


def test_duplicate_nip_and_name_name_both_notes(make_vault, run):
    root = make_vault({
        "clients/A.md": "---\nname: Acme\nnip: 5260250274\n---\n",
        "clients/B.md": "---\nname: ACME\nnip: 526-025-02-74\n---\n",
    })
    err = run("check", "--vault", str(root)).stderr
    assert "clients/A.md:3: duplicate NIP '5260250274': also in clients/B.md" in err
    assert "clients/B.md:3: duplicate NIP '5260250274': also in clients/A.md" in err
    assert "clients/A.md:2: duplicate client name 'Acme': also in clients/B.md" in err


def test_bad_config_names_key_and_line(make_vault, run):
    root = make_vault(config="owner: X\nlocale: de\ntiers:\n  A: {cadence_days: many}\n")
    err = run("check", "--vault", str(root)).stderr
    assert "salesnotes.yaml:2: locale: expected pl or en, got 'de'" in err
    assert "salesnotes.yaml:4: tiers.A.cadence_days: expected a whole number" in err


def test_strict_adds_unknown_keys_type_mismatch_and_money_as_text(make_vault, run):
    root = make_vault({
        "clients/A.md": "---\nbudget: 1000\nfavourite: tea\n---\n",
        "clients/B.md": "---\nbudget: 2000\n---\n",
        "clients/C.md": "---\nbudget: \"120 000,00\"\n---\n",
    })
    assert run("check", "--vault", str(root)).exit_code == 0
    strict = run("check", "--strict", "--vault", str(root))
    assert strict.exit_code == 1
    assert "clients/A.md:3: unknown key 'favourite'" in strict.stderr
    assert "clients/C.md:2: budget: money written as text '120 000,00'" in strict.stderr
    assert "clients/C.md:2: 'budget' is text here but number in 2 other notes" in strict.stderr


def test_check_json(make_vault, run):
    root = make_vault({"clients/A.md": "---\ntier: Z\n---\n"})
    result = run("check", "--json", "--vault", str(root))
    data = json.loads(result.stdout)
    assert data["problems"] == [{"path": "clients/A.md", "line": 2,
                                 "message": "unknown tier 'Z' (known: A, B, C)"}]
    assert result.exit_code == 1


def test_crlf_bom_bare_subfolder_and_nfd_notes_all_read(make_vault):
    nfd = unicodedata.normalize("NFD", "Łódź Serwis")
    root = make_vault({
        "clients/crlf.md": ("---\r\nname: CRLF Co\r\ntier: A\r\n---\r\n"
                            "## Log\r\n- 2026-11-02 phone: hi\r\n"),
        "clients/bom.md": b"\xef\xbb\xbf---\nname: BOM Co\ntier: B\n---\n",
        "clients/bare.md": "Just text, no front-matter.\n\n---\n\nk: v\n---\n",
        f"clients/Kraków/{nfd}.md": "---\ntier: C\n---\n",
    })
    vault = load_vault(root, git=False)
    by_path = {str(n.path): n for n in vault.notes}
    assert by_path["clients/crlf.md"].name == "CRLF Co"
    assert by_path["clients/crlf.md"].body.log[0].text == "hi"
    assert by_path["clients/bom.md"].tier == "B"
    assert by_path["clients/bare.md"].name == "bare" and by_path["clients/bare.md"].key_lines == {}
    sub = [n for n in vault.notes if "Kraków" in str(n.path)][0]
    assert sub.name == "Łódź Serwis" and unicodedata.is_normalized("NFC", sub.name)
    assert not [p for p in vault.problems if not p.strict]


MESSY = """---
# the rep's own comment
status: active   # still buying
tags: hvac, kraków
last_contact: "2026-11-02"
next_contact: 2026-11-20T10:00:00+01:00
budget: "120 000,00"
potential: 240000.50
region:
next_step: ''
tier: B
name: 'Messy: Firma'
---
Body.
"""


def test_messy_real_world_note_reads(make_vault):
    root = make_vault({"clients/messy.md": MESSY})
    vault = load_vault(root, git=False)
    (note,) = vault.notes
    assert note.name == "Messy: Firma"
    assert note.tags == ("hvac", "kraków")
    assert str(note.last_contact) == "2026-11-02" and str(note.next_contact) == "2026-11-20"
    assert str(note.budget) == "120000.00" and str(note.potential) == "240000.50"
    assert note.region is None and note.next_step is None
    assert not [p for p in vault.problems if not p.strict]


def test_body_front_matter_lookalike_is_not_front_matter():
    result = read_note(__import__("pathlib").PurePosixPath("clients/x.md"),
                       b"Intro\n---\ntier: A\n---\n")
    assert result.note.tier is None and not result.problems


def test_names_duplicate_whatever_their_case_spaces_or_unicode_form(make_vault, run):
    root = make_vault({
        "clients/A.md": "---\nname: \"Zo\u0308e  Serwis\"\n---\n",
        "clients/B.md": "---\nname: ZÖE serwis\n---\n",
        "clients/C.md": "---\nname: Zoe Serwis\n---\n",
    })
    err = run("check", "--vault", str(root)).stderr
    assert "clients/B.md:2: duplicate client name 'ZÖE serwis': also in clients/A.md" in err
    assert "clients/C.md" not in err
