"""ARCHITECTURE.md adversarial cases 16-21: names typed into `salesnotes new`, on a real vault.

Whatever the rep types, the note lands directly in clients/ under a file name valid on Windows,
macOS and Linux and safe in Obsidian links, while `name:` keeps the name verbatim; a name that
cannot be a file is a clear error with nothing written.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from adversarial import assert_unchanged, git, git_state, problem_lines, snapshot

RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{d}{n}" for d in ("COM", "LPT")
                                         for n in "123456789¹²³")}
ILLEGAL = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
LINK_BREAKERS = set("#^[]|")


def valid_everywhere(filename: str) -> bool:
    """A file name Windows, macOS, Linux and Obsidian's links all accept as it is."""
    stem = filename.removesuffix(".md")
    return (filename.endswith(".md") and not ILLEGAL & set(filename)
            and not LINK_BREAKERS & set(filename)
            and not filename.endswith((" ", ".")) and not stem.startswith(".")  # hidden: unread
            and filename.split(".")[0].rstrip(" ").upper() not in RESERVED
            and len(filename.encode("utf-8")) <= 120  # ARCHITECTURE.md, data safety 9
            and unicodedata.is_normalized("NFC", filename))


def new(run, root: Path, name: str, *extra: str):  # noqa: ANN001, ANN201
    return run("new", "--vault", str(root), *extra, "--", name)


def created(root: Path, before: dict) -> list[str]:
    """The files the command added (vault-relative), after checking it changed nothing else."""
    after = snapshot(root)
    assert {k: v for k, v in after.items() if k in before} == before, "existing files changed"
    return sorted(set(after) - set(before))


def names_by_file(run, root: Path) -> dict[str, str]:
    """file -> name as salesnotes reads it back (outer whitespace is never part of a name)."""
    rows = json.loads(run("status", "--json", "--vault", str(root)).stdout)["clients"]
    return {r["file"]: r["name"] for r in rows}


def refused(result, root: Path, before: dict, state: tuple) -> str:  # noqa: ANN001
    assert result.exit_code == 2, result.output
    [problem] = problem_lines(result.stderr)
    assert_unchanged(root, before)
    assert git_state(root) == state
    return problem["message"]


# ------------------------------------------------------------ 16: paths in names

@pytest.mark.parametrize("name", ["../../x", "a/b", "a\\b", "/etc/passwd", "C:\\x",
                                  "clients/../../../escape", "..", "./.git/config"])
def test_16_a_path_in_a_name_never_leaves_the_clients_folder(make_vault, run, tmp_path, name):
    root = make_vault({}, git=True)
    outside = sorted(p.name for p in tmp_path.iterdir())
    before, state = snapshot(root), git_state(root)
    result = new(run, root, name, "--no-commit")
    assert sorted(p.name for p in tmp_path.iterdir()) == outside
    if result.exit_code != 0:
        refused(result, root, before, state)
        return
    [rel] = created(root, before)
    assert Path(rel).parent == Path("clients") and valid_everywhere(Path(rel).name)
    assert (root / rel).resolve().parent == (root / "clients").resolve()
    assert names_by_file(run, root)[rel] == name.strip()


# ------------------------------------------------------------ 17: Windows device names

@pytest.mark.parametrize("name", ["CON", "nul", "COM1.md", "LPT9", "cOm3", "Aux.txt", "prn ",
                                  "CON.", "lpt1.Hydro", "COM¹"])
def test_17_windows_device_names_get_a_safe_suffix(make_vault, run, name):
    root = make_vault({})
    before = snapshot(root)
    assert new(run, root, name, "--no-commit").exit_code == 0
    [rel] = created(root, before)
    assert valid_everywhere(Path(rel).name), rel
    assert names_by_file(run, root)[rel] == name.strip()


# ------------------------------------------------------------ 18: characters that break things

TRICKY = ['<>:"|?*Hydro', "Tab\there", "Bell\x07and\x1bEscape", "Obsidian #tag ^block [[link]] |",
          "Two\nlines", "Carriage\rreturn", "Acme | Co *bold* <b>x</b> _u_ `code`",
          "Zero\u200bwidth\u200djoiner", "Right\u202eto-left", "'single' \"double\"",
          "- leading dash", "yes", "0123456789", "2026-01-01", "@home: #1"]


@pytest.mark.parametrize("name", TRICKY)
def test_18_tricky_characters_are_replaced_in_the_file_name_and_kept_in_name(
        make_vault, run, name):
    root = make_vault({})
    before = snapshot(root)
    result = new(run, root, name, "--no-commit")
    assert result.exit_code == 0, result.stderr
    [rel] = created(root, before)
    assert valid_everywhere(Path(rel).name), rel
    assert names_by_file(run, root)[rel] == name.strip()  # `name:` round-trips verbatim
    assert run("check", "--vault", str(root)).exit_code == 0


@pytest.mark.parametrize("name", ["Del\x7fchar", "C1\x85next\x9bline"])
def test_18_control_characters_yaml_forbids_still_round_trip(make_vault, run, name):
    root = make_vault({})
    assert new(run, root, name, "--no-commit").exit_code == 0
    assert run("check", "--vault", str(root)).exit_code == 0
    assert list(names_by_file(run, root).values()) == [name.strip()]


def _cells(row: str) -> int:
    """Cells of a markdown table row: `|` not escaped by a backslash (an escaped one is text)."""
    count, escaped = 0, False
    for ch in row:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            count += 1
    return count


def test_18_view_tables_do_not_break_on_tricky_names(make_vault, run):
    root = make_vault({}, git=True)
    for name in TRICKY:
        assert new(run, root, name, "--tier", "A").exit_code == 0, name
    assert run("review", "--vault", str(root)).exit_code == 0
    for view in (root / "views").glob("*.md"):
        text = view.read_text()
        assert "&lt;" not in text and "&amp;" not in text, view.name  # markdown, not HTML
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("|") and i + 1 < len(lines) and re.fullmatch(
                    r"\|(\s*:?-+:?\s*\|)+", lines[i + 1]):  # a header: its rows follow
                width = _cells(line)
                for row in lines[i + 2:]:
                    if not row.startswith("|"):
                        break
                    assert _cells(row) == width, f"{view.name}: {row}"


# ------------------------------------------------------------ 19: very long names


def test_19_a_300_character_polish_name_is_cut_on_a_character_with_a_stable_hash(
        make_vault, run):
    root = make_vault({}, git=True)
    long = ("Przedsiębiorstwo Handlowo-Usługowe Żółć " * 8).strip()  # 319 characters
    twin = long[:-5] + "Łódź!"  # the same first 300 characters
    before = snapshot(root)
    assert new(run, root, long).exit_code == 0
    assert new(run, root, twin).exit_code == 0
    files = created(root, before)
    assert len(files) == 2
    for rel in files:
        name = Path(rel).name
        assert valid_everywhere(name)
        assert re.fullmatch(r".* [0-9a-f]{8}\.md", name), name
        assert not unicodedata.combining(name.removesuffix(".md").split(" ")[-2][-1])
    assert set(names_by_file(run, root).values()) == {long, twin}
    state = git_state(root)
    again = snapshot(root)
    message = refused(new(run, root, long), root, again, state)  # same name, same file
    assert "already exists" in message


# ------------------------------------------------------------ 20: names that collide somewhere


@pytest.mark.parametrize(("existing", "typed"), [
    ("Kowalski", "kowalski"),
    ("Kowalski", "KOWALSKI "),
    ("Łódź Serwis", "ŁÓDŹ SERWIS"),
    ("Zażółć", "Zaz\u0307o\u0301łc\u0301"),  # the same name, decomposed (macOS input)
])
def test_20_a_name_that_collides_on_macos_or_windows_is_refused(make_vault, run, existing,
                                                                typed):
    root = make_vault({}, git=True)
    assert new(run, root, existing).exit_code == 0
    before, state = snapshot(root), git_state(root)
    message = refused(new(run, root, typed), root, before, state)
    assert "already exists as" in message and f"{existing}.md" in message


def test_20_a_file_name_taken_by_a_note_of_another_name_is_refused(make_vault, run):
    root = make_vault({"clients/Kowalski.md": "---\nname: Jan Kowalski i Syn\n---\n"}, git=True)
    before, state = snapshot(root), git_state(root)
    message = refused(new(run, root, "kowalski"), root, before, state)
    assert "already exists as" in message and "Kowalski.md" in message


# ------------------------------------------------------------ 21: names that are no name


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "...", ". . .", "😀😀", "🇵🇱", "-", "\u200b"])
def test_21_an_empty_or_unusable_name_is_a_clear_error(make_vault, run, name):
    root = make_vault({}, git=True)
    before, state = snapshot(root), git_state(root)
    message = refused(new(run, root, name), root, before, state)
    assert "name" in message


def test_names_commit_only_the_new_note(make_vault, run):
    root = make_vault({"clients/Other.md": "---\nname: Other\n---\n"}, git=True)
    (root / "clients/Other.md").write_text("---\nname: Other\ntier: B\n---\n")  # rep's own work
    assert new(run, root, "../../Hydro | Tech").exit_code == 0
    assert git(root, "show", "--name-only", "--format=", "HEAD").split("\n")[:-1] == [
        "clients/Hydro - Tech.md"]
    assert git(root, "status", "--porcelain").strip() == "M clients/Other.md"
