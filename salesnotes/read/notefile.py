"""A note file's dialect and parts: the one reading of a note's bytes, for reading and editing.

A rep's note may come from Windows (CRLF, a UTF-8 BOM), from an editor that drops the final
newline, or from a half-finished git merge. `note_file` decodes it once, by one set of rules,
for `read/note.py` (which types its front-matter) and `edit/editor.py` (which splices it), so a
note can never read fine and then be refused for editing, or the reverse: strict UTF-8, no NUL
byte, at most 5 MB, a front-matter block opened by the first line and closed, of at most
64 KB. One line-ending style per file: a mix of CRLF and LF, or a lone CR, is said as a
problem by the reader and refused by the editor (which keeps the style it found, and a mixed
one cannot be kept: ARCHITECTURE.md, data safety 4 and 7); so is a note mid-merge (conflict
markers). Every refusal names its line, so the rep sees `path:line: why`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence

from salesnotes.errors import Refused
from salesnotes.i18n import Said

MAX_NOTE_BYTES = 5 * 1024 * 1024
MAX_FRONT_MATTER = 64 * 1024
FM_LINE0 = 2  # file line of the front-matter's first line (line 1 is the opening ---)

_CONFLICT = re.compile(r"^(?:<{7}|>{7})(?: |$)", re.M)
_DELIMITERS = ("---", "...")


class NoteFile:
    """A note's text (LF line endings, no BOM) and where its parts are."""

    __slots__ = ("text", "bom", "crlf", "mixed", "conflict", "front_matter", "body_start",
                 "body_line")

    def __init__(self, text: str, bom: bool, crlf: bool, mixed: tuple[int, Said] | None,
                 conflict: int, front_matter: str | None, body_start: int,
                 body_line: int) -> None:
        self.text = text
        self.bom = bom
        self.crlf = crlf  # CRLF line endings (all of them, unless `mixed`)
        self.mixed = mixed  # (line, why) of the first line ending unlike the others
        self.conflict = conflict  # line of the first merge conflict marker; 0: none
        self.front_matter = front_matter  # the block's text between its delimiters
        self.body_start = body_start  # offset in `text` of the body
        self.body_line = body_line  # file line where the body starts

    @property
    def newline(self) -> str:
        return "\r\n" if self.crlf else "\n"

    @property
    def body(self) -> str:
        return self.text[self.body_start:]

    @property
    def front_matter_end(self) -> int | None:
        """0-based line index of the closing delimiter; None without front-matter."""
        return None if self.front_matter is None else self.body_line - 2

    def unkeepable(self) -> tuple[int, Said] | None:
        """(line, why) when no edit may touch the note: its line endings could not be written
        back in its own style, or it is mid-merge (an edit would bury the conflict). The
        reader says it as a problem, the editor refuses."""
        if self.mixed is not None:
            return self.mixed
        if self.conflict:
            return self.conflict, Said("err_edit_conflict")
        return None


def note_file(data: bytes) -> NoteFile:
    """The note's text and parts; Refused for bytes that are not a note salesnotes reads
    (too big, binary, not UTF-8) or a front-matter block never closed or over 64 KB."""
    if len(data) > MAX_NOTE_BYTES:
        raise Refused(Said("err_note_too_big", mb=len(data) // 1024 // 1024))
    bom = data.startswith(codecs.BOM_UTF8)
    raw = data[len(codecs.BOM_UTF8):] if bom else data
    if b"\x00" in raw:
        raise Refused(Said("err_binary"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise Refused(Said("err_not_utf8", byte=f"0x{raw[e.start]:02x}"), line) from None
    crlf, mixed = False, None
    if "\r" in text:
        crlf, mixed = _line_endings(text)
        if crlf:
            text = text.replace("\r\n", "\n")
    conflict = 0
    if "<<<<<<<" in text or ">>>>>>>" in text:
        if (marker := _CONFLICT.search(text)) is not None:
            conflict = text.count("\n", 0, marker.start()) + 1
    front_matter, body_start, body_line = _split(text)
    return NoteFile(text, bom, crlf, mixed, conflict, front_matter, body_start, body_line)


def _line_endings(text: str) -> tuple[bool, tuple[int, Said] | None]:
    """(CRLF endings?, the first line ending unlike the rest): a lone CR, or an LF among CRLFs
    (the first LF-only line is named)."""
    lone_cr = re.search(r"\r(?!\n)", text)
    if lone_cr:
        line = text.count("\n", 0, lone_cr.start()) + 1
        return "\r\n" in text, (line, Said("err_lone_cr"))
    crlf = text.count("\r\n")
    if crlf == 0 or crlf == text.count("\n"):
        return crlf > 0, None
    for number, written in enumerate(text.split("\n")[:-1], start=1):
        if not written.endswith("\r"):
            return True, (number, Said("err_mixed_newlines"))
    return True, None  # pragma: no cover - the counts differ, so some line has no CR


def _split(text: str) -> tuple[str | None, int, int]:
    """(front-matter text or None, body offset, body's file line). Only a block whose first
    line is `---` (trailing spaces or tabs allowed, as on its closing line) is front-matter:
    a `---` rule later in the body never is."""
    if not text.startswith("---"):
        return None, 0, 1
    first = text.find("\n")
    if (text[3:] if first < 0 else text[3:first]).strip(" \t"):
        return None, 0, 1
    if first < 0:
        raise Refused(Said("err_fm_not_closed"), 1)
    start = pos = first + 1
    line_no = 2
    while True:
        end = text.find("\n", pos)
        if (text[pos:] if end < 0 else text[pos:end]).rstrip(" \t") in _DELIMITERS:
            front_matter = text[start:pos]
            if len(front_matter) > MAX_FRONT_MATTER // 4 and (
                    len(front_matter.encode("utf-8")) > MAX_FRONT_MATTER):
                raise Refused(Said("err_fm_too_big"), 1)
            return front_matter, len(text) if end < 0 else end + 1, line_no + 1
        if end < 0:
            raise Refused(Said("err_fm_not_closed"), 1)
        pos = end + 1
        line_no += 1


def split_lines(text: str) -> tuple[list[str], bool]:
    """Lines without terminators plus whether the text ends with one; joining is exact."""
    if not text:
        return [], False
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
        return lines, True
    return lines, False


def check_text(value: str) -> None:
    """Lone surrogates cannot be written as UTF-8: refuse them before anything is spliced."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise Refused(Said("err_edit_invalid_text"))


def render(lines: Sequence[str], *, final_newline: bool, newline: str, bom: bool) -> bytes:
    """The lines back as bytes in the dialect they were read in."""
    text = "\n".join(lines)
    if lines and final_newline:
        text += "\n"
    if newline == "\r\n":
        text = text.replace("\n", "\r\n")
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
