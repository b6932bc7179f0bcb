"""The one filename function: adversarial cases 16-21, and properties for any text."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path, PurePath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnotes.read.names import (
    MAX_BYTES,
    InvalidName,
    NameTaken,
    client_path,
    fold,
    name_key,
    safe_filename,
)

FORBIDDEN = set('/\\:*?"<>|#^[]')
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
            *(f"LPT{n}" for n in range(1, 10))}


def assert_safe(filename: str) -> None:
    """What every OS, git and Obsidian need from a note's file name."""
    assert filename.endswith(".md")
    assert len(filename.encode("utf-8")) <= MAX_BYTES <= 200
    assert not FORBIDDEN & set(filename), filename
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in filename)
    assert unicodedata.is_normalized("NFC", filename)
    assert not filename.startswith((".", " ", "-"))
    assert not filename[:-3].endswith(" ")
    assert filename.split(".")[0].rstrip(" ").upper() not in RESERVED


# --- case 16: names that try to leave the clients folder ---------------------------------------

@pytest.mark.parametrize("name", ["../../x", "a/b", "a\\b", "/etc/passwd", "C:\\x", "..", "./.x",
                                  "clients/../../../etc/shadow", "~/x", "\\\\server\\share\\x"])
def test_path_tricks_stay_inside_the_clients_folder(tmp_path: Path, name: str) -> None:
    clients = tmp_path / "clients"
    clients.mkdir()
    try:
        path = client_path(clients, name)
    except InvalidName:
        return  # refusing is also safe
    assert path.parent == clients
    assert path.resolve().parent == clients.resolve()
    assert_safe(path.name)


def test_separators_become_dashes() -> None:
    assert safe_filename("a/b") == "a-b.md"
    assert safe_filename("a\\b") == "a-b.md"
    assert safe_filename("/etc/passwd") == "etc-passwd.md"
    assert safe_filename("C:\\x") == "C-x.md"
    assert safe_filename("../../x") == "x.md"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlinked_note_pointing_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    clients = tmp_path / "clients"
    clients.mkdir()
    outside = tmp_path / "outside.md"
    outside.write_text("secret", encoding="utf-8")
    (clients / "Acme.md").symlink_to(outside)
    with pytest.raises(InvalidName, match="leave the clients folder"):
        client_path(clients, "Acme")
    assert outside.read_text(encoding="utf-8") == "secret"


# --- case 17: Windows device names ---------------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    ("CON", "CON_.md"), ("nul", "nul_.md"), ("COM1.md", "COM1_.md.md"), ("LPT9", "LPT9_.md"),
    ("prn", "prn_.md"), ("Aux.txt", "Aux_.txt.md"), ("com9", "com9_.md"), ("LPT1 ", "LPT1_.md"),
])
def test_windows_reserved_names_get_a_suffix(name: str, expected: str) -> None:
    assert safe_filename(name) == expected
    assert_safe(expected)


@pytest.mark.parametrize("name", ["CONSOLE", "Contractor", "COM10", "Nullbud", "AUXILIA S.A."])
def test_names_that_only_start_like_a_device_are_kept(name: str) -> None:
    assert safe_filename(name) == f"{name}.md"


# --- case 18: characters that break Windows or Obsidian links ---------------------------------

@pytest.mark.parametrize("name", ['<>:"|?*Firma', "Fir\x00ma\x07\x1b", "#^[]|Firma", "Fir\nma",
                                  "Fir\r\nma", "Firma\u202e", "Fir\u200bma", "Firma\t\tX"])
def test_forbidden_and_control_characters_are_replaced(name: str) -> None:
    filename = safe_filename(name)
    assert_safe(filename)
    assert "Fir" in filename and "ma" in filename


def test_replacements_stay_readable() -> None:
    assert safe_filename('P.P.H.U. "MARBUD"') == "P.P.H.U. 'MARBUD'.md"
    assert safe_filename("Firma [Kraków]") == "Firma (Kraków).md"
    assert safe_filename("Serwis: Nowak") == "Serwis - Nowak.md"
    assert safe_filename("A\nB") == "A B.md"
    assert safe_filename("Hydro-Tech Sp. z o.o.") == "Hydro-Tech Sp. z o.o..md"  # README's example


# --- case 19: long names --------------------------------------------------------------------------

def test_a_300_character_polish_name_is_cut_on_a_character_boundary_with_a_hash() -> None:
    name = ("Przedsiębiorstwo Produkcyjno-Handlowo-Usługowe Żółć Gęślą Jaźń " * 6)[:300]
    assert len(name) == 300
    filename = safe_filename(name)
    assert_safe(filename)
    raw = filename.encode("utf-8")
    assert raw.decode("utf-8") == filename  # valid UTF-8, no half character
    assert filename.startswith("Przedsiębiorstwo Produkcyjno")
    stem_hash = filename[:-3].rsplit(" ", 1)[1]
    assert len(stem_hash) == 8 and int(stem_hash, 16) >= 0
    assert safe_filename(name) == filename  # stable
    other = name[:-1] + "X"  # same prefix, different name: a different file
    assert safe_filename(other) != filename


def test_names_at_the_limit_are_not_cut() -> None:
    name = "a" * (MAX_BYTES - 3)
    assert safe_filename(name) == name + ".md"
    assert safe_filename(name + "a") != name + "a.md"


# --- case 20: collisions up to case and Unicode form ----------------------------------------------

def test_kowalski_collides_with_Kowalski_md_even_on_linux(tmp_path: Path) -> None:
    with pytest.raises(NameTaken, match="already exists as Kowalski.md"):
        client_path(tmp_path, "kowalski", ["Kowalski.md", "Nowak.md"])


@pytest.mark.parametrize(("name", "existing"), [
    ("Zo\u0308e", "Zöe.md"),  # NFD typed, NFC on disk (macOS)
    ("ŁÓDŹ SERWIS", "łódź serwis.md"),
    ("Kowalski  Jan", "Kowalski Jan.md"),
    ("Kowalski?", "Kowalski.md"),  # differ only by a character the file name drops
    ("kowalski", "Kraków/Kowalski.md"),  # a vault-relative path from a subfolder
    ("STRASSE", "straße.md"),
])
def test_collisions(tmp_path: Path, name: str, existing: str) -> None:
    with pytest.raises(NameTaken, match="already exists as"):
        client_path(tmp_path, name, [existing])


def test_a_free_name_gets_its_path(tmp_path: Path) -> None:
    assert client_path(tmp_path, "Nowak", ["Kowalski.md"]) == tmp_path / "Nowak.md"


def test_name_key_and_fold() -> None:
    assert name_key("  Kowalski \n Jan ") == name_key("kowalski jan")
    assert name_key("Zo\u0308e") == name_key("ZÖE")
    assert fold("Łódź Serwis") == "lodz serwis"
    assert fold("ZAŻÓŁĆ GĘŚLĄ JAŹŃ") == "zazolc gesla jazn"


_PLAIN_SPACES = re.compile(r"\s+")
_PLAIN_UNDECOMPOSED = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe",
                                     "ı": "i"})


def plain_fold(text: str) -> str:
    """fold as first written: a translate table, then every character of the NFKD form."""
    if text.isascii():
        return _PLAIN_SPACES.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_PLAIN_UNDECOMPOSED))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _PLAIN_SPACES.sub(" ", bare).strip()


@settings(max_examples=400, deadline=None)
@given(st.text() | st.text("aąćęłńóśźżAĄĆĘŁŃÓŚŹŻđøæœıİßẞ„”ﬁǅ①\u0301\u0327 \t\u00a0\u2003\x1c"))
def test_fold_is_the_plain_fold_for_any_text(text: str) -> None:
    assert fold.__wrapped__(text) == plain_fold(text)


# --- case 21: names with nothing to name a file by ------------------------------------------------

@pytest.mark.parametrize("name", ["", " ", "\t\n", "...", ". . .", "😀", "🏭🔥", "#?!", "\u200b",
                                  "---", "/"])
def test_names_without_a_letter_or_digit_are_refused(name: str) -> None:
    with pytest.raises(InvalidName, match="at least one letter or digit"):
        safe_filename(name)
    assert issubclass(InvalidName, ValueError) and issubclass(NameTaken, ValueError)


# --- any text -------------------------------------------------------------------------------------

@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_safe_stable_name_or_a_clear_refusal(name: str) -> None:
    try:
        filename = safe_filename(name)
    except InvalidName as e:
        assert "at least one letter or digit" in str(e)
        return
    assert_safe(filename)
    assert len(PurePath("clients", filename).parts) == 2
    assert safe_filename(filename[:-3]) == filename  # the file's own stem maps to itself
    assert safe_filename(name) == filename


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("aąćęłńóśźżAĄĆĘŁŃÓŚŹŻ .-/:\u0301\u0308"), min_size=100,
               max_size=300))
def test_long_polish_text_is_cut_safely(name: str) -> None:
    try:
        filename = safe_filename(name)
    except InvalidName:
        return
    assert_safe(filename)
    assert safe_filename(filename[:-3]) == filename
