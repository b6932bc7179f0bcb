"""Finding a client: one matcher for every command taking CLIENT, through the real CLI."""

import subprocess

import pytest
from conftest import snapshot

ZUH = "clients/Z.U.H. Hydromont Andrzej Wiśniewski.md"
SC = "clients/Hydromont s.c..md"
PHU = "clients/P.H.U. Świątek Grzegorz Wójcik.md"
ZAR = "clients/P.H.U. Żar-Serwis Józef Woźniak.md"
LODZ = "clients/Łódź Serwis s.c..md"


def note(name, nip=None, tier="B", region="Łódź", aliases=None):
    lines = ["---", f'name: "{name}"', f"tier: {tier}", f"region: {region}"]
    if nip:
        lines.append(f'nip: "{nip}"')
    if aliases:
        lines.append(f"aliases: [{', '.join(aliases)}]")
    return "\n".join([*lines, "---", f"# {name}", "", "## Log", ""]) + "\n"


@pytest.fixture
def vault(make_vault):
    return make_vault({
        ZUH: note("Z.U.H. Hydromont Andrzej Wiśniewski", "5260250274", "A", "Kraków"),
        SC: note("Hydromont s.c.", "7680002466", "C", "Tarnów"),
        PHU: note("P.H.U. Świątek Grzegorz Wójcik", aliases=["Świątek"]),
        ZAR: note("P.H.U. Żar-Serwis Józef Woźniak", region="Łódź"),
        LODZ: note("Łódź Serwis s.c."),
        "clients/Solar.md": note("Solar Sp. z o.o."),
    }, git=True)


def logged(root, rel, text):
    return text in (root / rel).read_text(encoding="utf-8")


def test_hydromont_lists_both_with_nip_tier_region_and_changes_nothing(vault, run):
    before = snapshot(vault)
    result = run("log", "hydromont", "Called", "--vault", str(vault))
    assert result.exit_code == 2
    err = result.stderr
    assert "'hydromont' matches 2 clients" in err
    assert "Hydromont s.c. (NIP 768-000-24-66, tier C, Tarnów) clients/Hydromont s.c..md" in err
    assert ("Z.U.H. Hydromont Andrzej Wiśniewski (NIP 526-025-02-74, tier A, Kraków) "
            f"{ZUH}") in err
    assert snapshot(vault) == before  # no note edited, no commit made


@pytest.mark.parametrize("typed", ["swiatek", "wojcik", "Wójcik grzeg", "świątek"])
def test_any_word_of_the_name_finds_the_client(vault, run, typed):
    result = run("log", typed, f"by {typed}", "--vault", str(vault), "--no-commit")
    assert result.exit_code == 0, result.stderr
    assert logged(vault, PHU, f"by {typed}")


def test_phu_folds_punctuation_and_lists_every_phu(vault, run):
    result = run("log", "phu", "x", "--vault", str(vault))
    assert result.exit_code == 2
    assert "matches 2 clients" in result.stderr
    assert "P.H.U. Świątek" in result.stderr and "P.H.U. Żar-Serwis" in result.stderr
    assert run("log", "p.h.u. wojcik", "y", "--vault", str(vault),
               "--no-commit").exit_code == 0
    assert logged(vault, PHU, "other: y")


def test_zar_serwis_finds_the_hyphenated_name_not_lodz(vault, run):
    result = run("log", "zar serwis", "Oferta", "--vault", str(vault), "--no-commit")
    assert result.exit_code == 0, result.stderr
    assert logged(vault, ZAR, "Oferta") and not logged(vault, LODZ, "Oferta")


def test_suggestions_come_from_the_same_folded_words(vault, run):
    result = run("log", "zar serwiz", "x", "--vault", str(vault))
    assert result.exit_code == 2
    assert "did you mean 'P.H.U. Żar-Serwis Józef Woźniak'" in result.stderr
    assert "Łódź" not in result.stderr.split("did you mean")[1]


def test_exact_forms_win_over_word_matches(vault, run):
    # the exact name of one client is not ambiguous with another whose words it starts
    r = run("log", "hydromont s.c.", "exact", "--vault", str(vault), "--no-commit")
    assert r.exit_code == 0, r.stderr and logged(vault, SC, "exact")
    r = run("log", "PL 526-025-02-74", "nip", "--vault", str(vault), "--no-commit")
    assert r.exit_code == 0 and logged(vault, ZUH, "other: nip")
    r = run("log", "Solar.md", "file", "--vault", str(vault), "--no-commit")
    assert r.exit_code == 0 and logged(vault, "clients/Solar.md", "other: file")
    r = run("log", "solar.MD", "file in another case", "--vault", str(vault), "--no-commit")
    assert r.exit_code == 0 and logged(vault, "clients/Solar.md", "other: file in another")
    r = run("log", "ŚWIĄTEK", "alias", "--vault", str(vault), "--no-commit")
    assert r.exit_code == 0 and logged(vault, PHU, "other: alias")


def test_history_and_checklist_apply_use_the_same_matcher(vault, run):
    r = run("history", "hydromont", "--vault", str(vault))
    assert r.exit_code == 2 and "matches 2 clients" in r.stderr
    (vault / "templates/checklists").mkdir(parents=True)
    (vault / "templates/checklists/key-account.md").write_text("# Key account\n- [ ] One\n")
    r = run("checklist", "apply", "key-account", "hydromont", "--vault", str(vault))
    assert r.exit_code == 2 and "matches 2 clients" in r.stderr
    r = run("checklist", "apply", "key-account", "zuh hydro", "--vault", str(vault))
    assert r.exit_code == 0, r.stderr
    assert "## Checklist: Key account" in (vault / ZUH).read_text(encoding="utf-8")


def test_shell_completion_offers_client_names(vault):
    env = {"_SALESNOTES_COMPLETE": "bash_complete", "COMP_WORDS": "salesnotes log swi",
           "COMP_CWORD": "2", "SALESNOTES_VAULT": str(vault), "PATH": "/usr/bin:/bin"}
    import os
    import sys

    exe = os.path.join(os.path.dirname(sys.executable), "salesnotes")
    out = subprocess.run([exe], env=env, capture_output=True, text=True, check=False).stdout
    assert out.splitlines() == ["plain,P.H.U. Świątek Grzegorz Wójcik"]
    env["COMP_WORDS"] = "salesnotes history hydro"
    out = subprocess.run([exe], env=env, capture_output=True, text=True, check=False).stdout
    assert out.splitlines() == ["plain,Hydromont s.c.",
                                "plain,Z.U.H. Hydromont Andrzej Wiśniewski"]
