"""Adversarial cases 1-11 (ARCHITECTURE.md): front-matter fidelity, through `log`, `check`,
`status`, `review`.

An edit may change exactly the value spans and lines it means to; a note salesnotes cannot read
safely is reported with path:line and left byte-for-byte as it was.
"""

from __future__ import annotations

import json
import time
import tracemalloc

import pytest

from adversarial import assert_unchanged, problem_lines, snapshot

RICH = """---
# client card, kept as typed
name: 'Acme Sp. z o.o.'   # quoted on purpose
nip: "5260250274"
tier: A

tags: [a, b]
aliases:
  - Acme
  - ACME SA
x: ~
y: null
description: A value that is much longer than eighty characters, so a default YAML dumper folds it
last_contact: 2026-11-18  # the last call
next_contact: 2026-12-02
---
# Acme

Free text.

## Log
- 2026-11-18 phone: first call
"""


def _logged(text: str, newline: str = "\n") -> str:
    """RICH after `log acme Called --via phone --next 2026-12-10`: only the intended spans."""
    out = (text.replace("last_contact: 2026-11-18", "last_contact: 2026-11-27")
           .replace("next_contact: 2026-12-02", "next_contact: 2026-12-10")
           .replace("## Log\n", "## Log\n- 2026-11-27 phone: Called\n"))
    return out.replace("\n", newline)


def _log(run, root, *extra: str):  # noqa: ANN001, ANN202
    return run("log", "acme", "Called", "--via", "phone", "--next", "2026-12-10",
               "--vault", str(root), "--no-commit", *extra)


# ---------------------------------------------------------------- 1-3: bytes, newlines, BOM


def test_1_log_changes_only_the_date_spans_and_adds_one_line(make_vault, run):
    root = make_vault({"clients/Acme.md": RICH})
    result = _log(run, root)
    assert result.exit_code == 0, result.stderr
    assert (root / "clients/Acme.md").read_bytes() == _logged(RICH).encode()


def test_2_crlf_note_stays_crlf_with_one_front_matter_block(make_vault, run):
    crlf = RICH.replace("\n", "\r\n").encode()
    root = make_vault({"clients/Acme.md": crlf})
    assert _log(run, root).exit_code == 0
    data = (root / "clients/Acme.md").read_bytes()
    assert data == _logged(RICH, "\r\n").encode()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.split(b"\r\n").count(b"---") == 2


def test_2_crlf_note_without_front_matter_gets_a_crlf_block_at_byte_0(make_vault, run):
    body = "# Acme\r\n\r\n## Log\r\n- 2026-11-18 phone: first call\r\n"
    root = make_vault({"clients/Acme.md": body.encode()})
    assert run("log", "acme", "Called", "--via", "phone", "--vault", str(root),
               "--no-commit").exit_code == 0
    data = (root / "clients/Acme.md").read_bytes()
    assert data == ("---\r\nlast_contact: 2026-11-27\r\n---\r\n"
                    + body.replace("## Log\r\n", "## Log\r\n- 2026-11-27 phone: Called\r\n")
                    ).encode()


def test_3_bom_is_kept_and_its_front_matter_read(make_vault, run):
    root = make_vault({"clients/Acme.md": b"\xef\xbb\xbf" + RICH.encode()})
    rows = json.loads(run("status", "--json", "--vault", str(root)).stdout)["clients"]
    assert [(r["name"], r["nip"], r["tier"]) for r in rows] == [
        ("Acme Sp. z o.o.", "5260250274", "A")]
    assert _log(run, root).exit_code == 0
    data = (root / "clients/Acme.md").read_bytes()
    assert data == b"\xef\xbb\xbf" + _logged(RICH).encode()
    assert data.count(b"---\n") == 2  # no second block prepended


# ---------------------------------------------------------------------- 4-5: dates and money


def test_4_quoted_datetime_and_short_dates_read_as_dates_without_timezone_shift(make_vault, run):
    root = make_vault({
        "clients/A.md": '---\nlast_contact: "2024-03-05"\n---\n',
        "clients/B.md": "---\nlast_contact: 2024-03-05T23:30:00-05:00\n---\n",  # 03-06 in UTC
        "clients/C.md": "---\nlast_contact: 2024-3-5\n---\n",
        "clients/D.md": "---\nlast_contact: '2024-03-05'\n"
                        "next_contact: 2024-03-06T00:30+09:00\n---\n",
    })
    status = json.loads(run("status", "--json", "--vault", str(root)).stdout)
    rows = {r["name"]: r for r in status["clients"]}
    assert {n: r["last_contact"] for n, r in rows.items()} == dict.fromkeys("ABCD", "2024-03-05")
    assert rows["D"]["next_contact"] == "2024-03-06"  # 2024-03-05 in UTC: never shifted


@pytest.mark.parametrize(("written", "updated"), [
    ('"2024-03-05"', '"2026-11-27"'),
    ("'2024-03-05'", "'2026-11-27'"),
    ("2024-03-05", "2026-11-27"),
])
def test_4_an_update_keeps_the_keys_quoting(make_vault, run, written, updated):
    note = f"---\nname: Acme\nlast_contact: {written}\n---\n## Log\n"
    root = make_vault({"clients/Acme.md": note})
    assert run("log", "acme", "x", "--vault", str(root), "--no-commit").exit_code == 0
    assert (root / "clients/Acme.md").read_text() == (
        f"---\nname: Acme\nlast_contact: {updated}\n---\n## Log\n- 2026-11-27 other: x\n")


def test_5_money_is_exact_from_its_text_and_ambiguity_is_an_error(make_vault, run):
    root = make_vault({
        "clients/A.md": "---\ntier: A\nbudget: 1234.10\n---\n",
        "clients/B.md": '---\ntier: A\nbudget: "1\u00a0234,56 zł"\n---\n',
        "clients/C.md": "---\ntier: A\nbudget: 0.01\npotential: 1,234\n---\n",
    })
    result = run("review", "--vault", str(root), "--no-commit")
    assert result.exit_code == 1
    assert [m.group(0) for m in problem_lines(result.stderr)] == [
        "clients/C.md:4: potential: ambiguous amount '1,234': thousands or decimals?"]
    budget = (root / "views/Budget.md").read_text()
    assert "| Budget for the year | PLN 2,468.67 |" in budget  # 1234.10 + 1234.56 + 0.01


# ----------------------------------------------------------------- 6-7: broken notes, refused

BROKEN = {
    "clients/Dup.md": "---\ntier: A\nname: Dup\ntier: B\n---\n## Log\n",
    "clients/Tab.md": "---\nname: Tab\ntier:\tA\n---\n## Log\n",
    "clients/Quote.md": '---\nname: Quote\nregion: "Kraków\ntier: A\n---\n## Log\n',
    "clients/Unclosed.md": "---\nname: Unclosed\ntier: A\n## Log\n",
}
GOOD = {"clients/Good.md": "---\nname: Good\ntier: A\n---\n## Log\n"}


def test_6_7_check_reports_each_broken_note_at_its_line(make_vault, run):
    root = make_vault({**BROKEN, **GOOD})
    result = run("check", "--vault", str(root))
    assert result.exit_code == 1
    found = {(m["path"], int(m["line"])): m["message"] for m in problem_lines(result.stderr)}
    assert "duplicate key 'tier'" in found[("clients/Dup.md", 4)]
    assert "tab" in found[("clients/Tab.md", 3)]
    assert "YAML" in found[("clients/Quote.md", 3)]  # where the quote opens, not the file end
    assert "never closed" in found[("clients/Unclosed.md", 1)]
    assert not any(path == "clients/Good.md" for path, _ in found)


def test_6_duplicate_key_message_names_file_lines(make_vault, run):
    root = make_vault({"clients/Dup.md": BROKEN["clients/Dup.md"]})
    result = run("check", "--vault", str(root))
    assert "clients/Dup.md:4: duplicate key 'tier' (first on line 2)" in result.stderr


def test_7_a_control_character_is_one_problem_at_its_line(make_vault, run):
    root = make_vault({"clients/Ctl.md": '---\nname: Ctl\ntier: A\nregion: "Kra\x7fków"\n---\n'})
    result = run("check", "--vault", str(root))
    [problem] = problem_lines(result.stderr)
    assert problem["path"] == "clients/Ctl.md" and problem["line"] == "4"


@pytest.mark.parametrize("name", ["Dup", "Tab", "Quote", "Unclosed"])
def test_6_7_log_refuses_a_broken_note_and_leaves_it_untouched(make_vault, run, name):
    root = make_vault({**BROKEN, **GOOD}, git=True)
    before = snapshot(root)
    result = run("log", name, "call", "--vault", str(root))
    assert result.exit_code in (1, 2)
    problem_lines(result.stderr)
    assert_unchanged(root, before)


@pytest.mark.parametrize("name", ["Dup", "Unclosed"])
def test_6_7_log_on_a_broken_note_says_what_is_wrong_with_it(make_vault, run, name):
    root = make_vault({**BROKEN, **GOOD})
    result = run("log", name, "call", "--vault", str(root), "--no-commit")
    assert f"clients/{name}.md:" in result.stderr


def test_6_other_notes_proceed(make_vault, run):
    root = make_vault({**BROKEN, **GOOD}, git=True)
    broken = {k: (root / k).read_bytes() for k in BROKEN}
    assert run("log", "good", "call", "--vault", str(root)).exit_code == 0
    result = run("review", "--vault", str(root))
    assert result.exit_code == 1
    assert {m["path"] for m in problem_lines(result.stderr)} == set(BROKEN)
    assert "Good" in (root / "views/Portfolio.md").read_text()
    assert {k: (root / k).read_bytes() for k in BROKEN} == broken


# --------------------------------------------------------------- 8: only byte 0 is front-matter


def test_8_a_block_later_in_the_body_is_never_front_matter(make_vault, run):
    body = ("# Acme\n\nIntro\n\n---\n\nMore text\n\n---\ntier: A\nname: Not me\n---\n\n"
            "## Log\n- 2026-11-18 phone: first call\n")
    root = make_vault({"clients/Acme.md": body})
    rows = json.loads(run("status", "--json", "--vault", str(root)).stdout)["clients"]
    assert (rows[0]["name"], rows[0]["tier"]) == ("Acme", "C")  # the default tier, not A
    assert run("log", "acme", "Called", "--via", "phone", "--vault", str(root),
               "--no-commit").exit_code == 0
    assert (root / "clients/Acme.md").read_text() == (
        "---\nlast_contact: 2026-11-27\n---\n"
        + body.replace("## Log\n", "## Log\n- 2026-11-27 phone: Called\n"))


# ------------------------------------------------------------ 9-10: aliases, bombs and tags

BOMB = ("---\nname: Bomb\n" + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n"
                  for p, k in zip("abcdefgh", "bcdefghi", strict=True)) + "---\n")


def test_9_aliases_and_an_alias_bomb_are_refused_fast_and_small(make_vault, run):
    root = make_vault({"clients/Alias.md": "---\nname: Alias\nbase: &a A\ntier: *a\n---\n",
                       "clients/Bomb.md": BOMB, **GOOD})
    before = snapshot(root)
    tracemalloc.start()
    started = time.perf_counter()
    result = run("check", "--vault", str(root))
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 2 and peak < 50 * 2**20
    found = {m["path"]: m for m in problem_lines(result.stderr)}
    assert found["clients/Alias.md"]["line"] == "3"
    assert found["clients/Bomb.md"]["line"] == "3"
    assert all("anchors/aliases" in m["message"] for m in found.values())
    assert run("review", "--vault", str(root), "--no-commit").exit_code == 1
    for name in ("Alias", "Bomb"):
        assert run("log", name, "x", "--vault", str(root), "--no-commit").exit_code != 0
    after = snapshot(root)
    assert {k: after[k] for k in before if k.startswith("clients/")} == {
        k: v for k, v in before.items() if k.startswith("clients/")}


def test_10_python_and_custom_tags_are_never_constructed(make_vault, run, tmp_path):
    marker = tmp_path / "pwned"
    root = make_vault({
        "clients/Py.md": f'---\nname: Py\ntier: !!python/object/apply:os.system ["touch {marker}"]'
                         "\n---\n",
        "clients/Custom.md": "---\nname: Custom\ntier: !custom A\n---\n", **GOOD})
    result = run("check", "--vault", str(root))
    found = {m["path"]: m for m in problem_lines(result.stderr)}
    assert found["clients/Py.md"]["line"] == "3"
    assert "unsupported YAML tag !!python/object/apply:os.system" in found["clients/Py.md"][0]
    assert "unsupported YAML tag !custom" in found["clients/Custom.md"][0]
    before = snapshot(root)
    for args in (("review", "--no-commit"), ("status",), ("log", "py", "x", "--no-commit")):
        run(*args, "--vault", str(root))
    assert not marker.exists()
    assert {k: v for k, v in snapshot(root).items() if k.startswith("clients/")} == {
        k: v for k, v in before.items() if k.startswith("clients/")}


# ------------------------------------------------------------- 11: files that are not notes


@pytest.fixture
def odd_files(make_vault):
    root = make_vault({
        "clients/Big front.md": "---\nname: Big\n" + "".join(
            f"k{i}: {'x' * 60}\n" for i in range(16_000)) + "---\n",
        "clients/Empty.md": b"",
        "clients/Binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        "clients/Windows.md": "---\nname: Łódź Serwis\ntier: A\n---\n".encode("cp1250"),
        **GOOD}, git=True)
    with open(root / "clients/Huge.md", "wb") as f:
        f.truncate(50 * 2**20)  # sparse: 50 MB that cost no disk
    return root


def test_11_check_names_every_file_that_is_not_a_note(odd_files, run):
    result = run("check", "--vault", str(odd_files))
    assert result.exit_code == 1
    found = {m["path"]: m["message"] for m in problem_lines(result.stderr)}
    assert "64 KB" in found["clients/Big front.md"]
    assert "binary" in found["clients/Binary.md"]
    assert "not UTF-8" in found["clients/Windows.md"]
    assert "5 MB" in found["clients/Huge.md"]


@pytest.mark.parametrize("name", ["Big front", "Empty", "Binary", "Windows", "Huge"])
def test_11_log_never_rewrites_or_reencodes_them(odd_files, run, name):
    before = snapshot(odd_files)
    result = run("log", name, "x", "--vault", str(odd_files))
    assert result.exit_code in (1, 2)
    problem_lines(result.stderr)
    assert_unchanged(odd_files, before)


def test_11_review_and_import_leave_them_alone(odd_files, run, tmp_path):
    before = {k: v for k, v in snapshot(odd_files).items() if k.startswith("clients/")}
    assert run("review", "--vault", str(odd_files)).exit_code == 1
    export = tmp_path / "clients.csv"
    export.write_text("NIP;Nazwa\n5260250274;Łódź Serwis\n", encoding="utf-8")
    result = run("import", "clients", str(export), "--vault", str(odd_files))
    # unreadable notes never block an import: none of them holds the NIP's digits
    assert result.exit_code == 0, result.stderr
    after = {k: v for k, v in snapshot(odd_files).items() if k.startswith("clients/")}
    assert {k: v for k, v in after.items() if k in before} == before
    assert set(after) - set(before) == {"clients/Łódź Serwis.md"}
