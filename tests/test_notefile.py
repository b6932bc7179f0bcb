"""One reading of a note's bytes for the reader and the editor (`read/notefile.py`): a note
never reads fine and is then refused for editing, nor the reverse, whatever its BOM, line
endings, front-matter delimiters, conflict markers or size.

The editor refuses more on its own account (an edit that would not read back, YAML whose
spans it cannot locate); the notes made here vary the file's format, not its YAML.
"""

from pathlib import PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnotes.edit.editor import NoteText
from salesnotes.errors import Refused
from salesnotes.read.note import read_note
from salesnotes.read.notefile import MAX_FRONT_MATTER, MAX_NOTE_BYTES

REL = PurePosixPath("clients/Acme.md")
LINES = ["---", "---  ", "...", "name: Acme", "tier: A", "region: Kraków", "", "Free text",
         "## Log", "- 2026-11-02 phone: called", "- [ ] 📅 2026-12-01 send the offer",
         "<<<<<<< HEAD", "=======", ">>>>>>> theirs"]
ENDINGS = ["\n", "\r\n", "\r"]


def reads_fine(data: bytes) -> bool:
    """Read as a note with nothing to say about it (strict-only remarks aside)."""
    read = read_note(REL, data)
    return read.note is not None and not [p for p in read.problems if not p.strict]


def edits(data: bytes) -> bool:
    try:
        NoteText(data)
    except Refused:
        return False
    return True


@st.composite
def notes(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.sampled_from(LINES), max_size=10))
    if draw(st.booleans()):
        lines = ["---", *lines]
    usual = draw(st.sampled_from(ENDINGS[:2]))
    text = ""
    for line in lines:  # now and then one line ends otherwise
        text += line + (draw(st.sampled_from(ENDINGS)) if draw(st.integers(0, 9)) == 0 else usual)
    if text and draw(st.booleans()):
        text = text.rstrip("\r\n")  # no final newline
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(notes())
def test_a_note_reads_fine_exactly_when_it_can_be_edited(data: bytes) -> None:
    assert reads_fine(data) == edits(data), data


def front_matter_of(size: int, letter: str) -> bytes:
    """A note whose front-matter (between the delimiters, newlines included) is `size` bytes."""
    head = "name: Acme\nnext_step: "
    fill = size - len(head.encode()) - 1
    each = len(letter.encode())
    return f"---\n{head}{letter * (fill // each)}{'x' * (fill % each)}\n---\nBody\n".encode()


@pytest.mark.parametrize("letter", ["x", "ł", "€"])
@pytest.mark.parametrize("over", [0, 1])
def test_one_front_matter_limit_in_bytes_for_reading_and_editing(letter: str, over: int) -> None:
    data = front_matter_of(MAX_FRONT_MATTER + over, letter)
    assert reads_fine(data) == edits(data) == (not over)
    if over:
        assert "64 KB" in read_note(REL, data).problems[0].message


def test_one_size_limit_for_reading_and_editing() -> None:
    at_limit = b"---\nname: Acme\n---\n" + b"x" * (MAX_NOTE_BYTES - 19)
    assert len(at_limit) == MAX_NOTE_BYTES and reads_fine(at_limit) and edits(at_limit)
    over = at_limit + b"x"
    assert not reads_fine(over) and not edits(over)


@pytest.mark.parametrize("data, line", [
    (b"---\r\nname: Acme\n---\r\nBody\r\n", 2),  # an LF line among CRLFs
    (b"---\nname: Acme\r\n---\nBody\n", 1),  # a CRLF among LFs: the first LF line is named
    (b"---\nname: Acme\n---\nBody\rmore\n", 4),  # a lone CR
])
def test_mixed_line_endings_are_said_by_the_reader_and_refused_by_the_editor(
        data: bytes, line: int) -> None:
    read = read_note(REL, data)
    assert read.note is not None and read.note.name == "Acme"  # the views still show it
    said = [p for p in read.problems if "mixed line endings" in p.message]
    assert [p.line for p in said] == [line]
    with pytest.raises(Refused, match="mixed line endings") as refused:
        NoteText(data)
    assert refused.value.line == line


def test_a_nul_byte_anywhere_is_binary_for_both() -> None:
    data = b"---\nname: Acme\n---\n" + b"text\n" * 3000 + b"\x00\n"
    assert not reads_fine(data) and not edits(data)
    assert "binary" in read_note(REL, data).problems[0].message


def test_a_note_mid_merge_is_said_by_the_reader_and_refused_by_the_editor() -> None:
    data = b"---\nname: Acme\n---\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> b\n"
    read = read_note(REL, data)
    assert read.note is not None and [(p.line, p.message) for p in read.problems] == [
        (4, "merge conflict markers; resolve the conflict first")]
    with pytest.raises(Refused, match="conflict") as refused:
        NoteText(data)
    assert refused.value.line == 4
