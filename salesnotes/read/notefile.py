"""A note file's dialect, read so that an edit can write it back byte for byte.

A rep's note may come from Windows (CRLF, a UTF-8 BOM), from an editor that drops the final
newline, or from a half-finished git merge. An edit keeps the dialect it found (ARCHITECTURE.md,
data safety 4 and 7) and refuses what it cannot keep: bytes that are not strict UTF-8, a NUL
byte, mixed line endings, conflict markers, an unclosed or oversized front-matter block. Every
refusal names its line, so the rep sees `path:line: why`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence

from salesnotes.i18n import Said

MAX_FRONT_MATTER = 64 * 1024
FM_LINE0 = 2  # file line of the front-matter's first line (line 1 is the opening ---)

_CONFLICT = re.compile(r"(<{7}|>{7})(?: |$)")


class EditRefused(Exception):
    """An edit that cannot be done without risking the note; `line` is 1-based, 0 = whole file."""

    def __init__(self, message: Said, line: int = 0, *, detail: str = "") -> None:
        super().__init__(str(message))
        self.said = message  # said in the reader's language by whoever reports the refusal
        self.message = str(message)
        self.line = line
        self.detail = detail  # for VERIFY_FAILED: which check failed, for debugging


def decode(data: bytes) -> tuple[bool, str]:
    """Strict UTF-8 with an optional BOM; a NUL byte means a binary file."""
    bom = data.startswith(codecs.BOM_UTF8)
    raw = data[len(codecs.BOM_UTF8) :] if bom else data
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise EditRefused(Said("err_edit_binary"), line)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        byte = raw[e.start]
        raise EditRefused(Said("err_edit_not_utf8", byte=f"0x{byte:02x}", line=line),
                          line) from None
    return bom, text


def newline_style(text: str) -> str:
    """CRLF or LF; a lone CR or a mix of both is refused with the first odd line."""
    lone_cr = re.search(r"\r(?!\n)", text)
    if lone_cr:
        line = text.count("\n", 0, lone_cr.start()) + 1
        raise EditRefused(Said("err_edit_lone_cr"), line)
    crlf = text.count("\r\n")
    if crlf == 0:
        return "\n"
    if crlf != text.count("\n"):
        for number, written in enumerate(text.split("\n")[:-1], start=1):
            if not written.endswith("\r"):
                raise EditRefused(Said("err_edit_mixed_endings"), number)
    return "\r\n"


def split_lines(text: str) -> tuple[list[str], bool]:
    """Lines without terminators plus whether the text ends with one; joining is exact."""
    if not text:
        return [], False
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
        return lines, True
    return lines, False


def refuse_conflict_markers(lines: Sequence[str]) -> None:
    for number, line in enumerate(lines, start=1):
        if _CONFLICT.match(line):
            raise EditRefused(Said("err_edit_conflict"), number)


def front_matter_end(lines: Sequence[str]) -> int | None:
    """Index of the closing delimiter; front-matter exists only as the file's first line."""
    if not lines or lines[0].rstrip(" \t") != "---":
        return None
    size = 0
    for index in range(1, len(lines)):
        if lines[index].rstrip(" \t") in ("---", "..."):
            return index
        size += len(lines[index].encode("utf-8", "surrogatepass")) + 1
        if size > MAX_FRONT_MATTER:
            raise EditRefused(Said("err_edit_fm_too_big"), 1)
    raise EditRefused(Said("err_edit_fm_unclosed"), 1)


def check_text(value: str) -> None:
    """Lone surrogates cannot be written as UTF-8: refuse them before anything is spliced."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise EditRefused(Said("err_edit_invalid_text"))


def render(lines: Sequence[str], *, final_newline: bool, newline: str, bom: bool) -> bytes:
    """The lines back as bytes in the dialect they were read in."""
    text = "\n".join(lines)
    if lines and final_newline:
        text += "\n"
    if newline == "\r\n":
        text = text.replace("\n", "\r\n")
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
