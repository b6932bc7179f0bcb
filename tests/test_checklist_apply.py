"""`salesnotes checklist apply`: byte-safe, idempotent, one commit, nothing lost or unticked."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import SPEC_NOTE

from salesnotes.edit import files
from salesnotes.edit.checklist_apply import apply_checklist
from salesnotes.load.vault import load_vault

KEY_ACCOUNT = """# Key account

- [ ] Decision maker identified
  Who signs, who pays, who uses: names and phones.
- [ ] Annual purchase plan agreed
- [ ] Terms in writing
"""
SECTION = (b"## Checklist: Key account\n\n- [ ] Decision maker identified\n"
           b"  Who signs, who pays, who uses: names and phones.\n"
           b"- [ ] Annual purchase plan agreed\n- [ ] Terms in writing\n\n")
TEMPLATE = {"templates/checklists/key-account.md": KEY_ACCOUNT}
HYDRO = "clients/Hydro-Tech Sp. z o.o..md"
# the README example note without its key-account section, with the oddities a rep's note has
NOTE = SPEC_NOTE.replace(
    "## Checklist: Key account\n- [x] Decision maker identified\n"
    "- [ ] Annual purchase plan agreed\n\n", "").replace(
    "tier: A\n", "tier: A   # key account since 2024\n").replace(
    "tags: [hvac, kraków]\n", "tags: [hvac, kraków]\nx: ~\nquote: 'single'\n")


def plain(name: str, front: str = "tier: A\n", body: str = "") -> str:
    return f"---\nname: {name}\n{front}---\n# {name}\n{body}"


def read(root: Path, rel: str) -> bytes:
    return (root / rel).read_bytes()


def head(root: Path) -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                          text=True, check=True).stdout.strip()


def apply(run, root: Path, *args: str):
    return run("checklist", "apply", *args, "--vault", str(root))


def assert_inserted(before: bytes, after: bytes, at: bytes, block: bytes) -> None:
    """`after` is `before` with `block` inserted right before `at`, every other byte kept."""
    i = before.index(at)
    assert after[:i] == before[:i]
    assert after[i:i + len(block)] == block
    assert after[i + len(block):] == before[i:]


def test_inserts_before_log_keeping_every_other_byte(make_vault, run):
    root = make_vault({**TEMPLATE, HYDRO: NOTE})
    before = read(root, HYDRO)
    result = apply(run, root, "key-account")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{HYDRO}: added ## Checklist: Key account (3 items)\n")
    assert_inserted(before, read(root, HYDRO), b"## Log\n", SECTION)


def test_crlf_stays_crlf_and_bom_is_kept(make_vault, run):
    crlf = ("\ufeff" + NOTE).replace("\n", "\r\n").encode()
    root = make_vault({**TEMPLATE, HYDRO: crlf})
    result = apply(run, root, "key-account")
    assert result.exit_code == 0, result.stderr
    after = read(root, HYDRO)
    assert after.startswith(b"\xef\xbb\xbf---\r\n")
    assert after.count(b"\n") == after.count(b"\r\n")
    assert_inserted(crlf, after, b"## Log\r\n", SECTION.replace(b"\n", b"\r\n"))


def test_without_log_the_section_goes_at_the_end(make_vault, run):
    root = make_vault({**TEMPLATE, "clients/A.md": plain("A", body="Some text.")})
    assert apply(run, root, "key-account").exit_code == 0
    assert read(root, "clients/A.md") == (plain("A", body="Some text.").encode() + b"\n\n"
                                          + SECTION.rstrip(b"\n"))  # no final newline: kept so


def test_apply_twice_is_byte_identical_and_commits_once(make_vault, run):
    root = make_vault({**TEMPLATE, HYDRO: NOTE, "clients/Baumax.md": plain("Baumax"),
                       "clients/Small.md": plain("Small", "tier: C\n")}, git=True)
    start = head(root)
    first = apply(run, root, "key-account")
    assert first.exit_code == 0, first.stderr
    once = {p: read(root, p) for p in (HYDRO, "clients/Baumax.md", "clients/Small.md")}
    after_first = head(root)
    assert after_first != start
    shown = subprocess.run(["git", "-c", "core.quotepath=off", "show", "--name-only",
                            "--format=%s", "HEAD"], cwd=root, capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert shown == [
        "salesnotes: checklist key-account (2 clients)", "", "clients/Baumax.md", HYDRO]
    assert b"Checklist" not in once["clients/Small.md"]  # tier C: the rule does not apply

    second = apply(run, root, "key-account")
    assert second.exit_code == 0, second.stderr
    assert "0 notes changed, 2 already had it" in second.stdout
    assert {p: read(root, p) for p in once} == once
    assert head(root) == after_first  # no second commit
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True,
                            text=True, check=True).stdout
    assert status == ""


def test_sync_adds_new_items_and_keeps_ticks(make_vault, run):
    body = ("\n## checklist:  KEY account\n- [x] decision  maker IDENTIFIED ✅ 2026-11-02\n"
            "- [ ] Terms in writing\n- [x] Our own extra item\n\nFree text after.\n\n"
            "## Log\n- 2026-11-18 phone: call\n")
    root = make_vault({**TEMPLATE, "clients/A.md": plain("A", body=body)})
    before = read(root, "clients/A.md")

    plain_apply = apply(run, root, "key-account")
    assert read(root, "clients/A.md") == before  # has the section: matched loosely, untouched
    assert "lack items added to the template" in plain_apply.stdout

    result = apply(run, root, "key-account", "--sync")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("clients/A.md: added 1 new item to ## Checklist: Key account: "
                                    "Annual purchase plan agreed\n")
    assert_inserted(before, read(root, "clients/A.md"), b"\n## Log",  # at the section's end
                    b"- [ ] Annual purchase plan agreed\n")
    synced = read(root, "clients/A.md")
    assert apply(run, root, "key-account", "--sync").exit_code == 0
    assert read(root, "clients/A.md") == synced  # idempotent


def test_sync_adds_an_item_new_in_the_template(make_vault, run):
    root = make_vault({**TEMPLATE, HYDRO: NOTE})
    apply(run, root, "key-account")
    note = root / HYDRO
    ticked = note.read_bytes().replace(b"- [ ] Terms in writing", b"- [x] Terms in writing")
    note.write_bytes(ticked)
    (root / "templates/checklists/key-account.md").write_text(KEY_ACCOUNT + "- [ ] Site visit\n",
                                                              encoding="utf-8")
    before = note.read_bytes()
    assert apply(run, root, "key-account", "--sync").exit_code == 0
    assert_inserted(before, note.read_bytes(), b"\n## Log", b"- [ ] Site visit\n")
    assert b"- [x] Terms in writing\n" in note.read_bytes()


def test_dry_run_writes_nothing(make_vault, run):
    root = make_vault({**TEMPLATE, HYDRO: NOTE}, git=True)
    path = root / HYDRO
    stat = path.stat()
    result = apply(run, root, "key-account", "--dry-run")
    assert result.exit_code == 0
    assert f"{HYDRO}: would add ## Checklist: Key account (3 items)" in result.stdout
    assert path.read_bytes() == NOTE.encode() and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert subprocess.run(["git", "log", "--oneline"], cwd=root, capture_output=True,
                          text=True).stdout.count("\n") == 1


def test_ambiguous_client_changes_nothing(make_vault, run):
    notes = {"clients/Hydro-Tech.md": plain("Hydro-Tech"),
             "clients/Hydro-Serwis.md": plain("Hydro-Serwis")}
    root = make_vault({**TEMPLATE, **notes, "clients/Baumax.md": plain("Baumax")}, git=True)
    result = apply(run, root, "key-account", "baumax", "hydro")
    assert result.exit_code == 2
    assert "'hydro' matches 2 clients" in result.stderr
    assert "Hydro-Serwis (no NIP, tier A, no region) clients/Hydro-Serwis.md" in result.stderr
    assert "Hydro-Tech (no NIP, tier A, no region) clients/Hydro-Tech.md" in result.stderr
    for rel, text in {**notes, "clients/Baumax.md": plain("Baumax")}.items():
        assert read(root, rel) == text.encode()


def test_clients_by_nip_prefix_and_diacritics_even_where_no_rule_applies(make_vault, run):
    root = make_vault({**TEMPLATE, HYDRO: NOTE.replace("tier: A", "tier: B"),
                       "clients/Łódź Serwis.md": plain("Łódź Serwis", "tier: C\n"),
                       "clients/Other.md": plain("Other")})
    result = apply(run, root, "key-account", "526-025-02-74", "lodz")
    assert result.exit_code == 0, result.stderr
    assert b"## Checklist: Key account" in read(root, HYDRO)
    assert b"## Checklist: Key account" in read(root, "clients/Łódź Serwis.md")
    assert b"Checklist" not in read(root, "clients/Other.md")  # not named: left alone


def test_unknown_checklist_is_a_usage_error(make_vault, run):
    root = make_vault({**TEMPLATE, HYDRO: NOTE})
    result = apply(run, root, "key-acount")
    assert result.exit_code == 2
    assert result.stderr == ("templates/checklists/key-acount.md:0: no checklist 'key-acount' "
                             "(known: key-account)\n")


def test_a_note_that_cannot_be_edited_is_reported_and_the_others_proceed(make_vault, run):
    mixed = plain("Mixed").replace("name: Mixed\n", "name: Mixed\r\n").encode()
    root = make_vault({**TEMPLATE, "clients/Mixed.md": mixed,
                       "clients/Broken.md": "---\nname: 'unclosed\ntier: A\n---\n",
                       "clients/Good.md": plain("Good")}, git=True)
    result = apply(run, root, "key-account")
    assert result.exit_code == 1
    assert "clients/Mixed.md:" in result.stderr and "mixed line endings" in result.stderr
    assert "clients/Broken.md:" in result.stderr
    assert read(root, "clients/Mixed.md") == mixed
    assert b"## Checklist: Key account" in read(root, "clients/Good.md")
    assert "salesnotes: checklist key-account (1 client)" in result.stdout

    named = apply(run, root, "key-account", "Broken", "good", "--sync")  # by file name too
    assert named.exit_code == 1
    assert named.stderr.startswith("clients/Broken.md:2: ")


def test_a_note_saved_meanwhile_gets_the_edit_on_its_fresh_text(make_vault, monkeypatch):
    root = make_vault({**TEMPLATE, HYDRO: NOTE})
    path = root / HYDRO
    saves = []

    def obsidian_saves(target: Path) -> None:
        if not saves:
            saves.append(target)
            target.write_bytes(target.read_bytes() + b"- 2026-11-26 email: typed in Obsidian\n")

    monkeypatch.setattr(files, "_before_replace", obsidian_saves)
    result = apply_checklist(load_vault(root, git=False), "key-account")
    assert [c.path.name for c in result.changes] == [path.name] and not result.problems
    after = path.read_bytes()
    assert after.endswith(b"- 2026-11-26 email: typed in Obsidian\n")  # the rep's edit survives
    assert after.count(b"## Checklist: Key account") == 1 and saves


def test_a_section_added_meanwhile_is_not_added_twice(make_vault, monkeypatch):
    root = make_vault({**TEMPLATE, HYDRO: NOTE})
    path = root / HYDRO
    vault = load_vault(root, git=False)  # read before the rep adds the section by hand
    path.write_bytes(path.read_bytes().replace(
        b"## Log", b"## Checklist: key  ACCOUNT\n- [x] Decision maker identified\n\n## Log"))
    before = path.read_bytes()
    result = apply_checklist(vault, "key-account")
    assert result.changes == [] and not result.problems
    assert path.read_bytes() == before


@pytest.mark.parametrize("extra", ["--dry-run", "--sync"])
def test_flags_on_a_vault_with_no_clients(run, make_vault, extra):
    root = make_vault({**TEMPLATE})
    result = apply(run, root, "key-account", extra)
    assert result.exit_code == 0, result.stderr
    assert "0 notes" in result.stdout
